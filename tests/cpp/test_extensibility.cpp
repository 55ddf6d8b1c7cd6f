// Tests of the open doors: a user's dtype (dtype_traits + register_dtype), a user's host device
// (device_traits + register_device), a backend whose devices run only the kernels in its
// kernel_table (as CUDA's), and printing.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <compare>
#include <limits>
#include <sstream>
#include <string>

#include "chainerx/register_dtype.hpp"
#include "test_util.hpp"

namespace {

using namespace chainerx;

// A decimal with two digits after the point, in an int64 (cents).
struct cents {
    int64_t raw;
    cents() = default;
    explicit cents(double v) : raw(std::llround(v * 100)) {}
    explicit operator double() const { return static_cast<double>(raw) / 100; }
    friend cents operator+(cents a, cents b) { return from_raw(a.raw + b.raw); }
    friend cents operator-(cents a, cents b) { return from_raw(a.raw - b.raw); }
    friend cents operator-(cents a) { return from_raw(-a.raw); }
    friend cents operator*(cents a, cents b) { return from_raw(a.raw * b.raw / 100); }
    friend cents operator/(cents a, cents b) { return from_raw(b.raw ? a.raw * 100 / b.raw : 0); }
    friend auto operator<=>(cents, cents) = default;
    friend bool operator==(cents, cents) = default;
    static cents from_raw(int64_t r) {
        cents c;
        c.raw = r;
        return c;
    }
};

// A counter type with only addition and comparison: an integer kind, no autograd, few ops.
struct tally {
    int32_t n;
    tally() = default;
    explicit tally(double v) : n(static_cast<int32_t>(v)) {}
    explicit operator double() const { return n; }
    friend tally operator+(tally a, tally b) { return tally(a.n + b.n); }
    friend bool operator==(tally, tally) = default;
};

}  // namespace

template <>
struct std::numeric_limits<cents> : std::numeric_limits<int64_t> {  // for amax and argmin
    static cents lowest() { return cents::from_raw(INT64_MIN); }
    static cents max() { return cents::from_raw(INT64_MAX); }
};
template <>
struct chainerx::dtype_traits<cents> {
    static constexpr dtype_kind kind = dtype_kind::float_;
    static constexpr std::string_view name = "cents";
};
template <>
struct chainerx::dtype_traits<tally> {
    static constexpr dtype_kind kind = dtype_kind::int_;
    static constexpr std::string_view name = "tally";
};

namespace {

// A host device that counts its allocations and loops.
struct counting_tag {};
std::atomic<int64_t> counting_live_bytes{0}, counting_loops{0};

}  // namespace

template <>
struct chainerx::device_traits<counting_tag> {
    static constexpr std::string_view backend_name = "counting";
    static int device_count() { return 1; }
    static void* allocate(int, size_t bytes) {
        counting_live_bytes += static_cast<int64_t>(bytes);
        return std::malloc(std::max<size_t>(bytes, 1));
    }
    static void deallocate(int, void* p, size_t bytes) {
        counting_live_bytes -= static_cast<int64_t>(bytes);
        std::free(p);
    }
    static void parallel_for(int, int64_t n, int64_t, range_ref body) {
        ++counting_loops;
        if (n > 0) body(0, n);
    }
};

namespace {

using chainerx::testing::make;
using chainerx::testing::to_values;
using chainerx::testing::values_t;

const dtype cents_t = register_dtype<cents>();
const dtype tally_t = register_dtype<tally>();
[[maybe_unused]] const bool counting_registered = (register_device<counting_tag>(), true);

values_t values_of(const array& a) { return to_values(astype(to_device(a, get_device("native:0")), dtype::float64)); }

TEST(UserDtype, Registry) {
    EXPECT_FALSE(is_builtin(cents_t));
    EXPECT_EQ(register_dtype<cents>(), cents_t);  // once
    EXPECT_NE(cents_t, tally_t);
    EXPECT_EQ(dtype_name(cents_t), "cents");
    EXPECT_EQ(itemsize_of(cents_t), 8);
    EXPECT_EQ(kind_of(cents_t), dtype_kind::float_);
    EXPECT_EQ(dtype_from_name("cents"), cents_t);
    EXPECT_EQ(dtype_of<cents>(), cents_t);
    EXPECT_EQ(promote_types(cents_t, cents_t), cents_t);
    EXPECT_THROW(dtype_name(static_cast<dtype>(max_dtypes - 1)), dtype_error);
}

TEST(UserDtype, CreateCastAndCompute) {
    array a = astype(make({2, 3}, dtype::float64, {0.5, 1.25, -2, 3, 4.75, 0}), cents_t);
    EXPECT_EQ(a.dtype(), cents_t);
    EXPECT_EQ(values_of(a), (values_t{0.5, 1.25, -2, 3, 4.75, 0}));
    EXPECT_EQ(values_of(add(a, a)), (values_t{1, 2.5, -4, 6, 9.5, 0}));
    EXPECT_EQ(values_of(multiply(a, 2)), (values_t{1, 2.5, -4, 6, 9.5, 0}));  // a scalar takes a's dtype
    EXPECT_EQ(add(a, 2).dtype(), cents_t);
    EXPECT_EQ(values_of(negative(a)), (values_t{-0.5, -1.25, 2, -3, -4.75, 0}));
    EXPECT_EQ(values_of(absolute(a)), (values_t{0.5, 1.25, 2, 3, 4.75, 0}));
    EXPECT_EQ(to_values(greater(a, 1)), (values_t{0, 1, 0, 1, 1, 0}));
    EXPECT_EQ(values_of(maximum(a, 1)), (values_t{1, 1.25, 1, 3, 4.75, 1}));
    EXPECT_EQ(values_of(where(greater(a, 1), a, 0)), (values_t{0, 1.25, 0, 3, 4.75, 0}));
    EXPECT_EQ(values_of(sum(a, axes_t{1})), (values_t{-0.25, 7.75}));
    EXPECT_EQ(values_of(amax(a)), (values_t{4.75}));
    EXPECT_EQ(to_values(argmin(a)), (values_t{2}));
    EXPECT_EQ(values_of(transpose(a)), (values_t{0.5, 3, 1.25, 4.75, -2, 0}));  // views need nothing
    array filled = full({2}, 1.5, cents_t);
    EXPECT_EQ(values_of(filled), (values_t{1.5, 1.5}));
    EXPECT_EQ(as_scalar(sum(filled)).to<double>(), 3.0);
    // Round trip through every builtin dtype that holds the values.
    for (dtype d : {dtype::float32, dtype::int64, dtype::int16})
        EXPECT_EQ(values_of(astype(astype(full({1}, 3, cents_t), d), cents_t)), (values_t{3})) << d;
}

TEST(UserDtype, UnsupportedOpsNameTheOpAndDtype) {
    array a = full({2}, 1.5, cents_t);
    try {
        sqrt(a);  // cents has no sqrt
        FAIL();
    } catch (const dtype_error& e) {
        EXPECT_NE(std::string(e.what()).find("sqrt"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("cents"), std::string::npos) << e.what();
    }
    array t = full({3}, 2, tally_t);
    EXPECT_EQ(values_of(sum(t)), (values_t{6}));
    EXPECT_THROW(multiply(t, t), dtype_error);
    EXPECT_THROW(amax(t), dtype_error);  // no ordering
    EXPECT_THROW(matmul(a, a), dtype_error);
    EXPECT_THROW(astype(a, tally_t), dtype_error);  // between two user dtypes
    EXPECT_THROW(require_grad(t), dtype_error);     // an integer kind
}

TEST(UserDtype, Autograd) {
    array x = astype(make({3}, dtype::float64, {1, 2, 3}), cents_t);
    require_grad(x);
    array y = sum(multiply(x, x));
    backward({y});
    EXPECT_EQ(get_grad(x)->dtype(), cents_t);
    EXPECT_EQ(values_of(*get_grad(x)), (values_t{2, 4, 6}));
}

TEST(UserDevice, RunsEveryKindOfOp) {
    device& dev = get_device("counting:0");
    EXPECT_TRUE(dev.is_host());
    EXPECT_EQ(dev.get_backend().device_count(), 1);
    int64_t loops = counting_loops;
    {
        array x = to_device(make({2, 3}, dtype::float32, {1, 2, 3, 4, 5, 6}), dev);
        EXPECT_EQ(&x.get_device(), &dev);
        EXPECT_GT(counting_live_bytes, 0);
        require_grad(x);
        array y = sum(multiply(exp(x), x));  // elementwise, reduction, autograd
        backward({y});
        values_t xs = {1, 2, 3, 4, 5, 6}, grads = to_values(to_device(*get_grad(x), get_device("native:0")));
        for (size_t i = 0; i < xs.size(); ++i) EXPECT_NEAR(grads[i], std::exp(xs[i]) * (xs[i] + 1), 1e-3 * grads[i]);
        EXPECT_EQ(&get_grad(x)->get_device(), &dev);
        EXPECT_EQ(values_of(matmul(x, transpose(x))), (values_t{14, 32, 32, 77}));  // host kernels work too
        // A user dtype on a user device.
        array c = astype(x, cents_t);
        EXPECT_EQ(values_of(sum(c)), (values_t{21}));
        EXPECT_THROW(add(x, make({1}, dtype::float32, {1})), device_error);  // devices do not mix
    }
    EXPECT_GT(counting_loops, loops);
    EXPECT_EQ(counting_live_bytes, 0);  // everything freed
}

TEST(UserDevice, Registry) {
    auto names = registered_backends();
    EXPECT_NE(std::find(names.begin(), names.end(), "native"), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), "counting"), names.end());
    try {
        get_device("nowhere:0");
        FAIL();
    } catch (const backend_error& e) {
        EXPECT_NE(std::string(e.what()).find("nowhere"), std::string::npos);
    }
}

// A backend whose memory the host kernels must not touch: it runs only what its kernel_table has,
// here an add of float32 (the door the CUDA backend uses).
struct table_device final : device {
    using device::device;
    bool is_host() const override { return false; }
    std::shared_ptr<void> allocate(size_t bytes) override {
        return std::shared_ptr<void>(std::malloc(bytes + 1), std::free);
    }
    void copy_to_host(void* dst, const void* src, size_t bytes) override { std::memcpy(dst, src, bytes); }
    void copy_from_host(void* dst, const void* src, size_t bytes) override { std::memcpy(dst, src, bytes); }
};
struct table_backend final : backend {
    explicit table_backend(context& owner) : backend(owner, "table") {
        kernels().add<elementwise_kernel<ops::add, float, float, float>>(
            [](ops::add op, const elementwise_loop<3>& loop) {
                elementwise_host<ops::add, float, float, float>(chainerx::get_device("native:0"), op, loop);
            });
    }
    int device_count() const override { return 1; }
    std::unique_ptr<device> create_device(int index) override { return std::make_unique<table_device>(*this, index); }
};

TEST(KernelTableBackend, RunsOnlyItsKernels) {
    register_backend("table", [](context& owner) { return std::make_unique<table_backend>(owner); });
    device& dev = get_device("table:0");
    EXPECT_FALSE(dev.is_host());
    array a = to_device(make({3}, dtype::float32, {1, 2, 3}), dev);
    EXPECT_EQ(values_of(add(a, a)), (values_t{2, 4, 6}));
    EXPECT_THROW(multiply(a, a), not_implemented_error);
    EXPECT_THROW(sum(a), not_implemented_error);
}

TEST(Printing, LikeChainerXRepr) {
    std::ostringstream os;
    os << make({2, 2}, dtype::float32, {0, 1.5, 2, -3});
    EXPECT_EQ(os.str(), "array([[0., 1.5],\n       [2., -3.]], shape=(2, 2), dtype=float32, device='native:0')");
    os.str("");
    os << make({3}, dtype::bool_, {1, 0, 1}) << ' ' << make({}, dtype::int32, {7});
    EXPECT_EQ(os.str(),
              "array([True, False, True], shape=(3,), dtype=bool, device='native:0') "
              "array(7, shape=(), dtype=int32, device='native:0')");
    os.str("");
    os << full({2}, 1.25, cents_t);
    EXPECT_EQ(os.str(), "array([1.25, 1.25], shape=(2,), dtype=cents, device='native:0')");
}

}  // namespace
