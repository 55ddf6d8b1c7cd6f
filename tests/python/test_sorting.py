"""sort, argsort (functions and ndarray methods), searchsorted and unique against NumPy: values,
dtypes and strides over dtypes, axes, 0-d/zero-size/non-contiguous inputs and NaNs; gradients of sort;
bad inputs."""
import numpy
import pytest

import chainerx
import chainerx.testing

DTYPES = [numpy.dtype(name) for name in chainerx.testing.all_dtypes]


def _data(shape, dtype, seed=0, ties=False):
    rng = numpy.random.RandomState(seed)
    if numpy.dtype(dtype).kind == 'b':
        return numpy.asarray(rng.rand(*shape)) > 0.5
    values = numpy.asarray(rng.rand(*shape)) * 20 - 5
    if ties:
        values = numpy.round(values / 4)
    return values.astype(dtype)


def _with_nans(a):
    if a.dtype.kind == 'f' and a.size:
        a = a.copy()
        a.flat[::4] = numpy.nan
        a.flat[1::7] = -numpy.inf
    return a


def _layouts(a):
    """(chainerx array, NumPy array of the same values and layout) pairs."""
    yield chainerx.array(a), a
    if a.ndim >= 2:
        t = numpy.ascontiguousarray(a.T)
        yield chainerx.array(t).T, t.T
    if a.ndim >= 1 and a.size:
        r = numpy.ascontiguousarray(a[::-1])
        yield chainerx.array(r)[::-1], r[::-1]


def _check(out, expected, check_strides=True):
    got = chainerx.to_numpy(out)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    numpy.testing.assert_array_equal(got, expected)
    if check_strides:
        assert got.strides == expected.strides, (got.strides, expected.strides)


SHAPES_AXES = [((7,), -1), ((7,), 0), ((3, 5), -1), ((3, 5), 0), ((2, 3, 4), 1), ((2, 3, 4), None), ((), None),
               ((0,), -1), ((3, 0), 0), ((3, 0), 1), ((1, 1), 0), ((40, 3), 0),
               # long lanes take the radix sort, contiguous or strided
               ((700,), -1), ((2, 300), 1), ((300, 2), 0)]


@pytest.mark.parametrize('shape,axis', SHAPES_AXES)
@pytest.mark.parametrize('dtype', DTYPES, ids=str)
def test_sort(shape, axis, dtype):
    a = _with_nans(_data(shape, dtype))
    for x, xn in _layouts(a):
        _check(chainerx.sort(x, axis=axis), numpy.sort(xn, axis=axis))
        for stable in (True, False):
            _check(chainerx.sort(x, axis, stable=stable), numpy.sort(xn, axis), check_strides=False)


@pytest.mark.parametrize('dtype', ['int8', 'int16', 'int32', 'int64', 'float16', 'float32', 'float64'])
def test_sort_radix_extremes(dtype):
    info = numpy.finfo(dtype) if numpy.dtype(dtype).kind == 'f' else numpy.iinfo(dtype)
    special = [info.min, info.max, 0, 1, -1]
    if numpy.dtype(dtype).kind == 'f':
        special += [numpy.inf, -numpy.inf, numpy.nan, -numpy.nan, -0.0, info.tiny, -info.tiny]
    a = numpy.resize(numpy.array(special, dtype), 500)
    numpy.random.RandomState(0).shuffle(a)
    _check(chainerx.sort(chainerx.array(a)), numpy.sort(a))
    _check(chainerx.argsort(chainerx.array(a)), numpy.argsort(a, kind='stable').astype('int64'))


def test_sort_keeps_layout():
    a = _data((4, 6), 'float32')
    x = chainerx.array(numpy.ascontiguousarray(a.T)).T
    expected = numpy.sort(numpy.asfortranarray(a), axis=0)
    _check(chainerx.sort(x, axis=0), expected)


@pytest.mark.parametrize('shape,axis', SHAPES_AXES)
@pytest.mark.parametrize('dtype', DTYPES, ids=str)
def test_argsort(shape, axis, dtype):
    a = _with_nans(_data(shape, dtype, ties=True))
    # chainerx's argsort is always stable: compare with NumPy's stable sort.
    expected = numpy.argsort(a, axis=axis, kind='stable').astype('int64')
    for x, xn in _layouts(a):
        _check(chainerx.argsort(x, axis=axis), expected)
        _check(chainerx.argsort(x, axis=axis, kind='quicksort'), expected)
        _check(chainerx.argsort(x, axis=axis, stable=True), expected)
    if axis is not None:
        _check(chainerx.array(a).argsort(axis), expected)


@pytest.mark.parametrize('shape,axis', [((7,), -1), ((3, 5), 0), ((2, 3, 4), 1), ((0,), 0)])
@pytest.mark.parametrize('dtype', ['bool', 'int8', 'uint8', 'float16', 'float32', 'float64'])
def test_sort_method_in_place(shape, axis, dtype):
    a = _with_nans(_data(shape, dtype))
    for x, xn in _layouts(a):
        xn = xn.copy()
        assert x.sort(axis) is None
        xn.sort(axis)
        _check(x, xn, check_strides=False)


def test_sort_method_refuses_graph_arrays():
    x = chainerx.array(_data((4,), 'float32')).require_grad()
    with pytest.raises(chainerx.ChainerxError):
        x.sort()


def test_sort_bad_arguments():
    x = chainerx.array(_data((3, 4), 'float32'))
    with pytest.raises(chainerx.DimensionError):
        chainerx.sort(x, axis=2)
    with pytest.raises(chainerx.DimensionError):
        chainerx.sort(chainerx.array(1.0))  # axis -1 of a 0-d array
    with pytest.raises(chainerx.DimensionError):
        chainerx.argsort(x, axis=-3)
    with pytest.raises(ValueError):
        chainerx.sort(x, kind='bogus')
    with pytest.raises(ValueError):
        chainerx.sort(x, kind='stable', stable=True)
    with pytest.raises(ValueError):
        chainerx.argsort(x, kind='bogus')


@pytest.mark.parametrize('shape,axis', [((6,), -1), ((3, 4), 0), ((2, 3, 4), 1), ((2, 3), None)])
@pytest.mark.parametrize('dtype', ['float16', 'float64'])
def test_sort_backward(shape, axis, dtype):
    a = _data(shape, dtype, 1)
    x = chainerx.array(a)
    y_shape = numpy.sort(a, axis=axis).shape
    gy = chainerx.array(_data(y_shape, dtype, 2))
    ggx = chainerx.array(_data(shape, dtype, 3))
    tol = {'eps': 1e-1, 'atol': 5e-2, 'rtol': 5e-2} if dtype == 'float16' else {'eps': 1e-6, 'atol': 1e-6, 'rtol': 1e-6}
    chainerx.check_backward(lambda xs: chainerx.sort(xs[0], axis), (x,), (gy,), **tol)
    chainerx.check_double_backward(lambda xs: chainerx.sort(xs[0] * xs[0], axis), (x,), (gy,), (ggx,), **tol)


def test_sort_gradient_follows_permutation():
    x = chainerx.array(numpy.array([3.0, 1.0, 2.0], 'float32')).require_grad()
    y = chainerx.sort(x)
    chainerx.backward(chainerx.sum(y * chainerx.array(numpy.array([1.0, 10.0, 100.0], 'float32'))))
    numpy.testing.assert_array_equal(chainerx.to_numpy(x.grad), [100, 1, 10])


# ---- searchsorted --------------------------------------------------------------------------------

@pytest.mark.parametrize('side', ['left', 'right'])
@pytest.mark.parametrize('dtype', ['int8', 'int32', 'uint8', 'float16', 'float32', 'float64', 'bool'])
def test_searchsorted(side, dtype):
    a = numpy.sort(_with_nans(_data((20,), dtype, ties=True)))
    v = _with_nans(_data((3, 5), dtype, 5, ties=True))
    expected = numpy.searchsorted(a, v, side=side).astype('int64')
    _check(chainerx.searchsorted(chainerx.array(a), chainerx.array(v), side), expected)
    ca = chainerx.array(numpy.ascontiguousarray(a[::-1]))[::-1]
    _check(chainerx.searchsorted(ca, chainerx.array(v)[:, ::-1], side=side),
           numpy.searchsorted(a, v[:, ::-1], side=side).astype('int64'))


def test_searchsorted_scalars_sorter_and_mixed_dtypes():
    a = numpy.array([5, 1, 4, 2], 'int32')
    sorter = numpy.argsort(a)
    ca = chainerx.array(a)
    _check(chainerx.searchsorted(ca, 3, sorter=sorter), numpy.asarray(numpy.searchsorted(a, 3, sorter=sorter), 'int64'))
    _check(chainerx.searchsorted(ca, chainerx.array(numpy.array([2.5, 4.0])), side='right', sorter=chainerx.array(sorter)),
           numpy.searchsorted(a, [2.5, 4.0], side='right', sorter=sorter).astype('int64'))
    _check(chainerx.searchsorted(chainerx.array(numpy.zeros(0, 'float32')), [1.0, 2.0]), numpy.zeros(2, 'int64'))


def test_searchsorted_bad_arguments():
    a = chainerx.array(numpy.arange(4, dtype='float32'))
    with pytest.raises(ValueError):
        chainerx.searchsorted(a, 1.0, side='middle')
    with pytest.raises(ValueError):
        chainerx.searchsorted(a, 1.0, sorter=[0, 1, 2, 9])
    with pytest.raises(chainerx.DimensionError):
        chainerx.searchsorted(a, 1.0, sorter=[0, 1])
    with pytest.raises(chainerx.DtypeError):
        chainerx.searchsorted(a, 1.0, sorter=[0.0, 1.0, 2.0, 3.0])
    with pytest.raises(chainerx.DimensionError):
        chainerx.searchsorted(chainerx.array(numpy.zeros((2, 2), 'float32')), 1.0)


# ---- unique --------------------------------------------------------------------------------------

@pytest.mark.parametrize('shape', [(12,), (3, 4), (0,), (), (2, 0)])
@pytest.mark.parametrize('dtype', DTYPES, ids=str)
def test_unique(shape, dtype):
    a = _with_nans(_data(shape, dtype, ties=True))
    x = chainerx.array(a)
    _check(chainerx.unique(x), numpy.unique(a))
    got = chainerx.unique(x, return_index=True, return_inverse=True, return_counts=True)
    expected = numpy.unique(a, return_index=True, return_inverse=True, return_counts=True)
    assert isinstance(got, tuple) and len(got) == 4
    _check(got[0], expected[0])
    for g, e in zip(got[1:], expected[1:]):
        _check(g, e.astype('int64'), check_strides=False)
    values, counts = chainerx.unique(chainerx.array(numpy.ascontiguousarray(a.T)).T, return_counts=True)
    _check(values, numpy.unique(a))
    _check(counts, numpy.unique(a, return_counts=True)[1].astype('int64'))


@pytest.mark.parametrize('shape,axis', [((6, 3), 0), ((6, 3), 1), ((6, 3), -1), ((2, 5, 2), 1), ((4,), 0),
                                        ((0, 3), 0), ((3, 0), 0), ((3, 0), 1)])
@pytest.mark.parametrize('dtype', DTYPES, ids=str)
def test_unique_axis(shape, axis, dtype):
    a = _data(shape, dtype, ties=True)
    if a.ndim == 2 and a.shape[0] >= 4:
        a[3] = a[1]  # a repeated subarray
    for x, n in _layouts(a):
        got = chainerx.unique(x, return_index=True, return_inverse=True, return_counts=True, axis=axis)
        expected = numpy.unique(n, return_index=True, return_inverse=True, return_counts=True, axis=axis)
        # NumPy's zero-size results have strides that depend on how it reshaped internally.
        _check(chainerx.unique(x, axis=axis), expected[0], check_strides=expected[0].size > 0)
        _check(got[0], expected[0], check_strides=expected[0].size > 0)
        for g, e in zip(got[1:], expected[1:]):
            _check(g, e.astype('int64'), check_strides=False)


def test_unique_axis_nans_and_signed_zeros():
    # -0.0 equals 0.0; a subarray holding a NaN equals no other (NumPy compares subarrays field by field).
    a = numpy.array([[numpy.nan, 1], [numpy.nan, 1], [0, 2], [-0.0, 2], [0, 1]], 'float32')
    got = chainerx.unique(chainerx.array(a), axis=0, return_index=True, return_counts=True)
    expected = numpy.unique(a, axis=0, return_index=True, return_counts=True)
    _check(got[0], expected[0])
    _check(got[1], expected[1].astype('int64'), check_strides=False)
    _check(got[2], expected[2].astype('int64'), check_strides=False)


def test_unique_axis_errors():
    with pytest.raises(chainerx.DimensionError):
        chainerx.unique(chainerx.array(numpy.zeros((2, 2), 'float32')), axis=2)
    with pytest.raises(chainerx.DimensionError):
        chainerx.unique(chainerx.array(numpy.float32(1)), axis=0)
