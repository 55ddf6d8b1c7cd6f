// CUDA cast kernels into bool and the integer dtypes (from every dtype).
#include "chainerx/routines/creation_basic.hpp"
#include "elementwise.cuh"

template struct chainerx::cuda::detail::instantiate_op<chainerx::detail::cast_op<bool>, 1>;
template struct chainerx::cuda::detail::instantiate_op<chainerx::detail::cast_op<int8_t>, 1>;
template struct chainerx::cuda::detail::instantiate_op<chainerx::detail::cast_op<int16_t>, 1>;
template struct chainerx::cuda::detail::instantiate_op<chainerx::detail::cast_op<int32_t>, 1>;
template struct chainerx::cuda::detail::instantiate_op<chainerx::detail::cast_op<int64_t>, 1>;
template struct chainerx::cuda::detail::instantiate_op<chainerx::detail::cast_op<uint8_t>, 1>;
