"""max_pool and average_pool against a NumPy reference (Chainer's max_pooling_nd / average_pooling_nd
semantics: output sizes, cover_all, pad_mode), gradients and double gradients, and bad inputs."""
import itertools

import numpy
import pytest

import chainerx
from chainerx.testing import assert_allclose

FLOAT_DTYPES = ['float16', 'float32', 'float64']


def _outsize(size, k, s, p, cover_all):
    if cover_all:
        return (size + 2 * p - k + s - 1) // s + 1
    return (size + 2 * p - k) // s + 1


def _tuple(v, nd):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * nd


def np_pool(x, ksize, stride, pad, kind, cover_all=False, pad_mode='ignore'):
    """Reference pooling: pads, then reduces every window with plain NumPy."""
    nd = x.ndim - 2
    k, p = _tuple(ksize, nd), _tuple(pad, nd)
    s = k if stride is None else _tuple(stride, nd)
    outs = [_outsize(x.shape[2 + d], k[d], s[d], p[d], cover_all) for d in range(nd)]
    # Extra padding on the right for the windows cover_all adds.
    extra = [max(s[d] * (outs[d] - 1) + k[d] - (x.shape[2 + d] + 2 * p[d]), 0) for d in range(nd)]
    widths = [(0, 0), (0, 0)] + [(p[d], p[d] + extra[d]) for d in range(nd)]
    values = x.astype(numpy.float64)
    fill = -numpy.inf if kind == 'max' else 0
    padded = numpy.pad(values, widths, constant_values=fill)
    inside = numpy.pad(numpy.ones(x.shape[2:]), widths[2:], constant_values=0)
    y = numpy.empty(x.shape[:2] + tuple(outs))
    for o in itertools.product(*[range(n) for n in outs]):
        window = tuple(slice(o[d] * s[d], o[d] * s[d] + k[d]) for d in range(nd))
        block = padded[(Ellipsis,) + window]
        if kind == 'max':
            y[(Ellipsis,) + o] = block.reshape(x.shape[:2] + (numpy.prod(k),)).max(axis=2, initial=-numpy.inf)
        else:
            count = inside[window].sum() if pad_mode == 'ignore' else numpy.prod(k)
            y[(Ellipsis,) + o] = block.reshape(x.shape[:2] + (numpy.prod(k),)).sum(axis=2) / count
    return y.astype(x.dtype)


def distinct_values(shape, dtype, seed=0):
    """Values with no two elements close (so that a max does not change under a small perturbation)."""
    n = int(numpy.prod(shape))
    values = numpy.random.RandomState(seed).permutation(n).astype(numpy.float64)
    return ((values - n / 2) / n * (2 if dtype != 'float16' else 8)).reshape(shape).astype(dtype)


def random_values(shape, dtype, seed=0):
    return numpy.random.RandomState(seed).uniform(-1, 1, shape).astype(dtype)


# (x shape, ksize, stride, pad, cover_all)
MAX_CASES = [
    ((2, 3, 6, 5), 2, None, 0, False),
    ((2, 3, 6, 5), 3, 2, 1, False),
    ((2, 3, 6, 5), 3, 2, 1, True),
    ((1, 2, 7, 7), (3, 2), (2, 1), (1, 0), True),
    ((2, 2, 9), 4, 3, 2, False),
    ((1, 2, 4, 5, 3), 2, 1, 0, False),
    ((1, 1, 5, 4, 3), (3, 2, 2), 2, (1, 1, 0), True),
    ((0, 2, 4, 4), 2, None, 0, False),
    ((2, 1, 1, 1), 1, None, 0, False),
]


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('shape,ksize,stride,pad,cover_all', MAX_CASES)
def test_max_pool(shape, ksize, stride, pad, cover_all, dtype):
    x = distinct_values(shape, dtype)
    y = chainerx.max_pool(chainerx.array(x), ksize, stride, pad, cover_all)
    expected = np_pool(x, ksize, stride, pad, 'max', cover_all)
    assert y.dtype == numpy.dtype(dtype)
    assert y.shape == expected.shape
    assert y.is_contiguous
    assert_allclose(y, expected, rtol=0, atol=0)


def test_max_pool_ties_and_nans():
    # The first maximum of a window (row-major) wins, and a NaN wins over numbers: the gradient goes there.
    x = chainerx.array(numpy.array([[[[1, 1, 5, numpy.nan], [1, 0, numpy.nan, 2]]]], 'float32')).require_grad()
    y = chainerx.max_pool(x, 2)
    numpy.testing.assert_array_equal(chainerx.to_numpy(y), numpy.array([[[[1, numpy.nan]]]], 'float32'))
    y.grad = chainerx.ones_like(y)
    y.backward()
    numpy.testing.assert_array_equal(chainerx.to_numpy(x.grad), [[[[1, 0, 0, 1], [0, 0, 0, 0]]]])


AVERAGE_CASES = [
    ((2, 3, 6, 5), 2, None, 0),
    ((2, 3, 6, 5), 3, 2, 1),
    ((1, 2, 7, 7), (3, 2), (2, 1), (1, 0)),
    ((2, 2, 9), 4, 3, 2),
    ((1, 2, 4, 5, 3), 2, 1, 1),
    ((0, 2, 4, 4), 2, None, 0),
]


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('pad_mode', ['ignore', 'zero'])
@pytest.mark.parametrize('shape,ksize,stride,pad', AVERAGE_CASES)
def test_average_pool(shape, ksize, stride, pad, pad_mode, dtype):
    x = random_values(shape, dtype)
    y = chainerx.average_pool(chainerx.array(x), ksize, stride, pad, pad_mode)
    expected = np_pool(x, ksize, stride, pad, 'average', pad_mode=pad_mode)
    assert y.dtype == numpy.dtype(dtype)
    assert y.shape == expected.shape
    tol = 2e-3 if dtype == 'float16' else 1e-6
    assert_allclose(y, expected, rtol=tol, atol=tol)


def test_defaults_and_keywords():
    x = random_values((1, 2, 4, 6), 'float32')
    y = chainerx.max_pool(chainerx.array(x), ksize=(2, 3))
    assert_allclose(y, np_pool(x, (2, 3), None, 0, 'max'))
    y = chainerx.average_pool(chainerx.array(x), ksize=2, stride=1, pad=1)
    assert_allclose(y, np_pool(x, 2, 1, 1, 'average'), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize('pool', ['max', 'average'])
def test_non_contiguous_input(pool):
    base = distinct_values((3, 2, 5, 6), 'float64')
    x = base.transpose(1, 0, 3, 2)[:, :, ::-1, ::2]  # (2, 3, 3, 5), negative and stepped strides
    cx = chainerx.array(base).transpose(1, 0, 3, 2)[:, :, ::-1, ::2]
    if pool == 'max':
        y = chainerx.max_pool(cx, 2, 1, 1)
    else:
        y = chainerx.average_pool(cx, 2, 1, 1)
    assert_allclose(y, np_pool(x, 2, 1, 1, pool), rtol=1e-12, atol=1e-12)


# (x shape, ksize, stride, pad, cover_all) for gradient checks: overlapping and non-overlapping windows.
GRAD_CASES = [
    ((2, 2, 5, 4), 2, None, 0, False),
    ((1, 2, 5, 5), 3, 2, 1, True),
    ((2, 1, 7), 3, 2, 1, False),
    ((1, 1, 3, 4, 3), 2, 1, (1, 0, 1), False),
]


@pytest.mark.parametrize('shape,ksize,stride,pad,cover_all', GRAD_CASES)
def test_max_pool_gradients(shape, ksize, stride, pad, cover_all):
    x = chainerx.array(distinct_values(shape, 'float64', seed=1))

    def f(v):
        return chainerx.max_pool(v, ksize, stride, pad, cover_all)
    y = f(x)
    gy = chainerx.array(random_values(y.shape, 'float64', seed=2))
    ggx = chainerx.array(random_values(shape, 'float64', seed=3))
    chainerx.check_backward(lambda xs: f(*xs), (x,), (gy,), eps=1e-6, atol=1e-6, rtol=1e-6)
    chainerx.check_double_backward(lambda xs: f(*xs), (x,), (gy,), (ggx,), eps=1e-6, atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize('pad_mode', ['ignore', 'zero'])
@pytest.mark.parametrize('shape,ksize,stride,pad,cover_all', GRAD_CASES)
def test_average_pool_gradients(shape, ksize, stride, pad, cover_all, pad_mode):
    x = chainerx.array(random_values(shape, 'float64', seed=1))

    def f(v):
        return chainerx.average_pool(v, ksize, stride, pad, pad_mode)
    y = f(x)
    gy = chainerx.array(random_values(y.shape, 'float64', seed=2))
    ggx = chainerx.array(random_values(shape, 'float64', seed=3))
    chainerx.check_backward(lambda xs: f(*xs), (x,), (gy,), eps=1e-6, atol=1e-6, rtol=1e-6)
    chainerx.check_double_backward(lambda xs: f(*xs), (x,), (gy,), (ggx,), eps=1e-6, atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize('pool', ['max', 'average'])
def test_gradient_values_float32(pool):
    x = distinct_values((2, 3, 4, 4), 'float32')
    cx = chainerx.array(x).require_grad()
    y = chainerx.max_pool(cx, 2) if pool == 'max' else chainerx.average_pool(cx, 2)
    y.backward()
    if pool == 'max':
        blocks = x.reshape(2, 3, 2, 2, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(2, 3, 2, 2, 4)
        expected = (blocks == blocks.max(axis=-1, keepdims=True)).astype('float32')
        expected = expected.reshape(2, 3, 2, 2, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(2, 3, 4, 4)
    else:
        expected = numpy.full(x.shape, 0.25, 'float32')
    assert cx.grad.dtype == numpy.float32
    assert_allclose(cx.grad, expected)


def test_float16_gradient():
    x = chainerx.array(distinct_values((1, 2, 4, 4), 'float16')).require_grad()
    chainerx.sum(chainerx.average_pool(x, 2, 1, 1) * chainerx.max_pool(x, 2, 1, 1)).backward()
    assert x.grad.dtype == numpy.float16 and x.grad.shape == x.shape


@pytest.mark.parametrize('pool', [chainerx.max_pool, chainerx.average_pool])
def test_errors(pool):
    x = chainerx.ones((1, 2, 4, 4), 'float32')
    with pytest.raises(chainerx.DtypeError):
        pool(chainerx.ones((1, 2, 4, 4), 'int32'), 2)
    with pytest.raises(chainerx.DimensionError):
        pool(chainerx.ones((2, 4), 'float32'), 2)  # no spatial axis
    with pytest.raises(chainerx.DimensionError):
        pool(x, (2, 2, 2))  # ksize for 3 spatial axes
    with pytest.raises(chainerx.DimensionError):
        pool(x, 2, stride=(1, 1, 1))
    with pytest.raises(chainerx.DimensionError):
        pool(x, 5)  # window larger than the input
    with pytest.raises(chainerx.DimensionError):
        pool(x, 2, stride=0)
    with pytest.raises(chainerx.DimensionError):
        pool(x, 0)
    with pytest.raises(chainerx.DimensionError):
        pool(x, 2, pad=-1)
    with pytest.raises(TypeError):
        pool(x, 'a')


def test_bad_pad_mode():
    with pytest.raises(ValueError):
        chainerx.average_pool(chainerx.ones((1, 1, 4, 4), 'float32'), 2, pad_mode='edge')
