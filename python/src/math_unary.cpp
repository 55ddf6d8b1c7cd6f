// Unary elementwise routines, their operators, and clip.
#include "common.hpp"

namespace chainerx::python {

namespace {
using unary_fn = array (*)(const operand&, const array*);

void def_unary(nb::module_& m, const char* name, unary_fn fn, const std::string& doc) {
    m.def(name, [fn, name](nb::handle x) { return fn(to_operand(x, name), nullptr); }, nb::arg("x"), doc.c_str());
}
}  // namespace

std::string elementwise_doc(std::string_view summary, std::string_view notes, std::string_view type_rule,
                            bool differentiable) {
    std::string doc = std::string(summary) + "\n\n" + std::string(notes);
    if (!notes.empty()) doc += ' ';
    if (type_rule == "float_result")
        doc += "Integer and bool inputs give float32 (ChainerX's promotion, unlike NumPy's). ";
    if (type_rule == "compare") doc += "The operands are compared in their promoted dtype. ";
    if (type_rule == "logical") doc += "Nonzero values (NaN included) are True. ";
    doc += differentiable ? "Differentiable (backprop and double backprop)."
                          : "Not differentiable (the result is not connected to the graph).";
    return doc;
}

void init_math_unary(nb::module_& m) {
    // The functions of the unary op table (chainerx/routines/math.hpp), then its aliases.
#define CHAINERX_DEF_UNARY(name, kernels, type_rule, gradient, summary, notes) \
    def_unary(m, #name, &name<>, elementwise_doc(summary, notes, #type_rule, differentiable_op<ops::name>));
    CHAINERX_UNARY_OPS(CHAINERX_DEF_UNARY)
#undef CHAINERX_DEF_UNARY
    def_unary(m, "abs", &abs<>,
              elementwise_doc("Elementwise absolute value of x (an alias of absolute).",
                              "Keeps x's dtype (bool and unsigned values are returned as they are).", "same", true));
    def_unary(m, "reciprocal", &reciprocal<>,
              elementwise_doc("Elementwise reciprocal 1 / x of x.",
                              "Computed as true_divide(1, x), as in ChainerX: integer and bool inputs give float32 "
                              "(NumPy keeps the integer dtype).",
                              "same", true));
    nb::handle cls = nb::type<array>();
    cls.attr("__neg__") = nb::cpp_function([](const array& a) { return negative(a); }, nb::is_method(),
                                           nb::name("__neg__"), nb::scope(cls));
    cls.attr("__abs__") = nb::cpp_function([](const array& a) { return absolute(a); }, nb::is_method(),
                                           nb::name("__abs__"), nb::scope(cls));
    m.def(
        "clip",
        [](const array& a, nb::handle a_min, nb::handle a_max) {
            auto bound = [](nb::handle h) -> std::optional<operand> {
                if (h.is_none()) return std::nullopt;
                return to_operand(h, "clip");
            };
            return clip(a, bound(a_min), bound(a_max));
        },
        nb::arg("a"), nb::arg("a_min").none(), nb::arg("a_max").none(),
        R"(Clips the values of a to the interval [a_min, a_max].

Args:
    a: input array.
    a_min: lower bound (an array broadcast with a, or a scalar), or None for no lower bound.
    a_max: upper bound (an array broadcast with a, or a scalar), or None for no upper bound.
Returns:
    minimum(maximum(a, a_min), a_max): a new array whose dtype promotes with the bounds'.
    At least one bound must be given (ValueError otherwise). Differentiable (backprop and
    double backprop).)");
}

}  // namespace chainerx::python
