import gc
import threading
import weakref

import numpy
import pytest

import chainerx
from chainerx.testing import assert_allclose

FLOAT_DTYPES = ['float16', 'float32', 'float64']
TOLERANCES = {'float16': dict(eps=2 ** -4, atol=5e-2, rtol=5e-2), 'float32': dict(eps=1e-3, atol=1e-3, rtol=1e-3),
              'float64': dict(eps=1e-6, atol=1e-6, rtol=1e-6)}
DOUBLE_TOLERANCES = {'float16': dict(eps=2 ** -4, atol=1e-1, rtol=1e-1),
                     'float32': dict(eps=1e-3, atol=1e-2, rtol=1e-2), 'float64': dict(eps=1e-6, atol=1e-5, rtol=1e-5)}


def random_array(shape, dtype, low=-1.0, high=1.0, seed=0):
    values = numpy.random.RandomState(seed).uniform(low, high, shape)
    return chainerx.array(values.astype(dtype))


# (name, function, input domain (low, high))
UNARY = [
    ('negative', chainerx.negative, (-1, 1)), ('square', chainerx.square, (-1, 1)),
    ('sqrt', chainerx.sqrt, (0.5, 2)), ('absolute', chainerx.absolute, (0.2, 1)),
    ('exp', chainerx.exp, (-1, 1)), ('expm1', chainerx.expm1, (-1, 1)), ('exp2', chainerx.exp2, (-1, 1)),
    ('log', chainerx.log, (0.5, 2)), ('log10', chainerx.log10, (0.5, 2)), ('log2', chainerx.log2, (0.5, 2)),
    ('log1p', chainerx.log1p, (0, 1)), ('erf', chainerx.erf, (-1, 1)), ('sin', chainerx.sin, (-1, 1)),
    ('cos', chainerx.cos, (-1, 1)), ('tan', chainerx.tan, (-1, 1)), ('arcsin', chainerx.arcsin, (-0.7, 0.7)),
    ('arccos', chainerx.arccos, (-0.7, 0.7)), ('arctan', chainerx.arctan, (-1, 1)),
    ('sinh', chainerx.sinh, (-1, 1)), ('cosh', chainerx.cosh, (-1, 1)), ('tanh', chainerx.tanh, (-1, 1)),
    ('arcsinh', chainerx.arcsinh, (-1, 1)), ('arccosh', chainerx.arccosh, (1.5, 3)),
    ('arctanh', chainerx.arctanh, (-0.7, 0.7)), ('reciprocal', chainerx.reciprocal, (0.5, 2)),
    ('fabs', chainerx.fabs, (0.2, 1)),
    ('reshape', lambda x: x.reshape(3, 2), (-1, 1)), ('transpose', lambda x: x.T, (-1, 1)),
    ('getitem', lambda x: x[:, ::-2], (-1, 1)), ('broadcast_to', lambda x: chainerx.broadcast_to(x, (4, 2, 3)), (-1, 1)),
    ('expand_dims', lambda x: chainerx.expand_dims(x, 1), (-1, 1)), ('copy', chainerx.copy, (-1, 1)),
    ('astype', lambda x: x.astype('float64') * 2, (-1, 1)),
    ('clip', lambda x: chainerx.clip(x, -0.5, 0.5), (-1, 1)),
    ('sum', lambda x: chainerx.sum(x), (-1, 1)), ('sum_axis', lambda x: x.sum(axis=1), (-1, 1)),
    ('sum_keepdims', lambda x: chainerx.sum(x, axis=0, keepdims=True), (-1, 1)),
    ('mean', lambda x: x.mean(axis=(0, 1)), (-1, 1)), ('mean_axis', lambda x: chainerx.mean(x, axis=-1), (-1, 1)),
    ('amax', lambda x: chainerx.amax(x, axis=1), (-1, 1)), ('amin', lambda x: x.min(), (-1, 1)),
    ('var', lambda x: chainerx.var(x, axis=1), (-1, 1)), ('std', lambda x: chainerx.std(x, axis=0), (-1, 1)),
]

BINARY = [
    ('add', chainerx.add, (-1, 1), (-1, 1)), ('subtract', chainerx.subtract, (-1, 1), (-1, 1)),
    ('multiply', chainerx.multiply, (-1, 1), (-1, 1)), ('true_divide', chainerx.true_divide, (-1, 1), (0.5, 2)),
    ('power', chainerx.power, (0.5, 2), (-1, 1)),
    # maximum/minimum: operands kept apart so that the numerical gradient does not straddle a tie
    ('maximum', chainerx.maximum, (0.2, 1), (-1, -0.2)), ('maximum_b', chainerx.maximum, (-1, -0.2), (0.2, 1)),
    ('minimum', chainerx.minimum, (0.2, 1), (-1, -0.2)), ('minimum_b', chainerx.minimum, (-1, -0.2), (0.2, 1)),
    ('arctan2', chainerx.arctan2, (-1, 1), (0.5, 2)),
    ('remainder', chainerx.remainder, (0.1, 0.9), (1.5, 2)), ('fmod', chainerx.fmod, (0.1, 0.9), (1.5, 2)),
    ('where', lambda a, b: chainerx.where(a > 0, a, b), (0.1, 1), (-1, 1)),
    ('where_b', lambda a, b: chainerx.where(a > 0, a, b), (-1, -0.1), (-1, 1)),
]


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('name,func,domain', UNARY, ids=[row[0] for row in UNARY])
def test_unary_gradients(name, func, domain, dtype):
    x = random_array((2, 3), dtype, *domain, seed=1)
    y = func(x)
    gy = random_array(y.shape, y.dtype, seed=2)
    chainerx.check_backward(lambda xs: func(*xs), (x,), (gy,), **TOLERANCES[dtype])
    if name in ('absolute', 'fabs', 'clip', 'negative', 'reshape', 'transpose', 'getitem', 'broadcast_to',
                'expand_dims', 'copy', 'astype', 'sum', 'sum_axis', 'sum_keepdims', 'mean', 'mean_axis', 'amax',
                'amin'):
        return  # piecewise linear: the second derivative is zero and checked by the linear rows below
    ggx = random_array(x.shape, dtype, seed=3)
    chainerx.check_double_backward(lambda xs: func(*xs), (x,), (gy,), (ggx,), **DOUBLE_TOLERANCES[dtype])


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('name,func,domain_a,domain_b', BINARY, ids=[row[0] for row in BINARY])
@pytest.mark.parametrize('shapes', [((2, 3), (2, 3)), ((2, 3), (3,)), ((1, 3), (2, 1)), ((), (2,))])
def test_binary_gradients(name, func, domain_a, domain_b, dtype, shapes):
    a = random_array(shapes[0], dtype, *domain_a, seed=1)
    b = random_array(shapes[1], dtype, *domain_b, seed=2)
    y = func(a, b)
    gy = random_array(y.shape, y.dtype, seed=3)
    chainerx.check_backward(lambda xs: func(*xs), (a, b), (gy,), **TOLERANCES[dtype])
    if name in ('maximum', 'maximum_b', 'minimum', 'minimum_b', 'remainder', 'fmod', 'where', 'where_b'):
        return
    gga, ggb = random_array(a.shape, dtype, seed=4), random_array(b.shape, dtype, seed=5)
    chainerx.check_double_backward(lambda xs: func(*xs), (a, b), (gy,), (gga, ggb), **DOUBLE_TOLERANCES[dtype])


def test_loss_of_a_small_network():
    x = random_array((4, 3), 'float64', seed=1)
    w = random_array((3, 2), 'float64', seed=2)

    def loss(x, w):
        h = chainerx.tanh((x.reshape(4, 3, 1) * w).sum(axis=1))
        return chainerx.mean(h * h)
    chainerx.check_backward(lambda xs: loss(*xs), (x, w), (chainerx.array(1.0, 'float64'),), eps=1e-6, atol=1e-6, rtol=1e-6)


def test_scalar_operands():
    x = random_array((3,), 'float64', seed=1)
    for func in (lambda v: v * 3, lambda v: 2 - v, lambda v: 2.0 / (v + 3), lambda v: v ** 2, lambda v: 1.5 ** v):
        chainerx.check_backward(lambda xs: func(*xs), (x,), (chainerx.ones((3,), 'float64'),), eps=1e-6, atol=1e-6, rtol=1e-6)


def test_mixed_dtypes_give_gradients_of_each_input_dtype():
    a = chainerx.ones((2,), 'float16').require_grad()
    b = chainerx.ones((2,), 'float32').require_grad()
    (a * b).backward()
    assert a.grad.dtype == numpy.float16 and b.grad.dtype == numpy.float32


def test_backward_accumulates_and_stores_only_required():
    x = chainerx.array([1.0, 2.0], 'float32').require_grad()
    h = x * x  # not requiring grad itself
    y = h + x
    y.backward()
    assert_allclose(x.grad, [3.0, 5.0])
    assert h.grad is None
    assert y.grad is None
    # A second backward accumulates.
    (x * 2).backward()
    assert_allclose(x.grad, [5.0, 7.0])
    x.cleargrad()
    assert x.grad is None


def test_grad_property_and_set_grad():
    x = chainerx.zeros((2,), 'float32').require_grad()
    x.grad = chainerx.ones((2,), 'float32')
    assert_allclose(x.get_grad(), [1, 1])
    x.grad = None
    assert x.grad is None
    with pytest.raises(chainerx.DimensionError):
        x.set_grad(chainerx.ones((3,), 'float32'))
    with pytest.raises(chainerx.DtypeError):
        x.set_grad(chainerx.ones((2,), 'float64'))


def test_require_grad_needs_float():
    with pytest.raises(chainerx.DtypeError):
        chainerx.zeros((2,), 'int32').require_grad()
    x = chainerx.zeros((2,), 'float32')
    assert x.require_grad() is x
    assert x.is_grad_required() and x.is_backprop_required() and x.is_backprop_required(chainerx.anygraph)
    assert not chainerx.zeros((1,)).is_backprop_required(chainerx.anygraph)


def test_repr_shows_backprop_ids():
    x = chainerx.array([1.0], 'float32').require_grad()
    assert repr(x) == "array([1.], shape=(1,), dtype=float32, device='native:0', backprop_ids=['<default>'])"


def test_loss_scale_and_seed():
    x = chainerx.array([1.0, 2.0], 'float64').require_grad()
    (x * 3).backward(loss_scale=2.0)
    assert_allclose(x.grad, [6.0, 6.0])
    # loss_scale multiplies given seeds too (an output's grad, grad_outputs).
    x.cleargrad()
    y = x * 3
    y.grad = chainerx.array([1.0, 10.0], 'float64')
    y.backward(loss_scale=2.0)
    assert_allclose(x.grad, [6.0, 60.0])
    gx, = chainerx.grad([x * 3], [x], grad_outputs=[chainerx.array([1.0, 10.0], 'float64')], loss_scale=0.5)
    assert_allclose(gx, [1.5, 15.0])


def test_multiple_graphs():
    with chainerx.backprop_scope('bp1') as bp1, chainerx.backprop_scope('bp2') as bp2:
        assert bp1.name == 'bp1' and bp1 != bp2
        x = chainerx.array([2.0], 'float64').require_grad(bp1).require_grad(bp2)
        y = x * x
        chainerx.backward(y, bp1)
        assert_allclose(x.get_grad(bp1), [4.0])
        assert x.get_grad(bp2) is None
        with chainerx.no_backprop_mode(bp1):
            z = x * 3
        assert not z.is_backprop_required(bp1) and z.is_backprop_required(bp2)
    with pytest.raises(chainerx.ContextError):
        x.get_grad(bp1)


def test_default_backprop_id_cannot_be_released():
    context = chainerx.get_default_context()
    with pytest.raises(chainerx.ContextError):
        with chainerx.backprop_scope('tmp') as tmp:
            default_id = tmp.context.make_backprop_id('x')
        context.release_backprop_id(default_id)
        context.release_backprop_id(default_id)


def test_modes():
    x = chainerx.ones((2,), 'float32').require_grad()
    assert chainerx.is_backprop_required()
    with chainerx.no_backprop_mode():
        assert not chainerx.is_backprop_required()
        y = x * 2
        with chainerx.force_backprop_mode():
            assert chainerx.is_backprop_required()
            z = x * 2
    assert not y.is_backprop_required()
    assert z.is_backprop_required()
    assert z._is_chained() and not x._is_chained()


def test_grad_function():
    x = chainerx.array([1.0, 2.0], 'float64').require_grad()
    w = chainerx.array([3.0], 'float64').require_grad()
    unreachable = chainerx.array([5.0], 'float64').require_grad()
    y = x * w
    gx, gu = chainerx.grad([y], [x, unreachable])
    assert_allclose(gx, [3.0, 3.0])
    assert gu is None
    assert x.grad is None  # grad() does not store unless set_grad
    gx, = chainerx.grad([y], [x], grad_outputs=[chainerx.array([1.0, 10.0], 'float64')], set_grad=True)
    assert_allclose(gx, [3.0, 30.0])
    assert_allclose(x.grad, [3.0, 30.0])
    with pytest.raises(chainerx.GradientError):
        chainerx.grad([y], [x], grad_outputs=[chainerx.ones((3,), 'float64')])


def test_grad_retain_grad_stores_every_gradient():
    x = chainerx.array([1.0, 2.0], 'float64').require_grad()
    h = x * 3
    y = (h * h).sum()
    gx, = chainerx.grad([y], [x], retain_grad=True)
    assert_allclose(gx, [18.0, 36.0])
    assert_allclose(h.grad, [6.0, 12.0])  # the intermediate array keeps its gradient
    assert_allclose(x.grad, [18.0, 36.0])
    gx, = chainerx.grad([y], [x])  # without retain_grad nothing new is stored
    assert_allclose(h.grad, [6.0, 12.0])


def test_double_backprop_through_grad():
    x = chainerx.array([0.5], 'float64').require_grad()
    gx, = chainerx.grad([x * x * x], [x], enable_double_backprop=True)
    ggx, = chainerx.grad([gx], [x])
    assert_allclose(ggx, [3.0])


def test_inplace_on_graph_arrays_is_refused():
    x = chainerx.ones((2,), 'float32').require_grad()
    with pytest.raises(chainerx.ChainerxError):
        x += 1
    y = x * 2
    with pytest.raises(chainerx.ChainerxError):
        y *= 2
    stopped = x.as_grad_stopped()
    with pytest.raises(chainerx.ChainerxError):
        stopped += 1  # x * 2 keeps x for backward: no view of its memory may be written
    y.backward()
    stopped += 1  # once backward has run, a grad-stopped view may be written
    assert_allclose(x, [2.0, 2.0])
    assert not stopped.is_backprop_required()


def test_inplace_on_arrays_kept_for_backward_is_refused():
    x = chainerx.full((3,), 3.0, 'float32')  # a constant, kept by x * w for w's gradient
    w = chainerx.ones((3,), 'float32').require_grad()
    y = x * w
    for write in (lambda: x.__iadd__(1), lambda: x.__setitem__(0, 1.0),
                  lambda: chainerx.copyto(x, chainerx.zeros((3,), 'float32')), lambda: x.sort()):
        with pytest.raises(chainerx.ChainerxError):
            write()
    assert_allclose(x, [3.0, 3.0, 3.0])  # nothing was half-written
    with pytest.raises(chainerx.ChainerxError):
        x.as_grad_stopped()[...] = 3.0  # nor through a view of the same memory
    y.backward()
    assert_allclose(w.grad, [3.0, 3.0, 3.0])
    del y
    x += 1  # the graph that kept x is gone
    z = x + w  # add keeps no input values, so x stays writable
    x += 1
    z.backward()
    assert_allclose(x, [5.0, 5.0, 5.0])


def test_as_grad_stopped_copy_and_ids():
    with chainerx.backprop_scope('other') as other:
        x = chainerx.ones((2,), 'float32').require_grad().require_grad(other)
        copied = x.as_grad_stopped(copy=True)
        assert copied.data_ptr != x.data_ptr and not copied.is_backprop_required(chainerx.anygraph)
        partial = x.as_grad_stopped([other])
        assert partial.is_backprop_required() and not partial.is_backprop_required(other)


def test_deep_chain():
    x = chainerx.array([1.0], 'float32').require_grad()
    y = x
    for _ in range(100000):
        y = y + 0.0
    y.backward()
    assert_allclose(x.grad, [1.0])
    del y  # freeing the 100,000-deep graph must not overflow the stack


def test_dropping_the_outputs_frees_the_graph():
    # The engine keeps no Python objects: once the user drops the outputs (and the gradients that
    # refer to them), every array of the computation is gone. The C++ suite checks the nodes.
    x = chainerx.array([0.5, 1.5], 'float32').require_grad()
    h = chainerx.exp(x)
    y = (h * x).sum()
    y.backward(enable_double_backprop=True)
    refs = [weakref.ref(a) for a in (h, y, x.grad)]
    del h, y
    x.cleargrad()
    gc.collect()
    assert [r() for r in refs] == [None, None, None]
    assert x.grad is None


def test_threads_build_separate_graphs():
    results = []

    def worker(value):
        x = chainerx.array([value], 'float64').require_grad()
        for _ in range(200):
            y = x * x
            y.backward()
        results.append(float(x.grad[0]) / 200)

    threads = [threading.Thread(target=worker, args=(v,)) for v in (1.0, 2.0)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [2.0, 4.0]


def test_backprop_mode_is_thread_local():
    seen = []
    with chainerx.no_backprop_mode():
        thread = threading.Thread(target=lambda: seen.append(chainerx.is_backprop_required()))
        thread.start()
        thread.join()
    assert seen == [True]


def test_check_backward_detects_wrong_gradients():
    x = random_array((3,), 'float64', seed=1)
    with pytest.raises(chainerx.GradientCheckError):
        chainerx.check_backward(lambda xs: xs[0] * xs[0].as_grad_stopped(), (x,), (chainerx.ones((3,), 'float64'),),
                                eps=1e-6)
