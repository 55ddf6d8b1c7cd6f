#pragma once

// Linear algebra.
// - Products: dot, matmul, tensordot, einsum. The one primitive with a kernel of its own is a stack
//   of matrix products (kernels/gemm.hpp) with its backward rule; every other product is written
//   with views (reshape, transpose, diagonal) around it, so all of them differentiate twice. Dtypes
//   follow ChainerX's promotion of the operands; 16-bit floats compute in float32.
// - chainerx::linalg: solve, inv, det, slogdet, cholesky, eigh, eigvalsh, svd, pinv, qr (LAPACK
//   from scipy-openblas32, one matrix at a time over NumPy-style batches) and norm.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "chainerx/autograd/backward.hpp"
#include "chainerx/kernels/gemm.hpp"
#include "chainerx/routines/creation.hpp"
#include "chainerx/routines/creation_basic.hpp"
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
    record_op("matmul", {&a, &b}, {&out}, [a, b](const std::vector<array>& gy) {
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

namespace detail {
// The diagonal along axes p < q of x (equal extents) as a view that drops axis q; its gradient puts
// the incoming gradient back on the diagonal (times an identity mask), so it differentiates again.
inline array diagonal_axes(const array& x, int p, int q) {
    shape_t shape = x.shape();
    strides_t strides = x.strides();
    strides[p] += strides[q];
    shape.erase(q);
    strides.erase(q);
    array out = x.make_view(shape, strides, x.offset());
    shape_t in_shape = x.shape();
    record_op("diagonal", {&x}, {&out}, [p, q, in_shape](const std::vector<array>& gy) {
        shape_t mask_shape(in_shape.size(), 1);
        mask_shape[p] = mask_shape[q] = in_shape[p];
        array mask = reshape(eye(in_shape[p], std::nullopt, 0, gy[0].dtype(), gy[0].get_device()), mask_shape);
        return std::vector<array>{multiply(expand_dims(gy[0], q), mask)};
    });
    return out;
}

// einsum's labels: 'A'-'Z' are 0-25 and 'a'-'z' 26-51 (ASCII order, the order of an implicit
// output), ellipsis axes 52 on, aligned to the right across operands.
constexpr int einsum_letters = 52;

struct einsum_term {
    array value;
    std::vector<int> labels;  // one per axis
};

inline int einsum_letter(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return 26 + (c - 'a');
    throw_error<chainerx_error>("einsum: invalid subscript character '", std::string(1, c), "'");
}

// Labels of one term of the subscripts; `ellipsis_dims` axes stand for '...' (-1: infer from ndim).
inline std::vector<int> einsum_parse_term(std::string_view term, int ndim, int max_ellipsis, bool is_output,
                                          bool& has_ellipsis) {
    std::vector<int> labels;
    int letters = 0;
    has_ellipsis = false;
    for (size_t i = 0; i < term.size(); ++i) {
        if (term[i] == '.') {
            if (has_ellipsis || term.substr(i, 3) != "...")
                throw_error<chainerx_error>("einsum: invalid ellipsis in subscripts '", std::string(term), "'");
            has_ellipsis = true;
            i += 2;
        } else if (term[i] != ' ') {
            einsum_letter(term[i]);
            ++letters;
        }
    }
    int ellipsis_dims = is_output ? max_ellipsis : ndim - letters;
    if (!is_output && (ellipsis_dims < 0 || (!has_ellipsis && ellipsis_dims != 0)))
        throw_error<dimension_error>("einsum: subscripts '", std::string(term), "' do not match an operand of ", ndim,
                                     " dimensions");
    for (size_t i = 0; i < term.size(); ++i) {
        if (term[i] == '.') {
            for (int e = 0; e < ellipsis_dims; ++e) labels.push_back(einsum_letters + max_ellipsis - ellipsis_dims + e);
            i += 2;
        } else if (term[i] != ' ') {
            labels.push_back(einsum_letter(term[i]));
        }
    }
    return labels;
}

// Sums the axes of t whose labels are not in `keep`.
inline void einsum_sum_unneeded(einsum_term& t, const std::vector<bool>& keep) {
    axes_t axes;
    std::vector<int> labels;
    for (int i = 0; i < static_cast<int>(t.labels.size()); ++i) {
        if (keep[t.labels[i]])
            labels.push_back(t.labels[i]);
        else
            axes.push_back(i);
    }
    if (axes.empty()) return;
    t.value = sum(t.value, axes);
    t.labels = labels;
}

inline int index_of(const std::vector<int>& labels, int label) {
    for (int i = 0; i < static_cast<int>(labels.size()); ++i)
        if (labels[i] == label) return i;
    return -1;
}

// a * b summed over the labels they share that `keep` does not need, as one (batched) matmul.
inline einsum_term einsum_contract(einsum_term a, einsum_term b, const std::vector<bool>& keep) {
    // Shared labels that are summed but broadcast (extent 1) in one operand: sum the other alone.
    for (int label : std::vector<int>(a.labels)) {
        int i = index_of(a.labels, label), j = index_of(b.labels, label);
        if (j < 0 || keep[label] || a.value.shape()[i] == b.value.shape()[j]) continue;
        einsum_term& one = a.value.shape()[i] == 1 ? a : b;
        einsum_term& other = a.value.shape()[i] == 1 ? b : a;
        int k = index_of(one.labels, label), l = index_of(other.labels, label);
        one.value = squeeze(one.value, axes_t{k});
        one.labels.erase(one.labels.begin() + k);
        other.value = sum(other.value, axes_t{l});
        other.labels.erase(other.labels.begin() + l);
    }
    std::vector<int> batch, contracted, free_a, free_b;
    for (int label : a.labels) {
        if (index_of(b.labels, label) < 0)
            free_a.push_back(label);
        else if (keep[label])
            batch.push_back(label);
        else
            contracted.push_back(label);
    }
    for (int label : b.labels)
        if (index_of(a.labels, label) < 0) free_b.push_back(label);
    auto arrange = [](const einsum_term& t, std::initializer_list<const std::vector<int>*> groups, shape_t& shape) {
        axes_t perm;
        bool first = true;
        for (const std::vector<int>* group : groups) {
            int64_t extent = 1;
            for (int label : *group) {
                int axis = index_of(t.labels, label);
                perm.push_back(axis);
                if (first)
                    shape.push_back(t.value.shape()[axis]);
                else
                    extent *= t.value.shape()[axis];
            }
            if (!first) shape.push_back(extent);
            first = false;
        }
        return perm;
    };
    shape_t shape_a, shape_b;
    axes_t perm_a = arrange(a, {&batch, &free_a, &contracted}, shape_a);
    axes_t perm_b = arrange(b, {&batch, &contracted, &free_b}, shape_b);
    array product = matmul(permute_reshape(a.value, perm_a, shape_a), permute_reshape(b.value, perm_b, shape_b));
    shape_t out_shape(product.shape().begin(), product.shape().end() - 2);
    einsum_term out{array(), batch};
    for (int label : free_a) {
        out_shape.push_back(a.value.shape()[index_of(a.labels, label)]);
        out.labels.push_back(label);
    }
    for (int label : free_b) {
        out_shape.push_back(b.value.shape()[index_of(b.labels, label)]);
        out.labels.push_back(label);
    }
    out.value = reshape(product, out_shape);
    return out;
}
}  // namespace detail

// NumPy's einsum with explicit ('ij,jk->ik') or implicit ('ij,jk') output, '...' for broadcast
// axes, and repeated labels in one operand for diagonals. Operands are contracted left to right,
// each step one matmul; the result has the operands' result type.
template <class = void>
array einsum(std::string_view subscripts, const std::vector<array>& operands) {
    if (operands.empty()) throw_error<chainerx_error>("einsum: at least one operand is required");
    size_t arrow = subscripts.find("->");
    std::string_view inputs = subscripts.substr(0, arrow);
    std::vector<std::string_view> terms;
    for (size_t start = 0;;) {
        size_t comma = inputs.find(',', start);
        terms.push_back(inputs.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    if (terms.size() != operands.size())
        throw_error<chainerx_error>("einsum: ", terms.size(), " subscript terms for ", operands.size(), " operands");
    for (const array& x : operands) check_same_device("einsum", operands[0], x);
    // Ellipsis axes: as many as the operand with the most.
    int max_ellipsis = 0;
    for (size_t n = 0; n < terms.size(); ++n) {
        bool has_ellipsis;
        std::vector<int> labels = detail::einsum_parse_term(terms[n], operands[n].ndim(), 0, false, has_ellipsis);
        if (has_ellipsis) {
            int letters = 0;
            for (char c : terms[n]) letters += c != '.' && c != ' ';
            max_ellipsis = std::max(max_ellipsis, operands[n].ndim() - letters);
        }
    }
    int num_labels = detail::einsum_letters + max_ellipsis;
    std::vector<detail::einsum_term> items;
    std::vector<int> count(num_labels, 0);
    std::vector<int64_t> extent(num_labels, 1);
    for (size_t n = 0; n < terms.size(); ++n) {
        bool has_ellipsis;
        std::vector<int> labels =
            detail::einsum_parse_term(terms[n], operands[n].ndim(), max_ellipsis, false, has_ellipsis);
        for (int i = 0; i < static_cast<int>(labels.size()); ++i) {
            int64_t d = operands[n].shape()[i];
            int label = labels[i];
            if (count[label] > 0 && d != extent[label] && d != 1 && extent[label] != 1)
                throw_error<dimension_error>("einsum: operand ", n, " has extent ", d, " for a subscript of extent ",
                                             extent[label]);
            if (count[label] == 0 || extent[label] == 1) extent[label] = d;
            ++count[label];
        }
        items.push_back({operands[n], labels});
    }
    std::vector<int> output;
    if (arrow != std::string_view::npos) {
        bool has_ellipsis;
        output = detail::einsum_parse_term(subscripts.substr(arrow + 2), 0, max_ellipsis, true, has_ellipsis);
        if (!has_ellipsis && max_ellipsis > 0)  // as NumPy: broadcast axes are never summed implicitly
            throw_error<dimension_error>("einsum: operands have broadcast ('...') axes but the output subscripts '",
                                         std::string(subscripts.substr(arrow + 2)), "' have no ellipsis");
        std::vector<bool> seen(num_labels, false);
        for (int label : output) {
            if (seen[label])
                throw_error<chainerx_error>("einsum: output subscript repeated in '", std::string(subscripts), "'");
            if (count[label] == 0)
                throw_error<chainerx_error>("einsum: output subscript not in the inputs of '", std::string(subscripts),
                                            "'");
            seen[label] = true;
        }
    } else {
        for (int label = detail::einsum_letters; label < num_labels; ++label) output.push_back(label);
        for (int label = 0; label < detail::einsum_letters; ++label)
            if (count[label] == 1) output.push_back(label);
    }
    dtype type = operands[0].dtype();
    for (const array& x : operands) type = promote_types(type, x.dtype());

    // Diagonals of repeated labels within an operand.
    for (detail::einsum_term& t : items) {
        for (int p = 0; p < static_cast<int>(t.labels.size()); ++p)
            for (int q = static_cast<int>(t.labels.size()) - 1; q > p; --q) {
                if (t.labels[q] != t.labels[p]) continue;
                if (t.value.shape()[p] != t.value.shape()[q])
                    throw_error<dimension_error>("einsum: repeated subscript with extents ", t.value.shape()[p],
                                                 " and ", t.value.shape()[q]);
                t.value = detail::diagonal_axes(t.value, p, q);
                t.labels.erase(t.labels.begin() + q);
            }
    }
    // Left to right: sum what no later term needs, then contract with the next term.
    std::vector<bool> in_output(num_labels, false);
    for (int label : output) in_output[label] = true;
    auto needed_after = [&](size_t n) {
        std::vector<bool> keep = in_output;
        for (size_t m = n; m < items.size(); ++m)
            for (int label : items[m].labels) keep[label] = true;
        return keep;
    };
    detail::einsum_term acc = items[0];
    detail::einsum_sum_unneeded(acc, needed_after(1));
    for (size_t n = 1; n < items.size(); ++n) {
        std::vector<bool> keep = needed_after(n + 1);
        detail::einsum_sum_unneeded(items[n], [&] {
            std::vector<bool> k = keep;
            for (int label : acc.labels) k[label] = true;
            return k;
        }());
        acc = detail::einsum_contract(acc, items[n], keep);
        detail::einsum_sum_unneeded(acc, keep);
    }
    // Broadcast extents of 1 that the output keeps (an ellipsis axis broadcast in every operand).
    axes_t perm;
    for (int label : output) perm.push_back(detail::index_of(acc.labels, label));
    array result = transpose(acc.value, perm);
    shape_t out_shape;
    for (int label : output) out_shape.push_back(extent[label]);
    if (!(result.shape() == out_shape)) result = broadcast_to(result, out_shape);
    return astype(result, type, false);
}

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
    record_op("solve", {&a, &b}, {&out}, [a, b, vector_b](const std::vector<array>& gy) {
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
    record_op("inv", {&a}, {&out}, [a](const std::vector<array>& gy) {
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
    record_op("det", {&a}, {&out}, [a](const std::vector<array>& gy) {
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
    record_op("slogdet", {&a}, {&logabsdet}, [a](const std::vector<array>& gy) {
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
    record_op("cholesky", {&a}, {&out}, [a](const std::vector<array>& gy) {
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
    record_op("eigh", {&a}, {&w, &v}, [a, uplo](const std::vector<array>& g) {
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
    auto backward = [a, reduced](const std::vector<array>& g) {
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
    auto backward = [a, differentiable, mode_copy](const std::vector<array>& g) {
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
