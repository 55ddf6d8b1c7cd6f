"""Linear algebra against NumPy: dot, matmul and the @ operators, ndarray.dot, tensordot, einsum, and
chainerx.linalg (solve, inv, det, slogdet, cholesky, eigh, eigvalsh, svd, pinv, qr, norm).

Values are compared with NumPy's product computed in a wide type and cast to chainerx's result
dtype (ChainerX promotion of the two operands; integers wrap around like NumPy's, bool is an or of
ands). Layouts cover transposed, strided, negative-stride and broadcast operands; results must have
NumPy's shape and strides. Gradients are checked numerically, to second order.
"""
import numpy
import pytest

import chainerx
import chainerx.linalg  # NOQA  (the submodule imports on its own)

ALL_DTYPES = ['bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'float16', 'float32', 'float64']
FLOAT_DTYPES = ['float16', 'float32', 'float64']


def _chx_result_type(a, b):
    """ChainerX's promotion of two array dtypes (float beats int without widening)."""
    a, b = numpy.dtype(a), numpy.dtype(b)
    if a == b:
        return a
    if a.kind == 'b':
        return b
    if b.kind == 'b':
        return a
    if a.kind == 'f' and b.kind == 'f':
        return max(a, b, key=lambda d: d.itemsize)
    if a.kind == 'f' or b.kind == 'f':
        return a if a.kind == 'f' else b
    if 'u' in (a.kind, b.kind):
        other = b if a.kind == 'u' else a
        return other if other.itemsize > 1 else numpy.dtype('int16')
    return max(a, b, key=lambda d: d.itemsize)


def _values(shape, dtype, seed):
    rng = numpy.random.default_rng(seed)
    dtype = numpy.dtype(dtype)
    if dtype.kind == 'b':
        return rng.random(shape) < 0.5
    if dtype.kind == 'f':
        return rng.uniform(-1, 1, shape).astype(dtype)
    lo = 0 if dtype.kind == 'u' else -5
    return rng.integers(lo, 6, shape).astype(dtype)


def _make(shape, dtype, layout='c', seed=0):
    """NumPy and chainerx arrays with the same values, shape and strides. Layouts: 'c' contiguous,
    't' transposed (last two axes), 's' step 2 on every axis, 'n' negative strides."""
    shape = tuple(shape)
    if layout == 't' and len(shape) >= 2:
        base_shape = shape[:-2] + (shape[-1], shape[-2])
    elif layout == 's':
        base_shape = tuple(2 * n for n in shape)
    else:
        base_shape = shape
    base = _values(base_shape, dtype, seed)

    def view(a):
        if layout == 't' and len(shape) >= 2:
            return a.swapaxes(-1, -2)
        if layout == 's':
            return a[(slice(None, None, 2),) * len(shape)]
        if layout == 'n':
            return a[(slice(None, None, -1),) * len(shape)]
        return a

    np_array, chx_array = view(base), view(chainerx.array(base))
    assert np_array.shape == shape and chx_array.strides == np_array.strides
    return np_array, chx_array


def _reference(func, a, b):
    """func computed by NumPy in a wide type, cast to chainerx's result dtype."""
    out_type = _chx_result_type(a.dtype, b.dtype)
    if out_type.kind == 'b':
        return func(a, b).astype(out_type), out_type
    wide = numpy.float64 if out_type.kind == 'f' else numpy.int64
    return numpy.asarray(func(a.astype(wide), b.astype(wide))).astype(out_type), out_type


def _check(actual, expected, dtype):
    assert isinstance(actual, chainerx.ndarray)
    assert actual.dtype == dtype, (actual.dtype, dtype)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    host = chainerx.to_numpy(actual)
    if actual.size > 0:
        assert actual.strides == numpy.array(expected, order='C').strides
    if dtype.kind == 'f':
        tol = {'float16': 2e-2, 'float32': 1e-5, 'float64': 1e-12}[dtype.name]
        numpy.testing.assert_allclose(host.astype(numpy.float64), expected.astype(numpy.float64), rtol=tol, atol=tol)
    else:
        numpy.testing.assert_array_equal(host, expected)


# ---- forward values --------------------------------------------------------------------------------

MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((1, 1), (1, 1)),
    ((5, 2, 3), (5, 3, 4)), ((5, 2, 3), (3, 4)), ((3,), (5, 3, 4)), ((5, 2, 3), (3,)),
    ((2, 1, 2, 3), (4, 3, 2)), ((1, 2, 3), (4, 3, 2)),
    ((0, 3), (3, 4)), ((2, 0), (0, 4)), ((2, 3), (3, 0)), ((0, 2, 3), (3, 4)), ((0,), (0,)), ((2, 0), (0,)),
]


@pytest.mark.parametrize('shapes', MATMUL_SHAPES)
@pytest.mark.parametrize('dtype', ['int32', 'float32', 'float64'])
def test_matmul_shapes(shapes, dtype):
    a, ca = _make(shapes[0], dtype, seed=1)
    b, cb = _make(shapes[1], dtype, seed=2)
    expected, out_type = _reference(numpy.matmul, a, b)
    _check(chainerx.matmul(ca, cb), expected, out_type)
    _check(ca @ cb, expected, out_type)


@pytest.mark.parametrize('dtype', ALL_DTYPES)
def test_matmul_dtypes(dtype):
    a, ca = _make((2, 4, 5), dtype, seed=1)
    b, cb = _make((5, 3), dtype, seed=2)
    expected, out_type = _reference(numpy.matmul, a, b)
    _check(chainerx.matmul(ca, cb), expected, out_type)


@pytest.mark.parametrize('dtypes', [('int8', 'uint8'), ('bool', 'int16'), ('int32', 'float16'), ('float16', 'float32'),
                                    ('float32', 'float64'), ('uint8', 'float64'), ('bool', 'float32')])
def test_matmul_mixed_dtypes(dtypes):
    a, ca = _make((3, 4), dtypes[0], seed=1)
    b, cb = _make((4, 2), dtypes[1], seed=2)
    expected, out_type = _reference(numpy.matmul, a, b)
    _check(chainerx.matmul(ca, cb), expected, out_type)
    _check(chainerx.dot(cb.T, ca.T), expected.T.copy(), out_type)


def test_matmul_int_wraps_around():
    a = numpy.full((2, 40), 100, numpy.int8)
    b = numpy.full((40, 3), 7, numpy.int8)
    expected = (a.astype(numpy.int64) @ b.astype(numpy.int64)).astype(numpy.int8)
    _check(chainerx.matmul(chainerx.array(a), chainerx.array(b)), expected, numpy.dtype('int8'))


def test_matmul_bool_is_or_of_ands():
    a = numpy.ones((2, 300), bool)
    b = numpy.ones((300, 2), bool)  # 300 true products: a sum in uint8 would wrap to 44, not 0
    _check(chainerx.matmul(chainerx.array(a), chainerx.array(b)), a @ b, numpy.dtype('bool'))


def test_matmul_nan_propagates():
    a = numpy.array([[0.0, 1.0]])
    b = numpy.array([[numpy.nan], [1.0]])
    out = chainerx.to_numpy(chainerx.matmul(chainerx.array(a), chainerx.array(b)))
    assert numpy.isnan(out[0, 0])
    ia = numpy.array([[0, 1]], numpy.int64)  # the integer kernel skips zeros of a
    assert chainerx.to_numpy(chainerx.matmul(chainerx.array(ia), chainerx.array(ia.T.copy())))[0, 0] == 1


@pytest.mark.parametrize('layout_a', ['c', 't', 's', 'n'])
@pytest.mark.parametrize('layout_b', ['c', 't', 's', 'n'])
@pytest.mark.parametrize('dtype', ['int16', 'float32', 'float64'])
def test_matmul_layouts(layout_a, layout_b, dtype):
    a, ca = _make((3, 5, 4), dtype, layout_a, seed=1)
    b, cb = _make((3, 4, 6), dtype, layout_b, seed=2)
    expected, out_type = _reference(numpy.matmul, a, b)
    _check(chainerx.matmul(ca, cb), expected, out_type)


@pytest.mark.parametrize('dtype', ['int32', 'float32'])
def test_matmul_broadcast_operands(dtype):
    a = _values((4, 3), dtype, 1)
    b = _values((3, 5), dtype, 2)
    ca = chainerx.broadcast_to(chainerx.array(a), (2, 4, 3))  # stride 0 on the batch axis
    cb = chainerx.broadcast_to(chainerx.array(b[:, :1]), (3, 5))  # stride 0 inside the matrix
    expected, out_type = _reference(numpy.matmul, numpy.broadcast_to(a, (2, 4, 3)),
                                    numpy.broadcast_to(b[:, :1], (3, 5)))
    _check(chainerx.matmul(ca, cb), expected, out_type)


def test_matmul_large_uses_threads_and_blas():
    a, ca = _make((300, 200), 'float32', 't', seed=1)
    b, cb = _make((200, 100), 'float32', seed=2)
    _check(ca @ cb, (a.astype(numpy.float64) @ b).astype(numpy.float32), numpy.dtype('float32'))
    a, ca = _make((100, 60), 'int64', seed=1)
    b, cb = _make((60, 90), 'int64', 'n', seed=2)
    _check(ca @ cb, a @ b, numpy.dtype('int64'))


DOT_SHAPES = [
    ((), ()), ((), (3,)), ((2, 3), ()), ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
    ((2, 2, 3), (3,)), ((3,), (2, 3, 4)), ((2, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((2, 2, 3), (2, 3, 4)),
    ((0, 3), (3, 2)), ((2, 0), (0, 2)), ((2, 0), (1, 0, 3)), ((0,), (0,)),
]


@pytest.mark.parametrize('shapes', DOT_SHAPES)
@pytest.mark.parametrize('dtype', ['int64', 'float32'])
def test_dot_shapes(shapes, dtype):
    a, ca = _make(shapes[0], dtype, seed=1)
    b, cb = _make(shapes[1], dtype, seed=2)
    expected, out_type = _reference(numpy.dot, a, b)
    actual = chainerx.dot(ca, cb)
    if a.ndim == 0 or b.ndim == 0:  # multiply: NumPy's elementwise layout
        assert actual.dtype == out_type and actual.shape == expected.shape
        numpy.testing.assert_allclose(chainerx.to_numpy(actual), expected, rtol=1e-6)
    else:
        _check(actual, expected, out_type)
    method = ca.dot(cb)
    numpy.testing.assert_allclose(chainerx.to_numpy(method), expected, rtol=1e-6)


@pytest.mark.parametrize('dtype', ALL_DTYPES)
def test_dot_dtypes(dtype):
    a, ca = _make((2, 3, 4), dtype, 's', seed=1)
    b, cb = _make((3, 4, 2), dtype, 'n', seed=2)
    expected, out_type = _reference(numpy.dot, a, b)
    _check(chainerx.dot(ca, cb), expected, out_type)


def test_rmatmul_and_imatmul():
    a, ca = _make((3, 3), 'float32', seed=1)
    b, cb = _make((3, 3), 'float32', seed=2)
    assert ca.__rmatmul__(cb).shape == (3, 3)
    numpy.testing.assert_allclose(chainerx.to_numpy(ca.__rmatmul__(cb)), b @ a, rtol=1e-6)
    before = ca
    ca @= cb
    assert ca is before
    numpy.testing.assert_allclose(chainerx.to_numpy(ca), a @ b, rtol=1e-6)
    with pytest.raises(chainerx.DimensionError):
        c = chainerx.ones((3, 3))
        c @= chainerx.ones((3, 2))
    assert ca.__matmul__(object()) is NotImplemented


@pytest.mark.parametrize('shapes', [((2, 3), (4, 5)), ((3,), (4,)), ((2, 3), (2,)), ((2, 2, 3), (3, 3, 4)),
                                    ((), (3,)), ((2, 3), ())])
def test_matmul_bad_shapes(shapes):
    a, b = chainerx.ones(shapes[0]), chainerx.ones(shapes[1])
    with pytest.raises(chainerx.DimensionError, match='matmul'):
        chainerx.matmul(a, b)
    with pytest.raises(chainerx.DimensionError):
        a @ b


@pytest.mark.parametrize('shapes', [((2, 3), (4, 5)), ((3,), (4,)), ((2, 3), (2,)), ((2, 3), (2, 2, 4))])
def test_dot_bad_shapes(shapes):
    with pytest.raises(chainerx.DimensionError, match='dot'):
        chainerx.dot(chainerx.ones(shapes[0]), chainerx.ones(shapes[1]))


def test_matmul_scalar_operand_refused():
    with pytest.raises(chainerx.DimensionError):
        chainerx.ones((2, 2)) @ 2.0
    with pytest.raises(TypeError):
        chainerx.matmul(chainerx.ones((2, 2)), numpy.ones((2, 2)))


# ---- gradients -----------------------------------------------------------------------------------

def _random(shape, dtype, seed):
    return chainerx.array(numpy.random.default_rng(seed).uniform(-1, 1, shape).astype(dtype))


GRAD_TOLERANCES = {'float16': dict(eps=2 ** -3, atol=5e-2, rtol=5e-2), 'float32': dict(eps=1e-2, atol=1e-3, rtol=1e-3),
                   'float64': dict(eps=1e-6, atol=1e-7, rtol=1e-7)}
DOUBLE_TOLERANCES = {'float16': dict(eps=2 ** -3, atol=1e-1, rtol=1e-1),
                     'float32': dict(eps=1e-2, atol=1e-3, rtol=1e-3),
                     'float64': dict(eps=1e-6, atol=1e-6, rtol=1e-6)}

GRAD_CASES = [
    ('matmul', chainerx.matmul, (2, 3), (3, 4)), ('matmul', chainerx.matmul, (3,), (3,)),
    ('matmul', chainerx.matmul, (3,), (2, 3, 4)), ('matmul', chainerx.matmul, (2, 2, 3), (3,)),
    ('matmul', chainerx.matmul, (2, 1, 2, 3), (3, 3, 2)), ('matmul', chainerx.matmul, (2, 0), (0, 3)),
    ('dot', chainerx.dot, (2, 3), (3, 2)), ('dot', chainerx.dot, (2, 2, 3), (2, 3, 2)),
    ('dot', chainerx.dot, (), (2, 3)), ('dot', chainerx.dot, (3,), (3,)),
]


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('name,func,shape_a,shape_b', GRAD_CASES)
def test_product_gradients(name, func, shape_a, shape_b, dtype):
    a, b = _random(shape_a, dtype, 1), _random(shape_b, dtype, 2)
    y = func(a, b)
    gy = _random(y.shape, dtype, 3)
    chainerx.check_backward(lambda xs: func(xs[0], xs[1]), (a, b), (gy,), **GRAD_TOLERANCES[dtype])
    gga, ggb = _random(shape_a, dtype, 4), _random(shape_b, dtype, 5)
    chainerx.check_double_backward(lambda xs: func(xs[0], xs[1]), (a, b), (gy,), (gga, ggb), **DOUBLE_TOLERANCES[dtype])


def test_gradient_of_one_operand_only():
    a = _random((2, 3), 'float64', 1).require_grad()
    b = _random((3, 2), 'float64', 2)
    y = chainerx.matmul(a, b)
    y.backward()
    numpy.testing.assert_allclose(chainerx.to_numpy(a.grad), numpy.ones((2, 2)) @ chainerx.to_numpy(b).T)


def test_mixed_dtype_gradients():
    a = _random((2, 3), 'float16', 1).require_grad()
    b = _random((3, 2), 'float32', 2).require_grad()
    y = chainerx.matmul(a, b)
    assert y.dtype == numpy.float32
    y.backward()
    assert a.grad.dtype == numpy.float16 and b.grad.dtype == numpy.float32


# ---- tensordot and einsum ------------------------------------------------------------------------

TENSORDOT_CASES = [
    ((2, 3, 4), (3, 4, 5), 2), ((2, 3), (3, 4), 1), ((2, 3), (4,), 0), ((), (), 0), ((2, 3), (2, 3), 2),
    ((2, 3, 4), (4, 3, 5), ([1, 2], [1, 0])), ((2, 3, 4), (5, 2), (0, 1)), ((0, 3), (3, 2), 1),
]


@pytest.mark.parametrize('shape_a,shape_b,axes', TENSORDOT_CASES)
@pytest.mark.parametrize('dtype', ['int32', 'float64'])
def test_tensordot(shape_a, shape_b, axes, dtype):
    a, ca = _make(shape_a, dtype, seed=1)
    b, cb = _make(shape_b, dtype, seed=2)
    expected, out_type = _reference(lambda x, y: numpy.tensordot(x, y, axes), a, b)
    _check(chainerx.tensordot(ca, cb, axes), expected, out_type)


@pytest.mark.parametrize('shape_a,shape_b,axes', [((2, 3), (4, 3), 1), ((2, 3), (3,), 2),
                                                  ((2, 3), (3, 2), ([0], [0, 1])), ((2, 3), (3, 2), ([0, 0], [1, 1]))])
def test_tensordot_bad_axes(shape_a, shape_b, axes):
    with pytest.raises(chainerx.DimensionError, match='tensordot'):
        chainerx.tensordot(chainerx.ones(shape_a), chainerx.ones(shape_b), axes)


EINSUM_CASES = [
    ('ij,jk->ik', [(2, 3), (3, 4)]), ('ij,jk', [(2, 3), (3, 4)]), ('ij->ji', [(2, 3)]), ('ij', [(2, 3)]),
    ('ji', [(2, 3)]), ('ii->i', [(3, 3)]), ('ii', [(3, 3)]), ('iij->j', [(2, 2, 3)]), ('i,i', [(3,), (3,)]),
    ('i,j->ij', [(2,), (3,)]), ('bij,bjk->bik', [(4, 2, 3), (4, 3, 2)]), ('...ij,...jk->...ik', [(4, 2, 3), (3, 2)]),
    ('...ij,...jk', [(2, 1, 2, 3), (5, 3, 2)]), ('i...->...', [(2, 3, 4)]), ('...i->...', [(2, 3, 4)]),
    ('ij,jk,kl->il', [(2, 3), (3, 4), (4, 2)]), ('ijk,kji->', [(2, 3, 4), (4, 3, 2)]),
    ('ab,cd->abcd', [(2, 1), (3, 2)]),
    ('i,i,i->i', [(3,), (3,), (3,)]), ('ij,ij->i', [(2, 3), (2, 3)]), ('iI,Ij', [(2, 3), (3, 2)]), ('->', [()]),
    (',i->i', [(), (3,)]), ('ij,jk->', [(0, 3), (3, 2)]), ('ij,jk', [(2, 0), (0, 2)]), ('i,i', [(1,), (4,)]),
]


@pytest.mark.parametrize('subscripts,shapes', EINSUM_CASES)
@pytest.mark.parametrize('dtype', ['int16', 'float32'])
def test_einsum(subscripts, shapes, dtype):
    pairs = [_make(shape, dtype, seed=n) for n, shape in enumerate(shapes)]
    expected = numpy.einsum(subscripts, *[p[0].astype(numpy.float64) for p in pairs]).astype(dtype)
    actual = chainerx.einsum(subscripts, *[p[1] for p in pairs])
    assert actual.dtype == dtype and actual.shape == expected.shape
    numpy.testing.assert_allclose(chainerx.to_numpy(actual), expected, rtol=1e-5, atol=1e-5)


def test_einsum_mixed_dtypes_and_bool():
    a, ca = _make((2, 3), 'bool', seed=1)
    b, cb = _make((3, 2), 'bool', seed=2)
    _check(chainerx.einsum('ij,jk->ik', ca, cb), numpy.einsum('ij,jk->ik', a, b), numpy.dtype('bool'))
    x, cx = _make((2, 3), 'int8', seed=3)
    assert chainerx.einsum('ij,jk', cx, chainerx.array(b)).dtype == numpy.int8
    assert chainerx.einsum('ij->', cx).dtype == numpy.int8


@pytest.mark.parametrize('subscripts,shapes,error', [
    ('ij,jk', [(2, 3), (4, 2)], chainerx.DimensionError), ('ij', [(2, 3, 4)], chainerx.DimensionError),
    ('ij,jk', [(2, 3)], chainerx.ChainerxError), ('ii', [(2, 3)], chainerx.DimensionError),
    ('ij->ii', [(2, 2)], chainerx.ChainerxError), ('ij->k', [(2, 2)], chainerx.ChainerxError),
    ('i1', [(2, 2)], chainerx.ChainerxError), ('...i->i', [(2, 2)], chainerx.DimensionError),
    ('..i', [(2,)], chainerx.ChainerxError),
])
def test_einsum_bad_subscripts(subscripts, shapes, error):
    with pytest.raises(error):
        chainerx.einsum(subscripts, *[chainerx.ones(s) for s in shapes])


@pytest.mark.parametrize('subscripts,shapes', [('ij,jk->ik', [(2, 3), (3, 2)]), ('ii->i', [(3, 3)]),
                                               ('bij,bjk->bik', [(2, 2, 3), (2, 3, 2)]), ('i,j->ij', [(2,), (3,)]),
                                               ('iij,jk->ik', [(2, 2, 3), (3, 2)]), ('...i,...i', [(2, 3), (3,)])])
def test_einsum_gradients(subscripts, shapes):
    xs = [_random(s, 'float64', n) for n, s in enumerate(shapes)]
    y = chainerx.einsum(subscripts, *xs)
    gy = _random(y.shape, 'float64', 9)
    f = lambda *args: chainerx.einsum(subscripts, *args)  # NOQA
    chainerx.check_backward(lambda xs: f(*xs), xs, (gy,), **GRAD_TOLERANCES['float64'])
    ggs = [_random(s, 'float64', 10 + n) for n, s in enumerate(shapes)]
    chainerx.check_double_backward(lambda xs: f(*xs), xs, (gy,), ggs, **DOUBLE_TOLERANCES['float64'])


def test_tensordot_gradients():
    a, b = _random((2, 3, 4), 'float64', 1), _random((4, 3, 2), 'float64', 2)
    f = lambda x, y: chainerx.tensordot(x, y, ([1, 2], [1, 0]))  # NOQA
    gy = _random((2, 2), 'float64', 3)
    chainerx.check_backward(lambda xs: f(*xs), (a, b), (gy,), **GRAD_TOLERANCES['float64'])
    chainerx.check_double_backward(lambda xs: f(*xs), (a, b), (gy,), (_random(a.shape, 'float64', 4), _random(b.shape, 'float64', 5)),
                                   **DOUBLE_TOLERANCES['float64'])


# ---- chainerx.linalg -----------------------------------------------------------------------------


LINALG_TOL = {'float32': dict(rtol=1e-4, atol=1e-4), 'float64': dict(rtol=1e-10, atol=1e-10)}


def _well_conditioned(shape, dtype, seed, spd=False):
    """Random square matrices with a dominant diagonal (symmetric positive definite when spd)."""
    x = numpy.random.default_rng(seed).uniform(-1, 1, shape)
    if spd:
        x = x @ x.swapaxes(-1, -2)
    n = shape[-1]
    return (x + n * numpy.eye(n)).astype(dtype)


def _allclose(actual, expected, dtype):
    assert actual.dtype == numpy.dtype(dtype), (actual.dtype, dtype)
    assert actual.shape == numpy.shape(expected), (actual.shape, numpy.shape(expected))
    numpy.testing.assert_allclose(chainerx.to_numpy(actual), expected, **LINALG_TOL[numpy.dtype(dtype).name])


def test_linalg_module():
    assert chainerx.linalg._is_lapack_available()
    assert chainerx.linalg.solve is chainerx.linalg.solve
    for name in ('solve', 'inv', 'svd', 'pinv', 'qr', 'cholesky', 'eigh', 'eigvalsh', 'det', 'slogdet', 'norm'):
        assert callable(getattr(chainerx.linalg, name))


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('shape_a,shape_b', [((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (2, 3, 1)),
                                             ((2, 3, 3), (3,)), ((2, 1, 3, 3), (4, 3, 2)), ((0, 2, 2), (0, 2, 1)),
                                             ((0, 0), (0,))])
def test_solve(shape_a, shape_b, dtype):
    a = _well_conditioned(shape_a, dtype, 1)
    b = numpy.random.default_rng(2).uniform(-1, 1, shape_b).astype(dtype)
    _allclose(chainerx.linalg.solve(chainerx.array(a), chainerx.array(b)), numpy.linalg.solve(a, b), dtype)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('shape', [(1, 1), (4, 4), (2, 3, 3), (0, 0), (3, 0, 0)])
def test_inv_det_slogdet(shape, dtype):
    a = _well_conditioned(shape, dtype, 1)
    a_t = chainerx.array(a.swapaxes(-1, -2).copy()).swapaxes(-1, -2)  # a non-contiguous input
    _allclose(chainerx.linalg.inv(a_t), numpy.linalg.inv(a), dtype)
    _allclose(chainerx.linalg.det(chainerx.array(a)), numpy.linalg.det(a), dtype)
    sign, logdet = chainerx.linalg.slogdet(chainerx.array(-a))
    expected_sign, expected_logdet = numpy.linalg.slogdet(-a)
    _allclose(sign, expected_sign, dtype)
    _allclose(logdet, expected_logdet, dtype)


def test_integer_input_computes_in_float32():
    a = numpy.array([[2, 1], [1, 3]])
    _allclose(chainerx.linalg.inv(chainerx.array(a)), numpy.linalg.inv(a).astype(numpy.float32), 'float32')
    _allclose(chainerx.linalg.det(chainerx.array(a)), numpy.float32(5), 'float32')


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('shape', [(3, 3), (2, 4, 4), (0, 0)])
def test_cholesky_eigh(shape, dtype):
    a = _well_conditioned(shape, dtype, 1, spd=True)
    _allclose(chainerx.linalg.cholesky(chainerx.array(a)), numpy.linalg.cholesky(a), dtype)
    for uplo in ('L', 'U'):
        lopsided = numpy.tril(a) if uplo == 'L' else numpy.triu(a)  # only that triangle is read
        w, v = chainerx.linalg.eigh(chainerx.array(lopsided), UPLO=uplo)
        ew, ev = numpy.linalg.eigh(a)
        _allclose(w, ew, dtype)
        _allclose(chainerx.linalg.eigvalsh(chainerx.array(lopsided), UPLO=uplo), ew, dtype)
        hv = chainerx.to_numpy(v)  # eigenvectors up to sign
        numpy.testing.assert_allclose(numpy.abs((hv * ev).sum(axis=-2)), numpy.ones(ew.shape), **LINALG_TOL[dtype])


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('shape', [(3, 3), (4, 2), (2, 4), (2, 5, 3), (0, 3), (3, 0)])
@pytest.mark.parametrize('full_matrices', [True, False])
def test_svd_pinv(shape, dtype, full_matrices):
    a = numpy.random.default_rng(1).uniform(-1, 1, shape).astype(dtype)
    u, s, vh = chainerx.linalg.svd(chainerx.array(a), full_matrices=full_matrices)
    eu, es, evh = numpy.linalg.svd(a, full_matrices=full_matrices)
    assert u.shape == eu.shape and vh.shape == evh.shape
    _allclose(s, es, dtype)
    _allclose(chainerx.linalg.svd(chainerx.array(a), compute_uv=False), es, dtype)
    k = min(shape[-2:])
    hu, hvh = chainerx.to_numpy(u), chainerx.to_numpy(vh)
    rebuilt = (hu[..., :, :k] * numpy.expand_dims(es, -2)) @ hvh[..., :k, :]
    numpy.testing.assert_allclose(rebuilt, a, **LINALG_TOL[dtype])
    _allclose(chainerx.linalg.pinv(chainerx.array(a)), numpy.linalg.pinv(a), dtype)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('shape', [(3, 3), (4, 2), (2, 4), (2, 5, 3), (0, 3), (3, 0)])
@pytest.mark.parametrize('mode', ['reduced', 'complete', 'r', 'raw'])
def test_qr(shape, dtype, mode):
    a = numpy.random.default_rng(1).uniform(-1, 1, shape).astype(dtype)
    actual = chainerx.linalg.qr(chainerx.array(a), mode=mode)
    expected = numpy.linalg.qr(a, mode=mode)
    if mode == 'r':
        actual, expected = (actual,), (expected,)
    for x, e in zip(actual, expected):
        _allclose(x, e, dtype)


NORM_CASES = [
    ((3,), None, None), ((3,), 1, None), ((3,), 0, None), ((3,), numpy.inf, None), ((3,), -numpy.inf, None),
    ((3,), 3, None), ((3,), 0.5, None), ((2, 3), None, None), ((2, 3), 'fro', None), ((2, 3), 'nuc', None),
    ((2, 3), 1, None), ((2, 3), -1, None), ((2, 3), 2, None), ((2, 3), -2, None), ((2, 3), numpy.inf, None),
    ((2, 3), -numpy.inf, None), ((2, 3, 4), None, None), ((2, 3, 4), None, 1), ((2, 3, 4), 2, -1),
    ((2, 3, 4), 'fro', (0, 2)), ((2, 3, 4), 1, (2, 0)), ((2, 3, 4), numpy.inf, (2, 1)), ((2, 3, 4), 'nuc', (1, 2)),
    ((2, 3, 4), -2, (0, 1)),
]


@pytest.mark.parametrize('shape,ord,axis', NORM_CASES)
@pytest.mark.parametrize('keepdims', [False, True])
def test_norm(shape, ord, axis, keepdims):
    x = numpy.random.default_rng(1).uniform(-1, 1, shape)
    expected = numpy.linalg.norm(x, ord, axis, keepdims)
    _allclose(chainerx.linalg.norm(chainerx.array(x), ord, axis, keepdims), expected, 'float64')


@pytest.mark.parametrize('func,args,error', [
    ('solve', [(3, 3), (2,)], chainerx.DimensionError), ('solve', [(3, 2), (3,)], chainerx.DimensionError),
    ('inv', [(3,)], chainerx.DimensionError), ('inv', [(2, 3)], chainerx.DimensionError),
    ('det', [(2, 3)], chainerx.DimensionError), ('cholesky', [(2, 3, 4)], chainerx.DimensionError),
    ('eigh', [(3, 2)], chainerx.DimensionError), ('svd', [(3,)], chainerx.DimensionError),
    ('qr', [(3,)], chainerx.DimensionError), ('norm', [(2, 3, 4)], None),
])
def test_linalg_bad_shapes(func, args, error):
    arrays = [chainerx.ones(s, 'float64') for s in args]
    if func == 'norm':
        with pytest.raises(chainerx.DimensionError):
            chainerx.linalg.norm(arrays[0], 2)
        return
    with pytest.raises(error, match=func):
        getattr(chainerx.linalg, func)(*arrays)


def test_linalg_bad_values_and_dtypes():
    singular = chainerx.array([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(chainerx.ChainerxError, match='singular'):
        chainerx.linalg.inv(singular)
    with pytest.raises(chainerx.ChainerxError, match='singular'):
        chainerx.linalg.solve(singular, chainerx.ones((2,)))
    assert float(chainerx.linalg.det(singular)) == 0
    with pytest.raises(chainerx.ChainerxError, match='positive definite'):
        chainerx.linalg.cholesky(chainerx.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(chainerx.DtypeError):
        chainerx.linalg.inv(chainerx.ones((2, 2), 'float16'))
    with pytest.raises(chainerx.ChainerxError):
        chainerx.linalg.qr(chainerx.ones((2, 2)), mode='bad')
    with pytest.raises(chainerx.ChainerxError):
        chainerx.linalg.eigh(chainerx.ones((2, 2)), UPLO='X')
    with pytest.raises(chainerx.ChainerxError):
        chainerx.linalg.norm(chainerx.ones((3,)), 'fro')


# Gradients: symmetric inputs are built inside the function (the routines read one triangle).
def _sym(x):
    return (x + x.swapaxes(-1, -2)) * 0.5


def _spd(x):
    return chainerx.matmul(x, x.swapaxes(-1, -2)) + chainerx.array(3 * numpy.eye(x.shape[-1]), x.dtype)


LINALG_GRAD_CASES = [
    ('solve', lambda a, b: chainerx.linalg.solve(a, b), [(3, 3), (3, 2)]),
    ('solve_vector', lambda a, b: chainerx.linalg.solve(a, b), [(2, 3, 3), (3,)]),
    ('inv', lambda a: chainerx.linalg.inv(a), [(3, 3)]),
    ('det', lambda a: chainerx.linalg.det(a), [(2, 3, 3)]),
    ('slogdet', lambda a: chainerx.linalg.slogdet(a)[1], [(3, 3)]),
    ('cholesky', lambda a: chainerx.linalg.cholesky(_spd(a)), [(3, 3)]),
    ('eigh', lambda a: chainerx.linalg.eigh(_sym(a)), [(3, 3)]),
    ('eigvalsh', lambda a: chainerx.linalg.eigvalsh(_sym(a)), [(3, 3)]),
    ('svd', lambda a: chainerx.linalg.svd(a, full_matrices=False), [(4, 3)]),
    ('svd_wide', lambda a: chainerx.linalg.svd(a, full_matrices=False), [(2, 4)]),
    ('svd_s', lambda a: chainerx.linalg.svd(a, compute_uv=False), [(3, 4)]),
    ('pinv', lambda a: chainerx.linalg.pinv(a), [(3, 2)]),
    ('qr', lambda a: chainerx.linalg.qr(a), [(4, 3)]),
    ('qr_r', lambda a: chainerx.linalg.qr(a, mode='r'), [(3, 3)]),
    ('norm', lambda a: chainerx.linalg.norm(a), [(2, 3)]),
    ('norm_nuc', lambda a: chainerx.linalg.norm(a, 'nuc'), [(2, 3)]),
    ('norm_3', lambda a: chainerx.linalg.norm(a, 3, axis=1), [(2, 3)]),
]


@pytest.mark.parametrize('name,func,shapes', LINALG_GRAD_CASES, ids=[c[0] for c in LINALG_GRAD_CASES])
def test_linalg_gradients(name, func, shapes):
    rng = numpy.random.default_rng(7)
    xs = []
    for shape in shapes:
        x = rng.uniform(-1, 1, shape)
        if len(shape) >= 2 and shape[-1] == shape[-2] and name not in ('eigh', 'eigvalsh', 'cholesky'):
            x = x + 2 * numpy.eye(shape[-1])
        xs.append(chainerx.array(x))
    ys = func(*xs)
    ys = ys if isinstance(ys, tuple) else (ys,)
    gys = tuple(chainerx.array(rng.uniform(-1, 1, y.shape)) for y in ys)
    chainerx.check_backward(lambda xs: func(*xs), xs, gys, eps=1e-6, atol=1e-6, rtol=1e-5)
    ggs = [chainerx.array(rng.uniform(-1, 1, x.shape)) for x in xs]
    chainerx.check_double_backward(lambda xs: func(*xs), xs, gys, ggs, eps=1e-6, atol=1e-5, rtol=1e-4)
