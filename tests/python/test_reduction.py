"""Reductions and statistics against NumPy: sum, prod, amax/max, amin/min, mean, var, std, argmax,
argmin, all, any, count_nonzero and the ndarray methods.

Every op is one row of a table (REDUCTIONS): its chainerx function, its NumPy reference with the
dtype rule chainerx follows (NumPy's, except that uint8 sums give int64 where NumPy gives uint64),
whether it accepts an axis tuple and keepdims, and whether it needs a non-empty reduced range. The
tests are products of the table with dtypes, shapes, axes, keepdims and memory layouts; results must
match NumPy's values, dtype and strides.
"""
import numpy
import pytest

import chainerx
import chainerx.testing

# NumPy's reference warns about empty and NaN reductions; the tests compare results, not warnings.
pytestmark = pytest.mark.filterwarnings('ignore::RuntimeWarning')

DTYPES = [numpy.dtype(name) for name in chainerx.testing.all_dtypes]
INT64 = numpy.dtype('int64')
FLOAT64 = numpy.dtype('float64')


def _sum_dtype(dtype):
    return dtype if dtype.kind == 'f' else INT64


def _mean_dtype(dtype):
    return dtype if dtype.kind == 'f' else FLOAT64


def _np_sum(a, axis, keepdims):
    return numpy.sum(a, axis=axis, keepdims=keepdims, dtype=_sum_dtype(a.dtype))


def _np_prod(a, axis, keepdims):
    return numpy.prod(a, axis=axis, keepdims=keepdims, dtype=_sum_dtype(a.dtype))


def _np_mean(a, axis, keepdims):
    if a.dtype == numpy.float16:  # chainerx keeps float16 sums in float32; NumPy does too for mean
        return numpy.mean(a, axis=axis, keepdims=keepdims)
    return numpy.mean(a.astype(_mean_dtype(a.dtype)), axis=axis, keepdims=keepdims)


def _np_var(a, axis, keepdims):
    # chainerx computes float16 statistics in float32 and rounds the result once.
    compute = numpy.float32 if a.dtype == numpy.float16 else _mean_dtype(a.dtype)
    return numpy.var(a.astype(compute), axis=axis, keepdims=keepdims).astype(_mean_dtype(a.dtype), copy=False)


def _np_std(a, axis, keepdims):
    compute = numpy.float32 if a.dtype == numpy.float16 else _mean_dtype(a.dtype)
    return numpy.std(a.astype(compute), axis=axis, keepdims=keepdims).astype(_mean_dtype(a.dtype), copy=False)


def _np_count_nonzero(a, axis, keepdims):
    return numpy.asarray(numpy.count_nonzero(a, axis=axis)).astype(INT64)


class Op:
    def __init__(self, name, chx, ref, tuple_axis=True, keepdims=True, needs_elements=False, method=None):
        self.name = name
        self.chx = chx
        self.ref = ref
        self.tuple_axis = tuple_axis
        self.keepdims = keepdims
        self.needs_elements = needs_elements
        self.method = method

    def __repr__(self):
        return self.name


REDUCTIONS = [
    Op('sum', chainerx.sum, _np_sum, method='sum'),
    Op('prod', chainerx.prod, _np_prod, method='prod'),
    Op('amax', chainerx.amax, lambda a, axis, keepdims: numpy.amax(a, axis=axis, keepdims=keepdims),
       needs_elements=True, method='max'),
    Op('max', chainerx.max, lambda a, axis, keepdims: numpy.max(a, axis=axis, keepdims=keepdims),
       needs_elements=True),
    Op('amin', chainerx.amin, lambda a, axis, keepdims: numpy.amin(a, axis=axis, keepdims=keepdims),
       needs_elements=True, method='min'),
    Op('min', chainerx.min, lambda a, axis, keepdims: numpy.min(a, axis=axis, keepdims=keepdims),
       needs_elements=True),
    Op('mean', chainerx.mean, _np_mean, method='mean'),
    Op('var', chainerx.var, _np_var, method='var'),
    Op('std', chainerx.std, _np_std, method='std'),
    Op('all', chainerx.all, lambda a, axis, keepdims: numpy.all(a, axis=axis, keepdims=keepdims), method='all'),
    Op('any', chainerx.any, lambda a, axis, keepdims: numpy.any(a, axis=axis, keepdims=keepdims), method='any'),
    Op('argmax', chainerx.argmax, lambda a, axis, keepdims: numpy.argmax(a, axis=axis), tuple_axis=False,
       keepdims=False, needs_elements=True, method='argmax'),
    Op('argmin', chainerx.argmin, lambda a, axis, keepdims: numpy.argmin(a, axis=axis), tuple_axis=False,
       keepdims=False, needs_elements=True, method='argmin'),
    Op('count_nonzero', chainerx.count_nonzero, _np_count_nonzero, keepdims=False),
]
OPS = {op.name: op for op in REDUCTIONS}


# ---- inputs -----------------------------------------------------------------------------------------

def _values(shape, dtype, rng, op_name=''):
    if dtype.kind == 'b':
        return rng.random(shape) < 0.6
    if dtype.kind == 'u':
        return rng.integers(0, 6, size=shape).astype(dtype)
    if dtype.kind == 'i':
        return rng.integers(-5, 6, size=shape).astype(dtype)
    if op_name == 'prod':  # keep products representable and well conditioned
        return rng.uniform(0.5, 1.5, size=shape).astype(dtype)
    values = rng.uniform(-1, 1, size=shape).astype(dtype)
    if values.size:
        values.flat[::7] = 0  # zeros for all/any/count_nonzero
    return values


def _layout(values, layout):
    """A NumPy array equal to `values` but laid out as `layout` says."""
    if layout == 'c' or values.ndim == 0:
        return numpy.ascontiguousarray(values)
    if layout == 't':  # reversed axis order (F-contiguous)
        return numpy.ascontiguousarray(values.transpose()).transpose()
    if layout == 'step':  # every other element along the last axis
        base = numpy.zeros(values.shape[:-1] + (2 * values.shape[-1],), values.dtype)
        base[..., ::2] = values
        return base[..., ::2]
    if layout == 'neg':  # negative strides on every axis
        flipped = numpy.ascontiguousarray(values[(slice(None, None, -1),) * values.ndim])
        return flipped[(slice(None, None, -1),) * values.ndim]
    raise ValueError(layout)


def _tolerance(op, dtype, size=1):
    if dtype == numpy.float16:
        return {'rtol': 1e-2, 'atol': 1e-2 * max(1, size) ** 0.5}
    if dtype == numpy.float32:
        return {'rtol': 1e-5, 'atol': 1e-5 * max(1, size) ** 0.5}
    return {'rtol': 1e-12, 'atol': 1e-12}


def _check(op, values, axis, keepdims, layout='c', call=None):
    a_np = _layout(values, layout)
    a = chainerx.array(a_np, copy=False)
    kwargs = {'keepdims': True} if keepdims else {}
    reduced = values.size if axis is None else int(numpy.prod(
        [values.shape[i] for i in (axis if isinstance(axis, tuple) else (axis,))]))
    if op.needs_elements and reduced == 0:
        with pytest.raises(chainerx.DimensionError):
            (call or op.chx)(a, axis=axis, **kwargs) if call is None else call(a, axis, kwargs)
        return
    expected = numpy.asarray(op.ref(a_np, axis, keepdims))
    result = op.chx(a, axis=axis, **kwargs) if call is None else call(a, axis, kwargs)
    assert isinstance(result, chainerx.ndarray)
    if expected.dtype == numpy.uint64:  # chainerx has no uint64
        expected = expected.astype(INT64)
    chainerx.testing.assert_allclose_ex(result, expected, **_tolerance(op, values.dtype, reduced))


# ---- values, dtypes, axes, keepdims, shapes -----------------------------------------------------

SHAPE_AXES = [
    ((), [None, ()]),
    ((0,), [None, 0, -1, ()]),
    ((2, 3), [None, 0, -1, (0, 1), ()]),
    ((2, 0, 3), [None, 0, 1, -1, (0, 2), ()]),
    ((3, 4, 5), [None, 0, 1, -1, (0, 2), (2, 0), (-1, 1), ()]),
]
SHAPE_AXIS_CASES = [(shape, axis) for shape, axes in SHAPE_AXES for axis in axes]


def _skip_unsupported(op, axis, keepdims):
    # argmax/argmin/count_nonzero take neither keepdims nor (argmax/argmin) a tuple of axes.
    if keepdims and not op.keepdims:
        pytest.skip('no keepdims')
    if not op.tuple_axis and isinstance(axis, tuple):
        pytest.skip('a single axis only')


@pytest.mark.parametrize('op', REDUCTIONS, ids=repr)
@pytest.mark.parametrize('dtype', DTYPES, ids=str)
@pytest.mark.parametrize('shape,axis', SHAPE_AXIS_CASES)
@pytest.mark.parametrize('keepdims', [False, True])
def test_reduction(op, dtype, shape, axis, keepdims):
    _skip_unsupported(op, axis, keepdims)
    rng = numpy.random.default_rng(hash((op.name, str(dtype), shape, str(axis))) % 2**32)
    _check(op, _values(shape, dtype, rng, op.name), axis, keepdims)


@pytest.mark.parametrize('op', REDUCTIONS, ids=repr)
@pytest.mark.parametrize('dtype', ['bool_', 'int8', 'uint8', 'int64', 'float16', 'float32', 'float64'])
@pytest.mark.parametrize('layout', ['t', 'step', 'neg'])
@pytest.mark.parametrize('axis', [None, 0, -1, (0, 2), (1,)])
@pytest.mark.parametrize('keepdims', [False, True])
def test_reduction_layouts(op, dtype, layout, axis, keepdims):
    _skip_unsupported(op, axis, keepdims)
    dtype = numpy.dtype(dtype)
    rng = numpy.random.default_rng(7)
    _check(op, _values((3, 4, 5), dtype, rng, op.name), axis, keepdims, layout)


@pytest.mark.parametrize('op', [op for op in REDUCTIONS if op.method], ids=repr)
@pytest.mark.parametrize('axis', [None, 1, (0, 1)])
def test_method(op, axis):
    if not op.tuple_axis and isinstance(axis, tuple):
        pytest.skip('a single axis only')
    rng = numpy.random.default_rng(3)
    values = _values((3, 4), numpy.dtype('float32'), rng)

    def call(a, axis, kwargs):
        return getattr(a, op.method)(axis, **kwargs) if axis is not None else getattr(a, op.method)(**kwargs)
    _check(op, values, axis, False, call=call)
    if op.keepdims:
        _check(op, values, axis, True, call=call)


def test_method_positional_keepdims():
    a = chainerx.array(numpy.arange(6, dtype=numpy.float32).reshape(2, 3))
    chainerx.testing.assert_array_equal_ex(a.sum(1, True), numpy.arange(6, dtype=numpy.float32).reshape(2, 3).sum(1, keepdims=True))


# ---- large inputs: the parallel and pairwise paths --------------------------------------------

@pytest.mark.parametrize('name', ['sum', 'amax', 'amin', 'mean', 'argmax', 'argmin', 'all', 'any', 'count_nonzero',
                                  'var'])
@pytest.mark.parametrize('layout', ['c', 'step'])
@pytest.mark.parametrize('axis', [None, 0, 1])
def test_large(name, layout, axis):
    op = OPS[name]
    rng = numpy.random.default_rng(11)
    values = rng.uniform(0, 1, size=(1 << 10, 1 << 10)).astype(numpy.float32)
    values[rng.integers(0, 1 << 10, 100), rng.integers(0, 1 << 10, 100)] = 0
    if name == 'all':
        values[::3, ::5] = 0
    _check(op, values, axis, False, layout)


@pytest.mark.parametrize('shape,axis', [((1 << 22,), None), ((3, 1 << 20), 1), ((1 << 20, 3), 0), ((1 << 20, 3), 1),
                                        ((7, 1 << 17), 0)])
def test_large_sum_shapes(shape, axis):
    values = numpy.random.default_rng(5).uniform(0, 1, size=shape).astype(numpy.float32)
    _check(OPS['sum'], values, axis, False)
    _check(OPS['amax'], values, axis, False)
    _check(OPS['argmin'], values, axis if axis is None or isinstance(axis, int) else None, False)


def test_large_sum_accuracy():
    # Pairwise summation keeps float32 sums of many elements accurate, as NumPy's does.
    values = numpy.full(1 << 24, 0.1, numpy.float32)
    result = float(chainerx.to_numpy(chainerx.sum(chainerx.array(values))))
    assert abs(result - 0.1 * (1 << 24)) / (0.1 * (1 << 24)) < 1e-5


def test_large_int_sum():
    values = numpy.random.default_rng(1).integers(-100, 100, size=(1 << 21,)).astype(numpy.int8)
    _check(OPS['sum'], values, None, False)
    _check(OPS['argmax'], values, None, False)
    _check(OPS['count_nonzero'], values, None, False)


# ---- NaN handling --------------------------------------------------------------------------------

@pytest.mark.parametrize('dtype', ['float16', 'float32', 'float64'])
@pytest.mark.parametrize('name', ['amax', 'amin', 'argmax', 'argmin', 'sum', 'mean', 'var', 'all', 'any',
                                  'count_nonzero'])
@pytest.mark.parametrize('axis', [None, 0, 1])
def test_nan(dtype, name, axis):
    values = numpy.array([[1.0, numpy.nan, 3.0, numpy.nan], [numpy.inf, -2.0, -numpy.inf, 5.0],
                          [0.5, 0.25, numpy.nan, 0.125]], dtype=dtype)
    with numpy.errstate(invalid='ignore'):
        _check(OPS[name], values, axis, False)


@pytest.mark.parametrize('name', ['amax', 'amin', 'argmax', 'argmin'])
def test_nan_large(name):
    values = numpy.random.default_rng(2).uniform(0, 1, size=1 << 20).astype(numpy.float32)
    values[[12345, 600000, 999999]] = numpy.nan
    _check(OPS[name], values, None, False)
    _check(OPS[name], values.reshape(1 << 10, 1 << 10), 0, False)


def test_argmax_first_occurrence():
    a = chainerx.array(numpy.array([1, 3, 3, 0, 3], numpy.int32))
    assert int(chainerx.to_numpy(chainerx.argmax(a))) == 1
    assert int(chainerx.to_numpy(chainerx.argmin(a))) == 3
    values = numpy.zeros(1 << 20, numpy.float32)
    values[[5000, 700000]] = 2
    assert int(chainerx.to_numpy(chainerx.argmax(chainerx.array(values)))) == 5000


def test_empty_results():
    assert numpy.isnan(chainerx.to_numpy(chainerx.mean(chainerx.zeros((0,), 'float32'))))
    assert float(chainerx.to_numpy(chainerx.sum(chainerx.zeros((0,), 'float32')))) == 0
    assert float(chainerx.to_numpy(chainerx.prod(chainerx.zeros((0,), 'float32')))) == 1
    assert bool(chainerx.to_numpy(chainerx.all(chainerx.zeros((0,), 'float32'))))
    assert not bool(chainerx.to_numpy(chainerx.any(chainerx.zeros((0,), 'float32'))))


def test_ddof():
    values = numpy.random.default_rng(4).uniform(size=(4, 5))
    a = chainerx.array(values)
    chainerx.testing.assert_allclose_ex(chainerx.var(a, axis=1, ddof=1), numpy.var(values, axis=1, ddof=1))
    chainerx.testing.assert_allclose_ex(chainerx.std(a, ddof=1), numpy.std(values, ddof=1))
    chainerx.testing.assert_allclose_ex(a.var(0, ddof=1), numpy.var(values, axis=0, ddof=1))


def test_dtypes():
    assert chainerx.sum(chainerx.ones((2,), 'uint8')).dtype == INT64
    assert chainerx.sum(chainerx.ones((2,), 'bool_')).dtype == INT64
    assert chainerx.sum(chainerx.ones((2,), 'float16')).dtype == numpy.float16
    assert chainerx.mean(chainerx.ones((2,), 'int32')).dtype == FLOAT64
    assert chainerx.var(chainerx.ones((2,), 'int8')).dtype == FLOAT64
    assert chainerx.amax(chainerx.ones((2,), 'int16')).dtype == numpy.int16
    assert chainerx.argmax(chainerx.ones((2,), 'float16')).dtype == INT64
    assert chainerx.all(chainerx.ones((2,), 'float32')).dtype == numpy.bool_
    assert chainerx.count_nonzero(chainerx.ones((2,), 'float32')).dtype == INT64


def test_int_sum_wraps():
    values = numpy.full(4, 2**62, numpy.int64)
    _check(OPS['sum'], values, None, False)
    _check(OPS['prod'], numpy.full(70, 3, numpy.int64), None, False)


# ---- errors --------------------------------------------------------------------------------------

@pytest.mark.parametrize('name', ['sum', 'prod', 'amax', 'amin', 'mean', 'var', 'std', 'all', 'any',
                                  'count_nonzero'])
@pytest.mark.parametrize('axis', [3, -4, (0, 0), (1, -2), (0, 5)])
def test_axis_errors(name, axis):
    a = chainerx.zeros((2, 3, 4), 'float32')
    with pytest.raises(chainerx.DimensionError, match=name):
        OPS[name].chx(a, axis=axis)


@pytest.mark.parametrize('name', ['argmax', 'argmin'])
def test_arg_errors(name):
    a = chainerx.zeros((2, 3), 'float32')
    with pytest.raises(chainerx.DimensionError):
        OPS[name].chx(a, axis=2)
    with pytest.raises(chainerx.DimensionError):
        OPS[name].chx(a, axis=-3)
    with pytest.raises(TypeError):
        OPS[name].chx(a, axis=(0, 1))
    with pytest.raises(chainerx.DimensionError):
        OPS[name].chx(chainerx.zeros((0, 3), 'float32'))
    with pytest.raises(chainerx.DimensionError):
        OPS[name].chx(chainerx.zeros((0, 3), 'float32'), axis=0)
    assert OPS[name].chx(chainerx.zeros((0, 3), 'float32'), axis=1).shape == (0,)


@pytest.mark.parametrize('name', ['amax', 'amin'])
def test_zero_size_errors(name):
    with pytest.raises(chainerx.DimensionError):
        OPS[name].chx(chainerx.zeros((0,), 'float32'))
    with pytest.raises(chainerx.DimensionError):
        OPS[name].chx(chainerx.zeros((2, 0), 'float32'), axis=1)
    assert OPS[name].chx(chainerx.zeros((2, 0), 'float32'), axis=0).shape == (0,)


def test_not_an_array():
    with pytest.raises(TypeError):
        chainerx.sum([1, 2, 3])


@pytest.mark.cuda
def test_cuda_not_implemented():
    a = chainerx.zeros((2, 3), 'float32', device='cuda:0')
    with pytest.raises(chainerx.NotImplementedError, match='sum'):
        chainerx.sum(a)


@pytest.mark.parametrize('name', ['amax', 'amin', 'all', 'any', 'argmax'])
def test_large_bool(name):
    # Boolean accumulators written by several threads at once.
    values = numpy.zeros((4, 1 << 18), bool)
    values[1, 1000] = True
    values[2] = True
    values[3, -1] = True
    _check(OPS[name], values, None, False)
    _check(OPS[name], values, 1, False)
    _check(OPS[name], values.T.copy(), 0, False)
