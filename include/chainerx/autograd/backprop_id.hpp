#pragma once

// Backprop ids name the graphs an array can be part of; several graphs may coexist. A backprop id
// belongs to a context, which hands them out and takes them back.
#include <string>

#include "chainerx/device/device.hpp"

namespace chainerx {

class backprop_id {
  public:
    backprop_id(context& ctx, int ordinal) : context_(&ctx), ordinal_(ordinal) {}

    context& get_context() const { return *context_; }
    int ordinal() const { return ordinal_; }
    std::string name() const { return context_->backprop_name(ordinal_); }
    void check_valid() const { context_->check_backprop_id(ordinal_); }

    friend bool operator==(const backprop_id& a, const backprop_id& b) {
        return a.context_ == b.context_ && a.ordinal_ == b.ordinal_;
    }

  private:
    context* context_;
    int ordinal_;
};

// The default graph of the default context.
inline backprop_id default_backprop_id() { return backprop_id(get_default_context(), 0); }

inline backprop_id make_backprop_id(std::string name, context& ctx = get_default_context()) {
    return backprop_id(ctx, ctx.make_backprop_id(std::move(name)));
}
inline void release_backprop_id(const backprop_id& id) { id.get_context().release_backprop_id(id.ordinal()); }

// RAII scope that makes a fresh backprop id and releases it on exit (ChainerX's backprop_scope).
class backprop_scope {
  public:
    explicit backprop_scope(std::string name, context& ctx = get_default_context())
        : id_(make_backprop_id(std::move(name), ctx)) {}
    ~backprop_scope() { release_backprop_id(id_); }
    backprop_scope(const backprop_scope&) = delete;
    backprop_scope& operator=(const backprop_scope&) = delete;
    const backprop_id& id() const { return id_; }

  private:
    backprop_id id_;
};

}  // namespace chainerx
