"""Losses and accuracy against NumPy references: absolute_error, squared_error,
gaussian_kl_divergence, huber_loss, sigmoid_cross_entropy, softmax_cross_entropy, hinge and accuracy.

All losses are unreduced as ChainerX's (elementwise, or per sample for softmax_cross_entropy);
values, dtypes, gradients, second gradients and the errors for bad shapes and dtypes are checked.
"""
import numpy
import pytest

import chainerx
from tolerances import DOUBLE_GRAD_TOLERANCES, GRAD_TOLERANCES

FLOAT_DTYPES = ['float16', 'float32', 'float64']
TOLERANCES = {'float16': dict(rtol=5e-3, atol=5e-3), 'float32': dict(rtol=1e-5, atol=1e-6),
              'float64': dict(rtol=1e-12, atol=1e-13)}


def _values(shape, dtype, seed=0, low=-2, high=2):
    return numpy.random.RandomState(seed).uniform(low, high, shape).astype(dtype)


def _labels(n, k, seed=0, dtype='int32'):
    return numpy.random.RandomState(seed).randint(0, k, n).astype(dtype)


def _check(actual, expected, dtype):
    assert actual.dtype == numpy.dtype(dtype)
    assert actual.shape == expected.shape
    numpy.testing.assert_allclose(chainerx.to_numpy(actual), expected.astype(dtype), **TOLERANCES[dtype])


def _np_log_softmax(x):
    m = x.max(axis=1, keepdims=True)
    return x - m - numpy.log(numpy.exp(x - m).sum(axis=1, keepdims=True))


def _np_huber(a, b, delta):
    d = a - b
    return numpy.where(numpy.abs(d) < delta, 0.5 * d * d, delta * (numpy.abs(d) - 0.5 * delta))


# (name, chainerx function of two float arrays, reference, second input's domain)
ELEMENTWISE = [
    ('absolute_error', chainerx.absolute_error, lambda a, b: numpy.abs(a - b), (-2, 2)),
    ('squared_error', chainerx.squared_error, lambda a, b: (a - b) ** 2, (-2, 2)),
    ('gaussian_kl_divergence', chainerx.gaussian_kl_divergence,
     lambda m, v: 0.5 * (m * m + numpy.exp(v) - v - 1), (-1, 1)),
    ('huber_loss', lambda a, b: chainerx.huber_loss(a, b, 1.0), lambda a, b: _np_huber(a, b, 1.0), (-2, 2)),
    ('huber_loss_delta', lambda a, b: chainerx.huber_loss(a, b, delta=0.5), lambda a, b: _np_huber(a, b, 0.5),
     (-2, 2)),
]


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('name,func,ref,domain', ELEMENTWISE, ids=[row[0] for row in ELEMENTWISE])
@pytest.mark.parametrize('shape', [(), (0,), (2, 3), (3, 1, 2)])
def test_elementwise_losses(name, func, ref, domain, dtype, shape):
    a = _values(shape, dtype, seed=1)
    b = _values(shape, dtype, seed=2, low=domain[0], high=domain[1])
    y = func(chainerx.array(a), chainerx.array(b))
    _check(y, ref(a.astype('float64'), b.astype('float64')), dtype)


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('name,func,ref,domain', ELEMENTWISE, ids=[row[0] for row in ELEMENTWISE])
def test_elementwise_loss_gradients(name, func, ref, domain, dtype):
    a = _values((2, 3), dtype, seed=3)
    b = _values((2, 3), dtype, seed=4, low=domain[0], high=domain[1])
    if name != 'gaussian_kl_divergence':  # keep |a - b| away from the kinks at 0 and delta
        d = a.astype('float64') - b
        b = numpy.where((numpy.abs(d) < 0.15) | (numpy.abs(numpy.abs(d) - 1.0) < 0.15)
                        | (numpy.abs(numpy.abs(d) - 0.5) < 0.15), a - 0.75, b).astype(dtype)
    gy = chainerx.array(_values((2, 3), dtype, seed=5, low=-1, high=1))
    gga, ggb = chainerx.array(_values((2, 3), dtype, seed=6)), chainerx.array(_values((2, 3), dtype, seed=7))
    args = (chainerx.array(a), chainerx.array(b))
    chainerx.check_backward(lambda xs: func(*xs), args, (gy,), **GRAD_TOLERANCES[dtype])
    chainerx.check_double_backward(lambda xs: func(*xs), args, (gy,), (gga, ggb), **DOUBLE_GRAD_TOLERANCES[dtype])


def test_elementwise_losses_broadcast():
    a, b = _values((2, 3), 'float64', seed=8), _values((3,), 'float64', seed=9)
    _check(chainerx.squared_error(chainerx.array(a), chainerx.array(b)), (a - b) ** 2, 'float64')
    with pytest.raises(chainerx.DimensionError):
        chainerx.absolute_error(chainerx.array(a), chainerx.array(_values((2,), 'float64')))


# ---- sigmoid_cross_entropy --------------------------------------------------------------------------

def _np_sigmoid_cross_entropy(x, t):
    loss = numpy.logaddexp(0, x) - x * t  # -(t log s + (1 - t) log(1 - s))
    return numpy.where(t == -1, 0, loss)


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('label_dtype', ['int8', 'int32', 'int64'])
def test_sigmoid_cross_entropy(dtype, label_dtype):
    x = _values((4, 3), dtype, seed=10, low=-5, high=5)
    x[0, 0] = 0
    t = numpy.random.RandomState(11).randint(-1, 2, (4, 3)).astype(label_dtype)
    y = chainerx.sigmoid_cross_entropy(chainerx.array(x), chainerx.array(t))
    _check(y, _np_sigmoid_cross_entropy(x.astype('float64'), t), dtype)


def test_sigmoid_cross_entropy_large_logits_and_gradients():
    x = numpy.array([[-800.0, 800.0], [50.0, -50.0]])
    t = numpy.array([[1, 0], [1, 0]], 'int32')
    _check(chainerx.sigmoid_cross_entropy(chainerx.array(x), chainerx.array(t)), _np_sigmoid_cross_entropy(x, t),
           'float64')
    xs = chainerx.array(_values((3, 2), 'float64', seed=12))
    ts = chainerx.array(numpy.array([[1, 0], [-1, 1], [0, -1]], 'int32'))
    gy = chainerx.array(_values((3, 2), 'float64', seed=13))

    def func(v):
        return chainerx.sigmoid_cross_entropy(v, ts)
    chainerx.check_backward(lambda xs: func(*xs), (xs,), (gy,), **GRAD_TOLERANCES['float64'])
    chainerx.check_double_backward(lambda xs: func(*xs), (xs,), (gy,), (chainerx.array(_values((3, 2), 'float64', seed=14)),),
                                   **DOUBLE_GRAD_TOLERANCES['float64'])


def test_sigmoid_cross_entropy_errors():
    x = chainerx.array(_values((2, 3), 'float32'))
    with pytest.raises(chainerx.DimensionError):
        chainerx.sigmoid_cross_entropy(x, chainerx.zeros((3,), 'int32'))
    with pytest.raises(chainerx.DtypeError):
        chainerx.sigmoid_cross_entropy(x, chainerx.zeros((2, 3), 'float32'))


# ---- softmax_cross_entropy --------------------------------------------------------------------------

@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('label_dtype', ['int8', 'uint8', 'int32', 'int64'])
@pytest.mark.parametrize('n,k', [(5, 3), (1, 1), (0, 4), (4, 10)])
def test_softmax_cross_entropy(dtype, label_dtype, n, k):
    x = _values((n, k), dtype, seed=15, low=-4, high=4)
    t = _labels(n, k, seed=16, dtype=label_dtype)
    y = chainerx.softmax_cross_entropy(chainerx.array(x), chainerx.array(t))
    expected = -_np_log_softmax(x.astype('float64'))[numpy.arange(n), t]
    _check(y, expected, dtype)


def test_softmax_cross_entropy_out_of_range_labels_and_stability():
    x = numpy.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0], [0.5, 0.5, 0.5]])
    t = numpy.array([2, -1, 3], 'int32')  # labels outside [0, K) contribute nothing, as ChainerX
    y = chainerx.to_numpy(chainerx.softmax_cross_entropy(chainerx.array(x), chainerx.array(t)))
    numpy.testing.assert_allclose(y, [2000.0, 0.0, 0.0])


def test_softmax_cross_entropy_layouts_and_integers():
    x = _values((4, 3), 'float32', seed=17).T  # (3, 4), F-contiguous
    t = _labels(3, 4, seed=18)
    y = chainerx.softmax_cross_entropy(chainerx.array(x, copy=False), chainerx.array(t))
    _check(y, -_np_log_softmax(x.astype('float64'))[numpy.arange(3), t], 'float32')
    xi = numpy.array([[1, 2], [3, 1]], 'int32')
    yi = chainerx.softmax_cross_entropy(chainerx.array(xi), chainerx.array([0, 1]))
    _check(yi, -_np_log_softmax(xi.astype('float64'))[[0, 1], [0, 1]], 'float32')


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
def test_softmax_cross_entropy_gradients(dtype):
    x = chainerx.array(_values((3, 4), dtype, seed=19, low=-1, high=1))
    t = chainerx.array(_labels(3, 4, seed=20))
    gy = chainerx.array(_values((3,), dtype, seed=21, low=-1, high=1))
    ggx = chainerx.array(_values((3, 4), dtype, seed=22, low=-1, high=1))

    def func(v):
        return chainerx.softmax_cross_entropy(v, t)
    chainerx.check_backward(lambda xs: func(*xs), (x,), (gy,), **GRAD_TOLERANCES[dtype])
    chainerx.check_double_backward(lambda xs: func(*xs), (x,), (gy,), (ggx,), **DOUBLE_GRAD_TOLERANCES[dtype])


def test_softmax_cross_entropy_gradient_is_softmax_minus_one_hot():
    x = _values((3, 4), 'float64', seed=23)
    t = _labels(3, 4, seed=24)
    xc = chainerx.array(x).require_grad()
    chainerx.softmax_cross_entropy(xc, chainerx.array(t)).sum().backward()
    expected = numpy.exp(_np_log_softmax(x))
    expected[numpy.arange(3), t] -= 1
    numpy.testing.assert_allclose(chainerx.to_numpy(xc.grad), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize('func', [chainerx.softmax_cross_entropy, chainerx.hinge])
def test_classification_loss_errors(func):
    x = chainerx.array(_values((2, 3), 'float32'))
    t = chainerx.array([0, 1], 'int32')
    with pytest.raises(chainerx.DimensionError):
        func(chainerx.array(_values((2, 3, 1), 'float32')), t)
    with pytest.raises(chainerx.DimensionError):
        func(chainerx.array(_values((3,), 'float32')), t)
    with pytest.raises(chainerx.DimensionError):
        func(x, chainerx.array([[0, 1]], 'int32'))
    with pytest.raises(chainerx.DimensionError):
        func(x, chainerx.array([0, 1, 2], 'int32'))
    with pytest.raises(chainerx.DtypeError):
        func(x, chainerx.array([0.0, 1.0]))
    with pytest.raises(TypeError):
        func(x, [0, 1])


# ---- hinge ------------------------------------------------------------------------------------------

def _np_hinge(x, t, norm):
    one_hot = numpy.arange(x.shape[1])[None, :] == t[:, None]
    return numpy.maximum(0, numpy.where(one_hot, 1 - x, 1 + x)) ** norm


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('norm', [None, 1.0, 2.0])
def test_hinge(dtype, norm):
    x = _values((5, 4), dtype, seed=25)
    t = _labels(5, 4, seed=26)
    xc, tc = chainerx.array(x), chainerx.array(t)
    y = chainerx.hinge(xc, tc) if norm is None else chainerx.hinge(xc, tc, norm=norm)
    _check(y, _np_hinge(x.astype('float64'), t, 1.0 if norm is None else norm), dtype)


@pytest.mark.parametrize('norm', [1.0, 2.0])
def test_hinge_gradients(norm):
    x = _values((3, 4), 'float64', seed=27)
    x = numpy.where(numpy.abs(numpy.abs(x) - 1) < 0.15, 0.5, x)  # away from the kink at |x| = 1
    t = chainerx.array(_labels(3, 4, seed=28))
    gy = chainerx.array(_values((3, 4), 'float64', seed=29))

    def func(v):
        return chainerx.hinge(v, t, norm)
    chainerx.check_backward(lambda xs: func(*xs), (chainerx.array(x),), (gy,), **GRAD_TOLERANCES['float64'])
    chainerx.check_double_backward(lambda xs: func(*xs), (chainerx.array(x),), (gy,), (chainerx.array(_values((3, 4), 'float64')),),
                                   **DOUBLE_GRAD_TOLERANCES['float64'])


# ---- accuracy ---------------------------------------------------------------------------------------

def _np_accuracy(y, t, ignore_label=None):
    pred = y.argmax(axis=1).reshape(t.shape)
    if ignore_label is None:
        return numpy.mean(pred == t)
    keep = t != ignore_label
    return numpy.sum((pred == t) & keep) / keep.sum() if keep.sum() else 0.0


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('shape', [(10, 3), (6, 4, 2), (1, 5)])
@pytest.mark.parametrize('ignore_label', [None, -1, 0])
def test_accuracy(dtype, shape, ignore_label):
    y = _values(shape, dtype, seed=30)
    t_shape = (shape[0],) + shape[2:]
    t = numpy.random.RandomState(31).randint(-1, shape[1], t_shape).astype('int32')
    yc, tc = chainerx.array(y), chainerx.array(t)
    a = chainerx.accuracy(yc, tc) if ignore_label is None else chainerx.accuracy(yc, tc, ignore_label=ignore_label)
    assert a.shape == () and a.dtype == numpy.dtype(dtype)
    numpy.testing.assert_allclose(chainerx.to_numpy(a), _np_accuracy(y, t, ignore_label), rtol=1e-3)


def test_accuracy_all_ignored_and_not_differentiable():
    y = chainerx.array(_values((3, 2), 'float32')).require_grad()
    t = chainerx.array([-1, -1, -1], 'int32')
    a = chainerx.accuracy(y, t, -1)
    assert float(a) == 0.0 and a.dtype == numpy.float32
    assert not a.is_backprop_required()


def test_accuracy_errors():
    y = chainerx.array(_values((3, 2), 'float32'))
    with pytest.raises(chainerx.DtypeError):
        chainerx.accuracy(chainerx.array([[1, 2], [3, 4], [5, 6]], 'int32'), chainerx.array([0, 1, 0]))
    with pytest.raises(chainerx.DtypeError):
        chainerx.accuracy(y, chainerx.array([0.0, 1.0, 0.0]))
    with pytest.raises(chainerx.DimensionError):
        chainerx.accuracy(y, chainerx.array([0, 1], 'int32'))
    with pytest.raises(chainerx.DimensionError):
        chainerx.accuracy(chainerx.array([0.5, 0.2, 0.3]), chainerx.array([0, 1, 0]))
    with pytest.raises(chainerx.DimensionError):
        chainerx.accuracy(y, chainerx.array([[0, 1, 0]], 'int32'))
