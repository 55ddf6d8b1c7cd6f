"""RNN routines (lstm, slstm, tree_lstm, n_step_*) against NumPy transcriptions of Chainer's equations."""
import numpy
import pytest

import chainerx

TOLERANCES = {'float16': dict(rtol=5e-3, atol=5e-3), 'float32': dict(rtol=1e-5, atol=1e-5),
              'float64': dict(rtol=1e-12, atol=1e-12)}
GRAD = dict(eps=1e-6, atol=1e-6, rtol=1e-6)
DOUBLE_GRAD = dict(eps=1e-6, atol=1e-5, rtol=1e-5)


def _rand(shape, seed, dtype='float64', scale=1.0):
    return (numpy.random.RandomState(seed).uniform(-1, 1, shape) * scale).astype(dtype)


def _chx(a):
    return chainerx.array(a)


def _np(a):
    return chainerx.to_numpy(a)


def _sigmoid(x):
    return 1 / (1 + numpy.exp(-x))


# ---- NumPy references (Chainer's documented equations) --------------------------------------------

def _lstm_ref(c, x):
    batch, units = x.shape[0], c.shape[1]
    r = x.reshape((batch, units, 4) + x.shape[2:])  # gate k of unit j at column 4j + k
    a, i, f, o = (r[:, :, k] for k in range(4))
    c_new = numpy.tanh(a) * _sigmoid(i) + _sigmoid(f) * c[:batch]
    h = _sigmoid(o) * numpy.tanh(c_new)
    return numpy.concatenate([c_new, c[batch:]]), h


def _slstm_ref(c1, c2, x1, x2):
    def gates(x):
        r = x.reshape((x.shape[0], c1.shape[1], 4) + x.shape[2:])
        return [r[:, :, k] for k in range(4)]
    a1, i1, f1, o1 = gates(x1)
    a2, i2, f2, o2 = gates(x2)
    c = (numpy.tanh(a1) * _sigmoid(i1) + numpy.tanh(a2) * _sigmoid(i2) + _sigmoid(f1) * c1 + _sigmoid(f2) * c2)
    return c, _sigmoid(o1 + o2) * numpy.tanh(c)


def _tree_lstm_ref(*cs_and_x):
    cs, x = cs_and_x[:-1], cs_and_x[-1]
    n = len(cs)
    r = x.reshape((x.shape[0], 3 + n, cs[0].shape[1]) + x.shape[2:])  # blocks a, i, o, f1..fn
    c = numpy.tanh(r[:, 0]) * _sigmoid(r[:, 1])
    for k in range(n):
        c = c + _sigmoid(r[:, 3 + k]) * cs[k]
    return c, _sigmoid(r[:, 2]) * numpy.tanh(c)


def _lin(w, x, b):
    return x @ w.T + b


def _lstm_step(x, h, c, w, b):
    i = _sigmoid(_lin(w[0], x, b[0]) + _lin(w[4], h, b[4]))
    f = _sigmoid(_lin(w[1], x, b[1]) + _lin(w[5], h, b[5]))
    # Chainer (and ChainerX, cuDNN) compute the cell input from W2/W6 and the output gate from W3/W7.
    a = numpy.tanh(_lin(w[2], x, b[2]) + _lin(w[6], h, b[6]))
    o = _sigmoid(_lin(w[3], x, b[3]) + _lin(w[7], h, b[7]))
    c = f * c + i * a
    return o * numpy.tanh(c), c


def _gru_step(x, h, c, w, b):
    r = _sigmoid(_lin(w[0], x, b[0]) + _lin(w[3], h, b[3]))
    z = _sigmoid(_lin(w[1], x, b[1]) + _lin(w[4], h, b[4]))
    n = numpy.tanh(_lin(w[2], x, b[2]) + r * _lin(w[5], h, b[5]))
    return (1 - z) * n + z * h, None


def _rnn_step(activation):
    def step(x, h, c, w, b):
        y = _lin(w[0], x, b[0]) + _lin(w[1], h, b[1])
        return (numpy.tanh(y) if activation == 'tanh' else numpy.maximum(y, 0)), None
    return step


def _direction_ref(step, xs, h, c, w, b, reverse):
    h, c = h.copy(), None if c is None else c.copy()
    ys = [None] * len(xs)
    for t in (reversed(range(len(xs))) if reverse else range(len(xs))):
        n = xs[t].shape[0]
        hn, cn = step(xs[t], h[:n], None if c is None else c[:n], w, b)
        h[:n] = hn
        if c is not None:
            c[:n] = cn
        ys[t] = hn
    return h, c, ys


def _n_step_ref(step, n_layers, dirs, hx, cx, ws, bs, xs):
    hy, cy = [], []
    for layer in range(n_layers):
        outs = []
        for d in range(dirs):
            idx = layer * dirs + d
            h, c, ys = _direction_ref(step, xs, hx[idx], None if cx is None else cx[idx], ws[idx], bs[idx], d == 1)
            hy.append(h)
            cy.append(c)
            outs.append(ys)
        xs = [numpy.concatenate([o[t] for o in outs], axis=1) for t in range(len(xs))]
    return numpy.stack(hy), (None if cx is None else numpy.stack(cy)), xs


# ---- single cells ----------------------------------------------------------------------------------

@pytest.mark.parametrize('dtype', ['float16', 'float32', 'float64'])
@pytest.mark.parametrize('c_shape,x_shape', [
    ((3, 2), (3, 8)),
    ((4, 3), (2, 12)),        # x batch smaller: the other rows of c pass through
    ((2, 2, 3), (2, 8, 3)),   # trailing axes
    ((0, 2), (0, 8)),
])
def test_lstm(dtype, c_shape, x_shape):
    c, x = _rand(c_shape, 1, dtype), _rand(x_shape, 2, dtype, 2.0)
    c_new, h = chainerx.lstm(_chx(c), _chx(x))
    c_ref, h_ref = _lstm_ref(c.astype('float64'), x.astype('float64'))
    assert c_new.dtype == numpy.dtype(dtype) and h.dtype == numpy.dtype(dtype)
    assert c_new.shape == c_ref.shape and h.shape == h_ref.shape
    numpy.testing.assert_allclose(_np(c_new), c_ref, **TOLERANCES[dtype])
    numpy.testing.assert_allclose(_np(h), h_ref, **TOLERANCES[dtype])


def test_lstm_gate_order():
    # One unit, gates a, i, f, o set to distinguishable values.
    c = numpy.array([[0.5]])
    x = numpy.array([[0.3, 100.0, -100.0, 100.0]])  # a = 0.3, i open, f closed, o open
    c_new, h = chainerx.lstm(_chx(c), _chx(x))
    numpy.testing.assert_allclose(_np(c_new), [[numpy.tanh(0.3)]], rtol=1e-12)
    numpy.testing.assert_allclose(_np(h), [[numpy.tanh(numpy.tanh(0.3))]], rtol=1e-12)


def test_lstm_non_contiguous():
    c = _rand((3, 4), 3)[:, ::2]
    x = _rand((8, 3), 4).T
    c_new, h = chainerx.lstm(_chx(c), _chx(x))
    c_ref, h_ref = _lstm_ref(c, x)
    numpy.testing.assert_allclose(_np(c_new), c_ref, rtol=1e-12)
    numpy.testing.assert_allclose(_np(h), h_ref, rtol=1e-12)


def test_lstm_gradients():
    c, x = _chx(_rand((3, 2), 5)), _chx(_rand((2, 8), 6))
    gc, gh = _chx(_rand((3, 2), 7)), _chx(_rand((2, 2), 8))
    ggc, ggx = _chx(_rand((3, 2), 9)), _chx(_rand((2, 8), 10))
    chainerx.check_backward(lambda xs: chainerx.lstm(*xs), (c, x), (gc, gh), **GRAD)
    chainerx.check_double_backward(lambda xs: chainerx.lstm(*xs), (c, x), (gc, gh), (ggc, ggx), **DOUBLE_GRAD)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_slstm(dtype):
    c1, c2 = _rand((3, 2), 1, dtype), _rand((3, 2), 2, dtype)
    x1, x2 = _rand((3, 8), 3, dtype, 2.0), _rand((3, 8), 4, dtype, 2.0)
    c, h = chainerx.slstm(_chx(c1), _chx(c2), _chx(x1), _chx(x2))
    c_ref, h_ref = _slstm_ref(c1, c2, x1, x2)
    numpy.testing.assert_allclose(_np(c), c_ref, **TOLERANCES[dtype])
    numpy.testing.assert_allclose(_np(h), h_ref, **TOLERANCES[dtype])


def test_slstm_gradients():
    inputs = tuple(_chx(_rand(s, k)) for k, s in enumerate([(2, 3), (2, 3), (2, 12), (2, 12)]))
    gy = (_chx(_rand((2, 3), 10)), _chx(_rand((2, 3), 11)))
    chainerx.check_backward(lambda xs: chainerx.slstm(*xs), inputs, gy, **GRAD)


@pytest.mark.parametrize('n', [1, 2, 3])
def test_tree_lstm(n):
    cs = [_rand((2, 3), k) for k in range(n)]
    x = _rand((2, (3 + n) * 3), 9, scale=2.0)
    c, h = chainerx.tree_lstm(*[_chx(a) for a in cs + [x]])
    c_ref, h_ref = _tree_lstm_ref(*cs, x)
    numpy.testing.assert_allclose(_np(c), c_ref, rtol=1e-12)
    numpy.testing.assert_allclose(_np(h), h_ref, rtol=1e-12)
    inputs = tuple(_chx(a) for a in cs + [x])
    gy = (_chx(_rand((2, 3), 20)), _chx(_rand((2, 3), 21)))
    chainerx.check_backward(lambda xs: chainerx.tree_lstm(*xs), inputs, gy, **GRAD)


def test_cell_errors():
    c, x = _chx(_rand((2, 3), 0)), _chx(_rand((2, 12), 1))
    with pytest.raises(chainerx.DimensionError):
        chainerx.lstm(c, _chx(_rand((2, 10), 1)))  # not 4 * units
    with pytest.raises(chainerx.DimensionError):
        chainerx.lstm(c, _chx(_rand((3, 12), 1)))  # x batch larger than c's
    with pytest.raises(chainerx.DimensionError):
        chainerx.lstm(_chx(_rand((3,), 0)), x)
    with pytest.raises(chainerx.DtypeError):
        chainerx.lstm(chainerx.zeros((2, 3), 'int32'), chainerx.zeros((2, 12), 'int32'))
    with pytest.raises(chainerx.DtypeError):
        chainerx.lstm(c.astype('float32'), x)
    with pytest.raises(chainerx.DimensionError):
        chainerx.slstm(c, c, x, _chx(_rand((3, 12), 1)))
    with pytest.raises(chainerx.DimensionError):
        chainerx.slstm(c, c, _chx(_rand((3, 12), 1)), _chx(_rand((3, 12), 1)))  # batch differs from c
    with pytest.raises(chainerx.DimensionError):
        chainerx.tree_lstm(x)
    with pytest.raises(chainerx.DimensionError):
        chainerx.tree_lstm(c, c, x)  # needs (3 + 2) * 3 columns


# ---- n_step networks -------------------------------------------------------------------------------

N_WEIGHTS = {'lstm': 8, 'gru': 6, 'rnn': 2}


def _params(kind, n_layers, dirs, in_size, units, batches, dtype='float64', seed=0):
    rs = numpy.random.RandomState(seed)
    nw = N_WEIGHTS[kind]
    ws, bs = [], []
    for layer in range(n_layers):
        for _ in range(dirs):
            layer_in = in_size if layer == 0 else dirs * units
            ws.append([(rs.uniform(-1, 1, (units, layer_in if j < nw // 2 else units)) * 0.7).astype(dtype)
                       for j in range(nw)])
            bs.append([rs.uniform(-0.5, 0.5, (units,)).astype(dtype) for _ in range(nw)])
    xs = [rs.uniform(-1, 1, (b, in_size)).astype(dtype) for b in batches]
    hx = rs.uniform(-1, 1, (n_layers * dirs, batches[0], units)).astype(dtype)
    cx = rs.uniform(-1, 1, hx.shape).astype(dtype) if kind == 'lstm' else None
    return hx, cx, ws, bs, xs


def _call(name, n_layers, hx, cx, ws, bs, xs, activation=None):
    """Calls chainerx.<name> with chainerx arrays (positionally) and returns NumPy (hy, cy, ys)."""
    args = [n_layers, hx] + ([cx] if cx is not None else []) + [ws, bs, xs]
    if activation is not None:
        args.append(activation)
    out = getattr(chainerx, name)(*args)
    if cx is not None:
        hy, cy, ys = out
        return hy, cy, ys
    hy, ys = out
    return hy, None, ys


def _to_chx(hx, cx, ws, bs, xs):
    return (_chx(hx), None if cx is None else _chx(cx), [[_chx(w) for w in l] for l in ws],
            [[_chx(b) for b in l] for l in bs], [_chx(x) for x in xs])


CASES = [
    # name, kind, activation, dirs, n_layers, batches
    ('n_step_lstm', 'lstm', None, 1, 1, [3]),
    ('n_step_lstm', 'lstm', None, 1, 2, [3, 3, 2, 1]),
    ('n_step_bilstm', 'lstm', None, 2, 2, [3, 2, 2, 1]),
    ('n_step_bilstm', 'lstm', None, 2, 1, [3, 1, 0]),     # a step with an empty batch
    ('n_step_gru', 'gru', None, 1, 3, [4, 2, 2]),
    ('n_step_bigru', 'gru', None, 2, 2, [3, 3, 1]),
    ('n_step_rnn', 'rnn', 'tanh', 1, 2, [3, 2, 1]),
    ('n_step_rnn', 'rnn', 'relu', 1, 1, [2, 2]),
    ('n_step_birnn', 'rnn', 'tanh', 2, 1, [3, 1]),
    ('n_step_birnn', 'rnn', 'relu', 2, 2, [3, 3, 2]),
]


@pytest.mark.parametrize('name,kind,activation,dirs,n_layers,batches', CASES)
def test_n_step(name, kind, activation, dirs, n_layers, batches):
    in_size, units = 4, 3
    hx, cx, ws, bs, xs = _params(kind, n_layers, dirs, in_size, units, batches)
    step = {'lstm': _lstm_step, 'gru': _gru_step}.get(kind) or _rnn_step(activation)
    hy_ref, cy_ref, ys_ref = _n_step_ref(step, n_layers, dirs, hx, cx, ws, bs, xs)
    hy, cy, ys = _call(name, n_layers, *_to_chx(hx, cx, ws, bs, xs), activation=activation)
    assert isinstance(ys, list) and len(ys) == len(xs)
    numpy.testing.assert_allclose(_np(hy), hy_ref, rtol=1e-12, atol=1e-12)
    if cx is not None:
        numpy.testing.assert_allclose(_np(cy), cy_ref, rtol=1e-12, atol=1e-12)
    for y, y_ref in zip(ys, ys_ref):
        assert y.shape == y_ref.shape == (y_ref.shape[0], dirs * units)
        numpy.testing.assert_allclose(_np(y), y_ref, rtol=1e-12, atol=1e-12)


def test_n_step_lstm_float32():
    hx, cx, ws, bs, xs = _params('lstm', 2, 1, 4, 3, [3, 2], dtype='float32')
    hy_ref, cy_ref, ys_ref = _n_step_ref(_lstm_step, 2, 1, hx, cx, ws, bs, xs)
    hy, cy, ys = chainerx.n_step_lstm(2, *_to_chx(hx, cx, ws, bs, xs))
    assert hy.dtype == numpy.float32 and ys[0].dtype == numpy.float32
    numpy.testing.assert_allclose(_np(hy), hy_ref, rtol=1e-5, atol=1e-5)
    numpy.testing.assert_allclose(_np(cy), cy_ref, rtol=1e-5, atol=1e-5)


def test_n_step_hx_batch_larger_than_xs():
    # Rows of hx beyond the first step's batch never take part and come back unchanged.
    hx, cx, ws, bs, xs = _params('gru', 1, 2, 2, 2, [2, 1])
    hx = numpy.concatenate([hx, _rand((2, 1, 2), 3)], axis=1)
    hy, ys = chainerx.n_step_bigru(1, _chx(hx), [[_chx(w) for w in l] for l in ws],
                                   [[_chx(b) for b in l] for l in bs], [_chx(x) for x in xs])
    hy_ref, _, ys_ref = _n_step_ref(_gru_step, 1, 2, hx, None, ws, bs, xs)
    numpy.testing.assert_allclose(_np(hy), hy_ref, rtol=1e-12)
    numpy.testing.assert_array_equal(_np(hy)[:, 2], hx[:, 2])


@pytest.mark.parametrize('name,kind', [('n_step_bilstm', 'lstm'), ('n_step_gru', 'gru')])
def test_n_step_gradients(name, kind):
    n_layers, dirs = (2, 2) if kind == 'lstm' else (2, 1)
    hx, cx, ws, bs, xs = _params(kind, n_layers, dirs, 2, 2, [2, 1], seed=3)
    flat = [hx] + ([cx] if cx is not None else []) + [a for l in ws for a in l] + [a for l in bs for a in l] + xs
    nw, n_slots = N_WEIGHTS[kind], n_layers * dirs

    def func(*arrays):
        arrays = list(arrays)
        h = arrays.pop(0)
        c = arrays.pop(0) if cx is not None else None
        w = [arrays[i * nw:(i + 1) * nw] for i in range(n_slots)]
        b = [arrays[(n_slots + i) * nw:(n_slots + i + 1) * nw] for i in range(n_slots)]
        x = arrays[2 * n_slots * nw:]
        hy, cy, ys = _call(name, n_layers, h, c, w, b, x)
        return tuple([hy] + ([cy] if cy is not None else []) + list(ys))

    outputs = func(*[_chx(a) for a in flat])
    gys = tuple(_chx(_rand(o.shape, 100 + k)) for k, o in enumerate(outputs))
    chainerx.check_backward(lambda xs: func(*xs), tuple(_chx(a) for a in flat), gys, **GRAD)


def test_n_step_backward_reaches_all_inputs():
    hx, cx, ws, bs, xs = _params('lstm', 2, 2, 3, 2, [3, 2, 1])
    hx, cx, ws, bs, xs = _to_chx(hx, cx, ws, bs, xs)
    for a in [hx, cx] + [a for l in ws + bs for a in l] + xs:
        a.require_grad()
    hy, cy, ys = chainerx.n_step_bilstm(2, hx, cx, ws, bs, xs)
    loss = hy.sum() + cy.sum() + sum((y.sum() for y in ys[1:]), ys[0].sum())
    loss.backward()
    for a in [hx, cx] + [a for l in ws + bs for a in l] + xs:
        assert a.grad is not None and a.grad.shape == a.shape


def test_n_step_positional_only():
    hx, cx, ws, bs, xs = _to_chx(*_params('rnn', 1, 1, 2, 2, [1]))
    with pytest.raises(TypeError):
        chainerx.n_step_rnn(1, hx, ws, bs, xs=xs, activation='tanh')
    with pytest.raises(TypeError):
        chainerx.n_step_rnn(1, hx, ws, bs, xs)  # activation is required


def _bad(name, kind, mutate, dirs=1, n_layers=2, activation=None):
    hx, cx, ws, bs, xs = _params(kind, n_layers, dirs, 3, 2, [3, 2])
    args = dict(n_layers=n_layers, hx=hx, cx=cx, ws=ws, bs=bs, xs=xs)
    mutate(args)
    hx, cx, ws, bs, xs = _to_chx(args['hx'], args['cx'], args['ws'], args['bs'], args['xs'])
    return lambda: _call(name, args['n_layers'], hx, cx, ws, bs, xs, activation=activation)


def _set(key, value):
    return lambda a: a.__setitem__(key, value(a))


@pytest.mark.parametrize('name,kind,mutate,error', [
    ('n_step_lstm', 'lstm', _set('n_layers', lambda a: 3), chainerx.DimensionError),  # hx has 2 layers
    ('n_step_lstm', 'lstm', _set('n_layers', lambda a: 0), chainerx.DimensionError),
    ('n_step_lstm', 'lstm', _set('ws', lambda a: a['ws'][:1]), chainerx.DimensionError),
    ('n_step_lstm', 'lstm', _set('ws', lambda a: [a['ws'][0][:7], a['ws'][1]]), chainerx.DimensionError),
    ('n_step_lstm', 'lstm', _set('bs', lambda a: [a['bs'][0], a['bs'][1][:7]]), chainerx.DimensionError),
    ('n_step_lstm', 'lstm', _set('cx', lambda a: a['cx'][:, :2]), chainerx.DimensionError),
    ('n_step_lstm', 'lstm', _set('xs', lambda a: [a['xs'][1], a['xs'][0]]), chainerx.DimensionError),  # increasing
    ('n_step_lstm', 'lstm', _set('xs', lambda a: [x[:, :2] for x in a['xs']]), chainerx.DimensionError),
    ('n_step_lstm', 'lstm', _set('xs', lambda a: [x[None] for x in a['xs']]), chainerx.DimensionError),
    ('n_step_lstm', 'lstm', _set('xs', lambda a: []), chainerx.DimensionError),
    ('n_step_lstm', 'lstm', _set('hx', lambda a: a['hx'][:, :2]), chainerx.DimensionError),  # xs[0] batch > hx's
    ('n_step_gru', 'gru', _set('ws', lambda a: [a['ws'][0], [w[:1] for w in a['ws'][1]]]), chainerx.DimensionError),
    ('n_step_gru', 'gru', _set('bs', lambda a: [a['bs'][0], [b[:1] for b in a['bs'][1]]]), chainerx.DimensionError),
    ('n_step_gru', 'gru', _set('hx', lambda a: a['hx'].astype('float32')), chainerx.DtypeError),
    ('n_step_gru', 'gru', _set('xs', lambda a: [x.astype('int32') for x in a['xs']]), chainerx.DtypeError),
])
def test_n_step_errors(name, kind, mutate, error):
    with pytest.raises(error):
        _bad(name, kind, mutate)()


def test_n_step_bidirectional_weight_shapes():
    # Layers after the first take (N, 2N) input weights when bidirectional.
    def narrow(a):
        return [a['ws'][0], a['ws'][1], [w[:, :2] for w in a['ws'][2]], a['ws'][3]]
    with pytest.raises(chainerx.DimensionError):
        _bad('n_step_bigru', 'gru', _set('ws', narrow), dirs=2)()


def test_n_step_rnn_bad_activation():
    with pytest.raises(ValueError):
        _bad('n_step_rnn', 'rnn', lambda a: None, activation='sigmoid')()
