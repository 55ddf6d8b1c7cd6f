#pragma once

// Backprop modes: a thread-local stack of scopes that switch recording off (no_backprop_mode) or
// on (force_backprop_mode) for all graphs of a context or for some backprop ids.
#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

#include "chainerx/autograd/backprop_id.hpp"

namespace chainerx {

namespace detail {
struct backprop_mode_entry {
    context* ctx;
    std::optional<std::vector<backprop_id>> ids;  // nothing: every graph of ctx
    bool enabled;
    uint64_t token;  // identifies the scope that pushed the entry
};
inline std::vector<backprop_mode_entry>& backprop_mode_stack() {
    thread_local std::vector<backprop_mode_entry> stack;
    return stack;
}
}  // namespace detail

// Whether ops record graph nodes for `id` on this thread (the innermost applicable scope decides).
inline bool is_backprop_required(const backprop_id& id) {
    auto& stack = detail::backprop_mode_stack();
    for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
        if (it->ctx != &id.get_context()) continue;
        if (!it->ids) return it->enabled;
        for (const backprop_id& b : *it->ids)
            if (b == id) return it->enabled;
    }
    return true;
}

// Sets recording on (enabled) or off for every graph of ctx, or only for the given backprop ids, while it
// lives. Scopes may end out of order (Python's __exit__ called by hand): each removes its own entry, so the
// others keep theirs. A scope ended on another thread than the one it began on finds nothing to
// remove there and leaves both threads' stacks alone (the Python layer refuses that case first).
class backprop_mode_scope {
  public:
    backprop_mode_scope(bool enabled, context& ctx, std::optional<std::vector<backprop_id>> ids)
        : token_(next_token()) {
        detail::backprop_mode_stack().push_back({&ctx, std::move(ids), enabled, token_});
    }
    ~backprop_mode_scope() {
        auto& stack = detail::backprop_mode_stack();
        for (auto it = stack.end(); it != stack.begin();) {
            --it;
            if (it->token == token_) {
                stack.erase(it);
                return;
            }
        }
    }
    backprop_mode_scope(const backprop_mode_scope&) = delete;
    backprop_mode_scope& operator=(const backprop_mode_scope&) = delete;

  private:
    static uint64_t next_token() {
        static std::atomic<uint64_t> counter{0};
        return counter.fetch_add(1, std::memory_order_relaxed) + 1;
    }
    uint64_t token_;
};

// Turns recording off for every graph of a context, or for the given backprop ids.
class no_backprop_mode : backprop_mode_scope {
  public:
    explicit no_backprop_mode(context& ctx = get_default_context()) : backprop_mode_scope(false, ctx, std::nullopt) {}
    explicit no_backprop_mode(std::vector<backprop_id> ids)
        : backprop_mode_scope(false, ids.empty() ? get_default_context() : ids[0].get_context(), std::move(ids)) {}
};
// Turns recording back on inside a no_backprop_mode.
class force_backprop_mode : backprop_mode_scope {
  public:
    explicit force_backprop_mode(context& ctx = get_default_context()) : backprop_mode_scope(true, ctx, std::nullopt) {}
    explicit force_backprop_mode(std::vector<backprop_id> ids)
        : backprop_mode_scope(true, ids.empty() ? get_default_context() : ids[0].get_context(), std::move(ids)) {}
};

}  // namespace chainerx
