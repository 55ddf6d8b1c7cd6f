"""Elementwise math, logic and comparison routines and the ndarray operators, against NumPy.

Every op is one row of a table (UNARY_OPS, BINARY_OPS): its NumPy reference, its dtype rule, the
dtypes it accepts and the domain its inputs are drawn from. The tests are products of those tables
with dtypes, shapes, memory layouts and scalar operands. The reference result is NumPy's on the
inputs cast to the dtype ChainerX computes in (its promotion rules, not NumPy's); the result must
have exactly ChainerX's dtype and NumPy's strides for inputs of the same layout.
"""
import math
import operator
import typing

import numpy
import pytest

import chainerx

try:
    import ml_dtypes
except ImportError:  # bfloat16 tests need ml_dtypes to build inputs and read results
    ml_dtypes = None


# ---- dtypes and ChainerX's promotion rules -------------------------------------------------------

DTYPES = [numpy.dtype(name) for name in chainerx.testing.all_dtypes]
INT_DTYPES = [numpy.dtype(name) for name in ('int8', 'int16', 'int32', 'int64', 'uint8')]
FLOAT_DTYPES = [numpy.dtype(name) for name in ('float16', 'float32', 'float64')]
BOOL = numpy.dtype('bool')
INT32 = numpy.dtype('int32')
FLOAT32 = numpy.dtype('float32')

# Which dtype kinds an op accepts: bool, signed int, unsigned int, float (bfloat16 counts as float).
ALL = 'biuf'
NUMERIC = 'iuf'
INTEGRAL = 'biu'
INT = 'iu'


def _kind(dtype):
    dtype = numpy.dtype(dtype)
    return 'f' if dtype.name == 'bfloat16' else dtype.kind


def _category(dtype):
    return {'b': 0, 'i': 1, 'u': 1, 'f': 2}[_kind(dtype)]


def _promote(a, b):
    """ChainerX's promotion of two array dtypes (not NumPy's)."""
    a, b = numpy.dtype(a), numpy.dtype(b)
    if a == b:
        return a
    if _kind(a) == 'b':
        return b
    if _kind(b) == 'b':
        return a
    if _kind(a) == 'f' and _kind(b) == 'f':
        if a.itemsize == b.itemsize:  # float16 with bfloat16
            return FLOAT32
        return a if a.itemsize > b.itemsize else b
    if _kind(a) == 'f':
        return a  # float beats int without widening
    if _kind(b) == 'f':
        return b
    if 'u' in (a.kind, b.kind):  # uint8 is the only unsigned dtype
        other = b if a.kind == 'u' else a
        return other if other.itemsize > 1 else numpy.dtype('int16')
    return a if a.itemsize > b.itemsize else b


def _scalar_dtype(value):
    """The dtype ChainerX gives a lone Python or NumPy scalar of value's category."""
    if isinstance(value, (bool, numpy.bool_)):
        return BOOL
    if isinstance(value, (int, numpy.integer)):
        return INT32
    return FLOAT32


def _result_dtype(*operands):
    """ChainerX's result dtype of arrays and scalars: a scalar wins only with a higher category."""
    arrays = [numpy.dtype(x.dtype) for x in operands if isinstance(x, numpy.ndarray)]
    scalars = [_scalar_dtype(x) for x in operands if not isinstance(x, numpy.ndarray)]
    scalar_type = None
    for d in scalars:
        scalar_type = d if scalar_type is None else _promote(scalar_type, d)
    if not arrays:
        return scalar_type
    array_type = arrays[0]
    for d in arrays[1:]:
        array_type = _promote(array_type, d)
    if scalar_type is not None and _category(scalar_type) > _category(array_type):
        return scalar_type
    return array_type


# ---- op tables -----------------------------------------------------------------------------------

class Domain(typing.NamedTuple):
    """Where an op's inputs are drawn from (integers and bools: the integers in [lo, hi])."""
    lo: float = -5
    hi: float = 5
    nonzero: bool = False
    float_range: typing.Optional[tuple] = None  # a different range for float inputs


NONZERO = Domain(nonzero=True)


class Op(typing.NamedTuple):
    name: str
    ref: typing.Callable  # NumPy reference, called on the inputs cast to the compute dtype
    rule: str = 'same'  # result dtype: 'same' (compute dtype), 'float' (non-floats compute in float32), 'bool',
    #                     'int' (bool computes in int8, as NumPy's and ChainerX's shifts)
    accepts: str = ALL  # kinds of compute dtype the op supports; others raise DtypeError
    domains: tuple = (Domain(), Domain())  # per input
    exact_zero_sign: bool = True  # whether the sign of a zero result is defined (checked on special values)
    ulp: int = 0  # units in the last place a float32/float64 result may be off NumPy's (libm vs NumPy's
    #               SIMD code; at most 1 for 16-bit floats, which both compute in float32 and round)

    def compute_dtype(self, dtype):
        dtype = numpy.dtype(dtype)
        if self.rule == 'int' and _kind(dtype) == 'b':
            return numpy.dtype('int8')
        return FLOAT32 if self.rule == 'float' and _kind(dtype) != 'f' else dtype

    def out_dtype(self, compute):
        return BOOL if self.rule == 'bool' else compute

    def __repr__(self):
        return self.name


_erf_float64 = numpy.vectorize(math.erf, otypes=[numpy.float64])


def _erf(x):
    return _erf_float64(x.astype(numpy.float64)).astype(x.dtype)


def _power(a, b):
    """NumPy's power, except integer negative exponents: 1 for base 1, +-1 for base -1, 0 otherwise."""
    if a.dtype.kind == 'f':
        return numpy.power(a, b)
    negative = b < 0
    result = numpy.power(a, numpy.where(negative, 0, b).astype(b.dtype))
    special = numpy.where(a == 1, 1, numpy.where(a == -1, numpy.where(b % 2 == 0, 1, -1), 0))
    return numpy.where(negative, special.astype(a.dtype), result)


def _unary(name, ref, rule='same', accepts=ALL, domain=Domain(), **kwargs):
    return Op(name, ref, rule, accepts, (domain,), **kwargs)


def _float_unary(name, ref, lo=-5, hi=5, nonzero=False, ulp=8):
    return Op(name, ref, 'float', 'f', (Domain(lo, hi, nonzero),), ulp=ulp)


UNARY_OPS = [
    _unary('negative', numpy.negative, accepts=NUMERIC),
    _unary('square', numpy.square),
    _unary('abs', numpy.absolute),
    _unary('absolute', numpy.absolute),
    _unary('sign', numpy.sign, accepts=NUMERIC),
    _float_unary('sqrt', numpy.sqrt, 0, 10, ulp=0),
    _float_unary('fabs', numpy.fabs, ulp=0),
    _float_unary('reciprocal', numpy.reciprocal, -4, 4, nonzero=True, ulp=0),
    _float_unary('exp', numpy.exp, -3, 3),
    _float_unary('expm1', numpy.expm1, -3, 3),
    _float_unary('exp2', numpy.exp2, -3, 3),
    _float_unary('log', numpy.log, 0.1, 10),
    _float_unary('log10', numpy.log10, 0.1, 10),
    _float_unary('log2', numpy.log2, 0.1, 10),
    _float_unary('log1p', numpy.log1p, -0.5, 5),
    _float_unary('erf', _erf, -2, 2),
    _float_unary('sin', numpy.sin, -4, 4),
    _float_unary('cos', numpy.cos, -4, 4),
    _float_unary('tan', numpy.tan, -1.2, 1.2),
    _float_unary('arcsin', numpy.arcsin, -1, 1),
    _float_unary('arccos', numpy.arccos, -1, 1),
    _float_unary('arctan', numpy.arctan),
    _float_unary('sinh', numpy.sinh, -3, 3),
    _float_unary('cosh', numpy.cosh, -3, 3),
    _float_unary('tanh', numpy.tanh, -3, 3),
    _float_unary('arcsinh', numpy.arcsinh),
    _float_unary('arccosh', numpy.arccosh, 1, 5),
    _float_unary('arctanh', numpy.arctanh, -0.9, 0.9),
    _float_unary('ceil', numpy.ceil, ulp=0),
    _float_unary('floor', numpy.floor, ulp=0),
    _float_unary('fix', numpy.trunc, ulp=0),
    _unary('logical_not', numpy.logical_not, 'bool'),
    _unary('isnan', numpy.isnan, 'bool'),
    _unary('isinf', numpy.isinf, 'bool'),
    _unary('isfinite', numpy.isfinite, 'bool'),
]


def _binary(name, ref, rule='same', accepts=ALL, domain1=Domain(), domain2=Domain(), **kwargs):
    return Op(name, ref, rule, accepts, (domain1, domain2), **kwargs)


_SHIFT = dict(rule='int', accepts=INT, domain1=Domain(-20, 20), domain2=Domain(0, 7))

BINARY_OPS = [
    _binary('add', numpy.add),
    _binary('subtract', numpy.subtract, accepts=NUMERIC),
    _binary('multiply', numpy.multiply),
    _binary('divide', numpy.true_divide, 'float', domain2=NONZERO),
    _binary('true_divide', numpy.true_divide, 'float', domain2=NONZERO),
    _binary('floor_divide', numpy.floor_divide, accepts=NUMERIC, domain2=NONZERO),
    _binary('power', _power, accepts=NUMERIC, domain1=Domain(-3, 3, float_range=(0.2, 3)), domain2=Domain(-2, 3),
            ulp=8),
    _binary('remainder', numpy.remainder, accepts=NUMERIC, domain2=NONZERO),
    _binary('mod', numpy.remainder, accepts=NUMERIC, domain2=NONZERO),
    _binary('fmod', numpy.fmod, accepts=NUMERIC, domain2=NONZERO),
    # Which of two equal zeros maximum/minimum return is unspecified.
    _binary('maximum', numpy.maximum, exact_zero_sign=False),
    _binary('minimum', numpy.minimum, exact_zero_sign=False),
    _binary('arctan2', numpy.arctan2, 'float', ulp=8),
    _binary('bitwise_and', numpy.bitwise_and, accepts=INTEGRAL),
    _binary('bitwise_or', numpy.bitwise_or, accepts=INTEGRAL),
    _binary('bitwise_xor', numpy.bitwise_xor, accepts=INTEGRAL),
    _binary('left_shift', numpy.left_shift, **_SHIFT),
    _binary('right_shift', numpy.right_shift, **_SHIFT),
    _binary('equal', numpy.equal, 'bool'),
    _binary('not_equal', numpy.not_equal, 'bool'),
    _binary('greater', numpy.greater, 'bool'),
    _binary('greater_equal', numpy.greater_equal, 'bool'),
    _binary('less', numpy.less, 'bool'),
    _binary('less_equal', numpy.less_equal, 'bool'),
    _binary('logical_and', numpy.logical_and, 'bool'),
    _binary('logical_or', numpy.logical_or, 'bool'),
    _binary('logical_xor', numpy.logical_xor, 'bool'),
]
BINARY = {op.name: op for op in BINARY_OPS}
UNARY = {op.name: op for op in UNARY_OPS}


def _main_dtype(op):
    """A dtype every input of op may have: float32, or int32 for integer-only ops."""
    return FLOAT32 if 'f' in op.accepts else INT32


# ---- inputs --------------------------------------------------------------------------------------

def _values(shape, dtype, domain, rng):
    """Random values of dtype in domain, as a NumPy array."""
    dtype = numpy.dtype(dtype)
    kind = _kind(dtype)
    if kind == 'f':
        lo, hi = domain.float_range or (domain.lo, domain.hi)
        x = numpy.array(rng.uniform(lo, hi, size=shape))
        if domain.nonzero:
            x[numpy.abs(x) < 0.25] = 0.5
    elif kind == 'b':
        choices = [v for v in (False, True) if domain.lo <= v <= domain.hi and (v or not domain.nonzero)]
        x = numpy.array(rng.choice(choices, size=shape))
    else:
        info = numpy.iinfo(dtype)
        lo, hi = max(math.ceil(domain.lo), info.min), min(math.floor(domain.hi), info.max)
        x = numpy.array(rng.integers(lo, hi, size=shape, endpoint=True))
        if domain.nonzero:
            x[x == 0] = 1 if hi >= 1 else -1
    return x.astype(dtype)


def _view(layout, ndim):
    """A view function giving a layout: 'c' contiguous, 't' transposed, 's' step 2 on every axis,
    'n' negative strides on every axis (reversed), 'p' the first two axes swapped."""
    if layout == 't':
        return lambda a: a.T
    if layout == 's':
        return lambda a: a[(slice(None, None, 2),) * ndim]
    if layout == 'n':
        return lambda a: a[(slice(None, None, -1),) * ndim]
    if layout == 'p' and ndim >= 2:
        return lambda a: a.swapaxes(0, 1)
    return lambda a: a


def _base_shape(shape, layout):
    if layout == 't':
        return shape[::-1]
    if layout == 's':
        return tuple(2 * n for n in shape)
    if layout == 'p' and len(shape) >= 2:
        return (shape[1], shape[0]) + shape[2:]
    return shape


def _make(shape, dtype, domain=Domain(), layout='c', seed=0):
    """A NumPy array and a chainerx array with the same values, shape and strides."""
    shape = tuple(shape)
    base = _values(_base_shape(shape, layout), dtype, domain, numpy.random.default_rng(seed))
    view = _view(layout, len(shape))
    np_array, chx_array = view(base), view(chainerx.array(base))
    assert np_array.shape == shape
    assert chx_array.strides == np_array.strides
    return np_array, chx_array


# ---- checks --------------------------------------------------------------------------------------

_TOLERANCE = {'float16': (1e-3, 1e-4), 'bfloat16': (1e-2, 1e-2), 'float32': (1e-5, 1e-6), 'float64': (1e-12, 1e-14)}


def _numpy_strides(operands, dtype):
    """The strides NumPy gives a ufunc's new output for these operands (scalars do not count)."""
    arrays = [x for x in operands if isinstance(x, numpy.ndarray)]
    if not arrays:
        return ()
    it = numpy.nditer(arrays + [None], flags=['zerosize_ok'], order='K',
                      op_flags=[['readonly']] * len(arrays) + [['writeonly', 'allocate']],
                      op_dtypes=[x.dtype for x in arrays] + [numpy.dtype(dtype)])
    return it.operands[-1].strides


def _to_host(x):
    x = chainerx.to_numpy(x)
    return x.astype(numpy.float32) if x.dtype.name == 'bfloat16' else x


def _ulp_mismatches(actual, expected, maxulp):
    """Where two float arrays of one dtype differ in nan-ness or by more than maxulp units in the
    last place (infinities must match exactly; zeros of either sign are equal)."""
    nan_actual, nan_expected = numpy.isnan(actual), numpy.isnan(expected)
    int_type = numpy.dtype('int{}'.format(8 * actual.dtype.itemsize))
    uint_type = numpy.dtype('uint{}'.format(8 * actual.dtype.itemsize))

    def ordered(x):  # sign-magnitude bits to integers in the floats' order
        bits = x.view(int_type)
        return numpy.where(bits < 0, numpy.iinfo(int_type).min - bits, bits).view(uint_type)

    with numpy.errstate(all='ignore'):
        distance = ordered(actual) - ordered(expected)
        distance = numpy.minimum(distance, -distance)
    return (nan_actual != nan_expected) | (~nan_expected & (distance > maxulp))


def _raise_mismatch(bad, what, inputs, actual, expected):
    """Reports the first elements where bad is set, with the inputs (broadcast) that gave them."""
    where = numpy.nonzero(bad)
    shown = [numpy.broadcast_to(numpy.asarray(x), bad.shape)[where][:8] for x in inputs]
    raise AssertionError('{} of {} results {}; inputs {}, actual {}, expected {}'.format(
        bad.sum(), bad.size, what, shown, actual[where][:8], expected[where][:8]))


def _assert_result(actual, expected, dtype, strides=None, check_zero_sign=False, maxulp=None, inputs=()):
    """actual (a chainerx array) has dtype, shape, strides (when size > 0) and values of expected:
    floats within a tolerance, or within maxulp units in the last place when it is given."""
    assert isinstance(actual, chainerx.ndarray), type(actual)
    assert actual.dtype == dtype, (actual.dtype, dtype)
    expected = numpy.asarray(expected)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    if strides is not None and actual.size > 0:
        assert actual.strides == tuple(strides), (actual.strides, strides)
    host = _to_host(actual)
    if _kind(dtype) == 'f':
        expected = expected.astype(dtype).astype(host.dtype)
        if maxulp is not None:
            bad = _ulp_mismatches(host, expected, maxulp)
            if bad.any():
                _raise_mismatch(bad, 'off by more than {} ulp'.format(maxulp), inputs, host, expected)
        else:
            rtol, atol = _TOLERANCE[numpy.dtype(dtype).name]
            numpy.testing.assert_allclose(host, expected, rtol=rtol, atol=atol, equal_nan=True)
        if check_zero_sign:
            zeros = expected == 0
            numpy.testing.assert_array_equal(numpy.signbit(host[zeros]), numpy.signbit(expected[zeros]),
                                             err_msg='signs of zeros differ')
    else:
        expected = expected.astype(dtype)
        bad = host != expected
        if bad.any():
            _raise_mismatch(bad, 'differ', inputs, host, expected)


def _reference(op, compute, np_args):
    with numpy.errstate(all='ignore'):
        return op.ref(*[numpy.asarray(x).astype(compute) for x in np_args])


def _check(op, np_args, chx_args, func=None, check_zero_sign=False, ulp_check=False):
    """Calls func (chainerx.<op.name> by default) on chx_args and checks the result against op's
    NumPy reference on np_args (the same values as NumPy arrays and scalars), or that it raises
    DtypeError when op does not support the compute dtype. With ulp_check, floats are compared in
    units in the last place (op.ulp; at most 1 for 16-bit floats) rather than with a tolerance."""
    func = func or getattr(chainerx, op.name)
    compute = op.compute_dtype(_result_dtype(*np_args))
    if _kind(compute) not in op.accepts:
        with pytest.raises(chainerx.DtypeError):
            func(*chx_args)
        return
    actual = func(*chx_args)
    out_dtype = op.out_dtype(compute)
    expected = _reference(op, compute, np_args)
    maxulp = None
    if ulp_check:
        maxulp = op.ulp if numpy.dtype(out_dtype).itemsize > 2 else min(op.ulp, 1)
    _assert_result(actual, expected, out_dtype, _numpy_strides(np_args, out_dtype),
                   check_zero_sign=check_zero_sign and op.exact_zero_sign, maxulp=maxulp, inputs=np_args)


def _ids(values):
    return [str(v) for v in values]


# ---- dtype rules ---------------------------------------------------------------------------------

def test_dtype_objects_are_numpys():
    assert chainerx.float32 is numpy.float32
    assert chainerx.bool_ is numpy.bool_


@pytest.mark.parametrize('x1, x2, expected', [
    ('int64', 'float16', 'float16'),
    ('int16', 'float64', 'float64'),
    ('uint8', 'int8', 'int16'),
    ('uint8', 'int16', 'int16'),
    ('uint8', 'int64', 'int64'),
    ('bool', 'uint8', 'uint8'),
    ('bool', 'float16', 'float16'),
    ('int8', 'int32', 'int32'),
    ('float16', 'float32', 'float32'),
    ('int8', 2.5, 'float32'),
    ('int8', numpy.float64(2.5), 'float32'),
    ('float16', 2, 'float16'),
    ('float16', 2.5, 'float16'),
    ('float64', numpy.float16(2.5), 'float64'),
    ('bool', 1, 'int32'),
    ('bool', numpy.int8(1), 'int32'),
    ('bool', 1.5, 'float32'),
    ('bool', True, 'bool'),
    ('int8', True, 'int8'),
    ('uint8', 255, 'uint8'),  # an int the dtype cannot hold (300) raises OverflowError, as in NumPy 2
])
def test_promotion(x1, x2, expected):
    a = chainerx.array(numpy.ones(2, x1))
    b = chainerx.array(numpy.ones(2, x2)) if isinstance(x2, str) else x2
    assert chainerx.add(a, b).dtype == expected
    assert chainerx.add(b, a).dtype == expected
    assert chainerx.equal(a, b).dtype == BOOL


@pytest.mark.skipif(ml_dtypes is None, reason='needs ml_dtypes')
@pytest.mark.parametrize('other, expected', [
    ('bfloat16', 'bfloat16'), ('float16', 'float32'), ('float32', 'float32'), ('float64', 'float64'),
    ('int64', 'bfloat16'), ('bool', 'bfloat16'), (2, 'bfloat16'), (2.5, 'bfloat16'),
])
def test_promotion_bfloat16(other, expected):
    a = chainerx.array(numpy.ones(2, numpy.float32).astype(ml_dtypes.bfloat16))
    b = chainerx.array(numpy.ones(2, numpy.float32).astype(other)) if isinstance(other, str) else other
    expected = numpy.dtype(ml_dtypes.bfloat16 if expected == 'bfloat16' else expected)
    assert chainerx.add(a, b).dtype == expected
    assert chainerx.multiply(b, a).dtype == expected


# ---- unary ops -----------------------------------------------------------------------------------

@pytest.mark.parametrize('dtype', DTYPES, ids=_ids(DTYPES))
@pytest.mark.parametrize('op', UNARY_OPS, ids=_ids(UNARY_OPS))
def test_unary(op, dtype):
    x, cx = _make((2, 3), dtype, op.domains[0])
    _check(op, [x], [cx])


SHAPE_LAYOUTS = [
    ((), 'c'), ((0,), 'c'), ((1,), 'c'), ((5,), 'n'), ((2, 0, 3), 'c'), ((2, 0, 3), 't'),
    ((2, 3), 't'), ((2, 3), 's'), ((2, 3), 'n'), ((2, 3, 4), 't'), ((2, 3, 4), 'p'), ((2, 3, 4), 's'),
]


@pytest.mark.parametrize('dtype', [FLOAT32, numpy.dtype('int16')], ids=['float32', 'int16'])
@pytest.mark.parametrize('shape, layout', SHAPE_LAYOUTS)
@pytest.mark.parametrize('op', UNARY_OPS, ids=_ids(UNARY_OPS))
def test_unary_shapes_and_layouts(op, shape, layout, dtype):
    x, cx = _make(shape, dtype, op.domains[0], layout)
    _check(op, [x], [cx])


FLOAT_SPECIALS = [0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -3.0, 5.5, -7.25, 100.0, -100.0, 1e-5,
                  numpy.inf, -numpy.inf, numpy.nan]


@pytest.mark.parametrize('dtype', FLOAT_DTYPES, ids=_ids(FLOAT_DTYPES))
@pytest.mark.parametrize('op', UNARY_OPS, ids=_ids(UNARY_OPS))
def test_unary_float_special_values(op, dtype):
    x = numpy.array(FLOAT_SPECIALS, dtype)
    _check(op, [x], [chainerx.array(x)], check_zero_sign=True)


def _int_extremes(dtype):
    info = numpy.iinfo(dtype)
    values = [info.min, info.min + 1, -7, -3, -2, -1, 0, 1, 2, 3, 7, info.max - 1, info.max]
    return numpy.array(sorted({v for v in values if info.min <= v <= info.max}), dtype)


@pytest.mark.parametrize('dtype', INT_DTYPES, ids=_ids(INT_DTYPES))
@pytest.mark.parametrize('op', UNARY_OPS, ids=_ids(UNARY_OPS))
def test_unary_integer_extremes(op, dtype):
    x = _int_extremes(dtype)
    _check(op, [x], [chainerx.array(x)])


# ---- binary ops ----------------------------------------------------------------------------------

@pytest.mark.parametrize('dtype2', DTYPES, ids=_ids(DTYPES))
@pytest.mark.parametrize('dtype1', DTYPES, ids=_ids(DTYPES))
@pytest.mark.parametrize('op', BINARY_OPS, ids=_ids(BINARY_OPS))
def test_binary(op, dtype1, dtype2):
    x1, cx1 = _make((2, 3), dtype1, op.domains[0], seed=1)
    x2, cx2 = _make((2, 3), dtype2, op.domains[1], seed=2)
    _check(op, [x1, x2], [cx1, cx2])


SCALARS = [True, 3, 2.5, numpy.bool_(True), numpy.int64(2), numpy.float16(1.5)]


@pytest.mark.parametrize('scalar', SCALARS, ids=[f'{type(s).__name__}({s})' for s in SCALARS])
@pytest.mark.parametrize('dtype', DTYPES, ids=_ids(DTYPES))
@pytest.mark.parametrize('op', BINARY_OPS, ids=_ids(BINARY_OPS))
def test_binary_scalar(op, dtype, scalar):
    x, cx = _make((2, 3), dtype, op.domains[1], seed=1)
    _check(op, [scalar, x], [scalar, cx])  # scalar on the left: x is the second operand
    x, cx = _make((2, 3), dtype, op.domains[0], seed=1)
    _check(op, [x, scalar], [cx, scalar])


def test_scalar_operands_only():
    # Scalars alone make a 0-d array of the scalars' default dtype.
    _assert_result(chainerx.add(2, 3), numpy.array(5), INT32, ())
    _assert_result(chainerx.multiply(2, 1.5), numpy.array(3.0), FLOAT32, ())
    _assert_result(chainerx.logical_and(True, False), numpy.array(False), BOOL, ())
    _assert_result(chainerx.add(numpy.int8(2), numpy.float64(0.5)), numpy.array(2.5), FLOAT32, ())
    _assert_result(chainerx.sqrt(4), numpy.array(2.0), FLOAT32, ())
    _assert_result(chainerx.negative(numpy.float64(1.5)), numpy.array(-1.5), FLOAT32, ())
    _assert_result(chainerx.square(3), numpy.array(9), INT32, ())
    _assert_result(chainerx.isnan(float('nan')), numpy.array(True), BOOL, ())
    with pytest.raises(chainerx.DtypeError):
        chainerx.negative(True)


BROADCAST_SHAPES = [
    ((), ()), ((0,), (0,)), ((1,), (1,)), ((2, 3), (2, 3)), ((2, 0, 3), (2, 0, 3)), ((2, 3), (3,)),
    ((3,), (2, 3)), ((2, 1), (1, 3)), ((), (2, 3)), ((2, 3), ()), ((2, 0, 3), (3,)), ((1, 3), (2, 1, 1)),
]


@pytest.mark.parametrize('shape1, shape2', BROADCAST_SHAPES)
@pytest.mark.parametrize('op', BINARY_OPS, ids=_ids(BINARY_OPS))
def test_binary_shapes(op, shape1, shape2):
    dtype = _main_dtype(op)
    x1, cx1 = _make(shape1, dtype, op.domains[0], seed=1)
    x2, cx2 = _make(shape2, dtype, op.domains[1], seed=2)
    _check(op, [x1, x2], [cx1, cx2])


BINARY_LAYOUTS = [
    # shape1, layout1, shape2, layout2, whether the second operand is int16 (cast before the op)
    ((2, 3), 't', (2, 3), 'c', False),
    ((2, 3), 't', (2, 3), 't', False),
    ((2, 3), 's', (2, 3), 'n', False),
    ((2, 3, 4), 'p', (2, 3, 4), 'c', False),
    ((2, 3, 4), 'p', (3, 4), 't', False),
    ((3, 4), 'n', (2, 3, 4), 's', False),
    ((2, 3), 't', (2, 3), 'c', True),
    ((2, 3, 4), 'c', (2, 3, 4), 't', True),
    ((2, 3, 4), 'p', (2, 3, 4), 's', True),
]


@pytest.mark.parametrize('shape1, layout1, shape2, layout2, cast', BINARY_LAYOUTS)
@pytest.mark.parametrize('op', BINARY_OPS, ids=_ids(BINARY_OPS))
def test_binary_layouts(op, shape1, layout1, shape2, layout2, cast):
    dtype = _main_dtype(op)
    x1, cx1 = _make(shape1, dtype, op.domains[0], layout1, seed=1)
    x2, cx2 = _make(shape2, 'int16' if cast else dtype, op.domains[1], layout2, seed=2)
    _check(op, [x1, x2], [cx1, cx2])


@pytest.mark.parametrize('dtype', FLOAT_DTYPES, ids=_ids(FLOAT_DTYPES))
@pytest.mark.parametrize('op', BINARY_OPS, ids=_ids(BINARY_OPS))
def test_binary_float_special_values(op, dtype):
    # Every pair of special values (zeros of both signs, infinities, nan) as an outer product.
    x1 = numpy.array(FLOAT_SPECIALS, dtype)[:, None]
    x2 = numpy.array(FLOAT_SPECIALS, dtype)[None, :]
    _check(op, [x1, x2], [chainerx.array(x1), chainerx.array(x2)], check_zero_sign=True)


@pytest.mark.parametrize('dtype', INT_DTYPES, ids=_ids(INT_DTYPES))
@pytest.mark.parametrize('op', BINARY_OPS, ids=_ids(BINARY_OPS))
def test_binary_integer_extremes(op, dtype):
    # Every pair of extreme and small values: overflow wraps around, division by zero gives 0,
    # shifts by at least the bit width give 0 or -1.
    values = _int_extremes(dtype)
    x1, x2 = values[:, None], values[None, :]
    _check(op, [x1, x2], [chainerx.array(x1), chainerx.array(x2)])


def _random_bits(dtype, size, seed):
    """Values of dtype with uniformly random bit patterns (any magnitude, infinities and nans)."""
    dtype = numpy.dtype(dtype)
    rng = numpy.random.default_rng(seed)
    if dtype == BOOL:
        return rng.integers(0, 2, size=size).astype(bool)
    return rng.integers(0, 256, size=size * dtype.itemsize, dtype=numpy.uint8).view(dtype)


RANDOM_BITS_DTYPES = [numpy.dtype(n) for n in ('bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'float16',
                                               'float32', 'float64')]


@pytest.mark.parametrize('op', UNARY_OPS, ids=_ids(UNARY_OPS))
def test_unary_every_float16(op):
    x = numpy.arange(1 << 16, dtype=numpy.uint16).view(numpy.float16)
    _check(op, [x], [chainerx.array(x)], ulp_check=True)


@pytest.mark.parametrize('dtype', RANDOM_BITS_DTYPES, ids=_ids(RANDOM_BITS_DTYPES))
@pytest.mark.parametrize('op', UNARY_OPS, ids=_ids(UNARY_OPS))
def test_unary_random_bits(op, dtype):
    x = _random_bits(dtype, 20_000, seed=1)
    _check(op, [x], [chainerx.array(x)], ulp_check=True)


@pytest.mark.parametrize('dtype', RANDOM_BITS_DTYPES, ids=_ids(RANDOM_BITS_DTYPES))
@pytest.mark.parametrize('op', BINARY_OPS, ids=_ids(BINARY_OPS))
def test_binary_random_bits(op, dtype):
    x1, x2 = _random_bits(dtype, 20_000, seed=1), _random_bits(dtype, 20_000, seed=2)
    _check(op, [x1, x2], [chainerx.array(x1), chainerx.array(x2)], ulp_check=True)


@pytest.mark.parametrize('dtype', ['int8', 'uint8'])
@pytest.mark.parametrize('op', BINARY_OPS, ids=_ids(BINARY_OPS))
def test_binary_every_8bit_pair(op, dtype):
    values = numpy.arange(256, dtype=numpy.uint8).view(dtype)
    x1, x2 = values[:, None], values[None, :]
    _check(op, [x1, x2], [chainerx.array(x1), chainerx.array(x2)])


@pytest.mark.parametrize('op_name, x1, x2, dtype, expected', [
    # Python's floor division and modulo; integer division by zero gives 0; fmod is C's.
    ('floor_divide', [7, -7, 7, -7, 5, 0], [2, 2, -2, -2, 0, 0], 'int32', [3, -4, -4, 3, 0, 0]),
    ('remainder', [7, -7, 7, -7, 5, 0], [2, 2, -2, -2, 0, 0], 'int32', [1, 1, -1, -1, 0, 0]),
    ('fmod', [7, -7, 7, -7, 5, 0], [2, 2, -2, -2, 0, 0], 'int32', [1, -1, 1, -1, 0, 0]),
    ('floor_divide', [-128, -128], [-1, 1], 'int8', [-128, -128]),
    ('floor_divide', [7.0, -7.0, 1.0, -1.0, 0.0, 1.0], [2.0, 2.0, 0.0, 0.0, 0.0, -numpy.inf], 'float64',
     [3.0, -4.0, numpy.inf, -numpy.inf, numpy.nan, -1.0]),
    ('remainder', [7.0, -7.0, 7.0, -1.0, 1.0], [2.0, 2.0, -2.0, numpy.inf, 0.0], 'float64',
     [1.0, 1.0, -1.0, numpy.inf, numpy.nan]),
    # Integer negative powers: 1 for base 1, +-1 for base -1, 0 otherwise.
    ('power', [1, -1, -1, 2, 0, 3], [-1, -1, -2, -1, -3, 2], 'int32', [1, -1, 1, 0, 0, 9]),
    ('power', [2, 3], [7, 5], 'int8', [-128, -13]),
    # Shifts by the bit width or more.
    ('left_shift', [1, 1, 1, -1], [7, 8, 100, 3], 'int8', [-128, 0, 0, -8]),
    ('right_shift', [-128, -128, 64, 64], [7, 8, 8, 100], 'int8', [-1, -1, 0, 0]),
    ('left_shift', [1, 1], [63, 64], 'int64', [-2 ** 63, 0]),
    ('right_shift', [255, 255], [7, 8], 'uint8', [1, 0]),
    # nan propagates through maximum and minimum.
    ('maximum', [numpy.nan, 1.0, 2.0], [1.0, numpy.nan, 1.0], 'float32', [numpy.nan, numpy.nan, 2.0]),
    ('minimum', [numpy.nan, 1.0, 2.0], [1.0, numpy.nan, 1.0], 'float32', [numpy.nan, numpy.nan, 1.0]),
    # Integer true division gives float32.
    ('true_divide', [1, -7, 0], [2, 2, 0], 'int64', numpy.array([0.5, -3.5, numpy.nan], numpy.float32)),
])
def test_binary_documented_values(op_name, x1, x2, dtype, expected):
    a, b = chainerx.array(numpy.array(x1, dtype)), chainerx.array(numpy.array(x2, dtype))
    expected = numpy.array(expected) if isinstance(expected, numpy.ndarray) else numpy.array(expected, dtype)
    _assert_result(getattr(chainerx, op_name)(a, b), expected, expected.dtype)


def test_reciprocal_is_one_over_x():
    x = numpy.array([1, 2, -4, 0], numpy.int32)
    _assert_result(chainerx.reciprocal(chainerx.array(x)), numpy.array([1, 0.5, -0.25, numpy.inf], numpy.float32),
                   FLOAT32)


# ---- operators -----------------------------------------------------------------------------------

class Operator(typing.NamedTuple):
    symbol: str
    func: typing.Callable
    inplace: typing.Optional[typing.Callable]
    op: Op  # the routine it computes

    def __repr__(self):
        return self.symbol


BINARY_OPERATORS = [
    Operator('+', operator.add, operator.iadd, BINARY['add']),
    Operator('-', operator.sub, operator.isub, BINARY['subtract']),
    Operator('*', operator.mul, operator.imul, BINARY['multiply']),
    Operator('/', operator.truediv, operator.itruediv, BINARY['true_divide']),
    Operator('//', operator.floordiv, operator.ifloordiv, BINARY['floor_divide']),
    Operator('%', operator.mod, operator.imod, BINARY['remainder']),
    Operator('**', operator.pow, operator.ipow, BINARY['power']),
    Operator('&', operator.and_, operator.iand, BINARY['bitwise_and']),
    Operator('|', operator.or_, operator.ior, BINARY['bitwise_or']),
    Operator('^', operator.xor, operator.ixor, BINARY['bitwise_xor']),
    Operator('<<', operator.lshift, operator.ilshift, BINARY['left_shift']),
    Operator('>>', operator.rshift, operator.irshift, BINARY['right_shift']),
]
COMPARISON_OPERATORS = [
    Operator('==', operator.eq, None, BINARY['equal']),
    Operator('!=', operator.ne, None, BINARY['not_equal']),
    Operator('<', operator.lt, None, BINARY['less']),
    Operator('<=', operator.le, None, BINARY['less_equal']),
    Operator('>', operator.gt, None, BINARY['greater']),
    Operator('>=', operator.ge, None, BINARY['greater_equal']),
]
ALL_BINARY_OPERATORS = BINARY_OPERATORS + COMPARISON_OPERATORS

OPERATOR_DTYPES = [('float32', 'float32'), ('int32', 'int32'), ('int8', 'float16'), ('bool', 'bool'),
                   ('uint8', 'int8'), ('int64', 'bool')]


@pytest.mark.parametrize('dtype1, dtype2', OPERATOR_DTYPES)
@pytest.mark.parametrize('opr', ALL_BINARY_OPERATORS, ids=_ids(ALL_BINARY_OPERATORS))
def test_operator(opr, dtype1, dtype2):
    x1, cx1 = _make((2, 3), dtype1, opr.op.domains[0], seed=1)
    x2, cx2 = _make((3,), dtype2, opr.op.domains[1], 't', seed=2)
    _check(opr.op, [x1, x2], [cx1, cx2], func=opr.func)


OPERATOR_SCALARS = [2, 2.5, True, numpy.int32(3), numpy.float32(1.5), numpy.bool_(True)]


@pytest.mark.parametrize('scalar', OPERATOR_SCALARS, ids=[f'{type(s).__name__}({s})' for s in OPERATOR_SCALARS])
@pytest.mark.parametrize('dtype', ['float32', 'int32', 'uint8', 'bool'])
@pytest.mark.parametrize('opr', ALL_BINARY_OPERATORS, ids=_ids(ALL_BINARY_OPERATORS))
def test_operator_scalar(opr, dtype, scalar):
    x, cx = _make((2, 3), dtype, opr.op.domains[0], 't', seed=1)
    _check(opr.op, [x, scalar], [cx, scalar], func=opr.func)
    # The reflected form: Python calls the array's __r<op>__ (or the mirrored comparison).
    x, cx = _make((2, 3), dtype, opr.op.domains[1], 't', seed=1)
    _check(opr.op, [scalar, x], [scalar, cx], func=opr.func)


@pytest.mark.parametrize('dtype', DTYPES, ids=_ids(DTYPES))
@pytest.mark.parametrize('func, op', [(operator.neg, UNARY['negative']), (abs, UNARY['absolute'])],
                         ids=['neg', 'abs'])
def test_unary_operator(func, op, dtype):
    x, cx = _make((2, 3), dtype, op.domains[0], 'n')
    _check(op, [x], [cx], func=func)


INPLACE_CASES = [
    # dtype of the target, dtype (or scalar) of the right operand, shape of the right operand
    ('float32', 'float32', (2, 3)),
    ('float32', 'float16', (3,)),
    ('float16', 'float64', (2, 3)),
    ('int32', 'int32', (2, 3)),
    ('int8', 'int16', (1, 3)),
    ('uint8', 'int8', (2, 1)),
    ('int16', 'bool', ()),
    ('bool', 'bool', (2, 3)),
    ('int32', 'float32', (2, 3)),  # a float result cannot be written into an integer array
    ('bool', 'int8', (2, 3)),  # nor an integer result into a bool array
    ('float32', 3, None),
    ('int8', 3, None),
    ('int8', 2.5, None),
    ('bool', True, None),
    ('bool', 2, None),
]


@pytest.mark.parametrize('layout', ['c', 't'])
@pytest.mark.parametrize('dtype1, rhs, shape2', INPLACE_CASES)
@pytest.mark.parametrize('opr', BINARY_OPERATORS, ids=_ids(BINARY_OPERATORS))
def test_inplace_operator(opr, dtype1, rhs, shape2, layout):
    x1, cx1 = _make((2, 3), dtype1, opr.op.domains[0], layout, seed=1)
    if shape2 is None:
        x2 = cx2 = rhs
    else:
        x2, cx2 = _make(shape2, rhs, opr.op.domains[1], seed=2)
    target, before = cx1, chainerx.to_numpy(cx1).copy()
    compute = opr.op.compute_dtype(_result_dtype(x1, x2))
    if _kind(compute) not in opr.op.accepts or _category(compute) > _category(x1.dtype):
        with pytest.raises(chainerx.DtypeError):
            opr.inplace(cx1, cx2)
        numpy.testing.assert_array_equal(chainerx.to_numpy(target), before)  # left untouched
        return
    result = opr.inplace(cx1, cx2)
    assert result is target
    expected = _reference(opr.op, compute, [x1, x2]).astype(x1.dtype)
    _assert_result(target, expected, x1.dtype, x1.strides)


@pytest.mark.parametrize('opr', BINARY_OPERATORS, ids=_ids(BINARY_OPERATORS))
def test_inplace_operator_shape_mismatch(opr):
    dtype = _main_dtype(opr.op)
    for shape1, shape2 in [((3,), (2, 3)), ((1, 3), (2, 3)), ((2, 3), (2,))]:
        x1, cx1 = _make(shape1, dtype, opr.op.domains[0], seed=1)
        _, cx2 = _make(shape2, dtype, opr.op.domains[1], seed=2)
        with pytest.raises(chainerx.DimensionError):
            opr.inplace(cx1, cx2)
        numpy.testing.assert_array_equal(chainerx.to_numpy(cx1), x1)


@pytest.mark.parametrize('opr', [o for o in BINARY_OPERATORS if o.symbol in ('+', '-', '*', '//', '**', '^')],
                         ids=str)
@pytest.mark.parametrize('views', [
    lambda a: (a, a[::-1]),
    lambda a: (a[1:], a[:-1]),
    lambda a: (a, a.T),
    lambda a: (a, a),
    lambda a: (a, a[0]),
], ids=['reversed', 'shifted', 'transposed', 'self', 'broadcast_self'])
def test_inplace_operator_overlap(opr, views):
    # The right operand shares memory with the target; the result is as if it were copied first.
    x, cx = _make((4, 4), 'int32', Domain(0, 3), seed=1)
    target, other = views(cx)
    np_target, np_other = views(x)
    expected = _reference(opr.op, numpy.dtype('int32'), [np_target.copy(), np_other.copy()])
    result = opr.inplace(target, other)
    assert result is target
    _assert_result(target, expected, numpy.dtype('int32'))


@pytest.mark.parametrize('opr', COMPARISON_OPERATORS, ids=_ids(COMPARISON_OPERATORS))
def test_comparison_with_unrelated_object(opr):
    # NotImplemented on both sides: == and != fall back to identity, ordering raises TypeError.
    _, cx = _make((2,), 'float32')
    if opr.symbol in ('==', '!='):
        assert opr.func(cx, 'a') is (opr.symbol == '!=')
    else:
        with pytest.raises(TypeError):
            opr.func(cx, 'a')


# ---- where and clip ------------------------------------------------------------------------------

WHERE_CASES = [
    # condition, x, y: (shape, dtype) of an array, or a scalar
    (((2, 3), 'bool'), ((2, 3), 'float32'), ((2, 3), 'float32')),
    (((2, 3), 'bool'), ((2, 3), 'int8'), ((2, 3), 'uint8')),
    (((2, 3), 'bool'), ((2, 3), 'int64'), ((2, 3), 'float16')),
    (((2, 3), 'int32'), ((3,), 'float64'), ((2, 1), 'float32')),
    (((2, 3), 'float32'), ((2, 3), 'bool'), ((2, 3), 'bool')),
    (((3,), 'bool'), ((2, 1), 'int16'), ((), 'int16')),
    (((2, 0, 3), 'bool'), ((2, 0, 3), 'float32'), ((3,), 'float32')),
    (((2, 3), 'bool'), ((2, 3), 'int8'), 2.5),
    (((2, 3), 'bool'), 1, ((2, 3), 'float16')),
    (((2, 3), 'bool'), 1, 2.5),
    (((2, 3), 'bool'), True, False),
    (True, ((2, 3), 'int32'), ((3,), 'int32')),
    (0, ((2, 3), 'int32'), ((3,), 'int32')),
    (((), 'bool'), ((), 'float32'), ((), 'float32')),
]


@pytest.mark.parametrize('layout', ['c', 't', 'n'])
@pytest.mark.parametrize('condition, x, y', WHERE_CASES)
def test_where(condition, x, y, layout):
    def make(spec, seed):
        if not isinstance(spec, tuple):
            return spec, spec
        shape, dtype = spec
        return _make(shape, dtype, Domain(-1, 1), layout, seed)

    (c, cc), (x, cx), (y, cy) = make(condition, 0), make(x, 1), make(y, 2)
    dtype = _result_dtype(x, y)
    expected = numpy.where(numpy.asarray(c).astype(bool), numpy.asarray(x).astype(dtype),
                           numpy.asarray(y).astype(dtype))
    _assert_result(chainerx.where(cc, cx, cy), expected, dtype, _numpy_strides([c, x, y], dtype))


def test_where_nan_condition_is_true():
    c = numpy.array([numpy.nan, 0.0, -0.0, 2.0], numpy.float32)
    actual = chainerx.where(chainerx.array(c), 1, 0)
    _assert_result(actual, numpy.array([1, 0, 0, 1]), INT32)


CLIP_CASES = [
    # dtype of a, a_min, a_max (a scalar, None, or (shape, dtype) of an array)
    ('float32', -0.5, 0.5),
    ('float32', None, 0.5),
    ('float32', -0.5, None),
    ('int32', -1, 2),
    ('int8', -0.5, 2.5),
    ('float16', -1, 1),
    ('uint8', True, 3),
    ('float32', ((3,), 'float32'), ((2, 1), 'float64')),
    ('int16', ((2, 3), 'int8'), 3),
]


@pytest.mark.parametrize('layout', ['c', 't'])
@pytest.mark.parametrize('dtype, a_min, a_max', CLIP_CASES)
@pytest.mark.parametrize('method', [False, True], ids=['function', 'method'])
def test_clip(dtype, a_min, a_max, layout, method):
    def make(spec, seed):
        if not isinstance(spec, tuple):
            return spec, spec
        return _make(spec[0], spec[1], Domain(-1, 1), seed=seed)

    a, ca = _make((2, 3), dtype, Domain(-3, 3), layout)
    (lo, clo), (hi, chi) = make(a_min, 1), make(a_max, 2)
    # clip is maximum then minimum, each with its own dtype rule.
    expected = a
    if lo is not None:
        dtype = _result_dtype(expected, lo)
        expected = numpy.maximum(expected.astype(dtype), numpy.asarray(lo).astype(dtype))
    if hi is not None:
        dtype = _result_dtype(expected, hi)
        expected = numpy.minimum(expected.astype(dtype), numpy.asarray(hi).astype(dtype))
    actual = ca.clip(clo, chi) if method else chainerx.clip(ca, clo, chi)
    _assert_result(actual, expected, expected.dtype, expected.strides)


def test_clip_without_bounds():
    with pytest.raises(ValueError):
        chainerx.clip(chainerx.array(numpy.ones(3, numpy.float32)), None, None)


def test_write_into_broadcast_view_is_refused():
    b = chainerx.broadcast_to(chainerx.zeros(3), (2, 3))
    with pytest.raises(chainerx.ChainerxError):
        b += 1
    with pytest.raises(chainerx.ChainerxError):
        b.fill(1)
    with pytest.raises(chainerx.ChainerxError):
        b[...] = chainerx.ones((2, 3))


def test_huge_python_int_overflows():
    with pytest.raises(OverflowError):
        chainerx.ones((2,), 'int8') + 2 ** 70


# ---- bad inputs ----------------------------------------------------------------------------------

@pytest.mark.parametrize('bad', ['a', None, object(), [1, 2]], ids=['str', 'None', 'object', 'list'])
def test_invalid_operand_type(bad):
    _, cx = _make((2, 3), 'float32')
    for op in UNARY_OPS:
        with pytest.raises(TypeError):
            getattr(chainerx, op.name)(bad)
    for op in BINARY_OPS:
        with pytest.raises(TypeError):
            getattr(chainerx, op.name)(cx, bad)
        with pytest.raises(TypeError):
            getattr(chainerx, op.name)(bad, cx)
    for opr in BINARY_OPERATORS:
        with pytest.raises(TypeError):
            opr.func(cx, bad)
        if not (isinstance(bad, str) and opr.symbol == '%'):  # 'a' % x is string formatting
            with pytest.raises(TypeError):
                opr.func(bad, cx)
        with pytest.raises(TypeError):
            opr.inplace(cx, bad)
    with pytest.raises(TypeError):
        chainerx.where(bad, cx, cx)
    with pytest.raises(TypeError):
        chainerx.where(cx, bad, cx)
    if bad is not None:  # None is a valid (absent) clip bound
        with pytest.raises(TypeError):
            chainerx.clip(cx, bad, 1)


@pytest.mark.parametrize('shape1, shape2', [((2, 3), (4,)), ((2, 3), (3, 2)), ((0,), (2,)), ((2, 1, 3), (4, 2))])
@pytest.mark.parametrize('op', BINARY_OPS, ids=_ids(BINARY_OPS))
def test_binary_shape_mismatch(op, shape1, shape2):
    dtype = _main_dtype(op)
    _, cx1 = _make(shape1, dtype, op.domains[0], seed=1)
    _, cx2 = _make(shape2, dtype, op.domains[1], seed=2)
    with pytest.raises(chainerx.DimensionError):
        getattr(chainerx, op.name)(cx1, cx2)
    opr = [o for o in ALL_BINARY_OPERATORS if o.op is op]
    for o in opr:
        with pytest.raises(chainerx.DimensionError):
            o.func(cx1, cx2)


def test_where_shape_mismatch():
    _, c = _make((2, 3), 'bool')
    _, x = _make((4,), 'float32')
    with pytest.raises(chainerx.DimensionError):
        chainerx.where(c, x, 1.0)
    with pytest.raises(chainerx.DimensionError):
        chainerx.where(c, 1.0, x)


# ---- large arrays (parallel loops) ---------------------------------------------------------------

LARGE_OPS = [BINARY[n] for n in ('add', 'multiply', 'true_divide', 'floor_divide', 'power', 'maximum',
                                 'left_shift', 'less', 'logical_xor')] + \
            [UNARY[n] for n in ('exp', 'sin', 'sqrt', 'negative', 'isfinite')]
LARGE_CASES = [
    # shapes and layouts of the operands (100_000 elements), or None for a scalar second operand
    (((100_000,), 'c'), ((100_000,), 'c')),
    (((200, 500), 's'), ((200, 500), 't')),
    (((500, 200), 'n'), ((200,), 'c')),
    (((100_000,), 'c'), None),
    (((200, 500), 't'), None),
]


@pytest.mark.parametrize('operands', LARGE_CASES)
@pytest.mark.parametrize('op', LARGE_OPS, ids=_ids(LARGE_OPS))
def test_large(op, operands):
    dtype = _main_dtype(op) if op.name not in ('floor_divide', 'power') else numpy.dtype('int32')
    x1, cx1 = _make(operands[0][0], dtype, op.domains[0], operands[0][1], seed=1)
    if len(op.domains) == 1:
        _check(op, [x1], [cx1])
    elif operands[1] is None:
        _check(op, [x1, 3], [cx1, 3])
    else:
        x2, cx2 = _make(operands[1][0], dtype, op.domains[1], operands[1][1], seed=2)
        _check(op, [x1, x2], [cx1, cx2])


@pytest.mark.parametrize('layout', ['c', 's', 'n'])
def test_large_where(layout):
    c, cc = _make((200, 500), 'bool', layout=layout, seed=0)
    x, cx = _make((200, 500), 'float32', layout=layout, seed=1)
    y, cy = _make((500,), 'int32', seed=2)
    _assert_result(chainerx.where(cc, cx, cy), numpy.where(c, x, y.astype(FLOAT32)), FLOAT32,
                   _numpy_strides([c, x, y], FLOAT32))
    _assert_result(chainerx.where(cc, cx, 2.5), numpy.where(c, x, numpy.float32(2.5)), FLOAT32,
                   _numpy_strides([c, x], FLOAT32))


def test_large_inplace():
    x, cx = _make((400, 500), 'float32', layout='t', seed=1)
    y, cy = _make((400, 500), 'float32', seed=2)
    target = cx
    cx += cy
    assert cx is target
    _assert_result(cx, x + y, FLOAT32, x.strides)


# ---- bfloat16 ------------------------------------------------------------------------------------

BFLOAT16_OPS = [UNARY[n] for n in ('negative', 'abs', 'sqrt', 'exp', 'log', 'sin', 'tanh', 'floor', 'isnan')] + \
               [BINARY[n] for n in ('add', 'subtract', 'multiply', 'true_divide', 'maximum', 'less', 'power')]


@pytest.mark.skipif(ml_dtypes is None, reason='needs ml_dtypes')
@pytest.mark.parametrize('layout', ['c', 't'])
@pytest.mark.parametrize('op', BFLOAT16_OPS, ids=_ids(BFLOAT16_OPS))
def test_bfloat16(op, layout):
    # Computed in float32 and rounded; compared as float32 with a loose tolerance.
    bf16 = numpy.dtype(ml_dtypes.bfloat16)
    x32 = [_values((2, 3), FLOAT32, d, numpy.random.default_rng(i)) for i, d in enumerate(op.domains)]
    xs = [_view(layout, 2)(x.astype(bf16)) for x in x32]
    args = [_view(layout, 2)(chainerx.array(x.astype(bf16))) for x in x32]
    actual = getattr(chainerx, op.name)(*args)
    expected = _reference(op, FLOAT32, [x.astype(FLOAT32) for x in xs])
    out_dtype = op.out_dtype(bf16)
    _assert_result(actual, expected, out_dtype, _numpy_strides(xs, out_dtype))
