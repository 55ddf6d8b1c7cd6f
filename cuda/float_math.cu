// CUDA kernels, for every dtype each accepts, of the ops whose kernels column in the op tables
// (chainerx/routines/math.hpp) says float_math.
#include "chainerx/routines/math.hpp"
#include "elementwise.cuh"

namespace chainerx::cuda::detail {
void add_float_math_kernels(kernel_table& table) { CHAINERX_CUDA_ADD_KERNELS_OF(float_math) }
}  // namespace chainerx::cuda::detail
