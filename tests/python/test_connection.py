"""linear, conv and conv_transpose against NumPy references (Chainer's linear, convolution_nd and
deconvolution_nd semantics: output sizes, cover_all, outsize), gradients, double gradients and bad
inputs."""
import itertools

import numpy
import pytest

import chainerx
from chainerx.testing import assert_allclose

FLOAT_DTYPES = ['float16', 'float32', 'float64']
TOL = {'float16': 3e-2, 'float32': 1e-5, 'float64': 1e-12}


def random_values(shape, dtype, seed=0):
    return numpy.random.RandomState(seed).uniform(-1, 1, shape).astype(dtype)


def _tuple(v, nd):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * nd


def _outsize(size, k, s, p, cover_all):
    if cover_all:
        return (size + 2 * p - k + s - 1) // s + 1
    return (size + 2 * p - k) // s + 1


def np_conv(x, w, b, stride, pad, cover_all):
    nd = x.ndim - 2
    k, s, p = w.shape[2:], _tuple(stride, nd), _tuple(pad, nd)
    outs = [_outsize(x.shape[2 + d], k[d], s[d], p[d], cover_all) for d in range(nd)]
    extra = [max(s[d] * (outs[d] - 1) + k[d] - (x.shape[2 + d] + 2 * p[d]), 0) for d in range(nd)]
    padded = numpy.pad(x.astype(numpy.float64), [(0, 0), (0, 0)] + [(p[d], p[d] + extra[d]) for d in range(nd)])
    y = numpy.zeros((x.shape[0], w.shape[0]) + tuple(outs))
    for offset in itertools.product(*[range(n) for n in k]):
        window = tuple(slice(offset[d], offset[d] + s[d] * (outs[d] - 1) + 1, s[d]) for d in range(nd))
        patch = padded[(Ellipsis,) + window]  # (n, c, outs...)
        y += numpy.einsum('nc...,oc->no...', patch, w[(Ellipsis,) + offset].astype(numpy.float64))
    if b is not None:
        y += b.reshape((1, -1) + (1,) * nd)
    return y


def np_conv_transpose(x, w, b, stride, pad, outsize):
    nd = x.ndim - 2
    k, s, p = w.shape[2:], _tuple(stride, nd), _tuple(pad, nd)
    ins = x.shape[2:]
    if outsize is None:
        outsize = [s[d] * (ins[d] - 1) + k[d] - 2 * p[d] for d in range(nd)]
    outsize = _tuple(outsize, nd)
    full = [max(outsize[d] + 2 * p[d], s[d] * (ins[d] - 1) + k[d]) for d in range(nd)]
    y = numpy.zeros((x.shape[0], w.shape[1]) + tuple(full))
    for offset in itertools.product(*[range(n) for n in k]):
        window = tuple(slice(offset[d], offset[d] + s[d] * (ins[d] - 1) + 1, s[d]) for d in range(nd))
        y[(Ellipsis,) + window] += numpy.einsum('nc...,co->no...', x.astype(numpy.float64),
                                                w[(Ellipsis,) + offset].astype(numpy.float64))
    y = y[(Ellipsis,) + tuple(slice(p[d], p[d] + outsize[d]) for d in range(nd))]
    if b is not None:
        y += b.reshape((1, -1) + (1,) * nd)
    return y


# ---- linear ----

# (x shape, w shape, n_batch_axes)
LINEAR_CASES = [((4, 3), (5, 3), 1), ((2, 3, 4), (6, 12), 1), ((2, 3, 4), (5, 4), 2), ((3,), (2, 1), 1),
                ((0, 3), (2, 3), 1), ((4, 3), (0, 3), 1)]


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('use_bias', [True, False])
@pytest.mark.parametrize('x_shape,w_shape,n_batch_axes', LINEAR_CASES)
def test_linear(x_shape, w_shape, n_batch_axes, use_bias, dtype):
    x, w = random_values(x_shape, dtype), random_values(w_shape, dtype, seed=1)
    b = random_values(w_shape[:1], dtype, seed=2) if use_bias else None
    y = chainerx.linear(chainerx.array(x), chainerx.array(w), None if b is None else chainerx.array(b),
                        n_batch_axes=n_batch_axes)
    batch = x_shape[:n_batch_axes]
    expected = x.astype(numpy.float64).reshape(int(numpy.prod(batch)), w_shape[1]) @ w.astype(numpy.float64).T
    if b is not None:
        expected += b
    assert y.dtype == numpy.dtype(dtype)
    assert y.shape == batch + w_shape[:1]
    assert_allclose(y, expected.reshape(y.shape), rtol=TOL[dtype], atol=TOL[dtype])


def test_linear_non_contiguous_and_mixed_dtypes():
    base = random_values((3, 4), 'float64')
    w = random_values((2, 3), 'float32', seed=1)
    y = chainerx.linear(chainerx.array(base).T, chainerx.array(w))
    assert y.dtype == numpy.float64
    assert_allclose(y, base.T @ w.T.astype(numpy.float64), rtol=1e-6)


@pytest.mark.parametrize('x_shape,w_shape,n_batch_axes', LINEAR_CASES[:3])
def test_linear_gradients(x_shape, w_shape, n_batch_axes):
    x, w = chainerx.array(random_values(x_shape, 'float64')), chainerx.array(random_values(w_shape, 'float64', 1))
    b = chainerx.array(random_values(w_shape[:1], 'float64', 2))
    y_shape = x_shape[:n_batch_axes] + w_shape[:1]
    gy = chainerx.array(random_values(y_shape, 'float64', 3))
    ggs = tuple(chainerx.array(random_values(a.shape, 'float64', 4 + i)) for i, a in enumerate((x, w, b)))

    def f(x, w, b):
        return chainerx.linear(x, w, b, n_batch_axes)
    chainerx.check_backward(lambda xs: f(*xs), (x, w, b), (gy,), eps=1e-6, atol=1e-6, rtol=1e-6)
    chainerx.check_double_backward(lambda xs: f(*xs), (x, w, b), (gy,), ggs, eps=1e-6, atol=1e-6, rtol=1e-6)
    # Without a bias, and with only some inputs in the graph.
    chainerx.check_backward(lambda xs: chainerx.linear(xs[0], xs[1], n_batch_axes=n_batch_axes), (x, w), (gy,),
                            eps=1e-6, atol=1e-6, rtol=1e-6)
    wc = w.copy().require_grad()
    chainerx.sum(chainerx.linear(x, wc, n_batch_axes=n_batch_axes)).backward()
    assert wc.grad.shape == w_shape and wc.grad.is_contiguous


def test_linear_gradient_dtypes():
    x = chainerx.array(random_values((2, 3), 'float16')).require_grad()
    w = chainerx.array(random_values((4, 3), 'float32', 1)).require_grad()
    b = chainerx.array(random_values((4,), 'float16', 2)).require_grad()
    y = chainerx.linear(x, w, b)
    assert y.dtype == numpy.float32
    y.backward()
    assert x.grad.dtype == numpy.float16 and w.grad.dtype == numpy.float32 and b.grad.dtype == numpy.float16


def test_linear_errors():
    x = chainerx.ones((2, 3), 'float32')
    with pytest.raises(chainerx.DimensionError):
        chainerx.linear(x, chainerx.ones((4, 2), 'float32'))
    with pytest.raises(chainerx.DimensionError):
        chainerx.linear(x, chainerx.ones((4, 3, 1), 'float32'))
    with pytest.raises(chainerx.DimensionError):
        chainerx.linear(x, chainerx.ones((4, 3), 'float32'), chainerx.ones((3,), 'float32'))
    with pytest.raises(chainerx.DimensionError):
        chainerx.linear(x, chainerx.ones((4, 3), 'float32'), n_batch_axes=0)
    with pytest.raises(chainerx.DimensionError):
        chainerx.linear(x, chainerx.ones((4, 1), 'float32'), n_batch_axes=3)


# ---- conv ----

# (x shape, w shape, stride, pad, cover_all)
CONV_CASES = [
    ((2, 3, 5, 4), (4, 3, 3, 2), 1, 0, False),
    ((2, 3, 5, 5), (2, 3, 3, 3), 2, 1, False),
    ((1, 2, 6, 5), (3, 2, 3, 3), 2, 1, True),
    ((2, 2, 7), (3, 2, 3), 3, (2,), True),
    ((1, 2, 4, 3, 5), (2, 2, 2, 2, 3), (1, 2, 2), (1, 0, 1), False),
    ((0, 2, 4, 4), (3, 2, 2, 2), 1, 0, False),
]


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('x_shape,w_shape,stride,pad,cover_all', CONV_CASES)
def test_conv(x_shape, w_shape, stride, pad, cover_all, dtype):
    x, w, b = random_values(x_shape, dtype), random_values(w_shape, dtype, 1), random_values(w_shape[:1], dtype, 2)
    y = chainerx.conv(chainerx.array(x), chainerx.array(w), chainerx.array(b), stride, pad, cover_all)
    expected = np_conv(x, w, b, stride, pad, cover_all)
    assert y.dtype == numpy.dtype(dtype) and y.shape == expected.shape
    assert y.is_contiguous  # C order, as ChainerX's conv (the batch's matrix product is transposed back)
    tol = TOL[dtype] * 3
    assert_allclose(y, expected, rtol=tol, atol=tol)
    y = chainerx.conv(chainerx.array(x), chainerx.array(w), stride=stride, pad=pad, cover_all=cover_all)
    assert_allclose(y, np_conv(x, w, None, stride, pad, cover_all), rtol=tol, atol=tol)


def test_conv_non_contiguous():
    base = random_values((5, 4, 3, 2), 'float64')
    x = base.transpose(3, 2, 1, 0)[:, :, ::-1]  # (2, 3, 4, 5)
    w = random_values((2, 3, 2, 2), 'float64', 1)
    y = chainerx.conv(chainerx.array(base).transpose(3, 2, 1, 0)[:, :, ::-1], chainerx.array(w)[:, :, ::-1],
                      stride=1, pad=1)
    assert_allclose(y, np_conv(x, w[:, :, ::-1], None, 1, 1, False), rtol=1e-12, atol=1e-12)


GRAD_CONV_CASES = [
    ((2, 2, 4, 3), (3, 2, 2, 2), 1, 0, False),
    ((1, 2, 5, 5), (2, 2, 3, 3), 2, 1, True),
    ((2, 1, 6), (2, 1, 3), 2, 1, False),
]


@pytest.mark.parametrize('x_shape,w_shape,stride,pad,cover_all', GRAD_CONV_CASES)
def test_conv_gradients(x_shape, w_shape, stride, pad, cover_all):
    x, w = chainerx.array(random_values(x_shape, 'float64')), chainerx.array(random_values(w_shape, 'float64', 1))
    b = chainerx.array(random_values(w_shape[:1], 'float64', 2))

    def f(x, w, b):
        return chainerx.conv(x, w, b, stride, pad, cover_all)
    y = f(x, w, b)
    gy = chainerx.array(random_values(y.shape, 'float64', 3))
    ggs = tuple(chainerx.array(random_values(a.shape, 'float64', 4 + i)) for i, a in enumerate((x, w, b)))
    chainerx.check_backward(lambda xs: f(*xs), (x, w, b), (gy,), eps=1e-6, atol=1e-6, rtol=1e-6)
    chainerx.check_double_backward(lambda xs: f(*xs), (x, w, b), (gy,), ggs, eps=1e-6, atol=1e-6, rtol=1e-6)


def test_conv_errors():
    x = chainerx.ones((1, 2, 4, 4), 'float32')
    # Integer and bool inputs are accepted, as in ChainerX (test_chainerx_compat.py).
    with pytest.raises(chainerx.DimensionError):
        chainerx.conv(x, chainerx.ones((3, 3, 2, 2), 'float32'))  # channels
    with pytest.raises(chainerx.DimensionError):
        chainerx.conv(x, chainerx.ones((3, 2, 2), 'float32'))  # ndim
    with pytest.raises(chainerx.DimensionError):
        chainerx.conv(x, chainerx.ones((3, 2, 5, 5), 'float32'))  # kernel larger than the input
    with pytest.raises(chainerx.DimensionError):
        chainerx.conv(x, chainerx.ones((3, 2, 2, 2), 'float32'), chainerx.ones((2,), 'float32'))
    with pytest.raises(chainerx.DimensionError):
        chainerx.conv(x, chainerx.ones((3, 2, 2, 2), 'float32'), stride=(1, 1, 1))
    with pytest.raises(chainerx.DimensionError):
        chainerx.conv(chainerx.ones((2, 4), 'float32'), chainerx.ones((3, 4), 'float32'))


# ---- conv_transpose ----

# (x shape, w shape, stride, pad, outsize)
DECONV_CASES = [
    ((2, 3, 3, 2), (3, 4, 2, 3), 1, 0, None),
    ((2, 3, 3, 3), (3, 2, 3, 3), 2, 1, None),
    ((1, 2, 3, 3), (2, 3, 3, 3), 2, 1, (6, 6)),  # the size conv with cover_all would map back to 3
    ((2, 2, 4), (2, 3, 3), 3, 1, None),
    ((1, 2, 2, 3, 2), (2, 2, 2, 2, 3), (2, 1, 2), (0, 1, 1), None),
    ((0, 2, 2, 2), (2, 3, 2, 2), 1, 0, None),
]


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('x_shape,w_shape,stride,pad,outsize', DECONV_CASES)
def test_conv_transpose(x_shape, w_shape, stride, pad, outsize, dtype):
    x, w, b = random_values(x_shape, dtype), random_values(w_shape, dtype, 1), random_values(w_shape[1:2], dtype, 2)
    y = chainerx.conv_transpose(chainerx.array(x), chainerx.array(w), chainerx.array(b), stride, pad, outsize)
    expected = np_conv_transpose(x, w, b, stride, pad, outsize)
    assert y.dtype == numpy.dtype(dtype) and y.shape == expected.shape
    assert y.is_contiguous  # C order, as ChainerX's conv (the batch's matrix product is transposed back)
    tol = TOL[dtype] * 3
    assert_allclose(y, expected, rtol=tol, atol=tol)


def test_conv_transpose_is_the_gradient_of_conv():
    x = chainerx.array(random_values((2, 3, 5, 5), 'float64')).require_grad()
    w = chainerx.array(random_values((4, 3, 3, 3), 'float64', 1))
    y = chainerx.conv(x, w, stride=2, pad=1)
    gy = chainerx.array(random_values(y.shape, 'float64', 2))
    y.backward()  # seeds ones
    ones = chainerx.ones(y.shape, 'float64')
    assert_allclose(x.grad, chainerx.conv_transpose(ones, w, stride=2, pad=1, outsize=(5, 5)), rtol=1e-12)
    assert gy.shape == y.shape


@pytest.mark.parametrize('x_shape,w_shape,stride,pad,outsize', DECONV_CASES[1:4])
def test_conv_transpose_gradients(x_shape, w_shape, stride, pad, outsize):
    x, w = chainerx.array(random_values(x_shape, 'float64')), chainerx.array(random_values(w_shape, 'float64', 1))
    b = chainerx.array(random_values(w_shape[1:2], 'float64', 2))

    def f(x, w, b):
        return chainerx.conv_transpose(x, w, b, stride, pad, outsize)
    y = f(x, w, b)
    gy = chainerx.array(random_values(y.shape, 'float64', 3))
    ggs = tuple(chainerx.array(random_values(a.shape, 'float64', 4 + i)) for i, a in enumerate((x, w, b)))
    chainerx.check_backward(lambda xs: f(*xs), (x, w, b), (gy,), eps=1e-6, atol=1e-6, rtol=1e-6)
    chainerx.check_double_backward(lambda xs: f(*xs), (x, w, b), (gy,), ggs, eps=1e-6, atol=1e-6, rtol=1e-6)


def test_conv_transpose_errors():
    x = chainerx.ones((1, 2, 3, 3), 'float32')
    w = chainerx.ones((2, 3, 2, 2), 'float32')
    with pytest.raises(chainerx.DimensionError):
        chainerx.conv_transpose(x, chainerx.ones((3, 2, 2, 2), 'float32'))  # channels
    with pytest.raises(chainerx.DimensionError):
        chainerx.conv_transpose(x, w, outsize=(9, 9))  # conv of 9 gives 8, not 3
    with pytest.raises(chainerx.DimensionError):
        chainerx.conv_transpose(x, w, chainerx.ones((2,), 'float32'))
    with pytest.raises(chainerx.DimensionError):
        chainerx.conv_transpose(x, w, stride=0)
    with pytest.raises(chainerx.DimensionError):
        chainerx.conv_transpose(x, w, pad=3)  # output size would be negative
    assert chainerx.conv_transpose(chainerx.ones((1, 2, 3, 3), 'int8'), w).dtype == w.dtype  # as in ChainerX
