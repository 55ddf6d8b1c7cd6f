// CUDA kernels of the ops in CHAINERX_CUDA_UNARY_OPS (chainerx/kernels/cuda_op_list.hpp) for every dtype each supports.
#include "chainerx/kernels/cuda_op_list.hpp"
#include "chainerx/routines/math.hpp"
#include "elementwise.cuh"

namespace chainerx::cuda::detail {
void add_unary_kernels(kernel_table& table) { CHAINERX_CUDA_UNARY_OPS(CHAINERX_CUDA_ADD_OP_KERNELS) }
}  // namespace chainerx::cuda::detail
