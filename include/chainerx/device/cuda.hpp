#pragma once

// The entry points of the chainerx::cuda library (link chainerx::cuda; nvcc builds it). Call
// register_backend() once, before the first get_device("cuda:N"): the CUDA backend comes in through
// the same registry as any other device.
#include <memory>
#include <string>

#include "chainerx/device/device.hpp"

namespace chainerx::cuda {

// Registers the backend "cuda" (its factory throws backend_error when no CUDA device is usable).
void register_backend();
// Makes the CUDA backend of a context; throws backend_error when no CUDA device is usable.
std::unique_ptr<backend> make_backend(context& owner);
// Adds every CUDA kernel of the library to `table` (the backend does this when it is made).
void add_kernels(kernel_table& table);
// The CUDA runtime and driver versions and one line per visible device (name, compute capability,
// memory), or why none is visible; for bug reports.
std::string describe_devices();

}  // namespace chainerx::cuda
