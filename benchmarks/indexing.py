"""Gathers and sorting of chainerx against NumPy and PyTorch, printed as ratios.

Run: python benchmarks/indexing.py [--quick]  (PyTorch is used when installed)
A ratio below 1 means chainerx is faster. Timings are medians of repeated runs in this process.
The headline case is the minibatch gather of MNIST training: 100 rows of a 60000x784 float32 array.
"""
import argparse
import os

import numpy

import chainerx
from _timing import measure, torch
from _timing import report as _report


def report(label, chx_time, np_time, torch_time):
    _report(label, chx_time, np_time, torch_time, unit='us', width=40)


def cases():
    rng = numpy.random.RandomState(0)
    data = rng.rand(60000, 784).astype(numpy.float32)
    rows = rng.randint(0, 60000, 100).astype(numpy.int64)
    cols = rng.randint(0, 784, 100).astype(numpy.int64)
    small = rng.rand(1000).astype(numpy.float32)
    sidx = rng.randint(0, 1000, 100).astype(numpy.int64)
    mask = small > 0.5
    mat = rng.rand(1000, 1000).astype(numpy.float32)
    vec = rng.rand(1 << 20).astype(numpy.float32)
    c_data, c_rows, c_cols = chainerx.array(data, copy=False), chainerx.array(rows), chainerx.array(cols)
    c_small, c_sidx, c_mask = chainerx.array(small), chainerx.array(sidx), chainerx.array(mask)
    c_mat, c_vec = chainerx.array(mat), chainerx.array(vec)
    table = [
        ('take rows 100 of 60000x784', lambda: chainerx.take(c_data, c_rows, 0),
         lambda: numpy.take(data, rows, 0), 1000),
        ('a[rows] 100 of 60000x784', lambda: c_data[c_rows], lambda: data[rows], 1000),
        ('take cols 100 of 60000x784', lambda: chainerx.take(c_data[:1000], c_cols, 1),
         lambda: numpy.take(data[:1000], cols, 1), 100),
        ('take 100 of float32[1000]', lambda: chainerx.take(c_small, c_sidx), lambda: numpy.take(small, sidx), 10000),
        ('a[mask] float32[1000]', lambda: c_small[c_mask], lambda: small[mask], 10000),
        ('nonzero bool[1000]', lambda: chainerx.nonzero(c_mask), lambda: numpy.nonzero(mask), 10000),
        ('sort float32[1000,1000] axis=-1', lambda: chainerx.sort(c_mat), lambda: numpy.sort(mat), 3),
        ('argsort float32[1000,1000] axis=-1', lambda: chainerx.argsort(c_mat), lambda: numpy.argsort(mat), 3),
        ('argsort float32[1M] (vs NumPy stable)', lambda: chainerx.argsort(c_vec),
         lambda: numpy.argsort(vec, kind='stable'), 3),
        ('sort float32[1M]', lambda: chainerx.sort(c_vec), lambda: numpy.sort(vec), 3),
    ]
    if torch is not None:
        t_data, t_rows, t_cols = torch.from_numpy(data), torch.from_numpy(rows), torch.from_numpy(cols)
        t_small, t_sidx, t_mask = torch.from_numpy(small), torch.from_numpy(sidx), torch.from_numpy(mask)
        t_mat, t_vec = torch.from_numpy(mat), torch.from_numpy(vec)
        torch_fns = [
            lambda: torch.index_select(t_data, 0, t_rows),
            lambda: t_data[t_rows],
            lambda: torch.index_select(t_data[:1000], 1, t_cols),
            lambda: torch.take(t_small, t_sidx),
            lambda: t_small[t_mask],
            lambda: torch.nonzero(t_mask, as_tuple=True),
            lambda: torch.sort(t_mat),
            lambda: torch.argsort(t_mat),
            lambda: torch.argsort(t_vec, stable=True),
            lambda: torch.sort(t_vec),
        ]
    else:
        torch_fns = [None] * len(table)
    return [(name, c, n, t, number) for (name, c, n, number), t in zip(table, torch_fns)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--quick', action='store_true', help='fewer repetitions')
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    print('threads: OMP_NUM_THREADS={} torch={}'.format(
        os.environ.get('OMP_NUM_THREADS', 'default'), torch.get_num_threads() if torch else '-'))
    for name, chx_fn, np_fn, torch_fn, number in cases():
        number = max(number // scale, 1)
        report(name, measure(chx_fn, number), measure(np_fn, number), measure(torch_fn, number) if torch_fn else None)


if __name__ == '__main__':
    main()
