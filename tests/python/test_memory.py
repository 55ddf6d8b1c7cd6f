"""Memory stays flat over long training: 10,000 small SGD steps, and double-backprop loops (a gradient penalty,
with intermediates that require grad as Chainer marks them). A leak of one graph per step shows within these
bounds: the double-backprop arrays hold 1 MB each."""
import gc
import os
import subprocess
import sys
import weakref

import numpy
import pytest

import chainerx

pytestmark = pytest.mark.skipif(not os.path.exists('/proc/self/statm'), reason='reads RSS from /proc')
# Under AddressSanitizer (scripts/test-sanitizers.sh) freed memory waits in a quarantine and the
# shadow memory takes address space: RSS and address-space limits say nothing there.
_measures_memory = pytest.mark.skipif('libasan' in os.environ.get('LD_PRELOAD', ''),
                                      reason='RSS and address space under AddressSanitizer')


def _rss_mb():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20


@_measures_memory
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


@_measures_memory
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


def _square(x):
    return chainerx.matmul(x, x)


# Ops whose backward reads an input: each kept the input array itself, so a recorded gradient of a leaf
# (backward(enable_double_backprop=True)) held the leaf that holds the gradient, a cycle nothing freed.
_READS_INPUT = {
    'multiply': lambda x: x * x,
    'sin': chainerx.sin,
    'power': lambda x: x ** 3,
    'matmul': _square,
    'linear': lambda x: chainerx.linear(x, x, x[0]),
    'relu': lambda x: chainerx.relu(x) * x,
    'sigmoid': chainerx.sigmoid,
    'softmax': chainerx.softmax,
    'log_softmax': chainerx.log_softmax,
    'logsumexp': chainerx.logsumexp,
    'softmax_cross_entropy': lambda x: chainerx.softmax_cross_entropy(x, chainerx.array([0, 1, 2, 3])),
    'prod': chainerx.prod,
    'var': chainerx.var,
    'inv': lambda x: chainerx.linalg.inv(x + chainerx.eye(4, dtype='float64') * 4),
    'det': lambda x: chainerx.linalg.det(x + chainerx.eye(4, dtype='float64') * 4),
    'cholesky': lambda x: chainerx.linalg.cholesky(_square(x) + chainerx.eye(4, dtype='float64')),
}


def _leaf_on_numpy_memory():
    """A leaf whose memory is a NumPy array (zero-copy): the array's memory is freed exactly when the
    weak reference to the NumPy array dies."""
    memory = numpy.random.RandomState(2).rand(4, 4) * 0.5 + 0.25
    x = chainerx.asarray(memory).require_grad()
    assert x._debug_flat_data[0] == memory.flat[0]
    memory_ref = weakref.ref(memory)
    del memory
    return x, memory_ref


@pytest.mark.parametrize('name', sorted(_READS_INPUT))
def test_a_recorded_gradient_does_not_keep_its_array_alive(name):
    x, memory = _leaf_on_numpy_memory()
    loss = chainerx.sum(_READS_INPUT[name](x))
    loss.backward(enable_double_backprop=True)
    assert x.grad is not None and x.grad.is_backprop_required()
    del x, loss
    gc.collect()
    assert memory() is None, 'x and x.grad keep each other alive'


@pytest.mark.parametrize('how', ['grad_set_grad', 'assign_grad'])
def test_a_gradient_set_from_the_array_does_not_keep_it_alive(how):
    x, memory = _leaf_on_numpy_memory()
    if how == 'grad_set_grad':
        chainerx.grad([chainerx.sum(x * x)], [x], enable_double_backprop=True, set_grad=True)
    else:
        x.grad = x * x
    assert x.grad is not None
    del x
    gc.collect()
    assert memory() is None


def test_double_backprop_reaches_through_an_input_that_is_gone():
    # y = h * h with h = 2x: the backward of y keeps h; when h is gone, the gradient rebuilt from its
    # memory must still lead back to x through h's node.
    x = chainerx.array(numpy.array([1.0, -2.0, 3.0])).require_grad()
    h = x * 2
    y = h * h
    del h
    gx, = chainerx.grad([chainerx.sum(y)], [x], enable_double_backprop=True)
    numpy.testing.assert_allclose(chainerx.to_numpy(gx), [8.0, -16.0, 24.0])
    chainerx.sum(gx).backward()
    numpy.testing.assert_allclose(chainerx.to_numpy(x.grad), [8.0, 8.0, 8.0])


def test_a_kept_input_stays_protected_after_it_is_gone():
    # The backward keeps h's memory though h itself is gone: an in-place write through another view of
    # that memory is still refused.
    x = chainerx.array(numpy.array([1.0, 2.0])).require_grad()
    h = x * 1
    view = h.as_grad_stopped()
    y = h * h
    del h
    with pytest.raises(chainerx.ChainerxError, match='keeps for backward'):
        view += 1
    y.backward()
    numpy.testing.assert_allclose(chainerx.to_numpy(x.grad), [2.0, 4.0])


def test_the_native_cache_can_be_released():
    device = chainerx.get_device('native:0')
    device.release_cached()
    assert device.cached_bytes() == 0
    arrays = [chainerx.empty((2**20,), 'float32') for _ in range(4)]  # 4 MiB blocks, from the system
    del arrays
    assert device.cached_bytes() >= 4 * 2**22  # kept for reuse
    assert chainerx.get_device('native:1').cached_bytes() == device.cached_bytes()  # one cache
    device.release_cached()
    assert device.cached_bytes() == 0


_OUT_OF_MEMORY_SCRIPT = '''
import os, resource
import chainerx

def address_space():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[0]) * os.sysconf('SC_PAGE_SIZE')

device = chainerx.get_default_device()
float((chainerx.ones((2**22,), 'float32') * 2).sum())  # start the OpenMP threads (their stacks) first
blocks = [chainerx.empty((2**24,), 'float32') for _ in range(6)]  # 6 x 64 MiB
del blocks
assert device.cached_bytes() >= 6 * 2**26
# 64 MiB of room: a 128 MiB block fits only once the cache's 384 MiB (64 MiB blocks) go back to the system.
limit = address_space() + 64 * 2**20
resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
big = chainerx.ones((2**25,), 'float32')  # 128 MiB: only after the cache goes back to the system
assert float(big[-1]) == 1.0
assert device.cached_bytes() == 0
try:
    chainerx.empty((2**28,), 'float32')  # 1 GiB: beyond the limit even without a cache
except MemoryError:
    print('ok')
'''


@_measures_memory
@pytest.mark.skipif(not hasattr(os, 'fork') or os.uname().sysname != 'Linux', reason='RLIMIT_AS on Linux')
def test_out_of_memory_releases_the_cache_first():
    # In a subprocess: the address-space limit would hold for the rest of the suite.
    proc = subprocess.run([sys.executable, '-c', _OUT_OF_MEMORY_SCRIPT], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == 'ok', (proc.stdout, proc.stderr)
