// The CUDA backend: cuda_device (a caching device allocator, copies to and from the host,
// synchronization), cuda_backend with the kernels of the other translation units, and
// chainerx::cuda::register_backend, which registers it as the backend "cuda".
#include <cuda_runtime.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

#include "chainerx/core/errors.hpp"
#include "chainerx/device/cuda.hpp"
#include "chainerx/device/device.hpp"
#include "common.cuh"

namespace chainerx::cuda {
namespace detail {

void throw_cuda_error(cudaError_t error, const char* what) {
    throw_error<device_error>("CUDA error in ", what, ": ", cudaGetErrorName(error), ": ", cudaGetErrorString(error));
}

namespace {

int cached_device_count() {
    static const int count = [] {
        int n = 0;
        if (cudaGetDeviceCount(&n) != cudaSuccess) {
            cudaGetLastError();
            n = 0;
        }
        return n;
    }();
    return count;
}

// Multiprocessor counts, looked up once per device.
constexpr int max_devices = 64;
std::atomic<int> sm_counts[max_devices];

int multiprocessor_count(int dev) {
    if (dev < 0 || dev >= max_devices) return 132;
    int n = sm_counts[dev].load(std::memory_order_relaxed);
    if (n == 0) {
        check_cuda(cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, dev), "cudaDeviceGetAttribute");
        sm_counts[dev].store(n, std::memory_order_relaxed);
    }
    return n;
}

}  // namespace

unsigned launch_blocks(const void* ptr, int64_t n, int block_size) {
    int dev = 0;  // the only device when there is one
    if (cached_device_count() > 1) {
        cudaPointerAttributes attributes{};
        check_cuda(cudaPointerGetAttributes(&attributes, ptr), "cudaPointerGetAttributes");
        dev = attributes.device;
        check_cuda(cudaSetDevice(dev), "cudaSetDevice");
    }
    // Enough blocks to fill every multiprocessor several times; the kernels are grid-stride loops.
    int64_t max_blocks = static_cast<int64_t>(multiprocessor_count(dev)) * 32;
    int64_t blocks = (n + block_size - 1) / block_size;
    return static_cast<unsigned>(blocks < max_blocks ? blocks : max_blocks);
}

namespace {

// A caching allocator for one CUDA device. Requests are rounded up to a size class (powers of two
// below 1 MiB, eighths of a power of two above), and freed blocks go onto the free list of their
// class to be reused by the next request of that class instead of going back to cudaFree. When
// cudaMalloc runs out of memory, every cached block is freed and the allocation retried.
class device_allocator {
  public:
    // One allocator per device, never destroyed: arrays may be freed during static destruction.
    static device_allocator& for_device(int index) {
        static std::mutex mutex;
        static auto* allocators = new std::unordered_map<int, device_allocator*>;
        std::lock_guard lock(mutex);
        auto& slot = (*allocators)[index];
        if (!slot) slot = new device_allocator(index);
        return *slot;
    }

    static size_t size_class(size_t bytes) {
        constexpr size_t min_block = 512;
        constexpr size_t large = size_t{1} << 20;
        if (bytes <= min_block) return min_block;
        size_t pow2 = min_block;
        while (pow2 < bytes) pow2 <<= 1;
        if (pow2 <= large) return pow2;
        size_t granule = pow2 / 16;  // pow2 / 2 < bytes <= pow2: steps of an eighth of bytes' octave
        return (bytes + granule - 1) / granule * granule;
    }

    void* allocate(size_t bytes) {
        size_t size = size_class(bytes);
        {
            std::lock_guard lock(mutex_);
            auto it = free_blocks_.find(size);
            if (it != free_blocks_.end() && !it->second.empty()) {
                void* p = it->second.back();
                it->second.pop_back();
                cached_bytes_ -= size;
                return p;
            }
        }
        check_cuda(cudaSetDevice(device_), "cudaSetDevice");
        void* p = nullptr;
        cudaError_t error = cudaMalloc(&p, size);
        if (error == cudaErrorMemoryAllocation) {
            cudaGetLastError();  // clear the error before retrying
            release_cached();
            error = cudaMalloc(&p, size);
            if (error == cudaErrorMemoryAllocation) {
                cudaGetLastError();
                throw_error<device_error>("out of memory on cuda:", device_, ": cannot allocate ", bytes, " bytes");
            }
        }
        check_cuda(error, "cudaMalloc");
        return p;
    }

    // Never throws and calls no CUDA function: safe from destructors, during static destruction too.
    void deallocate(void* p, size_t bytes) noexcept {
        size_t size = size_class(bytes);
        try {
            std::lock_guard lock(mutex_);
            free_blocks_[size].push_back(p);
            cached_bytes_ += size;
        } catch (...) {
            // Bookkeeping failed (out of host memory): leak the block rather than crash.
        }
    }

    // Returns every cached block to the CUDA runtime.
    void release_cached() {
        std::lock_guard lock(mutex_);
        check_cuda(cudaSetDevice(device_), "cudaSetDevice");
        for (auto& [size, blocks] : free_blocks_) {
            for (void* p : blocks) cudaFree(p);
            blocks.clear();
        }
        free_blocks_.clear();
        cached_bytes_ = 0;
    }

    size_t cached_bytes() {
        std::lock_guard lock(mutex_);
        return cached_bytes_;
    }

  private:
    explicit device_allocator(int device) : device_(device) {}

    int device_;
    std::mutex mutex_;
    std::unordered_map<size_t, std::vector<void*>> free_blocks_;
    size_t cached_bytes_ = 0;
};

class cuda_device final : public device {
  public:
    cuda_device(backend& owner, int index) : device(owner, index), allocator_(device_allocator::for_device(index)) {}

    bool is_host() const override { return false; }
    int dlpack_device_type() const override { return 2; }  // kDLCUDA

    std::shared_ptr<void> allocate(size_t bytes) override {
        device_allocator* allocator = &allocator_;
        void* p = allocator->allocate(bytes);
        try {
            return std::shared_ptr<void>(p, [allocator, bytes](void* q) { allocator->deallocate(q, bytes); });
        } catch (...) {
            allocator->deallocate(p, bytes);
            throw;
        }
    }

    void copy_to_host(void* dst_host, const void* src, size_t bytes) override {
        if (bytes == 0) return;
        check_cuda(cudaSetDevice(index()), "cudaSetDevice");
        check_cuda(cudaMemcpy(dst_host, src, bytes, cudaMemcpyDeviceToHost), "cudaMemcpy (device to host)");
    }

    void copy_from_host(void* dst, const void* src_host, size_t bytes) override {
        if (bytes == 0) return;
        check_cuda(cudaSetDevice(index()), "cudaSetDevice");
        check_cuda(cudaMemcpy(dst, src_host, bytes, cudaMemcpyHostToDevice), "cudaMemcpy (host to device)");
    }

    void synchronize() override {
        check_cuda(cudaSetDevice(index()), "cudaSetDevice");
        check_cuda(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    }
    size_t cached_bytes() const override { return allocator_.cached_bytes(); }
    void release_cached() override { allocator_.release_cached(); }

  private:
    device_allocator& allocator_;
};

class cuda_backend final : public backend {
  public:
    cuda_backend(context& owner, int count) : backend(owner, "cuda"), count_(count) { add_kernels(kernels()); }
    int device_count() const override { return count_; }

  protected:
    std::unique_ptr<device> create_device(int index) override { return std::make_unique<cuda_device>(*this, index); }

  private:
    int count_;
};

}  // namespace
}  // namespace detail

void add_kernels(kernel_table& table) {
    detail::add_unary_kernels(table);
    detail::add_float_math_kernels(table);
    detail::add_arithmetic_kernels(table);
    detail::add_comparison_kernels(table);
    detail::add_cast_to_int_kernels(table);
    detail::add_cast_to_float_kernels(table);
}

std::unique_ptr<backend> make_backend(context& owner) {
    int count = 0;
    cudaError_t error = cudaGetDeviceCount(&count);
    if (error != cudaSuccess) {
        cudaGetLastError();
        throw_error<backend_error>("cuda backend is not available: cudaGetDeviceCount failed: ",
                                   cudaGetErrorName(error), ": ", cudaGetErrorString(error));
    }
    if (count <= 0) throw_error<backend_error>("cuda backend is not available: no CUDA device found");
    return std::make_unique<detail::cuda_backend>(owner, count);
}

void register_backend() { chainerx::register_backend("cuda", &make_backend); }

std::string describe_devices() {
    int runtime = 0, driver = 0, count = 0;
    cudaRuntimeGetVersion(&runtime);
    cudaDriverGetVersion(&driver);
    auto version = [](int v) { return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10); };
    std::string text = "CUDA runtime " + version(runtime) + ", driver " + (driver ? version(driver) : "none");
    cudaError_t error = cudaGetDeviceCount(&count);
    if (error != cudaSuccess) {
        cudaGetLastError();
        return text + "\nno CUDA device visible (" + cudaGetErrorName(error) + ": " + cudaGetErrorString(error) + ")";
    }
    for (int i = 0; i < count; ++i) {
        cudaDeviceProp prop{};
        if (cudaGetDeviceProperties(&prop, i) != cudaSuccess) {
            cudaGetLastError();
            continue;
        }
        text += "\ncuda:" + std::to_string(i) + ": " + prop.name + ", compute capability " +
                std::to_string(prop.major) + "." + std::to_string(prop.minor) + ", " +
                std::to_string(prop.totalGlobalMem >> 20) + " MiB";
    }
    return text;
}

}  // namespace chainerx::cuda
