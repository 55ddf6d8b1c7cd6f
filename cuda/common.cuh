#pragma once

// Helpers shared by the translation units of chainerx::cuda (defined in device.cu).
#include <cuda_runtime.h>

#include <cstdint>

namespace chainerx::cuda::detail {

// Throws chainerx::device_error naming `what` and the CUDA error.
[[noreturn]] void throw_cuda_error(cudaError_t error, const char* what);

inline void check_cuda(cudaError_t error, const char* what) {
    if (error != cudaSuccess) throw_cuda_error(error, what);
}

// Makes the CUDA device that owns `ptr` current (only looked up when there are several devices)
// and returns how many blocks of `block_size` threads a grid-stride kernel over n elements gets.
unsigned launch_blocks(const void* ptr, int64_t n, int block_size);

}  // namespace chainerx::cuda::detail
