#pragma once

// The native backend: host memory from the caching allocator, OpenMP loops. It is made from
// device_traits and registered like any user's device.
#include <cstring>
#include <string_view>

#include "chainerx/device/device_traits.hpp"

namespace chainerx {

struct native_tag {};

template <>
struct device_traits<native_tag> {
    static constexpr std::string_view backend_name = "native";
    static int device_count() { return 4; }  // ChainerX reports four native devices
    static void* allocate(int, size_t bytes) { return caching_host_allocator::instance().allocate(bytes); }
    static void deallocate(int, void* p, size_t bytes) { caching_host_allocator::instance().deallocate(p, bytes); }
    // One cache serves the four native devices.
    static size_t cached_bytes(int) { return caching_host_allocator::instance().cached_bytes(); }
    static void release_cached(int) { caching_host_allocator::instance().release_cached(); }
};

namespace detail {
// Registered during static initialization of any translation unit that includes this header.
inline const bool native_backend_registered = (register_device<native_tag>(), true);
}  // namespace detail

}  // namespace chainerx
