#pragma once

// The generic elementwise kernel: one output and N inputs, already broadcast to one shape (stride 0
// on broadcast axes; a scalar is an operand with all strides 0). Axes are simplified first (length-1
// axes dropped, axes that are contiguous for every operand merged); a 1-d loop over contiguous or
// scalar operands takes a vectorizable fast path, anything else the strided path. Both run in
// parallel above a size threshold. The op is a functor whose call operator is host+device, so CUDA
// instantiates the same body (cuda/elementwise.cuh).
#include <cstdint>
#include <tuple>
#include <utility>

#include "chainerx/core/array.hpp"
#include "chainerx/core/errors.hpp"
#include "chainerx/device/device.hpp"
#include "chainerx/device/parallel.hpp"

namespace chainerx {

// One operand of an elementwise loop: a base pointer and byte strides over the loop's shape.
struct loop_operand {
    char* data;
    strides_t strides;
};

// An elementwise loop over N operands (output first) after axis simplification.
template <int N>
struct elementwise_loop {
    int ndim = 0;
    int64_t shape[max_ndim];
    char* data[N];
    int64_t strides[N][max_ndim];
    int64_t size = 1;

    elementwise_loop(const shape_t& full_shape, const loop_operand* operands) {
        for (int k = 0; k < N; ++k) data[k] = operands[k].data;
        for (int axis = 0; axis < full_shape.size(); ++axis) {
            int64_t extent = full_shape[axis];
            size *= extent;
            if (extent == 1) continue;
            bool mergeable = ndim > 0;
            for (int k = 0; k < N && mergeable; ++k)
                mergeable = strides[k][ndim - 1] == operands[k].strides[axis] * extent;
            if (mergeable) {
                shape[ndim - 1] *= extent;
                for (int k = 0; k < N; ++k) strides[k][ndim - 1] = operands[k].strides[axis];
            } else {
                shape[ndim] = extent;
                for (int k = 0; k < N; ++k) strides[k][ndim] = operands[k].strides[axis];
                ++ndim;
            }
        }
    }
};

namespace detail {

// Elements of work an op's element costs, relative to an add; scales the parallel threshold.
template <class Op>
constexpr int64_t op_cost() {
    if constexpr (requires { Op::cost; }) {
        return Op::cost;
    } else {
        return 1;
    }
}

// Contiguous loop; bit k of ScalarMask set means input k is a scalar (stride 0). Pointers are
// passed by value and scalars loaded once, so the compiler can keep them in registers and vectorize.
template <unsigned ScalarMask, size_t K, class In>
CHAINERX_ALWAYS_INLINE In load(const In* p, In scalar_value, int64_t i) {
    if constexpr ((ScalarMask >> K) & 1u) {
        return scalar_value;
    } else {
        return p[i];
    }
}

template <unsigned ScalarMask, class Op, class Out, class... In, size_t... K>
void contiguous_loop(Op op, Out* __restrict__ out, int64_t begin, int64_t end, std::index_sequence<K...>,
                     const In*... in) {
    const std::tuple<In...> scalars{((ScalarMask >> K) & 1u ? *in : In{})...};
#pragma omp simd
    for (int64_t i = begin; i < end; ++i) out[i] = op(load<ScalarMask, K>(in, std::get<K>(scalars), i)...);
}

// Not inlined: one copy serves the OpenMP loop and a device's own loop (it runs once per chunk).
template <class Op, class Out, class... In, size_t... K>
[[gnu::noinline]] void strided_loop(Op op, const elementwise_loop<1 + sizeof...(In)>& loop, int64_t begin, int64_t end,
                                    std::index_sequence<K...>) {
    constexpr int N = 1 + sizeof...(In);
    int ndim = loop.ndim;
    if (ndim == 0) {  // a single element
        *reinterpret_cast<Out*>(loop.data[0]) = op(*reinterpret_cast<const In*>(loop.data[1 + K])...);
        return;
    }
    int inner = ndim - 1;
    int64_t inner_extent = loop.shape[inner];
    // Multi-index of `begin` over the outer axes, and the operand pointers there.
    int64_t index[max_ndim];
    int64_t rest = begin / inner_extent;
    for (int axis = inner - 1; axis >= 0; --axis) {
        index[axis] = rest % loop.shape[axis];
        rest /= loop.shape[axis];
    }
    int64_t i = begin % inner_extent;
    char* ptr[N];
    for (int k = 0; k < N; ++k) {
        ptr[k] = loop.data[k];
        for (int axis = 0; axis < inner; ++axis) ptr[k] += index[axis] * loop.strides[k][axis];
    }
    int64_t remaining = end - begin;
    const int64_t out_stride = loop.strides[0][inner];
    const int64_t in_strides[] = {loop.strides[1 + K][inner]...};
    while (remaining > 0) {
        int64_t count = std::min(inner_extent - i, remaining);
        char* o = ptr[0] + i * out_stride;
        const char* in_ptrs[] = {ptr[1 + K] + i * in_strides[K]...};
        for (int64_t j = 0; j < count; ++j) {
            *reinterpret_cast<Out*>(o + j * out_stride) =
                op(*reinterpret_cast<const In*>(in_ptrs[K] + j * in_strides[K])...);
        }
        remaining -= count;
        i = 0;
        // Advance the outer multi-index by one row.
        for (int axis = inner - 1; axis >= 0; --axis) {
            for (int k = 0; k < N; ++k) ptr[k] += loop.strides[k][axis];
            if (++index[axis] < loop.shape[axis]) break;
            for (int k = 0; k < N; ++k) ptr[k] -= loop.strides[k][axis] * loop.shape[axis];
            index[axis] = 0;
        }
    }
}

// Picks the contiguous loop variant for the runtime scalar mask: binary ops get all three variants,
// ternary ones (where) a scalar second or third input (where(c, gy, 0) in the backward of maximum).
template <class Op, class Out, class... In, size_t... K>
bool try_contiguous(Op op, const elementwise_loop<1 + sizeof...(In)>& loop, std::index_sequence<K...> ks) {
    if (loop.ndim != 1 || loop.strides[0][0] != sizeof(Out)) return false;
    unsigned mask = 0;
    bool ok = true;
    ((loop.strides[1 + K][0] == 0 ? (mask |= 1u << K) : (ok = ok && loop.strides[1 + K][0] == sizeof(In))), ...);
    if (!ok) return false;
    auto out = reinterpret_cast<Out*>(loop.data[0]);
    int64_t threshold = parallel_threshold / op_cost<Op>();
    auto run = [&]<unsigned Mask>() {
        parallel_for(loop.shape[0], threshold, [&](int64_t b, int64_t e) {
            contiguous_loop<Mask, Op, Out, In...>(op, out, b, e, ks, reinterpret_cast<const In*>(loop.data[1 + K])...);
        });
    };
    if (mask == 0) {
        run.template operator()<0u>();
        return true;
    }
    if constexpr (sizeof...(In) == 2) {
        if (mask == 1u) {
            run.template operator()<1u>();
            return true;
        }
        if (mask == 2u) {
            run.template operator()<2u>();
            return true;
        }
    }
    if constexpr (sizeof...(In) == 3) {
        if (mask == 2u) {
            run.template operator()<2u>();
            return true;
        }
        if (mask == 4u) {
            run.template operator()<4u>();
            return true;
        }
    }
    return false;
}

}  // namespace detail

// Runs out = op(in...) over a prepared loop on a host device. A device with a parallel loop of its
// own runs the generic strided body through it (one more instance per op, not one per variant);
// the others run the OpenMP loop with the body inlined, contiguous operands in vectorized variants
// (through an indirect call per chunk, a small op took a quarter longer and a large one twice as long).
template <class Op, class Out, class... In>
void elementwise_host(device& dev, Op op, const elementwise_loop<1 + sizeof...(In)>& loop) {
    if (loop.size == 0) return;
    auto ks = std::index_sequence_for<In...>{};
    long_running_scope unlock(loop.size * detail::op_cost<Op>());
    int64_t threshold = parallel_threshold / detail::op_cost<Op>();
    auto strided = [&](int64_t b, int64_t e) { detail::strided_loop<Op, Out, In...>(op, loop, b, e, ks); };
    if (dev.has_own_loop()) return dev.own_parallel_for(loop.size, threshold, strided);
    if (detail::try_contiguous<Op, Out, In...>(op, loop, ks)) return;
    parallel_for(loop.size, threshold, strided);
}

// The key of the compiled elementwise kernel of Op over these element types in a backend's
// kernel_table (the CUDA backend fills it from cuda/*.cu).
template <class Op, class Out, class... In>
struct elementwise_kernel {
    using function = void (*)(Op, const elementwise_loop<1 + sizeof...(In)>&);
};

// Runs out = op(in...) where `operands` are the output and the inputs, each with strides over
// `shape` (0 on broadcast axes), on device `dev`: host devices run the loop above, other devices the
// kernel their backend compiled.
template <class Op, class Out, class... In>
void run_elementwise(device& dev, Op op, const shape_t& shape, const loop_operand* operands) {
    elementwise_loop<1 + sizeof...(In)> loop(shape, operands);
    if (dev.is_host()) {
        elementwise_host<Op, Out, In...>(dev, op, loop);
        return;
    }
    auto kernel = dev.get_backend().kernels().find<elementwise_kernel<Op, Out, In...>>();
    if (!kernel) throw_error<not_implemented_error>("this op has no kernel on device ", dev.name(), " yet");
    if (loop.size > 0) kernel(op, loop);
}

}  // namespace chainerx
