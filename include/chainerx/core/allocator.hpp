#pragma once

// A caching allocator for host memory: 64-byte aligned blocks, binned by size class, reused
// instead of returned to the system, so that ops on small arrays do not pay for malloc/free.
#include <bit>
#include <cstddef>
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace chainerx {

class caching_host_allocator {
  public:
    static constexpr size_t alignment = 64;

    static caching_host_allocator& instance() {
        static auto* allocator = new caching_host_allocator;  // never destroyed: blocks may outlive main
        return *allocator;
    }

    void* allocate(size_t bytes) {
        int bin = bin_of(bytes);
        if (bin < num_thread_cached_bins) {
            // Small blocks come from a per-thread cache first: no lock on the hot path.
            auto& cache = thread_cache().bins[bin];
            if (cache.count > 0) return cache.blocks[--cache.count];
        }
        if (bin < num_bins) {
            {
                std::lock_guard lock(mutex_);
                auto& free_list = bins_[bin];
                if (!free_list.empty()) {
                    void* p = free_list.back();
                    free_list.pop_back();
                    cached_bytes_ -= bin_size(bin);
                    return p;
                }
            }
            return allocate_from_system(bin_size(bin));
        }
        return allocate_from_system(round_up(bytes));
    }

    void deallocate(void* p, size_t bytes) {
        int bin = bin_of(bytes);
        if (bin < num_thread_cached_bins) {
            auto& cache = thread_cache().bins[bin];
            if (cache.count < thread_cache_depth) {
                cache.blocks[cache.count++] = p;
                return;
            }
        }
        if (bin < num_bins) {
            std::lock_guard lock(mutex_);
            if (cached_bytes_ + bin_size(bin) <= max_cached_bytes) {
                bins_[bin].push_back(p);
                cached_bytes_ += bin_size(bin);
                return;
            }
        }
        std::free(p);
    }

    // Returns every cached block to the system: those of the shared bins and of this thread's cache
    // (other threads keep theirs, at most a few small blocks each).
    void release_cached() {
        thread_bins& mine = thread_cache();
        for (auto& cache : mine.bins)
            while (cache.count > 0) std::free(cache.blocks[--cache.count]);
        std::lock_guard lock(mutex_);
        for (auto& free_list : bins_) {
            for (void* p : free_list) std::free(p);
            free_list.clear();
        }
        cached_bytes_ = 0;
    }
    // The bytes of the blocks in the shared bins, kept for reuse.
    size_t cached_bytes() {
        std::lock_guard lock(mutex_);
        return cached_bytes_;
    }

  private:
    // Blocks up to 64 KiB are cached per thread, a few of each size; a thread's cache hands its
    // blocks back to the shared bins when the thread ends.
    static constexpr int num_thread_cached_bins = 11;
    static constexpr int thread_cache_depth = 8;
    struct thread_bins {
        struct bin {
            void* blocks[thread_cache_depth];
            int count = 0;
        } bins[num_thread_cached_bins];
        ~thread_bins() {
            for (int b = 0; b < num_thread_cached_bins; ++b)
                for (int i = 0; i < bins[b].count; ++i) instance().return_to_shared(bins[b].blocks[i], b);
        }
    };
    static thread_bins& thread_cache() {
        thread_local thread_bins cache;
        return cache;
    }
    void return_to_shared(void* p, int bin) {
        std::lock_guard lock(mutex_);
        bins_[bin].push_back(p);
        cached_bytes_ += bin_size(bin);
    }

    // Power-of-two bins from 64 B to 256 MiB; larger blocks go straight to the system.
    static constexpr int num_bins = 23;
    static constexpr size_t max_cached_bytes = size_t{1} << 31;

    static size_t bin_size(int bin) { return alignment << bin; }
    static int bin_of(size_t bytes) {
        if (bytes <= alignment) return 0;
        int bin = static_cast<int>(std::bit_width(bytes - 1)) - 6;  // 2^6 == alignment
        return bin < num_bins ? bin : num_bins;
    }
    static size_t round_up(size_t bytes) { return (bytes + alignment - 1) / alignment * alignment; }
    // Large blocks are aligned to and advised for transparent huge pages (as NumPy does): streaming
    // kernels then run at memory bandwidth, since hardware prefetchers stop at page boundaries and
    // 4 KiB pages cost a TLB miss every 1024 floats.
    static constexpr size_t huge_page = size_t{2} << 20;
    static constexpr size_t huge_page_threshold = size_t{4} << 20;
    // When the system refuses, the cache goes back to it and the request is tried once more: blocks
    // of other sizes cannot serve it, but their memory can.
    void* allocate_from_system(size_t bytes) {
        bool huge = bytes >= huge_page_threshold;
        size_t align = huge ? huge_page : alignment;
        size_t size = huge ? (bytes + huge_page - 1) / huge_page * huge_page : (bytes == 0 ? alignment : bytes);
        void* p = std::aligned_alloc(align, size);
        if (p == nullptr) {
            release_cached();
            p = std::aligned_alloc(align, size);
        }
        if (p == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
        if (huge) madvise(p, size, MADV_HUGEPAGE);  // advice only: failure is harmless
#endif
        return p;
    }

    std::mutex mutex_;
    std::vector<void*> bins_[num_bins];
    size_t cached_bytes_ = 0;
};

// A standard allocator over the caching allocator, for the small bookkeeping objects every op
// creates (array bodies, shared_ptr control blocks): they then cost no malloc/free either.
template <class T>
struct pooled_allocator {
    using value_type = T;
    pooled_allocator() = default;
    template <class U>
    pooled_allocator(const pooled_allocator<U>&) {}
    T* allocate(size_t n) { return static_cast<T*>(caching_host_allocator::instance().allocate(n * sizeof(T))); }
    void deallocate(T* p, size_t n) { caching_host_allocator::instance().deallocate(p, n * sizeof(T)); }
    friend bool operator==(const pooled_allocator&, const pooled_allocator&) { return true; }
};

}  // namespace chainerx
