#pragma once

// Contexts, backends and devices with ChainerX's semantics: a context owns backends by name, a
// backend owns its devices, and devices are singletons compared by address. Backends are made by
// factories registered under their name (register_backend): the native backend, CUDA and a user's
// own devices all come in through that one door, and this header names none of them.
//
// Two kinds of device: a *host* device's memory is host memory, so every host kernel of the library
// runs on it (elementwise loops through the device's own parallel_for); any other device runs the
// kernels its backend compiled and put in the backend's kernel_table (CUDA).
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "chainerx/core/allocator.hpp"
#include "chainerx/core/errors.hpp"
#include "chainerx/core/function_table.hpp"
#include "chainerx/device/parallel.hpp"

namespace chainerx {

class context;
class backend;

class device {
  public:
    device(backend& owner, int index);
    virtual ~device() = default;
    device(const device&) = delete;
    device& operator=(const device&) = delete;

    backend& get_backend() const { return backend_; }
    context& get_context() const;
    int index() const { return index_; }
    const std::string& name() const { return name_; }
    // Whether the device's memory is host memory that the library's host kernels can work on.
    virtual bool is_host() const = 0;
    // The DLPack device type of the memory (kDLCPU = 1, kDLCUDA = 2, ...).
    virtual int dlpack_device_type() const { return 1; }
    // Whether a host device has a parallel loop of its own (a user device's traits may give one);
    // the others (native) run the OpenMP loop of device/parallel.hpp, inlined into each kernel.
    bool has_own_loop() const { return has_own_loop_; }
    // The device's own loop: body(begin, end) over chunks of [0, n), serial below threshold.
    virtual void own_parallel_for(int64_t n, int64_t threshold, range_ref body) {
        chainerx::parallel_for(n, threshold, body);
    }

    // Allocates uninitialized memory owned by the returned pointer.
    virtual std::shared_ptr<void> allocate(size_t bytes) = 0;
    // Copies between this device's memory and host memory.
    virtual void copy_to_host(void* dst_host, const void* src, size_t bytes) = 0;
    virtual void copy_from_host(void* dst, const void* src_host, size_t bytes) = 0;
    virtual void synchronize() {}
    // The memory the device's allocator keeps for reuse (0 when it keeps none), and giving it back
    // to the system; allocators do that themselves before they report being out of memory.
    virtual size_t cached_bytes() const { return 0; }
    virtual void release_cached() {}

  protected:
    bool has_own_loop_ = false;  // set by the constructor of a device that overrides own_parallel_for

  private:
    backend& backend_;
    int index_;
    std::string name_;
};

// The kernels a backend compiled for devices that are not host devices (CUDA), keyed by a type
// that names the op and element types (elementwise_kernel in kernels/elementwise.hpp).
using kernel_table = function_table;

class backend {
  public:
    backend(context& owner, std::string name) : context_(owner), name_(std::move(name)) {}
    virtual ~backend() = default;
    backend(const backend&) = delete;
    backend& operator=(const backend&) = delete;

    const std::string& name() const { return name_; }
    context& get_context() const { return context_; }
    virtual int device_count() const = 0;
    kernel_table& kernels() { return kernels_; }
    const kernel_table& kernels() const { return kernels_; }

    device& get_device(int index) {
        if (index < 0 || index >= device_count())
            throw_error<device_error>("device index out of range: ", name_, ":", index, " (", name_, " has ",
                                      device_count(), " devices)");
        std::lock_guard lock(mutex_);
        if (devices_.size() < static_cast<size_t>(device_count())) devices_.resize(device_count());
        auto& slot = devices_[index];
        if (!slot) slot = create_device(index);
        return *slot;
    }

  protected:
    virtual std::unique_ptr<device> create_device(int index) = 0;

  private:
    context& context_;
    std::string name_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<device>> devices_;
    kernel_table kernels_;
};

inline device::device(backend& owner, int index)
    : backend_(owner), index_(index), name_(owner.name() + ":" + std::to_string(index)) {}

// ---- the backend registry ---------------------------------------------------------------------

// Makes the backend of a context; throws backend_error when the backend cannot work here (no GPU).
using backend_factory = std::function<std::unique_ptr<backend>(context&)>;

namespace detail {
struct backend_registry {
    std::mutex mutex;
    std::map<std::string, backend_factory, std::less<>> factories;
};
inline backend_registry& get_backend_registry() {
    static auto* registry = new backend_registry;  // never destroyed: backends may outlive main
    return *registry;
}
}  // namespace detail

// Registers (or replaces) the factory of the backend called `name`; contexts make the backend from it
// the first time a device of that name is asked for.
inline void register_backend(std::string name, backend_factory factory) {
    auto& registry = detail::get_backend_registry();
    std::lock_guard lock(registry.mutex);
    registry.factories[std::move(name)] = std::move(factory);
}
// The names of the registered backends, sorted.
inline std::vector<std::string> registered_backends() {
    auto& registry = detail::get_backend_registry();
    std::lock_guard lock(registry.mutex);
    std::vector<std::string> names;
    for (const auto& [name, factory] : registry.factories) names.push_back(name);
    return names;
}

// ---- context ---------------------------------------------------------------------------------

class context {
  public:
    context() = default;
    context(const context&) = delete;
    context& operator=(const context&) = delete;

    backend& get_backend(std::string_view name) {
        std::lock_guard lock(mutex_);
        auto it = backends_.find(name);
        if (it != backends_.end()) return *it->second;
        backend_factory factory;
        {
            auto& registry = detail::get_backend_registry();
            std::lock_guard registry_lock(registry.mutex);
            auto found = registry.factories.find(name);
            if (found != registry.factories.end()) factory = found->second;
        }
        if (!factory) throw_error<backend_error>("backend not found: '", name, "'");
        std::unique_ptr<backend> created = factory(*this);
        backend& b = *created;
        backends_.emplace(std::string(name), std::move(created));
        return b;
    }

    // Backprop ids (graphs) of this context, by ordinal; ordinal 0 is the default '<default>'.
    int make_backprop_id(std::string name) {
        std::lock_guard lock(mutex_);
        backprop_names_.push_back(std::move(name));
        backprop_released_.push_back(false);
        return static_cast<int>(backprop_names_.size()) - 1;
    }
    void release_backprop_id(int ordinal) {
        std::lock_guard lock(mutex_);
        check_backprop_id_locked(ordinal);
        if (ordinal == 0) throw_error<context_error>("cannot release the default backprop id");
        backprop_released_[ordinal] = true;
    }
    void check_backprop_id(int ordinal) {
        std::lock_guard lock(mutex_);
        check_backprop_id_locked(ordinal);
    }
    std::string backprop_name(int ordinal) {
        std::lock_guard lock(mutex_);
        return backprop_names_.at(ordinal);
    }

    // Accepts "native:1", "native" (index 0) or a backend name with an explicit index.
    device& get_device(std::string_view name, int index = -1) {
        auto colon = name.find(':');
        std::string_view backend_name = name.substr(0, colon);
        if (colon != std::string_view::npos) {
            if (index >= 0) throw_error<device_error>("device name '", name, "' already has an index");
            std::string_view index_text = name.substr(colon + 1);
            index = 0;
            if (index_text.empty()) throw_error<device_error>("invalid device name: '", name, "'");
            for (char c : index_text) {
                if (c < '0' || c > '9' || index > 100000)
                    throw_error<device_error>("invalid device name: '", name, "'");
                index = index * 10 + (c - '0');
            }
        }
        return get_backend(backend_name).get_device(index < 0 ? 0 : index);
    }

  private:
    void check_backprop_id_locked(int ordinal) const {
        if (ordinal < 0 || ordinal >= static_cast<int>(backprop_names_.size()) || backprop_released_[ordinal])
            throw_error<context_error>("backprop id ", ordinal, " is not valid in this context (released?)");
    }

    std::mutex mutex_;
    std::map<std::string, std::unique_ptr<backend>, std::less<>> backends_;
    std::vector<std::string> backprop_names_{"<default>"};
    std::vector<bool> backprop_released_{false};
};

inline context& device::get_context() const { return backend_.get_context(); }

// The process-wide global default context, and the thread-local default context and device.
namespace detail {
inline context*& global_default_context_slot() {
    static context* ctx = new context;  // never destroyed: arrays may outlive static destruction
    return ctx;
}
inline context*& thread_default_context_slot() {
    thread_local context* ctx = nullptr;
    return ctx;
}
inline device*& thread_default_device_slot() {
    thread_local device* dev = nullptr;
    return dev;
}
}  // namespace detail

inline context& get_global_default_context() { return *detail::global_default_context_slot(); }
inline void set_global_default_context(context& ctx) { detail::global_default_context_slot() = &ctx; }
inline context& get_default_context() {
    context* ctx = detail::thread_default_context_slot();
    return ctx ? *ctx : get_global_default_context();
}
inline void set_default_context(context& ctx) {
    detail::thread_default_context_slot() = &ctx;
    detail::thread_default_device_slot() = nullptr;
}
inline device& get_default_device() {
    device* dev = detail::thread_default_device_slot();
    if (dev && &dev->get_context() == &get_default_context()) return *dev;
    return get_default_context().get_device("native", 0);
}
inline void set_default_device(device& dev) {
    if (&dev.get_context() != &get_default_context()) set_default_context(dev.get_context());
    detail::thread_default_device_slot() = &dev;
}
inline device& get_device(std::string_view name, int index = -1) {
    return get_default_context().get_device(name, index);
}

// RAII scope that makes a device the default of this thread (ChainerX's DeviceScope).
// Restores this thread's default context and device, as they were when it was made, when it ends.
class default_device_restorer {
  public:
    default_device_restorer()
        : saved_context_(detail::thread_default_context_slot()), saved_device_(detail::thread_default_device_slot()) {}
    ~default_device_restorer() {
        detail::thread_default_context_slot() = saved_context_;
        detail::thread_default_device_slot() = saved_device_;
    }
    default_device_restorer(const default_device_restorer&) = delete;
    default_device_restorer& operator=(const default_device_restorer&) = delete;

  private:
    context* saved_context_;
    device* saved_device_;
};

// Makes dev this thread's default device (and its context the default context) while it lives.
class device_scope : default_device_restorer {
  public:
    explicit device_scope(device& dev) { set_default_device(dev); }
};
// Makes ctx this thread's default context (with its native:0 the default device) while it lives.
class context_scope : default_device_restorer {
  public:
    explicit context_scope(context& ctx) { set_default_context(ctx); }
};

}  // namespace chainerx

// The default device is native:0, so the native backend (made with device_traits, which includes
// native.hpp at its end) is registered wherever devices are used, whichever of the three headers
// comes first.
#include "chainerx/device/device_traits.hpp"
