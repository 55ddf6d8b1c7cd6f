"""Per-op host overhead and bandwidth of chainerx against NumPy and PyTorch, printed as ratios.

Run: python benchmarks/overhead.py  (PyTorch is used when installed: pip install torch==2.13.0)
A ratio below 1 means chainerx is faster. Timings are medians of repeated runs in this process.
"""
import argparse
import os

import numpy

import chainerx
from _timing import measure, torch
from _timing import report as _report


def cases(size):
    n1 = numpy.random.rand(size).astype(numpy.float32)
    n2 = numpy.random.rand(size).astype(numpy.float32)
    c1, c2 = chainerx.array(n1), chainerx.array(n2)
    table = {
        'add': (lambda: c1 + c2, lambda: n1 + n2),
        'multiply': (lambda: c1 * c2, lambda: n1 * n2),
        'exp': (lambda: chainerx.exp(c1), lambda: numpy.exp(n1)),
        'add scalar': (lambda: c1 + 1.0, lambda: n1 + numpy.float32(1.0)),
    }
    if torch is not None:
        t1, t2 = torch.from_numpy(n1), torch.from_numpy(n2)
        torch_fns = {'add': lambda: t1 + t2, 'multiply': lambda: t1 * t2, 'exp': lambda: torch.exp(t1),
                     'add scalar': lambda: t1 + 1.0}
    else:
        torch_fns = {}
    return [(name, c, n, torch_fns.get(name)) for name, (c, n) in table.items()]


def report(label, chx_time, np_time, torch_time):
    _report(label, chx_time, np_time, torch_time, unit='us', width=34)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--quick', action='store_true', help='fewer repetitions')
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    print('threads: OMP_NUM_THREADS={} torch={}'.format(
        os.environ.get('OMP_NUM_THREADS', 'default'), torch.get_num_threads() if torch else '-'))
    for size, number in ((1, 20000 // scale), (1000, 20000 // scale), (1 << 24, max(3, 20 // scale))):
        for name, chx_fn, np_fn, torch_fn in cases(size):
            report('{} float32[{}]'.format(name, size), measure(chx_fn, number), measure(np_fn, number),
                   measure(torch_fn, number) if torch_fn else None)
    n = numpy.random.rand(1000).astype(numpy.float32)
    c = chainerx.array(n)
    report('chainerx.array(np, copy=False)', measure(lambda: chainerx.array(n, copy=False), 20000 // scale),
           measure(lambda: numpy.asarray(n), 20000 // scale),
           measure(lambda: torch.from_numpy(n), 20000 // scale) if torch else None)
    report('to_numpy(copy=False)', measure(lambda: chainerx.to_numpy(c, copy=False), 20000 // scale),
           measure(lambda: numpy.asarray(n), 20000 // scale),
           measure(lambda: torch.from_numpy(n).numpy(), 20000 // scale) if torch else None)


if __name__ == '__main__':
    main()


def grad_cases():
    """An add on 1000 float32 whose inputs require grad: forward plus backward of the sum."""
    n1 = numpy.random.rand(1000).astype(numpy.float32)
    n2 = numpy.random.rand(1000).astype(numpy.float32)
    seed = chainerx.ones((1000,), 'float32')

    def chainerx_step():
        a = chainerx.array(n1, copy=False).require_grad()
        b = chainerx.array(n2, copy=False).require_grad()
        y = a + b
        y.grad = seed
        y.backward()

    chx_time = measure(chainerx_step, 5000)
    torch_time = None
    if torch is not None:
        t_seed = torch.ones(1000)

        def torch_step():
            a = torch.from_numpy(n1).requires_grad_()
            b = torch.from_numpy(n2).requires_grad_()
            y = a + b
            y.backward(t_seed)

        torch_time = measure(torch_step, 5000)
    line = '{:<34} chainerx {:9.3f} us'.format('add+backward float32[1000] (grad)', chx_time * 1e6)
    if torch_time is not None:
        line += '   torch {:9.3f} us   ratio {:5.2f}'.format(torch_time * 1e6, chx_time / torch_time)
    print(line)


if __name__ == '__main__':
    grad_cases()
