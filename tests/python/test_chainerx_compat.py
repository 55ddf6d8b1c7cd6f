"""Code written against ChainerX runs unchanged: the NumPy fallback (copysign and friends), and the argument
forms ChainerX accepts (check_backward's eps list, flip's axes, reshape's newshape, the backprop and device
queries, the _debug helpers, shifts of bools, integer connection ops, numpy.random.seed)."""
import numpy
import pytest

import chainerx
import chainerx.testing
from chainerx import _fallback


def _np(a):
    return chainerx.to_numpy(a)


# ---- the NumPy fallback ----

def test_copysign_as_chainer_gradient_check_uses_it():
    x = chainerx.array([1.0, -2.0, 3.0], 'float32')
    eps = chainerx.copysign(chainerx.array(1e-3, 'float32'), x)  # gradient_check: xp.copysign(eps, x)
    assert isinstance(eps, chainerx.ndarray) and eps.dtype == numpy.float32 and eps.shape == (3,)
    numpy.testing.assert_array_equal(_np(eps), numpy.copysign(numpy.float32(1e-3), _np(x)))
    numpy.testing.assert_array_equal(_np(chainerx.copysign(x, -1.0)), [-1, -2, -3])


@chainerx.testing.numpy_chainerx_array_equal()
@pytest.mark.parametrize('dtype', chainerx.testing.float_dtypes)
def test_copysign_matches_numpy(xp, dtype):
    a = xp.array([0.0, -0.0, 1.5, -2.5, numpy.inf], dtype)
    b = xp.array([-1.0, 1.0, -0.0, 2.0, -3.0], dtype)
    return xp.copysign(a, b)


def test_fallback_keeps_the_device():
    a = chainerx.array([1.0, -2.0], device='native:1')
    assert chainerx.copysign(a, 1.0).device is a.device
    assert chainerx.median(a).device is a.device
    with chainerx.using_device('native:2'):
        assert chainerx.copysign(1.0, -1.0).device is chainerx.get_device('native:2')  # no array: the default


def test_fallback_converts_nested_arguments_and_results():
    a = chainerx.array([[1, 2], [3, 4]], 'int32')
    b = chainerx.array([[5], [6]], 'int32')
    blocks = chainerx.block([[a, b]])  # arrays inside nested lists
    numpy.testing.assert_array_equal(_np(blocks), [[1, 2, 5], [3, 4, 6]])
    stacked = chainerx.column_stack((a[:, 0], a[:, 1]))  # a tuple
    numpy.testing.assert_array_equal(_np(stacked), [[1, 2], [3, 4]])
    mantissa, exponent = chainerx.frexp(chainerx.array([8.0, 0.5]))  # a tuple of results
    assert isinstance(mantissa, chainerx.ndarray) and isinstance(exponent, chainerx.ndarray)
    numpy.testing.assert_array_equal(_np(mantissa), [0.5, 0.5])
    numpy.testing.assert_array_equal(_np(exponent), [4, 0])
    median = chainerx.median(chainerx.array([3.0, 1.0, 2.0]))  # a NumPy scalar becomes a 0-d array
    assert isinstance(median, chainerx.ndarray) and median.shape == () and float(median) == 2.0
    assert chainerx.allclose(chainerx.array([1.0]), chainerx.array([1.0 + 1e-9])) is True  # Python values stay
    assert chainerx.array_equal(a, b) is False


def test_fallback_works_in_place_through_out():
    a = chainerx.array([1.0, 2.0])
    out = chainerx.zeros(2, 'float64')
    result = chainerx.copysign(a, -1.0, out=out)  # NumPy writes through a view of out's memory
    numpy.testing.assert_array_equal(_np(out), [-1.0, -2.0])
    numpy.testing.assert_array_equal(_np(result), [-1.0, -2.0])


def test_fallback_refuses_graph_connected_arrays():
    x = chainerx.array([1.0, -2.0]).require_grad()
    with pytest.raises(_fallback.FallbackBackpropError, match='graph'):
        chainerx.copysign(x, 1.0)
    with pytest.raises(RuntimeError):  # what ChainerX's fallback raised
        chainerx.copysign(1.0, x)
    with pytest.raises(chainerx.ChainerxError):
        chainerx.block([[x]])
    y = chainerx.copysign(x.as_grad_stopped(), 1.0)  # explicitly off the graph: fine
    numpy.testing.assert_array_equal(_np(y), [1.0, 2.0])
    with chainerx.no_backprop_mode():
        assert not chainerx.copysign(x, 1.0).is_backprop_required()
    with chainerx.backprop_scope('other') as other:
        z = chainerx.array([1.0]).require_grad(other)
        with pytest.raises(_fallback.FallbackBackpropError):
            chainerx.copysign(z, 1.0)  # part of any graph, not only the default one


@pytest.mark.parametrize('name', _fallback.NAMES)
def test_fallback_functions_are_installed(name):
    if not hasattr(numpy, name):
        pytest.skip('numpy {} has no {} (numpy 2 names it so)'.format(numpy.__version__, name))
    func = getattr(chainerx, name)
    assert func.__wrapped__ is getattr(numpy, name)  # a fallback, not a native routine that shadowed it
    assert func.__doc__.startswith('NumPy fallback, no backprop')
    assert func.__module__ == 'chainerx' and func.__name__ == name


def test_chainerx_s_other_fallbacks_are_native():
    # ChainerX provided fix and broadcast_arrays through its fallback; here they are native (with backprop).
    for name in ('fix', 'broadcast_arrays'):
        assert not hasattr(getattr(chainerx, name), '__wrapped__')
    x = chainerx.array([-1.5, 2.5]).require_grad()
    a, b = chainerx.broadcast_arrays(x, chainerx.ones((2, 2), 'float64'))
    assert a.shape == (2, 2) and a.is_backprop_required()
    numpy.testing.assert_array_equal(_np(chainerx.fix(x)), [-1.0, 2.0])


def test_no_blanket_fallback():
    assert not hasattr(chainerx, 'copysgn')
    assert not hasattr(chainerx, 'unwrap')  # NumPy has it; chainerx does not route everything through NumPy


# ---- check_backward / check_double_backward: ChainerX's eps, one array per input ----

def test_check_backward_eps_per_input():
    x = chainerx.array([1.0, 2.0, 3.0])
    w = chainerx.array([0.5, -1.0, 2.0])
    gy = chainerx.ones((3,), 'float64')
    eps = [chainerx.full((3,), 1e-3, 'float64'), chainerx.full((3,), 1e-4, 'float64')]
    chainerx.check_backward(lambda xs: xs[0] * xs[1] * xs[0], (x, w), (gy,), eps, atol=1e-5, rtol=1e-4)
    chainerx.check_backward(lambda xs: xs[0] * xs[1], (x, w), (gy,), eps, 1e-5, 1e-4)  # ChainerX's positional form
    chainerx.check_backward(lambda xs: xs[0] * xs[1], (x, w), (gy,), eps=[chainerx.array(1e-3), 1e-3])  # a step each
    chainerx.check_backward(lambda xs: xs[0] * xs[1], (x, w), (gy,), eps=1e-3)  # one float for all
    chainerx.check_backward(lambda xs: xs[0] * xs[1], (x, w), (gy,))  # the defaults


def test_check_backward_eps_errors():
    x = chainerx.array([1.0, 2.0, 3.0])
    gy = chainerx.ones((3,), 'float64')
    with pytest.raises(chainerx.DimensionError):
        chainerx.check_backward(lambda xs: xs[0] * xs[0], (x,), (gy,), [chainerx.full((3,), 1e-3, 'float64')] * 2)
    with pytest.raises(chainerx.DimensionError):
        chainerx.check_backward(lambda xs: xs[0] * xs[0], (x,), (gy,), [chainerx.full((2,), 1e-3, 'float64')])
    with pytest.raises(chainerx.GradientCheckError):  # the per-input steps still check
        chainerx.check_backward(lambda xs: xs[0] * xs[0].as_grad_stopped(), (x,), (gy,),
                                [chainerx.full((3,), 1e-3, 'float64')], atol=1e-6, rtol=1e-6)


def test_check_double_backward_eps_per_input_and_output_gradient():
    x = chainerx.array([1.0, 2.0, 3.0])
    gy = chainerx.ones((3,), 'float64')
    ggx = chainerx.ones((3,), 'float64')
    eps = (chainerx.full((3,), 1e-3, 'float64'), chainerx.full((3,), 1e-3, 'float64'))  # x, then gy
    chainerx.check_double_backward(lambda xs: xs[0] * xs[0] * xs[0], (x,), (gy,), (ggx,), eps, 1e-4, 1e-3)
    with pytest.raises(chainerx.DimensionError):
        chainerx.check_double_backward(lambda xs: xs[0] * xs[0] * xs[0], (x,), (gy,), (ggx,), eps[:1], 1e-4, 1e-3)


# ---- manipulation keywords ----

def test_flip_axes_and_axis_keywords():
    a = chainerx.arange(6).reshape(2, 3)
    expected = numpy.flip(numpy.arange(6).reshape(2, 3), 1)
    for result in (chainerx.flip(a, 1), chainerx.flip(a, axes=1), chainerx.flip(a, axis=1),
                   chainerx.flip(m=a, axes=(1,))):
        numpy.testing.assert_array_equal(_np(result), expected)
    numpy.testing.assert_array_equal(_np(chainerx.flip(a)), numpy.arange(6).reshape(2, 3)[::-1, ::-1])
    with pytest.raises(TypeError):
        chainerx.flip(a, axes=0, axis=1)


def test_reshape_newshape_keyword():
    a = chainerx.arange(6)
    for result in (chainerx.reshape(a, newshape=(2, 3)), chainerx.reshape(a, (2, 3)), chainerx.reshape(a, 2, 3),
                   chainerx.reshape(a, newshape=[2, -1]), chainerx.reshape(a=a, newshape=(2, 3))):
        assert result.shape == (2, 3)
    assert chainerx.reshape(a, 6).shape == (6,)
    assert chainerx.reshape(chainerx.array(1.0), ()).shape == ()


# ---- backprop and device queries in every ChainerX form ----

def test_is_backprop_required_forms():
    assert chainerx.is_backprop_required()
    assert chainerx.is_backprop_required(None)
    ctx = chainerx.get_default_context()
    assert chainerx.is_backprop_required(ctx)
    assert chainerx.is_backprop_required(context=ctx)
    with chainerx.backprop_scope('bp') as bp:
        assert chainerx.is_backprop_required(bp)
        assert chainerx.is_backprop_required(backprop_id=bp)
        with chainerx.no_backprop_mode(bp):
            assert not chainerx.is_backprop_required(bp)
            assert chainerx.is_backprop_required()
        x = chainerx.array([1.0]).require_grad(bp)
        assert x.is_backprop_required(bp)
        assert not x.is_backprop_required()
        assert x.is_backprop_required(chainerx.anygraph)
        assert x.is_backprop_required(backprop_id=chainerx.anygraph)
    with chainerx.no_backprop_mode():
        assert not chainerx.is_backprop_required(context=ctx)
    with pytest.raises(TypeError):
        chainerx.is_backprop_required(ctx, context=ctx)


def test_set_global_default_context():
    original = chainerx.get_global_default_context()
    ctx = chainerx.Context()
    try:
        chainerx.set_global_default_context(ctx)
        assert chainerx.get_global_default_context() is ctx
        chainerx.set_global_default_context(context=original)
    finally:
        chainerx.set_global_default_context(original)
    assert chainerx.get_global_default_context() is original


def test_get_device_forms():
    native1 = chainerx.get_device('native:1')
    assert chainerx.get_device('native', 1) is native1
    assert chainerx.get_device('native', index=1) is native1
    assert chainerx.get_device(native1) is native1
    assert chainerx.get_device(device=native1) is native1
    assert chainerx.get_device('native') is chainerx.get_device('native:0')
    assert chainerx.get_device('native:0', None) is chainerx.get_device('native:0')
    with pytest.raises(chainerx.DeviceError):
        chainerx.get_device('native:9')


# ---- private debugging helpers ChainerX's tests use ----

def test_debug_flat_data():
    a = chainerx.arange(6, dtype='float32').reshape(2, 3)
    assert a._debug_flat_data == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert a.T._debug_flat_data == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]  # logical order, not memory order
    assert chainerx.array([True, False])._debug_flat_data == [True, False]
    assert chainerx.array(7, 'int8')._debug_flat_data == [7]


def test_debug_dump_computational_graph(capsys):
    x = chainerx.array([1.0, 2.0]).require_grad()
    y = chainerx.exp(x * x) + x
    y._debug_dump_computational_graph()
    text = capsys.readouterr().out
    assert 'Op<add' in text and 'Op<multiply' in text and 'Op<exp' in text
    assert 'grad_required' in text
    with chainerx.backprop_scope('other') as other:
        y._debug_dump_computational_graph(other)
        assert 'not in graph' in capsys.readouterr().out


# ---- dtype forms ChainerX accepts ----

@chainerx.testing.numpy_chainerx_array_equal()
@pytest.mark.parametrize('op', ['left_shift', 'right_shift'])
def test_shift_bool(xp, op):
    a = xp.array([True, False, True])
    b = xp.array([True, True, False])
    return getattr(xp, op)(a, b)


def test_shift_bool_with_ints():
    a = chainerx.array([True, False])
    result = chainerx.left_shift(a, chainerx.array([2, 2], 'int16'))
    assert result.dtype == numpy.int16
    numpy.testing.assert_array_equal(_np(result), [4, 0])


@pytest.mark.parametrize('dtype', ['int8', 'int32', 'int64', 'uint8'])
def test_conv_integer_inputs(dtype):
    rng = numpy.random.RandomState(0)
    x = rng.randint(0, 4, (2, 3, 5, 5)).astype(dtype)
    w = rng.randint(0, 3, (4, 3, 3, 3)).astype(dtype)
    b = rng.randint(0, 3, (4,)).astype(dtype)
    y = chainerx.conv(chainerx.array(x), chainerx.array(w), chainerx.array(b), stride=1, pad=1)
    expected = chainerx.conv(chainerx.array(x, 'float64'), chainerx.array(w, 'float64'),
                             chainerx.array(b, 'float64'), stride=1, pad=1)
    assert y.dtype == numpy.dtype(dtype)
    numpy.testing.assert_array_equal(_np(y), _np(expected).astype(dtype))
    yt = chainerx.conv_transpose(chainerx.array(x), chainerx.array(w.transpose(1, 0, 2, 3)), stride=2)
    expected_t = chainerx.conv_transpose(chainerx.array(x, 'float64'),
                                         chainerx.array(w.transpose(1, 0, 2, 3), 'float64'), stride=2)
    assert yt.dtype == numpy.dtype(dtype)
    numpy.testing.assert_array_equal(_np(yt), _np(expected_t).astype(dtype))


def test_conv_bool_and_mixed_inputs():
    x = chainerx.array(numpy.eye(4, dtype=bool).reshape(1, 1, 4, 4))
    w = chainerx.ones((1, 1, 2, 2), 'bool')
    y = chainerx.conv(x, w)
    assert y.dtype == numpy.bool_
    numpy.testing.assert_array_equal(_np(y)[0, 0], numpy.array([[1, 1, 0], [1, 1, 1], [0, 1, 1]], bool))
    wf = chainerx.ones((1, 1, 2, 2), 'float32').require_grad()
    y = chainerx.conv(chainerx.array(numpy.arange(16, dtype='int32').reshape(1, 1, 4, 4)), wf)
    assert y.dtype == numpy.float32  # float beats int
    y.backward()  # the float operand keeps its gradient
    assert wf.grad.shape == (1, 1, 2, 2)


@chainerx.testing.numpy_chainerx_array_equal()
@pytest.mark.parametrize('dtype', ['bool_', 'int8', 'int32', 'int64', 'uint8'])
def test_linear_integer_inputs(xp, dtype):
    x = numpy.arange(12).reshape(3, 4).astype(dtype)
    w = (numpy.arange(8).reshape(2, 4) % 3).astype(dtype)
    b = numpy.array([1, 0]).astype(dtype)
    if xp is numpy:
        y = x.dot(w.T) + b if dtype != 'bool_' else (x.dot(w.T) | b)
        return y.astype(dtype)
    return chainerx.linear(chainerx.array(x), chainerx.array(w), chainerx.array(b))


# ---- random: numpy.random.seed reproduces draws, as in ChainerX ----

@pytest.mark.parametrize('func', ['normal', 'uniform'])
def test_numpy_random_seed_reproduces_draws_until_chainerx_seed(func, monkeypatch):
    draw = getattr(chainerx.random, func)
    monkeypatch.setattr(chainerx.random, '_seeded', False)  # as in a process that never called random.seed
    numpy.random.seed(42)
    a, b = _np(draw(size=5)), _np(draw(size=(2, 3)))
    numpy.random.seed(42)
    numpy.testing.assert_array_equal(_np(draw(size=5)), a)
    numpy.testing.assert_array_equal(_np(draw(size=(2, 3))), b)
    numpy.random.seed(43)
    assert not numpy.array_equal(_np(draw(size=5)), a)
    chainerx.random.seed(1)  # from now on chainerx's seed alone decides
    c = _np(draw(size=5))
    numpy.random.seed(0)
    chainerx.random.seed(1)
    numpy.random.seed(99)
    numpy.testing.assert_array_equal(_np(draw(size=5)), c)
