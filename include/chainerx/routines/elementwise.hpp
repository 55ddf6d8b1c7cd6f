#pragma once

// The shared front end of elementwise routines: operands that are arrays or scalars, ChainerX's
// result-type rules, broadcasting, NumPy's output layout, casting inputs to the compute dtype, and
// dispatch of an op functor to the kernel of the arrays' device. Functors constrain their call
// operator to the element types they support; other dtypes raise dtype_error at run time.
#include <initializer_list>
#include <optional>
#include <span>
#include <type_traits>

#include "chainerx/routines/creation_basic.hpp"

namespace chainerx {

// An elementwise operand: an array or a Python-like scalar. It refers to the array without owning
// it (no reference counting on the hot path), so it lives only as a function argument.
class operand {
  public:
    operand(const array& a) : array_(&a) {}
    operand(const scalar& s) : scalar_(s) {}
    template <class N>
        requires std::is_arithmetic_v<N>
    operand(N v) : scalar_(scalar(v)) {}

    bool is_array() const { return array_ != nullptr; }
    const array& get_array() const { return *array_; }
    const scalar& get_scalar() const { return scalar_; }

  private:
    const array* array_ = nullptr;
    scalar scalar_{false};  // unused when array_ is set; a plain value so that copies read no uninitialized bytes
};

// ChainerX's result type: arrays promote among themselves; scalars matter only when their category
// (bool < int < float) is higher than every array's, and then give their kind's default dtype.
inline dtype result_type(std::span<const operand> operands) {
    std::optional<dtype> array_type;
    std::optional<dtype> scalar_type;
    for (const operand& o : operands) {
        if (o.is_array()) {
            array_type = array_type ? promote_types(*array_type, o.get_array().dtype()) : o.get_array().dtype();
        } else {
            dtype d = o.get_scalar().default_dtype();
            scalar_type = scalar_type ? promote_types(*scalar_type, d) : d;
        }
    }
    if (!array_type) return *scalar_type;
    if (scalar_type && dtype_category(*scalar_type) > dtype_category(*array_type)) return *scalar_type;
    return *array_type;
}
inline dtype result_type(std::initializer_list<operand> operands) {
    return result_type(std::span<const operand>(operands.begin(), operands.size()));
}

// The common device of the array operands (the default device when there are none).
inline device& operands_device(std::span<const operand> operands, const char* op) {
    device* dev = nullptr;
    for (const operand& o : operands) {
        if (!o.is_array()) continue;
        device& d = o.get_array().get_device();
        if (dev && dev != &d)
            throw_error<device_error>(op, ": operands are on different devices: ", dev->name(), " and ", d.name());
        dev = &d;
    }
    return dev ? *dev : get_default_device();
}

namespace detail {

// Operands made ready for the kernel: cast to the compute dtype, scalars stored in a buffer.
template <int NumInputs>
struct prepared_inputs {
    array arrays[NumInputs];         // inputs cast to the compute dtype (scalars as 0-d arrays off-host)
    const array* inputs[NumInputs];  // the arrays the kernel reads: an input itself or its cast
    alignas(8) char scalar_storage[NumInputs][16];
    loop_operand operands[1 + NumInputs];
    shape_t shape;
};

template <int NumInputs>
void prepare_inputs(prepared_inputs<NumInputs>& p, std::span<const operand> inputs, dtype compute, device& dev,
                    const char* op) {
    // The broadcast shape; inputs of one shape (the common case) need no broadcasting work.
    const shape_t* common = nullptr;
    bool same = true;
    for (const operand& o : inputs) {
        if (!o.is_array()) continue;
        if (!common) {
            common = &o.get_array().shape();
        } else if (!(o.get_array().shape() == *common)) {
            same = false;
        }
    }
    if (common && same) {
        p.shape = *common;
    } else {
        p.shape = shape_t();
        for (const operand& o : inputs)
            if (o.is_array()) p.shape = broadcast_shapes(p.shape, o.get_array().shape(), op);
    }
    const shape_t& shape = p.shape;
    int ndim = shape.size();
    for (int k = 0; k < NumInputs; ++k) {
        const operand& o = inputs[k];
        loop_operand& lo = p.operands[1 + k];
        lo.strides = strides_t(ndim);
        if (o.is_array()) {
            if (o.get_array().dtype() == compute) {
                p.inputs[k] = &o.get_array();  // no cast, no reference counting
            } else {
                p.arrays[k] = cast_array(o.get_array(), compute);
                p.inputs[k] = &p.arrays[k];
            }
            const array& a = *p.inputs[k];
            lo.data = static_cast<char*>(a.raw_data());
            for (int i = 0, d = ndim - a.ndim(); i < a.ndim(); ++i)
                lo.strides[d + i] = a.shape()[i] == 1 ? 0 : a.strides()[i];
        } else if (dev.is_host()) {
            o.get_scalar().store(compute, p.scalar_storage[k]);
            lo.data = p.scalar_storage[k];
        } else {
            p.arrays[k] = full({}, o.get_scalar(), compute, dev);
            lo.data = static_cast<char*>(p.arrays[k].raw_data());
        }
    }
}

template <class T, size_t>
using repeat_t = T;

// Whether NumPy lays Op's result out as a ufunc's (with its C/F fast path), or by its iterator
// alone (where is no ufunc in NumPy): an op says the latter with a member `iterator_layout`.
template <class Op>
inline constexpr bool takes_ufunc_fast_path = !requires { Op::iterator_layout; };

// Whether Op accepts NumInputs arguments of type T, and what it returns.
template <class Op, class T, class Seq>
struct op_signature;
template <class Op, class T, size_t... K>
struct op_signature<Op, T, std::index_sequence<K...>> {
    static constexpr bool supported = std::is_invocable_v<Op, repeat_t<T, K>...>;
};
template <class Op, class T, size_t... K>
auto op_result(std::index_sequence<K...>) -> std::invoke_result_t<Op, repeat_t<T, K>...>;

template <class Op, class T, class Out, size_t... K>
void run_with_types(device& dev, Op op, const shape_t& shape, const loop_operand* operands, std::index_sequence<K...>) {
    run_elementwise<Op, Out, repeat_t<T, K>...>(dev, op, shape, operands);
}

inline bool overlaps(const array& a, const array& b) { return a.data() == b.data(); }

}  // namespace detail

namespace detail {
// apply_elementwise with the compute dtype's element type T.
template <int NumInputs, class Op, class T>
array apply_typed(const char* name, [[maybe_unused]] Op op, [[maybe_unused]] prepared_inputs<NumInputs>& p,
                  [[maybe_unused]] std::span<const operand> inputs, [[maybe_unused]] const array* out,
                  [[maybe_unused]] device& dev) {
    using signature = op_signature<Op, T, std::make_index_sequence<NumInputs>>;
    if constexpr (!signature::supported) {
        throw_error<dtype_error>(name, ": unsupported dtype ", dtype_of<T>());
    } else {
        using Out = decltype(op_result<Op, T>(std::make_index_sequence<NumInputs>{}));
        const dtype out_type = dtype_of<Out>();
        array result;
        bool direct = false;
        // In-place and out= forms may not cast a result to a lower category (float into int).
        if (out && dtype_category(out_type) > dtype_category(out->dtype()))
            throw_error<dtype_error>(name, ": cannot cast the result of dtype ", out_type, " to the output dtype ",
                                     out->dtype());
        if (out) {
            shape_t shape = broadcast_shapes(out->shape(), p.shape, name);
            if (!(shape == out->shape()))
                throw_error<dimension_error>(name, ": result of shape ", p.shape,
                                             " cannot be written to an output of shape ", out->shape());
            p.shape = out->shape();
            for (int k = 0; k < NumInputs; ++k) p.operands[1 + k].strides.resize(0);
            // Re-derive input strides against the output's (possibly higher) rank.
            for (int k = 0; k < NumInputs; ++k) {
                strides_t s(out->ndim());
                const operand& o = inputs[k];
                if (o.is_array()) {
                    const array& a = *p.inputs[k];
                    for (int i = 0, d = out->ndim() - a.ndim(); i < a.ndim(); ++i)
                        s[d + i] = a.shape()[i] == 1 ? 0 : a.strides()[i];
                }
                p.operands[1 + k].strides = s;
            }
            direct = out->dtype() == out_type;
            for (int k = 0; k < NumInputs && direct; ++k) {
                if (!inputs[k].is_array()) continue;
                const array& a = *p.inputs[k];
                if (overlaps(*out, a))
                    direct = a.offset() == out->offset() && a.shape() == out->shape() && a.strides() == out->strides();
            }
        }
        if (direct) {
            result = *out;
        } else {
            // Laid out by the operands as given, not by their casts (NumPy casts in buffers).
            ufunc_operand layout[NumInputs];
            int n = 0;
            for (int k = 0; k < NumInputs; ++k) {
                if (!inputs[k].is_array()) continue;
                const array& a = inputs[k].get_array();
                layout[n++] = {&a.shape(), &a.strides(), a.itemsize(), p.inputs[k] != &a};
            }
            result = empty_strided(
                p.shape, ufunc_output_strides(p.shape, std::span(layout, n), sizeof(Out), takes_ufunc_fast_path<Op>),
                out_type, dev);
        }
        p.operands[0] = {static_cast<char*>(result.raw_data()), result.strides()};
        run_with_types<Op, T, Out>(dev, op, p.shape, p.operands, std::make_index_sequence<NumInputs>{});
        if (out && !direct) {
            copy_into(*out, result);
            return *out;
        }
        return result;
    }
}

// The key of a user dtype's apply_typed for Op with NumInputs inputs (chainerx/register_dtype.hpp).
template <class Op, int NumInputs>
struct elementwise_entry {
    using function = array (*)(const char*, Op, prepared_inputs<NumInputs>&, std::span<const operand>, const array*,
                               device&);
};
}  // namespace detail

// Applies `op` to `inputs` cast to `compute`; writes into `out` when given (an in-place or out=
// form: the result is cast into out's dtype, inputs must broadcast to out's shape), otherwise
// returns a new array laid out as NumPy would lay it out.
template <int NumInputs, class Op>
array apply_elementwise(const char* name, Op op, dtype compute, std::span<const operand> inputs,
                        const array* out = nullptr) {
    device& dev = operands_device(inputs, name);
    if (out) check_writable(*out, name);
    if (out && &out->get_device() != &dev)
        throw_error<device_error>(name, ": output is on ", out->get_device().name(), ", inputs on ", dev.name());
    detail::prepared_inputs<NumInputs> p;
    detail::prepare_inputs<NumInputs>(p, inputs, compute, dev, name);
    if (!is_builtin(compute)) {
        auto typed = user_dtype_function<detail::elementwise_entry<Op, NumInputs>>(compute);
        if (!typed) throw_error<dtype_error>(name, ": unsupported dtype ", compute);
        return typed(name, op, p, inputs, out, dev);
    }
    return dispatch_dtype(compute, [&]<class T>() -> array {
        return detail::apply_typed<NumInputs, Op, T>(name, op, p, inputs, out, dev);
    });
}

template <class Op>
array apply_unary(const char* name, Op op, dtype compute, const operand& a, const array* out = nullptr) {
    operand ops[] = {a};
    return apply_elementwise<1>(name, op, compute, ops, out);
}
template <class Op>
array apply_binary(const char* name, Op op, dtype compute, const operand& a, const operand& b,
                   const array* out = nullptr) {
    operand ops[] = {a, b};
    return apply_elementwise<2>(name, op, compute, ops, out);
}

}  // namespace chainerx
