// CUDA kernels, for every dtype each accepts, of the ops whose kernels column in the op tables
// (chainerx/routines/math.hpp) says comparison; and the kernels of where.
#include "chainerx/routines/math.hpp"
#include "elementwise.cuh"

namespace chainerx::cuda::detail {
void add_comparison_kernels(kernel_table& table) {
    CHAINERX_CUDA_ADD_KERNELS_OF(comparison)
    add_op_kernels<ops::where, 3>(table);
}
}  // namespace chainerx::cuda::detail
