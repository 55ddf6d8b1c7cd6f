"""Creation routines that go through NumPy first, as ChainerX's do."""
import numpy

from chainerx import _core


def _through_numpy(numpy_function):
    def function(*args, device=None, **kwargs):
        return _core.array(numpy_function(*args, **kwargs), copy=False, device=device)
    function.__name__ = numpy_function.__name__
    function.__doc__ = 'Like numpy.{} (computed by NumPy), returning a chainerx.ndarray.'.format(
        numpy_function.__name__)
    return function


fromfile = _through_numpy(numpy.fromfile)
fromfunction = _through_numpy(numpy.fromfunction)
fromiter = _through_numpy(numpy.fromiter)
fromstring = _through_numpy(numpy.fromstring)
loadtxt = _through_numpy(numpy.loadtxt)


def asanyarray(a, dtype=None, device=None):
    return _core.asarray(a, dtype=dtype, device=device)
