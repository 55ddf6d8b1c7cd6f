// CUDA kernels of the ops in CHAINERX_CUDA_FLOAT_MATH_OPS (op_list.hpp) for every dtype each supports.
#include "chainerx/routines/math.hpp"
#include "elementwise.cuh"
#include "op_list.hpp"

CHAINERX_CUDA_FLOAT_MATH_OPS(CHAINERX_CUDA_INSTANTIATE_OP)
