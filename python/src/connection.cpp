// Bindings for the neural-network layers: connection (linear, conv, conv_transpose), pooling and
// normalization routines.
#include "common.hpp"

#include "chainerx/routines/connection.hpp"
#include "chainerx/routines/normalization.hpp"
#include "chainerx/routines/pooling.hpp"

namespace chainerx::python {

namespace {
// An int or a sequence of ints, one per spatial axis.
dims to_window_param(nb::handle h) { return to_shape(h); }
std::optional<dims> to_optional_window_param(nb::handle h) {
    if (h.is_none()) return std::nullopt;
    return to_shape(h);
}

// ---- docstrings ----
constexpr const char* linear_doc = R"(Linear (fully connected) layer: x times w transposed, plus b.

Args:
    x: input of shape (batch..., rest...): its first n_batch_axes axes are batch axes and the others
        are flattened into in = prod(rest) features.
    w: weights of shape (out, in).
    b: bias of shape (out,), or None.
    n_batch_axes: the number of leading batch axes of x (positive; DimensionError otherwise).
Returns:
    y of shape (batch..., out): reshape(x, (prod(batch), in)) @ w.T + b, reshaped. The dtype follows
    NumPy's promotion of x, w and b. Differentiable (twice) in x, w and b.)";

constexpr const char* conv_doc = R"(N-dimensional convolution (cross-correlation), as Chainer's convolution_nd.

Args:
    x: input of shape (n, c, d1, ..., dN), N >= 1 spatial axes.
    w: filters of shape (out_c, c, k1, ..., kN).
    b: bias of shape (out_c,), added to each output channel, or None.
    stride: the step of the window: an int or one int per spatial axis.
    pad: the zeros added at both ends of each spatial axis: an int or one int per spatial axis.
    cover_all: if True, the output gets extra positions so that every input element is covered by
        some window (Chainer's rule; see the output size below).
Returns:
    y of shape (n, out_c, o1, ..., oN) with o = (d + 2 * pad - k) // stride + 1, or
    o = (d + 2 * pad - k + stride - 1) // stride + 1 with cover_all. The dtype follows NumPy's
    promotion of x, w and b. Differentiable (twice) in x, w and b.
Raises:
    DtypeError: x, w or b is not a float array.
    DimensionError: the shapes do not match, or the window does not fit the padded input.
    NotImplementedError: the arrays are not on a native device.)";

constexpr const char* conv_transpose_doc = R"(N-dimensional transposed convolution, as Chainer's deconvolution_nd.

The transpose (the gradient with respect to the input) of conv with the same w, stride and pad.

Args:
    x: input of shape (n, c, i1, ..., iN).
    w: filters of shape (c, out_c, k1, ..., kN) (input channels first, unlike conv's).
    b: bias of shape (out_c,), or None.
    stride: an int or one int per spatial axis.
    pad: an int or one int per spatial axis; it is cut from both ends of each output axis.
    outsize: the output's spatial sizes (an int or one per axis); None gives
        stride * (i - 1) + k - 2 * pad. It must be a size that conv, with or without cover_all,
        maps back to i (DimensionError otherwise).
Returns:
    y of shape (n, out_c, outsize...). The dtype follows NumPy's promotion of x, w and b.
    Differentiable (twice) in x, w and b. Float arrays on native devices only, as for conv.)";

constexpr const char* batch_norm_doc = R"(Batch normalization with the batch's statistics (training mode).

y = (x - mean) / sqrt(var + eps) * gamma + beta, with mean and var (biased) computed over axis.

Args:
    x: float input, e.g. (n, c) or (n, c, h, w).
    gamma: scale, with the size of x reduced over axis (any shape of that size, e.g. (c,)).
    beta: shift, of the same size as gamma.
    running_mean: running mean of the same size, updated in place:
        running_mean = decay * running_mean + (1 - decay) * mean.
    running_var: running variance of the same size, updated in place the same way with the
        unbiased variance.
    eps: added to the variance.
    decay: the decay of the running averages.
    axis: the axes to normalize over (an int or a tuple); None is Chainer's default
        (0,) + (1 + gamma.ndim, ..., x.ndim - 1): (0, 2, 3) for images with gamma of shape (c,).
Returns:
    y with x's shape and dtype (16-bit floats compute in float32). Differentiable (twice) in x, gamma
    and beta; the updates of the running statistics are not recorded.)";

constexpr const char* fixed_batch_norm_doc = R"(Batch normalization with given statistics (inference mode).

y = (x - mean) / sqrt(var + eps) * gamma + beta.

Args:
    x: float input, e.g. (n, c, h, w).
    gamma: scale, with the size of x reduced over axis (any shape of that size, e.g. (c,)).
    beta: shift, of the same size.
    mean: the mean to subtract, of the same size.
    var: the variance to divide by, of the same size.
    eps: added to the variance.
    axis: the reduced axes, as in batch_norm (None: Chainer's default).
Returns:
    y with x's shape and dtype (16-bit floats compute in float32). Differentiable (twice) in every
    input.)";

constexpr const char* layer_norm_doc = R"(Layer normalization over the last axis (beyond ChainerX, which has none).

y = (x - mean) / sqrt(var + eps) * gamma + beta, with mean and var over x's last axis.

Args:
    x: float input of shape (..., f).
    gamma: scale of shape (f,).
    beta: shift of shape (f,).
    eps: added to the variance.
Returns:
    y with x's shape and dtype (16-bit floats compute in float32). Differentiable (twice) in x, gamma
    and beta.)";

constexpr const char* max_pool_doc = R"(N-dimensional max pooling, as Chainer's max_pooling_nd.

Args:
    x: float input of shape (n, c, d1, ..., dN).
    ksize: the window size: an int or one int per spatial axis.
    stride: an int or one int per spatial axis; None uses ksize.
    pad: an int or one int per spatial axis; padded positions never win.
    cover_all: if True, extra windows cover every input element, as in conv (ChainerX's default is
        False too, Chainer's is True).
Returns:
    y of shape (n, c, o1, ..., oN), o as in conv with k = ksize, and x's dtype. Differentiable
    (twice). Native devices only (NotImplementedError).)";

constexpr const char* average_pool_doc = R"(N-dimensional average pooling, as Chainer's average_pooling_nd.

Args:
    x: float input of shape (n, c, d1, ..., dN).
    ksize: the window size: an int or one int per spatial axis.
    stride: an int or one int per spatial axis; None uses ksize.
    pad: an int or one int per spatial axis.
    pad_mode: 'ignore' divides each sum by the number of window elements inside the input, 'zero'
        by the whole window (padding counts as zeros); ValueError otherwise.
Returns:
    y of shape (n, c, o1, ..., oN) with o = (d + 2 * pad - k) // stride + 1, and x's dtype.
    Differentiable (twice). Native devices only (NotImplementedError).)";
}  // namespace

void init_connection(nb::module_& m) {
    // ---- connection ----
    m.def(
        "linear",
        [](const array& x, const array& w, std::optional<array> b, int_arg n_batch_axes) {
            return linear(x, w, b.value_or(array()), n_batch_axes);
        },
        nb::arg("x"), nb::arg("w"), nb::arg("b").none() = nb::none(), nb::arg("n_batch_axes") = 1, linear_doc);
    m.def(
        "conv",
        [](const array& x, const array& w, std::optional<array> b, nb::handle stride, nb::handle pad, bool cover_all) {
            return conv(x, w, b.value_or(array()), to_window_param(stride), to_window_param(pad), cover_all);
        },
        nb::arg("x"), nb::arg("w"), nb::arg("b").none() = nb::none(), nb::arg("stride") = 1, nb::arg("pad") = 0,
        nb::arg("cover_all") = false, conv_doc);
    m.def(
        "conv_transpose",
        [](const array& x, const array& w, std::optional<array> b, nb::handle stride, nb::handle pad,
           nb::handle outsize) {
            return conv_transpose(x, w, b.value_or(array()), to_window_param(stride), to_window_param(pad),
                                  to_optional_window_param(outsize));
        },
        nb::arg("x"), nb::arg("w"), nb::arg("b").none() = nb::none(), nb::arg("stride") = 1, nb::arg("pad") = 0,
        nb::arg("outsize").none() = nb::none(), conv_transpose_doc);

    // ---- normalization ----
    m.def(
        "batch_norm",
        [](const array& x, const array& gamma, const array& beta, const array& running_mean, const array& running_var,
           double eps, double decay, nb::handle axis) {
            return batch_norm(x, gamma, beta, running_mean, running_var, eps, decay, to_optional_axes(axis));
        },
        nb::arg("x"), nb::arg("gamma"), nb::arg("beta"), nb::arg("running_mean"), nb::arg("running_var"),
        nb::arg("eps") = 2e-5, nb::arg("decay") = 0.9, nb::arg("axis").none() = nb::none(), batch_norm_doc);
    m.def(
        "fixed_batch_norm",
        [](const array& x, const array& gamma, const array& beta, const array& mean, const array& var, double eps,
           nb::handle axis) { return fixed_batch_norm(x, gamma, beta, mean, var, eps, to_optional_axes(axis)); },
        nb::arg("x"), nb::arg("gamma"), nb::arg("beta"), nb::arg("mean"), nb::arg("var"), nb::arg("eps") = 2e-5,
        nb::arg("axis").none() = nb::none(), fixed_batch_norm_doc);
    m.def(
        "layer_norm",
        [](const array& x, const array& gamma, const array& beta, double eps) {
            return layer_norm(x, gamma, beta, eps);
        },
        nb::arg("x"), nb::arg("gamma"), nb::arg("beta"), nb::arg("eps") = 1e-5, layer_norm_doc);

    // ---- pooling ----
    m.def(
        "max_pool",
        [](const array& x, nb::handle ksize, nb::handle stride, nb::handle pad, bool cover_all) {
            return max_pool(x, to_window_param(ksize), to_optional_window_param(stride), to_window_param(pad),
                            cover_all);
        },
        nb::arg("x"), nb::arg("ksize"), nb::arg("stride").none() = nb::none(), nb::arg("pad") = 0,
        nb::arg("cover_all") = false, max_pool_doc);
    m.def(
        "average_pool",
        [](const array& x, nb::handle ksize, nb::handle stride, nb::handle pad, const std::string& pad_mode) {
            return average_pool(x, to_window_param(ksize), to_optional_window_param(stride), to_window_param(pad),
                                parse_average_pool_pad_mode(pad_mode));
        },
        nb::arg("x"), nb::arg("ksize"), nb::arg("stride").none() = nb::none(), nb::arg("pad") = 0,
        nb::arg("pad_mode") = "ignore", average_pool_doc);
}

}  // namespace chainerx::python
