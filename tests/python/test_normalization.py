"""batch_norm, fixed_batch_norm and layer_norm against NumPy references (Chainer's
batch_normalization / fixed_batch_normalization semantics), the running statistics update,
gradients, double gradients and bad inputs."""
import numpy
import pytest

import chainerx
from chainerx.testing import assert_allclose

FLOAT_DTYPES = ['float16', 'float32', 'float64']
FORWARD_TOL = {'float16': 3e-3, 'float32': 1e-5, 'float64': 1e-10}


def random_values(shape, dtype, low=-1.0, high=1.0, seed=0):
    return numpy.random.RandomState(seed).uniform(low, high, shape).astype(dtype)


def _axes(ndim, axis, gamma_ndim):
    if axis is None:  # Chainer's rule: the batch axis and the axes after those gamma covers
        return (0,) + tuple(range(1 + gamma_ndim, ndim))
    return tuple(sorted(a % ndim for a in ((axis,) if isinstance(axis, int) else axis)))


def _kept_shape(shape, axes):
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def np_batch_norm(x, gamma, beta, eps, axis):
    axes = _axes(x.ndim, axis, gamma.ndim)
    kept = _kept_shape(x.shape, axes)
    x64 = x.astype(numpy.float64)
    mean = x64.mean(axis=axes, keepdims=True)
    var = x64.var(axis=axes, keepdims=True)
    g, b = gamma.astype(numpy.float64).reshape(kept), beta.astype(numpy.float64).reshape(kept)
    return ((x64 - mean) / numpy.sqrt(var + eps) * g + b).astype(x.dtype), mean, var


def np_fixed_batch_norm(x, gamma, beta, mean, var, eps, axis):
    kept = _kept_shape(x.shape, _axes(x.ndim, axis, gamma.ndim))
    f = lambda a: a.astype(numpy.float64).reshape(kept)  # noqa: E731
    return ((x.astype(numpy.float64) - f(mean)) / numpy.sqrt(f(var) + eps) * f(gamma) + f(beta)).astype(x.dtype)


def np_layer_norm(x, gamma, beta, eps):
    x64 = x.astype(numpy.float64)
    mean = x64.mean(axis=-1, keepdims=True)
    var = x64.var(axis=-1, keepdims=True)
    return ((x64 - mean) / numpy.sqrt(var + eps) * gamma + beta).astype(x.dtype)


# (x shape, axis, parameter shape)
BN_CASES = [
    ((5, 3), None, (3,)),
    ((4, 3, 2, 2), (0, 2, 3), (3,)),
    ((4, 3, 2, 2), None, (3,)),
    ((4, 3, 2, 2), (0, 2, 3), (1, 3, 1, 1)),
    ((4, 3, 2), None, (3, 2)),
    ((3, 4, 5), (0, -1), (4,)),
    ((2, 3, 4), (1,), (2, 4)),
]


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('shape,axis,param_shape', BN_CASES)
def test_batch_norm(shape, axis, param_shape, dtype):
    x = random_values(shape, dtype, -2, 3)
    gamma = random_values(param_shape, dtype, 0.5, 1.5, seed=1)
    beta = random_values(param_shape, dtype, seed=2)
    running_mean = random_values(param_shape, dtype, seed=3)
    running_var = random_values(param_shape, dtype, 0.5, 1, seed=4)
    cmean, cvar = chainerx.array(running_mean), chainerx.array(running_var)
    eps, decay = 1e-3, 0.8
    y = chainerx.batch_norm(chainerx.array(x), chainerx.array(gamma), chainerx.array(beta), cmean, cvar, eps=eps,
                            decay=decay, axis=axis)
    expected, mean, var = np_batch_norm(x, gamma, beta, eps, axis)
    assert y.dtype == numpy.dtype(dtype) and y.shape == shape
    tol = FORWARD_TOL[dtype]
    assert_allclose(y, expected, rtol=tol * 10, atol=tol * 10)
    # Running statistics: decayed towards the batch mean and the unbiased batch variance.
    n = x.size // gamma.size
    new_mean = decay * running_mean + (1 - decay) * mean.reshape(param_shape)
    new_var = decay * running_var + (1 - decay) * var.reshape(param_shape) * n / (n - 1)
    assert cmean.dtype == numpy.dtype(dtype) and cmean.shape == param_shape
    assert_allclose(cmean, new_mean.astype(dtype), rtol=tol * 10, atol=tol * 10)
    assert_allclose(cvar, new_var.astype(dtype), rtol=tol * 10, atol=tol * 10)


def test_batch_norm_defaults():
    x = random_values((6, 4), 'float64')
    gamma, beta = numpy.ones(4), numpy.zeros(4)
    rm, rv = chainerx.zeros((4,), 'float64'), chainerx.ones((4,), 'float64')
    y = chainerx.batch_norm(chainerx.array(x), chainerx.array(gamma), chainerx.array(beta), rm, rv)
    assert_allclose(y, np_batch_norm(x, gamma, beta, 2e-5, None)[0], rtol=1e-10, atol=1e-10)
    assert_allclose(rm, 0.1 * x.mean(axis=0), rtol=1e-12, atol=1e-12)
    assert_allclose(rv, 0.9 + 0.1 * x.var(axis=0, ddof=1), rtol=1e-12, atol=1e-12)


def test_batch_norm_non_contiguous():
    base = random_values((4, 6, 5), 'float64')
    x = base.transpose(2, 1, 0)[:, ::-2]  # (5, 3, 4)
    cx = chainerx.array(base).transpose(2, 1, 0)[:, ::-2]
    gamma, beta = random_values((3,), 'float64', seed=1), random_values((3,), 'float64', seed=2)
    rm, rv = chainerx.zeros((3,), 'float64'), chainerx.ones((3,), 'float64')
    y = chainerx.batch_norm(cx, chainerx.array(gamma), chainerx.array(beta), rm, rv, axis=(0, 2))
    assert_allclose(y, np_batch_norm(x, gamma, beta, 2e-5, (0, 2))[0], rtol=1e-10, atol=1e-10)


FIXED_CASES = [((5, 3), None, (3,)), ((4, 3, 2, 2), (0, 2, 3), (3,)), ((4, 3, 2, 2), None, (3, 2, 2)),
               ((2, 3, 4), (1,), (2, 4))]


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('shape,axis,param_shape', FIXED_CASES)
def test_fixed_batch_norm(shape, axis, param_shape, dtype):
    x = random_values(shape, dtype, -2, 3)
    params = [random_values(param_shape, dtype, 0.5, 1.5, seed=i) for i in range(1, 5)]
    y = chainerx.fixed_batch_norm(chainerx.array(x), *[chainerx.array(p) for p in params], eps=1e-3, axis=axis)
    assert y.dtype == numpy.dtype(dtype) and y.shape == shape
    tol = FORWARD_TOL[dtype] * 10
    assert_allclose(y, np_fixed_batch_norm(x, *params, 1e-3, axis), rtol=tol, atol=tol)


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('shape', [(4, 5), (2, 3, 6), (7,)])
def test_layer_norm(shape, dtype):
    x = random_values(shape, dtype, -2, 3)
    gamma = random_values(shape[-1:], dtype, 0.5, 1.5, seed=1)
    beta = random_values(shape[-1:], dtype, seed=2)
    y = chainerx.layer_norm(chainerx.array(x), chainerx.array(gamma), chainerx.array(beta))
    assert y.dtype == numpy.dtype(dtype) and y.shape == shape
    tol = FORWARD_TOL[dtype] * 10
    assert_allclose(y, np_layer_norm(x, gamma, beta, 1e-5), rtol=tol, atol=tol)


GRAD_CASES = [((5, 3), None, (3,)), ((3, 2, 2, 2), None, (2,)), ((3, 2, 4), (0, 2), (1, 2, 1))]


@pytest.mark.parametrize('shape,axis,param_shape', GRAD_CASES)
def test_batch_norm_gradients(shape, axis, param_shape):
    x = chainerx.array(random_values(shape, 'float64', -2, 3))
    gamma = chainerx.array(random_values(param_shape, 'float64', 0.5, 1.5, seed=1))
    beta = chainerx.array(random_values(param_shape, 'float64', seed=2))

    def f(x, gamma, beta):
        rm, rv = chainerx.zeros(param_shape, 'float64'), chainerx.ones(param_shape, 'float64')
        return chainerx.batch_norm(x, gamma, beta, rm, rv, eps=1e-3, axis=axis)
    gy = chainerx.array(random_values(shape, 'float64', seed=3))
    chainerx.check_backward(lambda xs: f(*xs), (x, gamma, beta), (gy,), eps=1e-6, atol=1e-5, rtol=1e-5)
    ggs = tuple(chainerx.array(random_values(a.shape, 'float64', seed=4 + i)) for i, a in enumerate((x, gamma, beta)))
    chainerx.check_double_backward(lambda xs: f(*xs), (x, gamma, beta), (gy,), ggs, eps=1e-5, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize('shape,axis,param_shape', GRAD_CASES[:2])
def test_fixed_batch_norm_gradients(shape, axis, param_shape):
    x = chainerx.array(random_values(shape, 'float64', -2, 3))
    params = [chainerx.array(random_values(param_shape, 'float64', 0.5, 1.5, seed=i)) for i in range(1, 5)]

    def f(x, gamma, beta, mean, var):
        return chainerx.fixed_batch_norm(x, gamma, beta, mean, var, eps=1e-3, axis=axis)
    inputs = (x, *params)
    gy = chainerx.array(random_values(shape, 'float64', seed=7))
    chainerx.check_backward(lambda xs: f(*xs), inputs, (gy,), eps=1e-6, atol=1e-5, rtol=1e-5)
    ggs = tuple(chainerx.array(random_values(a.shape, 'float64', seed=8 + i)) for i, a in enumerate(inputs))
    chainerx.check_double_backward(lambda xs: f(*xs), inputs, (gy,), ggs, eps=1e-5, atol=1e-4, rtol=1e-4)


def test_layer_norm_gradients():
    x = chainerx.array(random_values((3, 4), 'float64', -2, 3))
    gamma = chainerx.array(random_values((4,), 'float64', 0.5, 1.5, seed=1))
    beta = chainerx.array(random_values((4,), 'float64', seed=2))

    def f(x, gamma, beta):
        return chainerx.layer_norm(x, gamma, beta, eps=1e-3)
    gy = chainerx.array(random_values((3, 4), 'float64', seed=3))
    chainerx.check_backward(lambda xs: f(*xs), (x, gamma, beta), (gy,), eps=1e-6, atol=1e-5, rtol=1e-5)
    ggs = tuple(chainerx.array(random_values(a.shape, 'float64', seed=4 + i)) for i, a in enumerate((x, gamma, beta)))
    chainerx.check_double_backward(lambda xs: f(*xs), (x, gamma, beta), (gy,), ggs, eps=1e-5, atol=1e-4, rtol=1e-4)


def test_float16_gradient_dtypes():
    x = chainerx.array(random_values((4, 3), 'float16')).require_grad()
    gamma = chainerx.ones((3,), 'float16').require_grad()
    beta = chainerx.zeros((3,), 'float32').require_grad()
    y = chainerx.batch_norm(x, gamma, beta, chainerx.zeros((3,), 'float16'), chainerx.ones((3,), 'float16'))
    assert y.dtype == numpy.float16
    chainerx.sum(y * y).backward()
    assert x.grad.dtype == numpy.float16 and gamma.grad.dtype == numpy.float16 and beta.grad.dtype == numpy.float32
    # d/dbeta sum(y^2) = 2 sum(y) = 0 for normalized y (beta = 0).
    assert_allclose(beta.grad, numpy.zeros(3, 'float32'), atol=1e-2)


def test_running_statistics_are_not_part_of_the_graph():
    x = chainerx.array(random_values((4, 3), 'float64')).require_grad()
    rm, rv = chainerx.zeros((3,), 'float64'), chainerx.ones((3,), 'float64')
    y = chainerx.batch_norm(x, chainerx.ones((3,), 'float64'), chainerx.zeros((3,), 'float64'), rm, rv)
    assert not rm.is_backprop_required() and not rv.is_backprop_required()
    y.backward()
    assert x.grad is not None


def test_errors():
    x = chainerx.ones((4, 3), 'float32')
    p = chainerx.ones((3,), 'float32')
    with pytest.raises(chainerx.DtypeError):
        chainerx.batch_norm(chainerx.ones((4, 3), 'int32'), p, p, p.copy(), p.copy())
    with pytest.raises(chainerx.DtypeError):
        chainerx.batch_norm(x, chainerx.ones((3,), 'int32'), p, p.copy(), p.copy())
    with pytest.raises(chainerx.DtypeError):
        chainerx.fixed_batch_norm(x, p, p, chainerx.ones((3,), 'int64'), p)
    with pytest.raises(chainerx.DimensionError):
        chainerx.batch_norm(x, chainerx.ones((4,), 'float32'), p, p.copy(), p.copy())
    with pytest.raises(chainerx.DimensionError):
        chainerx.batch_norm(x, p, p, chainerx.ones((2,), 'float32'), p.copy())
    with pytest.raises(chainerx.DimensionError):
        chainerx.batch_norm(x, p, p, p.copy(), p.copy(), axis=2)
    with pytest.raises(chainerx.DimensionError):
        chainerx.batch_norm(x, p, p, p.copy(), p.copy(), axis=(0, 0))
    with pytest.raises(chainerx.DimensionError):
        chainerx.fixed_batch_norm(x, p, p, p, chainerx.ones((3, 1), 'float32'), axis=1)
    with pytest.raises(chainerx.DimensionError):
        chainerx.layer_norm(x, chainerx.ones((4,), 'float32'), p)
    with pytest.raises(chainerx.DimensionError):
        chainerx.layer_norm(chainerx.ones((), 'float32'), p, p)
    with pytest.raises(chainerx.DtypeError):
        chainerx.layer_norm(chainerx.ones((4, 3), 'int8'), p, p)
    # Nothing was written when the checks failed.
    rm = chainerx.zeros((3,), 'float32')
    with pytest.raises(chainerx.DimensionError):
        chainerx.batch_norm(x, p, p, rm, chainerx.ones((2,), 'float32'))
    assert_allclose(rm, numpy.zeros(3, 'float32'))
