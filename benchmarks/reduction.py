"""Reduction throughput of chainerx against NumPy and PyTorch, printed as ratios.

Run: python benchmarks/reduction.py [--quick]  (PyTorch is used when installed)
A ratio below 1 means chainerx is faster. Timings are medians of repeated runs in this process.
"""
import argparse
import os

import numpy

import chainerx
from _timing import measure, torch
from _timing import report as _report


def cases(size):
    n = numpy.random.rand(size).astype(numpy.float32)
    m = n.reshape(-1, 1024)
    c, cm = chainerx.array(n), chainerx.array(m)
    table = [
        ('sum 2^{} float32'.format(size.bit_length() - 1), lambda: chainerx.sum(c), lambda: n.sum(),
         (lambda t: (lambda: t.sum()))),
        ('max 2^{} float32'.format(size.bit_length() - 1), lambda: chainerx.amax(c), lambda: n.max(),
         (lambda t: (lambda: t.max()))),
        ('sum axis=0 ({}, 1024)'.format(m.shape[0]), lambda: chainerx.sum(cm, axis=0), lambda: m.sum(axis=0),
         None),
        ('sum axis=1 ({}, 1024)'.format(m.shape[0]), lambda: chainerx.sum(cm, axis=1), lambda: m.sum(axis=1),
         None),
        ('argmax 2^{} float32'.format(size.bit_length() - 1), lambda: chainerx.argmax(c), lambda: n.argmax(),
         (lambda t: (lambda: t.argmax()))),
        ('mean 2^{} float32'.format(size.bit_length() - 1), lambda: chainerx.mean(c), lambda: n.mean(),
         (lambda t: (lambda: t.mean()))),
    ]
    out = []
    for name, chx, np_fn, torch_maker in table:
        torch_fn = torch_maker(torch.from_numpy(n)) if (torch is not None and torch_maker) else None
        out.append((name, chx, np_fn, torch_fn))
    return out


def report(label, chx_time, np_time, torch_time):
    _report(label, chx_time, np_time, torch_time, unit='ms', width=30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--quick', action='store_true', help='fewer repetitions')
    parser.add_argument('--log2-size', type=int, default=24)
    args = parser.parse_args()
    number = 2 if args.quick else 10
    print('threads: OMP_NUM_THREADS={} torch={}'.format(
        os.environ.get('OMP_NUM_THREADS', 'default'), torch.get_num_threads() if torch else '-'))
    for name, chx, np_fn, torch_fn in cases(1 << args.log2_size):
        chx_time = measure(chx, number)
        np_time = measure(np_fn, number)
        torch_time = measure(torch_fn, number) if torch_fn is not None else None
        report(name, chx_time, np_time, torch_time)


if __name__ == '__main__':
    main()
