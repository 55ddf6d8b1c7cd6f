#pragma once

// Helpers shared by the translation units of chainerx::cuda (defined in device.cu).
#include <cuda_runtime.h>

#include <cstdint>

#include "chainerx/device/device.hpp"

namespace chainerx::cuda::detail {

// Throws chainerx::device_error naming `what` and the CUDA error.
[[noreturn]] void throw_cuda_error(cudaError_t error, const char* what);

inline void check_cuda(cudaError_t error, const char* what) {
    if (error != cudaSuccess) throw_cuda_error(error, what);
}

// Makes the CUDA device that owns `ptr` current (only looked up when there are several devices)
// and returns how many blocks of `block_size` threads a grid-stride kernel over n elements gets.
unsigned launch_blocks(const void* ptr, int64_t n, int block_size);

// Each adds the kernels of its translation unit to the CUDA backend's table.
void add_unary_kernels(kernel_table& table);
void add_float_math_kernels(kernel_table& table);
void add_arithmetic_kernels(kernel_table& table);
void add_comparison_kernels(kernel_table& table);
void add_cast_to_int_kernels(kernel_table& table);
void add_cast_to_float_kernels(kernel_table& table);

}  // namespace chainerx::cuda::detail
