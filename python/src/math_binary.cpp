// Binary elementwise routines and their Python operators (reflected and in-place forms).
#include "common.hpp"

namespace chainerx::python {

namespace {
using binary_fn = array (*)(const operand&, const operand&, const array*);

struct binary_entry {
    const char* name;
    binary_fn fn;
    const char* dunder;  // operator name without underscores, or nullptr
    bool reflected;      // has __r<op>__ and __i<op>__
};

const binary_entry binary_routines[] = {
    {"add", &add<>, "add", true},
    {"subtract", &subtract<>, "sub", true},
    {"multiply", &multiply<>, "mul", true},
    {"true_divide", &true_divide<>, "truediv", true},
    {"divide", &divide<>, nullptr, false},
    {"floor_divide", &floor_divide<>, "floordiv", true},
    {"remainder", &remainder<>, "mod", true},
    {"mod", &mod<>, nullptr, false},
    {"fmod", &fmod<>, nullptr, false},
    {"power", &power<>, "pow", true},
    {"maximum", &maximum<>, nullptr, false},
    {"minimum", &minimum<>, nullptr, false},
    {"arctan2", &arctan2<>, nullptr, false},
    {"bitwise_and", &bitwise_and<>, "and", true},
    {"bitwise_or", &bitwise_or<>, "or", true},
    {"bitwise_xor", &bitwise_xor<>, "xor", true},
    {"left_shift", &left_shift<>, "lshift", true},
    {"right_shift", &right_shift<>, "rshift", true},
    {"equal", &equal<>, "eq", false},
    {"not_equal", &not_equal<>, "ne", false},
    {"greater", &greater<>, "gt", false},
    {"greater_equal", &greater_equal<>, "ge", false},
    {"less", &less<>, "lt", false},
    {"less_equal", &less_equal<>, "le", false},
    {"logical_and", &logical_and<>, nullptr, false},
    {"logical_or", &logical_or<>, nullptr, false},
    {"logical_xor", &logical_xor<>, nullptr, false},
};

// An operand for an operator, or nothing when Python should try the other side.
std::optional<operand> operator_operand(nb::handle h) {
    array* a;
    if (nb::try_cast<array*>(h, a) && a) return operand(*a);
    if (auto s = to_scalar(h)) return operand(*s);
    return std::nullopt;
}
}  // namespace

void init_math_binary(nb::module_& m) {
    nb::handle cls = nb::type<array>();
    for (const binary_entry& e : binary_routines) {
        binary_fn fn = e.fn;
        const char* name = e.name;
        m.def(
            name,
            [fn, name](nb::handle x1, nb::handle x2) {
                return fn(to_operand(x1, name), to_operand(x2, name), nullptr);
            },
            nb::arg("x1"), nb::arg("x2"));
        if (!e.dunder) continue;
        std::string op = e.dunder;
        cls.attr(("__" + op + "__").c_str()) = nb::cpp_function(
            [fn](const array& self, nb::handle other) -> nb::object {
                auto o = operator_operand(other);
                if (!o) return nb::borrow(Py_NotImplemented);
                return nb::cast(fn(self, *o, nullptr));
            },
            nb::is_method(), nb::name(("__" + op + "__").c_str()), nb::scope(cls), nb::arg("other").none());
        if (!e.reflected) continue;
        cls.attr(("__r" + op + "__").c_str()) = nb::cpp_function(
            [fn](const array& self, nb::handle other) -> nb::object {
                auto o = operator_operand(other);
                if (!o) return nb::borrow(Py_NotImplemented);
                return nb::cast(fn(*o, self, nullptr));
            },
            nb::is_method(), nb::name(("__r" + op + "__").c_str()), nb::scope(cls), nb::arg("other").none());
        cls.attr(("__i" + op + "__").c_str()) = nb::cpp_function(
            [fn](nb::handle self_obj, nb::handle other) -> nb::object {
                const array& self = nb::cast<const array&>(self_obj);
                auto o = operator_operand(other);
                if (!o) return nb::borrow(Py_NotImplemented);
                fn(self, *o, &self);
                return nb::borrow(self_obj);
            },
            nb::is_method(), nb::name(("__i" + op + "__").c_str()), nb::scope(cls), nb::arg("other").none());
    }
    m.def(
        "where",
        [](nb::handle condition, nb::handle x, nb::handle y) {
            return where(to_operand(condition, "where"), to_operand(x, "where"), to_operand(y, "where"));
        },
        nb::arg("condition"), nb::arg("x"), nb::arg("y"));
}

}  // namespace chainerx::python
