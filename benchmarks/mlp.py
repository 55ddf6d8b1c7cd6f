"""One training iteration (forward + backward + SGD update) of an MLP, chainerx against PyTorch eager
and NumPy with a hand-written backward, printed as ratios; plus a CNN iteration against PyTorch.

Run: python benchmarks/mlp.py  (PyTorch is used when installed: pip install torch==2.13.0)
Each thread count runs in a fresh process, so that OpenMP and both OpenBLAS builds (ours and
NumPy's) start with that many threads. A ratio below 1 means chainerx is faster.

Models: (a) tiny, overhead-bound: 64-64-64-10, batch 16; (b) ChainerX's MNIST MLP: 784-1000-1000-10,
batch 100. All three implementations start from the same parameters and see the same batch.
"""
import argparse
import os
import subprocess
import sys

import numpy

MODELS = {'tiny': ((64, 64, 64, 10), 16), 'mnist': ((784, 1000, 1000, 10), 100)}


def make_problem(sizes, batch, seed=0):
    rng = numpy.random.RandomState(seed)
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        params.append((rng.randn(n_out, n_in).astype(numpy.float32) / numpy.float32(numpy.sqrt(n_in)),
                       numpy.zeros(n_out, numpy.float32)))
    x = rng.rand(batch, sizes[0]).astype(numpy.float32)
    t = rng.randint(0, sizes[-1], batch).astype(numpy.int64)
    return params, x, t


def chainerx_step(params, x, t, lr=0.01):
    import chainerx as chx
    ws = [(chx.array(w).require_grad(), chx.array(b).require_grad()) for w, b in params]
    x, t = chx.array(x), chx.array(t)
    flat = [p for pair in ws for p in pair]

    def step():
        h = x
        for i, (w, b) in enumerate(ws):
            h = chx.linear(h, w, b)
            if i + 1 < len(ws):
                h = chx.relu(h)
        loss = chx.softmax_cross_entropy(h, t).mean()
        loss.backward()
        for p in flat:
            v = p.as_grad_stopped()
            v -= lr * p.grad.as_grad_stopped()
            p.cleargrad()
    return step


def torch_step(params, x, t, lr=0.01, device='cpu'):
    import torch
    import torch.nn.functional as F
    ws = [(torch.tensor(w, device=device).requires_grad_(), torch.tensor(b, device=device).requires_grad_())
          for w, b in params]
    x, t = torch.tensor(x, device=device), torch.tensor(t, device=device)
    flat = [p for pair in ws for p in pair]

    def step():
        h = x
        for i, (w, b) in enumerate(ws):
            h = F.linear(h, w, b)
            if i + 1 < len(ws):
                h = torch.relu(h)
        loss = F.cross_entropy(h, t)
        loss.backward()
        with torch.no_grad():
            for p in flat:
                p -= lr * p.grad
                p.grad = None
    return step


def numpy_step(params, x, t, lr=0.01):
    ws = [(w.copy(), b.copy()) for w, b in params]
    rows = numpy.arange(len(t))

    def step():
        hs = [x]
        for i, (w, b) in enumerate(ws):
            h = hs[-1] @ w.T + b
            if i + 1 < len(ws):
                numpy.maximum(h, 0, out=h)
            hs.append(h)
        y = hs[-1]
        e = numpy.exp(y - y.max(axis=1, keepdims=True))
        gy = e / e.sum(axis=1, keepdims=True)
        gy[rows, t] -= 1
        gy /= len(t)
        for i in reversed(range(len(ws))):
            w, b = ws[i]
            gx = gy @ w if i > 0 else None
            w -= lr * (gy.T @ hs[i])
            b -= lr * gy.sum(axis=0)
            if gx is not None:
                gx *= hs[i] > 0
                gy = gx
    return step


def cnn_steps(batch=64, lr=0.01):
    """A CNN iteration (conv-relu-max_pool twice, linear) on 28x28 inputs, chainerx and PyTorch."""
    import chainerx as chx
    rng = numpy.random.RandomState(0)
    shapes = [(32, 1, 3, 3), (32,), (64, 32, 3, 3), (64,), (10, 64 * 7 * 7), (10,)]
    init = [rng.randn(*s).astype(numpy.float32) * 0.1 for s in shapes]
    x = rng.rand(batch, 1, 28, 28).astype(numpy.float32)
    t = rng.randint(0, 10, batch).astype(numpy.int64)

    cps = [chx.array(p).require_grad() for p in init]
    cx, ct = chx.array(x), chx.array(t)

    def chx_step():
        h = chx.max_pool(chx.relu(chx.conv(cx, cps[0], cps[1], pad=1)), 2)
        h = chx.max_pool(chx.relu(chx.conv(h, cps[2], cps[3], pad=1)), 2)
        loss = chx.softmax_cross_entropy(chx.linear(h, cps[4], cps[5]), ct).mean()
        loss.backward()
        for p in cps:
            v = p.as_grad_stopped()
            v -= lr * p.grad.as_grad_stopped()
            p.cleargrad()

    torch_step_fn = None
    try:
        import torch
        import torch.nn.functional as F
        tps = [torch.tensor(p).requires_grad_() for p in init]
        tx, tt = torch.tensor(x), torch.tensor(t)

        def torch_step_fn():
            h = F.max_pool2d(torch.relu(F.conv2d(tx, tps[0], tps[1], padding=1)), 2)
            h = F.max_pool2d(torch.relu(F.conv2d(h, tps[2], tps[3], padding=1)), 2)
            loss = F.cross_entropy(F.linear(h.flatten(1), tps[4], tps[5]), tt)
            loss.backward()
            with torch.no_grad():
                for p in tps:
                    p -= lr * p.grad
                    p.grad = None
    except ImportError:
        pass
    return chx_step, torch_step_fn


def run(threads, quick):
    from _timing import measure, torch
    if torch is not None:
        torch.set_num_threads(threads)
    scale = 5 if quick else 1
    for name, (sizes, batch) in MODELS.items():
        params, x, t = make_problem(sizes, batch)
        number = (2000 if name == 'tiny' else 20) // scale
        c = measure(chainerx_step(params, x, t), number)
        n = measure(numpy_step(params, x, t), number)
        line = '{:<28} chainerx {:8.3f} ms   numpy {:8.3f} ms   ratio {:5.2f}'.format(
            '{} batch {} ({} thr)'.format(name, batch, threads), c * 1e3, n * 1e3, c / n)
        if torch is not None:
            p = measure(torch_step(params, x, t), number)
            line += '   torch {:8.3f} ms   ratio {:5.2f}'.format(p * 1e3, c / p)
        print(line, flush=True)
    import chainerx as chx
    if hasattr(chx, 'conv') and hasattr(chx, 'max_pool'):
        chx_step, torch_step_fn = cnn_steps()
        c = measure(chx_step, 10 // scale or 1)
        line = '{:<28} chainerx {:8.3f} ms'.format('cnn batch 64 ({} thr)'.format(threads), c * 1e3)
        if torch_step_fn is not None:
            p = measure(torch_step_fn, 10 // scale or 1)
            line += '   torch {:8.3f} ms   ratio {:5.2f}'.format(p * 1e3, c / p)
        print(line, flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--quick', action='store_true', help='fewer repetitions')
    parser.add_argument('--threads', type=int, nargs='*', default=[1, 2], help='thread counts to measure')
    parser.add_argument('--child', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run(args.threads[0], args.quick)
        return
    for threads in args.threads:
        env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
        cmd = [sys.executable, __file__, '--child', '--threads', str(threads)] + (['--quick'] if args.quick else [])
        subprocess.run(cmd, env=env, check=True)


if __name__ == '__main__':
    main()
