"""Activations and the softmax family against NumPy references: relu, sigmoid, leaky_relu, elu,
clipped_relu, crelu, softplus, gelu, silu, logsumexp, softmax, log_softmax.

Each activation is one row of a table (ACTIVATIONS): its chainerx call, a float64 NumPy reference
and the points where it has a kink (kept away from in gradient checks). Results must match the
reference in value, dtype (integers and bool compute in float32, as ChainerX) and NumPy's output
strides; gradients and second gradients are checked numerically.
"""
import math

import numpy
import pytest

import chainerx
from tolerances import DOUBLE_GRAD_TOLERANCES, GRAD_TOLERANCES

FLOAT_DTYPES = ['float16', 'float32', 'float64']
TOLERANCES = {'float16': dict(rtol=2e-3, atol=2e-3), 'float32': dict(rtol=2e-6, atol=1e-6),
              'float64': dict(rtol=1e-12, atol=1e-13)}

_erf = numpy.vectorize(math.erf, otypes=['float64'])


def _sigmoid(x):
    return numpy.where(x >= 0, 1 / (1 + numpy.exp(-numpy.abs(x))),
                       numpy.exp(-numpy.abs(x)) / (1 + numpy.exp(-numpy.abs(x))))


class Act:
    def __init__(self, name, chx, ref, kinks=()):
        self.name = name
        self.chx = chx
        self.ref = ref
        self.kinks = kinks

    def __repr__(self):
        return self.name


ACTIVATIONS = [
    Act('relu', chainerx.relu, lambda x: numpy.maximum(x, 0), kinks=(0,)),
    Act('sigmoid', chainerx.sigmoid, _sigmoid),
    Act('leaky_relu', chainerx.leaky_relu, lambda x: numpy.where(x >= 0, x, 0.2 * x), kinks=(0,)),
    Act('leaky_relu_slope', lambda x: chainerx.leaky_relu(x, slope=0.5), lambda x: numpy.where(x >= 0, x, 0.5 * x),
        kinks=(0,)),
    Act('elu', chainerx.elu, lambda x: numpy.where(x > 0, x, numpy.expm1(x)), kinks=(0,)),
    Act('elu_alpha', lambda x: chainerx.elu(x, 0.5), lambda x: numpy.where(x > 0, x, 0.5 * numpy.expm1(x)), kinks=(0,)),
    Act('clipped_relu', chainerx.clipped_relu, lambda x: numpy.clip(x, 0, 20), kinks=(0,)),
    Act('clipped_relu_z', lambda x: chainerx.clipped_relu(x, z=1.0), lambda x: numpy.clip(x, 0, 1.0), kinks=(0, 1)),
    Act('softplus', chainerx.softplus, lambda x: numpy.logaddexp(0, x)),
    Act('softplus_beta', lambda x: chainerx.softplus(x, beta=2.0), lambda x: numpy.logaddexp(0, 2 * x) / 2),
    Act('gelu', chainerx.gelu, lambda x: 0.5 * x * (1 + _erf(x / numpy.sqrt(2)))),
    Act('silu', chainerx.silu, lambda x: x * _sigmoid(x)),
]


def _values(shape, dtype, seed=0, low=-3, high=3, kinks=()):
    values = numpy.random.RandomState(seed).uniform(low, high, shape)
    for k in kinks:  # keep numerical differences away from kinks
        near = numpy.abs(values - k) < 0.2
        values[near] = k + 0.2 * numpy.sign(values[near] - k + 1e-9)
    return values.astype(dtype)


def _check(actual, expected, dtype):
    assert actual.dtype == numpy.dtype(dtype)
    assert actual.shape == expected.shape
    numpy.testing.assert_allclose(chainerx.to_numpy(actual), expected.astype(dtype), **TOLERANCES[dtype])


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('op', ACTIVATIONS, ids=repr)
def test_activation_values(op, dtype):
    x = _values((3, 4), dtype)
    x.flat[:4] = [0, -0.0, 30, -30]  # exact zeros and saturation
    y = op.chx(chainerx.array(x))
    _check(y, op.ref(x.astype('float64')), dtype)


LAYOUTS = [
    ((), lambda a: a), ((0,), lambda a: a), ((2, 0, 3), lambda a: a), ((4, 3), lambda a: a.T),
    ((3, 5), lambda a: a[:, ::-2]), ((2, 3, 4), lambda a: a.transpose(1, 0, 2)[::-1]),
]


@pytest.mark.parametrize('op', ACTIVATIONS, ids=repr)
@pytest.mark.parametrize('shape,view', LAYOUTS)
def test_activation_shapes_and_layouts(op, shape, view):
    x = view(_values(shape, 'float32'))
    y = op.chx(chainerx.array(x, copy=False))
    _check(y, op.ref(x.astype('float64')), 'float32')
    assert y.strides == numpy.empty_like(x).strides


@pytest.mark.parametrize('dtype', ['bool', 'int8', 'uint8', 'int32', 'int64'])
@pytest.mark.parametrize('op', ACTIVATIONS, ids=repr)
def test_activation_of_integers_gives_float32(op, dtype):
    x = numpy.array([[0, 1, 2], [1, 0, 3]]).astype(dtype)
    y = op.chx(chainerx.array(x))
    _check(y, op.ref(x.astype('float64')), 'float32')


def test_activation_nan_propagates():
    x = chainerx.array([numpy.nan, 1.0])
    for op in ACTIVATIONS:
        assert numpy.isnan(chainerx.to_numpy(op.chx(x))[0]), op.name


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('op', ACTIVATIONS, ids=repr)
def test_activation_gradients(op, dtype):
    x = chainerx.array(_values((2, 3), dtype, seed=1, kinks=op.kinks))
    gy = chainerx.array(_values((2, 3), dtype, seed=2, low=-1, high=1))
    ggx = chainerx.array(_values((2, 3), dtype, seed=3, low=-1, high=1))
    chainerx.check_backward(lambda xs: op.chx(*xs), (x,), (gy,), **GRAD_TOLERANCES[dtype])
    chainerx.check_double_backward(lambda xs: op.chx(*xs), (x,), (gy,), (ggx,), **DOUBLE_GRAD_TOLERANCES[dtype])


def test_relu_gradient_values():
    x = chainerx.array([-2.0, -0.5, 0.5, 2.0]).require_grad()
    chainerx.relu(x).backward()
    numpy.testing.assert_array_equal(chainerx.to_numpy(x.grad), [0, 0, 1, 1])


def test_activation_rejects_non_arrays():
    for op in ACTIVATIONS:
        with pytest.raises(TypeError):
            op.chx([1.0, 2.0])


def test_activation_defaults_match_chainerx():
    x = chainerx.array([-50.0, -1.0, 25.0])
    numpy.testing.assert_allclose(chainerx.to_numpy(chainerx.leaky_relu(x)), [-10.0, -0.2, 25.0])
    numpy.testing.assert_allclose(chainerx.to_numpy(chainerx.clipped_relu(x)), [0.0, 0.0, 20.0])


# ---- crelu ---------------------------------------------------------------------------------------

@pytest.mark.parametrize('shape,axis', [((2, 3), 1), ((2, 3), 0), ((2, 3, 4), -1), ((2, 0), 1)])
def test_crelu(shape, axis):
    x = _values(shape, 'float32')
    y = chainerx.crelu(chainerx.array(x), axis=axis) if axis != 1 else chainerx.crelu(chainerx.array(x))
    _check(y, numpy.maximum(numpy.concatenate([x, -x], axis=axis), 0).astype('float64'), 'float32')


def test_crelu_gradients_and_errors():
    x = chainerx.array(_values((2, 3), 'float64', seed=4, kinks=(0,)))
    gy = chainerx.array(_values((2, 6), 'float64', seed=5))
    chainerx.check_backward(lambda xs: chainerx.crelu(*xs), (x,), (gy,), **GRAD_TOLERANCES['float64'])
    assert chainerx.crelu(chainerx.array([[1, -2]], 'int32')).dtype == numpy.float32
    with pytest.raises(chainerx.DimensionError):
        chainerx.crelu(chainerx.array([1.0, 2.0]))  # default axis 1 of a 1-d array


# ---- softmax family ------------------------------------------------------------------------------

def _np_logsumexp(x, axis=None, keepdims=False):
    m = numpy.max(x, axis=axis, keepdims=True)
    m = numpy.where(numpy.isfinite(m), m, 0)
    out = numpy.log(numpy.sum(numpy.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else numpy.squeeze(out, axis=axis)


def _np_log_softmax(x, axis):
    return x - _np_logsumexp(x, axis=axis, keepdims=True)


def _np_softmax(x, axis):
    return numpy.exp(_np_log_softmax(x, axis))


AXES = [((3, 4), None), ((3, 4), 1), ((3, 4), 0), ((3, 4), -1), ((2, 3, 4), (1, 2)), ((2, 3, 4), (0, 2)),
        ((2, 3, 4), 1), ((5, 1), None)]


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('shape,axis', AXES)
def test_softmax_family_values(shape, axis, dtype):
    x = _values(shape, dtype, seed=6)
    xc = chainerx.array(x)
    x64 = x.astype('float64')
    default = 1 if axis is None else axis  # softmax and log_softmax: ChainerX's default axis is 1
    _check(chainerx.softmax(xc, axis=axis), _np_softmax(x64, default), dtype)
    _check(chainerx.log_softmax(xc, axis=axis), _np_log_softmax(x64, default), dtype)
    _check(chainerx.logsumexp(xc, axis=axis), _np_logsumexp(x64, axis), dtype)
    _check(chainerx.logsumexp(xc, axis=axis, keepdims=True), _np_logsumexp(x64, axis, keepdims=True), dtype)


def test_softmax_defaults_and_positional_axis():
    x = _values((2, 3, 4), 'float64', seed=7)
    xc = chainerx.array(x)
    numpy.testing.assert_allclose(chainerx.to_numpy(chainerx.softmax(xc)), _np_softmax(x, 1), rtol=1e-12)
    numpy.testing.assert_allclose(chainerx.to_numpy(chainerx.log_softmax(xc, 2)), _np_log_softmax(x, 2), rtol=1e-12)
    numpy.testing.assert_allclose(chainerx.to_numpy(chainerx.logsumexp(xc)), _np_logsumexp(x), rtol=1e-12)
    assert chainerx.logsumexp(xc).shape == ()


def test_softmax_family_is_stable():
    x = numpy.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0], [-numpy.inf, 0.0, 1.0]])
    xc = chainerx.array(x)
    numpy.testing.assert_allclose(chainerx.to_numpy(chainerx.softmax(xc)), _np_softmax(x, 1), rtol=1e-12)
    numpy.testing.assert_allclose(chainerx.to_numpy(chainerx.log_softmax(xc)), _np_log_softmax(x, 1), rtol=1e-12)
    numpy.testing.assert_allclose(chainerx.to_numpy(chainerx.logsumexp(xc, axis=1)), _np_logsumexp(x, 1), rtol=1e-12)
    lse = chainerx.to_numpy(chainerx.logsumexp(chainerx.array([[-numpy.inf, -numpy.inf], [numpy.inf, 0.0]]), axis=1))
    assert lse[0] == -numpy.inf and lse[1] == numpy.inf


def test_softmax_family_integers_and_layouts():
    x = numpy.arange(12).reshape(3, 4) % 5
    for func, ref in ((chainerx.softmax, _np_softmax), (chainerx.log_softmax, _np_log_softmax)):
        y = func(chainerx.array(x.astype('int32')))
        _check(y, ref(x.astype('float64'), 1), 'float32')
        xt = _values((4, 3), 'float32', seed=8).T
        _check(func(chainerx.array(xt, copy=False)), ref(xt.astype('float64'), 1), 'float32')
    _check(chainerx.logsumexp(chainerx.array(x.astype('int8'))), _np_logsumexp(x.astype('float64')), 'float32')


SOFTMAX_FUNCS = [
    ('softmax', lambda x: chainerx.softmax(x)), ('softmax_axis0', lambda x: chainerx.softmax(x, axis=0)),
    ('log_softmax', lambda x: chainerx.log_softmax(x)),
    ('log_softmax_tuple', lambda x: chainerx.log_softmax(x, axis=(0, 1))),
    ('logsumexp', lambda x: chainerx.logsumexp(x)), ('logsumexp_axis', lambda x: chainerx.logsumexp(x, axis=1)),
    ('logsumexp_keepdims', lambda x: chainerx.logsumexp(x, axis=0, keepdims=True)),
]


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('name,func', SOFTMAX_FUNCS, ids=[row[0] for row in SOFTMAX_FUNCS])
def test_softmax_family_gradients(name, func, dtype):
    x = chainerx.array(_values((2, 3), dtype, seed=9, low=-1, high=1))
    y = func(x)
    gy = chainerx.array(_values(y.shape, dtype, seed=10, low=-1, high=1))
    ggx = chainerx.array(_values((2, 3), dtype, seed=11, low=-1, high=1))
    chainerx.check_backward(lambda xs: func(*xs), (x,), (gy,), **GRAD_TOLERANCES[dtype])
    chainerx.check_double_backward(lambda xs: func(*xs), (x,), (gy,), (ggx,), **DOUBLE_GRAD_TOLERANCES[dtype])


def test_softmax_family_errors():
    x = chainerx.array(_values((2, 3), 'float32'))
    for func in (chainerx.softmax, chainerx.log_softmax):
        with pytest.raises(chainerx.DimensionError):
            func(chainerx.array([1.0, 2.0]))  # default axis 1 of a 1-d array
        with pytest.raises(chainerx.DimensionError):
            func(x, axis=2)
        with pytest.raises(chainerx.DimensionError):
            func(x, axis=(1, 1))
    with pytest.raises(chainerx.DimensionError):
        chainerx.logsumexp(x, axis=-3)
    with pytest.raises(chainerx.DimensionError):
        chainerx.logsumexp(chainerx.zeros((2, 0)), axis=1)  # an empty reduction has no maximum
    with pytest.raises(TypeError):
        chainerx.softmax(numpy.ones((2, 2)))
