"""Creation routines that go through NumPy first, as ChainerX's do."""
import numpy

from chainerx import _core


def _through_numpy(numpy_function):
    def function(*args, device=None, **kwargs):
        return _core.array(numpy_function(*args, **kwargs), copy=False, device=device)
    function.__name__ = numpy_function.__name__
    function.__qualname__ = numpy_function.__name__
    function.__doc__ = """Like numpy.{name}, returning a chainerx.ndarray: NumPy computes the array.

    The positional and keyword arguments are numpy.{name}'s, so dtypes follow NumPy (float64 by
    default, unlike chainerx.zeros and the like).

    Args:
        device: a Device or a device name such as 'native:0' to put the result on; None uses the
            default device (on native:0 the result shares the memory of NumPy's result).
    """.format(name=numpy_function.__name__)
    return function


fromfile = _through_numpy(numpy.fromfile)
fromfunction = _through_numpy(numpy.fromfunction)
fromiter = _through_numpy(numpy.fromiter)
fromstring = _through_numpy(numpy.fromstring)
loadtxt = _through_numpy(numpy.loadtxt)


def asanyarray(a, dtype=None, device=None):
    """Converts a to an ndarray, copying only when needed (the same as chainerx.asarray).

    chainerx has no ndarray subclasses, so this is asarray.

    Args:
        a: a chainerx.ndarray, a numpy.ndarray, a (nested) sequence or a scalar (NumPy's inference).
        dtype: the dtype of the result; None keeps the input's dtype.
        device: a Device or a device name; None keeps an ndarray on its device and puts other input
            on the default device.
    """
    return _core.asarray(a, dtype=dtype, device=device)
