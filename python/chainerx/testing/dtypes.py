"""dtype name lists as chainerx.testing provides them: ChainerX's contents, in ChainerX's order."""
import numpy

float_dtypes = ('float16', 'float32', 'float64')
signed_dtypes = ('int8', 'int16', 'int32', 'int64', 'float16', 'float32', 'float64')
unsigned_dtypes = ('uint8',)
integral_dtypes = ('uint8', 'int8', 'int16', 'int32', 'int64')  # no bool_, as in ChainerX
signed_integral_dtypes = ('int8', 'int16', 'int32', 'int64')
nonfloat_dtypes = ('bool_', 'int8', 'int16', 'int32', 'int64', 'uint8')
numeric_dtypes = signed_dtypes + unsigned_dtypes
all_dtypes = ('bool_',) + numeric_dtypes


def _specifiers(name):
    dtype = numpy.dtype(name)
    return [name, dtype, dtype.type, dtype.char]


def parametrize_dtype_specifier(argname, dtypes=None, additional_args=None):
    """Parametrizes a test over every way of naming each dtype (a pytest.mark.parametrize mark).

    Needs pytest, which is imported on the call (chainerx itself does not depend on it).

    Args:
        argname: the name of the test's parameter.
        dtypes: the dtype names to cover (default: all_dtypes); each gives four specifiers: its
            name, its numpy.dtype, its scalar type and its character code.
        additional_args: extra values appended to the specifiers, or None.
    Returns:
        The pytest.mark.parametrize(argname, values) decorator.
    """
    import pytest  # only test code calls this: pytest is not a dependency of chainerx
    dtypes = all_dtypes if dtypes is None else dtypes
    values = [spec for name in dtypes for spec in _specifiers(name)]
    if additional_args is not None:
        values += list(additional_args)
    return pytest.mark.parametrize(argname, values)
