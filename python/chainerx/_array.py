"""ndarray methods written in Python: repr (NumPy's formatting), pickling, tolist, clip, _debug_flat_data."""
import numpy

from chainerx import _core


def _format(array):
    host = _core.to_numpy(array, copy=False)
    if str(host.dtype) == 'bfloat16':
        host = host.astype(numpy.float32)
    if host.size == 0:
        body = '[]' if host.ndim else str(host)
    else:
        body = numpy.array2string(host, separator=', ', prefix='array(', threshold=numpy.inf)
    text = 'array({}, shape={}, dtype={}, device={!r}'.format(body, array.shape, array.dtype.name, array.device.name)
    backprop_ids = array._backprop_ids()
    if backprop_ids:
        text += ', backprop_ids={!r}'.format(backprop_ids)
    return text + ')'


def _reconstruct(numpy_array, device):
    return _core.array(numpy_array, device=device)


def _reduce(array):
    return _reconstruct, (_core.to_numpy(array, copy=True), array.device)


def _tolist(self):
    """Returns the elements as nested Python lists (a Python scalar for a 0-d array).

    The same as numpy.ndarray.tolist of the array's values (arrays on other devices are copied to
    the host first).
    """
    return _core.to_numpy(self, copy=False).tolist()


def _clip(self, a_min, a_max):
    """Clips the values to the interval [a_min, a_max] (chainerx.clip(self, a_min, a_max)).

    a_min and a_max are arrays or scalars, or None for no bound on that side (not both None).
    Returns a new array; differentiable.
    """
    return _core.clip(self, a_min, a_max)


def _debug_flat_data(self):
    """The elements as a flat Python list, in logical (C) order, as ChainerX's private property."""
    host = _core.to_numpy(self, copy=False)
    if str(host.dtype) == 'bfloat16':
        host = host.astype(numpy.float32)
    return host.ravel().tolist()


def _iter(self):
    """Iterates over the first axis, as numpy.ndarray does: self[0], self[1], ...

    A 0-d array raises TypeError (without this, Python's fallback to __getitem__ would give an
    empty iteration).
    """
    if self.ndim == 0:
        raise TypeError('iteration over a 0-d array')
    for i in range(self.shape[0]):
        yield self[i]


_core.ndarray.__repr__ = _format
_core.ndarray.__iter__ = _iter
_core.ndarray.__str__ = _format
_core.ndarray.__reduce__ = _reduce
_core.ndarray.tolist = _tolist
_core.ndarray.clip = _clip
_core.ndarray._debug_flat_data = property(_debug_flat_data)
