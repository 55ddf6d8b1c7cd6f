"""take, advanced indexing (__getitem__/__setitem__ with integer and boolean index arrays), nonzero and
flatnonzero against NumPy: values, dtypes and strides, gradients (scatter-add, duplicates
accumulate) and double gradients, and bad inputs."""
import numpy
import pytest

import chainerx
import chainerx.testing

DTYPES = [numpy.dtype(name) for name in chainerx.testing.all_dtypes]
INDEX_DTYPES = ['int8', 'int16', 'int32', 'int64', 'uint8']


def _data(shape, dtype, seed=0):
    rng = numpy.random.RandomState(seed)
    if numpy.dtype(dtype).kind == 'b':
        return numpy.asarray(rng.rand(*shape) > 0.5)
    return (numpy.asarray(rng.rand(*shape)) * 20 - 5).astype(dtype)


def _layouts(n):
    """(name, make) pairs: make(numpy array) -> (chainerx array, the same values in NumPy)."""
    def contiguous(a):
        return chainerx.array(a), a

    def transposed(a):
        if a.ndim < 2:
            return chainerx.array(a), a
        return chainerx.array(numpy.ascontiguousarray(a.T)).T, a  # same values, Fortran layout

    def reversed_(a):
        if a.ndim == 0:
            return chainerx.array(a), a
        big = numpy.ascontiguousarray(a[::-1])
        return chainerx.array(big)[::-1], a

    return [('c', contiguous), ('f', transposed), ('neg', reversed_)]


def _check(out, expected):
    assert isinstance(out, chainerx.ndarray)
    got = chainerx.to_numpy(out)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    numpy.testing.assert_array_equal(got, expected)


# ---- take ------------------------------------------------------------------------------------

TAKE_CASES = [
    # shape, indices, axis
    ((5,), [0, 4, -1, 2, 2], 0),
    ((3, 4), [[0, 1], [2, -3]], 1),
    ((3, 4), [2, 0], 0),
    ((3, 4), [2, 0, 1], -2),
    ((2, 3, 4), [1, 1, 0], 1),
    ((2, 3, 4), 2, 2),  # scalar index drops the axis
    ((2, 3, 4), [[3], [0]], None),
    ((), [0, 0], None),
    ((0, 3), [1], 1),
    ((3, 0), [], 0),
    ((3, 4), numpy.zeros((0, 2), 'int64'), 1),
]


@pytest.mark.parametrize('dtype', DTYPES, ids=str)
@pytest.mark.parametrize('shape,indices,axis', TAKE_CASES)
def test_take(dtype, shape, indices, axis):
    a = _data(shape, dtype)
    expected = numpy.take(a, indices, axis=axis)
    for _, make in _layouts(len(shape)):
        x, xn = make(a)
        out = chainerx.take(x, indices, axis=axis)
        _check(out, numpy.take(xn, indices, axis=axis))
        assert chainerx.to_numpy(out).flags.c_contiguous
    _check(chainerx.array(a).take(indices, axis), expected)


@pytest.mark.parametrize('index_dtype', INDEX_DTYPES)
@pytest.mark.parametrize('mode', ['raise', 'wrap', 'clip', None])
def test_take_index_dtypes_and_modes(index_dtype, mode):
    a = _data((4, 5), 'float32')
    raw = [0, 3, -2, 1] if mode in ('raise', None) else [0, 7, -9, 4, 12]
    if index_dtype == 'uint8':
        raw = [abs(i) for i in raw]
    ind = numpy.array(raw, dtype=index_dtype)
    # NumPy's default is 'raise', as chainerx's on the native device.
    expected = numpy.take(a, ind, axis=1, mode=mode or 'raise')
    for indices in (chainerx.array(ind), ind):
        _check(chainerx.take(chainerx.array(a), indices, 1, mode), expected)


def test_take_python_and_numpy_scalars():
    a = _data((4, 3), 'float64')
    _check(chainerx.take(chainerx.array(a), 1, 0), numpy.take(a, 1, 0))
    _check(chainerx.take(chainerx.array(a), numpy.int64(-1), 1), numpy.take(a, -1, 1))
    _check(chainerx.take(chainerx.array(a), 7), numpy.take(a, 7))


@pytest.mark.parametrize('shape,indices,axis', [
    ((3,), [3], 0), ((3,), [-4], 0), ((3, 4), [0, 4], 1), ((3, 4), [12], None), ((0,), [0], 0),
    ((3, 0), [0], 1),
])
def test_take_out_of_bounds(shape, indices, axis):
    a = chainerx.array(_data(shape, 'float32'))
    with pytest.raises(IndexError):
        chainerx.take(a, indices, axis)
    with pytest.raises(IndexError):
        chainerx.take(a, indices, axis, 'raise')


def test_take_wrap_clip_on_empty_axis():
    a = chainerx.array(_data((0, 2), 'float32'))
    for mode in ('wrap', 'clip'):
        with pytest.raises(IndexError):
            chainerx.take(a, [0], 0, mode)
        _check(chainerx.take(a, numpy.zeros(0, 'int64'), 0, mode), numpy.zeros((0, 2), 'float32'))


@pytest.mark.parametrize('indices', [[0.0, 1.0], numpy.array([True, False]), numpy.array([1.5])], ids=str)
def test_take_bad_index_dtype(indices):
    with pytest.raises(chainerx.DtypeError):
        chainerx.take(chainerx.array(_data((3,), 'float32')), indices, 0)


def test_take_bad_arguments():
    a = chainerx.array(_data((3, 4), 'float32'))
    with pytest.raises(chainerx.DimensionError):
        chainerx.take(a, [0], 2)
    with pytest.raises(chainerx.DimensionError):
        chainerx.take(a, [0], -3)
    with pytest.raises(ValueError):
        chainerx.take(a, [0], 0, 'bogus')


@pytest.mark.parametrize('shape,indices,axis', [
    ((5,), [0, 4, 4, 2, 0, 4], 0),
    ((3, 4), [[1, 1], [2, -1]], 1),
    ((2, 3, 4), [2, 0, 2], 1),
    ((3, 4), [11, 0, 11], None),
])
@pytest.mark.parametrize('dtype', ['float16', 'float32', 'float64'])
def test_take_backward(shape, indices, axis, dtype):
    x = chainerx.array(_data(shape, dtype, 1))
    y_shape = numpy.take(numpy.zeros(shape), indices, axis).shape
    gy = chainerx.array(_data(y_shape, dtype, 2))
    ggx = chainerx.array(_data(shape, dtype, 3))
    tol = {'eps': 1e-1, 'atol': 5e-2, 'rtol': 5e-2} if dtype == 'float16' else {'eps': 1e-3, 'atol': 1e-3, 'rtol': 1e-3}
    chainerx.check_backward(lambda xs: chainerx.take(xs[0], indices, axis), (x,), (gy,), **tol)
    chainerx.check_double_backward(lambda xs: chainerx.take(xs[0] * xs[0], indices, axis), (x,), (gy,), (ggx,), **tol)


def test_take_gradient_accumulates_duplicates():
    x = chainerx.array(numpy.arange(4, dtype='float32')).require_grad()
    y = chainerx.take(x, [1, 1, 3, 1])
    chainerx.backward(chainerx.sum(y))
    numpy.testing.assert_array_equal(chainerx.to_numpy(x.grad), [0, 3, 0, 1])


# ---- advanced __getitem__ ----------------------------------------------------------------------

def _i(*a):
    return numpy.array(a, dtype='int64')


GETITEM_KEYS = [
    ((5,), [0, 4, -1, 2, 2]),
    ((5,), _i(1, 1)),
    ((5,), []),
    ((3, 4), ([0, 2], [1, -1])),
    ((3, 4), (slice(None), [3, 0, 0])),
    ((3, 4), ([[0], [2]], [1, 2, 3])),  # broadcasting index arrays
    ((3, 4), (1, [0, 2])),  # an int next to an array: one advanced block
    ((3, 4, 5), (slice(None), [0, 2], [1, 1])),  # adjacent: block stays in place
    ((3, 4, 5), ([0, 2], slice(1, 3), [1, 1])),  # separated: block goes first
    ((3, 4, 5), (0, slice(None), [1, 2])),  # an int separated from an array
    ((3, 4, 5), (Ellipsis, [1, -1])),
    ((3, 4, 5), ([1], Ellipsis, None, [0])),
    ((3, 4, 5), (None, [1, 2], None)),
    ((3, 4, 5), (slice(None, None, -1), [[1, 0]], slice(None, None, 2))),
    ((3, 4), numpy.array([True, False, True])),
    ((3, 4), [True, False, True]),
    ((3, 4), 'mask'),
    ((3, 4, 5), (slice(None), 'mask45')),
    ((3, 4, 5), ('mask34', [1])),
    ((3, 4), True),
    ((3, 4), False),
    ((3, 4), numpy.array(True)),
    ((3, 4), (True, [1, 2])),
    ((3, 4), (slice(None), numpy.array(False))),
    ((0, 3), [[]]),
    ((0, 3), (slice(None), [0, 2])),
    ((3, 0), ([0, 2],)),
    ((3, 4), numpy.array([False, False, False])),
    ((), True),
    ((), numpy.array(False)),
    ((2, 3, 4), (Ellipsis, 'mask34')),
    ((2, 3, 4), ([1, 0], Ellipsis, numpy.array([[3], [0]]))),
]


def _resolve(key, a):
    def one(k):
        if isinstance(k, str) and k.startswith('mask'):
            shape = tuple(int(c) for c in k[4:]) if len(k) > 4 else a.shape
            return numpy.random.RandomState(7).rand(*shape) > 0.4
        return k
    if isinstance(key, tuple):
        return tuple(one(k) for k in key)
    return one(key)


@pytest.mark.parametrize('shape,key', GETITEM_KEYS, ids=lambda v: repr(v).replace(' ', ''))
@pytest.mark.parametrize('dtype', ['bool', 'int8', 'float16', 'float32', 'float64', 'int64'])
def test_getitem_advanced(shape, key, dtype):
    a = _data(shape, dtype)
    key = _resolve(key, a)
    expected = a[key]
    for _, make in _layouts(len(shape)):
        x, xn = make(a)
        _check(x[key], xn[key])
    # chainerx index arrays too
    def to_chx(k):
        if isinstance(k, numpy.ndarray):
            return chainerx.array(k)
        return k
    chx_key = tuple(to_chx(k) for k in key) if isinstance(key, tuple) else to_chx(key)
    _check(chainerx.array(a)[chx_key], expected)


def test_getitem_index_dtypes():
    a = _data((6, 3), 'float32')
    for dt in INDEX_DTYPES:
        ind = numpy.array([5, 0, 3], dt)
        _check(chainerx.array(a)[chainerx.array(ind)], a[ind])
        _check(chainerx.array(a)[:, ind[:2] % 3], a[:, ind[:2] % 3])


def test_getitem_basic_still_a_view():
    a = chainerx.array(_data((3, 4), 'float32'))
    v = a[1, ::2]
    a[1, 0] = 100
    assert float(v[0]) == 100


@pytest.mark.parametrize('shape,key', [
    ((3,), [3]), ((3,), [-4]), ((3, 4), (slice(None), [0, 4])), ((3, 4), ([0], 5)), ((3, 4), (3, [0])),
    ((0,), [0]), ((3, 4), numpy.array([True, False])), ((3, 4), numpy.ones((3, 3), bool)),
])
def test_getitem_out_of_bounds(shape, key):
    a = chainerx.array(_data(shape, 'float32'))
    with pytest.raises(IndexError):
        a[key]


@pytest.mark.parametrize('key', [
    ([0, 1], [0, 1, 2]),  # shapes do not broadcast
    ([0], [0], [0]),  # too many indices
    (Ellipsis, [0], Ellipsis),
    numpy.array([0.0]),
    [0.5],
    1.5,
    'a',
    (slice(None), object()),
])
def test_getitem_bad_keys(key):
    a = chainerx.array(_data((3, 4), 'float32'))
    with pytest.raises(IndexError):
        a[key]


def test_getitem_0d_needs_an_axis():
    # A new axis is not an axis an index array can index (as in NumPy).
    with pytest.raises(IndexError):
        chainerx.array(1.0)[None, [0, 0]]
    with pytest.raises(IndexError):
        chainerx.array(1.0)[[0]]


@pytest.mark.parametrize('shape,key', [
    ((5,), [0, 4, 4, 2]),
    ((3, 4), ([0, 2, 2], [1, -1, -1])),
    ((3, 4, 5), ([0, 2], slice(1, 3), [1, 1])),
    ((3, 4), 'mask'),
    ((3, 4), (slice(None, None, -1), [1, 1, 0])),
])
@pytest.mark.parametrize('dtype', ['float16', 'float64'])
def test_getitem_backward(shape, key, dtype):
    a = _data(shape, dtype, 1)
    if key == 'mask':
        key = a > 2
    y_shape = a[key].shape
    x = chainerx.array(a)
    gy = chainerx.array(_data(y_shape, dtype, 2))
    ggx = chainerx.array(_data(shape, dtype, 3))
    tol = {'eps': 1e-1, 'atol': 5e-2, 'rtol': 5e-2} if dtype == 'float16' else {'eps': 1e-6, 'atol': 1e-6, 'rtol': 1e-6}
    chainerx.check_backward(lambda xs: xs[0][key], (x,), (gy,), **tol)
    chainerx.check_double_backward(lambda xs: (xs[0] * xs[0])[key], (x,), (gy,), (ggx,), **tol)


def test_getitem_gradient_accumulates():
    x = chainerx.array(numpy.zeros((3, 2), 'float32')).require_grad()
    y = x[[0, 0, 2], [1, 1, 0]]
    chainerx.backward(chainerx.sum(y * chainerx.array(numpy.array([1, 2, 4], 'float32'))))
    numpy.testing.assert_array_equal(chainerx.to_numpy(x.grad), [[0, 3], [0, 0], [4, 0]])


# ---- advanced __setitem__ ----------------------------------------------------------------------

SETITEM_CASES = [
    ((5,), [0, 3], 7),
    ((5,), [1, 1, 1], numpy.array([1, 2, 3])),  # last write wins
    ((3, 4), ([0, 2], [1, -1]), numpy.array([5, 6])),
    ((3, 4), (slice(None), [3, 0]), numpy.array([[1], [2], [3]])),  # broadcast value
    ((3, 4, 5), ([0, 2], slice(1, 3), [1, 1]), numpy.arange(4).reshape(2, 2)),
    ((3, 4), 'mask', -1),
    ((3, 4), numpy.array([True, False, True]), numpy.arange(4)),
    ((3, 4), True, 2.5),
    ((3, 4), [[]], 9),
]


@pytest.mark.parametrize('shape,key,value', SETITEM_CASES, ids=lambda v: repr(v).replace(' ', '')[:40])
@pytest.mark.parametrize('dtype', ['bool', 'int32', 'float16', 'float64'])
def test_setitem_advanced(shape, key, value, dtype):
    a = _data(shape, dtype)
    if isinstance(key, str):
        key = a.astype(bool) if dtype == 'bool' else a > 2
    for _, make in _layouts(len(shape)):
        x, xn = make(a)
        xn = xn.copy()
        if isinstance(value, numpy.ndarray):
            x[key] = chainerx.array(value)
            xn[key] = value.astype(dtype)
        else:
            x[key] = value
            xn[key] = value
        _check(x, xn)


def test_setitem_advanced_aliasing_value():
    a = numpy.arange(6, dtype='float32')
    x = chainerx.array(a)
    x[[0, 1, 2]] = x[::-1][:3]
    a[[0, 1, 2]] = a[::-1][:3].copy()
    _check(x, a)


def test_setitem_refuses_graph_arrays():
    x = chainerx.array(numpy.zeros(3, 'float32')).require_grad()
    with pytest.raises(chainerx.ChainerxError):
        x[[0]] = 1
    for basic_key in (0, slice(1, None), Ellipsis):
        with pytest.raises(chainerx.ChainerxError):
            x[basic_key] = 1
    y = x * 2
    with pytest.raises(chainerx.ChainerxError):
        y[numpy.array([True, False, True])] = 0


@pytest.mark.parametrize('key,value', [
    ([3], 0), (([0, 1], [0, 1, 2]), 0), ([0, 1], numpy.zeros(2, 'float32')), (numpy.array([0.5]), 0),
])
def test_setitem_bad(key, value):
    x = chainerx.array(numpy.zeros((3, 3), 'float32'))
    before = chainerx.to_numpy(x).copy()
    with pytest.raises((IndexError, chainerx.DimensionError)):
        x[key] = value
    numpy.testing.assert_array_equal(chainerx.to_numpy(x), before)  # nothing half-written


def test_setitem_broadcast_view_refused():
    x = chainerx.broadcast_to(chainerx.array(numpy.zeros(3, 'float32')), (2, 3))
    with pytest.raises(chainerx.ChainerxError):
        x[[0, 1], [0, 0]] = 1


# ---- nonzero -----------------------------------------------------------------------------------

@pytest.mark.parametrize('shape', [(7,), (3, 4), (2, 3, 4), (0,), (3, 0), (1, 1)])
@pytest.mark.parametrize('dtype', DTYPES, ids=str)
def test_nonzero(shape, dtype):
    a = _data(shape, dtype)
    if a.size and a.dtype.kind != 'b':
        a.flat[::3] = 0
    for _, make in _layouts(len(shape)):
        x, xn = make(a)
        got = chainerx.nonzero(x)
        expected = numpy.nonzero(xn)
        assert isinstance(got, tuple) and len(got) == len(expected)
        for g, e in zip(got, expected):
            _check(g, e.astype('int64'))
    for g, e in zip(chainerx.array(a).nonzero(), numpy.nonzero(a)):
        _check(g, e.astype('int64'))
    _check(chainerx.flatnonzero(chainerx.array(a)), numpy.flatnonzero(a).astype('int64'))


def test_nonzero_nan_is_nonzero():
    a = numpy.array([0.0, numpy.nan, -0.0, 1.0], 'float32')
    _check(chainerx.nonzero(chainerx.array(a))[0], numpy.nonzero(a)[0].astype('int64'))


def test_nonzero_0d_refused():
    # NumPy 2 refuses 0-d arrays (ValueError); chainerx raises DimensionError.
    with pytest.raises(chainerx.DimensionError):
        chainerx.nonzero(chainerx.array(1.0))
