// CUDA kernels of the ops in CHAINERX_CUDA_ARITHMETIC_OPS (chainerx/kernels/cuda_op_list.hpp) for every dtype each
// supports.
#include "chainerx/kernels/cuda_op_list.hpp"
#include "chainerx/routines/math.hpp"
#include "elementwise.cuh"

CHAINERX_CUDA_ARITHMETIC_OPS(CHAINERX_CUDA_INSTANTIATE_OP)
