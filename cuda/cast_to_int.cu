// CUDA cast kernels into bool and the integer dtypes (from every dtype).
#include "chainerx/routines/creation_basic.hpp"
#include "elementwise.cuh"

#define CHAINERX_CUDA_CAST_KERNELS_TO(unused, To) CHAINERX_CUDA_FOR_EACH_DTYPE(CHAINERX_CUDA_CAST_KERNEL, To)
CHAINERX_CUDA_CAST_KERNELS_TO(, bool)
CHAINERX_CUDA_CAST_KERNELS_TO(, int8_t)
CHAINERX_CUDA_CAST_KERNELS_TO(, int16_t)
CHAINERX_CUDA_CAST_KERNELS_TO(, int32_t)
CHAINERX_CUDA_CAST_KERNELS_TO(, int64_t)
CHAINERX_CUDA_CAST_KERNELS_TO(, uint8_t)
