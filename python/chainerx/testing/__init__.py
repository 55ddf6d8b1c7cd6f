"""Test helpers with ChainerX's names: array assertions and dtype lists."""
from chainerx.testing.array import (  # NOQA
    assert_allclose, assert_allclose_ex, assert_array_equal, assert_array_equal_ex)
from chainerx.testing.dtypes import (  # NOQA
    all_dtypes, float_dtypes, integral_dtypes, nonfloat_dtypes, numeric_dtypes, signed_dtypes,
    signed_integral_dtypes, unsigned_dtypes, parametrize_dtype_specifier)
