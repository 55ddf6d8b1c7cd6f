"""chainerx.testing as ChainerX has it: dtype lists, the _ex assertions with per-dtype tolerances, the
NumPy-vs-chainerx decorators (with pytest parametrization and fixtures), ignore, _fromnumpy and _DeviceBuffer.
"""
import inspect
import subprocess
import sys

import numpy
import pytest

import chainerx
import chainerx.testing
from chainerx.testing import helper


def test_dtype_lists_are_chainerx_s():
    t = chainerx.testing
    assert t.float_dtypes == ('float16', 'float32', 'float64')
    assert t.signed_dtypes == ('int8', 'int16', 'int32', 'int64', 'float16', 'float32', 'float64')
    assert t.unsigned_dtypes == ('uint8',)
    assert t.integral_dtypes == ('uint8', 'int8', 'int16', 'int32', 'int64')
    assert t.signed_integral_dtypes == ('int8', 'int16', 'int32', 'int64')
    assert t.nonfloat_dtypes == ('bool_', 'int8', 'int16', 'int32', 'int64', 'uint8')
    assert t.numeric_dtypes == t.signed_dtypes + t.unsigned_dtypes
    assert t.all_dtypes == ('bool_',) + t.numeric_dtypes
    assert t.all_dtypes[-1] == 'uint8'


def test_helper_module_holds_the_decorators():
    assert chainerx.testing.helper is helper
    for name in ('numpy_chainerx_array_equal', 'numpy_chainerx_allclose', 'ignore'):
        assert getattr(chainerx.testing, name) is getattr(helper, name)


def test_import_chainerx_does_not_import_testing_and_testing_needs_no_pytest():
    code = ('import sys; sys.modules["pytest"] = None\n'
            'import chainerx; assert "chainerx.testing" not in sys.modules\n'
            'import chainerx.testing\n'
            '@chainerx.testing.numpy_chainerx_array_equal()\n'
            'def body(xp): return xp.arange(3)\n'
            'body()\n')
    subprocess.check_call([sys.executable, '-c', code])


# ---- the _ex assertions ----

def test_allclose_ex_per_dtype_tolerances():
    x = numpy.array([1.0, 2.0], 'float16')
    y = chainerx.array(numpy.array([1.001, 2.0], 'float16'))
    with pytest.raises(AssertionError):
        chainerx.testing.assert_allclose_ex(y, x)
    chainerx.testing.assert_allclose_ex(y, x, float16_rtol=1e-2)
    chainerx.testing.assert_allclose_ex(y, x, float16_atol=1e-2, float16_rtol=0)
    with pytest.raises(AssertionError):  # the tolerances of another dtype do not apply
        chainerx.testing.assert_allclose_ex(y, x, float32_rtol=1e-2, float64_rtol=1e-2)
    # A per-dtype tolerance replaces a plain one, given by keyword or positionally.
    chainerx.testing.assert_allclose_ex(y, x, 0, 0, float16_rtol=1e-2)
    chainerx.testing.assert_allclose_ex(y, x, rtol=0, float16_rtol=1e-2)


def test_allclose_ex_tolerances_follow_the_narrower_float_dtype():
    x = numpy.array([1.0], 'float64')
    y = chainerx.array([1.001], 'float32')
    chainerx.testing.assert_allclose_ex(y, x, dtype_check=False, float32_rtol=1e-2)
    with pytest.raises(AssertionError):
        chainerx.testing.assert_allclose_ex(y, x, dtype_check=False, float64_rtol=1e-2)


def test_array_equal_ex_accepts_tolerance_keywords():
    a = chainerx.array([1, 2], 'float32')
    chainerx.testing.assert_array_equal_ex(a, numpy.array([1, 2], 'float32'), float32_rtol=1e-3)
    with pytest.raises(AssertionError):
        chainerx.testing.assert_array_equal_ex(a, numpy.array([1, 2.001], 'float32'), float32_rtol=1)


def test_dtype_check_false_skips_the_strides_check():
    a = chainerx.array(numpy.arange(6, dtype='float32').reshape(2, 3)).T
    n = numpy.ascontiguousarray(numpy.arange(6, dtype='float64').reshape(2, 3).T)
    with pytest.raises(AssertionError):
        chainerx.testing.assert_array_equal_ex(a, n)
    chainerx.testing.assert_array_equal_ex(a, n, dtype_check=False)
    with pytest.raises(AssertionError):
        chainerx.testing.assert_array_equal_ex(a, n, dtype_check=False, strides_check=True)
    with pytest.raises(AssertionError):  # the same dtype, other strides
        chainerx.testing.assert_allclose_ex(a, n.astype('float32'))
    chainerx.testing.assert_allclose_ex(a, n.astype('float32'), strides_check=False)


# ---- the decorators, used as ChainerX's tests use them ----

@pytest.fixture
def offset():
    return 5


@chainerx.testing.numpy_chainerx_array_equal()
def test_decorator_plain(xp):
    return xp.arange(6, dtype='int32').reshape(2, 3) + 1


@pytest.mark.parametrize('shape', [(), (3,), (2, 3)])
@pytest.mark.parametrize('dtype', chainerx.testing.numeric_dtypes)
@chainerx.testing.numpy_chainerx_array_equal()
def test_decorator_with_parametrize(xp, shape, dtype):
    return xp.ones(shape, dtype=dtype)


@chainerx.testing.numpy_chainerx_array_equal()
def test_decorator_with_fixture(xp, offset):
    return xp.full((2,), offset, 'int64')


@chainerx.testing.numpy_chainerx_array_equal()
@pytest.mark.parametrize('axis', [0, 1])
def test_decorator_above_parametrize(xp, axis):
    return xp.flip(xp.arange(6, dtype='float32').reshape(2, 3), axis)


class TestInAClass:
    @pytest.mark.parametrize('n', [1, 4])
    @chainerx.testing.numpy_chainerx_allclose(rtol=1e-6)
    def test_method(self, xp, n, offset):
        return xp.exp(xp.arange(n, dtype='float32')) + offset


@chainerx.testing.numpy_chainerx_allclose(atol=1e-6, name='np_or_chx')
def test_decorator_custom_name(np_or_chx):
    a = np_or_chx.array([0.5, 1.5], 'float64')
    return np_or_chx.sqrt(a), np_or_chx.sum(a)  # a tuple, and a NumPy scalar against a 0-d array


@chainerx.testing.numpy_chainerx_array_equal(accept_error=(ValueError, chainerx.DimensionError))
def test_decorator_accepted_errors(xp):
    return xp.reshape(xp.arange(6), (4, 2))


@chainerx.testing.numpy_chainerx_array_equal()
def test_decorator_ignore(xp):
    return xp.zeros((2,), 'float32'), chainerx.testing.ignore() if xp is chainerx else 'anything'


def test_decorator_hides_the_module_parameter():
    def body(xp, shape, dtype='float32'):
        return xp.zeros(shape, dtype)

    wrapped = chainerx.testing.numpy_chainerx_array_equal()(body)
    assert list(inspect.signature(wrapped).parameters) == ['shape', 'dtype']
    assert wrapped.__name__ == 'body'
    wrapped((2,))
    wrapped(shape=(2,), dtype='int8')


def _decorated(body, **kwargs):
    return chainerx.testing.numpy_chainerx_array_equal(**kwargs)(body)


def test_decorator_detects_value_mismatch():
    def body(xp):
        return xp.array([1, 2 if xp is numpy else 3], 'int32')

    with pytest.raises(AssertionError):
        _decorated(body)()


def test_decorator_detects_dtype_and_strides_mismatch():
    def dtypes(xp):
        return xp.array([1, 2], 'int32' if xp is numpy else 'int64')

    with pytest.raises(AssertionError, match='dtype'):
        _decorated(dtypes)()
    _decorated(dtypes, dtype_check=False)()

    def strides(xp):
        a = xp.arange(6, dtype='int32').reshape(2, 3)
        return xp.ascontiguousarray(a.T) if xp is numpy else a.T

    with pytest.raises(AssertionError, match='strides'):
        _decorated(strides)()
    _decorated(strides, strides_check=False)()
    _decorated(strides, dtype_check=False)()


def test_decorator_shape_mismatch():
    with pytest.raises(AssertionError, match='shape'):
        _decorated(lambda xp: xp.zeros((2,) if xp is numpy else (3,), 'int32'))()
    with pytest.raises(AssertionError, match='structure'):
        _decorated(lambda xp: (xp.zeros(1, 'int32'),) if xp is numpy else xp.zeros(1, 'int32'))()


def test_decorator_needs_arrays():
    with pytest.raises(AssertionError, match='ignore'):
        _decorated(lambda xp: None)()
    with pytest.raises(AssertionError, match='ignore'):
        _decorated(lambda xp: [1, 2])()


def test_decorator_errors():
    def raise_in(module, error):
        def body(xp):
            if module is None or xp is module:
                raise error
            return xp.zeros(1, 'int32')
        return body

    _decorated(raise_in(None, ValueError('both')), accept_error=ValueError)()
    _decorated(raise_in(None, chainerx.DtypeError('both')), accept_error=True)()
    with pytest.raises(AssertionError, match='Only numpy'):
        _decorated(raise_in(numpy, ValueError('numpy')), accept_error=(ValueError,))()
    with pytest.raises(AssertionError, match='Only chainerx'):
        _decorated(raise_in(chainerx, ValueError('chainerx')), accept_error=(ValueError,))()
    with pytest.raises(AssertionError, match='accepted'):
        _decorated(raise_in(None, TypeError('both')), accept_error=(ValueError,))()
    with pytest.raises(AssertionError, match='accepted'):  # nothing is accepted by default
        _decorated(raise_in(None, ValueError('both')))()


def test_allclose_decorator_tolerance():
    def body(xp):
        return xp.array([1.0, 2.0 + (1e-5 if xp is chainerx else 0)], 'float64')

    with pytest.raises(AssertionError):
        chainerx.testing.numpy_chainerx_allclose()(body)()
    chainerx.testing.numpy_chainerx_allclose(rtol=1e-4)(body)()
    chainerx.testing.numpy_chainerx_allclose(atol=1e-4)(body)()


def test_decorator_checks_the_default_device():
    with pytest.raises(AssertionError, match='default device'):
        _decorated(lambda xp: xp.zeros(2, 'int32', device='native:1') if xp is chainerx else xp.zeros(2, 'int32'))()
    with chainerx.using_device('native:1'):
        _decorated(lambda xp: xp.zeros(2, 'int32'))()


# ---- _fromnumpy and _DeviceBuffer ----

def _strided_cases():
    a = numpy.arange(24, dtype='float32').reshape(4, 6)
    return [a, a[::-1], a[:, ::-2], a.T, a[1:, 2:5], a[::2, ::3].T, numpy.arange(5, dtype='int16')[::-1],
            numpy.zeros((0, 3), 'float64'), numpy.array(3.5)]


@pytest.mark.parametrize('index', range(len(_strided_cases())))
def test_fromnumpy_keepstrides(index):
    a = _strided_cases()[index]
    b = chainerx.testing._fromnumpy(a, keepstrides=True)
    assert isinstance(b, chainerx.ndarray) and b.device is chainerx.get_default_device()
    numpy.testing.assert_array_equal(chainerx.to_numpy(b), a)
    assert b.dtype == a.dtype
    if a.size:
        assert b.strides == a.strides
        a_before = a.copy()
        a[...] = 7  # the result owns its data
        numpy.testing.assert_array_equal(chainerx.to_numpy(b), a_before)


@pytest.mark.parametrize('index', range(len(_strided_cases())))
def test_fromnumpy_contiguous(index):
    a = _strided_cases()[index]
    b = chainerx.testing._fromnumpy(a, device='native:1')
    assert b.is_contiguous and b.device is chainerx.get_device('native:1')
    numpy.testing.assert_array_equal(chainerx.to_numpy(b), a)
    b2 = chainerx.testing._fromnumpy(a, False, chainerx.get_device('native:2'))
    assert b2.device is chainerx.get_device('native:2')


def test_device_buffer():
    buf = chainerx.testing._DeviceBuffer([1, 2, 3, 4, 5, 6], shape=(2, 3), dtype='float32')
    view = memoryview(buf)
    assert view.shape == (2, 3) and view.format == 'f'
    a = chainerx.frombuffer(buf, dtype='float32')
    numpy.testing.assert_array_equal(chainerx.to_numpy(a), [1, 2, 3, 4, 5, 6])
    assert buf.device is chainerx.get_default_device()
    assert chainerx.testing._DeviceBuffer([1], device='native:1').device is chainerx.get_device('native:1')
