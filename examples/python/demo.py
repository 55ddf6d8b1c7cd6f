"""A short tour of chainerx: arrays, dtypes, broadcasting, views and NumPy interop."""
import numpy as np

import chainerx as chx

x = chx.arange(6, dtype=chx.float32).reshape(2, 3)
print('x =', x)
print('exp(x) + 1 =', chx.exp(x) + 1)
print('x.T (a view) strides:', x.T.strides, 'contiguous:', x.T.is_contiguous)
print('int8 + 2.5 gives', (chx.ones((2,), chx.int8) + 2.5).dtype, '(ChainerX promotion)')
y = chx.to_numpy(x, copy=False)  # shares memory with x
y[0, 0] = 42
print('after writing through NumPy: x[0, 0] =', float(x[0, 0]))
big = chx.array(np.random.rand(1 << 20).astype(np.float32))
print('sum of sin^2 + cos^2 over 2^20 elements:', float(chx.to_numpy(chx.square(chx.sin(big)) + chx.square(chx.cos(big))).sum()))
print('default device:', chx.get_default_device())
