#pragma once

// einsum, written with views (reshape, transpose, diagonal), sums and matmul (routines/products.hpp)
// around them, so it differentiates twice.
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

}  // namespace chainerx
