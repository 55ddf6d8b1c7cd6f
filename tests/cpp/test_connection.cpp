// Connection, pooling and normalization routines from C++: values on small hand-checked inputs, the
// adjointness of im2col and col2im, gradients, running statistics and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "chainerx/chainerx.hpp"
#include "chainerx/routines/connection.hpp"
#include "chainerx/routines/normalization.hpp"
#include "chainerx/routines/pooling.hpp"
#include "test_util.hpp"

namespace chainerx {
namespace {

using testing::iota;
using testing::make;
using testing::to_values;
using values_t = testing::values_t;

double dot_values(const array& a, const array& b) {
    values_t x = to_values(a), y = to_values(b);
    double s = 0;
    for (size_t i = 0; i < x.size(); ++i) s += x[i] * y[i];
    return s;
}

TEST(Connection, Linear) {
    array x = make({2, 3}, dtype::float32, {1, 2, 3, 4, 5, 6});
    array w = make({2, 3}, dtype::float32, {1, 0, 0, 1, 1, 1});
    array b = make({2}, dtype::float32, {10, 20});
    array y = linear(x, w, b);
    EXPECT_EQ(y.shape(), (shape_t{2, 2}));
    EXPECT_EQ(to_values(y), (values_t{11, 26, 14, 35}));
    // Several batch axes.
    array y3 = linear(reshape(iota({2, 2, 3}, dtype::float64), {2, 2, 3}), astype(w, dtype::float64), array(), 2);
    EXPECT_EQ(y3.shape(), (shape_t{2, 2, 2}));
    EXPECT_EQ(to_values(y3)[3], 3.0 + 4 + 5);
}

TEST(Connection, LinearGradients) {
    array x = make({2, 3}, dtype::float64, {1, 2, 3, 4, 5, 6});
    array w = make({2, 3}, dtype::float64, {1, 0, 0, 1, 1, 1});
    array b = make({2}, dtype::float64, {0, 0});
    require_grad(x);
    require_grad(w);
    require_grad(b);
    backward({sum(linear(x, w, b))});
    EXPECT_EQ(to_values(*get_grad(x)), (values_t{2, 1, 1, 2, 1, 1}));  // column sums of w
    EXPECT_EQ(to_values(*get_grad(w)), (values_t{5, 7, 9, 5, 7, 9}));  // column sums of x
    EXPECT_EQ(to_values(*get_grad(b)), (values_t{2, 2}));
    EXPECT_TRUE(get_grad(w)->is_contiguous());
}

TEST(Connection, ConvByHand) {
    // A 3x3 image, a 2x2 kernel of ones: sums of each 2x2 block; padding 1 adds the border.
    array x = iota({1, 1, 3, 3}, dtype::float32);
    array w = ones({1, 1, 2, 2}, dtype::float32);
    EXPECT_EQ(to_values(conv(x, w)), (values_t{8, 12, 20, 24}));
    array padded = conv(x, w, make({1}, dtype::float32, {1}), dims{2}, dims{1});
    EXPECT_EQ(padded.shape(), (shape_t{1, 1, 2, 2}));
    EXPECT_EQ(to_values(padded), (values_t{1, 4, 10, 25}));
    EXPECT_EQ(conv(x, w, array(), dims{2}, dims{0}, true).shape(), (shape_t{1, 1, 2, 2}));
    EXPECT_EQ(conv(x, w, array(), dims{2}, dims{0}, false).shape(), (shape_t{1, 1, 1, 1}));
}

TEST(Connection, ConvTransposeByHand) {
    array x = make({1, 1, 2, 2}, dtype::float64, {1, 2, 3, 4});
    array w = ones({1, 1, 2, 2}, dtype::float64);
    array y = conv_transpose(x, w, array(), dims{2});
    EXPECT_EQ(y.shape(), (shape_t{1, 1, 4, 4}));
    EXPECT_EQ(to_values(y), (values_t{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
}

TEST(Connection, Im2colAndCol2imAreAdjoint) {
    array x = iota({2, 3, 5, 4}, dtype::float64);
    array col = im2col(x, dims{3, 2}, dims{2, 1}, dims{1, 0}, true);
    EXPECT_EQ(col.shape(), (shape_t{2, 3, 3, 2, 3, 3}));
    array c = iota(col.shape(), dtype::float64);
    array back = col2im(c, dims{2, 1}, dims{1, 0}, dims{5, 4});
    EXPECT_EQ(back.shape(), x.shape());
    EXPECT_DOUBLE_EQ(dot_values(col, c), dot_values(x, back));
}

TEST(Connection, ConvGradientCheck) {
    array x = astype(true_divide(iota({1, 2, 4, 3}, dtype::float64), 7.0), dtype::float64);
    array w = astype(true_divide(iota({2, 2, 2, 2}, dtype::float64), -5.0), dtype::float64);
    array b = make({2}, dtype::float64, {0.5, -1});
    auto f = [](const std::vector<array>& in) {
        return std::vector<array>{conv(in[0], in[1], in[2], dims{1}, dims{1})};
    };
    array gy = ones({1, 2, 5, 4}, dtype::float64);
    EXPECT_NO_THROW(check_backward(f, {x, w, b}, {gy}, 1e-6, 1e-6, 1e-6));
    EXPECT_NO_THROW(check_double_backward(
        f, {x, w, b}, {gy}, {ones(x.shape(), dtype::float64), ones(w.shape(), dtype::float64), b}, 1e-6, 1e-5, 1e-5));
}

TEST(Pooling, MaxAndAverage) {
    array x = iota({1, 1, 4, 4}, dtype::float32);
    EXPECT_EQ(to_values(max_pool(x, dims{2})), (values_t{5, 7, 13, 15}));
    EXPECT_EQ(to_values(average_pool(x, dims{2})), (values_t{2.5, 4.5, 10.5, 12.5}));
    // Padding: 'ignore' averages only the elements inside, 'zero' counts the padding.
    array ignore = average_pool(x, dims{2}, dims{2}, dims{1});
    array zero = average_pool(x, dims{2}, dims{2}, dims{1}, average_pool_pad_mode::zero);
    EXPECT_EQ(to_values(ignore)[0], 0.0);
    EXPECT_EQ(to_values(zero)[1], (1.0 + 2.0) / 4);
    EXPECT_EQ(to_values(ignore)[1], (1.0 + 2.0) / 2);
}

TEST(Pooling, MaxPoolGradientGoesToTheMaxima) {
    array x = make({1, 1, 2, 3}, dtype::float64, {1, 5, 2, 0, 3, 4});
    require_grad(x);
    backward({sum(max_pool(x, dims{2, 2}, dims{1}))});  // windows [1 5; 0 3] and [5 2; 3 4]
    EXPECT_EQ(to_values(*get_grad(x)), (values_t{0, 2, 0, 0, 0, 0}));
}

TEST(Normalization, BatchNormUpdatesRunningStatistics) {
    array x = make({4, 2}, dtype::float64, {0, 1, 2, 3, 4, 1, 6, 3});
    array gamma = ones({2}, dtype::float64), beta = zeros({2}, dtype::float64);
    array mean = zeros({2}, dtype::float64), var = ones({2}, dtype::float64);
    array y = batch_norm(x, gamma, beta, mean, var, 0.0, 0.5);
    values_t v = to_values(y);
    EXPECT_NEAR(v[0], -3 / std::sqrt(5.0), 1e-12);
    EXPECT_NEAR(v[1], -1.0, 1e-12);
    EXPECT_EQ(to_values(mean), (values_t{1.5, 1.0}));
    EXPECT_NEAR(to_values(var)[0], 0.5 + 0.5 * 20.0 / 3, 1e-12);  // unbiased variance of 0, 2, 4, 6
    EXPECT_NEAR(to_values(var)[1], 0.5 + 0.5 * 4.0 / 3, 1e-12);
}

TEST(Normalization, LayerNorm) {
    array x = make({2, 2}, dtype::float32, {1, 3, 5, 5});
    values_t v = to_values(layer_norm(x, ones({2}, dtype::float32), zeros({2}, dtype::float32), 0.0));
    EXPECT_NEAR(v[0], -1, 1e-6);
    EXPECT_NEAR(v[1], 1, 1e-6);
}

TEST(Errors, ShapesAndDtypes) {
    array x = ones({1, 2, 4, 4}, dtype::float32);
    EXPECT_THROW(conv(x, ones({3, 3, 2, 2}, dtype::float32)), dimension_error);
    // Integer inputs work as in ChainerX (computed in float64, result in the promoted dtype).
    EXPECT_EQ(conv(ones({1, 2, 4, 4}, dtype::int32), ones({3, 2, 2, 2}, dtype::int32)).dtype(), dtype::int32);
    EXPECT_THROW(max_pool(x, dims{2, 2, 2}), dimension_error);
    EXPECT_THROW(average_pool(ones({2, 2}, dtype::float32), dims{2}), dimension_error);
    EXPECT_THROW(linear(ones({2, 3}, dtype::float32), ones({4, 2}, dtype::float32)), dimension_error);
    EXPECT_THROW(batch_norm(ones({4, 3}, dtype::int32), ones({3}), zeros({3}), zeros({3}), ones({3})), dtype_error);
    EXPECT_THROW(batch_norm(ones({4, 3}), ones({4}), zeros({3}), zeros({3}), ones({3})), dimension_error);
    EXPECT_THROW(parse_average_pool_pad_mode("edge"), std::invalid_argument);
}

}  // namespace
}  // namespace chainerx
