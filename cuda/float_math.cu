// CUDA kernels of the ops in CHAINERX_CUDA_FLOAT_MATH_OPS (chainerx/kernels/cuda_op_list.hpp), float dtypes only.
#include "chainerx/kernels/cuda_op_list.hpp"
#include "chainerx/routines/math.hpp"
#include "elementwise.cuh"

namespace chainerx::cuda::detail {
void add_float_math_kernels(kernel_table& table) { CHAINERX_CUDA_FLOAT_MATH_OPS(CHAINERX_CUDA_ADD_OP_KERNELS) }
}  // namespace chainerx::cuda::detail
