"""ndarray methods written in Python: repr (NumPy's formatting), pickling, tolist, clip."""
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


def _tolist(array):
    return _core.to_numpy(array, copy=False).tolist()


def _clip(array, a_min, a_max):
    return _core.clip(array, a_min, a_max)


_core.ndarray.__repr__ = _format
_core.ndarray.__str__ = _format
_core.ndarray.__reduce__ = _reduce
_core.ndarray.tolist = _tolist
_core.ndarray.clip = _clip
