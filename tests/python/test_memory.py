"""Memory stays flat over long training: 10,000 small SGD steps, and double-backprop loops (a gradient penalty,
with intermediates that require grad as Chainer marks them). A leak of one graph per step shows within these
bounds: the double-backprop arrays hold 1 MB each."""
import gc
import os

import numpy
import pytest

import chainerx

pytestmark = pytest.mark.skipif(not os.path.exists('/proc/self/statm'), reason='reads RSS from /proc')


def _rss_mb():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20


def test_10000_training_steps_keep_rss_flat():
    rng = numpy.random.RandomState(0)
    ws = [chainerx.array(rng.randn(64, 32).astype(numpy.float32) * 0.1).require_grad(),
          chainerx.array(numpy.zeros(64, numpy.float32)).require_grad(),
          chainerx.array(rng.randn(10, 64).astype(numpy.float32) * 0.1).require_grad(),
          chainerx.array(numpy.zeros(10, numpy.float32)).require_grad()]
    x = chainerx.array(rng.rand(16, 32).astype(numpy.float32))
    t = chainerx.array(rng.randint(0, 10, 16))

    def step():
        h = chainerx.relu(chainerx.linear(x, ws[0], ws[1]))
        loss = chainerx.softmax_cross_entropy(chainerx.linear(h, ws[2], ws[3]), t).mean()
        loss.backward()
        for w in ws:
            v = w.as_grad_stopped()
            v -= 0.01 * w.grad.as_grad_stopped()
            w.cleargrad()
        return loss

    for _ in range(1000):
        first = float(step())
    gc.collect()
    before = _rss_mb()
    for _ in range(9000):
        last = float(step())
    gc.collect()
    assert last < first  # it trained
    assert _rss_mb() - before < 8, (before, _rss_mb())


def test_double_backprop_loops_do_not_grow():
    # 250,000 float32 elements: 1 MB per array, so a graph kept per iteration would add tens of MB.
    rng = numpy.random.RandomState(1)
    x = chainerx.array(rng.rand(500, 500).astype(numpy.float32)).require_grad()

    def iteration():
        y = chainerx.tanh(x).require_grad()  # Chainer marks intermediates so
        loss = chainerx.sum(y * y)
        loss.backward(enable_double_backprop=True)
        gx = x.grad
        x.cleargrad()
        penalty = chainerx.sum(gx * gx)  # a gradient penalty: differentiate the gradient
        penalty.backward()
        x.cleargrad()

    for _ in range(20):
        iteration()
    gc.collect()
    before = _rss_mb()
    for _ in range(200):
        iteration()
    gc.collect()
    assert _rss_mb() - before < 16, (before, _rss_mb())
