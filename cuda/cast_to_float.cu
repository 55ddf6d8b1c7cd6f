// CUDA cast kernels into the float dtypes (from every dtype), and the fill kernels.
#include "chainerx/routines/creation_basic.hpp"
#include "elementwise.cuh"

namespace chainerx::cuda::detail {
void add_cast_to_float_kernels(kernel_table& table) {
    add_cast_kernels<float16>(table);
    add_cast_kernels<float>(table);
    add_cast_kernels<double>(table);
    add_cast_kernels<bfloat16>(table);
    add_op_kernels<chainerx::detail::fill_op, 1>(table);
}
}  // namespace chainerx::cuda::detail
