#pragma once

// Stacks of matrix products c[b] = a[b] @ b[b] on the host: BLAS (scipy-openblas32) for float32 and
// float64, a cache-friendly i-k-j loop for every other dtype (and for float when no BLAS is linked or
// a dimension exceeds BLAS's 32-bit integers). Operands are strided views; the output is
// C-contiguous. The routine (routines/products.hpp) decides dtypes and copies.
#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "chainerx/core/array.hpp"

#include "chainerx/device/parallel.hpp"

#if defined(CHAINERX_HAVE_BLAS)
// Declared here rather than by including cblas.h: the scipy_ prefix is specific to
// scipy-openblas32, and its header pulls in macros a header-only library should not export.
extern "C" {
void scipy_cblas_sgemm(int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a, int lda,
                       const float* b, int ldb, float beta, float* c, int ldc);
void scipy_cblas_dgemm(int order, int trans_a, int trans_b, int m, int n, int k, double alpha, const double* a, int lda,
                       const double* b, int ldb, double beta, double* c, int ldc);
void scipy_openblas_set_num_threads(int threads);
int scipy_openblas_get_num_threads(void);
char* scipy_openblas_get_config(void);
char* scipy_openblas_get_corename(void);
}
#endif

namespace chainerx {

// Whether BLAS can be called on the element type (and whether it is linked at all).
template <class T>
inline constexpr bool has_blas_gemm_v =
#if defined(CHAINERX_HAVE_BLAS)
    std::is_same_v<T, float> || std::is_same_v<T, double>;
#else
    false;
#endif

// One operand of a stack of products: the first matrix, its byte strides, and the byte strides of
// the batch axes (0 along broadcast ones).
struct gemm_operand {
    const char* data;
    int64_t row_stride, col_stride;
    strides_t batch_strides;
};

// How BLAS (row-major) reads a rows x cols matrix with element strides rs and cs in place: rows
// contiguous (trans = false, leading dimension rs) or columns contiguous (trans = true, leading
// dimension cs). The stride of an axis of length 1 is free. False when neither fits.
inline bool blas_layout(int64_t rows, int64_t cols, int64_t rs, int64_t cs, bool& trans, int64_t& ld) {
    int64_t min_rows = std::max<int64_t>(rows, 1), min_cols = std::max<int64_t>(cols, 1);
    if (cols <= 1 || cs == 1) {
        int64_t l = rows <= 1 ? min_cols : rs;
        if (l >= min_cols && l <= INT_MAX) {
            trans = false;
            ld = l;
            return true;
        }
    }
    if (rows <= 1 || rs == 1) {
        int64_t l = cols <= 1 ? min_rows : cs;
        if (l >= min_rows && l <= INT_MAX) {
            trans = true;
            ld = l;
            return true;
        }
    }
    return false;
}

// The same question with byte strides of elements of `itemsize` bytes.
inline bool blas_layout_bytes(int64_t rows, int64_t cols, int64_t rs, int64_t cs, int64_t itemsize, bool& trans,
                              int64_t& ld) {
    if (rs % itemsize != 0 || cs % itemsize != 0) return false;
    return blas_layout(rows, cols, rs / itemsize, cs / itemsize, trans, ld);
}

namespace detail {
// Byte offset of the batch element with flat C-order position `flat`.
inline int64_t batch_offset(int64_t flat, const shape_t& batch, const strides_t& strides) {
    int64_t offset = 0;
    for (int i = batch.size() - 1; i >= 0 && flat > 0; --i) {
        offset += (flat % batch[i]) * strides[i];
        flat /= batch[i];
    }
    return offset;
}

// The accumulator of the loop kernel: integers wrap around in an unsigned type (the sum modulo
// 2^bits is the same), bool is an or of ands, floats accumulate in their own type.
template <class T>
struct gemm_acc {
    using type = T;
};
template <class T>
    requires std::is_integral_v<T>
struct gemm_acc<T> {
    using type = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;
};
template <>
struct gemm_acc<bool> {
    using type = uint8_t;
};
template <class T>
using gemm_acc_t = typename gemm_acc<T>::type;

// Rows [row_begin, row_end) of c = a @ b (one matrix), accumulating each row of c in `acc` (N
// elements) while streaming rows of b: i-k-j order, so the inner loop is contiguous in b and c.
template <class T>
void gemm_rows(int64_t row_begin, int64_t row_end, int64_t N, int64_t K, const char* a, int64_t a_rs, int64_t a_cs,
               const char* b, int64_t b_rs, int64_t b_cs, T* c, gemm_acc_t<T>* acc) {
    using Acc = gemm_acc_t<T>;
    bool b_dense = b_cs == static_cast<int64_t>(sizeof(T));
    for (int64_t i = row_begin; i < row_end; ++i) {
        std::fill_n(acc, N, Acc(0));
        for (int64_t k = 0; k < K; ++k) {
            Acc av = static_cast<Acc>(*reinterpret_cast<const T*>(a + i * a_rs + k * a_cs));
            if constexpr (std::is_integral_v<Acc>) {
                if (av == Acc(0)) continue;  // (floats must not skip: 0 * nan is nan)
            }
            const char* brow = b + k * b_rs;
            if (b_dense) {
                const T* bp = reinterpret_cast<const T*>(brow);
                if constexpr (std::is_same_v<T, bool>) {
                    for (int64_t j = 0; j < N; ++j) acc[j] |= static_cast<Acc>(bp[j]);
                } else {
                    for (int64_t j = 0; j < N; ++j) acc[j] += av * static_cast<Acc>(bp[j]);
                }
            } else {
                for (int64_t j = 0; j < N; ++j) {
                    Acc bv = static_cast<Acc>(*reinterpret_cast<const T*>(brow + j * b_cs));
                    if constexpr (std::is_same_v<T, bool>)
                        acc[j] |= bv;
                    else
                        acc[j] += av * bv;
                }
            }
        }
        T* crow = c + i * N;
        for (int64_t j = 0; j < N; ++j) crow[j] = static_cast<T>(acc[j]);
    }
}
}  // namespace detail

#if defined(CHAINERX_HAVE_BLAS)
namespace detail {
// OpenBLAS's own thread pool spins for a long while after each call, and the OpenMP threads of the
// next elementwise kernel then fight it for the cores (measured on 2 cores: a 100x1000 add took
// 8 ms instead of 25 us right after a GEMM; an MNIST iteration 50-200 ms instead of 7). So BLAS
// runs single-threaded and run_gemm splits the products among OpenMP threads itself: one pool.
inline void use_single_threaded_blas() {
    static const bool done = [] {
        scipy_openblas_set_num_threads(1);
        return true;
    }();
    (void)done;
}
}  // namespace detail
#endif

// The BLAS chainerx calls and how many threads it runs (for bug reports): OpenBLAS's own build
// configuration and core, or "none" when chainerx was built without BLAS.
inline std::string blas_description() {
#if defined(CHAINERX_HAVE_BLAS)
    detail::use_single_threaded_blas();
    return std::string("scipy-openblas32: ") + scipy_openblas_get_config() + " (core " + scipy_openblas_get_corename() +
           "), " + std::to_string(scipy_openblas_get_num_threads()) +
           " BLAS thread(s); chainerx splits GEMMs among its OpenMP threads";
#else
    return "none (built without CHAINERX_HAVE_BLAS: GEMM and linalg use chainerx's own loops or are unavailable)";
#endif
}

// c (batch..., M, N), C-contiguous, = a (batch..., M, K) @ b (batch..., K, N). For BLAS types the
// caller guarantees blas_layout() accepts every matrix of a and b. K == 0 gives zeros.
template <class T>
void run_gemm(const shape_t& batch, int64_t M, int64_t N, int64_t K, const gemm_operand& a, const gemm_operand& b,
              T* c) {
    int64_t count = batch.product();
    if (count == 0 || M == 0 || N == 0) return;
    if (K == 0) {
        std::fill_n(c, count * M * N, T(0));
        return;
    }
    long_running_scope gil(count * M * N * K);
#if defined(CHAINERX_HAVE_BLAS)
    if constexpr (has_blas_gemm_v<T>) {
        detail::use_single_threaded_blas();
        bool ta, tb;
        int64_t lda, ldb;
        constexpr int64_t size = sizeof(T);
        if (M <= INT_MAX && N <= INT_MAX && K <= INT_MAX &&
            blas_layout_bytes(M, K, a.row_stride, a.col_stride, size, ta, lda) &&
            blas_layout_bytes(K, N, b.row_stride, b.col_stride, size, tb, ldb)) {
            constexpr int row_major = 101, no_trans = 111, trans = 112;
            // Each product is cut into `parts` blocks of rows (or of columns when N > M), so that
            // threads share single products as well as stacks of them.
            bool by_rows = M >= N;
            int64_t extent = by_rows ? M : N;
            int64_t parts = M * N * K >= (int64_t{1} << 20) ? std::min<int64_t>(max_threads(), extent) : 1;
            // Below ~2^18 multiply-adds in all, waking other threads costs more than it saves.
            int64_t tasks = count * parts, min_tasks = count * M * N * K >= (int64_t{1} << 18) ? 2 : tasks + 1;
            parallel_for(tasks, min_tasks, [&](int64_t begin, int64_t end) {
                for (int64_t task = begin; task < end; ++task) {
                    int64_t n = task / parts, part = task % parts;
                    int64_t lo = extent * part / parts, hi = extent * (part + 1) / parts;
                    const char* ap = a.data + detail::batch_offset(n, batch, a.batch_strides);
                    const char* bp = b.data + detail::batch_offset(n, batch, b.batch_strides);
                    T* cp = c + n * M * N;
                    int64_t m = M, cols = N;
                    if (by_rows) {
                        ap += lo * a.row_stride;
                        cp += lo * N;
                        m = hi - lo;
                    } else {
                        bp += lo * b.col_stride;
                        cp += lo;
                        cols = hi - lo;
                    }
                    auto gemm = [&](auto f) {
                        f(row_major, ta ? trans : no_trans, tb ? trans : no_trans, static_cast<int>(m),
                          static_cast<int>(cols), static_cast<int>(K), T(1), reinterpret_cast<const T*>(ap),
                          static_cast<int>(lda), reinterpret_cast<const T*>(bp), static_cast<int>(ldb), T(0), cp,
                          static_cast<int>(N));
                    };
                    if constexpr (std::is_same_v<T, float>)
                        gemm(scipy_cblas_sgemm);
                    else
                        gemm(scipy_cblas_dgemm);
                }
            });
            return;
        }
    }
#endif
    // Threads take ranges of rows of the whole stack.
    using Acc = detail::gemm_acc_t<T>;
    int64_t rows = count * M;
    int64_t threshold = std::max<int64_t>(parallel_threshold / std::max<int64_t>(N * K, 1), 1);
    parallel_for(rows, threshold, [&](int64_t begin, int64_t end) {
        std::vector<Acc> acc(static_cast<size_t>(N));
        while (begin < end) {
            int64_t n = begin / M, row = begin % M, stop = std::min(end, (n + 1) * M);
            detail::gemm_rows<T>(row, row + (stop - begin), N, K,
                                 a.data + detail::batch_offset(n, batch, a.batch_strides), a.row_stride, a.col_stride,
                                 b.data + detail::batch_offset(n, batch, b.batch_strides), b.row_stride, b.col_stride,
                                 c + n * M * N, acc.data());
            begin = stop;
        }
    });
}

}  // namespace chainerx
