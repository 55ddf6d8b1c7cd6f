#pragma once

// Losses (unreduced, as ChainerX's: elementwise or per sample) and accuracy. Losses are written with
// differentiable routines, so their gradients differentiate again; accuracy records nothing.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>

#include "chainerx/routines/activation.hpp"
#include "chainerx/routines/creation.hpp"

namespace chainerx {

namespace detail {
inline void check_integer_labels(const array& t, const char* name, const char* arg) {
    if (!is_integral(t.dtype()))
        throw_error<dtype_error>(name, ": ", arg, " must be of an integer dtype, got ", t.dtype());
}
// x of shape (N, K) and t of shape (N,): ChainerX's rule for softmax_cross_entropy and hinge.
inline void check_classification(const array& x, const array& t, const char* name) {
    if (x.ndim() != 2) throw_error<dimension_error>(name, ": input array must be 2-dimensional, got shape ", x.shape());
    if (t.ndim() != 1)
        throw_error<dimension_error>(name, ": target array must be 1-dimensional, got shape ", t.shape());
    if (x.shape()[0] != t.shape()[0])
        throw_error<dimension_error>(name, ": x.shape[0] must be equal to t.shape[0], got shapes ", x.shape(), " and ",
                                     t.shape());
    check_integer_labels(t, name, "t");
}
// mask[i, j] = (t[i] == j) for x of shape (N, K).
inline array one_hot_mask(const array& x, const array& t) {
    array classes = arange(0, x.shape()[1], 1, t.dtype(), t.get_device());
    return equal(reshape(t, {t.shape()[0], 1}), classes);
}
}  // namespace detail

template <class = void>
array absolute_error(const array& x1, const array& x2) {
    return absolute(subtract(x1, x2));
}

template <class = void>
array squared_error(const array& x1, const array& x2) {
    return square(subtract(x1, x2));
}

// (mean^2 + exp(ln_var) - ln_var - 1) / 2: the KL divergence of N(mean, var) from N(0, 1), elementwise.
template <class = void>
array gaussian_kl_divergence(const array& mean, const array& ln_var) {
    return multiply(subtract(subtract(add(square(mean), exp(ln_var)), ln_var), 1), 0.5);
}

// 0.5 a^2 where |a| < delta, else delta (|a| - delta / 2), with a = x1 - x2.
template <class = void>
array huber_loss(const array& x1, const array& x2, double delta) {
    array a = subtract(x1, x2);
    array abs_a = absolute(a);
    return where(less(abs_a, delta), multiply(square(a), 0.5), multiply(subtract(abs_a, 0.5 * delta), delta));
}

// -(t (x - [x >= 0]) ... ): the numerically stable sigmoid cross entropy of logits x and binary
// labels t, elementwise; labels equal to -1 are ignored (loss 0).
template <class = void>
array sigmoid_cross_entropy(const array& x1, const array& x2) {
    const char* name = "sigmoid_cross_entropy";
    if (!(x1.shape() == x2.shape()))
        throw_error<dimension_error>(name, ": input shapes do not match: x1: ", x1.shape(), ", x2: ", x2.shape());
    detail::check_integer_labels(x2, name, "x2");
    array x = detail::float_input(x1);
    array positive = astype(greater_equal(as_grad_stopped(x), 0), x.dtype(), false);
    array t = astype(x2, x.dtype(), false);
    array loss = subtract(log1p(exp(negative(absolute(x)))), multiply(x, subtract(t, positive)));
    if (kind_of(x2.dtype()) == dtype_kind::uint_) return loss;  // no -1 label to ignore
    return where(not_equal(x2, -1), loss, 0);
}

namespace detail {

// softmax_cross_entropy from differentiable routines (ChainerX's formulation): for other devices,
// and the gradient when it is itself recorded.
template <class = void>
array softmax_cross_entropy_composed(const array& x, const array& t) {
    array score = log_softmax(x, axes_t{1});
    return negative(sum(where(one_hot_mask(x, t), score, 0), axes_t{1}));
}

// The native kernels: a pass over each row of a C-contiguous (N, K) x computing its log-sum-exp and
// the loss, and a pass computing the gradient gy[i] (softmax(x)[i, j] - [j == t[i]]).
struct softmax_cross_entropy_rows {
    array x;    // C-contiguous, float, no graph
    array t;    // C-contiguous int64
    array lse;  // float64 (N,), filled by forward()
    int64_t n, k;

    array forward() {
        array loss = empty({n}, x.dtype(), x.get_device());
        lse = empty({n}, dtype::float64, x.get_device());
        run(loss);
        return loss;
    }
    array backward(const array& gy) const {
        array gx = empty({n, k}, x.dtype(), x.get_device());
        const char* g = static_cast<const char*>(gy.raw_data());
        int64_t g_stride = gy.strides()[0];
        dispatch_float([&]<class T, class C>() {
            const T* xp = static_cast<const T*>(x.raw_data());
            const int64_t* tp = static_cast<const int64_t*>(t.raw_data());
            const double* lp = static_cast<const double*>(lse.raw_data());
            T* out = static_cast<T*>(gx.raw_data());
            rows([&](int64_t i) {
                C scale = static_cast<C>(*reinterpret_cast<const T*>(g + i * g_stride)), l = static_cast<C>(lp[i]);
                const T* row = xp + i * k;
                T* out_row = out + i * k;
                for (int64_t j = 0; j < k; ++j) out_row[j] = T(scale * std::exp(static_cast<C>(row[j]) - l));
                int64_t label = tp[i];
                if (label >= 0 && label < k) out_row[label] = T(static_cast<C>(out_row[label]) - scale);
            });
        });
        return gx;
    }

  private:
    // Calls f.template operator()<T, C>() for x's float type T and its compute type C.
    template <class F>
    void dispatch_float(F&& f) const {
        dispatch_dtype(x.dtype(), [&]<class T>() {
            if constexpr (is_float_v<T>) f.template operator()<T, ops::compute_t<T>>();
        });
    }
    template <class Row>
    void rows(Row&& row) const {
        int64_t cost = 8 * std::max<int64_t>(k, 1);
        long_running_scope unlock(n * cost);
        parallel_for(n, std::max<int64_t>(parallel_threshold / cost, 1), [&](int64_t b, int64_t e) {
            for (int64_t i = b; i < e; ++i) row(i);
        });
    }
    void run(const array& loss) {
        dispatch_float([&]<class T, class C>() {
            const T* xp = static_cast<const T*>(x.raw_data());
            const int64_t* tp = static_cast<const int64_t*>(t.raw_data());
            double* lp = static_cast<double*>(lse.raw_data());
            T* out = static_cast<T*>(loss.raw_data());
            rows([&](int64_t i) {
                const T* row = xp + i * k;
                C m = -std::numeric_limits<C>::infinity();
                for (int64_t j = 0; j < k; ++j) {
                    C v = static_cast<C>(row[j]);
                    m = (v > m || v != v) ? v : m;  // nan propagates
                }
                m = ops::finite_or_zero(m);
                C total = 0;
                for (int64_t j = 0; j < k; ++j) total += std::exp(static_cast<C>(row[j]) - m);
                C l = std::log(total) + m;
                lp[i] = static_cast<double>(l);
                int64_t label = tp[i];
                out[i] = T(label >= 0 && label < k ? l - static_cast<C>(row[label]) : C(0));
            });
        });
    }
};

}  // namespace detail

// Per-sample -log softmax(x)[i, t[i]] for x of shape (N, K) and integer labels t of shape (N,);
// labels outside [0, K) give 0 (as ChainerX's mask does). One pass over x on native devices; its
// gradient is one pass too unless it is itself differentiated.
template <class = void>
array softmax_cross_entropy(const array& x1, const array& x2) {
    detail::check_classification(x1, x2, "softmax_cross_entropy");
    array x = detail::float_input(x1);
    int64_t n = x.shape()[0], k = x.shape()[1];
    if (!x.get_device().is_host() || &x2.get_device() != &x.get_device())
        return detail::softmax_cross_entropy_composed(x, x2);
    if (k == 0 && n > 0)
        throw_error<dimension_error>("softmax_cross_entropy: x has no classes (shape ", x.shape(), ")");
    auto rows = std::make_shared<detail::softmax_cross_entropy_rows>(detail::softmax_cross_entropy_rows{
        ascontiguousarray(as_grad_stopped(x)), ascontiguousarray(cast_array(x2, dtype::int64, false)), array(), n, k});
    array loss = rows->forward();
    if (x.body()->graph) {
        array labels = as_grad_stopped(x2);
        record_op("softmax_cross_entropy", {&x}, {&loss},
                  [rx = retained_array(x), labels, rows](const std::vector<array>& gy) {
                      array x = rx.get();
                      const array& g = gy[0];
                      if (!is_backprop_required_any(x) && !is_backprop_required_any(g))
                          return std::vector<array>{rows->backward(g)};
                      // Recorded (double backprop): (softmax(x) - one_hot(t)) gy[:, None] from differentiable routines.
                      array one_hot = astype(detail::one_hot_mask(x, labels), x.dtype(), false);
                      array probabilities = softmax(x, axes_t{1});
                      return std::vector<array>{multiply(subtract(probabilities, one_hot), reshape(g, {rows->n, 1}))};
                  });
    }
    return loss;
}

// max(0, 1 - x) at the true class and max(0, 1 + x) elsewhere, to the power norm; shape (N, K).
template <class = void>
array hinge(const array& x, const array& t, double norm = 1.0) {
    detail::check_classification(x, t, "hinge");
    array xf = detail::float_input(x);
    array margin = maximum(0, where(detail::one_hot_mask(xf, t), subtract(1, xf), add(xf, 1)));
    return norm == 1.0 ? margin : power(margin, norm);
}

// The fraction of samples whose argmax over axis 1 of y equals t (a 0-d array of y's dtype);
// samples labelled ignore_label are left out. Not differentiable.
template <class = void>
array accuracy(const array& y_in, const array& t_in, std::optional<int64_t> ignore_label = std::nullopt) {
    const char* name = "accuracy";
    if (!is_float(y_in.dtype())) throw_error<dtype_error>(name, ": y must be of a float dtype, got ", y_in.dtype());
    detail::check_integer_labels(t_in, name, "t");
    if (y_in.ndim() < 2)
        throw_error<dimension_error>(name, ": y must have at least 2 dimensions, got shape ", y_in.shape());
    if (t_in.ndim() < 1 || y_in.shape()[0] != t_in.shape()[0])
        throw_error<dimension_error>(name, ": y.shape[0] must be equal to t.shape[0], got shapes ", y_in.shape(),
                                     " and ", t_in.shape());
    if (y_in.shape()[1] == 0 && y_in.size() == 0 && t_in.size() != 0)
        throw_error<dimension_error>(name, ": y has no classes (shape ", y_in.shape(), ")");
    int64_t predictions = y_in.shape()[1] == 0 ? 0 : y_in.size() / y_in.shape()[1];
    if (predictions != t_in.size())
        throw_error<dimension_error>(name, ": y of shape ", y_in.shape(), " does not match t of shape ", t_in.shape());
    array y = as_grad_stopped(y_in), t = as_grad_stopped(t_in);
    dtype type = y.dtype();
    if (t.size() == 0) return full({}, std::nan(""), type, y.get_device());
    array pred = reshape(argmax(y, 1), t.shape());
    if (!ignore_label) return astype(mean(equal(pred, t)), type);
    array ignored = equal(t, *ignore_label);
    int64_t ignore_count = 0, correct = 0;
    auto host_int = [](const array& a) {
        int64_t v;
        a.get_device().copy_to_host(&v, a.raw_data(), sizeof v);
        return v;
    };
    ignore_count = host_int(sum(ignored));
    correct = host_int(sum(logical_and(equal(pred, t), logical_not(ignored))));
    int64_t total = t.size() - ignore_count;
    if (total == 0) return zeros({}, type, y.get_device());
    return full({}, static_cast<double>(correct) / static_cast<double>(total), type, y.get_device());
}

}  // namespace chainerx
