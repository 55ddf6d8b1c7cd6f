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
    return to_int64(h);
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
        R"(Joins a sequence of arrays along an existing axis.

Args:
    arrays: a sequence of chainerx.ndarray of one number of dimensions (at least 1 unless axis is
        None), whose shapes match except along axis.
    axis: the axis to join along; None joins the flattened arrays.
Returns:
    A new array in the arrays' promoted dtype. Differentiable (backprop and double backprop).)");
    m.def(
        "stack", [](nb::handle arrays, int_arg axis) { return stack(to_arrays(arrays, "stack"), axis); },
        nb::arg("arrays"), nb::arg("axis") = 0,
        R"(Joins a sequence of arrays of one shape along a new axis.

Args:
    arrays: a sequence of chainerx.ndarray of the same shape.
    axis: the position of the new axis in the result (negative counts from the end).
Returns:
    A new array in the arrays' promoted dtype. Differentiable (backprop and double backprop).)");
    m.def(
        "hstack", [](nb::handle arrays) { return hstack(to_arrays(arrays, "hstack")); }, nb::arg("arrays"),
        R"(Concatenates arrays horizontally: along the second axis (the first for 1-d arrays).

arrays: a sequence of chainerx.ndarray (0-d ones are taken as 1-d). Returns a new array in the
arrays' promoted dtype. Differentiable (backprop and double backprop).)");
    m.def(
        "vstack", [](nb::handle arrays) { return vstack(to_arrays(arrays, "vstack")); }, nb::arg("arrays"),
        R"(Concatenates arrays vertically: along the first axis, after atleast_2d.

arrays: a sequence of chainerx.ndarray ((n,) is taken as (1, n)). Returns a new array in the
arrays' promoted dtype. Differentiable (backprop and double backprop).)");
    m.def(
        "dstack", [](nb::handle arrays) { return dstack(to_arrays(arrays, "dstack")); }, nb::arg("arrays"),
        R"(Concatenates arrays depth-wise: along the third axis, after atleast_3d.

arrays: a sequence of chainerx.ndarray ((n,) is taken as (1, n, 1), (m, n) as (m, n, 1)). Returns a
new array in the arrays' promoted dtype. Differentiable (backprop and double backprop).)");
    m.def(
        "atleast_1d", [](const array& a) { return atleast_1d(a); }, nb::arg("a"),
        "View of the array a with at least 1 dimension.\n\n"
        "Shapes as NumPy's: a 0-d array becomes (1,); arrays with enough dimensions are returned as they are. "
        "Differentiable (backprop and double backprop).");
    m.def(
        "atleast_2d", [](const array& a) { return atleast_2d(a); }, nb::arg("a"),
        "View of the array a with at least 2 dimensions.\n\n"
        "Shapes as NumPy's: (n,) becomes (1, n); arrays with enough dimensions are returned as they are. "
        "Differentiable (backprop and double backprop).");
    m.def(
        "atleast_3d", [](const array& a) { return atleast_3d(a); }, nb::arg("a"),
        "View of the array a with at least 3 dimensions.\n\n"
        "Shapes as NumPy's: (n,) becomes (1, n, 1) and (m, n) becomes (m, n, 1); arrays with enough dimensions "
        "are returned as they are. Differentiable (backprop and double backprop).");

    // ---- splitting ----
    m.def(
        "split",
        [](const array& a, nb::handle spec, int_arg axis) {
            return to_list(split(a, to_sections(spec, "split"), axis));
        },
        nb::arg("ary"), nb::arg("indices_or_sections"), nb::arg("axis") = 0,
        R"(Splits an array into a list of views along an axis.

Args:
    ary: the array to split.
    indices_or_sections: an int N (N equal sections; N must divide the axis' length, else
        DimensionError), or a sequence of split indices (slice bounds: negative ones count from the
        end, out-of-range ones clamp).
    axis: the axis to split along.
Returns:
    A list of views of ary. Differentiable (backprop and double backprop).)");
    m.def(
        "array_split",
        [](const array& a, nb::handle spec, int_arg axis) {
            return to_list(array_split(a, to_sections(spec, "array_split"), axis));
        },
        nb::arg("ary"), nb::arg("indices_or_sections"), nb::arg("axis") = 0,
        R"(Splits an array into a list of views along an axis, allowing unequal sections.

Args:
    ary: the array to split.
    indices_or_sections: an int N (N sections; the first len % N get one more element), or a
        sequence of split indices as in split.
    axis: the axis to split along.
Returns:
    A list of views of ary. Differentiable (backprop and double backprop).)");
    m.def(
        "hsplit", [](const array& a, nb::handle spec) { return to_list(hsplit(a, to_sections(spec, "hsplit"))); },
        nb::arg("ary"), nb::arg("indices_or_sections"),
        "Splits the array ary into a list of views along the second axis (the first for 1-d arrays).\n\n"
        "ary must be at least 1-d; indices_or_sections is as in split (an int must divide the axis' length). "
        "Differentiable (backprop and double backprop).");
    m.def(
        "vsplit", [](const array& a, nb::handle spec) { return to_list(vsplit(a, to_sections(spec, "vsplit"))); },
        nb::arg("ary"), nb::arg("indices_or_sections"),
        "Splits the array ary into a list of views along the first axis.\n\n"
        "ary must be at least 2-d; indices_or_sections is as in split (an int must divide the axis' length). "
        "Differentiable (backprop and double backprop).");
    m.def(
        "dsplit", [](const array& a, nb::handle spec) { return to_list(dsplit(a, to_sections(spec, "dsplit"))); },
        nb::arg("ary"), nb::arg("indices_or_sections"),
        "Splits the array ary into a list of views along the third axis.\n\n"
        "ary must be at least 3-d; indices_or_sections is as in split (an int must divide the axis' length). "
        "Differentiable (backprop and double backprop).");

    // ---- tiling and repeating ----
    const char* repeat_doc = R"(Repeats each element of an array along an axis.

Args:
    a: input array (for the ndarray method, the array itself).
    repeats: an int, or a sequence of one count per element along axis (non-negative).
    axis: the axis to repeat along; None repeats the elements of the flattened array.
Returns:
    A new C-contiguous array. Differentiable (backprop and double backprop).)";
    m.def("repeat", &repeat_fn, nb::arg("a"), nb::arg("repeats"), nb::arg("axis").none() = nb::none(), repeat_doc);
    nb::handle cls = nb::type<array>();
    cls.attr("repeat") = nb::cpp_function(&repeat_fn, nb::is_method(), nb::name("repeat"), nb::scope(cls),
                                          nb::arg("repeats"), nb::arg("axis").none() = nb::none(), repeat_doc);
    m.def(
        "tile", [](const array& a, nb::handle reps) { return tile(a, to_ints(reps, "tile", "reps")); }, nb::arg("A"),
        nb::arg("reps"),
        R"(Constructs an array by repeating the whole array A along each axis.

Args:
    A: input array.
    reps: an int or a sequence of non-negative ints, the repetitions along each axis (as NumPy's:
        a shorter reps is padded with leading ones, a shorter A with leading axes of length 1).
Returns:
    A new array. Differentiable (backprop and double backprop).)");
    m.def(
        "roll",
        [](const array& a, nb::handle shift, nb::handle axis) {
            return roll(a, to_ints(shift, "roll", "shift"), to_optional_axes_of(axis, "roll"));
        },
        nb::arg("a"), nb::arg("shift"), nb::arg("axis").none() = nb::none(),
        R"(Rolls the elements of an array along the given axes; elements leaving one end come back at the other.

Args:
    a: input array.
    shift: an int (applied along every axis given) or a sequence of ints, one per axis.
    axis: None (roll the flattened array, then restore the shape), an int or a sequence of ints.
Returns:
    A new array. Differentiable (backprop and double backprop).)");

    // ---- rearranging ----
    m.def(
        "flip",
        [](const array& a, nb::handle axes, nb::handle axis) {
            // ChainerX's binding names the keyword axes, its documentation and NumPy axis: take either.
            if (!axes.is_none() && !axis.is_none()) throw nb::type_error("flip: give axes or axis, not both");
            return flip(a, to_optional_axes_of(axes.is_none() ? axis : axes, "flip"));
        },
        nb::arg("m"), nb::arg("axes").none() = nb::none(), nb::kw_only(), nb::arg("axis").none() = nb::none(),
        R"(Reverses the order of the elements of an array along the given axes.

Args:
    m: input array.
    axes: None (all axes), an int or a sequence of ints (ChainerX's keyword).
    axis: the same as axes, NumPy's keyword (only one of the two may be given).
Returns:
    A view of m (negative strides, no copy). Differentiable (backprop and double backprop).)");
    m.def(
        "fliplr", [](const array& a) { return fliplr(a); }, nb::arg("m"),
        "Reverses the array m left to right: flip along the second axis.\n\n"
        "m must be at least 2-d. Returns a view. Differentiable (backprop and double backprop).");
    m.def(
        "flipud", [](const array& a) { return flipud(a); }, nb::arg("m"),
        "Reverses the array m up to down: flip along the first axis.\n\n"
        "m must be at least 1-d. Returns a view. Differentiable (backprop and double backprop).");
    m.def(
        "rollaxis", [](const array& a, int_arg axis, int_arg start) { return rollaxis(a, axis, start); }, nb::arg("a"),
        nb::arg("axis"), nb::arg("start") = 0,
        R"(Rolls an axis of an array backwards until it lies before a given position.

Args:
    a: input array.
    axis: the axis to move.
    start: the axis is moved to lie before this position (-a.ndim <= start <= a.ndim).
Returns:
    A view of a with permuted axes (prefer moveaxis). Differentiable (backprop and double backprop).)");
    m.def(
        "moveaxis",
        [](const array& a, nb::handle source, nb::handle destination) {
            return moveaxis(a, to_axes(source, "moveaxis", "source"), to_axes(destination, "moveaxis", "destination"));
        },
        nb::arg("a"), nb::arg("source"), nb::arg("destination"),
        R"(Moves axes of an array to new positions; the other axes keep their order.

Args:
    a: input array.
    source: an int or a sequence of ints, the axes to move.
    destination: an int or a sequence of ints (as many as source), their new positions.
Returns:
    A view of a with permuted axes. Differentiable (backprop and double backprop).)");
    m.def(
        "broadcast_arrays",
        [](nb::args args) { return to_list(broadcast_arrays(to_arrays(args, "broadcast_arrays"))); },
        "Broadcasts the given arrays against each other.\n\n"
        "Takes chainerx.ndarray positional arguments and returns a list of views of them with their common "
        "broadcast shape. Differentiable (backprop and double backprop).");

    // ---- cumulative and NaN-ignoring reductions ----
    m.def(
        "cumsum", [](const array& a, nb::handle axis) { return cumsum(a, to_optional_int(axis, "cumsum")); },
        nb::arg("a"), nb::arg("axis").none() = nb::none(),
        R"(Cumulative sum of the elements of an array along an axis.

Args:
    a: input array.
    axis: an int, or None to sum over the flattened array (the result is then 1-d).
Returns:
    A new array: bool and integers give int64, floats keep their dtype (16-bit floats add in
    float32 and round at each step). Native device only. Differentiable (backprop and double
    backprop).)");
    m.def(
        "nansum",
        [](const array& a, nb::handle axis, bool keepdims) {
            return nansum(a, to_optional_axes_of(axis, "nansum"), keepdims);
        },
        nb::arg("a"), nb::arg("axis").none() = nb::none(), nb::arg("keepdims") = false,
        R"(Sum of the elements of an array over the given axes, treating NaN as zero.

Args:
    a: input array.
    axis: None (all axes), an int or a sequence of ints.
    keepdims: keep the reduced axes, with length 1.
Returns:
    Dtypes as sum's: bool and integers give int64, floats keep their dtype. Differentiable
    (backprop and double backprop); NaN elements get a zero gradient.)");
    m.def(
        "nanargmax", [](const array& a, nb::handle axis) { return nanargmax(a, to_optional_int(axis, "nanargmax")); },
        nb::arg("a"), nb::arg("axis").none() = nb::none(),
        R"(Indices of the maximum values of an array along an axis, ignoring NaNs.

Args:
    a: input array.
    axis: None (the index in the flattened array) or an int.
Returns:
    int64 indices, the first one on ties. A slice of NaNs only raises ValueError, as in NumPy;
    a zero-size reduction raises DimensionError. Not differentiable.)");
    m.def(
        "nanargmin", [](const array& a, nb::handle axis) { return nanargmin(a, to_optional_int(axis, "nanargmin")); },
        nb::arg("a"), nb::arg("axis").none() = nb::none(),
        R"(Indices of the minimum values of an array along an axis, ignoring NaNs.

Args:
    a: input array.
    axis: None (the index in the flattened array) or an int.
Returns:
    int64 indices, the first one on ties. A slice of NaNs only raises ValueError, as in NumPy;
    a zero-size reduction raises DimensionError. Not differentiable.)");

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
        R"(Copies values from one array to another in place, broadcasting as necessary.

Args:
    dst: the array written into. It must not be part of a graph (ChainerX refuses in-place
        writes there) nor a broadcast view.
    src: an array or array-like broadcast to dst's shape, or a scalar (Python ints and floats are
        weak scalars, as in NumPy 2).
    casting: 'no' (the default, ChainerX's; NumPy's is 'same_kind'), 'equiv', 'safe', 'same_kind'
        or 'unsafe': the casts from src's dtype to dst's that are allowed. A forbidden cast raises
        TypeError before anything is written.
    where: a bool array broadcast to dst's shape, or a bool: only elements where it is True are
        written.
Returns:
    None.)");
}

}  // namespace chainerx::python
