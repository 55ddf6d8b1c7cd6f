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
}  // namespace

void init_connection(nb::module_& m) {
    // ---- connection ----
    m.def(
        "linear",
        [](const array& x, const array& w, std::optional<array> b, int64_t n_batch_axes) {
            return linear(x, w, b.value_or(array()), n_batch_axes);
        },
        nb::arg("x"), nb::arg("w"), nb::arg("b").none() = nb::none(), nb::arg("n_batch_axes") = 1,
        "x (batch..., rest...) flattened to (prod(batch), prod(rest)), times w.T (w is (out, in)), plus b.");
    m.def(
        "conv",
        [](const array& x, const array& w, std::optional<array> b, nb::handle stride, nb::handle pad, bool cover_all) {
            return conv(x, w, b.value_or(array()), to_window_param(stride), to_window_param(pad), cover_all);
        },
        nb::arg("x"), nb::arg("w"), nb::arg("b").none() = nb::none(), nb::arg("stride") = 1, nb::arg("pad") = 0,
        nb::arg("cover_all") = false,
        "N-dimensional convolution of x (n, c, d...) with w (out_c, c, k...), plus b (out_c,).");
    m.def(
        "conv_transpose",
        [](const array& x, const array& w, std::optional<array> b, nb::handle stride, nb::handle pad,
           nb::handle outsize) {
            return conv_transpose(x, w, b.value_or(array()), to_window_param(stride), to_window_param(pad),
                                  to_optional_window_param(outsize));
        },
        nb::arg("x"), nb::arg("w"), nb::arg("b").none() = nb::none(), nb::arg("stride") = 1, nb::arg("pad") = 0,
        nb::arg("outsize").none() = nb::none(),
        "N-dimensional transposed convolution of x (n, c, i...) with w (c, out_c, k...), plus b (out_c,); outsize "
        "defaults to stride * (i - 1) + k - 2 * pad.");

    // ---- normalization ----
    m.def(
        "batch_norm",
        [](const array& x, const array& gamma, const array& beta, const array& running_mean, const array& running_var,
           double eps, double decay, nb::handle axis) {
            return batch_norm(x, gamma, beta, running_mean, running_var, eps, decay, to_optional_axes(axis));
        },
        nb::arg("x"), nb::arg("gamma"), nb::arg("beta"), nb::arg("running_mean"), nb::arg("running_var"),
        nb::arg("eps") = 2e-5, nb::arg("decay") = 0.9, nb::arg("axis").none() = nb::none(),
        "Batch normalization over axis (default: (0,) + range(1 + gamma.ndim, x.ndim), Chainer's rule). gamma and beta "
        "have the size of x reduced over axis; "
        "running_mean and running_var are updated in place (the variance unbiased).");
    m.def(
        "fixed_batch_norm",
        [](const array& x, const array& gamma, const array& beta, const array& mean, const array& var, double eps,
           nb::handle axis) { return fixed_batch_norm(x, gamma, beta, mean, var, eps, to_optional_axes(axis)); },
        nb::arg("x"), nb::arg("gamma"), nb::arg("beta"), nb::arg("mean"), nb::arg("var"), nb::arg("eps") = 2e-5,
        nb::arg("axis").none() = nb::none(),
        "Batch normalization with the given statistics: (x - mean) / sqrt(var + eps) * gamma + beta.");
    m.def(
        "layer_norm",
        [](const array& x, const array& gamma, const array& beta, double eps) {
            return layer_norm(x, gamma, beta, eps);
        },
        nb::arg("x"), nb::arg("gamma"), nb::arg("beta"), nb::arg("eps") = 1e-5,
        "Layer normalization over the last axis; gamma and beta have shape (x.shape[-1],).");

    // ---- pooling ----
    m.def(
        "max_pool",
        [](const array& x, nb::handle ksize, nb::handle stride, nb::handle pad, bool cover_all) {
            return max_pool(x, to_window_param(ksize), to_optional_window_param(stride), to_window_param(pad),
                            cover_all);
        },
        nb::arg("x"), nb::arg("ksize"), nb::arg("stride").none() = nb::none(), nb::arg("pad") = 0,
        nb::arg("cover_all") = false, "N-dimensional max pooling of x (n, c, d1, ..., dN); stride defaults to ksize.");
    m.def(
        "average_pool",
        [](const array& x, nb::handle ksize, nb::handle stride, nb::handle pad, const std::string& pad_mode) {
            return average_pool(x, to_window_param(ksize), to_optional_window_param(stride), to_window_param(pad),
                                parse_average_pool_pad_mode(pad_mode));
        },
        nb::arg("x"), nb::arg("ksize"), nb::arg("stride").none() = nb::none(), nb::arg("pad") = 0,
        nb::arg("pad_mode") = "ignore",
        "N-dimensional average pooling of x (n, c, d1, ..., dN); pad_mode 'ignore' averages the elements inside "
        "the input, 'zero' counts the padding as zeros.");
}

}  // namespace chainerx::python
