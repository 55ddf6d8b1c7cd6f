"""ChainerX's announcement table on this machine, in one run: one training iteration (forward + backward +
SGD update) of an MNIST MLP by Chainer on NumPy, Chainer on chainerx, chainerx from Python, and PyTorch.

ChainerX's numbers (ms, seed-size MLP on a GPU): Chainer on NumPy 14.48, Chainer on ChainerX 7.54, ChainerX
Python 1.88, PyTorch 2.45, i.e. Chainer on ChainerX at 0.52x Chainer on NumPy and ChainerX at 0.77x PyTorch.

Needs numpy<2, Chainer 7.8.1 and PyTorch beside chainerx:
    scripts/chainer-venv.sh --with-torch && .venv-chainer/bin/python benchmarks/announcement.py
Models: 'small' 784-64-64-10 at batch 16, where host overhead dominates as it does in front of a GPU, and
'seed' 784-1000-1000-10 at batch 100, ChainerX's example. All four start from the same parameters and see
the same batch. Ratios below 1 mean the first is faster.
"""
import argparse
import os
import sys

import numpy

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import measure, torch  # noqa: E402
from mlp import chainerx_step, make_problem, torch_step  # noqa: E402

MODELS = {'small': ((784, 64, 64, 10), 16), 'seed': ((784, 1000, 1000, 10), 100)}


def chainer_step(params, x, t, device, lr=0.01):
    """Chainer's own MLP (links, F.softmax_cross_entropy, optimizers.SGD) on the given Chainer device."""
    import chainer
    import chainer.functions as F
    import chainer.links as L

    class MLP(chainer.ChainList):
        def forward(self, h):
            for i, link in enumerate(self):
                h = link(h)
                if i + 1 < len(self):
                    h = F.relu(h)
            return h

    model = MLP(*[L.Linear(w.shape[1], w.shape[0], initialW=w, initial_bias=b) for w, b in params])
    model.to_device(device)
    optimizer = chainer.optimizers.SGD(lr)
    optimizer.setup(model)
    dev = chainer.get_device(device)
    xs, ts = dev.send(x), dev.send(t.astype(numpy.int32))

    def lossfun(x, t):
        return F.softmax_cross_entropy(model(x), t)

    def step():
        optimizer.update(lossfun, xs, ts)
    return step


def synchronized(step, device):
    """The step followed by a synchronization of every GPU library, so that GPU time is counted."""
    if not device.startswith('cuda'):
        return step
    import chainerx

    def run():
        step()
        chainerx.get_device(device).synchronize()
        if torch is not None:
            torch.cuda.synchronize()
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--device', default='native:0', help="chainerx device: native:0 or cuda:0")
    parser.add_argument('--quick', action='store_true', help='fewer repetitions')
    args = parser.parse_args()
    cuda = args.device.startswith('cuda')
    chainer_numpy_device = '@cupy:' + args.device.split(':')[1] if cuda else '@numpy'
    import chainer
    import chainerx
    print('chainerx {} on {}, Chainer {}, NumPy {}, PyTorch {}'.format(
        chainerx.__version__, args.device, chainer.__version__, numpy.__version__,
        torch.__version__ if torch is not None else 'not installed'))
    with chainerx.using_device(args.device):
        for name, (sizes, batch) in MODELS.items():
            params, x, t = make_problem(sizes, batch)
            number = (300 if name == 'small' else 10) // (5 if args.quick else 1)
            rows = [('Chainer on NumPy' if not cuda else 'Chainer on CuPy', chainer_step(params, x, t, chainer_numpy_device)),
                    ('Chainer on chainerx', chainer_step(params, x, t, args.device)),
                    ('chainerx Python', chainerx_step(params, x, t))]
            if torch is not None:
                rows.append(('PyTorch', torch_step(params, x, t, device='cuda' if cuda else 'cpu')))
            times = {label: measure(synchronized(step, args.device), number) for label, step in rows}
            print('\n{} MLP {} batch {} (ms per iteration)'.format(name, '-'.join(map(str, sizes)), batch))
            for label, seconds in times.items():
                print('  {:<22} {:8.3f}'.format(label, seconds * 1e3))
            base = 'Chainer on NumPy' if not cuda else 'Chainer on CuPy'
            print('  Chainer on chainerx / {:<16} {:5.2f}   (ChainerX: 0.52)'.format(
                base, times['Chainer on chainerx'] / times[base]))
            if 'PyTorch' in times:
                print('  chainerx Python / PyTorch {:15} {:5.2f}   (ChainerX: 0.77)'.format(
                    '', times['chainerx Python'] / times['PyTorch']))


if __name__ == '__main__':
    main()
