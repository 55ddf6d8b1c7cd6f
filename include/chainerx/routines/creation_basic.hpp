#pragma once

// Allocation of new arrays: the few creation routines every other routine needs.
#include <cstring>

#include "chainerx/core/array.hpp"
#include "chainerx/core/scalar.hpp"
#include "chainerx/kernels/elementwise.hpp"
#include "chainerx/kernels/layout.hpp"

namespace chainerx {

inline void check_shape(const shape_t& shape, const char* op) {
    for (int64_t d : shape)
        if (d < 0) throw_error<dimension_error>(op, ": negative dimensions are not allowed: ", shape);
}

// Uninitialized array with the given strides (which must describe a dense block).
inline array empty_strided(const shape_t& shape, const strides_t& strides, dtype type, device& dev) {
    int64_t bytes = shape.checked_product(itemsize_of(type));  // before allocating: refuses sizes that overflow
    return array::from_data(shape, strides, type, dev, dev.allocate(static_cast<size_t>(bytes)));
}

inline array empty(const shape_t& shape, dtype type = dtype::float32, device& dev = get_default_device()) {
    check_shape(shape, "empty");
    return empty_strided(shape, strides_in_order_c(shape, itemsize_of(type)), type, dev);
}

// Refuses writes, before anything is written, into read-only arrays (NumPy's message), into views whose
// elements alias each other (a broadcast axis of extent > 1, where one element would be written
// several times; NumPy marks such views read-only), and into memory that a recorded graph keeps for
// its backward (through any view of it: the gradient would silently come out wrong).
inline void check_writable(const array& a, const char* op) {
    if (a.is_read_only()) throw read_only_error("assignment destination is read-only");
    if (a.size() == 0) return;
    for (int i = 0; i < a.ndim(); ++i)
        if (a.strides()[i] == 0 && a.shape()[i] > 1)
            throw_error<chainerx_error>(op, ": cannot write into a broadcast view (axis ", i, " has stride 0)");
    if (a.is_storage_retained())
        throw_error<chainerx_error>(op,
                                    ": in-place assignment to an array that a recorded graph keeps for backward "
                                    "is not allowed (nor to a view of it); write into a copy, run backward, or drop "
                                    "the outputs that use it first");
}

namespace detail {
struct fill_op {
    template <class T>
    CHAINERX_HOST_DEVICE T operator()(T value) const {
        return value;
    }
};
}  // namespace detail

namespace detail {
template <class T>
void fill_typed(const array& a, const scalar& value) {
    T v = value.to_checked<T>();  // OverflowError, not a wrapped value
    // The scalar lives on the host: host devices read it in place, others get a 0-d copy.
    array source;
    loop_operand operands[2] = {{static_cast<char*>(a.raw_data()), a.strides()},
                                {reinterpret_cast<char*>(&v), strides_t(a.ndim())}};
    if (!a.get_device().is_host()) {
        source = empty_strided({}, {}, a.dtype(), a.get_device());
        a.get_device().copy_from_host(source.raw_data(), &v, sizeof(T));
        operands[1].data = static_cast<char*>(source.raw_data());
    }
    run_elementwise<fill_op, T, T>(a.get_device(), fill_op{}, a.shape(), operands);
}
// The key of a user dtype's fill_typed.
struct fill_entry {
    using function = void (*)(const array&, const scalar&);
};
}  // namespace detail

// Writes `value` (converted to a's dtype) to every element of a.
inline void fill(const array& a, const scalar& value) {
    check_writable(a, "fill");
    if (!is_builtin(a.dtype())) return user_dtype_function<detail::fill_entry>(a.dtype())(a, value);
    dispatch_dtype(a.dtype(), [&]<class T>() { detail::fill_typed<T>(a, value); });
}

inline array full(const shape_t& shape, const scalar& value, dtype type, device& dev = get_default_device()) {
    check_shape(shape, "full");
    array a = empty(shape, type, dev);
    fill(a, value);
    return a;
}
inline array full(const shape_t& shape, const scalar& value, device& dev = get_default_device()) {
    return full(shape, value, value.default_dtype(), dev);
}
inline array zeros(const shape_t& shape, dtype type = dtype::float32, device& dev = get_default_device()) {
    return full(shape, 0, type, dev);
}
inline array ones(const shape_t& shape, dtype type = dtype::float32, device& dev = get_default_device()) {
    return full(shape, 1, type, dev);
}

namespace detail {
// An element as a scalar: builtin types keep their kind, user types convert through double (float
// kinds) or int64.
template <class T>
scalar as_scalar_typed(const void* element) {
    T value;
    std::memcpy(&value, element, sizeof(T));
    if constexpr (is_builtin_element_v<T>)
        return scalar(value);
    else if constexpr (is_float_v<T>)
        return scalar(static_cast<double>(value));
    else
        return scalar(static_cast<int64_t>(static_cast<double>(value)));
}
struct as_scalar_entry {
    using function = scalar (*)(const void*);
};
}  // namespace detail

// The value of a one-element array as a scalar of its dtype's kind (ChainerX's Array::AsScalar);
// dimension_error for other sizes.
inline scalar as_scalar(const array& a) {
    if (a.size() != 1)
        throw_error<dimension_error>("as_scalar: only arrays of size 1 can be converted to a scalar, got shape ",
                                     a.shape());
    alignas(16) char bytes[16];
    a.get_device().copy_to_host(bytes, a.raw_data(), a.itemsize());
    if (!is_builtin(a.dtype())) return user_dtype_function<detail::as_scalar_entry>(a.dtype())(bytes);
    return dispatch_dtype(a.dtype(), [&]<class T>() { return detail::as_scalar_typed<T>(bytes); });
}

namespace detail {
template <class To>
struct cast_op {
    template <class From>
    CHAINERX_HOST_DEVICE To operator()(From v) const {
        return value_cast<To>(v);
    }
};
}  // namespace detail

namespace detail {
// Casts between a user dtype T and a builtin dtype (or T itself): into T from `other` when `into`,
// else from T into `other`.
template <class T>
void cast_typed(device& dev, dtype other, bool into, const shape_t& shape, const loop_operand* operands) {
    if (other == dtype_of<T>()) return run_elementwise<cast_op<T>, T, T>(dev, cast_op<T>{}, shape, operands);
    dispatch_dtype(other, [&]<class B>() {
        if (into)
            run_elementwise<cast_op<T>, T, B>(dev, cast_op<T>{}, shape, operands);
        else
            run_elementwise<cast_op<B>, B, T>(dev, cast_op<B>{}, shape, operands);
    });
}
struct cast_entry {
    using function = void (*)(device&, dtype, bool, const shape_t&, const loop_operand*);
};
inline void run_user_cast_kernel(device& dev, dtype to, dtype from, const shape_t& shape,
                                 const loop_operand* operands) {
    if (!is_builtin(to) && !is_builtin(from) && to != from)
        throw_error<dtype_error>("cannot cast between user dtypes ", from, " and ", to, " (cast through a builtin)");
    if (!is_builtin(to)) return user_dtype_function<cast_entry>(to)(dev, from, true, shape, operands);
    user_dtype_function<cast_entry>(from)(dev, to, false, shape, operands);
}
}  // namespace detail

// The cast kernels: |dtypes|^2 instantiations. A program with many translation units may define
// CHAINERX_CAST_KERNELS_EXTERN in all of them and CHAINERX_CAST_KERNELS_DEFINE too in one (which
// wins), so that they are compiled once.
#if defined(CHAINERX_CAST_KERNELS_EXTERN) && !defined(CHAINERX_CAST_KERNELS_DEFINE)
void run_cast_kernel(device& dev, dtype to, dtype from, const shape_t& shape, const loop_operand* operands);
#else
#if defined(CHAINERX_CAST_KERNELS_DEFINE)
void
#else
inline void
#endif
run_cast_kernel(device& dev, dtype to, dtype from, const shape_t& shape, const loop_operand* operands) {
    if (!is_builtin(to) || !is_builtin(from)) return detail::run_user_cast_kernel(dev, to, from, shape, operands);
    dispatch_dtype(to, [&]<class To>() {
        dispatch_dtype(from, [&]<class From>() {
            run_elementwise<detail::cast_op<To>, To, From>(dev, detail::cast_op<To>{}, shape, operands);
        });
    });
}
#endif

// Copies src into dst, broadcasting src to dst's shape and casting to dst's dtype.
// device_error unless a and b are on the same device.
inline void check_same_device(const char* op, const array& a, const array& b) {
    if (&a.get_device() != &b.get_device())
        throw_error<device_error>(op, ": arrays are on different devices: ", a.get_device().name(), " and ",
                                  b.get_device().name());
}

inline void copy_into(const array& dst, const array& src) {
    check_writable(dst, "copy");
    check_same_device("copy", dst, src);
    if (dst.data() == src.data() &&
        !(dst.offset() == src.offset() && dst.strides() == src.strides() && dst.dtype() == src.dtype())) {
        // Overlapping memory with another layout: read from a snapshot so no element is read after
        // it was overwritten.
        array snapshot = empty(src.shape(), src.dtype(), src.get_device());
        copy_into(snapshot, src);
        copy_into(dst, snapshot);
        return;
    }
    shape_t shape = broadcast_shapes(dst.shape(), src.shape(), "copy");
    if (!(shape == dst.shape()))
        throw_error<dimension_error>("copy: cannot broadcast ", src.shape(), " into ", dst.shape());
    strides_t src_strides(dst.ndim());
    for (int i = 0, d = dst.ndim() - src.ndim(); i < src.ndim(); ++i)
        src_strides[d + i] = src.shape()[i] == 1 ? 0 : src.strides()[i];
    loop_operand operands[2] = {{static_cast<char*>(dst.raw_data()), dst.strides()},
                                {static_cast<char*>(src.raw_data()), src_strides}};
    run_cast_kernel(dst.get_device(), dst.dtype(), src.dtype(), shape, operands);
}

// A new array with the same values, laid out as NumPy's copy(order='K') lays it out.
inline array copy_as(const array& a, dtype type) {
    array out = empty_strided(a.shape(), like_strides(a.shape(), a.strides(), a.itemsize(), itemsize_of(type)), type,
                              a.get_device());
    copy_into(out, a);
    return out;
}
// The non-recording primitives behind astype() and copy() (routines/manipulation.hpp).
inline array copy_array(const array& a) { return copy_as(a, a.dtype()); }

// C-contiguous copy (or a itself when it already is one and no cast is needed).
inline array ascontiguousarray(const array& a) {
    if (a.is_contiguous()) return a;
    array out = empty(a.shape(), a.dtype(), a.get_device());
    copy_into(out, a);
    return out;
}

inline array cast_array(const array& a, dtype type, bool copy_always = true) {
    if (!copy_always && type == a.dtype()) return a;
    return copy_as(a, type);
}

// The non-recording primitive behind to_device(): a C-contiguous copy of a on dev (a itself when it
// is there already), through the host memory of whichever side has it, staged on the host otherwise.
inline array copy_to_device(const array& a, device& dev) {
    device& from = a.get_device();
    if (&from == &dev) return a;
    array src = ascontiguousarray(a);
    array out = empty(a.shape(), a.dtype(), dev);
    auto bytes = static_cast<size_t>(a.nbytes());
    if (bytes == 0) return out;
    if (from.is_host()) {
        dev.copy_from_host(out.raw_data(), src.raw_data(), bytes);
    } else if (dev.is_host()) {
        from.copy_to_host(out.raw_data(), src.raw_data(), bytes);
    } else {
        std::unique_ptr<char[]> host(new char[bytes]);
        from.copy_to_host(host.get(), src.raw_data(), bytes);
        dev.copy_from_host(out.raw_data(), host.get(), bytes);
    }
    return out;
}

}  // namespace chainerx
