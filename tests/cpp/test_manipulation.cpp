// Joining, splitting and rearranging routines (routines/joining.hpp, routines/rearranging.hpp) from
// C++ alone: values, layouts, views, gradients, casting rules and errors.
#include <gtest/gtest.h>

#include <vector>

#include "chainerx/chainerx.hpp"
#include "chainerx/routines/cumulative.hpp"
#include "chainerx/routines/joining.hpp"
#include "chainerx/routines/rearranging.hpp"
#include "test_util.hpp"

namespace chainerx {
namespace {

using testing::iota;
using testing::make;
using testing::to_values;
using testing::values_t;

TEST(ManipulationTest, ConcatenateAxes) {
    array a = iota({2, 2}), b = make({2, 1}, dtype::int32, {7, 8});
    array c = concatenate({a, b}, 1);
    EXPECT_EQ(c.shape(), (shape_t{2, 3}));
    EXPECT_EQ(to_values(c), (values_t{0, 1, 7, 2, 3, 8}));
    EXPECT_EQ(c.strides(), (strides_t{12, 4}));
    array flat = concatenate({a, make({1}, dtype::int32, {9})}, std::nullopt);
    EXPECT_EQ(to_values(flat), (values_t{0, 1, 2, 3, 9}));
}

TEST(ManipulationTest, ConcatenatePromotesAndKeepsLayout) {
    array a = transpose(iota({3, 2}, dtype::int8));  // F-ordered (2, 3)
    array b = transpose(iota({3, 2}, dtype::uint8));
    array c = concatenate({a, b}, 0);
    EXPECT_EQ(c.dtype(), dtype::int16);
    EXPECT_EQ(c.shape(), (shape_t{4, 3}));
    EXPECT_EQ(c.strides(), (strides_t{2, 8}));  // F order, as NumPy
    EXPECT_EQ(to_values(c), (values_t{0, 2, 4, 1, 3, 5, 0, 2, 4, 1, 3, 5}));
}

TEST(ManipulationTest, ConcatenateLargeParallel) {
    // Large enough for the parallel memcpy path with many rows.
    array a = iota({512, 300}, dtype::float32), b = iota({512, 100}, dtype::float32);
    array c = concatenate({a, b}, 1);
    values_t va = to_values(a), vb = to_values(b), vc = to_values(c);
    for (int64_t r = 0; r < 512; r += 37) {
        EXPECT_EQ(vc[r * 400 + 5], va[r * 300 + 5]);
        EXPECT_EQ(vc[r * 400 + 350], vb[r * 100 + 50]);
    }
}

TEST(ManipulationTest, ConcatenateErrors) {
    EXPECT_THROW(concatenate({}), dimension_error);
    EXPECT_THROW(concatenate({iota({}), iota({})}), dimension_error);
    EXPECT_THROW(concatenate({iota({2, 3}), iota({2, 4})}, 0), dimension_error);
    EXPECT_THROW(concatenate({iota({2, 3}), iota({3})}, 0), dimension_error);
    EXPECT_THROW(concatenate({iota({2, 3})}, 2), dimension_error);
}

TEST(ManipulationTest, SplitViewsAndGradient) {
    array x = iota({6}, dtype::float64);
    require_grad(x);
    std::vector<array> parts = split(x, int64_t{3});
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(to_values(parts[1]), (values_t{2, 3}));
    EXPECT_EQ(parts[1].data(), x.data());  // a view
    EXPECT_THROW(split(x, int64_t{4}), dimension_error);
    EXPECT_EQ(array_split(x, int64_t{4}).size(), 4u);
    // Only the middle part is used: its gradient lands in the middle, zeros elsewhere.
    backward({multiply(parts[1], 3.0)});
    EXPECT_EQ(to_values(*get_grad(x)), (values_t{0, 0, 3, 3, 0, 0}));
}

TEST(ManipulationTest, StackAndAtleast) {
    array s = stack({iota({2}), iota({2})}, 1);
    EXPECT_EQ(s.shape(), (shape_t{2, 2}));
    EXPECT_EQ(to_values(s), (values_t{0, 0, 1, 1}));
    EXPECT_EQ(atleast_3d(iota({3})).shape(), (shape_t{1, 3, 1}));
    EXPECT_EQ(atleast_2d(iota({})).shape(), (shape_t{1, 1}));
    EXPECT_EQ(hstack({iota({2}), iota({3})}).shape(), (shape_t{5}));
    EXPECT_EQ(dstack({iota({2, 2}), iota({2, 2})}).shape(), (shape_t{2, 2, 2}));
}

TEST(ManipulationTest, FlipIsANegativeStrideView) {
    array a = iota({2, 3});
    array f = flip(a, axes_t{1});
    EXPECT_EQ(f.strides(), (strides_t{12, -4}));
    EXPECT_EQ(f.data(), a.data());
    EXPECT_EQ(to_values(f), (values_t{2, 1, 0, 5, 4, 3}));
    EXPECT_EQ(to_values(flip(a)), (values_t{5, 4, 3, 2, 1, 0}));
    EXPECT_THROW(fliplr(iota({3})), dimension_error);
}

TEST(ManipulationTest, MoveaxisRepeatTileRoll) {
    EXPECT_EQ(moveaxis(iota({2, 3, 4}), {0}, {-1}).shape(), (shape_t{3, 4, 2}));
    EXPECT_EQ(rollaxis(iota({2, 3, 4}), 2).shape(), (shape_t{4, 2, 3}));
    EXPECT_EQ(to_values(repeat(iota({2}), 2)), (values_t{0, 0, 1, 1}));
    EXPECT_EQ(to_values(repeat(iota({3}), std::vector<int64_t>{0, 2, 1}, 0)), (values_t{1, 1, 2}));
    EXPECT_EQ(to_values(tile(iota({2}), {2})), (values_t{0, 1, 0, 1}));
    EXPECT_EQ(to_values(roll(iota({4}), {1})), (values_t{3, 0, 1, 2}));
    EXPECT_THROW(repeat(iota({2}), -1), dimension_error);
}

TEST(ManipulationTest, CanCast) {
    EXPECT_TRUE(can_cast(dtype::int8, dtype::float16, casting::safe));
    EXPECT_FALSE(can_cast(dtype::int16, dtype::float16, casting::safe));
    EXPECT_TRUE(can_cast(dtype::int64, dtype::float64, casting::safe));
    EXPECT_FALSE(can_cast(dtype::int8, dtype::uint8, casting::same_kind));
    EXPECT_TRUE(can_cast(dtype::uint8, dtype::int8, casting::same_kind));
    EXPECT_FALSE(can_cast(dtype::float32, dtype::int64, casting::same_kind));
    EXPECT_TRUE(can_cast(dtype::float64, dtype::float16, casting::same_kind));
    EXPECT_FALSE(can_cast(dtype::float32, dtype::float64, casting::no));
    EXPECT_TRUE(can_cast(dtype::float32, dtype::bool_, casting::unsafe));
    // bfloat16: exact for int8/uint8, exact in float32; not comparable with float16.
    EXPECT_TRUE(can_cast(dtype::uint8, dtype::bfloat16, casting::safe));
    EXPECT_TRUE(can_cast(dtype::bfloat16, dtype::float32, casting::safe));
    EXPECT_FALSE(can_cast(dtype::float16, dtype::bfloat16, casting::safe));
    EXPECT_TRUE(can_cast(dtype::float16, dtype::bfloat16, casting::same_kind));
}

TEST(ManipulationTest, Copyto) {
    array dst = zeros({2, 3}, dtype::float32);
    copyto(dst, iota({3}, dtype::int16), casting::same_kind);
    EXPECT_EQ(to_values(dst), (values_t{0, 1, 2, 0, 1, 2}));
    EXPECT_THROW(copyto(dst, iota({3}, dtype::int16)), casting_error);  // casting='no'
    EXPECT_THROW(copyto(dst, iota({3}, dtype::float64), casting::safe), casting_error);
    copyto(dst, 5, casting::same_kind, make({3}, dtype::bool_, {1, 0, 1}));
    EXPECT_EQ(to_values(dst), (values_t{5, 1, 5, 5, 1, 5}));
    EXPECT_THROW(copyto(zeros({2}, dtype::int8), 1.5, casting::same_kind), casting_error);
    EXPECT_THROW(copyto(zeros({2}, dtype::uint8), -1, casting::unsafe), std::overflow_error);
    array g = zeros({2}, dtype::float32);
    require_grad(g);
    EXPECT_THROW(copyto(g, 1.0), chainerx_error);
}

TEST(ManipulationTest, CumsumAndNanReductions) {
    array a = iota({2, 3}, dtype::int8);
    array c = cumsum(a, 1);
    EXPECT_EQ(c.dtype(), dtype::int64);
    EXPECT_EQ(to_values(c), (values_t{0, 1, 3, 3, 7, 12}));
    EXPECT_EQ(to_values(cumsum(a)), (values_t{0, 1, 3, 6, 10, 15}));
    array x = make({4}, dtype::float64, {1, std::nan(""), 3, 2});
    EXPECT_EQ(to_values(nansum(x)), (values_t{6}));
    EXPECT_EQ(to_values(nanargmax(x)), (values_t{2}));
    EXPECT_EQ(to_values(nanargmin(x)), (values_t{0}));
    EXPECT_THROW(nanargmax(make({2}, dtype::float32, {std::nan(""), std::nan("")})), std::invalid_argument);
    // d/dx sum(w * cumsum(x)) = reversed cumsum of w.
    array y = iota({3}, dtype::float64);
    require_grad(y);
    backward({sum(multiply(cumsum(y), make({3}, dtype::float64, {1, 10, 100})))});
    EXPECT_EQ(to_values(*get_grad(y)), (values_t{111, 110, 100}));
}

}  // namespace
}  // namespace chainerx
