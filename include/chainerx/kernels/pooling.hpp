#pragma once

// Pooling kernels over C-contiguous (planes, spatial...) arrays, one plane at a time (in parallel
// over planes): max pooling with the position of each maximum, gathering and scattering at those
// positions (max pooling's gradient and its adjoint), average pooling and its adjoint. T is a float
// type; 16-bit floats accumulate in float.
#include <cstdint>
#include <limits>
#include <vector>

#include "chainerx/kernels/im2col.hpp"
#include "chainerx/kernels/select.hpp"

namespace chainerx::kernels {

template <class T>
using pool_acc_t = std::conditional_t<(sizeof(T) < 4), float, T>;

// y = maximum over each window, index = its position in the plane (the first maximum; a nan wins;
// -1 and -inf for a window that lies entirely in the padding).
template <class T>
void max_pool(const window_geometry& g, const T* x, T* y, int64_t* index) {
    using C = pool_acc_t<T>;
    // One candidate, row[j] (at row_start + j in the plane), against the winner (best, best_at),
    // with branch-free selects.
    auto step = [](const T* row, int64_t row_start, int64_t j, C& best, int64_t& best_at) {
        C v = static_cast<C>(row[j]);
        bool wins = (best_at < 0) | (v > best) | ((v != v) & (best == best));
        best = select_bits(wins, v, best);
        best_at = select_bits(wins, row_start + j, best_at);
    };
    auto finish = [](const T* src, int64_t best_at, T& out, int64_t& out_at) {
        out = best_at < 0 ? T(-std::numeric_limits<C>::infinity()) : src[best_at];
        out_at = best_at;
    };
    for_each_plane(g, saturating_mul(g.out_volume, g.k_volume), [&](int64_t plane) {
        const T* src = x + plane * g.in_volume;
        T* dst = y + plane * g.out_volume;
        int64_t* idx = index + plane * g.out_volume;
        if (g.nd == 2) {
            // The common 2-D case a row of outputs at a time, kernel offset by kernel offset: the
            // outputs of a row are independent, so the loop over them overlaps (and vectorizes),
            // where one window at a time is a chain of dependent compare-selects.
            const int64_t width = g.out[1];
            std::vector<C> best(width);
            std::vector<int64_t> best_at(width);
            for (int64_t oy = 0; oy < g.out[0]; ++oy) {
                std::fill(best.begin(), best.end(), -std::numeric_limits<C>::infinity());
                std::fill(best_at.begin(), best_at.end(), int64_t{-1});
                int64_t y0 = oy * g.s[0] - g.p[0];
                for (int64_t r = std::max<int64_t>(y0, 0); r < std::min(y0 + g.k[0], g.in[0]); ++r) {
                    // Only kernel columns that reach the input for some output (k may be huge with
                    // a huge pad); finish() keeps these bounds in int64.
                    const int64_t kx_end = std::min(g.k[1], g.p[1] + g.in[1]);
                    for (int64_t kx = std::max<int64_t>(g.p[1] - (width - 1) * g.s[1], 0); kx < kx_end; ++kx) {
                        const int64_t first = kx - g.p[1];
                        auto [begin, end] = inside_range(first, g.s[1], g.in[1], width);
                        const T* row = src + r * g.in[1];
                        for (int64_t ox = begin; ox < end; ++ox)
                            step(row, r * g.in[1], ox * g.s[1] + first, best[ox], best_at[ox]);
                    }
                }
                for (int64_t ox = 0; ox < width; ++ox)
                    finish(src, best_at[ox], dst[oy * width + ox], idx[oy * width + ox]);
            }
            return;
        }
        for_each_window(g, [&](int64_t o, const int64_t* lo, const int64_t* hi) {
            C best = -std::numeric_limits<C>::infinity();
            int64_t best_at = -1;
            for_each_row_in_box(g, lo, hi, [&](int64_t row, int64_t begin, int64_t end) {
                for (int64_t j = begin; j < end; ++j) step(src + row, row, j, best, best_at);
            });
            finish(src, best_at, dst[o], idx[o]);
        });
    });
}

// out[o] = a[index[o]] in each plane (0 where index is -1).
template <class T>
void pool_gather(const window_geometry& g, const T* a, const int64_t* index, T* out) {
    for_each_plane(g, g.out_volume, [&](int64_t plane) {
        const T* src = a + plane * g.in_volume;
        const int64_t* idx = index + plane * g.out_volume;
        T* dst = out + plane * g.out_volume;
        for (int64_t o = 0; o < g.out_volume; ++o) dst[o] = idx[o] < 0 ? T(0) : src[idx[o]];
    });
}

// The adjoint of pool_gather: out (planes, in...) = sum of gy over the outputs pointing at each element.
template <class T>
void pool_scatter(const window_geometry& g, const T* gy, const int64_t* index, T* out) {
    using C = pool_acc_t<T>;
    for_each_plane(g, g.in_volume + g.out_volume, [&](int64_t plane) {
        const T* src = gy + plane * g.out_volume;
        const int64_t* idx = index + plane * g.out_volume;
        T* dst = out + plane * g.in_volume;
        std::fill(dst, dst + g.in_volume, T(0));
        for (int64_t o = 0; o < g.out_volume; ++o)
            if (idx[o] >= 0) dst[idx[o]] = T(static_cast<C>(dst[idx[o]]) + static_cast<C>(src[o]));
    });
}

// The divisor of a window: its elements inside the input ('ignore') or the whole window ('zero').
inline int64_t window_count(const window_geometry& g, const int64_t* lo, const int64_t* hi, bool ignore_pad) {
    if (!ignore_pad) return g.k_volume;
    int64_t count = 1;
    for (int d = 0; d < g.nd; ++d) count *= std::max<int64_t>(hi[d] - lo[d], 0);
    return count;
}

template <class T>
void average_pool(const window_geometry& g, bool ignore_pad, const T* x, T* y) {
    using C = pool_acc_t<T>;
    for_each_plane(g, saturating_mul(g.out_volume, g.k_volume), [&](int64_t plane) {
        const T* src = x + plane * g.in_volume;
        T* dst = y + plane * g.out_volume;
        for_each_window(g, [&](int64_t o, const int64_t* lo, const int64_t* hi) {
            C sum = 0;
            for_each_row_in_box(g, lo, hi, [&](int64_t row, int64_t begin, int64_t end) {
                for (int64_t i = row + begin; i < row + end; ++i) sum += static_cast<C>(src[i]);
            });
            dst[o] = T(sum / static_cast<C>(window_count(g, lo, hi, ignore_pad)));
        });
    });
}

// The adjoint of average_pool: each gy spread evenly (by the same divisor) over its window.
template <class T>
void average_pool_adjoint(const window_geometry& g, bool ignore_pad, const T* gy, T* out) {
    using C = pool_acc_t<T>;
    for_each_plane(g, saturating_mul(g.out_volume, g.k_volume), [&](int64_t plane) {
        const T* src = gy + plane * g.out_volume;
        T* dst = out + plane * g.in_volume;
        std::fill(dst, dst + g.in_volume, T(0));
        for_each_window(g, [&](int64_t o, const int64_t* lo, const int64_t* hi) {
            C v = static_cast<C>(src[o]) / static_cast<C>(window_count(g, lo, hi, ignore_pad));
            for_each_row_in_box(g, lo, hi, [&](int64_t row, int64_t begin, int64_t end) {
                for (int64_t i = row + begin; i < row + end; ++i) dst[i] = T(static_cast<C>(dst[i]) + v);
            });
        });
    });
}

}  // namespace chainerx::kernels
