#pragma once

// N-dimensional pooling: max_pool and average_pool over x of shape (n, c, d1, ..., dN), as Chainer's
// max_pooling_nd / average_pooling_nd. The kernels are in kernels/pooling.hpp. Gradients are
// primitives of their own whose gradients are the forward primitives again (max pooling: gather and
// scatter at the recorded positions of the maxima; average pooling: the op and its adjoint), so
// double backprop works. Also the shared front end of window ops (checks, float dispatch).
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "chainerx/autograd/graph.hpp"
#include "chainerx/kernels/pooling.hpp"
#include "chainerx/routines/creation_basic.hpp"

namespace chainerx {
namespace detail {

inline void check_window_input(const char* op, const char* name, const array& a) {
    if (!is_float(a.dtype())) throw_error<dtype_error>(op, ": ", name, " must be of a float dtype, got ", a.dtype());
    if (!a.get_device().is_host())
        throw_error<not_implemented_error>(op, ": not implemented on device ", a.get_device().name());
}

// Calls f.template operator()<T>() for the float type T of d.
template <class F>
void dispatch_float(const char* op, dtype d, F&& f) {
    dispatch_dtype(d, [&]<class T>() {
        if constexpr (is_float_v<T>) {
            f.template operator()<T>();
        } else {
            throw_error<dtype_error>(op, ": unsupported dtype ", d);
        }
    });
}

// (n, c) followed by the given spatial sizes.
inline shape_t window_shape(const shape_t& x_shape, const int64_t* spatial, int nd) {
    shape_t shape{x_shape[0], x_shape[1]};
    for (int d = 0; d < nd; ++d) shape.push_back(spatial[d]);
    return shape;
}

template <class T>
T* data_of(const array& a) {
    return static_cast<T*>(a.raw_data());
}

// A's elements C-contiguous in `type` (a itself when it already is; not recorded).
inline array contiguous_as(const array& a, dtype type) { return ascontiguousarray(cast_array(a, type, false)); }

inline array pool_scatter(const array& gy, const array& index, const window_geometry& g, const shape_t& in_shape);

// out = a at the recorded positions (a has the input's shape, out the output's).
inline array pool_gather(const array& a, const array& index, const window_geometry& g, const shape_t& out_shape) {
    array src = contiguous_as(a, a.dtype());
    array out = empty(out_shape, a.dtype(), a.get_device());
    {
        long_running_scope scope(out.size());
        dispatch_float("max_pool", a.dtype(), [&]<class T>() {
            kernels::pool_gather<T>(g, data_of<T>(src), data_of<int64_t>(index), data_of<T>(out));
        });
    }
    shape_t in_shape = a.shape();
    if (a.body()->graph) {
        record_op("max_pool_gather", {&a}, {&out}, [index, g, in_shape](const std::vector<array>& gy) {
            return std::vector<array>{pool_scatter(gy[0], index, g, in_shape)};
        });
    }
    return out;
}

// The adjoint of pool_gather: gy summed into zeros of the input's shape at the recorded positions.
inline array pool_scatter(const array& gy, const array& index, const window_geometry& g, const shape_t& in_shape) {
    array src = contiguous_as(gy, gy.dtype());
    array out = empty(in_shape, gy.dtype(), gy.get_device());
    {
        long_running_scope scope(out.size());
        dispatch_float("max_pool", gy.dtype(), [&]<class T>() {
            kernels::pool_scatter<T>(g, data_of<T>(src), data_of<int64_t>(index), data_of<T>(out));
        });
    }
    shape_t out_shape = gy.shape();
    if (gy.body()->graph) {
        record_op("max_pool_scatter", {&gy}, {&out}, [index, g, out_shape](const std::vector<array>& ggx) {
            return std::vector<array>{pool_gather(ggx[0], index, g, out_shape)};
        });
    }
    return out;
}

inline array average_pool_adjoint(const array& gy, const window_geometry& g, bool ignore_pad, const shape_t& in_shape);

inline array average_pool_forward(const array& x, const window_geometry& g, bool ignore_pad) {
    array src = contiguous_as(x, x.dtype());
    array out = empty(window_shape(x.shape(), g.out, g.nd), x.dtype(), x.get_device());
    {
        long_running_scope scope(saturating_mul(out.size(), g.k_volume));
        dispatch_float("average_pool", x.dtype(),
                       [&]<class T>() { kernels::average_pool<T>(g, ignore_pad, data_of<T>(src), data_of<T>(out)); });
    }
    shape_t in_shape = x.shape();
    if (x.body()->graph) {
        record_op("average_pool", {&x}, {&out}, [g, ignore_pad, in_shape](const std::vector<array>& gy) {
            return std::vector<array>{average_pool_adjoint(gy[0], g, ignore_pad, in_shape)};
        });
    }
    return out;
}

inline array average_pool_adjoint(const array& gy, const window_geometry& g, bool ignore_pad, const shape_t& in_shape) {
    array src = contiguous_as(gy, gy.dtype());
    array out = empty(in_shape, gy.dtype(), gy.get_device());
    {
        long_running_scope scope(saturating_mul(gy.size(), g.k_volume));
        dispatch_float("average_pool", gy.dtype(), [&]<class T>() {
            kernels::average_pool_adjoint<T>(g, ignore_pad, data_of<T>(src), data_of<T>(out));
        });
    }
    if (gy.body()->graph) {
        record_op("average_pool_grad", {&gy}, {&out}, [g, ignore_pad](const std::vector<array>& ggx) {
            return std::vector<array>{average_pool_forward(ggx[0], g, ignore_pad)};
        });
    }
    return out;
}

}  // namespace detail

// Maximum over windows of `ksize` (one value for every spatial axis, or one per axis) moved by
// `stride` (default: ksize) over x padded by `pad` (padding never wins). cover_all adds windows so
// that every element is covered (Chainer's rule).
template <class = void>
array max_pool(const array& x, const dims& ksize, const std::optional<dims>& stride = std::nullopt,
               const dims& pad = dims{0}, bool cover_all = false) {
    detail::check_window_input("max_pool", "x", x);
    window_geometry g = make_window_geometry("max_pool", x.shape(), ksize, stride.value_or(ksize), pad, cover_all);
    array src = detail::contiguous_as(x, x.dtype());
    shape_t out_shape = detail::window_shape(x.shape(), g.out, g.nd);
    array y = empty(out_shape, x.dtype(), x.get_device());
    array index = empty(out_shape, dtype::int64, x.get_device());
    {
        long_running_scope scope(saturating_mul(y.size(), g.k_volume));
        detail::dispatch_float("max_pool", x.dtype(), [&]<class T>() {
            kernels::max_pool<T>(g, detail::data_of<T>(src), detail::data_of<T>(y), detail::data_of<int64_t>(index));
        });
    }
    shape_t in_shape = x.shape();
    if (x.body()->graph) {
        record_op("max_pool", {&x}, {&y}, [index, g, in_shape](const std::vector<array>& gy) {
            return std::vector<array>{detail::pool_scatter(gy[0], index, g, in_shape)};
        });
    }
    return y;
}

// How average_pool treats padding: 'ignore' divides by the elements of the window inside the
// input, 'zero' by the whole window (padding counts as zeros).
enum class average_pool_pad_mode { ignore, zero };

inline average_pool_pad_mode parse_average_pool_pad_mode(std::string_view mode) {
    if (mode == "ignore") return average_pool_pad_mode::ignore;
    if (mode == "zero") return average_pool_pad_mode::zero;
    throw std::invalid_argument("average_pool: pad_mode must be 'ignore' or 'zero', got '" + std::string(mode) + "'");
}

// Mean over windows of `ksize` moved by `stride` (default: ksize) over x padded by `pad`.
template <class = void>
array average_pool(const array& x, const dims& ksize, const std::optional<dims>& stride = std::nullopt,
                   const dims& pad = dims{0}, average_pool_pad_mode pad_mode = average_pool_pad_mode::ignore) {
    detail::check_window_input("average_pool", "x", x);
    window_geometry g = make_window_geometry("average_pool", x.shape(), ksize, stride.value_or(ksize), pad, false);
    return detail::average_pool_forward(x, g, pad_mode == average_pool_pad_mode::ignore);
}

}  // namespace chainerx
