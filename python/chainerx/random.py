"""Random arrays: NumPy's generators, then chainerx.array (as ChainerX)."""
import numpy

from chainerx import _core


def normal(*args, device=None, **kwargs):
    return _core.array(numpy.random.normal(*args, **kwargs), copy=False, device=device)


def uniform(*args, device=None, **kwargs):
    return _core.array(numpy.random.uniform(*args, **kwargs), copy=False, device=device)
