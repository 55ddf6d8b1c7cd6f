"""chainerx.random: normal, uniform and seed (a counter-based Philox4x32-10 generator).

Checks NumPy-compatible signatures and defaults (float64, size=None gives a 0-d array),
reproducibility under a seed, shapes and dtypes, sample statistics and the errors.
"""
import numpy
import pytest

import chainerx


def _np(a):
    return chainerx.to_numpy(a)


@pytest.mark.parametrize('func', [chainerx.random.normal, chainerx.random.uniform])
def test_seed_reproduces_the_sequence(func):
    chainerx.random.seed(1234)
    a, b = _np(func(size=(3, 4))), _np(func(size=(3, 4)))
    chainerx.random.seed(1234)
    numpy.testing.assert_array_equal(_np(func(size=(3, 4))), a)
    numpy.testing.assert_array_equal(_np(func(size=(3, 4))), b)
    assert not numpy.array_equal(a, b)  # successive draws differ
    chainerx.random.seed(1235)
    assert not numpy.array_equal(_np(func(size=(3, 4))), a)


def test_large_fill_is_deterministic():
    # Above the parallel threshold the fill runs on several threads; the values do not depend on it.
    chainerx.random.seed(7)
    a = _np(chainerx.random.normal(size=300000))
    chainerx.random.seed(7)
    b = _np(chainerx.random.normal(size=(600, 500)))
    numpy.testing.assert_array_equal(a, b.ravel())
    chainerx.random.seed(7)
    small = _np(chainerx.random.normal(size=10))
    numpy.testing.assert_array_equal(small, a[:10])  # element i depends only on (seed, draw, i)


def test_unseeded_draws_differ():
    chainerx.random.seed()
    assert not numpy.array_equal(_np(chainerx.random.uniform(size=8)), _np(chainerx.random.uniform(size=8)))


@pytest.mark.parametrize('func', [chainerx.random.normal, chainerx.random.uniform])
@pytest.mark.parametrize('size,shape', [(None, ()), (5, (5,)), ((2, 3), (2, 3)), ((0, 4), (0, 4)), ([2, 1, 2], (2, 1, 2))])
def test_shapes_and_default_dtype(func, size, shape):
    a = func(size=size)
    assert a.shape == shape
    assert a.dtype == numpy.float64
    assert a.device is chainerx.get_default_device()
    assert a.is_contiguous


@pytest.mark.parametrize('dtype', ['float16', 'float32', 'float64', numpy.float32])
def test_dtypes(dtype):
    for a in (chainerx.random.normal(size=(4,), dtype=dtype), chainerx.random.uniform(size=(4,), dtype=dtype)):
        assert a.dtype == numpy.dtype(dtype)


def test_positional_arguments_like_numpy():
    chainerx.random.seed(3)
    a = chainerx.random.normal(2.0, 0.5, (2, 2))
    chainerx.random.seed(3)
    b = chainerx.random.normal(loc=2.0, scale=0.5, size=(2, 2))
    numpy.testing.assert_array_equal(_np(a), _np(b))
    u = chainerx.random.uniform(5, 6, 3)
    assert u.shape == (3,) and ((_np(u) >= 5) & (_np(u) < 6)).all()


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_normal_statistics(dtype):
    chainerx.random.seed(0)
    a = _np(chainerx.random.normal(1.5, 2.0, size=200000, dtype=dtype)).astype('float64')
    assert abs(a.mean() - 1.5) < 0.02
    assert abs(a.std() - 2.0) < 0.02
    assert abs((((a - 1.5) / 2) ** 3).mean()) < 0.04  # symmetric (skewness; its std is 0.009 here)
    assert abs(numpy.mean(numpy.abs(a - 1.5) < 2.0) - 0.6827) < 0.005  # one sigma
    assert numpy.isfinite(a).all()


@pytest.mark.parametrize('dtype', ['float16', 'float32', 'float64'])
def test_uniform_statistics_and_bounds(dtype):
    chainerx.random.seed(0)
    a = _np(chainerx.random.uniform(-2.0, 3.0, size=200000, dtype=dtype)).astype('float64')
    assert a.min() >= -2.0 and a.max() <= 3.0
    if dtype == 'float64':
        assert a.max() < 3.0
    assert abs(a.mean() - 0.5) < 0.02
    assert abs(a.var() - 25 / 12) < 0.03
    counts = numpy.histogram(a, bins=10, range=(-2, 3))[0]
    assert (numpy.abs(counts - 20000) < 800).all()


def test_array_parameters_broadcast():
    chainerx.random.seed(5)
    loc = chainerx.array([0.0, 100.0, -100.0])
    a = _np(chainerx.random.normal(loc, 0.1))
    assert a.shape == (3,) and numpy.allclose(a, [0, 100, -100], atol=1)
    b = chainerx.random.normal(numpy.array([0.0, 10.0]), 1.0, size=(4, 2))
    assert b.shape == (4, 2) and b.dtype == numpy.float64
    u = _np(chainerx.random.uniform(numpy.zeros(3), [1.0, 2.0, 3.0], size=(1000, 3)))
    assert (u >= 0).all() and (u < [1.0, 2.0, 3.0]).all()


def test_device_argument():
    a = chainerx.random.normal(size=2, device='native:1')
    assert a.device is chainerx.get_device('native:1')
    b = chainerx.random.uniform(size=2, device=chainerx.get_device('native:0'))
    assert b.device is chainerx.get_device('native:0')


def test_bad_arguments():
    with pytest.raises(ValueError):
        chainerx.random.normal(0.0, -1.0)
    with pytest.raises(ValueError):
        chainerx.random.normal(chainerx.array([0.0]), chainerx.array([-1.0]))
    with pytest.raises(ValueError):
        chainerx.random.uniform(0.0, numpy.inf)
    with pytest.raises(chainerx.DtypeError):
        chainerx.random.normal(size=2, dtype='int32')
    with pytest.raises(chainerx.DtypeError):
        chainerx.random.uniform(size=2, dtype='bool')
    with pytest.raises(chainerx.DimensionError):
        chainerx.random.uniform(size=(-1, 2))
    with pytest.raises(ValueError):
        chainerx.random.seed(-1)
    with pytest.raises(ValueError):
        chainerx.random.seed(2 ** 64)
    with pytest.raises(TypeError):
        chainerx.random.seed(1.5)
    chainerx.random.seed(2 ** 64 - 1)
    chainerx.random.seed(numpy.int64(3))
