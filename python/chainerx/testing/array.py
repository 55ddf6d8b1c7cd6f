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
    """Asserts that x and y are equal in shape and values, as numpy.testing.assert_array_equal.

    x and y are chainerx.ndarrays, NumPy arrays or array-likes (bfloat16 compares as float32). A
    scalar compares with every element. Dtypes and strides are not compared (see
    assert_array_equal_ex).

    Args:
        x: the actual array.
        y: the desired array.
        err_msg: text added to the failure message.
        verbose: whether the failure message shows the conflicting values.
    Raises:
        AssertionError: the arrays differ.
    """
    numpy.testing.assert_array_equal(_as_numpy(x), _as_numpy(y), err_msg=err_msg, verbose=verbose)


def assert_allclose(x, y, rtol=1e-7, atol=0, equal_nan=True, err_msg='', verbose=True):
    """Asserts that x and y are equal up to a tolerance, as numpy.testing.assert_allclose.

    Elementwise |x - y| <= atol + rtol * |y|. x and y are chainerx.ndarrays, NumPy arrays or
    array-likes (bfloat16 compares as float32). Dtypes and strides are not compared (see
    assert_allclose_ex).

    Args:
        x: the actual array.
        y: the desired array.
        rtol: the relative tolerance.
        atol: the absolute tolerance.
        equal_nan: whether NaNs in the same places count as equal.
        err_msg: text added to the failure message.
        verbose: whether the failure message shows the conflicting values.
    Raises:
        AssertionError: the arrays differ by more than the tolerance.
    """
    numpy.testing.assert_allclose(_as_numpy(x), _as_numpy(y), rtol=rtol, atol=atol, equal_nan=equal_nan,
                                  err_msg=err_msg, verbose=verbose)


def assert_array_equal_ex(x, y, *args, dtype_check=True, strides_check=True, **kwargs):
    """Asserts that x and y are equal, as assert_array_equal, and also compares dtypes and strides.

    Args:
        x: the actual array.
        y: the desired array.
        dtype_check: whether the dtypes must match (None: True).
        strides_check: whether the strides must match (None: as dtype_check); not checked for
            empty arrays.
        *args, **kwargs: passed on to assert_array_equal (err_msg, verbose).
    Raises:
        AssertionError: the arrays, their dtypes or their strides differ.
    """
    assert_array_equal(x, y, *args, **kwargs)
    _check_dtype_and_strides(x, y, dtype_check, strides_check)


def assert_allclose_ex(x, y, *args, dtype_check=True, strides_check=True, **kwargs):
    """Asserts that x and y are close, as assert_allclose, and also compares dtypes and strides.

    Args:
        x: the actual array.
        y: the desired array.
        dtype_check: whether the dtypes must match (None: True).
        strides_check: whether the strides must match (None: as dtype_check); not checked for
            empty arrays.
        *args, **kwargs: passed on to assert_allclose (rtol, atol, equal_nan, err_msg, verbose).
    Raises:
        AssertionError: the arrays differ beyond the tolerance, or their dtypes or strides differ.
    """
    assert_allclose(x, y, *args, **kwargs)
    _check_dtype_and_strides(x, y, dtype_check, strides_check)
