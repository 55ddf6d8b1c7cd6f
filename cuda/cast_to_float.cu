// CUDA cast kernels into the float dtypes (from every dtype), and the fill kernels.
#include "chainerx/routines/creation_basic.hpp"
#include "elementwise.cuh"

#define CHAINERX_CUDA_CAST_KERNELS_TO(unused, To) CHAINERX_CUDA_FOR_EACH_DTYPE(CHAINERX_CUDA_CAST_KERNEL, To)
CHAINERX_CUDA_CAST_KERNELS_TO(, chainerx::float16)
CHAINERX_CUDA_CAST_KERNELS_TO(, float)
CHAINERX_CUDA_CAST_KERNELS_TO(, double)
CHAINERX_CUDA_CAST_KERNELS_TO(, chainerx::bfloat16)

CHAINERX_CUDA_FOR_EACH_DTYPE(CHAINERX_CUDA_FILL_KERNEL, unused)
