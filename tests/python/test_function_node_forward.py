"""chainerx._core._function_node_forward, the hook through which Chainer 7 connects a FunctionNode that ran on
NumPy (its fallback) to chainerx's graph. Tested here against stand-ins that follow Chainer's contract
(chainer/function_node.py: _backward_chainerx and the retained arrays it leaves on the node); tests/chainer runs
the real Chainer."""
import gc
import os
import subprocess
import sys
import textwrap
import weakref

import numpy
import pytest

import chainerx


def _np(a):
    return chainerx.to_numpy(a)


class _Node:
    """What Chainer's FunctionNode offers the hook: _backward_chainerx, which stores the retained arrays on the
    node as Chainer does, and a backward written with differentiable chainerx routines."""
    _chainerx_retained_inputs = None
    _chainerx_retained_outputs = None

    def __init__(self, backward):
        self._backward = backward
        self.calls = []

    def _backward_chainerx(self, target_input_indexes, grad_outputs, retained_inputs, retained_outputs):
        self.calls.append(list(target_input_indexes))
        self._chainerx_retained_inputs = tuple(retained_inputs)
        self._chainerx_retained_outputs = tuple(retained_outputs)
        gxs = self._backward(grad_outputs, retained_inputs, retained_outputs)
        return [gxs[i] for i in target_input_indexes]


def _fallback_forward(node, inputs, compute, retain_inputs=(), retain_outputs=()):
    """Runs compute on NumPy views of the inputs, as Chainer's fallback does, and connects the outputs."""
    outputs = [chainerx.array(y) for y in compute(*[_np(x) for x in inputs])]
    chainerx._core._function_node_forward(node, inputs, outputs, list(retain_inputs), list(retain_outputs))
    return outputs


def _square(x):
    node = _Node(lambda gys, xs, ys: [2 * xs[0] * gys[0]])
    return _fallback_forward(node, [x], lambda a: [a * a], retain_inputs=[0])[0]


def _exp(x):
    node = _Node(lambda gys, xs, ys: [gys[0] * ys[0]])
    return _fallback_forward(node, [x], lambda a: [numpy.exp(a)], retain_outputs=[0])[0]


def test_backward_calls_the_node():
    x = chainerx.array([1.0, 2.0, -3.0]).require_grad()
    y = _square(x)
    assert y.is_backprop_required()
    y.backward()
    numpy.testing.assert_allclose(_np(x.grad), [2.0, 4.0, -6.0])


def test_only_inputs_in_the_graph_are_targets():
    x = chainerx.array([1.0, 2.0]).require_grad()
    c = chainerx.array([3.0, 4.0])  # a constant: no gradient asked for
    node = _Node(lambda gys, xs, ys: [gys[0] * xs[1], gys[0] * xs[0]])
    y, = _fallback_forward(node, [x, c], lambda a, b: [a * b], retain_inputs=[0, 1])
    y.backward()
    assert node.calls == [[0]]
    numpy.testing.assert_allclose(_np(x.grad), [3.0, 4.0])


def test_no_graph_records_nothing():
    node = _Node(lambda gys, xs, ys: pytest.fail('no backward expected'))
    y = _fallback_forward(node, [chainerx.array([1.0])], lambda a: [a + 1])[0]
    assert not y.is_backprop_required()


def test_gradients_match_numerical_ones_including_second_order():
    x = chainerx.array([0.5, -1.0, 2.0])
    gy = chainerx.array([1.0, 0.5, -2.0])
    ggx = chainerx.array([0.3, -0.7, 1.1])
    chainerx.check_backward(lambda xs: _square(*xs), [x], [gy], eps=1e-3)
    chainerx.check_double_backward(lambda xs: _square(*xs), [x], [gy], [ggx], eps=1e-3)
    chainerx.check_double_backward(lambda xs: _exp(*xs), [x], [gy], [ggx], eps=1e-3, rtol=1e-3)


def test_retained_output_reconnects_after_the_output_is_gone():
    # The exp node keeps its output for backward; the output array itself is dropped before backward.
    # Its second derivative (exp) needs the retained output to still be on the graph.
    x = chainerx.array([0.0, 1.0]).require_grad()
    total = chainerx.sum(_exp(x))
    gx, = chainerx.grad([total], [x], enable_double_backprop=True)
    numpy.testing.assert_allclose(_np(gx), numpy.exp([0.0, 1.0]), rtol=1e-12)
    ggx, = chainerx.grad([chainerx.sum(gx)], [x])
    numpy.testing.assert_allclose(_np(ggx), numpy.exp([0.0, 1.0]), rtol=1e-12)


def test_non_float_outputs_get_none_gradients():
    x = chainerx.array([1.0, 5.0, 3.0]).require_grad()
    seen = []

    def backward(gys, xs, ys):
        seen.append([g is None for g in gys])
        return [gys[0] * 1.0]

    node = _Node(backward)
    y, idx = _fallback_forward(node, [x], lambda a: [a.copy(), numpy.argsort(a)])
    assert y.is_backprop_required() and not idx.is_backprop_required()
    y.backward()
    assert seen == [[False, True]]
    numpy.testing.assert_allclose(_np(x.grad), [1.0, 1.0, 1.0])


def test_the_node_is_released_with_the_graph():
    # After backward, Chainer leaves the retained arrays on the node; the hook drops them, since they hold the
    # outputs whose graph holds the node (a cycle through C++ that gc cannot see).
    x = chainerx.array([1.0, 2.0]).require_grad()
    node = _Node(lambda gys, xs, ys: [gys[0] * ys[0]])
    ref = weakref.ref(node)
    y, = _fallback_forward(node, [x], lambda a: [numpy.exp(a)], retain_outputs=[0])
    y.backward()
    assert node._chainerx_retained_outputs is None and node._chainerx_retained_inputs is None
    del node, y
    gc.collect()
    assert ref() is None


def test_an_output_stored_on_its_node_is_collected():
    # node -> y (a Python attribute) -> y's graph -> the recorded op -> node: a cycle through C++ that the
    # cycle collector sees because ndarray's traversal visits the node the op owns.
    x = chainerx.array([1.0, 2.0]).require_grad()
    refs = []
    for retain_outputs in ([], [0]):
        node = _Node(lambda gys, xs, ys: [gys[0] * ys[0]])
        y, = _fallback_forward(node, [x], lambda a: [numpy.exp(a)], retain_outputs=retain_outputs)
        node.output = y
        refs.append((weakref.ref(node), weakref.ref(y)))
        del node, y
    gc.collect()
    assert [(n(), y()) for n, y in refs] == [(None, None)] * 2


def test_a_shared_output_keeps_its_node():
    # While another array shares y's graph (here a consumer's op holds y's node), the collector must not free
    # the node: the traversal follows only what y alone owns.
    x = chainerx.array([1.0, 2.0]).require_grad()
    node = _Node(lambda gys, xs, ys: [gys[0] * ys[0]])
    y, = _fallback_forward(node, [x], lambda a: [numpy.exp(a)], retain_outputs=[0])
    node.output = y
    z = y * 3
    ref, calls = weakref.ref(node), node.calls
    del node, y
    gc.collect()
    assert ref() is not None
    chainerx.sum(z).backward()
    numpy.testing.assert_allclose(_np(x.grad), 3 * numpy.exp([1.0, 2.0]), rtol=1e-6)
    assert calls == [[0]]
    del z
    gc.collect()
    assert ref() is None


def test_no_instance_leaks_at_exit():
    # nanobind reports the chainerx objects still alive when the interpreter exits; a cycle through an op's
    # node used to be one of them.
    code = textwrap.dedent('''
        import numpy, chainerx
        from test_function_node_forward import _Node, _fallback_forward
        x = chainerx.array([1.0, 2.0]).require_grad()
        node = _Node(lambda gys, xs, ys: [gys[0] * ys[0]])
        node.output, = _fallback_forward(node, [x], lambda a: [numpy.exp(a)], retain_outputs=[0])
        del node, x
    ''')
    result = subprocess.run([sys.executable, '-c', code], cwd=os.path.dirname(__file__), capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert 'leak' not in result.stderr, result.stderr


def test_bad_arguments():
    x = chainerx.array([1.0]).require_grad()
    node = _Node(lambda gys, xs, ys: gys)
    y = chainerx.array([1.0])
    with pytest.raises(IndexError):
        chainerx._core._function_node_forward(node, [x], [y], [1], [])
    with pytest.raises(IndexError):
        chainerx._core._function_node_forward(node, [x], [y], [], [-1])
    with pytest.raises(TypeError):
        chainerx._core._function_node_forward(node, [numpy.ones(1)], [y], [], [])
    with pytest.raises(chainerx.ChainerxError):
        chainerx._core._function_node_forward(node, [x], [x * 2], [], [])  # already in a graph


def test_errors_in_the_node_propagate():
    x = chainerx.array([1.0]).require_grad()

    def backward(gys, xs, ys):
        raise ZeroDivisionError('from the node')

    y, = _fallback_forward(_Node(backward), [x], lambda a: [a * 2])
    with pytest.raises(ZeroDivisionError, match='from the node'):
        y.backward()


def test_double_backprop_through_intermediates_that_require_grad_frees_the_graph():
    # Chainer marks every intermediate output as requiring grad. With double backprop, the gradient of y in
    # y * y holds y itself; stored on y with its graph, it would keep y, its graph and the nodes alive forever.
    x = chainerx.array([0.5, -1.0]).require_grad()
    refs = []
    for _ in range(3):
        node = _Node(lambda gys, xs, ys: [gys[0] * ys[0]])
        refs.append(weakref.ref(node))
        y, = _fallback_forward(node, [x], lambda a: [numpy.exp(a)], retain_outputs=[0])
        y.require_grad()
        z = chainerx.sum(y * y)
        z.backward(enable_double_backprop=True)
        numpy.testing.assert_allclose(_np(y.grad), 2 * numpy.exp([0.5, -1.0]))
        assert not y.grad.is_backprop_required()  # an intermediate's stored gradient is off the graph
        assert x.grad.is_backprop_required()  # a leaf's is not: it can be differentiated again
        x.cleargrad()
        del node, y, z
    gc.collect()
    assert [r() for r in refs] == [None] * 3


def test_a_node_returning_too_many_gradients_is_an_error():
    x = chainerx.array([1.0]).require_grad()
    node = _Node(lambda gys, xs, ys: [gys[0], gys[0]])
    node._backward_chainerx = lambda targets, gys, xs, ys: [gys[0], gys[0]]  # one target, two gradients
    y, = _fallback_forward(node, [x], lambda a: [a * 2])
    with pytest.raises(chainerx.ChainerxError, match='too many gradients'):
        y.backward()


def test_a_node_returning_a_non_array_gradient_is_a_type_error():
    x = chainerx.array([1.0]).require_grad()
    node = _Node(lambda gys, xs, ys: [numpy.ones(1)])
    y, = _fallback_forward(node, [x], lambda a: [a * 2])
    with pytest.raises(TypeError, match='_backward_chainerx'):
        y.backward()
