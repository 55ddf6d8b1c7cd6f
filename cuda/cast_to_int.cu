// CUDA cast kernels into bool and the integer dtypes (from every dtype).
#include "chainerx/routines/creation_basic.hpp"
#include "elementwise.cuh"

namespace chainerx::cuda::detail {
void add_cast_to_int_kernels(kernel_table& table) {
    add_cast_kernels<bool>(table);
    add_cast_kernels<int8_t>(table);
    add_cast_kernels<int16_t>(table);
    add_cast_kernels<int32_t>(table);
    add_cast_kernels<int64_t>(table);
    add_cast_kernels<uint8_t>(table);
}
}  // namespace chainerx::cuda::detail
