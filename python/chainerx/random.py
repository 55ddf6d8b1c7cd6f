"""Random arrays from chainerx's counter-based generator (Philox4x32-10).

NumPy-compatible signatures; the default dtype is float64 as NumPy's (and ChainerX's, which returned
NumPy's float64 samples). The same seed gives the same arrays on every run and thread count.
"""
import numbers

from chainerx import _core


def _is_scalar(value):
    return isinstance(value, numbers.Number) or (hasattr(value, 'ndim') and value.ndim == 0
                                                 and not isinstance(value, _core.ndarray))


def normal(loc=0.0, scale=1.0, size=None, dtype=None, device=None):
    """Draws samples from the normal distribution N(loc, scale**2), as numpy.random.normal.

    Args:
        loc: the mean: a scalar or an array.
        scale: the standard deviation (non-negative; ValueError otherwise): a scalar or an array.
        size: the output shape (an int or a tuple); None gives loc and scale broadcast together,
            which for scalars is a 0-d array (NumPy returns a Python float).
        dtype: a float dtype; None gives float64, as in NumPy (DtypeError for other kinds).
        device: a Device or a device name; None uses the default device.
    Returns:
        A new array of samples.
    """
    if _is_scalar(loc) and _is_scalar(scale):
        return _core._random_normal(float(loc), float(scale), size, dtype, device)
    loc = _core.asarray(loc, device=device)
    scale = _core.asarray(scale, device=device)
    if bool((scale < 0).any()):
        raise ValueError('normal: scale must be non-negative')
    shape = _broadcast_shape(size, loc, scale)
    z = _core._random_normal(0.0, 1.0, shape, dtype, device)
    return (z * scale + loc).astype(z.dtype)


def uniform(low=0.0, high=1.0, size=None, dtype=None, device=None):
    """Draws samples from the uniform distribution on [low, high), as numpy.random.uniform.

    Args:
        low: the lower bound (included): a scalar or an array.
        high: the upper bound (excluded): a scalar or an array.
        size: the output shape (an int or a tuple); None gives low and high broadcast together,
            which for scalars is a 0-d array (NumPy returns a Python float).
        dtype: a float dtype; None gives float64, as in NumPy (DtypeError for other kinds).
        device: a Device or a device name; None uses the default device.
    Returns:
        A new array of samples.
    """
    if _is_scalar(low) and _is_scalar(high):
        return _core._random_uniform(float(low), float(high), size, dtype, device)
    low = _core.asarray(low, device=device)
    high = _core.asarray(high, device=device)
    shape = _broadcast_shape(size, low, high)
    u = _core._random_uniform(0.0, 1.0, shape, dtype, device)
    return (u * (high - low) + low).astype(u.dtype)


def seed(seed=None):
    """Seeds the default random generator, which normal and uniform draw from.

    Args:
        seed: an int in [0, 2**64) (ValueError outside it, TypeError for other types); None seeds
            from the operating system's entropy. The same seed gives the same arrays on every run,
            device and thread count.
    """
    _core._random_seed(seed)


def _broadcast_shape(size, a, b):
    return size if size is not None else (a + b).shape
