#pragma once

// Connection layers: linear, N-dimensional conv and conv_transpose (Chainer's linear,
// convolution_nd and deconvolution_nd), and the im2col / col2im routines they are built from.
// im2col and col2im are each other's adjoint and each other's gradient, so conv and conv_transpose
// are compositions of differentiable routines (im2col, matmul, reshape, add) and differentiate
// twice.
#include <optional>

#include "chainerx/kernels/im2col.hpp"
#include "chainerx/routines/pooling.hpp"
#include "chainerx/routines/products.hpp"

namespace chainerx {
namespace detail {

inline array col2im_apply(const array& col, const window_geometry& g, const shape_t& image_shape);

// The axes of a column array (n, c, k..., o...) in channel-major order (c, k..., n, o...).
inline axes_t channel_major_axes(int nd) {
    axes_t axes{1};
    for (int d = 0; d < nd; ++d) axes.push_back(2 + d);
    axes.push_back(0);
    for (int d = 0; d < nd; ++d) axes.push_back(2 + nd + d);
    return axes;
}

// x (n, c, in...) -> columns (n, c, k..., out...) for the windows of g; C-contiguous, or a view of a
// channel-major buffer (see column_layout) when channel_major.
inline array im2col_apply(const array& x, const window_geometry& g, bool channel_major = false) {
    shape_t col_shape{x.shape()[0], x.shape()[1]};
    for (int d = 0; d < g.nd; ++d) col_shape.push_back(g.k[d]);
    for (int d = 0; d < g.nd; ++d) col_shape.push_back(g.out[d]);
    array src = contiguous_as(x, x.dtype());
    array col;
    if (channel_major) {
        axes_t to_buffer = channel_major_axes(g.nd), to_col(to_buffer.size());
        shape_t buffer_shape;
        for (int i = 0; i < to_buffer.size(); ++i) {
            buffer_shape.push_back(col_shape[to_buffer[i]]);
            to_col[to_buffer[i]] = i;
        }
        col = transpose(empty(buffer_shape, x.dtype(), x.get_device()), to_col);
    } else {
        col = empty(col_shape, x.dtype(), x.get_device());
    }
    {
        long_running_scope scope(col.size());
        column_layout layout{channel_major, x.shape()[1]};
        dispatch_float("im2col", x.dtype(),
                       [&]<class T>() { kernels::im2col<T>(g, data_of<T>(src), data_of<T>(col), layout); });
    }
    shape_t image_shape = x.shape();
    if (x.body()->graph) {
        record_op("im2col", {&x}, {&col}, [g, image_shape](const std::vector<array>& gcol) {
            return std::vector<array>{col2im_apply(gcol[0], g, image_shape)};
        });
    }
    return col;
}

// The adjoint: columns summed back into an image of image_shape (n, c, in...). Columns laid out
// channel-major (as conv's gradient comes) are read in place.
inline array col2im_apply(const array& col, const window_geometry& g, const shape_t& image_shape) {
    array src = col;
    column_layout layout;
    if (!col.is_contiguous()) {
        array buffer = transpose(as_grad_stopped(col), channel_major_axes(g.nd));
        if (buffer.is_contiguous()) {
            src = buffer;
            layout = {true, image_shape[1]};
        } else {
            src = contiguous_as(col, col.dtype());
        }
    }
    array image = empty(image_shape, col.dtype(), col.get_device());
    {
        long_running_scope scope(col.size());
        dispatch_float("col2im", col.dtype(), [&]<class T>() {
            kernels::col2im<T, kernels::pool_acc_t<T>>(g, data_of<T>(src), data_of<T>(image), layout);
        });
    }
    if (col.body()->graph) {
        record_op("col2im", {&col}, {&image},
                  [g](const std::vector<array>& gimage) { return std::vector<array>{im2col_apply(gimage[0], g)}; });
    }
    return image;
}

inline void check_conv_bias(const char* op, const array& b, int64_t channels) {
    if (b.defined() && !(b.shape() == shape_t{channels}))
        throw_error<dimension_error>(op, ": b must have shape (", channels, ",), got ", b.shape());
}

// y + b with b (c,) broadcast along axis 1 of y (n, c, ...).
inline array add_channel_bias(const array& y, const array& b) {
    if (!b.defined()) return y;
    shape_t shape(y.ndim(), 1);
    shape[1] = b.shape()[0];
    return add(y, reshape(b, shape));
}

inline void check_conv_inputs(const char* op, const array& x, const array& w, const array& b) {
    check_window_input(op, "x", x);
    check_window_input(op, "w", w);
    if (b.defined()) check_window_input(op, "b", b);
    if (x.ndim() < 3)
        throw_error<dimension_error>(op, ": x must have at least 3 dimensions (n, c, spatial...), got shape ",
                                     x.shape());
    if (w.ndim() != x.ndim())
        throw_error<dimension_error>(op, ": w must have as many dimensions as x (", x.ndim(), "), got shape ",
                                     w.shape());
    for (const array* a : {&w, &b})
        if (a->defined() && &a->get_device() != &x.get_device())
            throw_error<device_error>(op, ": arrays are on different devices: ", x.get_device().name(), " and ",
                                      a->get_device().name());
}

// Whether conv's operands are not all float: ChainerX accepts integer and bool ones.
inline bool has_nonfloat(const array& x, const array& w, const array& b) {
    return !is_float(x.dtype()) || !is_float(w.dtype()) || (b.defined() && !is_float(b.dtype()));
}

// f on float64 copies of x, w and b (the window kernels are float-only), cast to their promoted dtype: exact
// while the sums stay below 2**53 in magnitude. Integer arrays have no graph, so nothing is lost for backprop.
template <class F>
array via_float64(const array& x, const array& w, const array& b, F&& f) {
    dtype type = promote_types(x.dtype(), w.dtype());
    if (b.defined()) type = promote_types(type, b.dtype());
    auto widen = [](const array& a) { return a.defined() ? astype(a, dtype::float64, false) : a; };
    return astype(f(widen(x), widen(w), widen(b)), type, false);
}

}  // namespace detail

// Columns of x (n, c, d1, ..., dN) for windows of ksize moved by stride over x padded by pad:
// shape (n, c, k1, ..., kN, o1, ..., oN), 0 in the padding.
template <class = void>
array im2col(const array& x, const dims& ksize, const dims& stride = dims{1}, const dims& pad = dims{0},
             bool cover_all = false) {
    detail::check_window_input("im2col", "x", x);
    return detail::im2col_apply(x, make_window_geometry("im2col", x.shape(), ksize, stride, pad, cover_all));
}

// The adjoint of im2col: columns (n, c, k1, ..., kN, o1, ..., oN) summed into an image
// (n, c, outsize...).
template <class = void>
array col2im(const array& col, const dims& stride, const dims& pad, const dims& outsize) {
    detail::check_window_input("col2im", "col", col);
    if (col.ndim() < 4 || col.ndim() % 2 != 0)
        throw_error<dimension_error>("col2im: col must have shape (n, c, k..., out...), got ", col.shape());
    int nd = (col.ndim() - 2) / 2;
    dims size = expand_spatial("col2im", "outsize", outsize, nd);
    for (int d = 0; d < nd; ++d)
        if (size[d] < 0) throw_error<dimension_error>("col2im: outsize must be non-negative, got ", size);
    window_geometry g;
    g.nd = nd;
    g.planes = col.shape()[0] * col.shape()[1];
    dims s = expand_spatial("col2im", "stride", stride, nd), p = expand_spatial("col2im", "pad", pad, nd);
    for (int d = 0; d < nd; ++d) {
        if (s[d] <= 0) throw_error<dimension_error>("col2im: stride must be positive, got ", s);
        if (p[d] < 0) throw_error<dimension_error>("col2im: pad must be non-negative, got ", p);
        g.in[d] = size[d];
        g.k[d] = col.shape()[2 + d];
        g.out[d] = col.shape()[2 + nd + d];
        g.s[d] = s[d];
        g.p[d] = p[d];
    }
    g.finish("col2im");
    return detail::col2im_apply(col, g, detail::window_shape(col.shape(), g.in, nd));
}

// x (batch..., rest...) flattened to (prod(batch), prod(rest)) times w.T (w is (out, in)), plus b:
// shape (batch..., out). n_batch_axes leading axes of x are batch axes. One matrix product forward
// (w read transposed in place), two backward.
template <class = void>
array linear(const array& x, const array& w, const array& b = array(), int64_t n_batch_axes = 1) {
    const char* op = "linear";
    if (n_batch_axes <= 0) throw_error<dimension_error>(op, ": n_batch_axes must be positive, got ", n_batch_axes);
    if (n_batch_axes > x.ndim())
        throw_error<dimension_error>(op, ": n_batch_axes (", n_batch_axes, ") exceeds the dimensions of x, shape ",
                                     x.shape());
    if (w.ndim() != 2) throw_error<dimension_error>(op, ": w must be 2-dimensional (out, in), got shape ", w.shape());
    shape_t out_shape(x.shape().begin(), x.shape().begin() + n_batch_axes);
    int64_t rows = out_shape.product();
    int64_t in = 1;
    for (int i = static_cast<int>(n_batch_axes); i < x.ndim(); ++i) in *= x.shape()[i];
    int64_t out = w.shape()[0];
    if (w.shape()[1] != in)
        throw_error<dimension_error>(op, ": w of shape ", w.shape(), " does not match x of shape ", x.shape(), " with ",
                                     n_batch_axes, " batch axes (", in, " input features)");
    if (b.defined() && !(b.shape() == shape_t{out}))
        throw_error<dimension_error>(op, ": b must have shape (", out, ",), got ", b.shape());
    check_same_device(op, x, w);
    if (b.defined()) check_same_device(op, x, b);
    out_shape.push_back(out);
    // Computed on graph-free views and recorded once, with a backward rule of two products.
    array x2 = reshape(as_grad_stopped(x), {rows, in});
    array y = matmul(x2, transpose(as_grad_stopped(w)));
    if (b.defined()) y = add(y, as_grad_stopped(b));
    y = reshape(y, out_shape);
    if (x.body()->graph || w.body()->graph || (b.defined() && b.body()->graph)) {
        record_op(op, {&x, &w, b.defined() ? &b : nullptr}, {&y},
                  [rx = retained_array(x), rw = retained_array(w), rb = retained_array(b), rows, in,
                   out](const std::vector<array>& gy) {
                      array x = rx.get(), w = rw.get(), b = rb.get();
                      array g = reshape(gy[0], {rows, out});
                      array gx, gw, gb;
                      if (x.body()->graph) gx = astype(reshape(matmul(g, w), x.shape()), x.dtype(), false);
                      if (w.body()->graph) gw = astype(matmul(transpose(g), reshape(x, {rows, in})), w.dtype(), false);
                      if (b.defined() && b.body()->graph) gb = astype(sum(g, axes_t{0}), b.dtype(), false);
                      return std::vector<array>{gx, gw, gb};
                  });
    }
    return y;
}

// N-dimensional convolution (cross-correlation) of x (n, c, d1, ..., dN) with w
// (out_c, c, k1, ..., kN), plus b (out_c,): shape (n, out_c, o1, ..., oN) with Chainer's output
// sizes. im2col, then one matrix product per sample.
template <class = void>
array conv(const array& x, const array& w, const array& b = array(), const dims& stride = dims{1},
           const dims& pad = dims{0}, bool cover_all = false) {
    const char* op = "conv";
    if (detail::has_nonfloat(x, w, b))
        return detail::via_float64(x, w, b, [&](const array& fx, const array& fw, const array& fb) {
            return conv(fx, fw, fb, stride, pad, cover_all);
        });
    detail::check_conv_inputs(op, x, w, b);
    if (w.shape()[1] != x.shape()[1])
        throw_error<dimension_error>(op, ": w of shape ", w.shape(), " expects ", w.shape()[1],
                                     " input channels, x of shape ", x.shape(), " has ", x.shape()[1]);
    detail::check_conv_bias(op, b, w.shape()[0]);
    dims ksize(w.shape().begin() + 2, w.shape().end());
    window_geometry g = make_window_geometry(op, x.shape(), ksize, stride, pad, cover_all);
    int64_t n = x.shape()[0], channels = x.shape()[1], out_channels = w.shape()[0];
    // Channel-major columns are one (c*k, n*o) matrix: one matrix product for the whole batch (and
    // one for each gradient) instead of a small one per sample.
    array col = detail::im2col_apply(x, g, true);
    array cols = reshape(transpose(col, detail::channel_major_axes(g.nd)), {channels * g.k_volume, n * g.out_volume});
    array y = matmul(reshape(w, {out_channels, channels * g.k_volume}), cols);  // (out_c, n*o)
    if (b.defined()) y = add(y, reshape(b, {out_channels, 1}));
    // (out_c, n, o) -> (n, out_c, o), copied into C order by the flattening reshape.
    y = reshape(swapaxes(reshape(y, {out_channels, n, g.out_volume}), 0, 1), {y.size()});
    return reshape(y, detail::window_shape({n, out_channels}, g.out, g.nd));
}

// The transpose (gradient) of conv: x (n, c, i1, ..., iN) with w (c, out_c, k1, ..., kN), plus b
// (out_c,): shape (n, out_c, outsize...), outsize defaulting to s * (i - 1) + k - 2p.
template <class = void>
array conv_transpose(const array& x, const array& w, const array& b = array(), const dims& stride = dims{1},
                     const dims& pad = dims{0}, const std::optional<dims>& outsize = std::nullopt) {
    const char* op = "conv_transpose";
    if (detail::has_nonfloat(x, w, b))
        return detail::via_float64(x, w, b, [&](const array& fx, const array& fw, const array& fb) {
            return conv_transpose(fx, fw, fb, stride, pad, outsize);
        });
    detail::check_conv_inputs(op, x, w, b);
    if (w.shape()[0] != x.shape()[1])
        throw_error<dimension_error>(op, ": w of shape ", w.shape(), " expects ", w.shape()[0],
                                     " input channels, x of shape ", x.shape(), " has ", x.shape()[1]);
    detail::check_conv_bias(op, b, w.shape()[1]);
    int nd = x.ndim() - 2;
    dims s = expand_spatial(op, "stride", stride, nd), p = expand_spatial(op, "pad", pad, nd);
    std::optional<dims> sizes;
    if (outsize) sizes = expand_spatial(op, "outsize", *outsize, nd);
    window_geometry g;
    g.nd = nd;
    g.planes = checked_mul(x.shape()[0], w.shape()[1]);
    for (int d = 0; d < nd; ++d) {
        if (s[d] <= 0) throw_error<dimension_error>(op, ": stride must be positive, got ", s);
        if (p[d] < 0) throw_error<dimension_error>(op, ": pad must be non-negative, got ", p);
        g.k[d] = w.shape()[2 + d];
        g.s[d] = s[d];
        g.p[d] = p[d];
        g.out[d] = x.shape()[2 + d];
        g.in[d] = sizes ? (*sizes)[d] : deconv_outsize(g.out[d], g.k[d], s[d], p[d]);
        if (g.in[d] <= 0)
            throw_error<dimension_error>(op, ": output size must be positive, got ", g.in[d], " on axis ", 2 + d);
        // x must be what conv of the output would give (with or without cover_all).
        if (g.out[d] < conv_outsize(g.in[d], g.k[d], s[d], p[d], false) ||
            g.out[d] > conv_outsize(g.in[d], g.k[d], s[d], p[d], true))
            throw_error<dimension_error>(op, ": outsize ", g.in[d], " on axis ", 2 + d, " does not match input size ",
                                         g.out[d], " (ksize ", g.k[d], ", stride ", s[d], ", pad ", p[d], ")");
    }
    g.finish(op);
    int64_t n = x.shape()[0], channels = x.shape()[1], out_channels = w.shape()[1];
    array w2 = reshape(w, {channels, out_channels * g.k_volume});
    array col = matmul(transpose(w2), reshape(x, {n, channels, g.out_volume}));
    shape_t col_shape{n, out_channels};
    for (int d = 0; d < nd; ++d) col_shape.push_back(g.k[d]);
    for (int d = 0; d < nd; ++d) col_shape.push_back(g.out[d]);
    array y = detail::col2im_apply(reshape(col, col_shape), g, detail::window_shape({n, out_channels}, g.in, nd));
    return detail::add_channel_bias(y, b);
}

}  // namespace chainerx
