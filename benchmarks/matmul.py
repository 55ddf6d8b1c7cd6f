"""Matrix product throughput of chainerx against NumPy and PyTorch, printed as ratios.

Run: python benchmarks/matmul.py [--quick] [--threads N]  (PyTorch is used when installed)
A ratio below 1 means chainerx is faster. chainerx calls scipy-openblas32's sgemm; NumPy calls its
own bundled OpenBLAS (scipy-openblas64); PyTorch its own BLAS. Each library sizes its thread pool
itself (by default to the number of cores); the counts found are printed, and --threads sets all
three to the same value.
"""
import argparse
import ctypes
import glob
import os

import numpy

import chainerx
from _timing import measure, torch
from _timing import report as _report


def _loaded_library(pattern):
    """The first shared library of this process whose path matches pattern (Linux), or None."""
    try:
        with open('/proc/self/maps') as maps:
            for line in maps:
                path = line.split()[-1]
                if glob.fnmatch.fnmatch(os.path.basename(path), pattern):
                    return ctypes.CDLL(path)
    except OSError:
        pass
    return None


def _openblas_threads(set_to=None):
    """(chainerx's, NumPy's) OpenBLAS thread counts, after setting them when set_to is given."""
    counts = []
    for pattern, suffix in (('libscipy_openblas.so*', ''), ('libscipy_openblas64_*', '64_')):
        lib = _loaded_library(pattern)
        if lib is None:
            counts.append('?')
            continue
        if set_to is not None:
            getattr(lib, 'scipy_openblas_set_num_threads' + suffix)(set_to)
        counts.append(getattr(lib, 'scipy_openblas_get_num_threads' + suffix)())
    return counts


def cases(sizes, dtype):
    rng = numpy.random.default_rng(0)
    out = []
    for n in sizes:
        a = rng.standard_normal((n, n)).astype(dtype)
        b = rng.standard_normal((n, n)).astype(dtype)
        ca, cb = chainerx.array(a), chainerx.array(b)
        torch_fn = None
        if torch is not None:
            ta, tb = torch.from_numpy(a), torch.from_numpy(b)
            torch_fn = (lambda x, y: (lambda: torch.matmul(x, y)))(ta, tb)
        out.append(('matmul {0}x{0}x{0} {1}'.format(n, numpy.dtype(dtype).name),
                    (lambda x, y: (lambda: chainerx.matmul(x, y)))(ca, cb),
                    (lambda x, y: (lambda: numpy.matmul(x, y)))(a, b), torch_fn))
    # A transposed (Fortran-ordered) operand goes to BLAS with a transpose flag, not a copy.
    n = sizes[0]
    a = rng.standard_normal((n, n)).astype(dtype)
    at, ca_t = a.T, chainerx.array(a).T
    out.append(('matmul {0}^3 a.T {1}'.format(n, numpy.dtype(dtype).name),
                lambda: chainerx.matmul(ca_t, ca_t), lambda: numpy.matmul(at, at), None))
    return out


def report(label, chx_time, np_time, torch_time):
    _report(label, chx_time, np_time, torch_time, unit='ms', width=30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--quick', action='store_true', help='fewer repetitions')
    parser.add_argument('--threads', type=int, default=None, help='BLAS threads for all three libraries')
    parser.add_argument('--sizes', type=int, nargs='+', default=[1024, 2048])
    parser.add_argument('--dtype', default='float32')
    args = parser.parse_args()
    chainerx.matmul(chainerx.ones((2, 2)), chainerx.ones((2, 2)))  # loads chainerx's BLAS
    numpy.ones((2, 2)) @ numpy.ones((2, 2))
    if args.threads is not None and torch is not None:
        torch.set_num_threads(args.threads)
    chx_threads, np_threads = _openblas_threads(args.threads)
    print('threads: chainerx openblas={} numpy openblas={} torch={} (cores: {})'.format(
        chx_threads, np_threads, torch.get_num_threads() if torch else '-', os.cpu_count()))
    for name, chx, np_fn, torch_fn in cases(args.sizes, args.dtype):
        number = 1 if args.quick else 3
        chx_time = measure(chx, number)
        np_time = measure(np_fn, number)
        torch_time = measure(torch_fn, number) if torch_fn is not None else None
        report(name, chx_time, np_time, torch_time)


if __name__ == '__main__':
    main()
