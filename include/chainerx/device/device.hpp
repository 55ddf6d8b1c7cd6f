#pragma once

// Contexts, backends and devices with ChainerX's semantics: a context owns backends by name, a
// backend owns its devices, and devices are singletons compared by address. Kernels reach a device's
// compile-time tag through dispatch_device().
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "chainerx/core/errors.hpp"
#include "chainerx/device/allocator.hpp"

namespace chainerx {

class context;
class backend;

// Which compile-time device implementation a runtime device uses.
enum class device_kind { native, cuda };

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
    virtual device_kind kind() const = 0;

    // Allocates uninitialized memory owned by the returned pointer.
    virtual std::shared_ptr<void> allocate(size_t bytes) = 0;
    // Copies between this device's memory and host memory.
    virtual void copy_to_host(void* dst_host, const void* src, size_t bytes) = 0;
    virtual void copy_from_host(void* dst, const void* src_host, size_t bytes) = 0;
    virtual void synchronize() {}

  private:
    backend& backend_;
    int index_;
    std::string name_;
};

class backend {
  public:
    backend(context& owner, std::string name) : context_(owner), name_(std::move(name)) {}
    virtual ~backend() = default;
    backend(const backend&) = delete;
    backend& operator=(const backend&) = delete;

    const std::string& name() const { return name_; }
    context& get_context() const { return context_; }
    virtual int device_count() const = 0;

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
};

inline device::device(backend& owner, int index)
    : backend_(owner), index_(index), name_(owner.name() + ":" + std::to_string(index)) {}

// ---- native (CPU) ---------------------------------------------------------------------------

class native_device final : public device {
  public:
    using device::device;
    device_kind kind() const override { return device_kind::native; }

    std::shared_ptr<void> allocate(size_t bytes) override {
        auto& pool = caching_host_allocator::instance();
        return std::shared_ptr<void>(
            pool.allocate(bytes), [bytes](void* p) { caching_host_allocator::instance().deallocate(p, bytes); },
            pooled_allocator<char>{});
    }
    void copy_to_host(void* dst, const void* src, size_t bytes) override { std::memcpy(dst, src, bytes); }
    void copy_from_host(void* dst, const void* src, size_t bytes) override { std::memcpy(dst, src, bytes); }
};

class native_backend final : public backend {
  public:
    explicit native_backend(context& owner) : backend(owner, "native") {}
    // ChainerX reports four native devices.
    int device_count() const override { return 4; }

  protected:
    std::unique_ptr<device> create_device(int index) override { return std::make_unique<native_device>(*this, index); }
};

#if defined(CHAINERX_WITH_CUDA)
namespace cuda {
// Defined in the chainerx::cuda library; throws backend_error when no CUDA device is usable.
std::unique_ptr<backend> make_backend(context& owner);
// The CUDA runtime and driver versions and one line per visible device (name, compute capability,
// memory), or why none is visible; for bug reports.
std::string describe_devices();
}  // namespace cuda
#endif

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
        std::unique_ptr<backend> created;
        if (name == "native") {
            created = std::make_unique<native_backend>(*this);
        }
#if defined(CHAINERX_WITH_CUDA)
        else if (name == "cuda") {
            created = cuda::make_backend(*this);
        }
#endif
        else {
            throw_error<backend_error>("backend not found: '", name, "'");
        }
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
class device_scope {
  public:
    explicit device_scope(device& dev)
        : saved_context_(detail::thread_default_context_slot()), saved_device_(detail::thread_default_device_slot()) {
        set_default_device(dev);
    }
    ~device_scope() {
        detail::thread_default_context_slot() = saved_context_;
        detail::thread_default_device_slot() = saved_device_;
    }
    device_scope(const device_scope&) = delete;
    device_scope& operator=(const device_scope&) = delete;

  private:
    context* saved_context_;
    device* saved_device_;
};

}  // namespace chainerx
