#pragma once

// Marks functions that run on the host and, when compiled by nvcc, on the device too.
#if defined(__CUDACC__)
#define CHAINERX_HOST_DEVICE __host__ __device__
#else
#define CHAINERX_HOST_DEVICE
#endif

#if defined(__GNUC__)
#define CHAINERX_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define CHAINERX_ALWAYS_INLINE inline
#endif

namespace chainerx {
// ChainerX's limit on the number of dimensions.
inline constexpr int max_ndim = 10;
}  // namespace chainerx
