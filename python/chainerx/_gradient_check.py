"""Numerical gradient checks: check_backward and check_double_backward (ChainerX's signatures)."""
import numpy

from chainerx import _core


def _as_tuple(x):
    if isinstance(x, (tuple, list)):
        return tuple(x)
    return (x,)


def _numerical_grads(func, inputs, grad_outputs, eps):
    """Central differences of sum(func(inputs) * grad_outputs) with respect to each input."""
    hosts = [_core.to_numpy(x).astype(numpy.float64) for x in inputs]
    gys = [None if g is None else _core.to_numpy(g).astype(numpy.float64) for g in grad_outputs]

    def evaluate(values):
        xs = [_core.array(v.astype(x.dtype), device=x.device) for v, x in zip(values, inputs)]
        with _core.no_backprop_mode():
            ys = _as_tuple(func(*xs))
        total = 0.0
        for y, gy in zip(ys, gys):
            if y is None or gy is None:
                continue
            total += float((_core.to_numpy(y).astype(numpy.float64) * gy).sum())
        return total

    grads = []
    for i, host in enumerate(hosts):
        grad = numpy.zeros_like(host)
        for index in numpy.ndindex(*host.shape):
            original = host[index]
            host[index] = original + eps
            plus = evaluate(hosts)
            host[index] = original - eps
            minus = evaluate(hosts)
            host[index] = original
            grad[index] = (plus - minus) / (2 * eps)
        grads.append(grad)
    return grads


def check_backward(func, inputs, grad_outputs, eps=1e-3, atol=1e-5, rtol=1e-4, backprop_id=None):
    """Compares the gradients backward() computes for func with numerical ones.

    Raises chainerx.GradientCheckError when they differ beyond atol + rtol * |numerical|.
    """
    inputs = _as_tuple(inputs)
    grad_outputs = _as_tuple(grad_outputs) if grad_outputs is not None else None
    if backprop_id is None:
        with _core.backprop_scope('check_backward') as scope_id:
            return check_backward(func, inputs, grad_outputs, eps, atol, rtol, scope_id)
    xs = [x.as_grad_stopped(copy=True).require_grad(backprop_id) for x in inputs]
    ys = _as_tuple(func(*xs))
    if grad_outputs is None:
        grad_outputs = tuple(_core.ones_like(y) for y in ys)
    outputs, seeds = [], []
    for y, gy in zip(ys, grad_outputs):
        if y is not None and y.is_backprop_required(backprop_id):
            outputs.append(y)
            seeds.append(gy)
    analytical = _core.grad(outputs, xs, backprop_id, grad_outputs=seeds) if outputs else [None] * len(xs)
    numerical = _numerical_grads(func, inputs, grad_outputs, eps)
    for i, (a, n) in enumerate(zip(analytical, numerical)):
        a = numpy.zeros_like(n) if a is None else _core.to_numpy(a).astype(numpy.float64)
        if a.shape != n.shape or not numpy.allclose(a, n, atol=atol, rtol=rtol, equal_nan=True):
            raise _core.GradientCheckError(
                'check_backward: gradient of input {} differs from the numerical gradient\n'
                'analytical:\n{}\nnumerical:\n{}\n(atol={}, rtol={})'.format(i, a, n, atol, rtol))


def check_double_backward(func, inputs, grad_outputs, grad_grad_inputs, eps=1e-3, atol=1e-4, rtol=1e-3,
                          backprop_id=None):
    """check_backward on the first-order gradient of func, as a function of inputs and grad_outputs."""
    inputs = _as_tuple(inputs)
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)

    def first_order(*args):
        xs, gys = args[:n], args[n:]
        # A graph of its own for the first-order gradient; recording there stays on even inside
        # the numerical evaluation's no_backprop_mode, and the result is recorded on the outer graph.
        with _core.backprop_scope('check_double_backward_inner') as inner:
            with _core.force_backprop_mode(inner):
                for x in xs:
                    x.require_grad(inner)
                ys = _as_tuple(func(*xs))
                gxs = _core.grad(list(ys), list(xs), inner, enable_double_backprop=True, grad_outputs=list(gys))
        return tuple(gxs)

    check_backward(first_order, inputs + grad_outputs, _as_tuple(grad_grad_inputs), eps, atol, rtol, backprop_id)
