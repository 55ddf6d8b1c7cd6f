"""Test helpers with ChainerX's names: array assertions, dtype lists and NumPy-comparison decorators.

import chainerx does not import this package, and it needs no pytest (only
parametrize_dtype_specifier imports it, when called).
"""
from chainerx.testing import array  # NOQA
from chainerx.testing import helper  # NOQA
from chainerx.testing.array import (  # NOQA
    assert_allclose, assert_allclose_ex, assert_array_equal, assert_array_equal_ex, _DeviceBuffer, _fromnumpy)
from chainerx.testing.dtypes import (  # NOQA
    all_dtypes, float_dtypes, integral_dtypes, nonfloat_dtypes, numeric_dtypes, signed_dtypes,
    signed_integral_dtypes, unsigned_dtypes, parametrize_dtype_specifier)
from chainerx.testing.helper import (  # NOQA
    ignore, numpy_chainerx_allclose, numpy_chainerx_array_equal)
