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
    x, y = (a if hasattr(a, 'strides') else numpy.asarray(a) for a in (x, y))
    if dtype_check and numpy.dtype(x.dtype) != numpy.dtype(y.dtype):
        raise AssertionError('dtype mismatch: {} != {}'.format(x.dtype, y.dtype))
    if strides_check and tuple(x.strides) != tuple(y.strides) and x.size > 0:
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


_FLOAT_DTYPES = ('float16', 'float32', 'float64')  # narrowest first


def _pop_dtype_tolerances(kwargs):
    """Removes the float16_rtol, ..., float64_atol keywords from kwargs: {(dtype, 'rtol'): value}."""
    tolerances = {}
    for name in _FLOAT_DTYPES:
        for kind in ('rtol', 'atol'):
            value = kwargs.pop('{}_{}'.format(name, kind), None)
            if value is not None:
                tolerances[name, kind] = value
    return tolerances


def _tolerance_dtype(x, y):
    """The float dtype whose tolerances apply: the narrower float dtype of x and y, else None."""
    names = {numpy.dtype(getattr(a, 'dtype', numpy.asarray(a).dtype)).name for a in (x, y)}
    for name in _FLOAT_DTYPES:
        if name in names:
            return name
    return None


def assert_array_equal_ex(x, y, *args, dtype_check=True, strides_check=None, **kwargs):
    """Asserts that x and y are equal, as assert_array_equal, and also compares dtypes and strides.

    Args:
        x: the actual array.
        y: the desired array.
        dtype_check: whether the dtypes must match (None: True). False also skips the strides check
            unless strides_check is given.
        strides_check: whether the strides must match (None: as dtype_check); not checked for
            empty arrays.
        *args, **kwargs: passed on to assert_array_equal (err_msg, verbose). Per-dtype tolerances
            (float16_rtol, ..., float64_atol) are accepted, so that the same keywords serve both
            _ex assertions, and ignored: equality is exact.
    Raises:
        AssertionError: the arrays, their dtypes or their strides differ.
    """
    _pop_dtype_tolerances(kwargs)
    assert_array_equal(x, y, *args, **kwargs)
    _check_dtype_and_strides(x, y, dtype_check, strides_check)


def assert_allclose_ex(x, y, *args, dtype_check=True, strides_check=None, **kwargs):
    """Asserts that x and y are close, as assert_allclose, and also compares dtypes and strides.

    Per-dtype tolerances, as in ChainerX: float16_rtol, float16_atol, float32_rtol, float32_atol,
    float64_rtol and float64_atol replace rtol and atol when the arrays have that dtype (the narrower
    float dtype of x and y when they differ).

    Args:
        x: the actual array.
        y: the desired array.
        dtype_check: whether the dtypes must match (None: True). False also skips the strides check
            unless strides_check is given.
        strides_check: whether the strides must match (None: as dtype_check); not checked for
            empty arrays.
        *args, **kwargs: passed on to assert_allclose (rtol, atol, equal_nan, err_msg, verbose),
            and the per-dtype tolerances above.
    Raises:
        AssertionError: the arrays differ beyond the tolerance, or their dtypes or strides differ.
    """
    tolerances = _pop_dtype_tolerances(kwargs)
    dtype = _tolerance_dtype(x, y)
    for kind, position in (('rtol', 0), ('atol', 1)):
        if (dtype, kind) in tolerances:
            if len(args) > position:  # given positionally: replace it there
                args = args[:position] + (tolerances[dtype, kind],) + args[position + 1:]
            else:
                kwargs[kind] = tolerances[dtype, kind]
    assert_allclose(x, y, *args, **kwargs)
    _check_dtype_and_strides(x, y, dtype_check, strides_check)


def _fromnumpy(a, keepstrides=False, device=None):
    """Returns a new chainerx array with the values of the NumPy array a (a copy, never a view of a).

    Args:
        a: a numpy.ndarray.
        keepstrides: if True the result has a's strides (negative and non-contiguous ones too): a
            buffer spanning a's memory is filled and viewed with those strides. On a device other
            than native, the data is copied there, which makes it C-contiguous. If False the result
            is C-contiguous.
        device: a Device or a device name; None is the default device.
    Returns:
        A chainerx.ndarray.
    """
    device = chainerx.get_default_device() if device is None else chainerx.get_device(device)
    if not keepstrides or a.size == 0:
        return chainerx.array(numpy.ascontiguousarray(a), device=device)
    low = sum(min(0, (n - 1) * s) for n, s in zip(a.shape, a.strides))
    high = sum(max(0, (n - 1) * s) for n, s in zip(a.shape, a.strides)) + a.itemsize
    span = numpy.empty(high - low, numpy.uint8)
    view = numpy.ndarray(a.shape, a.dtype, buffer=span, offset=-low, strides=a.strides)
    view[...] = a
    native = chainerx.array(view, copy=False)  # zero-copy on native: keeps the strides
    return native if native.device is device else native.to_device(device)


class _DeviceBuffer(numpy.ndarray):
    """A buffer-protocol object over the memory of a chainerx array on a native device.

    _DeviceBuffer(data, shape=None, dtype=None, device=None) makes a chainerx array from data
    (anything chainerx.array takes) on device and exposes its memory, without a copy, to whatever
    reads buffers (chainerx.frombuffer, memoryview). Only native devices have host-addressable memory
    (DeviceError otherwise).

    Args:
        data: the values.
        shape: the shape to reshape the values to, or None.
        dtype: the dtype, or None to infer it.
        device: a Device or a device name; None is the default device.
    """

    device = None  # the chainerx Device (shadows NumPy's read-only ndarray.device)

    def __new__(cls, data, shape=None, dtype=None, device=None):
        chx = chainerx.array(data, dtype=dtype, device=device)
        if shape is not None:
            chx = chx.reshape(shape)
        if chx.device.backend.name != 'native':
            raise chainerx.DeviceError('_DeviceBuffer needs a native device, not {}'.format(chx.device))
        buffer = chainerx.to_numpy(chx, copy=False).view(cls)  # shares (and keeps alive) chx's memory
        buffer.device = chx.device
        return buffer
