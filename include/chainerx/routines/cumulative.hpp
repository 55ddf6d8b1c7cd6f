#pragma once

// Cumulative sums and NaN-ignoring reductions: cumsum, nansum, nanargmax, nanargmin.
#include <optional>
#include <stdexcept>

#include "chainerx/device/parallel.hpp"
#include "chainerx/routines/math.hpp"
#include "chainerx/routines/rearranging.hpp"
#include "chainerx/routines/reduction.hpp"

namespace chainerx {

namespace reduce_ops {
// sum with NaNs counted as zero.
template <class T>
struct nansum : sum<T> {
    sum_acc_t<T> map(T x, int64_t) const { return ops::is_nan(x) ? sum_acc_t<T>(0) : value_cast<sum_acc_t<T>>(x); }
};
// argmax/argmin skipping NaNs: a NaN maps to the empty identity (index -1), which combine ignores.
template <class T, bool Greater>
struct nan_arg_extreme : arg_extreme<T, Greater> {
    using Acc = typename arg_extreme<T, Greater>::Acc;
    Acc map(T x, int64_t i) const {
        if (ops::is_nan(x)) return {typename arg_extreme<T, Greater>::V{}, -1};
        return {static_cast<typename arg_extreme<T, Greater>::V>(x), i};
    }
    // The base's contiguous route lets NaNs win; this op goes element by element through map.
    Acc reduce_contiguous(const T*, int64_t, int64_t) const = delete;
};
template <class T>
using nanargmax = nan_arg_extreme<T, true>;
template <class T>
using nanargmin = nan_arg_extreme<T, false>;
}  // namespace reduce_ops

// Sum over the given axes treating NaN as zero; dtypes as sum's. Its gradient is the output
// gradient where the input is not NaN, zero where it is.
template <class = void>
array nansum(const array& a, const std::optional<axes_t>& axis = std::nullopt, bool keepdims = false) {
    array out = detail::reduce_with<reduce_ops::nansum>("nansum", a, axis, keepdims, false);
    if (a.body()->graph) {
        shape_t kept = detail::kept_shape(a, axis);
        array input = as_grad_stopped(a);
        record_op("nansum", {&a}, {&out}, [kept, input](const std::vector<array>& gy) {
            array zero = zeros({}, gy[0].dtype(), gy[0].get_device());
            return std::vector<array>{where(isnan(input), zero, detail::broadcast_back(gy[0], kept, input.shape()))};
        });
    }
    return out;
}

namespace detail {
template <template <class> class Op>
array nan_arg(const char* name, const array& a, std::optional<int64_t> axis) {
    array out = reduce_with<Op>(name, a, single_axis(axis), false, true);
    // Slices of NaNs only are left at the identity's index -1 (NumPy: ValueError).
    const int64_t* p = static_cast<const int64_t*>(out.raw_data());  // C-contiguous, on the host
    for (int64_t i = 0; i < out.size(); ++i)
        if (p[i] < 0) throw std::invalid_argument(std::string(name) + ": All-NaN slice encountered");
    return out;
}
}  // namespace detail

// Index (int64) of the first maximum / minimum ignoring NaNs, along axis or in the flattened array.
template <class = void>
array nanargmax(const array& a, std::optional<int64_t> axis = std::nullopt) {
    return detail::nan_arg<reduce_ops::nanargmax>("nanargmax", a, axis);
}
template <class = void>
array nanargmin(const array& a, std::optional<int64_t> axis = std::nullopt) {
    return detail::nan_arg<reduce_ops::nanargmin>("nanargmin", a, axis);
}

namespace detail {
// out[..., i, ...] = sum of in[..., :i+1, ...] along `axis`, sequentially in T (16-bit floats add in
// float and round at each step), as NumPy's add.accumulate; in and out have one dtype and shape.
template <class T>
void cumsum_kernel(const array& in, const array& out, int axis) {
    int ndim = in.ndim();
    int64_t n = in.shape()[axis], lines = n > 0 ? in.size() / n : 0;
    int64_t in_step = in.strides()[axis], out_step = out.strides()[axis];
    shape_t outer;
    strides_t in_outer, out_outer;
    for (int i = 0; i < ndim; ++i) {
        if (i == axis) continue;
        outer.push_back(in.shape()[i]);
        in_outer.push_back(in.strides()[i]);
        out_outer.push_back(out.strides()[i]);
    }
    const char* src = static_cast<const char*>(in.raw_data());
    char* dst = static_cast<char*>(out.raw_data());
    long_running_scope unlock(in.size());
    parallel_for(lines, std::max<int64_t>(parallel_threshold / std::max<int64_t>(n, 1), 1),
                 [&](int64_t begin, int64_t end) {
                     for (int64_t line = begin; line < end; ++line) {
                         int64_t in_offset = 0, out_offset = 0;
                         for (int64_t i = outer.size() - 1, rest = line; i >= 0; --i) {
                             int64_t index = rest % outer[i];
                             rest /= outer[i];
                             in_offset += index * in_outer[i];
                             out_offset += index * out_outer[i];
                         }
                         const char* p = src + in_offset;
                         char* q = dst + out_offset;
                         T acc = value_cast<T>(0);
                         for (int64_t k = 0; k < n; ++k, p += in_step, q += out_step) {
                             acc = ops::add{}(acc, *reinterpret_cast<const T*>(p));
                             *reinterpret_cast<T*>(q) = acc;
                         }
                     }
                 });
}
}  // namespace detail

// Cumulative sum along axis (nullopt: of the flattened array). bool and integers give int64, floats
// keep their dtype; the result is laid out as NumPy's accumulate lays it out. Differentiable: the
// gradient is the reversed cumulative sum of the output gradient.
template <class = void>
array cumsum(const array& a, std::optional<int64_t> axis = std::nullopt) {
    if (!axis) return cumsum(reshape(a, {a.size()}), 0);
    int ax = normalize_axis(*axis, a.ndim(), "cumsum");
    if (!a.get_device().is_host())
        throw_error<not_implemented_error>("cumsum: not implemented on device ", a.get_device().name());
    dtype type = is_float(a.dtype()) ? a.dtype() : dtype::int64;
    array in = cast_array(a, type, false);
    const strides_t in_strides[] = {iterator_strides(a.shape(), a.shape(), a.strides())};
    array out = empty_strided(a.shape(), iterated_output_strides(a.shape(), in_strides, itemsize_of(type)), type,
                              a.get_device());
    if (a.size() > 0) {
        dispatch_dtype(type, [&]<class T>() {
            if constexpr (is_float_v<T> || std::is_same_v<T, int64_t>) detail::cumsum_kernel<T>(in, out, ax);
        });
    }
    record_op("cumsum", {&a}, {&out}, [ax](const std::vector<array>& gy) {
        axes_t axes{ax};
        return std::vector<array>{flip(cumsum(flip(gy[0], axes), ax), axes)};
    });
    return out;
}

}  // namespace chainerx
