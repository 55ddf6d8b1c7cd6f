"""Random arrays from chainerx's counter-based generator (Philox4x32-10).

NumPy-compatible signatures; the default dtype is float64 as NumPy's (and ChainerX's, which returned
NumPy's float64 samples). The same seed gives the same arrays on every run and thread count.

Seeding. ChainerX drew from numpy.random, so code written for it seeds with numpy.random.seed. Until
chainerx.random.seed is first called, each draw therefore takes its generator key from numpy.random's
global generator (one integer): numpy.random.seed(s) then reproduces chainerx's draws too (the values
are chainerx's, not NumPy's). Once chainerx.random.seed has been called, draws follow chainerx's own
seed only and leave numpy.random alone.
"""
import numbers

import numpy

from chainerx import _core

_seeded = False  # whether seed() was called: until then every draw is keyed from numpy.random


def _key_from_numpy():
    if not _seeded:
        _core._random_seed(int(numpy.random.randint(0, 2 ** 63, dtype=numpy.int64)))


def _is_scalar(value):
    return isinstance(value, numbers.Number) or (hasattr(value, 'ndim') and value.ndim == 0
                                                 and not isinstance(value, _core.ndarray))


def normal(loc=0.0, scale=1.0, size=None, dtype=None, device=None):
    """Draws samples from the normal distribution N(loc, scale**2), as numpy.random.normal.

    Reproducible with chainerx.random.seed, or with numpy.random.seed until chainerx.random.seed is
    first called (see the module's documentation).

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
    _key_from_numpy()
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

    Reproducible with chainerx.random.seed, or with numpy.random.seed until chainerx.random.seed is
    first called (see the module's documentation).

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
    _key_from_numpy()
    if _is_scalar(low) and _is_scalar(high):
        return _core._random_uniform(float(low), float(high), size, dtype, device)
    low = _core.asarray(low, device=device)
    high = _core.asarray(high, device=device)
    shape = _broadcast_shape(size, low, high)
    u = _core._random_uniform(0.0, 1.0, shape, dtype, device)
    return (u * (high - low) + low).astype(u.dtype)


def seed(seed=None):
    """Seeds the default random generator, which normal and uniform draw from.

    From the first call on, draws no longer take their keys from numpy.random (see the module's
    documentation): chainerx.random.seed alone decides them.

    Args:
        seed: an int in [0, 2**64) (ValueError outside it, TypeError for other types); None seeds
            from the operating system's entropy. The same seed gives the same arrays on every run,
            device and thread count.
    """
    global _seeded
    _core._random_seed(seed)
    _seeded = True


def _broadcast_shape(size, a, b):
    return size if size is not None else (a + b).shape
