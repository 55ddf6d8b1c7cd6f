#pragma once

// chainerx::linalg: solve, inv, det, slogdet, cholesky, eigh, eigvalsh, svd, pinv, qr (LAPACK from
// scipy-openblas32, one matrix at a time over NumPy-style batches) and norm. The products (dot,
// matmul, tensordot) are in routines/products.hpp, einsum in routines/einsum.hpp.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "chainerx/autograd/graph.hpp"
#include "chainerx/routines/creation.hpp"
#include "chainerx/routines/creation_basic.hpp"
#include "chainerx/routines/manipulation.hpp"
#include "chainerx/routines/math.hpp"
#include "chainerx/routines/products.hpp"
#include "chainerx/routines/reduction.hpp"

namespace chainerx {

// ---- chainerx.linalg: LAPACK (scipy-openblas32) on the host --------------------------------
// Batched as NumPy's (the last two axes are the matrices). Float32 and float64 compute in their own
// type, bool and integers in float32 (ChainerX's math dtype rule); float16 and bfloat16 raise
// DtypeError, as ChainerX's native kernels do. Singular or non-positive-definite matrices raise
// ChainerxError. Gradients are written with differentiable routines (double backprop works).

#if defined(CHAINERX_HAVE_BLAS)
// Fortran LAPACK; the trailing size_t arguments are the hidden lengths of character arguments.
extern "C" {
void scipy_sgesv_(const int* n, const int* nrhs, float* a, const int* lda, int* ipiv, float* b, const int* ldb,
                  int* info);
void scipy_dgesv_(const int* n, const int* nrhs, double* a, const int* lda, int* ipiv, double* b, const int* ldb,
                  int* info);
void scipy_sgetrf_(const int* m, const int* n, float* a, const int* lda, int* ipiv, int* info);
void scipy_dgetrf_(const int* m, const int* n, double* a, const int* lda, int* ipiv, int* info);
void scipy_spotrf_(const char* uplo, const int* n, float* a, const int* lda, int* info, size_t);
void scipy_dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info, size_t);
void scipy_ssyevd_(const char* jobz, const char* uplo, const int* n, float* a, const int* lda, float* w, float* work,
                   const int* lwork, int* iwork, const int* liwork, int* info, size_t, size_t);
void scipy_dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w, double* work,
                   const int* lwork, int* iwork, const int* liwork, int* info, size_t, size_t);
void scipy_sgesdd_(const char* jobz, const int* m, const int* n, float* a, const int* lda, float* s, float* u,
                   const int* ldu, float* vt, const int* ldvt, float* work, const int* lwork, int* iwork, int* info,
                   size_t);
void scipy_dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s, double* u,
                   const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork, int* iwork, int* info,
                   size_t);
void scipy_sgeqrf_(const int* m, const int* n, float* a, const int* lda, float* tau, float* work, const int* lwork,
                   int* info);
void scipy_dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work, const int* lwork,
                   int* info);
void scipy_sorgqr_(const int* m, const int* n, const int* k, float* a, const int* lda, const float* tau, float* work,
                   const int* lwork, int* info);
void scipy_dorgqr_(const int* m, const int* n, const int* k, double* a, const int* lda, const double* tau, double* work,
                   const int* lwork, int* info);
}
#endif

namespace linalg {

inline bool is_lapack_available() {
#if defined(CHAINERX_HAVE_BLAS)
    return true;
#else
    return false;
#endif
}

namespace detail {
using chainerx::detail::leading_shape;

#if defined(CHAINERX_HAVE_BLAS)
// Overloads picking the s- or d- routine (square matrices use n as their leading dimension).
inline void gesv(int n, int nrhs, float* a, int* ipiv, float* b, int& info) {
    scipy_sgesv_(&n, &nrhs, a, &n, ipiv, b, &n, &info);
}
inline void gesv(int n, int nrhs, double* a, int* ipiv, double* b, int& info) {
    scipy_dgesv_(&n, &nrhs, a, &n, ipiv, b, &n, &info);
}
inline void getrf(int n, float* a, int* ipiv, int& info) { scipy_sgetrf_(&n, &n, a, &n, ipiv, &info); }
inline void getrf(int n, double* a, int* ipiv, int& info) { scipy_dgetrf_(&n, &n, a, &n, ipiv, &info); }
inline void potrf(int n, float* a, int& info) { scipy_spotrf_("L", &n, a, &n, &info, 1); }
inline void potrf(int n, double* a, int& info) { scipy_dpotrf_("L", &n, a, &n, &info, 1); }
inline void syevd(char jobz, char uplo, int n, float* a, float* w, float* work, int lwork, int* iwork, int liwork,
                  int& info) {
    scipy_ssyevd_(&jobz, &uplo, &n, a, &n, w, work, &lwork, iwork, &liwork, &info, 1, 1);
}
inline void syevd(char jobz, char uplo, int n, double* a, double* w, double* work, int lwork, int* iwork, int liwork,
                  int& info) {
    scipy_dsyevd_(&jobz, &uplo, &n, a, &n, w, work, &lwork, iwork, &liwork, &info, 1, 1);
}
inline void gesdd(char jobz, int m, int n, float* a, float* s, float* u, int ldu, float* vt, int ldvt, float* work,
                  int lwork, int* iwork, int& info) {
    scipy_sgesdd_(&jobz, &m, &n, a, &m, s, u, &ldu, vt, &ldvt, work, &lwork, iwork, &info, 1);
}
inline void gesdd(char jobz, int m, int n, double* a, double* s, double* u, int ldu, double* vt, int ldvt, double* work,
                  int lwork, int* iwork, int& info) {
    scipy_dgesdd_(&jobz, &m, &n, a, &m, s, u, &ldu, vt, &ldvt, work, &lwork, iwork, &info, 1);
}
inline void geqrf(int m, int n, float* a, float* tau, float* work, int lwork, int& info) {
    scipy_sgeqrf_(&m, &n, a, &m, tau, work, &lwork, &info);
}
inline void geqrf(int m, int n, double* a, double* tau, double* work, int lwork, int& info) {
    scipy_dgeqrf_(&m, &n, a, &m, tau, work, &lwork, &info);
}
inline void orgqr(int m, int n, int k, float* a, const float* tau, float* work, int lwork, int& info) {
    scipy_sorgqr_(&m, &n, &k, a, &m, tau, work, &lwork, &info);
}
inline void orgqr(int m, int n, int k, double* a, const double* tau, double* work, int lwork, int& info) {
    scipy_dorgqr_(&m, &n, &k, a, &m, tau, work, &lwork, &info);
}
#endif

// The dtype a routine computes in; validates the input's.
inline dtype compute_dtype(dtype d, const char* op) {
    if (d == dtype::float16 || d == dtype::bfloat16)
        throw_error<dtype_error>("linalg.", op, ": ", d, " is not supported (use float32 or float64)");
    return is_float(d) ? d : dtype::float32;
}

inline void check_matrices(const array& a, const char* op, bool square) {
    if (a.ndim() < 2)
        throw_error<dimension_error>("linalg.", op, ": expected an array of at least 2 dimensions, got shape ",
                                     a.shape());
    if (square && a.shape()[a.ndim() - 1] != a.shape()[a.ndim() - 2])
        throw_error<dimension_error>("linalg.", op, ": the last two dimensions must be square, got shape ", a.shape());
    if (!a.get_device().is_host())
        throw_error<not_implemented_error>("linalg.", op, ": not implemented on device ", a.get_device().name());
    if (!is_lapack_available())
        throw_error<not_implemented_error>("linalg.", op, ": chainerx was built without LAPACK");
    if (a.shape()[a.ndim() - 1] > INT_MAX || a.shape()[a.ndim() - 2] > INT_MAX)
        throw_error<dimension_error>("linalg.", op, ": matrix dimensions exceed LAPACK's 32-bit range");
}

// A C-contiguous copy (unless already one) of x cast to `type` and broadcast to `shape`, outside
// any graph.
inline array dense_input(const array& x, dtype type, const shape_t& shape) {
    no_backprop_mode no_record(x.get_device().get_context());
    array cast = cast_array(x, type, false);
    array view = shape == x.shape() ? cast : broadcast_to(as_grad_stopped(cast), shape);
    return ascontiguousarray(view);
}

// Row-major (C) matrix <-> column-major (LAPACK) buffer.
template <class T>
void to_column_major(const T* src, int64_t rows, int64_t cols, T* dst) {
    for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j) dst[i + j * rows] = src[i * cols + j];
}
template <class T>
void from_column_major(const T* src, int64_t rows, int64_t cols, int64_t ld, T* dst) {
    for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j) dst[i * cols + j] = src[i + j * ld];
}

// Calls f.template operator()<T>() for the two LAPACK dtypes.
template <class F>
void dispatch_lapack(dtype d, F&& f) {
#if defined(CHAINERX_HAVE_BLAS)
    if (d == dtype::float32) return f.template operator()<float>();
    if (d == dtype::float64) return f.template operator()<double>();
#endif
    throw_error<dtype_error>("linalg: unsupported dtype ", d);
}

inline shape_t with_tail(shape_t shape, std::initializer_list<int64_t> tail) {
    for (int64_t d : tail) shape.push_back(d);
    return shape;
}

inline void check_info(int info, const char* op, const char* what) {
    if (info > 0) throw_error<chainerx_error>("linalg.", op, ": ", what);
    if (info < 0) throw_error<chainerx_error>("linalg.", op, ": LAPACK argument ", -info, " had an illegal value");
}

inline array mT(const array& x) { return swapaxes(x, -1, -2); }

// fit a gradient to an input: sum over broadcast axes and cast to its dtype.
inline array fit(const array& g, const array& input) { return chainerx::detail::fit_gradient(g, input); }
}  // namespace detail

// Solves a @ x = b for stacks of square a; b is a vector (b.ndim == 1) or a stack of matrices.
template <class = void>
array solve(const array& a, const array& b) {
    detail::check_matrices(a, "solve", true);
    check_same_device("linalg.solve", a, b);
    int64_t n = a.shape().back();
    bool vector_b = b.ndim() == 1;
    if (vector_b ? b.shape()[0] != n : (b.ndim() < 2 || b.shape()[b.ndim() - 2] != n))
        throw_error<dimension_error>("linalg.solve: shapes ", a.shape(), " and ", b.shape(), " do not match");
    dtype type = detail::compute_dtype(result_type({a, b}), "solve");
    shape_t batch = broadcast_shapes(detail::leading_shape(a.shape(), 2),
                                     vector_b ? shape_t{} : detail::leading_shape(b.shape(), 2), "linalg.solve");
    int64_t k = vector_b ? 1 : b.shape().back();
    if (k > INT_MAX) throw_error<dimension_error>("linalg.solve: too many right-hand sides");
    array ac = detail::dense_input(a, type, detail::with_tail(batch, {n, n}));
    array bc = detail::dense_input(b, type, vector_b ? b.shape() : detail::with_tail(batch, {n, k}));
    shape_t out_shape = vector_b ? detail::with_tail(batch, {n}) : detail::with_tail(batch, {n, k});
    array out = empty(out_shape, type, a.get_device());
    detail::dispatch_lapack(type, [&]<class T>() {
        int64_t count = batch.product();
        std::vector<T> am(n * n), bm(n * k);
        std::vector<int> ipiv(n);
        long_running_scope gil(count * n * n * (n + k));
        for (int64_t p = 0; p < count && n > 0; ++p) {
            detail::to_column_major(static_cast<const T*>(ac.raw_data()) + p * n * n, n, n, am.data());
            detail::to_column_major(static_cast<const T*>(bc.raw_data()) + (vector_b ? 0 : p * n * k), n, k, bm.data());
            int info = 0;
            detail::gesv(static_cast<int>(n), static_cast<int>(k), am.data(), ipiv.data(), bm.data(), info);
            detail::check_info(info, "solve", "singular matrix");
            detail::from_column_major(bm.data(), n, k, n, static_cast<T*>(out.raw_data()) + p * n * k);
        }
    });
    // x = a^-1 b: gb = a^-T gy, ga = -gb x^T (x is recomputed, so that it is part of the graph).
    record_op(
        "solve", {&a, &b}, {&out},
        [ra = retained_array(a), rb = retained_array(b), vector_b](const std::vector<array>& gy) {
            array a = ra.get(), b = rb.get();
            array a_t = detail::mT(a);
            array gb = vector_b ? squeeze(solve(a_t, expand_dims(gy[0], -1)), axes_t{-1}) : solve(a_t, gy[0]);
            array ga;
            if (a.body()->graph) {
                array x = solve(a, b);
                ga = negative(vector_b ? multiply(expand_dims(gb, -1), expand_dims(x, -2)) : matmul(gb, detail::mT(x)));
                ga = detail::fit(ga, a);
            }
            return std::vector<array>{ga, detail::fit(gb, b)};
        });
    return out;
}

// The inverse of each square matrix (LU with partial pivoting).
template <class = void>
array inv(const array& a) {
    detail::check_matrices(a, "inv", true);
    dtype type = detail::compute_dtype(a.dtype(), "inv");
    int64_t n = a.shape().back();
    array ac = detail::dense_input(a, type, a.shape());
    array out = empty(a.shape(), type, a.get_device());
    detail::dispatch_lapack(type, [&]<class T>() {
        int64_t count = detail::leading_shape(a.shape(), 2).product();
        std::vector<T> am(n * n), bm(n * n);
        std::vector<int> ipiv(n);
        long_running_scope gil(count * n * n * n);
        for (int64_t p = 0; p < count && n > 0; ++p) {
            detail::to_column_major(static_cast<const T*>(ac.raw_data()) + p * n * n, n, n, am.data());
            std::fill(bm.begin(), bm.end(), T(0));
            for (int64_t i = 0; i < n; ++i) bm[i * n + i] = T(1);
            int info = 0;
            detail::gesv(static_cast<int>(n), static_cast<int>(n), am.data(), ipiv.data(), bm.data(), info);
            detail::check_info(info, "inv", "singular matrix");
            detail::from_column_major(bm.data(), n, n, n, static_cast<T*>(out.raw_data()) + p * n * n);
        }
    });
    // d(a^-1) = -a^-1 da a^-1: ga = -a^-T gy a^-T.
    record_op("inv", {&a}, {&out}, [ra = retained_array(a)](const std::vector<array>& gy) {
        array a = ra.get();
        array inv_t = detail::mT(inv(a));
        return std::vector<array>{detail::fit(negative(matmul(matmul(inv_t, gy[0]), inv_t)), a)};
    });
    return out;
}

namespace detail {
// LU factorization of each matrix: sign of the permutation times the product of U's diagonal as
// (sign, log|det|), or the determinant itself.
template <class = void>
void lu_determinants(const array& a, dtype type, array* det, array* sign, array* logabsdet) {
    int64_t n = a.shape().back();
    shape_t batch = leading_shape(a.shape(), 2);
    array ac = dense_input(a, type, a.shape());
    if (det) *det = empty(batch, type, a.get_device());
    if (sign) *sign = empty(batch, type, a.get_device());
    if (logabsdet) *logabsdet = empty(batch, type, a.get_device());
    dispatch_lapack(type, [&]<class T>() {
        int64_t count = batch.product();
        std::vector<T> am(n * n);
        std::vector<int> ipiv(n);
        long_running_scope gil(count * n * n * n);
        for (int64_t p = 0; p < count; ++p) {
            to_column_major(static_cast<const T*>(ac.raw_data()) + p * n * n, n, n, am.data());
            int info = 0;
            if (n > 0) getrf(static_cast<int>(n), am.data(), ipiv.data(), info);
            if (info < 0) check_info(info, "det", "");
            // info > 0: an exact zero pivot, the determinant is 0.
            T permutation = 1, s = 1, log_abs = 0, product = 1;
            for (int64_t i = 0; i < n; ++i) {
                T u = am[i + i * n];
                if (ipiv[i] != i + 1) permutation = -permutation;
                if (u < 0) s = -s;
                product *= u;
                log_abs += std::log(std::fabs(u));
            }
            s *= permutation;
            if (info > 0) {
                s = 0;
                log_abs = -std::numeric_limits<T>::infinity();
                product = 0;
            }
            if (det) static_cast<T*>(det->raw_data())[p] = permutation * product;
            if (sign) static_cast<T*>(sign->raw_data())[p] = s;
            if (logabsdet) static_cast<T*>(logabsdet->raw_data())[p] = log_abs;
        }
    });
}
}  // namespace detail

// Determinant of each square matrix. ga = gy * det * a^-T.
template <class = void>
array det(const array& a) {
    detail::check_matrices(a, "det", true);
    dtype type = detail::compute_dtype(a.dtype(), "det");
    array out;
    detail::lu_determinants(a, type, &out, nullptr, nullptr);
    record_op("det", {&a}, {&out}, [ra = retained_array(a)](const std::vector<array>& gy) {
        array a = ra.get();
        array scale = expand_dims(expand_dims(multiply(gy[0], det(a)), -1), -1);
        return std::vector<array>{detail::fit(multiply(scale, detail::mT(inv(a))), a)};
    });
    return out;
}

// (sign, log|det|) of each square matrix; log|det| has gradient gy * a^-T, sign none.
template <class = void>
std::pair<array, array> slogdet(const array& a) {
    detail::check_matrices(a, "slogdet", true);
    dtype type = detail::compute_dtype(a.dtype(), "slogdet");
    array sign, logabsdet;
    detail::lu_determinants(a, type, nullptr, &sign, &logabsdet);
    record_op("slogdet", {&a}, {&logabsdet}, [ra = retained_array(a)](const std::vector<array>& gy) {
        array a = ra.get();
        array scale = expand_dims(expand_dims(gy[0], -1), -1);
        return std::vector<array>{detail::fit(multiply(scale, detail::mT(inv(a))), a)};
    });
    return {sign, logabsdet};
}

// Lower Cholesky factor L (a = L L^T) of each symmetric positive-definite matrix (its lower
// triangle is read).
template <class = void>
array cholesky(const array& a) {
    detail::check_matrices(a, "cholesky", true);
    dtype type = detail::compute_dtype(a.dtype(), "cholesky");
    int64_t n = a.shape().back();
    array ac = detail::dense_input(a, type, a.shape());
    array out = empty(a.shape(), type, a.get_device());
    detail::dispatch_lapack(type, [&]<class T>() {
        int64_t count = detail::leading_shape(a.shape(), 2).product();
        std::vector<T> am(n * n);
        long_running_scope gil(count * n * n * n);
        for (int64_t p = 0; p < count && n > 0; ++p) {
            detail::to_column_major(static_cast<const T*>(ac.raw_data()) + p * n * n, n, n, am.data());
            int info = 0;
            detail::potrf(static_cast<int>(n), am.data(), info);
            detail::check_info(info, "cholesky", "matrix is not positive definite");
            T* o = static_cast<T*>(out.raw_data()) + p * n * n;
            for (int64_t i = 0; i < n; ++i)
                for (int64_t j = 0; j < n; ++j) o[i * n + j] = j <= i ? am[i + j * n] : T(0);
        }
    });
    // With Phi(X) = the lower triangle of X with its diagonal halved:
    // ga = sym(L^-T Phi(L^T gL) L^-1), sym(X) = (X + X^T) / 2.
    record_op("cholesky", {&a}, {&out}, [ra = retained_array(a)](const std::vector<array>& gy) {
        array a = ra.get();
        array l = cholesky(a);
        array phi = tril(matmul(detail::mT(l), gy[0]));
        array half_eye = eye(l.shape().back(), std::nullopt, 0, l.dtype(), l.get_device());
        phi = subtract(phi, multiply(multiply(phi, half_eye), 0.5));
        array l_inv = inv(l);
        array s = matmul(matmul(detail::mT(l_inv), phi), l_inv);
        return std::vector<array>{detail::fit(multiply(add(s, detail::mT(s)), 0.5), a)};
    });
    return out;
}

namespace detail {
// Eigenvalues (ascending) and, when wanted, eigenvectors (columns) of symmetric matrices.
template <class = void>
std::pair<array, array> syevd_batch(const array& a, dtype type, char uplo, bool vectors) {
    int64_t n = a.shape().back();
    shape_t batch = leading_shape(a.shape(), 2);
    array ac = dense_input(a, type, a.shape());
    array w = empty(with_tail(batch, {n}), type, a.get_device());
    array v = vectors ? empty(a.shape(), type, a.get_device()) : array();
    dispatch_lapack(type, [&]<class T>() {
        int64_t count = batch.product();
        if (n == 0 || count == 0) return;
        std::vector<T> am(n * n);
        char jobz = vectors ? 'V' : 'N';
        // Our row-major matrix is the column-major transpose: its lower triangle is LAPACK's upper.
        char lapack_uplo = uplo == 'L' ? 'U' : 'L';
        T work_size;
        int iwork_size, info = 0;
        syevd(jobz, lapack_uplo, static_cast<int>(n), am.data(), static_cast<T*>(w.raw_data()), &work_size, -1,
              &iwork_size, -1, info);
        std::vector<T> work(static_cast<size_t>(work_size));
        std::vector<int> iwork(iwork_size);
        long_running_scope gil(count * n * n * n);
        for (int64_t p = 0; p < count; ++p) {
            std::copy_n(static_cast<const T*>(ac.raw_data()) + p * n * n, n * n, am.data());
            syevd(jobz, lapack_uplo, static_cast<int>(n), am.data(), static_cast<T*>(w.raw_data()) + p * n, work.data(),
                  static_cast<int>(work.size()), iwork.data(), static_cast<int>(iwork.size()), info);
            check_info(info, "eigh", "eigenvalue computation did not converge");
            if (vectors) from_column_major(am.data(), n, n, n, static_cast<T*>(v.raw_data()) + p * n * n);
        }
    });
    return {w, v};
}
}  // namespace detail

// Eigenvalues (ascending) and eigenvectors (the columns of v) of symmetric matrices, read from the
// lower (UPLO='L') or upper triangle. With F_ij = 1 / (w_j - w_i) off the diagonal:
// ga = v (diag(gw) + F * (v^T gv)) v^T.
template <class = void>
std::pair<array, array> eigh(const array& a, char uplo = 'L') {
    detail::check_matrices(a, "eigh", true);
    if (uplo != 'L' && uplo != 'U') throw_error<chainerx_error>("linalg.eigh: UPLO must be 'L' or 'U'");
    dtype type = detail::compute_dtype(a.dtype(), "eigh");
    auto [w, v] = detail::syevd_batch(a, type, uplo, true);
    record_op("eigh", {&a}, {&w, &v}, [ra = retained_array(a), uplo](const std::vector<array>& g) {
        array a = ra.get();
        auto [w2, v2] = eigh(a, uplo);
        int64_t n = w2.shape().back();
        array inner = zeros(v2.shape(), v2.dtype(), v2.get_device());
        array eye_n = eye(n, std::nullopt, 0, v2.dtype(), v2.get_device());
        if (g[1].defined()) {
            array diff = subtract(expand_dims(w2, -2), expand_dims(w2, -1));  // w_j - w_i
            array off = subtract(1, eye_n);
            array f = true_divide(off, add(diff, eye_n));  // 0 on the diagonal
            inner = multiply(f, matmul(detail::mT(v2), g[1]));
        }
        if (g[0].defined()) inner = add(inner, multiply(expand_dims(g[0], -1), eye_n));
        return std::vector<array>{detail::fit(matmul(matmul(v2, inner), detail::mT(v2)), a)};
    });
    return {w, v};
}

// Eigenvalues of symmetric matrices (differentiable: through eigh when a requires grad).
template <class = void>
array eigvalsh(const array& a, char uplo = 'L') {
    detail::check_matrices(a, "eigvalsh", true);
    if (uplo != 'L' && uplo != 'U') throw_error<chainerx_error>("linalg.eigvalsh: UPLO must be 'L' or 'U'");
    if (is_backprop_required_any(a)) return eigh(a, uplo).first;
    return detail::syevd_batch(a, detail::compute_dtype(a.dtype(), "eigvalsh"), uplo, false).first;
}

namespace detail {
// u (m x ku), s (k), vh (kv x n) of each matrix by gesdd; job 'A' (full), 'S' (reduced), 'N'.
template <class = void>
void gesdd_batch(const array& a, dtype type, char job, array& u, array& s, array& vh) {
    int64_t m = a.shape()[a.ndim() - 2], n = a.shape().back(), k = std::min(m, n);
    shape_t batch = leading_shape(a.shape(), 2);
    int64_t ku = job == 'A' ? m : k, kv = job == 'A' ? n : k;
    array ac = dense_input(a, type, a.shape());
    s = empty(with_tail(batch, {k}), type, a.get_device());
    if (job != 'N') {
        u = empty(with_tail(batch, {m, ku}), type, a.get_device());
        vh = empty(with_tail(batch, {kv, n}), type, a.get_device());
    }
    dispatch_lapack(type, [&]<class T>() {
        int64_t count = batch.product();
        if (count == 0) return;
        if (k == 0) {  // LAPACK needs no call: s is empty, full u and vh are identities
            if (job == 'A') {
                for (int64_t p = 0; p < count; ++p) {
                    T* up = static_cast<T*>(u.raw_data()) + p * m * m;
                    T* vp = static_cast<T*>(vh.raw_data()) + p * n * n;
                    for (int64_t i = 0; i < m * m; ++i) up[i] = i % (m + 1) == 0 ? T(1) : T(0);
                    for (int64_t i = 0; i < n * n; ++i) vp[i] = i % (n + 1) == 0 ? T(1) : T(0);
                }
            }
            return;
        }
        std::vector<T> am(m * n), um(job == 'N' ? 1 : m * ku), vm(job == 'N' ? 1 : kv * n);
        std::vector<int> iwork(8 * k);
        int ldu = static_cast<int>(m), ldvt = static_cast<int>(job == 'N' ? 1 : kv), info = 0;
        T work_size;
        gesdd(job, static_cast<int>(m), static_cast<int>(n), am.data(), static_cast<T*>(s.raw_data()), um.data(), ldu,
              vm.data(), ldvt, &work_size, -1, iwork.data(), info);
        std::vector<T> work(static_cast<size_t>(work_size) + 1);
        long_running_scope gil(count * m * n * k);
        for (int64_t p = 0; p < count; ++p) {
            to_column_major(static_cast<const T*>(ac.raw_data()) + p * m * n, m, n, am.data());
            gesdd(job, static_cast<int>(m), static_cast<int>(n), am.data(), static_cast<T*>(s.raw_data()) + p * k,
                  um.data(), ldu, vm.data(), ldvt, work.data(), static_cast<int>(work.size()), iwork.data(), info);
            check_info(info, "svd", "SVD did not converge");
            if (job != 'N') {
                from_column_major(um.data(), m, ku, m, static_cast<T*>(u.raw_data()) + p * m * ku);
                from_column_major(vm.data(), kv, n, kv, static_cast<T*>(vh.raw_data()) + p * kv * n);
            }
        }
    });
}
}  // namespace detail

struct svd_result {
    array u, s, vh;
};

// Singular value decomposition a = u diag(s) vh, singular values descending. The gradient (for
// reduced factors, or square matrices) follows Townsend's derivation; full_matrices=True with
// non-square matrices is not differentiable (as in ChainerX).
template <class = void>
svd_result svd(const array& a, bool full_matrices = true, bool compute_uv = true) {
    detail::check_matrices(a, "svd", false);
    dtype type = detail::compute_dtype(a.dtype(), "svd");
    int64_t m = a.shape()[a.ndim() - 2], n = a.shape().back();
    bool differentiable = is_backprop_required_any(a) && is_float(a.dtype());
    char job = compute_uv ? (full_matrices ? 'A' : 'S') : 'N';  // the backward computes its own factors
    svd_result r;
    detail::gesdd_batch(a, type, job, r.u, r.s, r.vh);
    if (!differentiable) return r;
    bool reduced = !full_matrices || m == n || !compute_uv;
    auto backward = [ra = retained_array(a), reduced](const std::vector<array>& g) {
        array a = ra.get();
        if (!reduced)
            throw_error<chainerx_error>(
                "linalg.svd: the gradient is not implemented for full_matrices=True with "
                "non-square matrices");
        svd_result f = svd(a, false, true);
        array u = f.u, s = f.s, vh = f.vh, v = detail::mT(vh);
        int64_t m = u.shape()[u.ndim() - 2], n = vh.shape().back(), k = s.shape().back();
        dtype t = s.dtype();
        device& dev = s.get_device();
        array eye_k = eye(k, std::nullopt, 0, t, dev);
        array sigma = multiply(expand_dims(s, -1), eye_k);
        array result = zeros(a.shape(), t, dev);
        if (g.size() > 1 && g[1].defined()) result = matmul(matmul(u, multiply(expand_dims(g[1], -1), eye_k)), vh);
        bool gu_defined = g[0].defined(), gv_defined = g.size() > 2 && g[2].defined();
        if (gu_defined || gv_defined) {
            array s2 = square(s);
            array diff = subtract(expand_dims(s2, -2), expand_dims(s2, -1));  // s_j^2 - s_i^2
            array f_mat = true_divide(subtract(1, eye_k), add(diff, eye_k));
            array s_inv = multiply(expand_dims(reciprocal(s), -1), eye_k);
            if (gu_defined) {
                array gu = g[0];
                array utgu = matmul(detail::mT(u), gu);
                array u_term = matmul(matmul(u, multiply(f_mat, subtract(utgu, detail::mT(utgu)))), sigma);
                if (m > k) {
                    array proj = subtract(eye(m, std::nullopt, 0, t, dev), matmul(u, detail::mT(u)));
                    u_term = add(u_term, matmul(matmul(proj, gu), s_inv));
                }
                result = add(result, matmul(u_term, vh));
            }
            if (gv_defined) {
                array gv = detail::mT(g[2]);
                array vtgv = matmul(vh, gv);
                array v_term = matmul(matmul(sigma, multiply(f_mat, subtract(vtgv, detail::mT(vtgv)))), vh);
                if (n > k) {
                    array proj = subtract(eye(n, std::nullopt, 0, t, dev), matmul(v, vh));
                    v_term = add(v_term, matmul(s_inv, matmul(g[2], proj)));
                }
                result = add(result, matmul(u, v_term));
            }
        }
        return std::vector<array>{detail::fit(result, a)};
    };
    if (compute_uv) {
        record_op("svd", {&a}, {&r.u, &r.s, &r.vh}, backward);
    } else {
        r.u = r.vh = array();
        record_op("svd", {&a}, {&r.s},
                  [backward](const std::vector<array>& g) { return backward({array(), g[0], array()}); });
    }
    return r;
}

// Moore-Penrose pseudo-inverse: v diag(1/s) u^T, singular values below rcond * max(s) dropped.
template <class = void>
array pinv(const array& a, double rcond = 1e-15) {
    detail::check_matrices(a, "pinv", false);
    svd_result f = svd(a, false, true);
    if (f.s.shape().back() == 0) {
        shape_t shape = a.shape();
        std::swap(shape[shape.size() - 1], shape[shape.size() - 2]);
        return zeros(shape, f.s.dtype(), a.get_device());
    }
    array cutoff = multiply(amax(f.s, axes_t{-1}, true), rcond);
    array keep = greater(f.s, cutoff);
    array s_inv = where(keep, reciprocal(where(keep, f.s, 1)), 0);  // no 1/0 even in the unused branch
    return matmul(detail::mT(f.vh), multiply(expand_dims(s_inv, -1), detail::mT(f.u)));
}

struct qr_result {
    array q, r;  // mode 'raw': q is h (the reflectors, (..., n, m)) and r is tau
};

// QR factorization; mode 'reduced' (q m x k, r k x n), 'complete' (q m x m, r m x n), 'r' (r only,
// k x n) or 'raw' (NumPy's (h, tau)). Differentiable when m >= n (mode 'complete' only for square
// matrices): ga = (gq + q copyltu(M)) r^-T with M = r gr^T - gq^T q.
template <class = void>
qr_result qr(const array& a, std::string_view mode = "reduced") {
    detail::check_matrices(a, "qr", false);
    if (mode != "reduced" && mode != "complete" && mode != "r" && mode != "raw")
        throw_error<chainerx_error>("linalg.qr: unrecognized mode '", std::string(mode), "'");
    dtype type = detail::compute_dtype(a.dtype(), "qr");
    int64_t m = a.shape()[a.ndim() - 2], n = a.shape().back(), k = std::min(m, n);
    shape_t batch = detail::leading_shape(a.shape(), 2);
    bool complete = mode == "complete", raw = mode == "raw", want_q = mode == "reduced" || complete;
    int64_t qcols = complete ? m : k, rrows = complete ? m : k;
    array ac = detail::dense_input(a, type, a.shape());
    qr_result out;
    if (raw) {
        out.q = empty(detail::with_tail(batch, {n, m}), type, a.get_device());
        out.r = empty(detail::with_tail(batch, {k}), type, a.get_device());
    } else {
        out.r = empty(detail::with_tail(batch, {rrows, n}), type, a.get_device());
        if (want_q) out.q = empty(detail::with_tail(batch, {m, qcols}), type, a.get_device());
    }
    detail::dispatch_lapack(type, [&]<class T>() {
        int64_t count = batch.product();
        if (count == 0) return;
        int64_t cols = std::max(n, qcols);  // room for the complete q
        std::vector<T> am(std::max<int64_t>(m * cols, 1)), tau(std::max<int64_t>(k, 1));
        int info = 0;
        T size1 = 0, size2 = 0;
        if (m > 0 && n > 0) {
            detail::geqrf(static_cast<int>(m), static_cast<int>(n), am.data(), tau.data(), &size1, -1, info);
            if (want_q && qcols > 0)
                detail::orgqr(static_cast<int>(m), static_cast<int>(qcols), static_cast<int>(k), am.data(), tau.data(),
                              &size2, -1, info);
        }
        std::vector<T> work(static_cast<size_t>(std::max(size1, size2)) + 1);
        long_running_scope gil(count * m * n * k);
        for (int64_t p = 0; p < count; ++p) {
            detail::to_column_major(static_cast<const T*>(ac.raw_data()) + p * m * n, m, n, am.data());
            if (k > 0) {
                detail::geqrf(static_cast<int>(m), static_cast<int>(n), am.data(), tau.data(), work.data(),
                              static_cast<int>(work.size()), info);
                detail::check_info(info, "qr", "factorization failed");
            }
            if (raw) {
                // h is the column-major factor seen as a row-major (n, m) array.
                std::copy_n(am.data(), m * n, static_cast<T*>(out.q.raw_data()) + p * m * n);
                std::copy_n(tau.data(), k, static_cast<T*>(out.r.raw_data()) + p * k);
                continue;
            }
            T* rp = static_cast<T*>(out.r.raw_data()) + p * rrows * n;
            for (int64_t i = 0; i < rrows; ++i)
                for (int64_t j = 0; j < n; ++j) rp[i * n + j] = (j >= i && i < k) ? am[i + j * m] : T(0);
            if (!want_q) continue;
            T* qp = static_cast<T*>(out.q.raw_data()) + p * m * qcols;
            if (k == 0) {  // no reflectors: q is the identity
                for (int64_t i = 0; i < m; ++i)
                    for (int64_t j = 0; j < qcols; ++j) qp[i * qcols + j] = i == j ? T(1) : T(0);
                continue;
            }
            detail::orgqr(static_cast<int>(m), static_cast<int>(qcols), static_cast<int>(k), am.data(), tau.data(),
                          work.data(), static_cast<int>(work.size()), info);
            detail::check_info(info, "qr", "forming q failed");
            detail::from_column_major(am.data(), m, qcols, m, qp);
        }
    });
    if (raw || !is_backprop_required_any(a) || !is_float(a.dtype())) return out;
    bool differentiable = m >= n && !(complete && m > n);
    std::string mode_copy(mode);
    auto backward = [ra = retained_array(a), differentiable, mode_copy](const std::vector<array>& g) {
        array a = ra.get();
        if (!differentiable)
            throw_error<not_implemented_error>(
                "linalg.qr: the gradient is implemented for m >= n (and mode "
                "'complete' only for square matrices)");
        qr_result f = qr(a, "reduced");
        array gq = g[0].defined() ? g[0] : zeros(f.q.shape(), f.q.dtype(), f.q.get_device());
        array gr = g.size() > 1 && g[1].defined() ? g[1] : zeros(f.r.shape(), f.r.dtype(), f.r.get_device());
        array mm = subtract(matmul(f.r, detail::mT(gr)), matmul(detail::mT(gq), f.q));
        array lower = tril(mm, -1);
        int64_t k = f.r.shape()[f.r.ndim() - 2];
        array diag_part = multiply(mm, eye(k, std::nullopt, 0, mm.dtype(), mm.get_device()));
        array copyltu = add(add(lower, detail::mT(lower)), diag_part);
        array b = add(gq, matmul(f.q, copyltu));
        return std::vector<array>{detail::fit(matmul(b, detail::mT(inv(f.r))), a)};
    };
    if (want_q) {
        record_op("qr", {&a}, {&out.q, &out.r}, backward);
    } else {
        record_op("qr", {&a}, {&out.r}, [backward](const std::vector<array>& g) { return backward({array(), g[0]}); });
    }
    return out;
}

// The ord argument of norm: None, a number (including +-inf), 'fro' or 'nuc'.
struct norm_order {
    enum class kind { none, number, fro, nuc } type = kind::none;
    double p = 0;
    static norm_order number(double p) { return {kind::number, p}; }
};

// NumPy's norm: vector norms over one axis, matrix norms over two (2, -2 and 'nuc' through the
// singular values), the 2-norm of the flattened array when neither ord nor axis is given. Bool and
// integers compute in float32 (ChainerX's math dtype rule). Written with differentiable routines.
template <class = void>
array norm(const array& x, norm_order ord = {}, std::optional<axes_t> axis = std::nullopt, bool keepdims = false) {
    using kind = norm_order::kind;
    array a = astype(x, detail::compute_dtype(x.dtype(), "norm"), false);
    auto two_norm = [&](const std::optional<axes_t>& axes) { return sqrt(sum(square(a), axes, keepdims)); };
    if (!axis) {
        if (ord.type == kind::none) {
            array r = two_norm(std::nullopt);
            return r;
        }
        if (a.ndim() == 1)
            axis = axes_t{0};
        else if (a.ndim() == 2)
            axis = axes_t{0, 1};
        else
            throw_error<dimension_error>("linalg.norm: an order needs a 1-d or 2-d array (or an axis), got shape ",
                                         a.shape());
    }
    if (axis->size() == 1) {
        axes_t ax{normalize_axis((*axis)[0], a.ndim(), "linalg.norm")};
        if (ord.type == kind::none || (ord.type == kind::number && ord.p == 2)) return two_norm(ax);
        if (ord.type != kind::number)
            throw_error<chainerx_error>(
                "linalg.norm: invalid norm order for vectors ('fro' and 'nuc' are matrix "
                "norms)");
        double p = ord.p;
        if (std::isinf(p)) return p > 0 ? amax(absolute(a), ax, keepdims) : amin(absolute(a), ax, keepdims);
        if (p == 0) return astype(sum(not_equal(a, 0), ax, keepdims), a.dtype(), false);
        if (p == 1) return sum(absolute(a), ax, keepdims);
        return power(sum(power(absolute(a), p), ax, keepdims), 1.0 / p);
    }
    if (axis->size() != 2) throw_error<dimension_error>("linalg.norm: axis must have one or two entries, got ", *axis);
    int row = normalize_axis((*axis)[0], a.ndim(), "linalg.norm");
    int col = normalize_axis((*axis)[1], a.ndim(), "linalg.norm");
    if (row == col) throw_error<dimension_error>("linalg.norm: duplicate axes ", *axis);
    array result;
    auto restore = [&](const array& r) {  // keepdims: length-1 axes where the matrix axes were
        if (!keepdims) return r;
        shape_t shape = a.shape();
        shape[row] = shape[col] = 1;
        return reshape(r, shape);
    };
    if (ord.type == kind::none || ord.type == kind::fro) return restore(sqrt(sum(square(a), axes_t{row, col})));
    if (ord.type == kind::nuc || std::fabs(ord.p) == 2) {
        // Singular values of the matrices moved to the last two axes.
        axes_t perm;
        for (int i = 0; i < a.ndim(); ++i)
            if (i != row && i != col) perm.push_back(i);
        perm.push_back(row);
        perm.push_back(col);
        array s = svd(transpose(a, perm), false, false).s;
        if (ord.type == kind::nuc) return restore(sum(s, axes_t{-1}));
        return restore(ord.p > 0 ? amax(s, axes_t{-1}) : amin(s, axes_t{-1}));
    }
    double p = ord.p;
    if (std::fabs(p) == 1 || std::isinf(p)) {
        // 1: the largest column sum; inf: the largest row sum (-1, -inf: the smallest).
        int summed = std::isinf(p) ? col : row, other = std::isinf(p) ? row : col;
        array sums = sum(absolute(a), axes_t{summed});
        axes_t remaining{other > summed ? other - 1 : other};
        return restore(p > 0 ? amax(sums, remaining) : amin(sums, remaining));
    }
    throw_error<chainerx_error>("linalg.norm: invalid norm order ", p, " for matrices");
}

}  // namespace linalg

}  // namespace chainerx
