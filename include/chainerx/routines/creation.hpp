#pragma once

// Creation routines beyond the basics: ranges, identity-like matrices, triangles, diagonals and
// grids. Values are generated on the host and copied to the target device.
#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <vector>

#include "chainerx/routines/indexing.hpp"
#include "chainerx/routines/manipulation.hpp"
#include "chainerx/routines/math.hpp"

namespace chainerx {

namespace detail {
// A new array of `shape` whose i-th element (C order) is value(i).
template <class Value>
array generate(const shape_t& shape, dtype type, device& dev, Value value) {
    array out = empty(shape, type, dev);
    int64_t n = out.size();
    dispatch_dtype(type, [&]<class T>() {
        auto host = std::make_unique<T[]>(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) host[i] = value_cast<T>(value(i));
        if (n > 0) dev.copy_from_host(out.raw_data(), host.get(), static_cast<size_t>(n) * sizeof(T));
    });
    return out;
}
}  // namespace detail

// arange(start, stop, step): NumPy's length rule ceil((stop - start) / step); the dtype defaults to
// NumPy's: int64 for integers, float64 if any argument is a float.
inline array arange(const scalar& start, const scalar& stop, const scalar& step,
                    std::optional<dtype> type = std::nullopt, device& dev = get_default_device()) {
    double b = start.to<double>(), e = stop.to<double>(), s = step.to<double>();
    if (s == 0) throw_error<chainerx_error>("arange: step must not be zero");
    dtype kind_type = dtype::int64;
    bool any_float =
        start.kind() == dtype_kind::float_ || stop.kind() == dtype_kind::float_ || step.kind() == dtype_kind::float_;
    bool all_bool =
        start.kind() == dtype_kind::bool_ && stop.kind() == dtype_kind::bool_ && step.kind() == dtype_kind::bool_;
    kind_type = any_float ? dtype::float64 : all_bool ? dtype::bool_ : dtype::int64;
    dtype out_type = type.value_or(kind_type);
    double length = std::ceil((e - b) / s);
    // NaN and infinite lengths, and lengths past int64, are refused before the cast (which would be UB).
    if (!(length < 0x1p63) && !std::isnan(length)) throw std::length_error("arange: maximum allowed size exceeded");
    int64_t n = length > 0 ? static_cast<int64_t>(length) : 0;
    if (out_type == dtype::bool_ && n > 2)
        throw_error<dtype_error>("arange: no fill-function for bool dtype with more than 2 elements");
    if (!any_float) {
        // start + i * step in uint64, which wraps where int64 would overflow (UB): i * step may
        // exceed int64 while the element, between start and stop, does not.
        uint64_t ib = start.to<int64_t>(), is = step.to<int64_t>();
        return detail::generate({n}, out_type, dev,
                                [&](int64_t i) { return static_cast<int64_t>(ib + static_cast<uint64_t>(i) * is); });
    }
    return detail::generate({n}, out_type, dev, [&](int64_t i) { return b + static_cast<double>(i) * s; });
}

inline array linspace(const scalar& start, const scalar& stop, int64_t num = 50, bool endpoint = true,
                      std::optional<dtype> type = std::nullopt, device& dev = get_default_device()) {
    if (num < 0) throw_error<chainerx_error>("linspace: number of samples, ", num, ", must be non-negative");
    double b = start.to<double>(), e = stop.to<double>();
    int64_t div = endpoint ? num - 1 : num;
    double step = div > 0 ? (e - b) / static_cast<double>(div) : 0.0;
    return detail::generate({num}, type.value_or(dtype::float64), dev, [&](int64_t i) {
        if (endpoint && num > 1 && i == num - 1) return e;
        return b + static_cast<double>(i) * step;
    });
}

// N x M array with ones on the k-th diagonal.
inline array eye(int64_t n, std::optional<int64_t> m = std::nullopt, int64_t k = 0, dtype type = dtype::float64,
                 device& dev = get_default_device()) {
    int64_t cols = m.value_or(n);
    if (n < 0 || cols < 0) throw_error<dimension_error>("eye: negative dimensions are not allowed");
    return detail::generate({n, cols}, type, dev, [&](int64_t i) { return (i % cols) - (i / cols) == k ? 1 : 0; });
}
inline array identity(int64_t n, dtype type = dtype::float32, device& dev = get_default_device()) {
    return eye(n, std::nullopt, 0, type, dev);
}

// Ones at and below the k-th diagonal.
inline array tri(int64_t n, std::optional<int64_t> m = std::nullopt, int64_t k = 0, dtype type = dtype::float32,
                 device& dev = get_default_device()) {
    int64_t cols = m.value_or(n);
    if (n < 0 || cols < 0) throw_error<dimension_error>("tri: negative dimensions are not allowed");
    k = std::clamp(k, -n, cols);  // the same triangle; keeps k - 1 (triu) and the comparisons in range
    return detail::generate({n, cols}, type, dev, [&](int64_t i) { return (i % cols) - (i / cols) <= k ? 1 : 0; });
}

namespace detail {
inline array triangle(const array& m, int64_t k, bool lower, const char* name) {
    if (m.ndim() < 2) throw_error<dimension_error>(name, ": input must be at least 2-d, got shape ", m.shape());
    int64_t rows = m.shape()[m.ndim() - 2], cols = m.shape()[m.ndim() - 1];
    // lower keeps j - i <= k; upper keeps j - i >= k, the complement of j - i <= k - 1. Clamping k
    // gives the same triangle and keeps k - 1 from overflowing.
    k = std::clamp(k, -rows, cols);
    array mask = tri(rows, cols, lower ? k : k - 1, dtype::bool_, m.get_device());
    array zero = zeros({}, m.dtype(), m.get_device());  // keeps m's dtype, unlike a Python 0
    return lower ? where(mask, m, zero) : where(mask, zero, m);
}
}  // namespace detail
inline array tril(const array& m, int64_t k = 0) { return detail::triangle(m, k, true, "tril"); }
inline array triu(const array& m, int64_t k = 0) { return detail::triangle(m, k, false, "triu"); }

// View of the k-th diagonal of a 2-d array.
inline array diagonal_view(const array& a, int64_t k) {
    int64_t rows = a.shape()[0], cols = a.shape()[1];
    k = std::clamp(k, -rows, cols);  // the same (possibly empty) diagonal; keeps -k and the sums in range
    int64_t row0 = k < 0 ? -k : 0, col0 = k > 0 ? k : 0;
    int64_t n = std::max<int64_t>(0, std::min(rows - row0, cols - col0));
    int64_t offset = a.offset() + (n > 0 ? row0 * a.strides()[0] + col0 * a.strides()[1] : 0);
    return a.make_view({n}, {a.strides()[0] + a.strides()[1]}, offset);
}

// diag(v, k): the k-th diagonal of a 2-d v (a view, as NumPy's), or a 2-d array with v on its k-th
// diagonal.
inline array diag(const array& v, int64_t k = 0) {
    if (v.ndim() == 2) return diagonal_view(v, k);
    if (v.ndim() != 1) throw_error<dimension_error>("diag: input must be 1-d or 2-d, got shape ", v.shape());
    if (k == INT64_MIN) throw_too_big();
    int64_t n = checked_add(v.shape()[0], k < 0 ? -k : k);
    array out = zeros({n, n}, v.dtype(), v.get_device());
    copy_into(diagonal_view(out, k), v);
    return out;
}
inline array diagflat(const array& v, int64_t k = 0) { return diag(ravel(v), k); }

// Coordinate matrices; 'xy' (Cartesian) swaps the first two output axes, as NumPy's default.
inline std::vector<array> meshgrid(const std::vector<array>& xs, bool cartesian = true) {
    int n = static_cast<int>(xs.size());
    shape_t shape(n);
    for (int i = 0; i < n; ++i) shape[i] = xs[i].size();
    if (cartesian && n >= 2) std::swap(shape[0], shape[1]);
    std::vector<array> out;
    for (int i = 0; i < n; ++i) {
        int axis = cartesian && n >= 2 && i < 2 ? 1 - i : i;
        shape_t view_shape(n, 1);
        view_shape[axis] = xs[i].size();
        out.push_back(copy(broadcast_to(reshape(xs[i], view_shape), shape)));
    }
    return out;
}

}  // namespace chainerx
