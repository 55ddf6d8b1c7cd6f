#pragma once

// Devices made from a traits class: specialize device_traits<Tag> with the few functions below and
// call register_device<Tag>() once; get_device("<backend_name>:N") then returns a host device whose
// memory comes from the traits, on which every op of the library runs (elementwise loops through the
// traits' parallel_for), with copies and to_device to and from every other device and autograd.
// The native backend is one such device (device/native.hpp).
//
//   template <> struct chainerx::device_traits<my_tag> {
//       static constexpr std::string_view backend_name = "mydev";
//       static int device_count();
//       static void* allocate(int index, size_t bytes);           // host-addressable memory
//       static void deallocate(int index, void* p, size_t bytes);
//       // Optional (the defaults are memcpy, nothing and the OpenMP loop of device/parallel.hpp):
//       static void copy_to_host(int index, void* dst, const void* src, size_t bytes);
//       static void copy_from_host(int index, void* dst, const void* src, size_t bytes);
//       static void synchronize(int index);
//       static void parallel_for(int index, int64_t n, int64_t threshold, range_ref body);
//       static size_t cached_bytes(int index);   // a caching allocator's kept memory (default 0)
//       static void release_cached(int index);   // gives it back to the system
//   };
#include <cstring>
#include <memory>
#include <string>

#include "chainerx/device/device.hpp"

namespace chainerx {

template <class Tag>
struct device_traits;

template <class Tag>
class traits_device final : public device {
    using traits = device_traits<Tag>;

  public:
    traits_device(backend& owner, int index) : device(owner, index) {
        has_own_loop_ = requires(range_ref body) { traits::parallel_for(0, int64_t{}, int64_t{}, body); };
    }
    bool is_host() const override { return true; }

    std::shared_ptr<void> allocate(size_t bytes) override {
        int i = index();
        void* p = traits::allocate(i, bytes);
        if (!p && bytes > 0) throw std::bad_alloc();
        // The control block comes from the caching allocator too: no malloc per array. (If making it
        // throws, shared_ptr calls the deleter on p.)
        return std::shared_ptr<void>(
            p, [i, bytes](void* q) { traits::deallocate(i, q, bytes); }, pooled_allocator<char>{});
    }
    void copy_to_host(void* dst, const void* src, size_t bytes) override {
        if constexpr (requires { traits::copy_to_host(0, dst, src, bytes); })
            traits::copy_to_host(index(), dst, src, bytes);
        else if (bytes > 0)
            std::memcpy(dst, src, bytes);
    }
    void copy_from_host(void* dst, const void* src, size_t bytes) override {
        if constexpr (requires { traits::copy_from_host(0, dst, src, bytes); })
            traits::copy_from_host(index(), dst, src, bytes);
        else if (bytes > 0)
            std::memcpy(dst, src, bytes);
    }
    void synchronize() override {
        if constexpr (requires { traits::synchronize(0); }) traits::synchronize(index());
    }
    size_t cached_bytes() const override {
        if constexpr (requires { traits::cached_bytes(0); })
            return traits::cached_bytes(index());
        else
            return 0;
    }
    void release_cached() override {
        if constexpr (requires { traits::release_cached(0); }) traits::release_cached(index());
    }
    void own_parallel_for(int64_t n, int64_t threshold, range_ref body) override {
        if constexpr (requires { traits::parallel_for(0, n, threshold, body); })
            traits::parallel_for(index(), n, threshold, body);
        else
            chainerx::parallel_for(n, threshold, body);
    }
};

template <class Tag>
class traits_backend final : public backend {
  public:
    explicit traits_backend(context& owner) : backend(owner, std::string(device_traits<Tag>::backend_name)) {}
    int device_count() const override { return device_traits<Tag>::device_count(); }

  protected:
    std::unique_ptr<device> create_device(int index) override {
        return std::make_unique<traits_device<Tag>>(*this, index);
    }
};

// Registers the backend of device_traits<Tag> under its backend_name.
template <class Tag>
void register_device() {
    register_backend(std::string(device_traits<Tag>::backend_name),
                     [](context& owner) { return std::make_unique<traits_backend<Tag>>(owner); });
}

}  // namespace chainerx

#include "chainerx/device/native.hpp"  // the builtin host device, made as a user's would be
