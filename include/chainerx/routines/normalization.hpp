#pragma once

// Normalization: batch_norm (which also updates running statistics), fixed_batch_norm and
// layer_norm. Each is composed of reductions and elementwise routines, so its gradient (and the
// gradient of that) comes from the graph. Inputs are float arrays; 16-bit floats compute in float32
// and the result has x's dtype.
#include <algorithm>
#include <optional>

#include "chainerx/routines/math.hpp"
#include "chainerx/routines/reduction.hpp"

namespace chainerx {
namespace detail {

inline void check_float_input(const char* op, const char* name, const array& a) {
    if (!a.defined()) throw_error<chainerx_error>(op, ": ", name, " is required");
    if (!is_float(a.dtype())) throw_error<dtype_error>(op, ": ", name, " must be of a float dtype, got ", a.dtype());
}

// The dtype normalization computes in: the parameters' common float type, at least float32.
inline dtype normalization_compute_type(const array& x, const array& gamma, const array& beta) {
    dtype d = promote_types(promote_types(x.dtype(), gamma.dtype()), beta.dtype());
    return itemsize_of(d) < 4 ? dtype::float32 : d;
}

// Sorted, distinct reduction axes. The default is Chainer's: the batch axis and the axes after
// those gamma covers, (0, 2, 3, ...) for a 1-D gamma (ChainerX's {0} when gamma has x.shape[1:]).
inline axes_t batch_norm_axes(const array& x, const std::optional<axes_t>& axis, const char* op, int gamma_ndim) {
    if (x.ndim() == 0) throw_error<dimension_error>(op, ": x must have at least one dimension");
    if (!axis) {
        axes_t axes{0};
        for (int i = 1 + gamma_ndim; i < x.ndim(); ++i) axes.push_back(i);
        return axes;
    }
    bool seen[max_ndim] = {};
    for (int64_t ax : *axis) {
        int i = normalize_axis(ax, x.ndim(), op);
        if (seen[i]) throw_error<dimension_error>(op, ": duplicate value in axis: ", *axis);
        seen[i] = true;
    }
    axes_t sorted;
    for (int i = 0; i < x.ndim(); ++i)
        if (seen[i]) sorted.push_back(i);
    return sorted;
}

// x's shape with the reduced axes set to 1: the shape the parameters are viewed in.
inline shape_t reduced_keepdims_shape(const array& x, const axes_t& axes) {
    shape_t shape = x.shape();
    for (int64_t ax : axes) shape[static_cast<int>(ax)] = 1;
    return shape;
}

// A parameter (gamma, beta, mean, var) checked against the reduced size and viewed in `shape`
// (ChainerX accepts any shape of the right size).
inline array parameter_view(const char* op, const char* name, const array& p, const shape_t& shape, dtype compute) {
    check_float_input(op, name, p);
    if (p.size() != shape.product())
        throw_error<dimension_error>(op, ": ", name, " must have the same size as the reduced input (", shape.product(),
                                     " elements, shape ", shape, "), got shape ", p.shape());
    return astype(reshape(p, shape), compute, false);
}

inline void check_devices(const char* op, const array& x, std::initializer_list<const array*> others) {
    for (const array* a : others) check_same_device(op, x, *a);
}

// The checks and parameter views batch_norm and fixed_batch_norm share: the reduced axes, the
// keepdims shape the parameters take, the compute dtype, and gamma and beta in that shape and dtype.
struct batch_norm_setup {
    axes_t axes;
    shape_t kept;
    dtype compute;
    array gamma, beta;
};
inline batch_norm_setup prepare_batch_norm(const char* op, const array& x, const array& gamma, const array& beta,
                                           const std::optional<axes_t>& axis) {
    check_float_input(op, "x", x);
    check_float_input(op, "gamma", gamma);
    check_float_input(op, "beta", beta);
    axes_t axes = batch_norm_axes(x, axis, op, gamma.ndim());
    shape_t kept = reduced_keepdims_shape(x, axes);
    dtype compute = normalization_compute_type(x, gamma, beta);
    return {axes, kept, compute, parameter_view(op, "gamma", gamma, kept, compute),
            parameter_view(op, "beta", beta, kept, compute)};
}

// The centered input and 1 / sqrt(var + eps) over `axes` (keepdims), recorded; the mean and the
// biased variance are returned too, for the running statistics.
struct normalized_stats {
    array centered;
    array inv_std;
    array mean;
    array var;
};
inline normalized_stats normalize_stats(const array& x, const axes_t& axes, double eps) {
    normalized_stats s;
    s.mean = mean(x, axes, true);
    s.centered = subtract(x, s.mean);
    s.var = mean(square(s.centered), axes, true);
    s.inv_std = true_divide(1, sqrt(add(s.var, eps)));
    return s;
}
}  // namespace detail

// Batch normalization over `axis` (default: (0,) + (1 + gamma.ndim, ..., x.ndim - 1), Chainer's
// rule: (0, 2, 3, ...) for images and a per-channel gamma). gamma and beta have the size of x
// reduced over `axis` (any shape of that size). running_mean and
// running_var (when given) are updated in place with the batch mean and the unbiased batch
// variance: r = decay * r + (1 - decay) * statistic.
template <class = void>
array batch_norm(const array& x, const array& gamma, const array& beta, const array& running_mean,
                 const array& running_var, double eps = 2e-5, double decay = 0.9,
                 const std::optional<axes_t>& axis = std::nullopt) {
    const char* op = "batch_norm";
    auto [axes, kept, compute, g, b] = detail::prepare_batch_norm(op, x, gamma, beta, axis);
    for (const array* r : {&running_mean, &running_var}) {
        if (!r->defined()) continue;
        detail::parameter_view(op, r == &running_mean ? "running_mean" : "running_var", *r, kept, compute);
        check_writable(*r, op);
        detail::check_devices(op, x, {r});
    }
    detail::check_devices(op, x, {&gamma, &beta});

    detail::normalized_stats s = detail::normalize_stats(astype(x, compute, false), axes, eps);
    array y = astype(add(multiply(s.centered, multiply(g, s.inv_std)), b), x.dtype(), false);

    if (running_mean.defined() || running_var.defined()) {
        no_backprop_mode no_record(x.get_device().get_context());
        int64_t n = kept.product() > 0 ? x.size() / kept.product() : 0;
        double adjust = static_cast<double>(n) / static_cast<double>(std::max<int64_t>(n - 1, 1));
        auto update = [&](const array& r, const array& statistic, double factor) {
            if (!r.defined()) return;
            array target = as_grad_stopped(r);
            array current = reshape(target, kept);
            array updated = add(multiply(current, decay), multiply(as_grad_stopped(statistic), (1 - decay) * factor));
            copy_into(target, reshape(updated, target.shape()));
        };
        update(running_mean, s.mean, 1.0);
        update(running_var, s.var, adjust);
    }
    return y;
}

// Normalization with given statistics: (x - mean) / sqrt(var + eps) * gamma + beta, with the
// parameters' shapes as in batch_norm. Differentiable in every input.
template <class = void>
array fixed_batch_norm(const array& x, const array& gamma, const array& beta, const array& mean, const array& var,
                       double eps = 2e-5, const std::optional<axes_t>& axis = std::nullopt) {
    const char* op = "fixed_batch_norm";
    auto [axes, kept, compute, g, b] = detail::prepare_batch_norm(op, x, gamma, beta, axis);
    array m = detail::parameter_view(op, "mean", mean, kept, compute);
    array v = detail::parameter_view(op, "var", var, kept, compute);
    detail::check_devices(op, x, {&gamma, &beta, &mean, &var});
    // y = x * scale + (beta - mean * scale): two passes over x.
    array scale = true_divide(g, sqrt(add(v, eps)));
    array shift = subtract(b, multiply(m, scale));
    return astype(add(multiply(astype(x, compute, false), scale), shift), x.dtype(), false);
}

// Layer normalization over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta, with gamma
// and beta of shape (x.shape[-1],). (Beyond ChainerX, which has no layer norm.)
template <class = void>
array layer_norm(const array& x, const array& gamma, const array& beta, double eps = 1e-5) {
    const char* op = "layer_norm";
    detail::check_float_input(op, "x", x);
    detail::check_float_input(op, "gamma", gamma);
    detail::check_float_input(op, "beta", beta);
    if (x.ndim() == 0) throw_error<dimension_error>(op, ": x must have at least one dimension");
    int64_t features = x.shape().back();
    for (const array* p : {&gamma, &beta})
        if (!(p->shape() == shape_t{features}))
            throw_error<dimension_error>(op, ": ", p == &gamma ? "gamma" : "beta", " must have shape (", features,
                                         ",), got ", p->shape());
    detail::check_devices(op, x, {&gamma, &beta});
    dtype compute = detail::normalization_compute_type(x, gamma, beta);
    detail::normalized_stats s = detail::normalize_stats(astype(x, compute, false), axes_t{x.ndim() - 1}, eps);
    array g = astype(gamma, compute, false), b = astype(beta, compute, false);
    return astype(add(multiply(multiply(s.centered, s.inv_std), g), b), x.dtype(), false);
}

}  // namespace chainerx
