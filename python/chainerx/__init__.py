"""chainerx: a fast n-dimensional array with define-by-run autograd, API-compatible with ChainerX."""
import builtins as _builtins
import os as _os
import sys as _sys

# OpenMP's idle worker threads spin before they sleep (libgomp: 300,000 iterations, milliseconds).
# With every core busy with other work, the spinning threads take the time slices the thread that
# still has work needs: an MNIST step went from ~12 ms to 200-280 ms with a busy loop on each of two
# cores (a short spin: ~21 ms). A short spin keeps back-to-back kernels' wake-ups cheap when idle.
# Set before libgomp initializes (when _core loads it), and only if the user chose nothing.
if not any(_name in _os.environ for _name in ('OMP_WAIT_POLICY', 'GOMP_SPINCOUNT')):
    _os.environ['GOMP_SPINCOUNT'] = '100'

import numpy as _numpy

from chainerx import _core
from chainerx._core import *  # NOQA
from chainerx._core import (  # NOQA  (private names used by the package)
    _wrap_numpy,
)

__version__ = '0.1.0'

# ChainerX re-exports NumPy's dtype objects and scalar types, so that chainerx.float32 is
# numpy.float32.
dtype = _numpy.dtype
bool_ = _numpy.bool_
int8 = _numpy.int8
int16 = _numpy.int16
int32 = _numpy.int32
int64 = _numpy.int64
uint8 = _numpy.uint8
float16 = _numpy.float16
float32 = _numpy.float32
float64 = _numpy.float64
all_dtypes = (bool_, int8, int16, int32, int64, uint8, float16, float32, float64)
try:
    import ml_dtypes as _ml_dtypes
    bfloat16 = _ml_dtypes.bfloat16
except ImportError:  # bfloat16 arrays still work; converting them to NumPy needs ml_dtypes
    bfloat16 = 'bfloat16'

bool = _builtins.bool
int = _builtins.int
float = _builtins.float

# NumPy's constants (the capitalised aliases exist only in NumPy < 2).
e = _numpy.e
euler_gamma = _numpy.euler_gamma
inf = _numpy.inf
nan = _numpy.nan
newaxis = _numpy.newaxis
pi = _numpy.pi
for _name in ('Inf', 'Infinity', 'NAN', 'NINF', 'NZERO', 'NaN', 'PINF', 'PZERO', 'infty'):
    if hasattr(_numpy, _name):
        setattr(_sys.modules[__name__], _name, getattr(_numpy, _name))
    elif _name in ('Inf', 'Infinity', 'PINF', 'infty'):
        setattr(_sys.modules[__name__], _name, _numpy.inf)
    elif _name in ('NAN', 'NaN'):
        setattr(_sys.modules[__name__], _name, _numpy.nan)
    elif _name == 'NINF':
        NINF = -_numpy.inf
    elif _name == 'NZERO':
        NZERO = -0.0
    elif _name == 'PZERO':
        PZERO = 0.0

# The global default context exists from import on.
_global_context = get_global_default_context()

from chainerx import _array  # NOQA  (repr, pickling, tolist, clip on ndarray)
from chainerx import _creation  # NOQA
from chainerx._creation import (  # NOQA
    asanyarray, fromfile, fromfunction, fromiter, fromstring, loadtxt)
from chainerx import linalg  # NOQA
from chainerx import random  # NOQA
from chainerx import _fallback  # NOQA
_fallback.install(_sys.modules[__name__])  # copysign and other NumPy functions chainerx lacks (no backprop)


def is_available():
    """Returns True: chainerx is always available once it can be imported.

    ChainerX (Chainer's chainerx package) returns False when it was built without its C++ core;
    this chainerx always has one.
    """
    return True


def _cuda_available():
    try:
        get_backend('cuda')
    except BackendError:
        return False
    return True
