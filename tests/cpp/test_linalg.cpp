// Linear algebra from C++: matmul/dot/einsum values over dtypes and layouts, chainerx::linalg, and
// gradient checks.
#include <gtest/gtest.h>

#include "chainerx/routines/einsum.hpp"
#include "chainerx/routines/linalg.hpp"
#include "chainerx/routines/products.hpp"
#include "test_util.hpp"

namespace chainerx {
namespace {

using testing::iota;
using testing::make;
using testing::to_values;
using testing::values_t;

// Naive product of C-order matrices given as values.
values_t naive_matmul(const values_t& a, const values_t& b, int64_t M, int64_t K, int64_t N) {
    values_t c(M * N, 0.0);
    for (int64_t i = 0; i < M; ++i)
        for (int64_t j = 0; j < N; ++j)
            for (int64_t k = 0; k < K; ++k) c[i * N + j] += a[i * K + k] * b[k * N + j];
    return c;
}

class MatmulDtype : public ::testing::TestWithParam<dtype> {};

TEST_P(MatmulDtype, MatchesNaiveProduct) {
    dtype type = GetParam();
    array a = iota({3, 4}, type), b = iota({4, 5}, type);
    array c = matmul(a, b);
    EXPECT_EQ(c.dtype(), type);
    EXPECT_EQ(c.shape(), (shape_t{3, 5}));
    EXPECT_TRUE(c.is_contiguous());
    EXPECT_EQ(to_values(c), naive_matmul(to_values(a), to_values(b), 3, 4, 5));
}

INSTANTIATE_TEST_SUITE_P(Dtypes, MatmulDtype,
                         ::testing::Values(dtype::int16, dtype::int32, dtype::int64, dtype::float32, dtype::float64));

TEST(Matmul, TransposedAndNegativeStrideOperands) {
    array a = iota({4, 3}, dtype::float32), b = iota({5, 4}, dtype::float64);
    array a_t = transpose(a), b_t = transpose(b);  // Fortran-ordered views: no copy for BLAS
    array c = matmul(a_t, b_t);
    EXPECT_EQ(c.dtype(), dtype::float64);
    values_t expected = naive_matmul(to_values(a_t), to_values(b_t), 3, 4, 5);
    EXPECT_EQ(to_values(c), expected);
    std::vector<index_item> reverse{index_item::slice(std::nullopt, std::nullopt, -1)};
    array ar = at(a, reverse);  // rows reversed: negative row stride
    EXPECT_EQ(to_values(matmul(ar, iota({3, 2}, dtype::float32))),
              naive_matmul(to_values(ar), to_values(iota({3, 2}, dtype::float32)), 4, 3, 2));
}

TEST(Matmul, BatchBroadcastAndVectors) {
    array a = iota({2, 1, 2, 3}, dtype::int32), b = iota({3, 3, 2}, dtype::int32);
    array c = matmul(a, b);
    EXPECT_EQ(c.shape(), (shape_t{2, 3, 2, 2}));
    array v = iota({3}, dtype::float32);
    EXPECT_EQ(matmul(v, v).ndim(), 0);
    EXPECT_DOUBLE_EQ(to_values(matmul(v, v))[0], 5.0);
    EXPECT_EQ(dot(iota({2, 2, 3}), iota({4, 3, 5})).shape(), (shape_t{2, 2, 4, 5}));
}

TEST(Matmul, ZeroSizedContractionGivesZeros) {
    array c = matmul(empty({2, 0}, dtype::float32), empty({0, 3}, dtype::float32));
    EXPECT_EQ(to_values(c), values_t(6, 0.0));
}

TEST(Matmul, BadShapesThrowDimensionError) {
    EXPECT_THROW(matmul(iota({2, 3}), iota({4, 2})), dimension_error);
    EXPECT_THROW(matmul(iota({}), iota({2})), dimension_error);
    EXPECT_THROW(matmul(iota({2, 2, 3}), iota({3, 3, 2})), dimension_error);
    EXPECT_THROW(dot(iota({2, 3}), iota({2})), dimension_error);
}

TEST(Matmul, Gradients) {
    array a = make({2, 3}, dtype::float64, {0.1, -0.4, 0.3, 0.9, -0.7, 0.2});
    array b = make({3, 2}, dtype::float64, {0.5, 0.6, -0.1, 0.8, 0.25, -0.3});
    array gy = make({2, 2}, dtype::float64, {1.0, -0.5, 0.3, 0.7});
    auto f = [](const std::vector<array>& x) { return std::vector<array>{matmul(x[0], x[1])}; };
    check_backward(f, {a, b}, {gy}, 1e-6, 1e-8, 1e-6);
    check_double_backward(f, {a, b}, {gy}, {ones({2, 3}, dtype::float64), ones({3, 2}, dtype::float64)}, 1e-6, 1e-7,
                          1e-6);
}

TEST(Einsum, MatchesMatmulAndTrace) {
    array a = iota({2, 3}, dtype::float64), b = iota({3, 4}, dtype::float64);
    EXPECT_EQ(to_values(einsum("ij,jk->ik", {a, b})), to_values(matmul(a, b)));
    EXPECT_DOUBLE_EQ(to_values(einsum("ii", {iota({3, 3}, dtype::float64)}))[0], 0.0 + 4.0 + 8.0);
    EXPECT_EQ(to_values(tensordot(a, b, 1)), to_values(matmul(a, b)));
    EXPECT_THROW(einsum("ij,jk", {a, a}), dimension_error);
}

TEST(Linalg, SolveInvDet) {
    if (!linalg::is_lapack_available()) GTEST_SKIP() << "built without LAPACK";
    array a = make({2, 2}, dtype::float64, {4.0, 1.0, 2.0, 3.0});
    array b = make({2}, dtype::float64, {1.0, 2.0});
    values_t x = to_values(linalg::solve(a, b));
    EXPECT_NEAR(4.0 * x[0] + 1.0 * x[1], 1.0, 1e-12);
    EXPECT_NEAR(2.0 * x[0] + 3.0 * x[1], 2.0, 1e-12);
    EXPECT_NEAR(to_values(linalg::det(a))[0], 10.0, 1e-12);
    values_t inverse = to_values(linalg::inv(a));
    EXPECT_NEAR(inverse[0], 0.3, 1e-12);
    EXPECT_NEAR(inverse[1], -0.1, 1e-12);
    EXPECT_THROW(linalg::inv(make({2, 2}, dtype::float64, {1.0, 2.0, 2.0, 4.0})), chainerx_error);
    EXPECT_THROW(linalg::inv(iota({2, 3}, dtype::float64)), dimension_error);
    EXPECT_THROW(linalg::inv(iota({2, 2}, dtype::float16)), dtype_error);
}

TEST(Linalg, InvAndSolveGradients) {
    if (!linalg::is_lapack_available()) GTEST_SKIP() << "built without LAPACK";
    array a = make({2, 2}, dtype::float64, {2.0, 0.5, -0.3, 1.5});
    array b = make({2, 3}, dtype::float64, {0.1, 0.2, 0.3, -0.4, 0.5, 0.6});
    array gy = make({2, 3}, dtype::float64, {1.0, -1.0, 0.5, 0.2, 0.3, -0.7});
    auto f = [](const std::vector<array>& x) { return std::vector<array>{linalg::solve(x[0], x[1])}; };
    check_backward(f, {a, b}, {gy}, 1e-6, 1e-7, 1e-6);
    auto g = [](const std::vector<array>& x) { return std::vector<array>{linalg::inv(x[0])}; };
    check_double_backward(g, {a}, {make({2, 2}, dtype::float64, {1.0, 0.5, -0.5, 0.25})},
                          {make({2, 2}, dtype::float64, {0.3, -0.2, 0.1, 0.4})}, 1e-6, 1e-6, 1e-5);
}

}  // namespace
}  // namespace chainerx
