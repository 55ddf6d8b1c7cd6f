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

const reduce_entry reductions[] = {
    {"sum", &sum<>, "Sum of the elements over the given axes (bool and integers give int64).", true},
    {"prod", &prod<>, "Product of the elements over the given axes (bool and integers give int64).", true},
    {"amax", &amax<>, "Maximum over the given axes; nan propagates.", false},
    {"max", &amax<>, "Maximum over the given axes; nan propagates.", true},
    {"amin", &amin<>, "Minimum over the given axes; nan propagates.", false},
    {"min", &amin<>, "Minimum over the given axes; nan propagates.", true},
    {"mean", &mean<>, "Arithmetic mean over the given axes (bool and integers give float64).", true},
    {"all", &all<>, "Whether every element over the given axes is true.", true},
    {"any", &any<>, "Whether any element over the given axes is true.", true},
};

array call_reduction(reduce_fn fn, const array& a, nb::handle axis, bool keepdims) {
    return fn(a, to_optional_axes(axis), keepdims);
}

std::optional<int64_t> to_optional_axis(nb::handle h) {
    if (h.is_none()) return std::nullopt;
    if (PyBool_Check(h.ptr()) || !PyIndex_Check(h.ptr())) throw nb::type_error("axis must be an int or None");
    return nb::cast<int64_t>(nb::int_(h));
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

    auto var_fn = [](const array& a, nb::handle axis, bool keepdims, int64_t ddof) {
        return var(a, to_optional_axes(axis), keepdims, ddof);
    };
    auto std_fn = [](const array& a, nb::handle axis, bool keepdims, int64_t ddof) {
        return stddev(a, to_optional_axes(axis), keepdims, ddof);
    };
    const char* var_doc = "Variance over the given axes, divided by n - ddof (bool and integers give float64).";
    const char* std_doc = "Standard deviation over the given axes, with divisor n - ddof.";
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
    const char* argmax_doc = "Index (int64) of the first maximum along axis, or in the flattened array.";
    const char* argmin_doc = "Index (int64) of the first minimum along axis, or in the flattened array.";
    m.def("argmax", argmax_fn, nb::arg("a"), nb::arg("axis").none() = nb::none(), argmax_doc);
    m.def("argmin", argmin_fn, nb::arg("a"), nb::arg("axis").none() = nb::none(), argmin_doc);
    cls.attr("argmax") = nb::cpp_function(argmax_fn, nb::is_method(), nb::name("argmax"), nb::scope(cls),
                                          nb::arg("axis").none() = nb::none(), argmax_doc);
    cls.attr("argmin") = nb::cpp_function(argmin_fn, nb::is_method(), nb::name("argmin"), nb::scope(cls),
                                          nb::arg("axis").none() = nb::none(), argmin_doc);

    m.def(
        "count_nonzero", [](const array& a, nb::handle axis) { return count_nonzero(a, to_optional_axes(axis)); },
        nb::arg("a"), nb::arg("axis").none() = nb::none(), "Number of nonzero elements (int64) over the given axes.");
}

}  // namespace chainerx::python
