// Unary elementwise routines, their operators, and clip.
#include "common.hpp"

namespace chainerx::python {

namespace {
using unary_fn = array (*)(const operand&, const array*);

struct unary_entry {
    const char* name;
    unary_fn fn;
};

const unary_entry unary_routines[] = {
    {"negative", &negative<>}, {"square", &square<>},   {"sqrt", &sqrt<>},         {"abs", &abs<>},
    {"absolute", &absolute<>}, {"fabs", &fabs<>},       {"sign", &sign<>},         {"reciprocal", &reciprocal<>},
    {"exp", &exp<>},           {"expm1", &expm1<>},     {"exp2", &exp2<>},         {"log", &log<>},
    {"log10", &log10<>},       {"log2", &log2<>},       {"log1p", &log1p<>},       {"erf", &erf<>},
    {"sin", &sin<>},           {"cos", &cos<>},         {"tan", &tan<>},           {"arcsin", &arcsin<>},
    {"arccos", &arccos<>},     {"arctan", &arctan<>},   {"sinh", &sinh<>},         {"cosh", &cosh<>},
    {"tanh", &tanh<>},         {"arcsinh", &arcsinh<>}, {"arccosh", &arccosh<>},   {"arctanh", &arctanh<>},
    {"ceil", &ceil<>},         {"floor", &floor<>},     {"fix", &fix<>},           {"logical_not", &logical_not<>},
    {"isnan", &isnan<>},       {"isinf", &isinf<>},     {"isfinite", &isfinite<>},
};
}  // namespace

void init_math_unary(nb::module_& m) {
    for (const unary_entry& e : unary_routines) {
        unary_fn fn = e.fn;
        const char* name = e.name;
        m.def(name, [fn, name](nb::handle x) { return fn(to_operand(x, name), nullptr); }, nb::arg("x"));
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
        nb::arg("a"), nb::arg("a_min").none(), nb::arg("a_max").none());
}

}  // namespace chainerx::python
