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
    const char* doc;
};

// Docstrings: a summary, notes, then the arguments (the same for every op).
#define CHAINERX_ARGS                                                                                  \
    "Args:\n"                                                                                          \
    "    x1: first operand, an array or a scalar.\n"                                                   \
    "    x2: second operand, an array or a scalar. The arrays broadcast together; the dtype is\n"      \
    "        ChainerX's promotion, in which a scalar counts only when its kind (bool < int < float)\n" \
    "        is above every array's."
#define CHAINERX_DOC(summary, notes) summary "\n\n" notes "\n\n" CHAINERX_ARGS
#define CHAINERX_FLOAT_RESULT "Integer and bool inputs give float32 (ChainerX's promotion, unlike NumPy's). "
#define CHAINERX_DIFFERENTIABLE "Differentiable (backprop and double backprop)."
#define CHAINERX_NOT_DIFFERENTIABLE "Not differentiable (the result is not connected to the graph)."
#define CHAINERX_COMPARISON(what)                                     \
    CHAINERX_DOC("Elementwise comparison " what ", as a bool array.", \
                 "The operands are compared in their promoted dtype. " CHAINERX_NOT_DIFFERENTIABLE)
#define CHAINERX_LOGICAL(what)                                                  \
    CHAINERX_DOC("Elementwise logical " what " of x1 and x2, as a bool array.", \
                 "Nonzero values (NaN included) are True. " CHAINERX_NOT_DIFFERENTIABLE)
#define CHAINERX_BITWISE(what)                        \
    CHAINERX_DOC(                                     \
        "Elementwise bitwise " what " of x1 and x2.", \
        "Integers and bool only (floats raise DtypeError); keeps the promoted dtype. " CHAINERX_NOT_DIFFERENTIABLE)
#define CHAINERX_SHIFT(what, overflow)                                                                     \
    CHAINERX_DOC("Elementwise " what " shift of x1 by x2 bits.",                                           \
                 "Integers and bool (bool shifts as int8, as in NumPy; floats raise DtypeError). A shift " \
                 "by a negative amount, or by "                                                            \
                 "the width of the dtype or more, gives " overflow ", as in NumPy. " CHAINERX_NOT_DIFFERENTIABLE)

const binary_entry binary_routines[] = {
    {"add", &add<>, "add", true,
     CHAINERX_DOC("Elementwise sum x1 + x2.",
                  "Integers wrap around; bool + bool is a logical or. " CHAINERX_DIFFERENTIABLE)},
    {"subtract", &subtract<>, "sub", true,
     CHAINERX_DOC(
         "Elementwise difference x1 - x2.",
         "Integers wrap around; bool - bool raises DtypeError, as NumPy refuses it. " CHAINERX_DIFFERENTIABLE)},
    {"multiply", &multiply<>, "mul", true,
     CHAINERX_DOC("Elementwise product x1 * x2.",
                  "Integers wrap around; bool * bool is a logical and. " CHAINERX_DIFFERENTIABLE)},
    {"true_divide", &true_divide<>, "truediv", true,
     CHAINERX_DOC("Elementwise true division x1 / x2.", CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE)},
    {"divide", &divide<>, nullptr, false,
     CHAINERX_DOC("Elementwise true division x1 / x2 (an alias of true_divide).",
                  CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE)},
    {"floor_divide", &floor_divide<>, "floordiv", true,
     CHAINERX_DOC("Elementwise floor division x1 // x2, rounding toward minus infinity.",
                  "Keeps the promoted dtype; integer division by zero gives 0, as in NumPy; bool raises "
                  "DtypeError. " CHAINERX_NOT_DIFFERENTIABLE)},
    {"remainder", &remainder<>, "mod", true,
     CHAINERX_DOC("Elementwise remainder x1 % x2, with the sign of x2 (Python's %).",
                  "Integer remainder by zero gives 0, as in NumPy; bool raises DtypeError. " CHAINERX_DIFFERENTIABLE)},
    {"mod", &mod<>, nullptr, false,
     CHAINERX_DOC("Elementwise remainder x1 % x2, with the sign of x2 (an alias of remainder).",
                  "Integer remainder by zero gives 0, as in NumPy; bool raises DtypeError. " CHAINERX_DIFFERENTIABLE)},
    {"fmod", &fmod<>, nullptr, false,
     CHAINERX_DOC("Elementwise remainder of x1 / x2, with the sign of x1 (C's fmod).",
                  "Integer fmod by zero gives 0, as in NumPy; bool raises DtypeError. " CHAINERX_DIFFERENTIABLE)},
    {"power", &power<>, "pow", true,
     CHAINERX_DOC("Elementwise power x1 ** x2.",
                  "Keeps the promoted dtype; integers wrap around. Unlike NumPy, a negative integer exponent does "
                  "not raise: the result truncates toward zero as in C (nonzero only for 1 and -1). bool raises "
                  "DtypeError. " CHAINERX_DIFFERENTIABLE)},
    {"maximum", &maximum<>, nullptr, false,
     CHAINERX_DOC("Elementwise maximum of x1 and x2; NaN propagates, as in NumPy.",
                  "Differentiable (backprop and double backprop): x1 gets the gradient where x1 >= x2, x2 elsewhere.")},
    {"minimum", &minimum<>, nullptr, false,
     CHAINERX_DOC("Elementwise minimum of x1 and x2; NaN propagates, as in NumPy.",
                  "Differentiable (backprop and double backprop): x1 gets the gradient where x1 <= x2, x2 elsewhere.")},
    {"arctan2", &arctan2<>, nullptr, false,
     CHAINERX_DOC("Elementwise arc tangent of x1 / x2 in radians, in the quadrant of the point (x2, x1).",
                  CHAINERX_FLOAT_RESULT CHAINERX_DIFFERENTIABLE)},
    {"bitwise_and", &bitwise_and<>, "and", true, CHAINERX_BITWISE("AND")},
    {"bitwise_or", &bitwise_or<>, "or", true, CHAINERX_BITWISE("OR")},
    {"bitwise_xor", &bitwise_xor<>, "xor", true, CHAINERX_BITWISE("XOR")},
    {"left_shift", &left_shift<>, "lshift", true, CHAINERX_SHIFT("left", "0")},
    {"right_shift", &right_shift<>, "rshift", true, CHAINERX_SHIFT("right", "0 (-1 where x1 is negative)")},
    {"equal", &equal<>, "eq", false, CHAINERX_COMPARISON("x1 == x2")},
    {"not_equal", &not_equal<>, "ne", false, CHAINERX_COMPARISON("x1 != x2")},
    {"greater", &greater<>, "gt", false, CHAINERX_COMPARISON("x1 > x2")},
    {"greater_equal", &greater_equal<>, "ge", false, CHAINERX_COMPARISON("x1 >= x2")},
    {"less", &less<>, "lt", false, CHAINERX_COMPARISON("x1 < x2")},
    {"less_equal", &less_equal<>, "le", false, CHAINERX_COMPARISON("x1 <= x2")},
    {"logical_and", &logical_and<>, nullptr, false, CHAINERX_LOGICAL("AND")},
    {"logical_or", &logical_or<>, nullptr, false, CHAINERX_LOGICAL("OR")},
    {"logical_xor", &logical_xor<>, nullptr, false, CHAINERX_LOGICAL("XOR")},
};

#undef CHAINERX_ARGS
#undef CHAINERX_DOC
#undef CHAINERX_FLOAT_RESULT
#undef CHAINERX_DIFFERENTIABLE
#undef CHAINERX_NOT_DIFFERENTIABLE
#undef CHAINERX_COMPARISON
#undef CHAINERX_LOGICAL
#undef CHAINERX_BITWISE
#undef CHAINERX_SHIFT

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
            nb::arg("x1"), nb::arg("x2"), e.doc);
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
        nb::arg("condition"), nb::arg("x"), nb::arg("y"),
        R"(Elementwise selection: x where condition is true, y elsewhere.

Args:
    condition: an array (cast to bool) or a scalar.
    x: values where condition is true, an array or a scalar.
    y: values where condition is false, an array or a scalar.
Returns:
    An array of the three operands' broadcast shape, in the promoted dtype of x and y.
    All three arguments are required (NumPy's where(condition) is nonzero(condition)).
    Differentiable in x and y (backprop and double backprop).)");
}

}  // namespace chainerx::python
