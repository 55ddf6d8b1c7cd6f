#pragma once

// chainerx::array: a cheap, ref-counted handle on an array body (storage, offset, shape, strides in
// bytes, dtype, device). Views share storage through the body's data pointer.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "chainerx/core/allocator.hpp"
#include "chainerx/core/shape.hpp"
#include "chainerx/dtype/dtype.hpp"

namespace chainerx {

class device;  // device/device.hpp

// The autograd state of an array (its graph nodes and gradients, one per backprop id); defined in
// autograd/graph.hpp. Arrays outside any graph have none, so plain ops pay nothing for autograd.
struct graph_state;

struct array_body {
    shape_t shape;
    strides_t strides;
    int64_t offset = 0;  // bytes from data to the first element
    dtype type = dtype::float32;
    device* dev = nullptr;
    std::shared_ptr<void> data;
    std::shared_ptr<graph_state> graph;
    // Writes are refused (NumPy's non-writeable arrays): memory imported read-only, broadcast views,
    // and every view of a read-only array. Set before the array is shared, never cleared.
    bool read_only = false;
};

namespace detail {
// Memory that recorded op nodes keep for their backward, counted per allocation (the storage's base
// address) so that every view of it, grad-stopped or not, sees the mark: in-place writes into any of
// them would corrupt the gradient. Marks last until the backward pass has used the node, or the
// node is gone.
class retained_storage_registry {
  public:
    void retain(const void* key) {
        std::lock_guard lock(mutex_);
        ++counts_[key];
        total_.fetch_add(1, std::memory_order_relaxed);
    }
    // Releases the marks of `keys` and clears the list (under the lock, so that two threads releasing
    // the same list release it once).
    void release(std::vector<const void*>& keys) {
        if (keys.empty()) return;
        std::lock_guard lock(mutex_);
        for (const void* key : keys) {
            auto it = counts_.find(key);
            if (it != counts_.end() && --it->second == 0) counts_.erase(it);
            total_.fetch_sub(1, std::memory_order_relaxed);
        }
        keys.clear();
    }
    bool is_retained(const void* key) {
        if (total_.load(std::memory_order_relaxed) == 0) return false;  // no graph keeps anything
        std::lock_guard lock(mutex_);
        return counts_.count(key) > 0;
    }

  private:
    std::mutex mutex_;
    std::unordered_map<const void*, int64_t> counts_;
    std::atomic<int64_t> total_{0};
};
// Leaked on purpose: op nodes may be destroyed during static destruction.
inline retained_storage_registry& retained_storages() {
    static auto* registry = new retained_storage_registry;
    return *registry;
}
}  // namespace detail

class array {
  public:
    array() = default;

    // Wraps existing memory (no copy). Every array and view is made here, so this is where shapes
    // are checked: no negative dimension, and a byte size that fits in int64 (std::length_error).
    static array from_data(shape_t shape, strides_t strides, chainerx::dtype type, device& dev,
                           std::shared_ptr<void> data, int64_t offset = 0) {
        shape.checked_product(itemsize_of(type));
        array a;
        a.body_ = std::allocate_shared<array_body>(pooled_allocator<array_body>{}, std::move(shape), std::move(strides),
                                                   offset, type, &dev, std::move(data), nullptr);
        return a;
    }

    bool defined() const { return body_ != nullptr; }
    const shape_t& shape() const { return body_->shape; }
    const strides_t& strides() const { return body_->strides; }
    int64_t offset() const { return body_->offset; }
    chainerx::dtype dtype() const { return body_->type; }
    device& get_device() const { return *body_->dev; }
    const std::shared_ptr<void>& data() const { return body_->data; }
    int ndim() const { return body_->shape.size(); }
    int64_t size() const { return body_->shape.product(); }
    int64_t itemsize() const { return itemsize_of(body_->type); }
    int64_t nbytes() const { return size() * itemsize(); }
    // Address of the first element.
    void* raw_data() const { return static_cast<char*>(body_->data.get()) + body_->offset; }
    array_body* body() const { return body_.get(); }
    const std::shared_ptr<array_body>& body_ptr() const { return body_; }
    static array from_body(std::shared_ptr<array_body> body) {
        array a;
        a.body_ = std::move(body);
        return a;
    }

    // C-contiguous, ignoring the strides of length-1 axes (NumPy's flag).
    bool is_contiguous() const {
        if (size() == 0) return true;
        int64_t expected = itemsize();
        for (int i = ndim() - 1; i >= 0; --i) {
            if (shape()[i] == 1) continue;
            if (strides()[i] != expected) return false;
            expected *= shape()[i];
        }
        return true;
    }

    // Same storage, new metadata; a view of a read-only array is read-only.
    array make_view(shape_t shape, strides_t strides, int64_t offset) const {
        array out = from_data(shape, strides, body_->type, *body_->dev, body_->data, offset);
        out.body_->read_only = body_->read_only;
        return out;
    }

    bool is_read_only() const { return body_->read_only; }
    // Only for arrays not yet shared with other threads (just made).
    void set_read_only() const { body_->read_only = true; }
    // Whether a recorded op node keeps this array's memory (through any view of it) for its backward.
    bool is_storage_retained() const { return data() && detail::retained_storages().is_retained(data().get()); }

    // True if both handles refer to the same body (Python's `is` for arrays).
    bool same_body(const array& other) const { return body_ == other.body_; }

  private:
    std::shared_ptr<array_body> body_;
};

}  // namespace chainerx
