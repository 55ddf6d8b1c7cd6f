// Bindings for the joining, splitting, tiling and rearranging routines (routines/joining.hpp,
// routines/rearranging.hpp), copyto, and the cumulative and NaN-ignoring reductions
// (routines/cumulative.hpp).
#include "common.hpp"

#include "chainerx/routines/cumulative.hpp"
#include "chainerx/routines/joining.hpp"
#include "chainerx/routines/rearranging.hpp"

namespace chainerx::python {

namespace {

std::string py_type_name(nb::handle h) { return nb::cast<std::string>(nb::str(h.type().attr("__name__"))); }

// A sequence (any iterable but an ndarray or a string) of chainerx.ndarray.
std::vector<array> to_arrays(nb::handle h, const char* op) {
    if (nb::isinstance<array>(h) || PyUnicode_Check(h.ptr()) || !PyObject_HasAttrString(h.ptr(), "__iter__"))
        throw nb::type_error(
            (std::string(op) + ": expected a sequence of chainerx.ndarray, got " + py_type_name(h)).c_str());
    std::vector<array> arrays;
    for (nb::handle item : h) {
        array* a;
        if (!nb::try_cast<array*>(item, a) || !a)
            throw nb::type_error((std::string(op) +
                                  ": expected a sequence of chainerx.ndarray, got an element of type " +
                                  py_type_name(item))
                                     .c_str());
        arrays.push_back(*a);
    }
    return arrays;
}

int64_t to_int(nb::handle h, const char* op, const char* what) {
    if (PyBool_Check(h.ptr()) || !PyIndex_Check(h.ptr()))
        throw nb::type_error((std::string(op) + ": " + what + " must be an int, got " + py_type_name(h)).c_str());
    return nb::cast<int64_t>(nb::int_(h));
}
// An int (given as a one-element list) or a sequence of ints; `is_int` tells which it was.
std::vector<int64_t> to_ints(nb::handle h, const char* op, const char* what, bool* is_int = nullptr) {
    // NumPy arrays have __index__ too: anything that is a sequence is taken as one.
    bool scalar = PyIndex_Check(h.ptr()) && !PySequence_Check(h.ptr());
    if (is_int) *is_int = scalar && !PyBool_Check(h.ptr());
    if (scalar || PyBool_Check(h.ptr())) return {to_int(h, op, what)};
    if (!PySequence_Check(h.ptr()) || PyUnicode_Check(h.ptr()))
        throw nb::type_error(
            (std::string(op) + ": " + what + " must be an int or a sequence of ints, got " + py_type_name(h)).c_str());
    std::vector<int64_t> values;
    for (nb::handle item : h) values.push_back(to_int(item, op, what));
    return values;
}
std::optional<int64_t> to_optional_int(nb::handle h, const char* op) {
    if (h.is_none()) return std::nullopt;
    return to_int(h, op, "axis");
}
axes_t to_axes(nb::handle h, const char* op, const char* what) {
    std::vector<int64_t> v = to_ints(h, op, what);
    return axes_t(v.begin(), v.end());
}
std::optional<axes_t> to_optional_axes_of(nb::handle h, const char* op) {
    if (h.is_none()) return std::nullopt;
    return to_axes(h, op, "axis");
}

indices_or_sections to_sections(nb::handle h, const char* op) {
    bool is_int;
    std::vector<int64_t> v = to_ints(h, op, "indices_or_sections", &is_int);
    if (is_int) return v[0];
    return v;
}

nb::list to_list(const std::vector<array>& arrays) {
    nb::list out;
    for (const array& a : arrays) out.append(nb::cast(a));
    return out;
}

// copyto's src: Python ints and floats stay (weak) scalars, as in NumPy 2; everything else
// (arrays, bools, NumPy scalars, array-likes) is an array of its own dtype.
std::optional<scalar> weak_scalar(nb::handle h) {
    // Exact types: numpy.float64 derives from float but is a strong scalar.
    if (!(PyLong_CheckExact(h.ptr()) || PyFloat_CheckExact(h.ptr()))) return std::nullopt;
    return to_scalar(h);
}

array repeat_fn(const array& a, nb::handle repeats, nb::handle axis) {
    return repeat(a, to_ints(repeats, "repeat", "repeats"), to_optional_int(axis, "repeat"));
}

}  // namespace

void init_manipulation(nb::module_& m) {
    // ---- joining ----
    m.def(
        "concatenate",
        [](nb::handle arrays, nb::handle axis) {
            return concatenate(to_arrays(arrays, "concatenate"), to_optional_int(axis, "concatenate"));
        },
        nb::arg("arrays"), nb::arg("axis").none() = 0,
        "Joins arrays along an existing axis (axis=None: the flattened arrays); dtypes promote.");
    m.def(
        "stack", [](nb::handle arrays, int64_t axis) { return stack(to_arrays(arrays, "stack"), axis); },
        nb::arg("arrays"), nb::arg("axis") = 0, "Joins arrays of one shape along a new axis.");
    m.def(
        "hstack", [](nb::handle arrays) { return hstack(to_arrays(arrays, "hstack")); }, nb::arg("arrays"),
        "Concatenation along the second axis (the first for 1-d arrays).");
    m.def(
        "vstack", [](nb::handle arrays) { return vstack(to_arrays(arrays, "vstack")); }, nb::arg("arrays"),
        "Concatenation along the first axis of the arrays seen as at least 2-d.");
    m.def(
        "dstack", [](nb::handle arrays) { return dstack(to_arrays(arrays, "dstack")); }, nb::arg("arrays"),
        "Concatenation along the third axis of the arrays seen as at least 3-d.");
    m.def(
        "atleast_1d", [](const array& a) { return atleast_1d(a); }, nb::arg("a"), "A view with at least 1 dimension.");
    m.def(
        "atleast_2d", [](const array& a) { return atleast_2d(a); }, nb::arg("a"), "A view with at least 2 dimensions.");
    m.def(
        "atleast_3d", [](const array& a) { return atleast_3d(a); }, nb::arg("a"), "A view with at least 3 dimensions.");

    // ---- splitting ----
    m.def(
        "split",
        [](const array& a, nb::handle spec, int64_t axis) {
            return to_list(split(a, to_sections(spec, "split"), axis));
        },
        nb::arg("ary"), nb::arg("indices_or_sections"), nb::arg("axis") = 0,
        "Views of equal sections (an int, which must divide the axis) or between split indices.");
    m.def(
        "array_split",
        [](const array& a, nb::handle spec, int64_t axis) {
            return to_list(array_split(a, to_sections(spec, "array_split"), axis));
        },
        nb::arg("ary"), nb::arg("indices_or_sections"), nb::arg("axis") = 0,
        "split, allowing sections of unequal size.");
    m.def(
        "hsplit", [](const array& a, nb::handle spec) { return to_list(hsplit(a, to_sections(spec, "hsplit"))); },
        nb::arg("ary"), nb::arg("indices_or_sections"), "split along the second axis (the first for 1-d arrays).");
    m.def(
        "vsplit", [](const array& a, nb::handle spec) { return to_list(vsplit(a, to_sections(spec, "vsplit"))); },
        nb::arg("ary"), nb::arg("indices_or_sections"), "split along the first axis.");
    m.def(
        "dsplit", [](const array& a, nb::handle spec) { return to_list(dsplit(a, to_sections(spec, "dsplit"))); },
        nb::arg("ary"), nb::arg("indices_or_sections"), "split along the third axis.");

    // ---- tiling and repeating ----
    const char* repeat_doc = "Repeats elements (an int, or one count per element) along axis (None: flattened).";
    m.def("repeat", &repeat_fn, nb::arg("a"), nb::arg("repeats"), nb::arg("axis").none() = nb::none(), repeat_doc);
    nb::handle cls = nb::type<array>();
    cls.attr("repeat") = nb::cpp_function(&repeat_fn, nb::is_method(), nb::name("repeat"), nb::scope(cls),
                                          nb::arg("repeats"), nb::arg("axis").none() = nb::none(), repeat_doc);
    m.def(
        "tile", [](const array& a, nb::handle reps) { return tile(a, to_ints(reps, "tile", "reps")); }, nb::arg("A"),
        nb::arg("reps"), "Repeats the whole array reps times along each axis.");
    m.def(
        "roll",
        [](const array& a, nb::handle shift, nb::handle axis) {
            return roll(a, to_ints(shift, "roll", "shift"), to_optional_axes_of(axis, "roll"));
        },
        nb::arg("a"), nb::arg("shift"), nb::arg("axis").none() = nb::none(),
        "Rolls elements along the given axes (None: of the flattened array); a new array.");

    // ---- rearranging ----
    m.def(
        "flip", [](const array& a, nb::handle axis) { return flip(a, to_optional_axes_of(axis, "flip")); },
        nb::arg("m"), nb::arg("axis").none() = nb::none(),
        "A view with the elements reversed along the given axes (None: all).");
    m.def("fliplr", [](const array& a) { return fliplr(a); }, nb::arg("m"), "flip along the second axis.");
    m.def("flipud", [](const array& a) { return flipud(a); }, nb::arg("m"), "flip along the first axis.");
    m.def(
        "rollaxis", [](const array& a, int64_t axis, int64_t start) { return rollaxis(a, axis, start); }, nb::arg("a"),
        nb::arg("axis"), nb::arg("start") = 0, "Rolls axis backwards until it lies before start.");
    m.def(
        "moveaxis",
        [](const array& a, nb::handle source, nb::handle destination) {
            return moveaxis(a, to_axes(source, "moveaxis", "source"), to_axes(destination, "moveaxis", "destination"));
        },
        nb::arg("a"), nb::arg("source"), nb::arg("destination"), "Moves axes to new positions (a view).");
    m.def(
        "broadcast_arrays",
        [](nb::args args) { return to_list(broadcast_arrays(to_arrays(args, "broadcast_arrays"))); },
        "Views of the arrays broadcast to their common shape.");

    // ---- cumulative and NaN-ignoring reductions ----
    m.def(
        "cumsum", [](const array& a, nb::handle axis) { return cumsum(a, to_optional_int(axis, "cumsum")); },
        nb::arg("a"), nb::arg("axis").none() = nb::none(),
        "Cumulative sum along axis (None: flattened); bool and integers give int64.");
    m.def(
        "nansum",
        [](const array& a, nb::handle axis, bool keepdims) {
            return nansum(a, to_optional_axes_of(axis, "nansum"), keepdims);
        },
        nb::arg("a"), nb::arg("axis").none() = nb::none(), nb::arg("keepdims") = false,
        "Sum over the given axes treating NaN as zero.");
    m.def(
        "nanargmax", [](const array& a, nb::handle axis) { return nanargmax(a, to_optional_int(axis, "nanargmax")); },
        nb::arg("a"), nb::arg("axis").none() = nb::none(), "Index of the first maximum ignoring NaNs.");
    m.def(
        "nanargmin", [](const array& a, nb::handle axis) { return nanargmin(a, to_optional_int(axis, "nanargmin")); },
        nb::arg("a"), nb::arg("axis").none() = nb::none(), "Index of the first minimum ignoring NaNs.");

    // ---- copyto ----
    m.def(
        "copyto",
        [](const array& dst, nb::handle src, const std::string& casting_rule, nb::handle where) {
            casting rule = casting_from_name(casting_rule);
            array src_array, where_array;
            std::optional<scalar> src_scalar = weak_scalar(src), where_scalar;
            if (!src_scalar) {
                array* a;
                src_array =
                    nb::try_cast<array*>(src, a) && a ? *a : to_array(src, std::nullopt, false, &dst.get_device());
            }
            array* w;
            if (nb::try_cast<array*>(where, w) && w) {
                where_array = *w;
            } else if (!(where_scalar = to_scalar(where))) {
                where_array = to_array(where, std::nullopt, false, &dst.get_device());
            }
            try {
                copyto(dst, src_scalar ? operand(*src_scalar) : operand(src_array), rule,
                       where_scalar ? operand(*where_scalar) : operand(where_array));
            } catch (const casting_error& e) {
                throw nb::type_error(e.what());  // NumPy raises TypeError for casts the rule forbids
            }
        },
        nb::arg("dst"), nb::arg("src"), nb::arg("casting") = "no", nb::arg("where") = true,
        "Copies src (broadcast, cast under the casting rule) into dst where `where` holds.");
}

}  // namespace chainerx::python
