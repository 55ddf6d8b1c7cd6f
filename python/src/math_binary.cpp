// Binary elementwise routines and their Python operators (reflected and in-place forms).
#include <nanobind/stl/tuple.h>

#include <tuple>

#include "common.hpp"

namespace chainerx::python {

namespace {
using binary_fn = array (*)(const operand&, const operand&, const array*);

const char* const binary_args =
    "\n\nArgs:\n"
    "    x1: first operand, an array or a scalar.\n"
    "    x2: second operand, an array or a scalar. The arrays broadcast together; the dtype is\n"
    "        ChainerX's promotion, in which a scalar counts only when its kind (bool < int < float)\n"
    "        is above every array's.";

// The Python operators of the binary ops: __<dunder>__, and __r<dunder>__ and __i<dunder>__ when
// reflected.
struct python_operator {
    std::string_view op;
    const char* dunder;
    bool reflected;
};
const python_operator python_operators[] = {
    {"add", "add", true},
    {"subtract", "sub", true},
    {"multiply", "mul", true},
    {"true_divide", "truediv", true},
    {"floor_divide", "floordiv", true},
    {"remainder", "mod", true},
    {"power", "pow", true},
    {"bitwise_and", "and", true},
    {"bitwise_or", "or", true},
    {"bitwise_xor", "xor", true},
    {"left_shift", "lshift", true},
    {"right_shift", "rshift", true},
    {"equal", "eq", false},
    {"not_equal", "ne", false},
    {"greater", "gt", false},
    {"greater_equal", "ge", false},
    {"less", "lt", false},
    {"less_equal", "le", false},
};

// An operand for an operator, or nothing when Python should try the other side.
std::optional<operand> operator_operand(nb::handle h) {
    array* a;
    if (nb::try_cast<array*>(h, a) && a) return operand(*a);
    if (auto s = to_scalar(h)) return operand(*s);
    return std::nullopt;
}

void def_binary(nb::module_& m, const char* name, binary_fn fn, const std::string& doc) {
    m.def(
        name,
        [fn, name](nb::handle x1, nb::handle x2) { return fn(to_operand(x1, name), to_operand(x2, name), nullptr); },
        nb::arg("x1"), nb::arg("x2"), doc.c_str());
    nb::handle cls = nb::type<array>();
    for (const python_operator& o : python_operators) {
        if (o.op != name) continue;
        std::string op = o.dunder;
        cls.attr(("__" + op + "__").c_str()) = nb::cpp_function(
            [fn](const array& self, nb::handle other) -> nb::object {
                auto o = operator_operand(other);
                if (!o) return nb::borrow(Py_NotImplemented);
                return nb::cast(fn(self, *o, nullptr));
            },
            nb::is_method(), nb::name(("__" + op + "__").c_str()), nb::scope(cls), nb::arg("other").none());
        if (!o.reflected) continue;
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
}
}  // namespace

void init_math_binary(nb::module_& m) {
    // The functions of the binary op table (chainerx/routines/math.hpp), then its aliases.
#define CHAINERX_DEF_BINARY(name, kernels, type_rule, grad_a, grad_b, summary, notes) \
    def_binary(m, #name, &name<>,                                                     \
               elementwise_doc(summary, notes, #type_rule, differentiable_op<ops::name>) + binary_args);
    CHAINERX_BINARY_OPS(CHAINERX_DEF_BINARY)
#undef CHAINERX_DEF_BINARY
    def_binary(
        m, "divide", &divide<>,
        elementwise_doc("Elementwise true division x1 / x2 (an alias of true_divide).", "", "float_result", true) +
            binary_args);
    def_binary(
        m, "mod", &mod<>,
        elementwise_doc("Elementwise remainder x1 % x2, with the sign of x2 (an alias of remainder).",
                        "Integer remainder by zero gives 0, as in NumPy; bool raises DtypeError.", "same", true) +
            binary_args);
    // Every op of the tables with its number of inputs and whether it is differentiable, for the
    // test that checks that each has its test rows.
    m.def(
        "_elementwise_ops",
        []() {
            std::vector<std::tuple<std::string, int, bool>> rows;
#define CHAINERX_LIST_UNARY(name, ...) rows.emplace_back(#name, 1, differentiable_op<ops::name>);
#define CHAINERX_LIST_BINARY(name, ...) rows.emplace_back(#name, 2, differentiable_op<ops::name>);
            CHAINERX_UNARY_OPS(CHAINERX_LIST_UNARY)
            CHAINERX_BINARY_OPS(CHAINERX_LIST_BINARY)
#undef CHAINERX_LIST_UNARY
#undef CHAINERX_LIST_BINARY
            return rows;
        },
        "The elementwise ops of chainerx's op tables as (name, number of inputs, differentiable) tuples.");
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
