// A device of the user's own: "budget", host memory under a fixed byte budget per device, with
// counters of bytes in use, peak bytes, allocations, copies and kernel loops. Run a model on
// budget:0 to learn its peak memory and how many loops one step costs, or to make a test fail as
// soon as the model outgrows a memory budget. The library is not changed: one traits specialization
// and one registration, and every op, copies to and from native, and autograd work on it.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "chainerx/chainerx.hpp"

namespace chx = chainerx;

struct budget_tag {};

struct budget_counters {
    std::atomic<int64_t> in_use{0}, peak{0}, allocations{0}, copied_bytes{0}, loops{0};
    int64_t limit = int64_t{256} << 20;
};
budget_counters& counters(int index) {
    static budget_counters per_device[2];
    return per_device[index];
}

template <>
struct chainerx::device_traits<budget_tag> {
    static constexpr std::string_view backend_name = "budget";
    static int device_count() { return 2; }

    static void* allocate(int index, size_t bytes) {
        budget_counters& c = counters(index);
        int64_t now = c.in_use += static_cast<int64_t>(bytes);
        if (now > c.limit) {
            c.in_use -= static_cast<int64_t>(bytes);
            chx::throw_error<chx::device_error>("budget:", index, ": ", bytes, " more bytes exceed the budget of ",
                                                c.limit);
        }
        int64_t peak = c.peak;
        while (now > peak && !c.peak.compare_exchange_weak(peak, now)) {
        }
        ++c.allocations;
        return std::aligned_alloc(64, (std::max<size_t>(bytes, 1) + 63) / 64 * 64);
    }
    static void deallocate(int index, void* p, size_t bytes) {
        std::free(p);
        counters(index).in_use -= static_cast<int64_t>(bytes);
    }
    static void copy_to_host(int index, void* dst, const void* src, size_t bytes) {
        counters(index).copied_bytes += static_cast<int64_t>(bytes);
        std::memcpy(dst, src, bytes);
    }
    static void copy_from_host(int index, void* dst, const void* src, size_t bytes) {
        copy_to_host(index, dst, src, bytes);
    }
    static void synchronize(int) {}
    // One thread, so results are reproducible run to run; counts the loops the ops ran.
    static void parallel_for(int index, int64_t n, int64_t, chx::range_ref body) {
        ++counters(index).loops;
        if (n > 0) body(0, n);
    }
};

// The largest absolute difference between two arrays, on the host.
double max_difference(const chx::array& a, const chx::array& b) {
    chx::device& native = chx::get_device("native:0");
    chx::array d = chx::amax(chx::absolute(chx::subtract(chx::to_device(a, native), chx::to_device(b, native))));
    return static_cast<double>(*static_cast<const float*>(d.raw_data()));
}

// loss = sum(tanh(x @ w) * x) with its gradient with respect to w, on one device.
chx::array loss_and_grad(const chx::array& x0, const chx::array& w0, chx::device& dev, chx::array& grad) {
    chx::array x = chx::to_device(x0, dev), w = chx::copy(chx::to_device(w0, dev));
    chx::require_grad(w);
    chx::array loss = chx::sum(chx::multiply(chx::tanh(chx::matmul(x, w)), x));
    chx::backward({loss});
    grad = *chx::get_grad(w);
    return loss;
}

int main() {
    chx::register_device<budget_tag>();
    chx::device& native = chx::get_device("native:0");
    chx::device& budget = chx::get_device("budget:0");

    chx::array x = chx::divide(chx::reshape(chx::arange(0, 64, 1, chx::dtype::float32), {8, 8}), 64.0);
    chx::array w = chx::subtract(chx::reshape(chx::arange(0, 64, 1, chx::dtype::float32), {8, 8}), 31.5);
    chx::array native_grad, budget_grad;
    chx::array native_loss = loss_and_grad(x, w, native, native_grad);
    chx::array budget_loss = loss_and_grad(x, w, budget, budget_grad);

    double loss_error = max_difference(native_loss, budget_loss), grad_error = max_difference(native_grad, budget_grad);
    budget_counters& c = counters(0);
    std::cout << "loss on budget:0 " << *static_cast<const float*>(chx::to_device(budget_loss, native).raw_data())
              << " (differs from native:0 by " << loss_error << "), gradient differs by " << grad_error << "\n"
              << "budget:0 peak " << c.peak << " bytes in " << c.allocations << " allocations, " << c.loops
              << " loops, " << c.copied_bytes << " bytes copied\n";
    bool ok = loss_error < 1e-4 && grad_error < 1e-4 && budget_grad.get_device().name() == "budget:0" && c.loops > 0;

    // A model that outgrows the budget fails at once, with a clear error.
    try {
        chx::zeros({int64_t{1} << 27}, chx::dtype::float32, budget);
        ok = false;
    } catch (const chx::device_error& e) {
        std::cout << "over budget: " << e.what() << "\n";
    }
    std::cout << (ok ? "OK" : "FAILED") << std::endl;
    return ok ? 0 : 1;
}
