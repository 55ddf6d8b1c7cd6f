// Indexing (ndarray.__getitem__/__setitem__ with basic and advanced keys, take, nonzero) and sorting
// (sort, argsort, searchsorted, unique) bindings.
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include "chainerx/routines/gather.hpp"
#include "chainerx/routines/sorting.hpp"
#include "common.hpp"

namespace chainerx::python {

namespace {

[[noreturn]] void invalid_index(nb::handle k) {
    throw_error<index_error>(
        "only integers, slices (`:`), ellipsis (`...`), chainerx.newaxis (`None`) and integer or "
        "boolean arrays are valid indices, got ",
        nb::cast<std::string>(nb::repr(k)));
}

// A Python int beyond int64 in an index (or nested lists and tuples of them) raises NumPy's
// OverflowError; converted as an array, NumPy would hold it as uint64, object or float64.
void check_int_indices(nb::handle k, int depth = 0) {
    if (PyLong_Check(k.ptr())) {
        to_int64(k);
    } else if ((PyList_Check(k.ptr()) || PyTuple_Check(k.ptr())) && depth <= max_ndim) {  // deeper: NumPy refuses
        for (nb::handle item : k) check_int_indices(item, depth + 1);
    }
}

// Array-like indices as an array; NumPy reads an empty list as an empty integer index.
array to_array_index(nb::handle k, device& dev) {
    array* existing;
    if (nb::try_cast<array*>(k, existing) && existing) return *existing;
    check_int_indices(k);
    array a = to_array(k, std::nullopt, false, &dev);
    if (a.size() == 0 && is_float(a.dtype()) && (PyList_Check(k.ptr()) || PyTuple_Check(k.ptr())))
        a = empty(a.shape(), dtype::int64, dev);
    return a;
}

// An index array from anything array-like in a key (ndarray, NumPy array, list, bool).
array to_index_array(nb::handle k, device& dev) {
    if (PyBool_Check(k.ptr())) return full({}, k.ptr() == Py_True, dtype::bool_, dev);
    if (PyFloat_Check(k.ptr()) || PyUnicode_Check(k.ptr()) || PyBytes_Check(k.ptr())) invalid_index(k);
    array a;
    try {
        a = to_array_index(k, dev);
    } catch (const std::exception&) {  // not convertible to an array
        invalid_index(k);
    }
    return a;
}

// A basic index (None, Ellipsis, slice, int), or nothing for anything else.
std::optional<index_item> to_basic_item(nb::handle k) {
    PyObject* o = k.ptr();
    if (o == Py_None) return index_item::new_axis();
    if (o == Py_Ellipsis) return index_item::ellipsis();
    if (PySlice_Check(o)) {
        // Python's own reading of a slice: any int (huge ones clamped, which does not change the
        // slice of an axis that fits in int64), __index__ objects, TypeError for others, and
        // ValueError for a zero step.
        // A zero step is left to at(), which raises ValueError after the checks NumPy makes first.
        auto* sl = reinterpret_cast<PySliceObject*>(o);
        bool zero_step = sl->step != Py_None && PyLong_Check(sl->step) && PyObject_Not(sl->step) == 1;
        nb::object unpacked = zero_step ? nb::steal(PySlice_New(sl->start, sl->stop, Py_None)) : nb::borrow(k);
        Py_ssize_t start, stop, step;
        if (!unpacked.is_valid() || PySlice_Unpack(unpacked.ptr(), &start, &stop, &step) < 0) throw nb::python_error();
        return index_item::slice(start, stop, zero_step ? 0 : step);
    }
    if (PyLong_CheckExact(o) ||
        (!PyBool_Check(o) && PyIndex_Check(o) && !nb::isinstance<array>(k) && !PySequence_Check(o))) {
        // An integer beyond int64 is out of bounds for any axis: IndexError, as NumPy raises.
        int64_t i = 0;
        try {
            i = to_int64(k);
        } catch (nb::python_error& e) {
            if (!e.matches(PyExc_OverflowError)) throw;
            throw_error<index_error>("index ", nb::cast<std::string>(nb::repr(k)), " is out of bounds");
        }
        return index_item::integer(i);
    }
    return std::nullopt;
}

// Calls f(span of index_item) when every item of the key is basic (the common case: no heap
// allocation); returns false without calling it otherwise.
template <class F>
bool with_basic_key(nb::handle key, F&& f) {
    constexpr size_t local = 16;
    index_item items[local];
    size_t n = 0;
    if (PyTuple_Check(key.ptr())) {
        if (PyTuple_GET_SIZE(key.ptr()) > static_cast<Py_ssize_t>(local)) return false;
        for (nb::handle k : key) {
            std::optional<index_item> item = to_basic_item(k);
            if (!item) return false;
            items[n++] = *item;
        }
    } else {
        std::optional<index_item> item = to_basic_item(key);
        if (!item) return false;
        items[n++] = *item;
    }
    f(std::span<const index_item>(items, n));
    return true;
}

// A Python key as key items; a tuple is a sequence of items, anything else (a list too) is one item.
std::vector<key_item> to_key(nb::handle key, device& dev) {
    std::vector<key_item> items;
    auto add = [&](nb::handle k) {
        if (std::optional<index_item> item = to_basic_item(k))
            items.emplace_back(*item);
        else
            items.emplace_back(to_index_array(k, dev));
    };
    if (PyTuple_Check(key.ptr())) {
        for (nb::handle k : key) add(k);
    } else {
        add(key);
    }
    return items;
}

index_mode to_index_mode(const std::optional<std::string>& mode, const device& dev) {
    if (!mode) return default_index_mode(dev);
    if (*mode == "raise") return index_mode::raise;
    if (*mode == "wrap") return index_mode::wrap;
    if (*mode == "clip") return index_mode::clip;
    throw std::invalid_argument("take: mode must be 'raise', 'wrap' or 'clip', got '" + *mode + "'");
}

std::optional<int64_t> to_optional_axis(nb::handle h) {
    if (h.is_none()) return std::nullopt;
    if (PyBool_Check(h.ptr()) || !PyIndex_Check(h.ptr())) throw nb::type_error("axis must be an int or None");
    return to_int64(h);
}

array take_fn(const array& a, nb::handle indices, nb::handle axis, const std::optional<std::string>& mode) {
    return take(a, to_array_index(indices, a.get_device()), to_optional_axis(axis),
                to_index_mode(mode, a.get_device()));
}

nb::tuple to_tuple(const std::vector<array>& arrays) {
    nb::list out;
    for (const array& a : arrays) out.append(nb::cast(a));
    return nb::tuple(out);
}

array sort_fn(const array& a, nb::handle axis, const std::optional<std::string>& kind, std::optional<bool> stable) {
    return sort(a, to_optional_axis(axis), kind, stable);
}
array argsort_fn(const array& a, nb::handle axis, const std::optional<std::string>& kind, std::optional<bool> stable) {
    return argsort(a, to_optional_axis(axis), kind, stable);
}

}  // namespace

void init_indexing(nb::module_& m) {
    nb::handle cls = nb::type<array>();
    auto method = [&](const char* name, auto&& f, const char* doc, auto... extra) {
        cls.attr(name) = nb::cpp_function(std::forward<decltype(f)>(f), nb::is_method(), nb::name(name), nb::scope(cls),
                                          extra..., doc);
    };
    method(
        "__getitem__",
        [](const array& a, nb::handle key) {
            array out;
            if (with_basic_key(key, [&](std::span<const index_item> items) { out = at(a, items); })) return out;
            std::vector<key_item> items = to_key(key, a.get_device());
            return getitem(a, items);
        },
        "a[key]: a view for basic keys (ints, slices, None, Ellipsis); a copy for integer or boolean index arrays "
        "(NumPy's advanced indexing, differentiable).",
        nb::arg("key").none());
    method(
        "__setitem__",
        [](const array& a, nb::handle key, nb::handle value) {
            check_inplace("setitem", &a);
            std::optional<scalar> s = to_scalar(value);
            auto assign = [&](const array& target) {
                if (s)
                    fill(target, *s);
                else
                    copy_into(target, to_array(value, std::nullopt, false, &a.get_device()));
            };
            if (with_basic_key(key, [&](std::span<const index_item> items) { assign(at(a, items)); })) return;
            std::vector<key_item> items = to_key(key, a.get_device());
            setitem(
                a, items,
                s ? full({}, *s, a.dtype(), a.get_device()) : to_array(value, std::nullopt, false, &a.get_device()));
        },
        "a[key] = value (value broadcast and cast to a's dtype; with index arrays the last of duplicate indices wins).",
        nb::arg("key").none(), nb::arg("value").none());

    const char* take_doc = R"(Takes the elements of an array at integer indices along an axis.

Args:
    a: input array (for the ndarray method, the array itself).
    indices: an integer array or array-like (other dtypes raise DtypeError); its shape replaces
        the axis in the result.
    axis: the axis to take along; None takes from the flattened array.
    mode: what an index outside [-n, n) does: 'raise' (IndexError), 'wrap' (modulo n) or 'clip'
        (to [0, n - 1]; negative indices clip to 0, as in NumPy). None means 'raise', ChainerX's
        default on the native device.
Returns:
    A new array. Native device only. Differentiable (backprop and double backprop): the gradient
    is a scatter-add, in which duplicate indices accumulate.)";
    m.def("take", &take_fn, nb::arg("a"), nb::arg("indices"), nb::arg("axis").none() = nb::none(),
          nb::arg("mode").none() = nb::none(), take_doc);
    method(
        "take",
        [](const array& a, nb::handle indices, nb::handle axis, const std::optional<std::string>& mode) {
            return take_fn(a, indices, axis, mode);
        },
        take_doc, nb::arg("indices"), nb::arg("axis").none() = nb::none(), nb::arg("mode").none() = nb::none());

    const char* nonzero_doc = R"(Indices of the nonzero elements of an array.

Args:
    a: input array (for the ndarray method, the array itself); 0-d arrays are refused
        (DimensionError), as in NumPy 2.
Returns:
    A tuple of a.ndim int64 arrays, the indices along each axis in C order. Native device only.
    Not differentiable.)";
    m.def("nonzero", [](const array& a) { return to_tuple(nonzero(a)); }, nb::arg("a"), nonzero_doc);
    method("nonzero", [](const array& a) { return to_tuple(nonzero(a)); }, nonzero_doc);
    m.def(
        "flatnonzero", [](const array& a) { return flatnonzero(a); }, nb::arg("a"),
        "Indices of the nonzero elements of the flattened array a.\n\n"
        "Returns a 1-d int64 array (a 0-d a is taken as 1-d). Native device only. Not differentiable.");

    const char* sort_doc = R"(Returns a sorted copy of an array along an axis.

Args:
    a: input array.
    axis: the axis to sort along (default -1, the last one); None sorts the flattened array.
    kind: None, 'quicksort', 'heapsort', 'mergesort' or 'stable'; it only chooses whether the sort
        is stable ('mergesort' and 'stable' are).
    stable: True for a stable sort (equal elements keep their order); not with kind.
Returns:
    A new array; NaNs sort last, as in NumPy. Native device only. NumPy's sort, an extension over
    ChainerX. Differentiable (backprop and double backprop): the gradient follows the permutation.)";
    m.def("sort", &sort_fn, nb::arg("a"), nb::arg("axis").none() = -1, nb::arg("kind").none() = nb::none(),
          nb::arg("stable").none() = nb::none(), sort_doc);
    method(
        "sort",
        [](const array& a, int_arg axis, const std::optional<std::string>& kind, std::optional<bool> stable) {
            sort_inplace(a, axis, kind, stable);
        },
        R"(Sorts the array in place along an axis.

Args:
    axis: the axis to sort along (default -1, the last one).
    kind: None, 'quicksort', 'heapsort', 'mergesort' or 'stable'; it only chooses whether the sort
        is stable ('mergesort' and 'stable' are).
    stable: True for a stable sort (equal elements keep their order); not with kind.
Returns:
    None. NaNs sort last. Refused for arrays that are part of a graph, as ChainerX refuses in-place
    writes there. Native device only.)",
        nb::arg("axis") = -1, nb::arg("kind").none() = nb::none(), nb::arg("stable").none() = nb::none());
    const char* argsort_doc = R"(Indices that sort an array along an axis.

Args:
    a: input array (for the ndarray method, the array itself).
    axis: the axis to sort along (default -1, the last one); None sorts the flattened array.
    kind: None, 'quicksort', 'heapsort', 'mergesort' or 'stable'; checked, but the sort is always
        stable (equal elements keep their order), which every kind allows.
    stable: None, True or False (not with kind); accepted for NumPy compatibility.
Returns:
    An int64 array of a's shape (1-d when axis is None); NaNs sort last. Native device only.
    Not differentiable.)";
    m.def("argsort", &argsort_fn, nb::arg("a"), nb::arg("axis").none() = -1, nb::arg("kind").none() = nb::none(),
          nb::arg("stable").none() = nb::none(), argsort_doc);
    method("argsort", &argsort_fn, argsort_doc, nb::arg("axis").none() = -1, nb::arg("kind").none() = nb::none(),
           nb::arg("stable").none() = nb::none());

    m.def(
        "searchsorted",
        [](const array& a, nb::handle v, const std::string& side, nb::handle sorter) {
            array values = to_array(v, std::nullopt, false, &a.get_device());
            std::optional<array> s;
            if (!sorter.is_none()) s = to_array(sorter, std::nullopt, false, &a.get_device());
            return searchsorted(a, values, side, s);
        },
        nb::arg("a"), nb::arg("v"), nb::arg("side") = "left", nb::arg("sorter").none() = nb::none(),
        R"(Indices where elements should be inserted into a sorted array to keep it sorted.

Args:
    a: a sorted 1-d array (ascending, NaNs last), unless sorter is given.
    v: the values to insert, an array or array-like.
    side: 'left' for the first suitable position, 'right' for the last.
    sorter: None, or int indices that sort a (an array or array-like of a's shape).
Returns:
    An int64 array of v's shape. a and v compare in their promoted dtype. Native device only.
    Not differentiable.)");

    m.def(
        "unique",
        [](const array& a, bool return_index, bool return_inverse, bool return_counts,
           std::optional<int_arg> axis) -> nb::object {
            unique_result r = unique(a, return_index, return_inverse, return_counts, axis);
            if (!return_index && !return_inverse && !return_counts) return nb::cast(r.values);
            nb::list out;
            out.append(nb::cast(r.values));
            if (r.index) out.append(nb::cast(*r.index));
            if (r.inverse) out.append(nb::cast(*r.inverse));
            if (r.counts) out.append(nb::cast(*r.counts));
            return nb::tuple(out);
        },
        nb::arg("ar"), nb::arg("return_index") = false, nb::arg("return_inverse") = false,
        nb::arg("return_counts") = false, nb::arg("axis").none() = nb::none(),
        R"(Sorted distinct elements of an array, optionally with where they occur and how often.

Args:
    ar: input array; flattened unless axis is given.
    return_index: also return the index of the first occurrence of each distinct value.
    return_inverse: also return the indices into the result that rebuild ar (of ar's shape; 1-d
        along axis when axis is given).
    return_counts: also return how many times each distinct value occurs.
    axis: None, or the axis whose subarrays are compared (the distinct subarrays along it are
        returned, in lexicographic order).
Returns:
    The values alone, or a tuple (values, index, inverse, counts) of those requested; the indices
    and counts are int64. All NaNs count as one value, as in NumPy 2 (along an axis, a subarray
    holding a NaN equals no other). Native device only. Not differentiable.)");
}

}  // namespace chainerx::python
