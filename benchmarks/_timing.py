"""Timing helpers shared by the benchmarks: medians of repeated runs, ratio lines, optional torch."""
import statistics
import timeit

try:
    import torch
except ImportError:
    torch = None


def measure(fn, number):
    """Median seconds per call of fn over 7 repeats of `number` calls, after one warm-up call."""
    fn()  # warm up (allocator, caches)
    runs = timeit.repeat(fn, number=number, repeat=7)
    return statistics.median(runs) / number


def report(label, chx_time, np_time, torch_time, unit='us', width=34):
    """Prints chainerx's time and its ratios to NumPy's and PyTorch's (below 1: chainerx is faster)."""
    scale = {'us': 1e6, 'ms': 1e3}[unit]
    line = '{:<{w}} chainerx {:9.3f} {u}   numpy {:9.3f} {u}   ratio {:5.2f}'.format(
        label, chx_time * scale, np_time * scale, chx_time / np_time, w=width, u=unit)
    if torch_time is not None:
        line += '   torch {:9.3f} {u}   ratio {:5.2f}'.format(torch_time * scale, chx_time / torch_time, u=unit)
    print(line)
