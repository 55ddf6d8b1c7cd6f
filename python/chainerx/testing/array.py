"""Assertions comparing chainerx and NumPy arrays."""
import numpy

import chainerx


def _as_numpy(x):
    if isinstance(x, chainerx.ndarray):
        x = chainerx.to_numpy(x, copy=False)
        if str(x.dtype) == 'bfloat16':
            x = x.astype(numpy.float32)
        return x
    return numpy.asarray(x)


def _check_dtype_and_strides(x, y, dtype_check, strides_check):
    if dtype_check is None:
        dtype_check = True
    if strides_check is None:
        strides_check = dtype_check
    if dtype_check and numpy.dtype(x.dtype) != numpy.dtype(y.dtype):
        raise AssertionError('dtype mismatch: {} != {}'.format(x.dtype, y.dtype))
    if strides_check and tuple(x.strides) != tuple(y.strides) and numpy.asarray(x).size > 0:
        raise AssertionError('strides mismatch: {} != {}'.format(x.strides, y.strides))


def assert_array_equal(x, y, err_msg='', verbose=True):
    """Asserts that x and y are equal in shape and values (like numpy.testing)."""
    numpy.testing.assert_array_equal(_as_numpy(x), _as_numpy(y), err_msg=err_msg, verbose=verbose)


def assert_allclose(x, y, rtol=1e-7, atol=0, equal_nan=True, err_msg='', verbose=True):
    """Asserts that x and y are close (like numpy.testing.assert_allclose)."""
    numpy.testing.assert_allclose(_as_numpy(x), _as_numpy(y), rtol=rtol, atol=atol, equal_nan=equal_nan,
                                  err_msg=err_msg, verbose=verbose)


def assert_array_equal_ex(x, y, *args, dtype_check=True, strides_check=True, **kwargs):
    """assert_array_equal that also compares dtypes and strides."""
    assert_array_equal(x, y, *args, **kwargs)
    _check_dtype_and_strides(x, y, dtype_check, strides_check)


def assert_allclose_ex(x, y, *args, dtype_check=True, strides_check=True, **kwargs):
    """assert_allclose that also compares dtypes and strides."""
    assert_allclose(x, y, *args, **kwargs)
    _check_dtype_and_strides(x, y, dtype_check, strides_check)
