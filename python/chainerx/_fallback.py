"""The NumPy fallback: NumPy functions chainerx does not implement, run by NumPy without backprop.

As ChainerX's _fallback_workarounds (which added fix, broadcast_arrays and copysign this way), each
wrapper converts the chainerx arrays among its arguments (also inside lists and tuples) to NumPy
arrays (views of the same memory on native devices, copies on others), calls NumPy, and converts the
arrays it returns to new chainerx arrays on the first input array's device (the default device when
there is none). The results are not connected to any graph, so an input array that is part of one
raises FallbackBackpropError instead of silently dropping its gradient.

The functions are an explicit list (NAMES), not every NumPy name through a module __getattr__: a
blanket fallback would turn typos and functions chainerx deliberately lacks into slow, graph-less
NumPy calls, and hide them from dir(), help() and the docstring test.
"""
import functools
import inspect

import numpy

from chainerx import _core

# NumPy functions chainerx provides only through this fallback: array functions NumPy users reach for that
# chainerx lacks natively (ChainerX's own fallbacks fix and broadcast_arrays are native here). install()
# skips a name chainerx has natively, and the tests flag it, so that the list stays a list of fallbacks.
NAMES = (
    # elementwise (copysign: used by chainer.gradient_check, and one of ChainerX's fallbacks)
    'copysign', 'nextafter', 'signbit', 'spacing', 'hypot', 'logaddexp', 'logaddexp2', 'heaviside',
    'float_power', 'fmax', 'fmin', 'gcd', 'lcm', 'ldexp', 'frexp', 'modf', 'divmod', 'rint', 'trunc', 'around',
    'round', 'cbrt', 'deg2rad', 'rad2deg', 'degrees', 'radians', 'sinc', 'i0', 'nan_to_num', 'isclose',
    'isneginf', 'isposinf',
    # reductions and statistics
    'allclose', 'array_equal', 'array_equiv', 'average', 'median', 'nanmedian', 'percentile', 'nanpercentile',
    'quantile', 'nanquantile', 'nanmean', 'nanstd', 'nanvar', 'nanmax', 'nanmin', 'nanprod', 'nancumsum',
    'nancumprod', 'cumprod', 'ptp', 'cov', 'corrcoef', 'histogram', 'bincount', 'digitize', 'diff', 'ediff1d',
    'gradient', 'interp', 'trapezoid',
    # manipulation
    'append', 'insert', 'delete', 'pad', 'resize', 'rot90', 'column_stack', 'block', 'trim_zeros',
    'take_along_axis', 'diagonal', 'trace',
    # searching, sets, selection
    'argwhere', 'isin', 'intersect1d', 'union1d', 'setdiff1d', 'setxor1d', 'lexsort', 'partition', 'argpartition',
    'compress', 'extract', 'select', 'choose',
    # products
    'outer', 'inner', 'kron', 'cross', 'vdot', 'convolve', 'correlate', 'polyval',
)


class FallbackBackpropError(_core.ChainerxError, RuntimeError):
    """Raised when a NumPy-fallback function is given an array that is part of a graph.

    The fallback's results cannot be backpropagated through. It derives from ChainerxError (as every
    chainerx error) and from RuntimeError, which ChainerX's fallback raised in this case.
    """


def _is_array(x):
    return isinstance(x, _core.ndarray)


def _to_numpy(x, state):
    if _is_array(x):
        if x.is_backprop_required(_core.anygraph):
            raise FallbackBackpropError(
                'chainerx.{}: the NumPy fallback cannot backpropagate, but an input array is part of a graph '
                '(use as_grad_stopped() or no_backprop_mode())'.format(state['name']))
        if state['device'] is None:
            state['device'] = x.device
        return _core.to_numpy(x, copy=x.device.backend.name != 'native')
    if isinstance(x, (list, tuple)):
        return type(x)(_to_numpy(item, state) for item in x)
    return x


def _to_chainerx(y, device):
    if isinstance(y, numpy.ndarray):
        return _core.array(y, copy=False, device=device) if device.backend.name == 'native' else \
            _core.array(y, device=device)
    if isinstance(y, numpy.generic):  # NumPy's scalar results become 0-d arrays, as chainerx's reductions
        return _core.array(numpy.asarray(y), device=device)
    if isinstance(y, (list, tuple)):
        return type(y)(_to_chainerx(item, device) for item in y)
    return y  # Python scalars, bools, None


def make(name):
    """Returns the NumPy-fallback wrapper of numpy.<name> (see the module's documentation).

    Args:
        name: the NumPy function's name.
    Returns:
        A function taking numpy.<name>'s arguments, with chainerx arrays where NumPy takes arrays.
    """
    numpy_func = getattr(numpy, name)

    @functools.wraps(numpy_func)
    def wrapper(*args, **kwargs):
        state = {'name': name, 'device': None}
        args = _to_numpy(args, state)
        kwargs = {k: _to_numpy(v, state) for k, v in kwargs.items()}
        result = numpy_func(*args, **kwargs)
        return _to_chainerx(result, state['device'] or _core.get_default_device())

    try:
        params = ', '.join(inspect.signature(numpy_func).parameters)
    except (TypeError, ValueError):  # ufuncs: their docstring's first line is the signature
        params = 'as in the signature below'
    wrapper.__module__ = 'chainerx'
    wrapper.__qualname__ = name
    wrapper.__doc__ = (
        'NumPy fallback, no backprop: numpy.{0} on chainerx arrays.\n\n'
        'The arrays are passed to NumPy as views of their memory (native devices) or copies, and the arrays '
        'numpy.{0} returns come back as new chainerx arrays on the input\'s device. An input that is part of a '
        'graph raises FallbackBackpropError. The parameters ({1}) are NumPy\'s:\n\n{2}').format(
            name, params, numpy_func.__doc__)
    return wrapper


def install(module):
    """Adds the fallback functions in NAMES to module (chainerx) where it lacks them.

    Args:
        module: the chainerx module.
    """
    for name in NAMES:
        if not hasattr(module, name) and hasattr(numpy, name):
            setattr(module, name, make(name))
