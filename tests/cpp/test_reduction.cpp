// Reductions (routines/reduction.hpp): values, result dtypes and shapes, keepdims, the parallel
// strategies of the kernel, nan handling and the errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "chainerx/chainerx.hpp"
#include "test_util.hpp"

namespace chainerx {
namespace {

using testing::iota;

template <class T>
T at(const array& a, int64_t i) {
    return static_cast<const T*>(a.raw_data())[i];
}

TEST(ReductionTest, SumAxes) {
    array a = iota({3, 4, 5}, dtype::float32);
    array full = sum(a);
    EXPECT_EQ(full.ndim(), 0);
    EXPECT_EQ(at<float>(full, 0), 1770.0f);
    array s = sum(a, axes_t{1});
    EXPECT_EQ(s.shape(), (shape_t{3, 5}));
    EXPECT_EQ(at<float>(s, 0), 0.0f + 5 + 10 + 15);
    array k = sum(a, axes_t{0, -1}, true);
    EXPECT_EQ(k.shape(), (shape_t{1, 4, 1}));
    float expected = 0;  // elements with middle index 1: i * 20 + 5 + j
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 5; ++j) expected += static_cast<float>(i * 20 + 5 + j);
    EXPECT_EQ(at<float>(k, 1), expected);
}

TEST(ReductionTest, Dtypes) {
    EXPECT_EQ(sum(iota({4}, dtype::uint8)).dtype(), dtype::int64);
    EXPECT_EQ(sum(iota({4}, dtype::bool_)).dtype(), dtype::int64);
    EXPECT_EQ(sum(iota({4}, dtype::float16)).dtype(), dtype::float16);
    EXPECT_EQ(mean(iota({4}, dtype::int32)).dtype(), dtype::float64);
    EXPECT_EQ(var(iota({4}, dtype::int8)).dtype(), dtype::float64);
    EXPECT_EQ(amax(iota({4}, dtype::int16)).dtype(), dtype::int16);
    EXPECT_EQ(argmax(iota({4}, dtype::float32)).dtype(), dtype::int64);
    EXPECT_EQ(all(iota({4}, dtype::float32)).dtype(), dtype::bool_);
    EXPECT_EQ(count_nonzero(iota({4}, dtype::float32)).dtype(), dtype::int64);
    EXPECT_EQ(at<double>(mean(iota({4}, dtype::int32)), 0), 1.5);
    EXPECT_EQ(at<int64_t>(count_nonzero(iota({4}, dtype::float32)), 0), 3);
    EXPECT_FALSE(at<bool>(all(iota({4}, dtype::float32)), 0));
    EXPECT_TRUE(at<bool>(any(iota({4}, dtype::float32)), 0));
}

TEST(ReductionTest, LargeParallel) {
    // 2^22 elements: the split strategy (one output), the row strategy (axis 0) and per-output.
    array a = full({1 << 11, 1 << 11}, 1.0, dtype::float32);
    EXPECT_EQ(at<float>(sum(a), 0), static_cast<float>(1 << 22));
    array s0 = sum(a, axes_t{0});
    array s1 = sum(a, axes_t{1});
    for (int64_t i = 0; i < (1 << 11); i += 97) {
        EXPECT_EQ(at<float>(s0, i), 2048.0f);
        EXPECT_EQ(at<float>(s1, i), 2048.0f);
    }
    array b = iota({1 << 20}, dtype::float32);
    EXPECT_EQ(at<float>(amax(b), 0), static_cast<float>((1 << 20) - 1));
    EXPECT_EQ(at<int64_t>(argmax(b), 0), (1 << 20) - 1);
    EXPECT_EQ(at<int64_t>(argmin(b), 0), 0);
}

TEST(ReductionTest, NanPropagates) {
    array a = iota({1 << 16}, dtype::float64);
    static_cast<double*>(a.raw_data())[40000] = std::numeric_limits<double>::quiet_NaN();
    static_cast<double*>(a.raw_data())[50000] = std::numeric_limits<double>::quiet_NaN();
    EXPECT_TRUE(std::isnan(at<double>(amax(a), 0)));
    EXPECT_TRUE(std::isnan(at<double>(amin(a), 0)));
    EXPECT_EQ(at<int64_t>(argmax(a), 0), 40000);
    EXPECT_EQ(at<int64_t>(argmin(a), 0), 40000);
}

TEST(ReductionTest, ArgExtremeTakesTheFirstOfTies) {
    // Long contiguous runs take the vectorized route, where each lane keeps its own winner.
    for (dtype type : {dtype::float32, dtype::float64, dtype::int8, dtype::float16}) {
        array r = empty({5000}, type);  // 0..6 repeated: ties in every lane
        dispatch_dtype(type, [&]<class T>() {
            for (int64_t i = 0; i < r.size(); ++i) static_cast<T*>(r.raw_data())[i] = value_cast<T>(double(i % 7));
        });
        EXPECT_EQ(at<int64_t>(argmax(r), 0), 6) << type;
        EXPECT_EQ(at<int64_t>(argmin(r), 0), 0) << type;
        EXPECT_EQ(at<int64_t>(argmax(full({3000}, 2.0, type)), 0), 0) << type;
    }
    // nanargmax skips NaNs even on the contiguous route.
    array b = iota({4096}, dtype::float32);
    static_cast<float*>(b.raw_data())[0] = std::numeric_limits<float>::quiet_NaN();
    static_cast<float*>(b.raw_data())[10] = 1e9f;
    EXPECT_EQ(at<int64_t>(nanargmax(b), 0), 10);
    EXPECT_EQ(at<int64_t>(argmax(b), 0), 0);
}

TEST(ReductionTest, Variance) {
    array a = iota({2, 3}, dtype::float64);
    array v = var(a, axes_t{1});
    EXPECT_DOUBLE_EQ(at<double>(v, 0), 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(at<double>(stddev(a, axes_t{1}, false, 1), 1), 1.0);
}

TEST(ReductionTest, Errors) {
    array a = iota({2, 3}, dtype::float32);
    EXPECT_THROW(sum(a, axes_t{2}), dimension_error);
    EXPECT_THROW(sum(a, axes_t{0, -2}), dimension_error);
    EXPECT_THROW(amax(iota({0}, dtype::float32)), dimension_error);
    EXPECT_THROW(argmax(iota({2, 0}, dtype::float32), 1), dimension_error);
    EXPECT_EQ(at<float>(sum(iota({0}, dtype::float32)), 0), 0.0f);
    EXPECT_EQ(at<float>(prod(iota({0}, dtype::float32)), 0), 1.0f);
    EXPECT_TRUE(std::isnan(at<float>(mean(iota({0}, dtype::float32)), 0)));
}

}  // namespace
}  // namespace chainerx
