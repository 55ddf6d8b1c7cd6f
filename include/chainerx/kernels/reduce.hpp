#pragma once

// The generic reduction kernel: one input reduced over a set of axes into one output whose axes are
// the input's other axes (any dense layout). A reduction op is a functor with
//   using in_type, acc_type, out_type;
//   static constexpr bool uses_index;       // whether map() looks at the element's position
//   acc_type identity() const;              // neutral element of combine
//   acc_type map(in_type x, int64_t i) const;   // i: flat C-order position in the reduced sub-space
//   acc_type combine(acc_type a, acc_type b) const;  // associative (and, when uses_index is false,
//                                                     // commutative up to rounding)
//   out_type finalize(acc_type a, int64_t n) const;  // n: number of reduced elements
// and optionally, for a faster route over contiguous runs of at most pairwise_block elements,
//   acc_type reduce_contiguous(const in_type* p, int64_t n, int64_t i0) const;
//
// The axes are simplified first (length-1 axes dropped, output axes ordered by the output's layout,
// reduced axes ordered by stride unless the op needs positions, adjacent axes merged). Then one of
// three strategies runs:
// - outputs whose innermost axis is contiguous in the input while the reduced axes are not (a sum
//   over axis 0 of a C-contiguous matrix): blocks of outputs accumulate row by row, vectorized
//   across outputs, reading the input sequentially; threads take blocks, or shares of the reduced
//   range when there are few blocks;
// - otherwise, few outputs (a full reduction, or fewer outputs than a few per thread): the reduced
//   range is split across threads and the partial results combined in order;
// - otherwise each output reduces its own sub-space, outputs in parallel.
// A contiguous run of reduced elements is summed pairwise (as NumPy does) over blocks that keep
// several independent accumulators, so that the compiler vectorizes the loop.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <numeric>

#include "chainerx/core/array.hpp"
#include "chainerx/device/device.hpp"
#include "chainerx/device/parallel.hpp"

namespace chainerx {

// A reduction after axis simplification. Strides are in bytes.
struct reduction_loop {
    const char* in = nullptr;
    char* out = nullptr;
    int out_ndim = 0;
    int64_t out_shape[max_ndim];
    int64_t out_in_strides[max_ndim];   // input strides along the output axes
    int64_t out_out_strides[max_ndim];  // output strides along the output axes
    int red_ndim = 0;
    int64_t red_shape[max_ndim];
    int64_t red_strides[max_ndim];
    int64_t out_size = 1;
    int64_t red_size = 1;

    // `reduced[i]` says whether input axis i is reduced; `out_strides` has one stride per input axis
    // (that of the keepdims-shaped output; ignored on reduced axes). With `keep_reduced_order` the
    // reduced axes keep their C order (ops that report positions need it).
    reduction_loop(const char* in_data, const shape_t& shape, const strides_t& in_strides, const bool* reduced,
                   char* out_data, const strides_t& out_strides, bool keep_reduced_order)
        : in(in_data), out(out_data) {
        int out_axes[max_ndim], red_axes[max_ndim];
        int n_out = 0, n_red = 0;
        for (int i = 0; i < shape.size(); ++i) {
            if (reduced[i]) {
                red_size *= shape[i];
                if (shape[i] != 1) red_axes[n_red++] = i;
            } else {
                out_size *= shape[i];
                if (shape[i] != 1) out_axes[n_out++] = i;
            }
        }
        auto abs64 = [](int64_t v) { return v < 0 ? -v : v; };
        // Outer to inner by the output's layout (the output is dense, so its strides are distinct).
        std::stable_sort(out_axes, out_axes + n_out,
                         [&](int a, int b) { return abs64(out_strides[a]) > abs64(out_strides[b]); });
        if (!keep_reduced_order)
            std::stable_sort(red_axes, red_axes + n_red,
                             [&](int a, int b) { return abs64(in_strides[a]) > abs64(in_strides[b]); });
        for (int k = 0; k < n_out; ++k) {
            int axis = out_axes[k];
            int64_t extent = shape[axis];
            if (out_ndim > 0 && out_in_strides[out_ndim - 1] == in_strides[axis] * extent &&
                out_out_strides[out_ndim - 1] == out_strides[axis] * extent) {
                out_shape[out_ndim - 1] *= extent;
                out_in_strides[out_ndim - 1] = in_strides[axis];
                out_out_strides[out_ndim - 1] = out_strides[axis];
            } else {
                out_shape[out_ndim] = extent;
                out_in_strides[out_ndim] = in_strides[axis];
                out_out_strides[out_ndim] = out_strides[axis];
                ++out_ndim;
            }
        }
        for (int k = 0; k < n_red; ++k) {
            int axis = red_axes[k];
            int64_t extent = shape[axis];
            if (red_ndim > 0 && red_strides[red_ndim - 1] == in_strides[axis] * extent) {
                red_shape[red_ndim - 1] *= extent;
                red_strides[red_ndim - 1] = in_strides[axis];
            } else {
                red_shape[red_ndim] = extent;
                red_strides[red_ndim] = in_strides[axis];
                ++red_ndim;
            }
        }
    }
};

namespace detail {

// Walks an index space in C order, tracking N byte offsets.
template <int N>
struct offset_walker {
    int ndim;
    const int64_t* shape;
    const int64_t* strides[N];
    int64_t index[max_ndim];
    int64_t offset[N];

    void seek(int64_t flat) {
        for (int k = 0; k < N; ++k) offset[k] = 0;
        for (int axis = ndim - 1; axis >= 0; --axis) {
            index[axis] = flat % shape[axis];
            flat /= shape[axis];
            for (int k = 0; k < N; ++k) offset[k] += index[axis] * strides[k][axis];
        }
    }
    void next() {
        for (int axis = ndim - 1; axis >= 0; --axis) {
            for (int k = 0; k < N; ++k) offset[k] += strides[k][axis];
            if (++index[axis] < shape[axis]) return;
            for (int k = 0; k < N; ++k) offset[k] -= strides[k][axis] * shape[axis];
            index[axis] = 0;
        }
    }
};

// Independent accumulators per leaf block: enough to fill several vector registers.
template <class Acc>
inline constexpr int num_accumulators = sizeof(Acc) >= 16                         ? 4
                                        : static_cast<int>(128 / sizeof(Acc)) < 8 ? 8
                                                                                  : static_cast<int>(128 / sizeof(Acc));
inline constexpr int64_t pairwise_block = 2048;

// Reduces n <= pairwise_block elements starting at p, `stride` bytes apart (sizeof(In) when
// Contiguous), with K independent accumulators; the first element has position i0.
template <bool Contiguous, class Op>
CHAINERX_ALWAYS_INLINE typename Op::acc_type reduce_leaf(const Op& op, const char* p, int64_t stride, int64_t n,
                                                         int64_t i0) {
    using In = typename Op::in_type;
    using Acc = typename Op::acc_type;
    constexpr int K = num_accumulators<Acc>;
    if constexpr (Contiguous && requires { op.reduce_contiguous(static_cast<const In*>(nullptr), n, i0); })
        return op.reduce_contiguous(reinterpret_cast<const In*>(p), n, i0);
    auto load = [&](int64_t i) -> In {
        if constexpr (Contiguous) {
            return reinterpret_cast<const In*>(p)[i];
        } else {
            return *reinterpret_cast<const In*>(p + i * stride);
        }
    };
    Acc acc[K];
    for (int k = 0; k < K; ++k) acc[k] = op.identity();
    int64_t i = 0;
    for (; i + K <= n; i += K) {
#pragma omp simd
        for (int k = 0; k < K; ++k) acc[k] = op.combine(acc[k], op.map(load(i + k), i0 + i + k));
    }
    for (int k = 0; i < n; ++i, ++k) acc[k] = op.combine(acc[k], op.map(load(i), i0 + i));
    for (int width = K / 2; width > 0; width /= 2)
        for (int k = 0; k < width; ++k) acc[k] = op.combine(acc[k], acc[k + width]);
    return acc[0];
}

// One row of the row strategy: acc[j] = combine(acc[j], map(p[j], r)) for j < len.
template <class Op>
CHAINERX_ALWAYS_INLINE void accumulate_row(const Op& op, typename Op::acc_type* __restrict__ acc,
                                           const typename Op::in_type* __restrict__ p, int64_t len, int64_t r) {
#pragma omp simd
    for (int64_t j = 0; j < len; ++j) acc[j] = op.combine(acc[j], op.map(p[j], r));
}

// On x86-64 the hot loops are compiled twice, for the baseline ISA and for AVX2, and picked at run
// time, so that a default (SSE2) build still uses 256-bit vectors where the CPU has them.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__CUDACC__) && !defined(__AVX2__)
#define CHAINERX_REDUCE_AVX2_CLONES 1
inline bool cpu_has_avx2() {
    static const bool has = __builtin_cpu_supports("avx2");
    return has;
}
template <bool Contiguous, class Op>
__attribute__((target("avx2"))) typename Op::acc_type reduce_leaf_avx2(const Op& op, const char* p, int64_t stride,
                                                                       int64_t n, int64_t i0) {
    return reduce_leaf<Contiguous>(op, p, stride, n, i0);
}
template <class Op>
__attribute__((target("avx2"))) void accumulate_row_avx2(const Op& op, typename Op::acc_type* acc,
                                                         const typename Op::in_type* p, int64_t len, int64_t r) {
    accumulate_row(op, acc, p, len, r);
}
#endif

// Reduces n elements starting at p, `stride` bytes apart; pairwise above pairwise_block elements.
template <bool Contiguous, class Op>
typename Op::acc_type reduce_run(const Op& op, const char* p, int64_t stride, int64_t n, int64_t i0) {
    using Acc = typename Op::acc_type;
    constexpr int K = num_accumulators<Acc>;
    if (n > pairwise_block) {
        int64_t half = (n / 2) / K * K;
        Acc left = reduce_run<Contiguous>(op, p, stride, half, i0);
        Acc right = reduce_run<Contiguous>(op, p + half * stride, stride, n - half, i0 + half);
        return op.combine(left, right);
    }
#if defined(CHAINERX_REDUCE_AVX2_CLONES)
    if (cpu_has_avx2()) return reduce_leaf_avx2<Contiguous>(op, p, stride, n, i0);
#endif
    return reduce_leaf<Contiguous>(op, p, stride, n, i0);
}

// Reduces the reduced positions [begin, end) of the output whose input sub-space starts at base.
template <class Op>
typename Op::acc_type reduce_span(const Op& op, const reduction_loop& loop, const char* base, int64_t begin,
                                  int64_t end) {
    using In = typename Op::in_type;
    using Acc = typename Op::acc_type;
    if (loop.red_ndim == 0) {
        Acc acc = op.identity();
        if (begin < end) acc = op.combine(acc, op.map(*reinterpret_cast<const In*>(base), 0));
        return acc;
    }
    int inner = loop.red_ndim - 1;
    int64_t extent = loop.red_shape[inner], stride = loop.red_strides[inner];
    offset_walker<1> walker{inner, loop.red_shape, {loop.red_strides}, {}, {}};
    walker.seek(begin / extent);
    int64_t i = begin % extent;
    Acc acc = op.identity();
    for (int64_t pos = begin; pos < end;) {
        int64_t count = std::min(extent - i, end - pos);
        const char* p = base + walker.offset[0] + i * stride;
        Acc part = stride == static_cast<int64_t>(sizeof(In)) ? reduce_run<true>(op, p, stride, count, pos)
                                                              : reduce_run<false>(op, p, stride, count, pos);
        acc = op.combine(acc, part);
        pos += count;
        i = 0;
        walker.next();
    }
    return acc;
}

template <class Op>
void write_output(const Op& op, char* out, typename Op::acc_type acc, int64_t n) {
    *reinterpret_cast<typename Op::out_type*>(out) = op.finalize(acc, n);
}

// Strategy 1: few outputs, each reduced by all threads over a share of its reduced range.
template <class Op>
void reduce_split(const Op& op, const reduction_loop& loop, int threads) {
    using Acc = typename Op::acc_type;
    // Not std::vector: its bool specialization packs bits, which threads cannot write concurrently.
    std::unique_ptr<Acc[]> partial(new Acc[static_cast<size_t>(threads * loop.out_size)]);
    for (int64_t i = 0; i < threads * loop.out_size; ++i) partial[i] = op.identity();
    auto body = [&](int t, int nt) {
        offset_walker<2> walker{loop.out_ndim, loop.out_shape, {loop.out_in_strides, loop.out_out_strides}, {}, {}};
        walker.seek(0);
        int64_t begin = loop.red_size * t / nt, end = loop.red_size * (t + 1) / nt;
        for (int64_t o = 0; o < loop.out_size; ++o, walker.next())
            if (begin < end) partial[o * threads + t] = reduce_span(op, loop, loop.in + walker.offset[0], begin, end);
    };
#if defined(_OPENMP)
    if (threads > 1) {
#pragma omp parallel num_threads(threads)
        body(omp_get_thread_num(), omp_get_num_threads());
    } else {
        body(0, 1);
    }
#else
    body(0, 1);
#endif
    offset_walker<1> walker{loop.out_ndim, loop.out_shape, {loop.out_out_strides}, {}, {}};
    walker.seek(0);
    for (int64_t o = 0; o < loop.out_size; ++o, walker.next()) {
        Acc acc = partial[o * threads];
        for (int t = 1; t < threads; ++t) acc = op.combine(acc, partial[o * threads + t]);
        write_output(op, loop.out + walker.offset[0], acc, loop.red_size);
    }
}

// Strategy 2: the innermost output axis is contiguous in the input; blocks of outputs accumulate
// one reduced position at a time, vectorized across the block, reading the input sequentially.
// With fewer blocks than threads, the threads split the reduced range and combine their results.
template <class Op>
void reduce_rows(const Op& op, const reduction_loop& loop) {
    using In = typename Op::in_type;
    using Acc = typename Op::acc_type;
    constexpr int64_t max_block = 4096;
    int inner = loop.out_ndim - 1;
    int64_t extent = loop.out_shape[inner];
    int64_t blocks_per_row = (extent + max_block - 1) / max_block;
    int64_t block = (extent + blocks_per_row - 1) / blocks_per_row;
    int64_t num_blocks = loop.out_size / extent * blocks_per_row;
    int64_t out_stride = loop.out_out_strides[inner];
#if defined(CHAINERX_REDUCE_AVX2_CLONES)
    const bool avx2 = cpu_has_avx2();
#endif
    // Accumulates reduced positions [r0, r1) of block blk into acc.
    auto accumulate_block = [&](Acc* acc, int64_t blk, int64_t r0, int64_t r1) {
        offset_walker<1> row_walker{inner, loop.out_shape, {loop.out_in_strides}, {}, {}};
        row_walker.seek(blk / blocks_per_row);
        int64_t j0 = blk % blocks_per_row * block;
        int64_t len = std::min(block, extent - j0);
        const char* base = loop.in + row_walker.offset[0] + j0 * static_cast<int64_t>(sizeof(In));
        for (int64_t j = 0; j < len; ++j) acc[j] = op.identity();
        offset_walker<1> red_walker{loop.red_ndim, loop.red_shape, {loop.red_strides}, {}, {}};
        red_walker.seek(r0);
        for (int64_t r = r0; r < r1; ++r, red_walker.next()) {
            const In* p = reinterpret_cast<const In*>(base + red_walker.offset[0]);
#if defined(CHAINERX_REDUCE_AVX2_CLONES)
            if (avx2) {
                accumulate_row_avx2(op, acc, p, len, r);
                continue;
            }
#endif
            accumulate_row(op, acc, p, len, r);
        }
    };
    auto write_block = [&](const Acc* acc, int64_t blk) {
        offset_walker<1> row_walker{inner, loop.out_shape, {loop.out_out_strides}, {}, {}};
        row_walker.seek(blk / blocks_per_row);
        int64_t j0 = blk % blocks_per_row * block;
        int64_t len = std::min(block, extent - j0);
        char* out = loop.out + row_walker.offset[0] + j0 * out_stride;
        for (int64_t j = 0; j < len; ++j) write_output(op, out + j * out_stride, acc[j], loop.red_size);
    };
    int threads = max_threads();
    int64_t work = loop.out_size * loop.red_size;
    if (num_blocks >= 2 * static_cast<int64_t>(threads) || threads == 1 || work < parallel_threshold ||
        loop.red_size < 2 * static_cast<int64_t>(threads)) {
        int64_t work_per_block = block * loop.red_size;
        int64_t threshold = std::max<int64_t>(parallel_threshold / std::max<int64_t>(work_per_block, 1), 1);
        parallel_for(num_blocks, threshold, [&](int64_t b, int64_t e) {
            std::unique_ptr<Acc[]> acc(new Acc[static_cast<size_t>(block)]);
            for (int64_t blk = b; blk < e; ++blk) {
                accumulate_block(acc.get(), blk, 0, loop.red_size);
                write_block(acc.get(), blk);
            }
        });
        return;
    }
    // Few blocks: every thread takes a share of the reduced range of every block.
    std::unique_ptr<Acc[]> storage(new Acc[static_cast<size_t>(threads * num_blocks * block)]);
    Acc* partial = storage.get();
    for (int64_t i = 0; i < threads * num_blocks * block; ++i) partial[i] = op.identity();
    auto body = [&](int t, int nt) {
        int64_t r0 = loop.red_size * t / nt, r1 = loop.red_size * (t + 1) / nt;
        for (int64_t blk = 0; blk < num_blocks; ++blk)
            accumulate_block(partial + (t * num_blocks + blk) * block, blk, r0, r1);
    };
#if defined(_OPENMP)
#pragma omp parallel num_threads(threads)
    body(omp_get_thread_num(), omp_get_num_threads());
#else
    body(0, 1);
#endif
    for (int64_t blk = 0; blk < num_blocks; ++blk) {
        Acc* acc = partial + blk * block;
        for (int t = 1; t < threads; ++t) {
            const Acc* other = partial + (t * num_blocks + blk) * block;
            for (int64_t j = 0; j < block; ++j) acc[j] = op.combine(acc[j], other[j]);
        }
        write_block(acc, blk);
    }
}

// Strategy 3: outputs in parallel, each reducing its whole sub-space.
template <class Op>
void reduce_each(const Op& op, const reduction_loop& loop) {
    int64_t threshold = std::max<int64_t>(parallel_threshold / std::max<int64_t>(loop.red_size, 1), 1);
    parallel_for(loop.out_size, threshold, [&](int64_t b, int64_t e) {
        offset_walker<2> walker{loop.out_ndim, loop.out_shape, {loop.out_in_strides, loop.out_out_strides}, {}, {}};
        walker.seek(b);
        for (int64_t o = b; o < e; ++o, walker.next())
            write_output(op, loop.out + walker.offset[1],
                         reduce_span(op, loop, loop.in + walker.offset[0], 0, loop.red_size), loop.red_size);
    });
}

}  // namespace detail

// Runs the reduction on the host.
template <class Op>
void reduce_native(const Op& op, const reduction_loop& loop) {
    using In = typename Op::in_type;
    if (loop.out_size == 0) return;
    long_running_scope unlock(loop.out_size * loop.red_size);
    if (loop.red_size == 0) {
        detail::offset_walker<1> walker{loop.out_ndim, loop.out_shape, {loop.out_out_strides}, {}, {}};
        walker.seek(0);
        for (int64_t o = 0; o < loop.out_size; ++o, walker.next())
            detail::write_output(op, loop.out + walker.offset[0], op.identity(), 0);
        return;
    }
    int64_t work = loop.out_size * loop.red_size;
    int threads = max_threads();
    bool rows = loop.out_ndim > 0 && loop.red_ndim > 0 && loop.red_size > 1 &&
                loop.out_in_strides[loop.out_ndim - 1] == static_cast<int64_t>(sizeof(In)) &&
                loop.red_strides[loop.red_ndim - 1] != static_cast<int64_t>(sizeof(In)) &&
                loop.out_shape[loop.out_ndim - 1] >= 8;
    if (rows) {
        detail::reduce_rows(op, loop);
    } else if (loop.out_size < 8 * static_cast<int64_t>(threads)) {
        // Threads share each output's reduced range when there is enough of it.
        int64_t share = std::max<int64_t>(parallel_threshold / 2, 1);
        int nt = static_cast<int>(std::clamp<int64_t>(loop.red_size / share, 1, threads));
        if (work < parallel_threshold) nt = 1;
        detail::reduce_split(op, loop, nt);
    } else {
        detail::reduce_each(op, loop);
    }
}

// Reduces `in` over the axes flagged in `reduced` into `out`, an array with the input's
// non-reduced axes (`out_strides`: one stride per input axis, as for keepdims), on in's device.
template <class Op>
void run_reduction(const char* name, const Op& op, const array& in, const bool* reduced, const array& out,
                   const strides_t& out_strides) {
    device& dev = in.get_device();
    if (!dev.is_host())
        throw_error<not_implemented_error>(name, ": reductions are not implemented on device ", dev.name());
    reduction_loop loop(static_cast<const char*>(in.raw_data()), in.shape(), in.strides(), reduced,
                        static_cast<char*>(out.raw_data()), out_strides, Op::uses_index);
    reduce_native(op, loop);
}

}  // namespace chainerx
