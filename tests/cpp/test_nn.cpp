// Activations, the softmax family, losses, accuracy (routines/activation.hpp, loss.hpp) and the
// counter-based random generator (routines/random.hpp), used from C++ alone.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "chainerx/routines/activation.hpp"
#include "chainerx/routines/loss.hpp"
#include "chainerx/routines/random.hpp"
#include "test_util.hpp"

namespace chainerx {
namespace {

using testing::expect_near;
using testing::make;
using testing::to_values;
using testing::values_t;

TEST(ActivationTest, ReluValuesAndDtypes) {
    array x = make({2, 3}, dtype::float32, {-2, -0.5, 0, 0.5, 1, 3});
    array y = relu(x);
    EXPECT_EQ(y.dtype(), dtype::float32);
    EXPECT_EQ(y.shape(), x.shape());
    expect_near(to_values(y), {0, 0, 0, 0.5, 1, 3}, 0);
    // Integers compute in float32, as ChainerX's math routines.
    EXPECT_EQ(relu(make({2}, dtype::int32, {-1, 2})).dtype(), dtype::float32);
    EXPECT_TRUE(std::isnan(to_values(relu(make({1}, dtype::float64, {std::nan("")})))[0]));
}

TEST(ActivationTest, ReluGradient) {
    array x = make({4}, dtype::float64, {-1, -0.25, 0.5, 2});
    require_grad(x);
    array y = relu(x);
    backward({sum(multiply(y, 3.0))});
    expect_near(to_values(*get_grad(x)), {0, 0, 3, 3}, 0);
}

TEST(ActivationTest, CheckBackwardAndDoubleBackward) {
    array x = make({2, 3}, dtype::float64, {-1.5, -0.3, 0.2, 0.7, 1.1, 2.5});
    array gy = make({2, 3}, dtype::float64, {0.3, -0.2, 0.5, 1.0, -0.7, 0.1});
    array ggx = make({2, 3}, dtype::float64, {0.1, 0.4, -0.3, 0.2, 0.6, -0.5});
    std::vector<differentiable_function> funcs = {
        [](const std::vector<array>& v) { return std::vector<array>{sigmoid(v[0])}; },
        [](const std::vector<array>& v) { return std::vector<array>{elu(v[0], 0.7)}; },
        [](const std::vector<array>& v) { return std::vector<array>{softplus(v[0], 2.0)}; },
        [](const std::vector<array>& v) { return std::vector<array>{softmax(v[0])}; },
        [](const std::vector<array>& v) { return std::vector<array>{log_softmax(v[0], axes_t{0})}; },
        [](const std::vector<array>& v) { return std::vector<array>{gelu(v[0])}; },
    };
    for (const auto& f : funcs) {
        check_backward(f, {x}, {gy}, 1e-6, 1e-6, 1e-6);
        check_double_backward(f, {x}, {gy}, {ggx}, 1e-6, 1e-5, 1e-5);
    }
    auto lse = [](const std::vector<array>& v) { return std::vector<array>{logsumexp(v[0], axes_t{1})}; };
    array gy_rows = make({2}, dtype::float64, {0.4, -0.9});
    check_backward(lse, {x}, {gy_rows}, 1e-6, 1e-6, 1e-6);
    check_double_backward(lse, {x}, {gy_rows}, {ggx}, 1e-6, 1e-5, 1e-5);
}

TEST(SoftmaxTest, RowsSumToOneAndStable) {
    array x = make({2, 3}, dtype::float32, {1000, 1001, 1002, -5, 0, 5});
    values_t y = to_values(softmax(x));
    EXPECT_NEAR(y[0] + y[1] + y[2], 1.0, 1e-6);
    EXPECT_NEAR(y[2], 1.0 / (1.0 + std::exp(-1.0) + std::exp(-2.0)), 1e-6);
    values_t l = to_values(logsumexp(x, axes_t{1}));
    EXPECT_NEAR(l[0], 1002 + std::log(1 + std::exp(-1.0) + std::exp(-2.0)), 1e-3);
    EXPECT_THROW(softmax(make({3}, dtype::float32, {1, 2, 3})), dimension_error);  // default axis 1
}

TEST(LossTest, SoftmaxCrossEntropyValues) {
    array x = make({2, 3}, dtype::float64, {1, 2, 3, 0, 0, 0});
    array t = make({2}, dtype::int32, {2, 0});
    values_t loss = to_values(softmax_cross_entropy(x, t));
    double lse0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
    expect_near(loss, {lse0 - 3, std::log(3.0)}, 1e-12);
    EXPECT_THROW(softmax_cross_entropy(make({3}, dtype::float64, {1, 2, 3}), t), dimension_error);
    EXPECT_THROW(softmax_cross_entropy(x, make({3}, dtype::int32, {0, 1, 2})), dimension_error);
    EXPECT_THROW(softmax_cross_entropy(x, make({2}, dtype::float32, {0, 1})), dtype_error);
    auto f = [t](const std::vector<array>& v) { return std::vector<array>{softmax_cross_entropy(v[0], t)}; };
    array gy = make({2}, dtype::float64, {0.5, -1.5});
    check_backward(f, {x}, {gy}, 1e-6, 1e-6, 1e-6);
    check_double_backward(f, {x}, {gy}, {make({2, 3}, dtype::float64, {0.1, 0.2, 0.3, -0.1, 0.5, 0.2})}, 1e-6, 1e-5,
                          1e-5);
}

TEST(LossTest, Accuracy) {
    array y = make({4, 2}, dtype::float32, {0.1, 0.9, 0.8, 0.2, 0.3, 0.7, 0.6, 0.4});
    array t = make({4}, dtype::int64, {1, 0, 0, -1});
    array a = accuracy(y, t);
    EXPECT_EQ(a.dtype(), dtype::float32);
    EXPECT_EQ(a.ndim(), 0);
    expect_near(to_values(a), {0.5}, 1e-7);
    expect_near(to_values(accuracy(y, t, -1)), {2.0 / 3.0}, 1e-7);
    EXPECT_THROW(accuracy(make({4}, dtype::int32, {0, 1, 0, 1}), t), dtype_error);
}

TEST(RandomTest, PhiloxKnownAnswers) {
    // Random123's known-answer vectors for philox4x32_10.
    random::philox_block zero = random::philox4x32_10({{0, 0, 0, 0}}, 0, 0);
    EXPECT_EQ(zero.v[0], 0x6627e8d5u);
    EXPECT_EQ(zero.v[1], 0xe169c58du);
    EXPECT_EQ(zero.v[2], 0xbc57ac4cu);
    EXPECT_EQ(zero.v[3], 0x9b00dbd8u);
    random::philox_block ones = random::philox4x32_10({{~0u, ~0u, ~0u, ~0u}}, ~0u, ~0u);
    EXPECT_EQ(ones.v[0], 0x408f276du);
    EXPECT_EQ(ones.v[1], 0x41c83b0eu);
    EXPECT_EQ(ones.v[2], 0xa20bc7c6u);
    EXPECT_EQ(ones.v[3], 0x6d5451fdu);
}

TEST(RandomTest, SeedReproducesAndStatistics) {
    random::generator gen(42);
    array a = random::normal({100000}, 1.0, 2.0, dtype::float64, get_default_device(), gen);
    array b = random::normal({100000}, 1.0, 2.0, dtype::float64, get_default_device(), gen);
    gen.seed(42);
    array a2 = random::normal({100000}, 1.0, 2.0, dtype::float64, get_default_device(), gen);
    EXPECT_EQ(to_values(a), to_values(a2));
    EXPECT_NE(to_values(a), to_values(b));
    EXPECT_NEAR(to_values(mean(a))[0], 1.0, 0.03);
    EXPECT_NEAR(to_values(stddev(a))[0], 2.0, 0.03);
    array u = random::uniform({100000}, -1.0, 3.0, dtype::float32, get_default_device(), gen);
    EXPECT_EQ(u.dtype(), dtype::float32);
    values_t uv = to_values(u);
    for (double v : uv) ASSERT_TRUE(v >= -1.0 && v <= 3.0);
    EXPECT_NEAR(to_values(mean(u))[0], 1.0, 0.03);
    EXPECT_THROW(random::normal({2}, 0.0, 1.0, dtype::int32), dtype_error);
    EXPECT_THROW(random::normal({2}, 0.0, -1.0), std::invalid_argument);
}

}  // namespace
}  // namespace chainerx
