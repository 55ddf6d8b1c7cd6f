#pragma once

// Activations (relu, sigmoid, leaky_relu, elu, clipped_relu, crelu, softplus, gelu, silu) and the
// softmax family (logsumexp, softmax, log_softmax), with ChainerX's signatures and defaults.
// Integer and bool inputs compute in float32 (ChainerX's math result dtype). Each forward is one
// fused elementwise pass; the gradients of the piecewise-linear activations are one fused pass too
// (they are on every training step). Backward rules are written with differentiable routines. Where
// a rule needs the op's own output, it uses the stored output in a plain backward and recomputes it
// from the input when the backward itself is being recorded (double backprop): an op cannot keep its
// graph-connected output without a reference cycle.
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "chainerx/routines/joining.hpp"
#include "chainerx/routines/math.hpp"
#include "chainerx/routines/reduction.hpp"

namespace chainerx {
namespace ops {

// Selects here pick between a value and a constant, or comparisons become 0/1 factors, and the
// arithmetic comes after them: the compiler may not speculate a floating-point operation out of a
// conditional arm (it could trap), so an arm with arithmetic in it stays a branch (mispredicted half
// the time on activations of either sign) and blocks vectorization.

struct relu {
    template <float_type T>
    CHAINERX_HOST_DEVICE T operator()(T a) const {
        using C = compute_t<T>;
        return static_cast<C>(a) <= C(0) ? T(0) : a;  // nan propagates
    }
};
struct leaky_relu {
    double slope;
    template <float_type T>
    CHAINERX_HOST_DEVICE T operator()(T a) const {
        using C = compute_t<T>;
        C x = static_cast<C>(a);
        C positive = x <= C(0) ? C(0) : x, negative = x >= C(0) ? C(0) : x;  // nan in both
        return T(positive + static_cast<C>(slope) * negative);
    }
};
struct clipped_relu {
    double z;
    template <float_type T>
    CHAINERX_HOST_DEVICE T operator()(T a) const {
        using C = compute_t<T>;
        C x = static_cast<C>(a), top = static_cast<C>(z);
        C r = x > top ? top : x;
        return T(r <= C(0) ? C(0) : r);  // nan propagates
    }
};
struct elu {
    static constexpr int64_t cost = 8;
    double alpha;
    template <float_type T>
    CHAINERX_HOST_DEVICE T operator()(T a) const {
        using C = compute_t<T>;
        C x = static_cast<C>(a), negative_part = static_cast<C>(alpha) * std::expm1(x);
        return T(x > C(0) ? x : negative_part);
    }
};
// 1 / (1 + exp(-x)), branch-free: for very negative x exp(-x) overflows to inf and the result is 0,
// where the true value is below the smallest normal number anyway.
template <class C>
CHAINERX_HOST_DEVICE CHAINERX_ALWAYS_INLINE C sigmoid_value(C x) {
    return C(1) / (C(1) + std::exp(-x));
}
struct sigmoid {
    static constexpr int64_t cost = 8;
    template <float_type T>
    CHAINERX_HOST_DEVICE T operator()(T a) const {
        return T(sigmoid_value(static_cast<compute_t<T>>(a)));
    }
};
// (max(bx, 0) + log1p(exp(-|bx|))) / b with b = beta.
struct softplus {
    static constexpr int64_t cost = 16;
    double beta;
    template <float_type T>
    CHAINERX_HOST_DEVICE T operator()(T a) const {
        using C = compute_t<T>;
        C b = static_cast<C>(beta), bx = b * static_cast<C>(a);
        return T(((bx > C(0) ? bx : C(0)) + std::log1p(std::exp(-std::fabs(bx)))) / b);
    }
};
// x * Phi(x), Phi the standard normal CDF (the exact GELU).
struct gelu {
    static constexpr int64_t cost = 8;
    template <float_type T>
    CHAINERX_HOST_DEVICE T operator()(T a) const {
        using C = compute_t<T>;
        C x = static_cast<C>(a);
        return T(C(0.5) * x * (C(1) + std::erf(x * C(0.70710678118654752440))));
    }
};
struct silu {
    static constexpr int64_t cost = 8;
    template <float_type T>
    CHAINERX_HOST_DEVICE T operator()(T a) const {
        using C = compute_t<T>;
        C x = static_cast<C>(a);
        return T(x * sigmoid_value(x));
    }
};

// Gradient of a piecewise-linear activation: gy where lo < x < hi, gy * slope where x <= lo, 0 where
// x >= hi. relu: (0, inf, 0); leaky_relu: (0, inf, slope); clipped_relu: (0, z, 0).
struct piecewise_linear_grad {
    double lo, hi, slope;
    template <float_type T>
    CHAINERX_HOST_DEVICE T operator()(T x_, T gy_) const {
        using C = compute_t<T>;
        C x = static_cast<C>(x_);
        C above = static_cast<C>(x > static_cast<C>(lo)), below_hi = static_cast<C>(x < static_cast<C>(hi));
        return T(static_cast<C>(gy_) * (above * below_hi + (C(1) - above) * static_cast<C>(slope)));
    }
};
// gy * s * (1 - s): the gradient of the sigmoid s.
struct sigmoid_grad {
    template <float_type T>
    CHAINERX_HOST_DEVICE T operator()(T s_, T gy_) const {
        using C = compute_t<T>;
        C s = static_cast<C>(s_);
        return T(static_cast<C>(gy_) * s * (C(1) - s));
    }
};

// exp(x - m) and log(s) + m for the softmax family, with a non-finite maximum m taken as 0 (so that
// rows of -inf or +inf give -inf/nan/inf as the math says instead of inf - inf).
template <class C>
CHAINERX_HOST_DEVICE CHAINERX_ALWAYS_INLINE C finite_or_zero(C m) {
    return m - m == C(0) ? m : C(0);
}
struct exp_shifted {
    static constexpr int64_t cost = 8;
    template <float_type T>
    CHAINERX_HOST_DEVICE T operator()(T x, T m) const {
        using C = compute_t<T>;
        return T(std::exp(static_cast<C>(x) - finite_or_zero(static_cast<C>(m))));
    }
};
struct log_shifted {
    static constexpr int64_t cost = 8;
    template <float_type T>
    CHAINERX_HOST_DEVICE T operator()(T s, T m) const {
        using C = compute_t<T>;
        return T(std::log(static_cast<C>(s)) + finite_or_zero(static_cast<C>(m)));
    }
};

}  // namespace ops

namespace detail {

// The input cast to its float compute dtype (differentiable: gradients are cast back).
inline array float_input(const array& x) { return astype(x, float_result_type(x.dtype()), false); }

// Applies a fused activation op; the input is cast to its float dtype by the kernel front end.
template <class Op>
array activation_forward(const char* name, const Op& op, const array& x) {
    return apply_unary(name, op, float_result_type(x.dtype()), x);
}

// Records y = f(x) with gx = backward(x, gy) (x is graph-connected and float here).
template <class Backward>
void record_activation(const char* name, const array& x, const array& y, Backward backward) {
    if (!x.body()->graph || !is_float(x.dtype())) return;
    record_op(name, {&x}, {&y}, [input = retained_array(x), backward](const std::vector<array>& gy) {
        return std::vector<array>{backward(input.get(), gy[0])};
    });
}

// The piecewise-linear gradient gy * slope(x); linear in gy, so its own gradient (for gy) is the same
// op applied to the incoming gradient, and x is a constant of it.
inline array piecewise_linear_grad(const array& x, const array& gy, double lo, double hi, double slope) {
    array gx = apply_binary("piecewise_linear_grad", ops::piecewise_linear_grad{lo, hi, slope}, gy.dtype(), x, gy);
    if (gy.body()->graph) {
        array mask_source = as_grad_stopped(x);
        record_op("piecewise_linear_grad", {&gy}, {&gx}, [mask_source, lo, hi, slope](const std::vector<array>& g) {
            return std::vector<array>{piecewise_linear_grad(mask_source, g[0], lo, hi, slope)};
        });
    }
    return gx;
}

template <class = void>
array piecewise_linear_activation(const char* name, const array& x, double lo, double hi, double slope,
                                  const auto& op) {
    array y = activation_forward(name, op, x);
    record_activation(name, x, y, [lo, hi, slope](const array& input, const array& gy) {
        return piecewise_linear_grad(as_grad_stopped(input), gy, lo, hi, slope);
    });
    return y;
}

// The output of an op for its backward rule: the stored (grad-stopped) output in a plain backward,
// the output recomputed from the graph-connected input when the backward is recorded.
template <class Recompute>
array retained_output(const array& input, const array& stored, Recompute recompute) {
    return is_backprop_required_any(input) ? recompute(input) : stored;
}

}  // namespace detail

template <class = void>
array relu(const array& x) {
    return detail::piecewise_linear_activation("relu", x, 0.0, std::numeric_limits<double>::infinity(), 0.0,
                                               ops::relu{});
}

template <class = void>
array leaky_relu(const array& x, double slope = 0.2) {
    return detail::piecewise_linear_activation("leaky_relu", x, 0.0, std::numeric_limits<double>::infinity(), slope,
                                               ops::leaky_relu{slope});
}

template <class = void>
array clipped_relu(const array& x, double z = 20.0) {
    return detail::piecewise_linear_activation("clipped_relu", x, 0.0, z, 0.0, ops::clipped_relu{z});
}

// relu of x and -x concatenated along the axis (twice the axis' extent).
template <class = void>
array crelu(const array& x, int64_t axis = 1) {
    array xf = detail::float_input(x);
    normalize_axis(axis, xf.ndim(), "crelu");
    return relu(concatenate({xf, negative(xf)}, axis));
}

// The sigmoid's gradient gy * s * (1 - s), differentiable in both s and gy.
template <class = void>
array sigmoid_grad(const array& s, const array& gy) {
    array gx = apply_binary("sigmoid_grad", ops::sigmoid_grad{}, gy.dtype(), s, gy);
    if (s.body()->graph || gy.body()->graph) {
        record_op("sigmoid_grad", {&s, &gy}, {&gx},
                  [rs = retained_array(s), rgy = retained_array(gy)](const std::vector<array>& g) {
                      array s_kept = rs.get(), gy_kept = rgy.get();
                      // d/ds = g * gy * (1 - 2 s); d/dgy = g * s * (1 - s).
                      array gs = multiply(multiply(g[0], gy_kept), subtract(1, multiply(s_kept, 2)));
                      return std::vector<array>{gs, sigmoid_grad(s_kept, g[0])};
                  });
    }
    return gx;
}

template <class = void>
array sigmoid(const array& x) {
    array y = detail::activation_forward("sigmoid", ops::sigmoid{}, x);
    array stored = as_grad_stopped(y);
    detail::record_activation("sigmoid", x, y, [stored](const array& input, const array& gy) {
        array s = detail::retained_output(input, stored, [](const array& v) { return sigmoid(v); });
        return sigmoid_grad(s, gy);
    });
    return y;
}

template <class = void>
array elu(const array& x, double alpha = 1.0) {
    array y = detail::activation_forward("elu", ops::elu{alpha}, x);
    detail::record_activation("elu", x, y, [alpha](const array& input, const array& gy) {
        // gy where x > 0, else gy * alpha * exp(x).
        return where(greater(input, 0), gy, multiply(gy, multiply(exp(input), alpha)));
    });
    return y;
}

template <class = void>
array softplus(const array& x, double beta = 1.0) {
    array y = detail::activation_forward("softplus", ops::softplus{beta}, x);
    detail::record_activation("softplus", x, y, [beta](const array& input, const array& gy) {
        return multiply(gy, sigmoid(multiply(input, beta)));
    });
    return y;
}

// Gaussian error linear unit, x * Phi(x) (exact, not the tanh approximation).
template <class = void>
array gelu(const array& x) {
    array y = detail::activation_forward("gelu", ops::gelu{}, x);
    detail::record_activation("gelu", x, y, [](const array& input, const array& gy) {
        // Phi(x) + x phi(x) = 0.5 (1 + erf(x / sqrt 2)) + x exp(-x^2 / 2) / sqrt(2 pi).
        array cdf = multiply(add(erf(multiply(input, 0.70710678118654752440)), 1), 0.5);
        array pdf = multiply(exp(multiply(square(input), -0.5)), 0.39894228040143267794);
        return multiply(gy, add(cdf, multiply(input, pdf)));
    });
    return y;
}

// Sigmoid linear unit (swish), x * sigmoid(x).
template <class = void>
array silu(const array& x) {
    array y = detail::activation_forward("silu", ops::silu{}, x);
    detail::record_activation("silu", x, y, [](const array& input, const array& gy) {
        // s (1 + x (1 - s)).
        array s = sigmoid(input);
        return multiply(gy, multiply(s, add(multiply(input, subtract(1, s)), 1)));
    });
    return y;
}

// ---- softmax family --------------------------------------------------------------------------

namespace detail {

// The sorted distinct axes `axis` names (all axes when none), validated.
inline axes_t softmax_axes(const array& x, const std::optional<axes_t>& axis, const char* name) {
    bool seen[max_ndim] = {};
    if (axis) {
        for (int64_t a : *axis) {
            int i = normalize_axis(a, x.ndim(), name);
            if (seen[i]) throw_error<dimension_error>(name, ": duplicate value in axis: ", *axis);
            seen[i] = true;
        }
    } else {
        for (int i = 0; i < x.ndim(); ++i) seen[i] = true;
    }
    axes_t out;
    for (int i = 0; i < x.ndim(); ++i)
        if (seen[i]) out.push_back(i);
    return out;
}

// Parts of a stable softmax of a float array without graph: the maximum m (keepdims) and
// e = exp(x - m).
struct shifted_exp {
    array m, e;
};
inline shifted_exp shifted_exponentials(const array& x, const axes_t& axes, const char* name) {
    for (int64_t a : axes)
        if (x.shape()[a] == 0)
            throw_error<dimension_error>(name, ": zero-size reduction along axis ", a, " of shape ", x.shape());
    array m = amax(x, axes, true);
    return {m, apply_binary(name, ops::exp_shifted{}, x.dtype(), x, m)};
}

// log(sum(exp(x))) over `axes` (keepdims) of a float array without graph.
inline array logsumexp_keepdims(const array& x, const axes_t& axes, const char* name) {
    shifted_exp p = shifted_exponentials(x, axes, name);
    return apply_binary(name, ops::log_shifted{}, x.dtype(), sum(p.e, axes, true), p.m);
}

}  // namespace detail

template <class = void>
array logsumexp(const array& x, const std::optional<axes_t>& axis = std::nullopt, bool keepdims = false);
template <class = void>
array log_softmax(const array& x, const std::optional<axes_t>& axis = std::nullopt);
template <class = void>
array softmax(const array& x, const std::optional<axes_t>& axis = std::nullopt);

// log(sum(exp(x))) over the axes (all when none), computed stably.
template <class>
array logsumexp(const array& x_in, const std::optional<axes_t>& axis, bool keepdims) {
    array x = detail::float_input(x_in);
    axes_t axes = detail::softmax_axes(x, axis, "logsumexp");
    array kept = detail::logsumexp_keepdims(as_grad_stopped(x), axes, "logsumexp");
    shape_t out_shape;
    for (int i = 0; i < x.ndim(); ++i)
        if (keepdims || std::find(axes.begin(), axes.end(), i) == axes.end()) out_shape.push_back(kept.shape()[i]);
    array y = reshape(kept, out_shape);
    if (x.body()->graph) {
        array stored = as_grad_stopped(kept);
        record_op("logsumexp", {&x}, {&y}, [rx = retained_array(x), axes, stored](const std::vector<array>& gy) {
            array x = rx.get();
            // gy * softmax(x) = gy * exp(x - logsumexp(x)), broadcast back over the reduced axes.
            array lse = detail::retained_output(x, stored, [&](const array& v) { return logsumexp(v, axes, true); });
            shape_t kept_shape = lse.shape();
            array g = broadcast_to(reshape(gy[0], kept_shape), x.shape());
            return std::vector<array>{multiply(g, exp(subtract(x, lse)))};
        });
    }
    return y;
}

// log(softmax(x)) along the axes; ChainerX's default axis is 1.
template <class>
array log_softmax(const array& x_in, const std::optional<axes_t>& axis) {
    array x = detail::float_input(x_in);
    axes_t axes = detail::softmax_axes(x, axis ? axis : std::optional<axes_t>(axes_t{1}), "log_softmax");
    array x_stopped = as_grad_stopped(x);
    array y = subtract(x_stopped, detail::logsumexp_keepdims(x_stopped, axes, "log_softmax"));
    if (x.body()->graph) {
        array stored = as_grad_stopped(y);
        record_op("log_softmax", {&x}, {&y}, [rx = retained_array(x), axes, stored](const std::vector<array>& gy) {
            array x = rx.get();
            // gy - softmax(x) * sum(gy).
            array ly = detail::retained_output(x, stored, [&](const array& v) { return log_softmax(v, axes); });
            return std::vector<array>{subtract(gy[0], multiply(exp(ly), sum(gy[0], axes, true)))};
        });
    }
    return y;
}

// softmax(x) along the axes; ChainerX's default axis is 1.
template <class>
array softmax(const array& x_in, const std::optional<axes_t>& axis) {
    array x = detail::float_input(x_in);
    axes_t axes = detail::softmax_axes(x, axis ? axis : std::optional<axes_t>(axes_t{1}), "softmax");
    detail::shifted_exp p = detail::shifted_exponentials(as_grad_stopped(x), axes, "softmax");
    array y = true_divide(p.e, sum(p.e, axes, true));
    if (x.body()->graph) {
        array stored = as_grad_stopped(y);
        record_op("softmax", {&x}, {&y}, [rx = retained_array(x), axes, stored](const std::vector<array>& gy) {
            array x = rx.get();
            // y * (gy - sum(y * gy)).
            array s = detail::retained_output(x, stored, [&](const array& v) { return softmax(v, axes); });
            array sgy = multiply(s, gy[0]);
            return std::vector<array>{subtract(sgy, multiply(s, sum(sgy, axes, true)))};
        });
    }
    return y;
}

}  // namespace chainerx
