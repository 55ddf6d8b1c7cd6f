"""Decorators that run a test body with NumPy and with chainerx and compare what the two return.

As ChainerX's chainerx.testing.helper: the body takes the module as a keyword (name='xp' by default)
and returns arrays; the decorated test calls it once with xp=numpy and once with xp=chainerx. It
needs no pytest: a mismatch raises AssertionError, which pytest reports as a failure.
"""
import functools
import inspect
import traceback

import numpy

import chainerx
from chainerx.testing import array as _array


class _Ignore:
    def __repr__(self):
        return 'chainerx.testing.ignore()'


def ignore():
    """Returns a marker that a test body returns in place of a result that is not to be compared.

    A body decorated with numpy_chainerx_array_equal or numpy_chainerx_allclose may return it (or
    put it in a returned tuple or list) when one of the results, or both, cannot be compared.
    """
    return _Ignore()


def _call(impl, args, kwargs):
    try:
        return impl(*args, **kwargs), None, None
    except Exception as e:  # compared with the other module's outcome below
        return None, e, traceback.format_exc()


def _check_errors(chainerx_error, chainerx_tb, numpy_error, numpy_tb, accept_error):
    if chainerx_error is None:
        raise AssertionError('Only numpy raised an error:\n\n' + numpy_tb)
    if numpy_error is None:
        raise AssertionError('Only chainerx raised an error:\n\n' + chainerx_tb)
    if not (isinstance(chainerx_error, accept_error) and isinstance(numpy_error, accept_error)):
        raise AssertionError(
            'Both chainerx and numpy raised an error, but not both of an accepted class {}\n\n'
            'chainerx:\n{}\nnumpy:\n{}'.format(accept_error, chainerx_tb, numpy_tb))


def _check_results(check, chainerx_result, numpy_result, where):
    if isinstance(chainerx_result, _Ignore) or isinstance(numpy_result, _Ignore):
        return
    if isinstance(chainerx_result, (tuple, list)) or isinstance(numpy_result, (tuple, list)):
        if not (isinstance(chainerx_result, (tuple, list)) and isinstance(numpy_result, (tuple, list))
                and len(chainerx_result) == len(numpy_result)):
            raise AssertionError('{}: the results differ in structure: chainerx {!r}, numpy {!r}'.format(
                where, type(chainerx_result), type(numpy_result)))
        for i, (c, n) in enumerate(zip(chainerx_result, numpy_result)):
            _check_results(check, c, n, '{}[{}]'.format(where, i))
        return
    if not (isinstance(chainerx_result, chainerx.ndarray) and isinstance(numpy_result, (numpy.ndarray, numpy.generic))):
        raise AssertionError(
            '{}: the test body must return arrays (chainerx returned {}, numpy returned {}); return '
            'chainerx.testing.ignore() for a result that is not to be compared'.format(
                where, type(chainerx_result).__name__, type(numpy_result).__name__))
    if chainerx_result.shape != numpy_result.shape:
        raise AssertionError('{}: shape mismatch: chainerx {}, numpy {}'.format(
            where, chainerx_result.shape, numpy_result.shape))
    if chainerx_result.device is not chainerx.get_default_device():
        raise AssertionError('{}: the chainerx result is on {}, not on the default device {}'.format(
            where, chainerx_result.device, chainerx.get_default_device()))
    try:
        check(chainerx_result, numpy_result)
    except AssertionError as e:
        raise AssertionError('{}: {}'.format(where, e)) from None


def _make_decorator(check, name, accept_error):
    if not isinstance(name, str):
        raise TypeError('name must be a str, not {!r}'.format(name))
    if accept_error is True:
        accept_error = (Exception,)
    elif isinstance(accept_error, type):
        accept_error = (accept_error,)
    accept_error = tuple(accept_error)

    def decorator(impl):
        signature = inspect.signature(impl)
        reduced = signature.replace(parameters=[p for p in signature.parameters.values() if p.name != name])
        by_keyword = all(p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) for p in reduced.parameters.values())

        @functools.wraps(impl)
        def test_func(*args, **kwargs):
            if args and by_keyword:  # positional arguments would collide with the module's parameter
                kwargs = dict(reduced.bind(*args, **kwargs).arguments)
                args = ()
            kwargs[name] = chainerx
            chainerx_result, chainerx_error, chainerx_tb = _call(impl, args, kwargs)
            kwargs[name] = numpy
            numpy_result, numpy_error, numpy_tb = _call(impl, args, kwargs)
            if chainerx_error is not None or numpy_error is not None:
                _check_errors(chainerx_error, chainerx_tb, numpy_error, numpy_tb, accept_error)
                return
            _check_results(check, chainerx_result, numpy_result, 'result')

        # pytest resolves fixtures and parameters from the signature: hide the module parameter
        # (inspect.signature stops at __signature__ instead of following __wrapped__ to impl).
        test_func.__signature__ = reduced
        return test_func

    return decorator


def numpy_chainerx_array_equal(*, err_msg='', verbose=True, name='xp', dtype_check=True, strides_check=True,
                               accept_error=()):
    """Decorates a test body to compare its results with NumPy and with chainerx for equality.

    The decorated test calls the body twice, with name=chainerx and name=numpy as a keyword, and
    checks the results with assert_array_equal_ex: each must be an array (chainerx.ndarray for
    chainerx, numpy.ndarray or a NumPy scalar for numpy), or a tuple or list of them compared
    elementwise; chainerx.testing.ignore() in either result skips that comparison. The chainerx
    result must be on the default device. The test's other parameters (pytest fixtures and
    parametrization) are passed through.

    Args:
        err_msg: text added to a failure message.
        verbose: whether a failure message shows the conflicting values.
        name: the name of the body's parameter that receives the module.
        dtype_check: whether the dtypes must match.
        strides_check: whether the strides must match (only checked with dtype_check).
        accept_error: an exception class or a tuple of them (True: any Exception). When the body
            raises, it must raise with both modules, an instance of one of these classes each;
            otherwise the test fails.
    Returns:
        The decorator.
    """
    def check(x, y):
        _array.assert_array_equal_ex(x, y, err_msg=err_msg, verbose=verbose, dtype_check=dtype_check,
                                     strides_check=strides_check and dtype_check)

    return _make_decorator(check, name, accept_error)


def numpy_chainerx_allclose(*, rtol=1e-7, atol=0, equal_nan=True, err_msg='', verbose=True, name='xp',
                            dtype_check=True, strides_check=True, accept_error=()):
    """Decorates a test body to compare its results with NumPy and with chainerx up to a tolerance.

    As numpy_chainerx_array_equal, but the results are compared with assert_allclose_ex: elementwise
    |chainerx - numpy| <= atol + rtol * |numpy|.

    Args:
        rtol: the relative tolerance.
        atol: the absolute tolerance.
        equal_nan: whether NaNs in the same places count as equal.
        err_msg: text added to a failure message.
        verbose: whether a failure message shows the conflicting values.
        name: the name of the body's parameter that receives the module.
        dtype_check: whether the dtypes must match.
        strides_check: whether the strides must match (only checked with dtype_check).
        accept_error: an exception class or a tuple of them (True: any Exception). When the body
            raises, it must raise with both modules, an instance of one of these classes each;
            otherwise the test fails.
    Returns:
        The decorator.
    """
    def check(x, y):
        _array.assert_allclose_ex(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan, err_msg=err_msg,
                                  verbose=verbose, dtype_check=dtype_check,
                                  strides_check=strides_check and dtype_check)

    return _make_decorator(check, name, accept_error)
