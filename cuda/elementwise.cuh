#pragma once

// The CUDA elementwise kernel and the helpers that put its instances for every dtype an op supports
// into the CUDA backend's kernel_table (where run_elementwise of chainerx/kernels/elementwise.hpp
// finds them). Only the .cu files of chainerx::cuda include this header.
#include <cuda_runtime.h>

#include <cstdint>
#include <type_traits>
#include <utility>

#include "chainerx/kernels/elementwise.hpp"
#include "common.cuh"

namespace chainerx::cuda {
namespace detail {

inline constexpr int elementwise_block_size = 256;

// A loop of at most one axis: operand k is at data[k] + i * strides[k][0]. This covers contiguous
// arrays, scalars (stride 0) and 1-d strided views without any index arithmetic.
template <class Op, class Out, class... In, size_t... K>
__device__ __forceinline__ void elementwise_1d(const Op& op, const elementwise_loop<1 + sizeof...(In)>& loop,
                                               std::index_sequence<K...>) {
    const int64_t n = loop.size;
    const int64_t step = static_cast<int64_t>(blockDim.x) * gridDim.x;
    char* const out = loop.data[0];
    const int64_t out_stride = loop.strides[0][0];
    const char* const in[] = {loop.data[1 + K]...};
    const int64_t in_strides[] = {loop.strides[1 + K][0]...};
    for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
        *reinterpret_cast<Out*>(out + i * out_stride) = op(*reinterpret_cast<const In*>(in[K] + i * in_strides[K])...);
    }
}

// The general strided loop: the flat index is split into a multi-index (innermost axis first) and
// turned into byte offsets. The 32-bit variant (every extent and the size fit) is unrolled over
// max_ndim with constant axes, so the loop struct stays in parameter space and the divisions are
// several times cheaper than 64-bit ones; the rare 64-bit variant is kept compact.
template <class Index, class Op, class Out, class... In, size_t... K>
__device__ __forceinline__ void elementwise_nd(const Op& op, const elementwise_loop<1 + sizeof...(In)>& loop,
                                               std::index_sequence<K...>) {
    constexpr int N = 1 + sizeof...(In);
    constexpr bool narrow = sizeof(Index) < sizeof(int64_t);
    const Index n = static_cast<Index>(loop.size);
    const Index step = static_cast<Index>(blockDim.x) * gridDim.x;
    const int ndim = loop.ndim;
    for (Index i = static_cast<Index>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
        Index rest = i;
        int64_t offset[N] = {};
#pragma unroll(narrow ? max_ndim : 1)
        for (int axis = max_ndim - 1; axis >= 0; --axis) {
            if (axis < ndim) {  // axes >= ndim are skipped, so axis ndim - 1 comes first
                const Index extent = static_cast<Index>(loop.shape[axis]);
                const Index q = rest / extent;
                const int64_t coordinate = static_cast<int64_t>(rest - q * extent);
                rest = q;
#pragma unroll
                for (int k = 0; k < N; ++k) offset[k] += coordinate * loop.strides[k][axis];
            }
        }
        *reinterpret_cast<Out*>(loop.data[0] + offset[0]) =
            op(*reinterpret_cast<const In*>(loop.data[1 + K] + offset[1 + K])...);
    }
}

template <class Op, class Out, class... In>
__global__ void __launch_bounds__(elementwise_block_size)
    elementwise_kernel(Op op, const __grid_constant__ elementwise_loop<1 + sizeof...(In)> loop, int mode) {
    constexpr auto ks = std::index_sequence_for<In...>{};
    if (mode == 0) {
        elementwise_1d<Op, Out, In...>(op, loop, ks);
    } else if (mode == 1) {
        elementwise_nd<uint32_t, Op, Out, In...>(op, loop, ks);
    } else {
        elementwise_nd<int64_t, Op, Out, In...>(op, loop, ks);
    }
}

}  // namespace detail

// Runs out = op(in...) over a prepared loop on the CUDA device that owns the output, on the legacy
// default stream (ordered with every other chainerx CUDA call; copies to the host synchronize).
template <class Op, class Out, class... In>
void elementwise(Op op, const elementwise_loop<1 + sizeof...(In)>& loop) {
    constexpr int N = 1 + sizeof...(In);
    if (loop.size <= 0) return;
    elementwise_loop<N> l = loop;
    if (l.ndim == 0) {  // a single element
        l.ndim = 1;
        l.shape[0] = 1;
        for (int k = 0; k < N; ++k) l.strides[k][0] = 0;
    }
    int mode = 0;
    if (l.ndim > 1) {
        bool small = l.size <= INT32_MAX;
        mode = small ? 1 : 2;
    }
    unsigned blocks = detail::launch_blocks(l.data[0], l.size, detail::elementwise_block_size);
    detail::elementwise_kernel<Op, Out, In...><<<blocks, detail::elementwise_block_size>>>(op, l, mode);
    detail::check_cuda(cudaGetLastError(), "elementwise kernel launch");
}

}  // namespace chainerx::cuda

// ---- registration ------------------------------------------------------------------------------

namespace chainerx::cuda::detail {

template <class... T>
struct type_list {};
using all_dtypes = type_list<bool, int8_t, int16_t, int32_t, int64_t, uint8_t, float16, float, double, bfloat16>;

template <class T, size_t>
using repeat_t = T;

template <class Op, class T, size_t... K>
void add_op_kernel(kernel_table& table, std::index_sequence<K...>) {
    if constexpr (std::is_invocable_v<const Op&, repeat_t<T, K>...>) {
        using Out = std::invoke_result_t<const Op&, repeat_t<T, K>...>;
        table.add<chainerx::elementwise_kernel<Op, Out, repeat_t<T, K>...>>(&elementwise<Op, Out, repeat_t<T, K>...>);
    }
}
template <class Op, int Arity, class... T>
void add_op_kernels_for(kernel_table& table, type_list<T...>) {
    (add_op_kernel<Op, T>(table, std::make_index_sequence<Arity>{}), ...);
}
// Adds elementwise<Op, Out, T, ..., T> (Arity inputs) for every dtype T that Op accepts; the
// dtypes it does not accept are skipped at compile time.
template <class Op, int Arity>
void add_op_kernels(kernel_table& table) {
    add_op_kernels_for<Op, Arity>(table, all_dtypes{});
}

// add_op_kernels<Op, Arity> in the file of kernel_unit Here, when Op's kernels belong to it (OpUnit).
template <auto Here, auto OpUnit, class Op, int Arity>
void add_op_kernels_in(kernel_table& table) {
    if constexpr (Here == OpUnit) add_op_kernels<Op, Arity>(table);
}

template <class To, class... From>
void add_casts_from(kernel_table& table, type_list<From...>) {
    using cast = chainerx::detail::cast_op<To>;
    (table.add<chainerx::elementwise_kernel<cast, To, From>>(&elementwise<cast, To, From>), ...);
}
// Adds the casts from every dtype into To.
template <class To>
void add_cast_kernels(kernel_table& table) {
    add_casts_from<To>(table, all_dtypes{});
}

}  // namespace chainerx::cuda::detail

// The body of add_<file>_kernels(kernel_table& table) in cuda/<file>.cu: the kernels of the ops
// whose rows in the op tables (chainerx/routines/math.hpp) name that file.
#define CHAINERX_CUDA_ADD_KERNELS_OF(file)                                   \
    constexpr chainerx::kernel_unit this_unit = chainerx::kernel_unit::file; \
    CHAINERX_UNARY_OPS(CHAINERX_CUDA_ADD_UNARY_KERNELS)                      \
    CHAINERX_BINARY_OPS(CHAINERX_CUDA_ADD_BINARY_KERNELS)
#define CHAINERX_CUDA_ADD_UNARY_KERNELS(name, kernels, ...) \
    chainerx::cuda::detail::add_op_kernels_in<this_unit, chainerx::kernel_unit::kernels, chainerx::ops::name, 1>(table);
#define CHAINERX_CUDA_ADD_BINARY_KERNELS(name, kernels, ...) \
    chainerx::cuda::detail::add_op_kernels_in<this_unit, chainerx::kernel_unit::kernels, chainerx::ops::name, 2>(table);
