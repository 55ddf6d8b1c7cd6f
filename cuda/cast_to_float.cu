// CUDA cast kernels into the float dtypes (from every dtype), and the fill kernels.
#include "chainerx/routines/creation_basic.hpp"
#include "elementwise.cuh"

template struct chainerx::cuda::detail::instantiate_op<chainerx::detail::cast_op<chainerx::float16>, 1>;
template struct chainerx::cuda::detail::instantiate_op<chainerx::detail::cast_op<float>, 1>;
template struct chainerx::cuda::detail::instantiate_op<chainerx::detail::cast_op<double>, 1>;
template struct chainerx::cuda::detail::instantiate_op<chainerx::detail::cast_op<chainerx::bfloat16>, 1>;
template struct chainerx::cuda::detail::instantiate_op<chainerx::detail::fill_op, 1>;
