#pragma once

// Sliding-window geometry shared by convolution and pooling, and the im2col / col2im kernels.
// Arrays are C-contiguous (n, c, d1, ..., dN); each (n, c) "plane" is processed independently, in
// parallel over planes. A column array has shape (n, c, k1, ..., kN, o1, ..., oN): for each kernel
// offset and output position, the input element under it (0 outside the input). Its buffer is laid
// out batch-major (C order) or channel-major, (c, k..., n, o...), see column_layout.
#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "chainerx/core/errors.hpp"
#include "chainerx/core/shape.hpp"
#include "chainerx/device/parallel.hpp"

namespace chainerx {

// Chainer's output size of a window of k, stride s, padding p over `size` elements. cover_all adds
// the windows needed so that every input element is covered.
// (Python's floor division, so that a window larger than the padded input gives 0 or less.)
// Computed in 128 bits and clamped to int64, so that huge sizes, pads and strides cannot wrap (a
// clamped size is then refused by window_geometry::finish or the array's size check).
namespace detail {
inline int64_t clamp_to_int64(__int128 v) {
    return static_cast<int64_t>(std::clamp<__int128>(v, INT64_MIN, INT64_MAX));
}
}  // namespace detail
inline int64_t conv_outsize(int64_t size, int64_t k, int64_t s, int64_t p, bool cover_all) {
    __int128 span = __int128{size} + 2 * __int128{p} - k + (cover_all ? __int128{s} - 1 : 0);
    return detail::clamp_to_int64((span >= 0 ? span / s : -((-span + s - 1) / s)) + 1);
}
// The input size a transposed convolution produces by default (the inverse, without cover_all).
inline int64_t deconv_outsize(int64_t size, int64_t k, int64_t s, int64_t p) {
    return detail::clamp_to_int64(__int128{s} * (size - 1) + k - 2 * __int128{p});
}

inline int64_t saturating_mul(int64_t a, int64_t b) {  // a, b >= 0
    int64_t r;
    return __builtin_mul_overflow(a, b, &r) ? INT64_MAX : r;
}

struct window_geometry {
    int nd = 0;                 // spatial dimensions
    int64_t planes = 0;         // n * c
    int64_t in[max_ndim] = {};  // spatial input sizes
    int64_t out[max_ndim] = {};
    int64_t k[max_ndim] = {};
    int64_t s[max_ndim] = {};
    int64_t p[max_ndim] = {};
    int64_t in_volume = 1, out_volume = 1, k_volume = 1;

    // Checks that every coordinate a window touches, from -p to (out - 1) * s + k - p, and the
    // padded input in + 2p fit in int64, so that the kernels' index arithmetic cannot overflow;
    // then computes the volumes (checked too).
    void finish(const char* op) {
        in_volume = out_volume = k_volume = 1;
        for (int d = 0; d < nd; ++d) {
            int64_t reach, padded;
            if (__builtin_mul_overflow(std::max<int64_t>(out[d] - 1, 0), s[d], &reach) ||
                __builtin_add_overflow(reach, k[d], &reach) || __builtin_mul_overflow(p[d], 2, &padded) ||
                __builtin_add_overflow(padded, in[d], &padded))
                throw_error<dimension_error>(op, ": the window geometry is too large on axis ", 2 + d, " (size ", in[d],
                                             ", ksize ", k[d], ", stride ", s[d], ", pad ", p[d], ", output size ",
                                             out[d], ")");
            in_volume = checked_mul(in_volume, in[d]);
            out_volume = checked_mul(out_volume, out[d]);
            // A window may be huge (most of it padding): its volume saturates, as only the work
            // estimate and average_pool's divisor for pad_mode 'zero' read it.
            k_volume = saturating_mul(k_volume, k[d]);
        }
    }
};

// A per-spatial-axis parameter: one value for every axis, or one per axis.
inline dims expand_spatial(const char* op, const char* name, const dims& values, int nd) {
    if (values.size() == 1 && nd != 1) return dims(nd, values[0]);
    if (values.size() != nd)
        throw_error<dimension_error>(op, ": ", name, " must have one value or ", nd, " (one per spatial axis), got ",
                                     values);
    return values;
}

// Geometry of windows of `ksize` over x's spatial axes (x is (n, c, d1, ..., dN)), validated.
inline window_geometry make_window_geometry(const char* op, const shape_t& x_shape, const dims& ksize,
                                            const dims& stride, const dims& pad, bool cover_all) {
    if (x_shape.size() < 3)
        throw_error<dimension_error>(op, ": x must have at least 3 dimensions (n, c, spatial...), got shape ", x_shape);
    window_geometry g;
    g.nd = x_shape.size() - 2;
    g.planes = x_shape[0] * x_shape[1];
    dims k = expand_spatial(op, "ksize", ksize, g.nd), s = expand_spatial(op, "stride", stride, g.nd),
         p = expand_spatial(op, "pad", pad, g.nd);
    for (int d = 0; d < g.nd; ++d) {
        if (k[d] <= 0) throw_error<dimension_error>(op, ": ksize must be positive, got ", k);
        if (s[d] <= 0) throw_error<dimension_error>(op, ": stride must be positive, got ", s);
        if (p[d] < 0) throw_error<dimension_error>(op, ": pad must be non-negative, got ", p);
        g.in[d] = x_shape[2 + d];
        g.k[d] = k[d];
        g.s[d] = s[d];
        g.p[d] = p[d];
        g.out[d] = conv_outsize(g.in[d], k[d], s[d], p[d], cover_all);
        if (g.out[d] <= 0)
            throw_error<dimension_error>(op, ": the window (ksize ", k, ", stride ", s, ", pad ", p,
                                         ") does not fit the input of spatial shape ", x_shape, "; output size ",
                                         g.out[d], " on axis ", 2 + d);
    }
    g.finish(op);
    return g;
}

// Where each plane's columns lie in a column buffer. Batch-major is C order, (n, c, k..., o...).
// Channel-major, (c, k..., n, o...), makes the columns of a whole batch one (c*k, n*o) matrix, so that
// a convolution over the batch is a single matrix product instead of one small one per sample.
struct column_layout {
    bool channel_major = false;
    int64_t channels = 1;  // c (channel-major only)

    // Offset of plane (i, j) = i * channels + j's first column entry, and between kernel offsets.
    int64_t plane_offset(const window_geometry& g, int64_t plane) const {
        if (!channel_major) return plane * g.k_volume * g.out_volume;
        return (plane % channels) * g.k_volume * batch(g) * g.out_volume + (plane / channels) * g.out_volume;
    }
    int64_t k_stride(const window_geometry& g) const { return channel_major ? batch(g) * g.out_volume : g.out_volume; }
    int64_t batch(const window_geometry& g) const { return channels > 0 ? g.planes / channels : 0; }
};

namespace kernels {

// Runs body(plane) for every plane, in parallel when the total work is large enough.
template <class Body>
void for_each_plane(const window_geometry& g, int64_t work_per_plane, Body&& body) {
    int64_t threshold = std::max<int64_t>(1, parallel_threshold / std::max<int64_t>(work_per_plane, 1));
    parallel_for(g.planes, threshold, [&](int64_t begin, int64_t end) {
        for (int64_t plane = begin; plane < end; ++plane) body(plane);
    });
}

// Advances a multi-index over [lo, hi) in axes [0, n); false when it wraps around.
inline bool advance(int64_t* pos, const int64_t* lo, const int64_t* hi, int n) {
    for (int d = n - 1; d >= 0; --d) {
        if (++pos[d] < hi[d]) return true;
        pos[d] = lo[d];
    }
    return false;
}

// Calls f(o, lo, hi) for every output position o of a plane, with the window clipped to the input.
// The last axis is the inner loop, so that only its bounds change per position.
template <class F>
void for_each_window(const window_geometry& g, F&& f) {
    int last = g.nd - 1;
    int64_t pos[max_ndim] = {}, zero[max_ndim] = {}, lo[max_ndim], hi[max_ndim];
    int64_t out_last = g.out[last], s_last = g.s[last], p_last = g.p[last], k_last = g.k[last], in_last = g.in[last];
    int64_t rows = out_last > 0 ? g.out_volume / out_last : 0;
    for (int64_t r = 0, o = 0; r < rows; ++r) {
        for (int d = 0; d < last; ++d) {
            int64_t start = pos[d] * g.s[d] - g.p[d];
            lo[d] = std::max<int64_t>(start, 0);
            hi[d] = std::min<int64_t>(start + g.k[d], g.in[d]);
        }
        for (int64_t j = 0; j < out_last; ++j, ++o) {
            int64_t start = j * s_last - p_last;
            lo[last] = std::max<int64_t>(start, 0);
            hi[last] = std::min<int64_t>(start + k_last, in_last);
            f(o, static_cast<const int64_t*>(lo), static_cast<const int64_t*>(hi));
        }
        advance(pos, zero, g.out, last);
    }
}

// Calls f(row, begin, end) for every innermost row of the box [lo, hi): the plane offsets
// row + i, i in [begin, end). One and two spatial axes take direct loops.
template <class F>
void for_each_row_in_box(const window_geometry& g, const int64_t* lo, const int64_t* hi, F&& f) {
    for (int d = 0; d < g.nd; ++d)
        if (lo[d] >= hi[d]) return;
    int last = g.nd - 1;
    if (g.nd == 1) {
        f(int64_t{0}, lo[0], hi[0]);
        return;
    }
    if (g.nd == 2) {
        for (int64_t r = lo[0]; r < hi[0]; ++r) f(r * g.in[1], lo[1], hi[1]);
        return;
    }
    int64_t pos[max_ndim];
    std::copy(lo, lo + g.nd, pos);
    do {
        int64_t row = 0;
        for (int d = 0; d < last; ++d) row = row * g.in[d] + pos[d];
        f(row * g.in[last], lo[last], hi[last]);
    } while (advance(pos, lo, hi, last));
}

// Visits the column entries of a plane: f(col_row, in_row, valid) for every kernel offset and
// every output position but the last axis; the row then runs over the last output axis j with
// input position in_row + j * s_last + k_last - p_last (valid says the other axes are inside).
// col_row is the row's offset from the plane's first entry, kernel offsets k_stride apart.
template <class F>
void for_each_column_row(const window_geometry& g, int64_t k_stride, F&& f) {
    int last = g.nd - 1;
    int64_t kpos[max_ndim] = {}, opos[max_ndim] = {}, zero[max_ndim] = {};
    int64_t rows_per_offset = g.out_volume / g.out[last];
    int64_t k_start = 0;
    do {
        std::fill(opos, opos + g.nd, 0);
        int64_t col_row = k_start;
        k_start += k_stride;
        for (int64_t r = 0; r < rows_per_offset; ++r, col_row += g.out[last]) {
            bool valid = true;
            int64_t in_row = 0;
            for (int d = 0; d < last; ++d) {
                int64_t i = opos[d] * g.s[d] + kpos[d] - g.p[d];
                valid = valid && i >= 0 && i < g.in[d];
                in_row = in_row * g.in[d] + i;
            }
            f(col_row, in_row * g.in[last], kpos[last], valid);
            advance(opos, zero, g.out, last);
        }
    } while (advance(kpos, zero, g.k, g.nd));
}

// The outputs j in [0, out) of a row whose input position j * s + first lies in [0, in), as a range
// [begin, end): the rest of the row is padding.
inline std::pair<int64_t, int64_t> inside_range(int64_t first, int64_t s, int64_t in, int64_t out) {
    // Ceiling divisions written as (n - 1) / s + 1, so that a huge stride cannot overflow.
    int64_t begin = std::min(first >= 0 ? 0 : (-first - 1) / s + 1, out);
    int64_t end = in - first > 0 ? (in - first - 1) / s + 1 : 0;
    return {begin, std::clamp(end, begin, out)};
}

// x: (planes, in...) -> col: (planes, k..., out...) in the given layout.
template <class T>
void im2col(const window_geometry& g, const T* x, T* col, column_layout layout = {}) {
    int last = g.nd - 1;
    int64_t out_last = g.out[last], in_last = g.in[last], s_last = g.s[last], p_last = g.p[last];
    const int64_t k_stride = layout.k_stride(g);
    for_each_plane(g, g.k_volume * g.out_volume, [&](int64_t plane) {
        const T* src = x + plane * g.in_volume;
        T* dst = col + layout.plane_offset(g, plane);
        for_each_column_row(g, k_stride, [&](int64_t col_row, int64_t in_row, int64_t k_last, bool valid) {
            T* out = dst + col_row;
            if (!valid) {
                std::fill(out, out + out_last, T(0));
                return;
            }
            const T* in = src + in_row;
            const int64_t first = k_last - p_last;
            auto [begin, end] = inside_range(first, s_last, in_last, out_last);
            std::fill(out, out + begin, T(0));
            if (s_last == 1) {
                std::copy(in + (begin + first), in + (end + first), out + begin);
            } else {
                for (int64_t j = begin; j < end; ++j) out[j] = in[j * s_last + first];
            }
            std::fill(out + end, out + out_last, T(0));
        });
    });
}

// The adjoint of im2col: x (planes, in...) = sum of the column entries over each element.
template <class T, class Acc>
void col2im(const window_geometry& g, const T* col, T* x, column_layout layout = {}) {
    int last = g.nd - 1;
    int64_t out_last = g.out[last], in_last = g.in[last], s_last = g.s[last], p_last = g.p[last];
    const int64_t k_stride = layout.k_stride(g);
    for_each_plane(g, g.k_volume * g.out_volume, [&](int64_t plane) {
        // Accumulate in Acc (float for 16-bit floats) in a per-plane buffer when T is narrower.
        T* dst = x + plane * g.in_volume;
        const T* src = col + layout.plane_offset(g, plane);
        auto run = [&](Acc* acc) {
            std::fill(acc, acc + g.in_volume, Acc(0));
            for_each_column_row(g, k_stride, [&](int64_t col_row, int64_t in_row, int64_t k_last, bool valid) {
                if (!valid) return;
                const T* in = src + col_row;
                Acc* out = acc + in_row;
                const int64_t first = k_last - p_last;
                auto [begin, end] = inside_range(first, s_last, in_last, out_last);
                for (int64_t j = begin; j < end; ++j) out[j * s_last + first] += static_cast<Acc>(in[j]);
            });
        };
        if constexpr (std::is_same_v<T, Acc>) {
            run(dst);
        } else {
            std::vector<Acc> buffer(static_cast<size_t>(g.in_volume));
            run(buffer.data());
            for (int64_t i = 0; i < g.in_volume; ++i) dst[i] = T(buffer[i]);
        }
    });
}

}  // namespace kernels
}  // namespace chainerx
