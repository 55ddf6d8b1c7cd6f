"""chainerx.linalg: linear algebra routines (LAPACK on native devices)."""
from chainerx._core import _linalg  # NOQA  (loads the C++ module)

_is_lapack_available = _linalg._is_lapack_available
solve = _linalg.solve
inv = _linalg.inv
det = _linalg.det
slogdet = _linalg.slogdet
cholesky = _linalg.cholesky
eigh = _linalg.eigh
eigvalsh = _linalg.eigvalsh
svd = _linalg.svd
pinv = _linalg.pinv
qr = _linalg.qr
norm = _linalg.norm
