#pragma once

// Products: dot, matmul, tensordot. The one primitive with a kernel of its own is a stack of
// matrix products (kernels/gemm.hpp) with its backward rule; every other product is written with
// views (reshape, transpose) around it, so all of them differentiate twice. Dtypes follow
// ChainerX's promotion of the operands; 16-bit floats compute in float32.
#include <algorithm>
#include <vector>

#include "chainerx/autograd/graph.hpp"
#include "chainerx/kernels/gemm.hpp"
#include "chainerx/routines/creation_basic.hpp"
#include "chainerx/routines/elementwise.hpp"
#include "chainerx/routines/manipulation.hpp"
#include "chainerx/routines/math.hpp"
#include "chainerx/routines/reduction.hpp"

namespace chainerx {

namespace detail {
inline shape_t leading_shape(const shape_t& shape, int drop) { return shape_t(shape.begin(), shape.end() - drop); }

inline bool is_half_dtype(dtype d) { return d == dtype::float16 || d == dtype::bfloat16; }

// The batch strides of x (..., rows, cols) as seen from the broadcast batch shape (0 where x is
// broadcast).
inline strides_t batch_strides(const array& x, const shape_t& batch) {
    int lead = batch.size() - (x.ndim() - 2);
    strides_t strides(batch.size());
    for (int i = lead; i < batch.size(); ++i) strides[i] = x.shape()[i - lead] == 1 ? 0 : x.strides()[i - lead];
    return strides;
}

// x itself when the kernel can read its matrices in place, else a C-contiguous copy. Only BLAS
// needs one contiguous axis; the loop kernel reads any strides. Copying before broadcasting keeps
// broadcast operands small.
inline array gemm_ready(const array& x) {
    bool blas_type = x.dtype() == dtype::float32 || x.dtype() == dtype::float64;
    if (!blas_type) return x;
    int n = x.ndim();
    bool trans;
    int64_t ld;
    if (blas_layout_bytes(x.shape()[n - 2], x.shape()[n - 1], x.strides()[n - 2], x.strides()[n - 1], x.itemsize(),
                          trans, ld))
        return x;
    return ascontiguousarray(x);
}

// A stack of products of a (..., M, K) and b (..., K, N) of one dtype (not a 16-bit float), whose
// batch axes broadcast; the result is C-contiguous (batch..., M, N), as NumPy's. Recorded with its
// backward rule; the caller has validated the shapes.
template <class = void>
array batched_matmul(const array& a, const array& b) {
    int an = a.ndim(), bn = b.ndim();
    int64_t M = a.shape()[an - 2], K = a.shape()[an - 1], N = b.shape()[bn - 1];
    shape_t batch = broadcast_shapes(leading_shape(a.shape(), 2), leading_shape(b.shape(), 2), "matmul");
    if (!a.get_device().is_host())
        throw_error<not_implemented_error>("matmul: not implemented on device ", a.get_device().name());
    array ac = gemm_ready(a), bc = gemm_ready(b);
    shape_t out_shape = batch;
    out_shape.push_back(M);
    out_shape.push_back(N);
    array out = empty(out_shape, a.dtype(), a.get_device());
    gemm_operand ga{static_cast<const char*>(ac.raw_data()), ac.strides()[an - 2], ac.strides()[an - 1],
                    batch_strides(ac, batch)};
    gemm_operand gb{static_cast<const char*>(bc.raw_data()), bc.strides()[bn - 2], bc.strides()[bn - 1],
                    batch_strides(bc, batch)};
    dispatch_dtype(a.dtype(), [&]<class T>() {
        if constexpr (ops::is_half_v<T>) {
            throw_error<dtype_error>("matmul: 16-bit floats must be cast to float32 first");
        } else {
            run_gemm<T>(batch, M, N, K, ga, gb, static_cast<T*>(out.raw_data()));
        }
    });
    // d(a @ b) = da @ b + a @ db; the gradients are summed over the axes each operand was broadcast
    // along. An operand outside every graph gets none.
    if (!a.body()->graph && !b.body()->graph) return out;
    record_op("matmul", {&a, &b}, {&out},
              [ra = retained_array(a), rb = retained_array(b)](const std::vector<array>& gy) {
                  array a = ra.get(), b = rb.get();
                  array grad_a, grad_b;
                  if (a.body()->graph) grad_a = sum_to(batched_matmul(gy[0], swapaxes(b, -1, -2)), a.shape());
                  if (b.body()->graph) grad_b = sum_to(batched_matmul(swapaxes(a, -1, -2), gy[0]), b.shape());
                  return std::vector<array>{grad_a, grad_b};
              });
    return out;
}

// Both operands cast to the dtype a product computes in: their result type, float32 for 16-bit
// floats. Returns the result type.
inline dtype cast_for_product(array& a, array& b) {
    dtype type = result_type({a, b});
    dtype compute = is_half_dtype(type) ? dtype::float32 : type;
    a = astype(a, compute, false);
    b = astype(b, compute, false);
    return type;
}
}  // namespace detail

// NumPy's matmul: stacks of matrices in the last two axes, batch axes broadcast; a 1-D first
// operand is a row vector, a 1-D second operand a column vector, and the added axis is removed from
// the result. 0-d operands are refused (use multiply).
template <class = void>
array matmul(const array& a, const array& b) {
    if (a.ndim() == 0 || b.ndim() == 0)
        throw_error<dimension_error>("matmul: operands must have at least one dimension, got shapes ", a.shape(),
                                     " and ", b.shape(), " (use multiply for scalars)");
    int64_t ka = a.shape().back(), kb = b.ndim() == 1 ? b.shape()[0] : b.shape()[b.ndim() - 2];
    if (ka != kb)
        throw_error<dimension_error>("matmul: mismatch in the contracted dimension: shapes ", a.shape(), " and ",
                                     b.shape(), " (", ka, " != ", kb, ")");
    if (a.ndim() > 2 || b.ndim() > 2)
        broadcast_shapes(detail::leading_shape(a.shape(), std::min(a.ndim(), 2)),
                         detail::leading_shape(b.shape(), std::min(b.ndim(), 2)), "matmul");
    check_same_device("matmul", a, b);
    array a2 = a, b2 = b;
    dtype type = detail::cast_for_product(a2, b2);
    if (a.ndim() == 1) a2 = reshape(a2, {1, ka});
    if (b.ndim() == 1) b2 = reshape(b2, {kb, 1});
    array out = detail::batched_matmul(a2, b2);
    if (a.ndim() == 1 || b.ndim() == 1) {
        shape_t shape = out.shape();
        if (b.ndim() == 1) shape.erase(shape.size() - 1);
        if (a.ndim() == 1) shape.erase(shape.size() - 1 - (b.ndim() == 1 ? 0 : 1));
        out = reshape(out, shape);
    }
    return astype(out, type, false);
}

// NumPy's dot: with a 0-d operand it multiplies; otherwise it sums over the last axis of a and the
// second-to-last of b (the only one when b is 1-D). The result has shape
// a.shape[:-1] + b.shape[:-2] + b.shape[-1:], C-contiguous.
template <class = void>
array dot(const array& a, const array& b) {
    if (a.ndim() == 0 || b.ndim() == 0) return multiply(a, b);
    int64_t K = a.shape().back();
    int b_axis = b.ndim() == 1 ? 0 : b.ndim() - 2;
    if (K != b.shape()[b_axis])
        throw_error<dimension_error>("dot: shapes ", a.shape(), " and ", b.shape(), " not aligned: ", K, " (dim ",
                                     a.ndim() - 1, ") != ", b.shape()[b_axis], " (dim ", b_axis, ")");
    if (a.ndim() <= 2 && b.ndim() <= 2) return matmul(a, b);
    shape_t out_shape = detail::leading_shape(a.shape(), 1);
    for (int i = 0; i < b.ndim(); ++i)
        if (i != b_axis) out_shape.push_back(b.shape()[i]);
    array a2 = a.ndim() == 2 ? a : reshape(a, {detail::leading_shape(a.shape(), 1).product(), K});
    array b2 = b;
    if (b.ndim() > 2) {
        // (..., K, N) -> (K, ..., N) -> (K, prod(...) * N): one matrix product for all of b.
        axes_t perm{b_axis};
        for (int i = 0; i < b.ndim(); ++i)
            if (i != b_axis) perm.push_back(i);
        b2 = reshape(transpose(b, perm), {K, detail::leading_shape(b.shape(), 2).product() * b.shape().back()});
    }
    return reshape(matmul(a2, b2), out_shape);
}

namespace detail {
// Axes of `x` in a new order, followed by a reshape into the given shape.
inline array permute_reshape(const array& x, const axes_t& perm, const shape_t& shape) {
    bool identity = true;
    for (int i = 0; i < perm.size(); ++i) identity = identity && perm[i] == i;
    return reshape(identity ? x : transpose(x, perm), shape);
}

inline int64_t product_of(const shape_t& shape, const axes_t& axes) {
    int64_t p = 1;
    for (int64_t axis : axes) p *= shape[axis];
    return p;
}
}  // namespace detail

// NumPy's tensordot: sums the products over axes_a of a and axes_b of b (pairwise); the result has
// a's other axes, then b's.
template <class = void>
array tensordot(const array& a, const array& b, const axes_t& axes_a, const axes_t& axes_b) {
    if (axes_a.size() != axes_b.size())
        throw_error<dimension_error>("tensordot: the axis lists ", axes_a, " and ", axes_b, " differ in length");
    bool summed_a[max_ndim] = {}, summed_b[max_ndim] = {};
    axes_t sa, sb;
    for (int i = 0; i < axes_a.size(); ++i) {
        int x = normalize_axis(axes_a[i], a.ndim(), "tensordot"), y = normalize_axis(axes_b[i], b.ndim(), "tensordot");
        if (summed_a[x] || summed_b[y])
            throw_error<dimension_error>("tensordot: repeated axis in ", axes_a, " or ", axes_b);
        if (a.shape()[x] != b.shape()[y])
            throw_error<dimension_error>("tensordot: shape-mismatch for sum: axis ", x, " of ", a.shape(), " and axis ",
                                         y, " of ", b.shape());
        summed_a[x] = summed_b[y] = true;
        sa.push_back(x);
        sb.push_back(y);
    }
    axes_t perm_a, perm_b = sb;
    shape_t out_shape;
    for (int i = 0; i < a.ndim(); ++i)
        if (!summed_a[i]) {
            perm_a.push_back(i);
            out_shape.push_back(a.shape()[i]);
        }
    int64_t free_a = out_shape.product(), summed = detail::product_of(a.shape(), sa);
    for (int i = 0; i < a.ndim(); ++i)
        if (summed_a[i]) perm_a.push_back(i);
    shape_t b_free;
    for (int i = 0; i < b.ndim(); ++i)
        if (!summed_b[i]) {
            perm_b.push_back(i);
            out_shape.push_back(b.shape()[i]);
            b_free.push_back(b.shape()[i]);
        }
    array a2 = detail::permute_reshape(a, perm_a, {free_a, summed});
    array b2 = detail::permute_reshape(b, perm_b, {summed, b_free.product()});
    return reshape(matmul(a2, b2), out_shape);
}
// tensordot over the last n axes of a and the first n of b.
template <class = void>
array tensordot(const array& a, const array& b, int64_t n = 2) {
    if (n < 0 || n > a.ndim() || n > b.ndim())
        throw_error<dimension_error>("tensordot: cannot sum over ", n, " axes of arrays of shapes ", a.shape(), " and ",
                                     b.shape());
    axes_t axes_a, axes_b;
    for (int i = 0; i < n; ++i) {
        axes_a.push_back(a.ndim() - n + i);
        axes_b.push_back(i);
    }
    return tensordot(a, b, axes_a, axes_b);
}

}  // namespace chainerx
