#pragma once

// Host parallelism: an OpenMP loop over a range that stays serial below a size threshold, and hooks
// that let an embedding (the Python module) drop its interpreter lock around long kernels.
#include <algorithm>
#include <cstdint>
#include <type_traits>

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace chainerx {

// Elements below which a cheap elementwise loop is not worth waking other threads for. The threads
// sleep between kernels (chainerx/__init__.py sets GOMP_SPINCOUNT=100, so that a busy machine is not
// slowed by spinning), and waking them costs 5-20 us: on 2 cores, a float32 add of 2^15 elements took
// 21 us on two threads against 4 us on one. Only loops of more than ~30 us of work on one core
// (2^18 cheap elements; costlier ops divide this by their op_cost) are split.
inline constexpr int64_t parallel_threshold = int64_t{1} << 18;
// Elements above which a kernel counts as long running (the Python module releases the GIL).
inline constexpr int64_t long_running_threshold = int64_t{1} << 14;

struct long_running_hooks {
    void* (*enter)() = nullptr;
    void (*leave)(void*) = nullptr;
};
inline long_running_hooks& get_long_running_hooks() {
    static long_running_hooks hooks;
    return hooks;
}

// Calls the embedding's hooks around a long kernel.
class long_running_scope {
  public:
    explicit long_running_scope(int64_t work) {
        auto& hooks = get_long_running_hooks();
        if (work >= long_running_threshold && hooks.enter) {
            leave_ = hooks.leave;
            state_ = hooks.enter();
        }
    }
    ~long_running_scope() {
        if (leave_) leave_(state_);
    }
    long_running_scope(const long_running_scope&) = delete;
    long_running_scope& operator=(const long_running_scope&) = delete;

  private:
    void (*leave_)(void*) = nullptr;
    void* state_ = nullptr;
};

inline int max_threads() {
#if defined(_OPENMP)
    return omp_get_max_threads();
#else
    return 1;
#endif
}

// A non-owning reference to a callable body(begin, end), so that a device's parallel loop can be a
// virtual function; the body is still compiled (and vectorized) at its definition.
class range_ref {
  public:
    template <class Body>
        requires(!std::is_same_v<std::remove_cvref_t<Body>, range_ref>)
    range_ref(Body&& body)  // implicit, as std::function_ref; refers to body for one call
        : object_(const_cast<void*>(static_cast<const void*>(&body))),
          call_([](void* object, int64_t begin, int64_t end) {
              (*static_cast<std::remove_reference_t<Body>*>(object))(begin, end);
          }) {}
    void operator()(int64_t begin, int64_t end) const { call_(object_, begin, end); }

  private:
    void* object_;
    void (*call_)(void*, int64_t, int64_t);
};

// Runs body(begin, end) over [0, n), split into one contiguous chunk per thread when n is at least
// `threshold` (scaled by the caller's per-element cost).
template <class Body>
void parallel_for(int64_t n, int64_t threshold, Body&& body) {
#if defined(_OPENMP)
    int threads = n >= threshold ? std::min<int64_t>(max_threads(), n / std::max<int64_t>(threshold / 4, 1)) : 1;
    if (threads > 1) {
#pragma omp parallel num_threads(threads)
        {
            int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
            int64_t begin = n * t / nt, end = n * (t + 1) / nt;
            if (begin < end) body(begin, end);
        }
        return;
    }
#endif
    if (n > 0) body(int64_t{0}, n);
}

}  // namespace chainerx
