#pragma once

// Conversions shared by the binding translation units: dtypes, scalars, operands, devices, shapes.
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <string>
#include <string_view>

#include "chainerx/chainerx.hpp"

namespace nb = nanobind;

namespace chainerx::python {

// Any dtype specifier NumPy accepts (dtype, type, name, char code, Python bool/int/float).
dtype to_dtype(nb::handle h);
std::optional<dtype> to_optional_dtype(nb::handle h);
// numpy.dtype object for d (ml_dtypes.bfloat16 for bfloat16).
nb::object dtype_object(dtype d);

// A Python bool/int/float or NumPy scalar; nothing for other objects.
std::optional<scalar> to_scalar(nb::handle h);
// An ndarray or a scalar; TypeError otherwise.
operand to_operand(nb::handle h, const char* op);
// A chainerx.ndarray; TypeError naming op for anything else (never std::bad_cast).
const array& to_array_arg(nb::handle h, const char* op);
// None gives the default device; a Device object or a name like 'native:0'.
device& to_device(nb::handle h);
// A Python int or an object with __index__ as int64, never std::bad_cast: TypeError for other
// objects, overflow_type (OverflowError by default) when the value does not fit.
int64_t to_int64(nb::handle h, PyObject* overflow_type = PyExc_OverflowError,
                 const char* overflow_message = "Python int too large to convert to C int64");
// An integer parameter of a binding: any object with __index__ (a Python int, a NumPy integer),
// converted to int64 where the function uses it, so that an int beyond int64 raises OverflowError
// (as NumPy does) instead of the TypeError of a failed overload match on a plain int64_t parameter.
struct int_arg {
    nb::object value;
    operator int64_t() const { return to_int64(value); }
};
// One dimension of a shape: TypeError unless an int; ValueError (NumPy's) when it does not fit.
int64_t to_dimension(nb::handle h);
// A dimension parameter of a binding (eye's N and M): as int_arg, but beyond int64 is NumPy's
// ValueError('Maximum allowed dimension exceeded'), as in a shape.
struct dim_arg {
    nb::object value;
    operator int64_t() const { return to_int64(value, PyExc_ValueError, "Maximum allowed dimension exceeded"); }
};
// An int or a sequence of ints.
shape_t to_shape(nb::handle h);
// None, an int or a sequence of ints.
std::optional<axes_t> to_optional_axes(nb::handle h);

// NumPy view (copy=false, native arrays only) or copy of an array.
nb::object to_numpy(const array& a, bool copy);
// Any array-like (chainerx.ndarray, numpy array, nested lists, scalars) as a chainerx array.
array to_array(nb::handle obj, std::optional<dtype> type, bool copy, device* dev);

// The docstring of an elementwise op from its row in the op tables: summary, notes, the note of its
// dtype rule (float_result, compare, logical), and whether it is differentiable.
std::string elementwise_doc(std::string_view summary, std::string_view notes, std::string_view type_rule,
                            bool differentiable);

void init_device(nb::module_& m);
void init_array(nb::module_& m);
void init_creation(nb::module_& m);
void init_math_unary(nb::module_& m);
void init_math_binary(nb::module_& m);
void init_reduction(nb::module_& m);
void init_autograd(nb::module_& m);
void init_linalg(nb::module_& m);
void init_manipulation(nb::module_& m);
void init_indexing(nb::module_& m);
void init_activation(nb::module_& m);
void init_connection(nb::module_& m);
void init_chainer_interop(nb::module_& m);

// Python's cycle collector: visits the chainer.FunctionNode that an op recorded by
// _function_node_forward owns, when nothing else shares the op's backward (chainer_interop.cpp).
int visit_chainer_op(const op_node& op, visitproc visit, void* arg);

}  // namespace chainerx::python

namespace nanobind::detail {
template <class Arg>
struct index_arg_caster {
    NB_TYPE_CASTER(Arg, const_name("int"))
    bool from_python(handle src, uint8_t, cleanup_list*) noexcept {
        if (!PyIndex_Check(src.ptr())) return false;
        value.value = borrow(src);
        return true;
    }
    static handle from_cpp(const Arg& v, rv_policy, cleanup_list*) noexcept { return v.value.inc_ref(); }
};
template <>
struct type_caster<chainerx::python::int_arg> : index_arg_caster<chainerx::python::int_arg> {};
template <>
struct type_caster<chainerx::python::dim_arg> : index_arg_caster<chainerx::python::dim_arg> {};
}  // namespace nanobind::detail
