// Gathers and sorting from C++ alone (routines/gather.hpp, routines/sorting.hpp): take with each
// mode, advanced getitem/setitem, the scatter-add gradient, nonzero, sort/argsort/searchsorted/unique.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "chainerx/chainerx.hpp"
#include "chainerx/routines/gather.hpp"
#include "chainerx/routines/sorting.hpp"
#include "test_util.hpp"

namespace chainerx {
namespace {

using testing::iota;
using testing::make;
using testing::to_values;
using testing::values_t;

TEST(IndexingTest, TakeModes) {
    array a = iota({3, 4}, dtype::float32);
    array idx = make({3}, dtype::int64, {0, -1, 2});
    array y = take(a, idx, 1);
    EXPECT_EQ(y.shape(), (shape_t{3, 3}));
    EXPECT_EQ(to_values(y), (values_t{0, 3, 2, 4, 7, 6, 8, 11, 10}));
    array big = make({2}, dtype::int32, {5, -7});
    EXPECT_THROW(take(a, big, 0), index_error);
    EXPECT_EQ(to_values(take(a, big, 0, index_mode::wrap)), (values_t{8, 9, 10, 11, 8, 9, 10, 11}));  // -7 wraps to 2
    EXPECT_EQ(to_values(take(a, big, 0, index_mode::clip)), (values_t{8, 9, 10, 11, 0, 1, 2, 3}));
    EXPECT_EQ(to_values(take(a, make({2}, dtype::uint8, {11, 0}))), (values_t{11, 0}));  // flattened
    EXPECT_THROW(take(a, make({1}, dtype::float32, {0}), 0), dtype_error);
    EXPECT_THROW(take(a, idx, 2), dimension_error);
}

TEST(IndexingTest, TakeNonContiguousSource) {
    array a = transpose(iota({3, 4}, dtype::int32));  // (4, 3)
    array y = take(a, make({2}, dtype::int64, {3, 0}), 0);
    EXPECT_EQ(to_values(y), (values_t{3, 7, 11, 0, 4, 8}));
}

TEST(IndexingTest, TakeGradientAccumulates) {
    array x = iota({4}, dtype::float32);
    require_grad(x);
    array y = take(x, make({4}, dtype::int64, {1, 1, 3, 1}));
    backward({sum(y)});
    EXPECT_EQ(to_values(*get_grad(x)), (values_t{0, 3, 0, 1}));
}

TEST(IndexingTest, AdvancedGetitemPlacement) {
    array a = iota({3, 4, 5}, dtype::int32);
    array i = make({2}, dtype::int64, {0, 2});
    array j = make({2}, dtype::int64, {1, 1});
    auto slice = index_item::slice(std::nullopt, std::nullopt, std::nullopt);
    // Adjacent index arrays keep their place: a[:, i, j] has shape (3, 2).
    std::vector<key_item> adjacent = {slice, i, j};
    array y = getitem(a, adjacent);
    EXPECT_EQ(y.shape(), (shape_t{3, 2}));
    EXPECT_EQ(to_values(y), (values_t{1, 11, 21, 31, 41, 51}));
    // Separated ones go first: a[i, :, j] has shape (2, 4).
    std::vector<key_item> separated = {i, slice, j};
    EXPECT_EQ(getitem(a, separated).shape(), (shape_t{2, 4}));
    std::vector<key_item> out_of_bounds = {make({1}, dtype::int64, {3})};
    EXPECT_THROW(getitem(a, out_of_bounds), index_error);
}

TEST(IndexingTest, BooleanMaskAndSetitem) {
    array a = iota({2, 3}, dtype::float64);
    array mask = make({2, 3}, dtype::bool_, {0, 1, 0, 1, 1, 0});
    std::vector<key_item> key = {mask};
    EXPECT_EQ(to_values(getitem(a, key)), (values_t{1, 3, 4}));
    setitem(a, key, full({}, -1.0, dtype::float64));
    EXPECT_EQ(to_values(a), (values_t{0, -1, 2, -1, -1, 5}));
    // Duplicates: the last write wins.
    std::vector<key_item> dup = {index_item::integer(0), make({3}, dtype::int64, {2, 2, 2})};
    setitem(a, dup, make({3}, dtype::float64, {7, 8, 9}));
    EXPECT_EQ(to_values(a), (values_t{0, -1, 9, -1, -1, 5}));
}

TEST(IndexingTest, Nonzero) {
    array a = make({2, 3}, dtype::float32, {0, 1, 0, std::numeric_limits<float>::quiet_NaN(), 0, 2});
    std::vector<array> nz = nonzero(a);
    ASSERT_EQ(nz.size(), 2u);
    EXPECT_EQ(to_values(nz[0]), (values_t{0, 1, 1}));
    EXPECT_EQ(to_values(nz[1]), (values_t{1, 0, 2}));
    EXPECT_THROW(nonzero(full({}, 1.0f)), dimension_error);
}

TEST(SortingTest, SortArgsortNanLast) {
    float nan = std::numeric_limits<float>::quiet_NaN();
    array a = make({2, 3}, dtype::float32, {3, nan, 1, 2, 2, -1});
    values_t s = to_values(sort(a));
    EXPECT_EQ(s[0], 1);
    EXPECT_EQ(s[1], 3);
    EXPECT_TRUE(std::isnan(s[2]));
    EXPECT_EQ((values_t{s[3], s[4], s[5]}), (values_t{-1, 2, 2}));
    EXPECT_EQ(to_values(argsort(a)), (values_t{2, 0, 1, 2, 0, 1}));
    EXPECT_EQ(to_values(argsort(a, 0)), (values_t{1, 1, 1, 0, 0, 0}));
    array b = make({4}, dtype::int32, {4, 1, 3, 2});
    sort_inplace(b);
    EXPECT_EQ(to_values(b), (values_t{1, 2, 3, 4}));
}

TEST(SortingTest, SearchsortedAndUnique) {
    array a = make({4}, dtype::int32, {1, 2, 2, 5});
    array v = make({3}, dtype::int32, {2, 0, 9});
    EXPECT_EQ(to_values(searchsorted(a, v)), (values_t{1, 0, 4}));
    EXPECT_EQ(to_values(searchsorted(a, v, "right")), (values_t{3, 0, 4}));
    unique_result u = unique(make({5}, dtype::int32, {3, 1, 3, 1, 2}), true, true, true);
    EXPECT_EQ(to_values(u.values), (values_t{1, 2, 3}));
    EXPECT_EQ(to_values(*u.index), (values_t{1, 4, 0}));
    EXPECT_EQ(to_values(*u.inverse), (values_t{2, 0, 2, 0, 1}));
    EXPECT_EQ(to_values(*u.counts), (values_t{2, 1, 2}));
}

TEST(SortingTest, UniqueAlongAxis) {
    // Columns (1,2), (0,5), (1,2), (0,4): distinct columns in lexicographic order.
    array a = make({2, 4}, dtype::float32, {1, 0, 1, 0, 2, 5, 2, 4});
    unique_result u = unique(a, true, true, true, 1);
    EXPECT_EQ(u.values.shape(), (shape_t{2, 3}));
    EXPECT_EQ(to_values(u.values), (values_t{0, 0, 1, 4, 5, 2}));
    EXPECT_EQ(to_values(*u.index), (values_t{3, 1, 0}));
    EXPECT_EQ(to_values(*u.inverse), (values_t{2, 1, 2, 0}));
    EXPECT_EQ(to_values(*u.counts), (values_t{1, 1, 2}));
    EXPECT_THROW(unique(a, false, false, false, 2), dimension_error);
}

}  // namespace
}  // namespace chainerx
