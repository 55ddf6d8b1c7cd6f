// Unary elementwise routines, their operators, and clip.
#include "common.hpp"

namespace chainerx::python {

namespace {
using unary_fn = array (*)(const operand&, const array*);

struct unary_entry {
    const char* name;
    unary_fn fn;
    const char* doc;
};

// Sentences shared by the docstrings below.
#define CHAINERX_FLOAT_RESULT "Integer and bool inputs give float32 (ChainerX's promotion, unlike NumPy's). "
#define CHAINERX_DIFFERENTIABLE "Differentiable (backprop and double backprop)."
#define CHAINERX_NOT_DIFFERENTIABLE "Not differentiable (the result is not connected to the graph)."

const unary_entry unary_routines[] = {
    {"negative", &negative<>,
     "Elementwise numerical negative -x of x.\n\n"
     "Keeps x's dtype (integers wrap around); bool raises DtypeError, as NumPy refuses it. " CHAINERX_DIFFERENTIABLE},
    {"square", &square<>,
     "Elementwise square x * x of x.\n\nKeeps x's dtype (integers wrap around). " CHAINERX_DIFFERENTIABLE},
    {"sqrt", &sqrt<>, "Elementwise non-negative square root of x.\n\n" CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE},
    {"abs", &abs<>,
     "Elementwise absolute value of x (an alias of absolute).\n\n"
     "Keeps x's dtype (bool and unsigned values are returned as they are). " CHAINERX_DIFFERENTIABLE},
    {"absolute", &absolute<>,
     "Elementwise absolute value of x.\n\n"
     "Keeps x's dtype (bool and unsigned values are returned as they are). " CHAINERX_DIFFERENTIABLE},
    {"fabs", &fabs<>, "Elementwise absolute value of x, as a float.\n\n" CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE},
    {"sign", &sign<>,
     "Elementwise sign of x: -1, 0 or 1 in x's dtype (NaN stays NaN).\n\n"
     "bool raises DtypeError. " CHAINERX_NOT_DIFFERENTIABLE},
    {"reciprocal", &reciprocal<>,
     "Elementwise reciprocal 1 / x of x.\n\n"
     "Computed as true_divide(1, x), as in ChainerX: integer and bool inputs give float32 (NumPy keeps the "
     "integer dtype). " CHAINERX_DIFFERENTIABLE},
    {"exp", &exp<>, "Elementwise exponential e**x of x.\n\n" CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE},
    {"expm1", &expm1<>,
     "Elementwise exp(x) - 1 of x, accurate for small x.\n\n" CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE},
    {"exp2", &exp2<>, "Elementwise base-2 exponential 2**x of x.\n\n" CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE},
    {"log", &log<>, "Elementwise natural logarithm of x.\n\n" CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE},
    {"log10", &log10<>, "Elementwise base-10 logarithm of x.\n\n" CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE},
    {"log2", &log2<>, "Elementwise base-2 logarithm of x.\n\n" CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE},
    {"log1p", &log1p<>,
     "Elementwise log(1 + x) of x, accurate for small x.\n\n" CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE},
    {"erf", &erf<>,
     "Elementwise Gauss error function of x.\n\n"
     "A ChainerX routine (NumPy has none). " CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE},
    {"sin", &sin<>, "Elementwise sine of x (in radians).\n\n" CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE},
    {"cos", &cos<>, "Elementwise cosine of x (in radians).\n\n" CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE},
    {"tan", &tan<>, "Elementwise tangent of x (in radians).\n\n" CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE},
    {"arcsin", &arcsin<>,
     "Elementwise inverse sine of x, in radians.\n\n" CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE},
    {"arccos", &arccos<>,
     "Elementwise inverse cosine of x, in radians.\n\n" CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE},
    {"arctan", &arctan<>,
     "Elementwise inverse tangent of x, in radians.\n\n" CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE},
    {"sinh", &sinh<>, "Elementwise hyperbolic sine of x.\n\n" CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE},
    {"cosh", &cosh<>, "Elementwise hyperbolic cosine of x.\n\n" CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE},
    {"tanh", &tanh<>, "Elementwise hyperbolic tangent of x.\n\n" CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE},
    {"arcsinh", &arcsinh<>,
     "Elementwise inverse hyperbolic sine of x.\n\n" CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE},
    {"arccosh", &arccosh<>,
     "Elementwise inverse hyperbolic cosine of x.\n\n" CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE},
    {"arctanh", &arctanh<>,
     "Elementwise inverse hyperbolic tangent of x.\n\n" CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE},
    {"ceil", &ceil<>,
     "Elementwise ceiling of x (the smallest integer >= x), as a float.\n\n" CHAINERX_FLOAT_RESULT
         CHAINERX_NOT_DIFFERENTIABLE},
    {"floor", &floor<>,
     "Elementwise floor of x (the largest integer <= x), as a float.\n\n" CHAINERX_FLOAT_RESULT
         CHAINERX_NOT_DIFFERENTIABLE},
    {"fix", &fix<>,
     "Elementwise rounding of x toward zero, as a float.\n\n" CHAINERX_FLOAT_RESULT CHAINERX_NOT_DIFFERENTIABLE},
    {"logical_not", &logical_not<>,
     "Elementwise logical NOT of x: True where x is zero (a bool array).\n\n" CHAINERX_NOT_DIFFERENTIABLE},
    {"isnan", &isnan<>, "Elementwise test of x for NaN, as a bool array.\n\nAlways False for integer and bool inputs."},
    {"isinf", &isinf<>,
     "Elementwise test of x for positive or negative infinity, as a bool array.\n\n"
     "Always False for integer and bool inputs."},
    {"isfinite", &isfinite<>,
     "Elementwise test of x for finiteness (neither infinite nor NaN), as a bool array.\n\n"
     "Always True for integer and bool inputs."},
};

#undef CHAINERX_FLOAT_RESULT
#undef CHAINERX_DIFFERENTIABLE
#undef CHAINERX_NOT_DIFFERENTIABLE
}  // namespace

void init_math_unary(nb::module_& m) {
    for (const unary_entry& e : unary_routines) {
        unary_fn fn = e.fn;
        const char* name = e.name;
        m.def(name, [fn, name](nb::handle x) { return fn(to_operand(x, name), nullptr); }, nb::arg("x"), e.doc);
    }
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
