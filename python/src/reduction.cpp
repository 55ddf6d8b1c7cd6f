// Reductions (sum, max, min, mean, var, argmax, ...) and their ndarray methods.
#include "common.hpp"

namespace chainerx::python {

namespace {
using reduce_fn = array (*)(const array&, const std::optional<axes_t>&, bool);

struct reduce_entry {
    const char* name;
    reduce_fn fn;
    const char* doc;
    bool method;  // also an ndarray method
};

// Docstrings: a summary, the arguments (the same for every reduction), then what the result is.
#define CHAINERX_REDUCTION_DOC(summary, result)                                                     \
    summary                                                                                         \
        "\n\n"                                                                                      \
        "Args:\n"                                                                                   \
        "    a: input array (for the ndarray method, the array itself).\n"                          \
        "    axis: None (all axes), an int or a tuple of ints; negative axes count from the end.\n" \
        "    keepdims: keep the reduced axes, with length 1, so that the result broadcasts to a.\n" \
        "Returns:\n"                                                                                \
        "    " result
#define CHAINERX_EXTREME_RESULT                                                                           \
    "An array of a's dtype. NaN propagates; a zero-size reduction raises DimensionError (no identity).\n" \
    "    Differentiable (backprop and double backprop): every element equal to the result gets its gradient."

const reduce_entry reductions[] = {
    {"sum", &sum<>,
     CHAINERX_REDUCTION_DOC("Sum of the elements of a over the given axes.",
                            "bool and integers give int64 (NumPy gives uint64 for unsigned integers); floats keep\n"
                            "    their dtype (16-bit floats accumulate in float32). Differentiable (backprop and\n"
                            "    double backprop)."),
     true},
    {"prod", &prod<>,
     CHAINERX_REDUCTION_DOC("Product of the elements of a over the given axes.",
                            "bool and integers give int64 (integers wrap around); floats keep their dtype (16-bit\n"
                            "    floats accumulate in float32). Not differentiable (the result is not connected to\n"
                            "    the graph)."),
     true},
    {"amax", &amax<>,
     CHAINERX_REDUCTION_DOC("Maximum of the elements of a over the given axes.", CHAINERX_EXTREME_RESULT), false},
    {"max", &amax<>,
     CHAINERX_REDUCTION_DOC("Maximum of the elements of a over the given axes (an alias of amax).",
                            CHAINERX_EXTREME_RESULT),
     true},
    {"amin", &amin<>,
     CHAINERX_REDUCTION_DOC("Minimum of the elements of a over the given axes.", CHAINERX_EXTREME_RESULT), false},
    {"min", &amin<>,
     CHAINERX_REDUCTION_DOC("Minimum of the elements of a over the given axes (an alias of amin).",
                            CHAINERX_EXTREME_RESULT),
     true},
    {"mean", &mean<>,
     CHAINERX_REDUCTION_DOC("Arithmetic mean of the elements of a over the given axes.",
                            "bool and integers give float64, as in NumPy; floats keep their dtype (16-bit floats\n"
                            "    accumulate in float32). Differentiable (backprop and double backprop)."),
     true},
    {"all", &all<>,
     CHAINERX_REDUCTION_DOC("Whether every element of a over the given axes is true (nonzero).",
                            "A bool array (True for a zero-size reduction). Not differentiable."),
     true},
    {"any", &any<>,
     CHAINERX_REDUCTION_DOC("Whether any element of a over the given axes is true (nonzero).",
                            "A bool array (False for a zero-size reduction). Not differentiable."),
     true},
};

#undef CHAINERX_EXTREME_RESULT
#undef CHAINERX_REDUCTION_DOC

array call_reduction(reduce_fn fn, const array& a, nb::handle axis, bool keepdims) {
    return fn(a, to_optional_axes(axis), keepdims);
}

std::optional<int64_t> to_optional_axis(nb::handle h) {
    if (h.is_none()) return std::nullopt;
    if (PyBool_Check(h.ptr()) || !PyIndex_Check(h.ptr())) throw nb::type_error("axis must be an int or None");
    return to_int64(h);
}
}  // namespace

void init_reduction(nb::module_& m) {
    nb::handle cls = nb::type<array>();
    for (const reduce_entry& e : reductions) {
        reduce_fn fn = e.fn;
        m.def(
            e.name,
            [fn](const array& a, nb::handle axis, bool keepdims) { return call_reduction(fn, a, axis, keepdims); },
            nb::arg("a"), nb::arg("axis").none() = nb::none(), nb::arg("keepdims") = false, e.doc);
        if (e.method)
            cls.attr(e.name) = nb::cpp_function(
                [fn](const array& a, nb::handle axis, bool keepdims) { return call_reduction(fn, a, axis, keepdims); },
                nb::is_method(), nb::name(e.name), nb::scope(cls), nb::arg("axis").none() = nb::none(),
                nb::arg("keepdims") = false, e.doc);
    }

    auto var_fn = [](const array& a, nb::handle axis, bool keepdims, int_arg ddof) {
        return var(a, to_optional_axes(axis), keepdims, ddof);
    };
    auto std_fn = [](const array& a, nb::handle axis, bool keepdims, int_arg ddof) {
        return stddev(a, to_optional_axes(axis), keepdims, ddof);
    };
    const char* var_doc = R"(Variance of the elements of a over the given axes.

Args:
    a: input array (for the ndarray method, the array itself).
    axis: None (all axes), an int or a tuple of ints; negative axes count from the end.
    keepdims: keep the reduced axes, with length 1, so that the result broadcasts to a.
    ddof: delta degrees of freedom: the divisor is n - ddof, n the number of reduced elements
        (n - ddof <= 0 gives inf or NaN).
Returns:
    bool and integers give float64, as in NumPy; floats keep their dtype (16-bit floats compute
    in float32). Differentiable (backprop and double backprop).)";
    const char* std_doc = R"(Standard deviation (the square root of the variance) of a over the given axes.

Args:
    a: input array (for the ndarray method, the array itself).
    axis: None (all axes), an int or a tuple of ints; negative axes count from the end.
    keepdims: keep the reduced axes, with length 1, so that the result broadcasts to a.
    ddof: delta degrees of freedom: the divisor is n - ddof, n the number of reduced elements
        (n - ddof <= 0 gives inf or NaN).
Returns:
    bool and integers give float64, as in NumPy; floats keep their dtype (16-bit floats compute
    in float32). Differentiable (backprop and double backprop).)";
    m.def("var", var_fn, nb::arg("a"), nb::arg("axis").none() = nb::none(), nb::arg("keepdims") = false,
          nb::arg("ddof") = 0, var_doc);
    m.def("std", std_fn, nb::arg("a"), nb::arg("axis").none() = nb::none(), nb::arg("keepdims") = false,
          nb::arg("ddof") = 0, std_doc);
    cls.attr("var") =
        nb::cpp_function(var_fn, nb::is_method(), nb::name("var"), nb::scope(cls), nb::arg("axis").none() = nb::none(),
                         nb::arg("keepdims") = false, nb::arg("ddof") = 0, var_doc);
    cls.attr("std") =
        nb::cpp_function(std_fn, nb::is_method(), nb::name("std"), nb::scope(cls), nb::arg("axis").none() = nb::none(),
                         nb::arg("keepdims") = false, nb::arg("ddof") = 0, std_doc);

    auto argmax_fn = [](const array& a, nb::handle axis) { return argmax(a, to_optional_axis(axis)); };
    auto argmin_fn = [](const array& a, nb::handle axis) { return argmin(a, to_optional_axis(axis)); };
    const char* argmax_doc = R"(Indices of the maximum values of a along axis.

Args:
    a: input array (for the ndarray method, the array itself).
    axis: None (the index in the flattened array) or an int.
Returns:
    int64 indices, the first one on ties; a NaN counts as the maximum, as in NumPy.
    A zero-size reduction raises DimensionError. Not differentiable.)";
    const char* argmin_doc = R"(Indices of the minimum values of a along axis.

Args:
    a: input array (for the ndarray method, the array itself).
    axis: None (the index in the flattened array) or an int.
Returns:
    int64 indices, the first one on ties; a NaN counts as the minimum, as in NumPy.
    A zero-size reduction raises DimensionError. Not differentiable.)";
    m.def("argmax", argmax_fn, nb::arg("a"), nb::arg("axis").none() = nb::none(), argmax_doc);
    m.def("argmin", argmin_fn, nb::arg("a"), nb::arg("axis").none() = nb::none(), argmin_doc);
    cls.attr("argmax") = nb::cpp_function(argmax_fn, nb::is_method(), nb::name("argmax"), nb::scope(cls),
                                          nb::arg("axis").none() = nb::none(), argmax_doc);
    cls.attr("argmin") = nb::cpp_function(argmin_fn, nb::is_method(), nb::name("argmin"), nb::scope(cls),
                                          nb::arg("axis").none() = nb::none(), argmin_doc);

    m.def(
        "count_nonzero", [](const array& a, nb::handle axis) { return count_nonzero(a, to_optional_axes(axis)); },
        nb::arg("a"), nb::arg("axis").none() = nb::none(),
        R"(Number of nonzero elements of a over the given axes.

Args:
    a: input array.
    axis: None (all axes), an int or a tuple of ints; negative axes count from the end.
Returns:
    An int64 array; with axis None, a 0-d array (NumPy returns a Python int). Not differentiable.)");
}

}  // namespace chainerx::python
