// CUDA kernels of the ops in CHAINERX_CUDA_COMPARISON_OPS (chainerx/kernels/cuda_op_list.hpp) for every dtype each supports.
#include "elementwise.cuh"
#include "chainerx/routines/math.hpp"
#include "chainerx/kernels/cuda_op_list.hpp"

CHAINERX_CUDA_COMPARISON_OPS(CHAINERX_CUDA_INSTANTIATE_OP)
