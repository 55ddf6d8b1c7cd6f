"""Joining, splitting, tiling and rearranging routines and copyto against NumPy.

Each routine is checked for values, dtype, shape and strides (NumPy's output layout, or the exact
view NumPy returns) over dtypes, 0-d and zero-size shapes, non-contiguous and negative-stride inputs
and negative axes; then gradients and double gradients, and the errors bad inputs raise.
"""
import numpy
import pytest

import chainerx
import chainerx.testing

DTYPES = list(chainerx.testing.all_dtypes)
FLOAT_DTYPES = ['float16', 'float32', 'float64']
TOLERANCES = {'float16': dict(eps=2 ** -4, atol=5e-2, rtol=5e-2), 'float32': dict(eps=1e-3, atol=1e-3, rtol=1e-3),
              'float64': dict(eps=1e-6, atol=1e-6, rtol=1e-6)}
DOUBLE_TOLERANCES = {'float16': dict(eps=2 ** -4, atol=1e-1, rtol=1e-1),
                     'float32': dict(eps=1e-3, atol=1e-2, rtol=1e-2), 'float64': dict(eps=1e-6, atol=1e-5, rtol=1e-5)}
LAYOUTS = ['c', 'f', 'neg', 'step']


def _values(shape, dtype, seed=0):
    rng = numpy.random.RandomState(seed)
    kind = numpy.dtype(dtype).kind
    if kind == 'b':
        return rng.randint(0, 2, shape).astype(bool)
    if kind in 'iu':
        return rng.randint(0 if kind == 'u' else -50, 50, shape).astype(dtype)
    return rng.uniform(-10, 10, shape).astype(dtype)


def _layout(values, layout):
    """A view of a copy of `values` with the given memory layout (same values)."""
    if layout == 'c':
        return values.copy()
    if layout == 'f':
        return numpy.asfortranarray(values)
    if layout == 'neg':  # every axis reversed in memory
        index = (slice(None, None, -1),) * values.ndim
        return values[index].copy()[index]
    if layout == 'step':  # every other element of a larger array
        big = numpy.zeros(tuple(2 * d for d in values.shape), values.dtype)
        index = tuple(slice(None, None, 2) for _ in values.shape)
        big[index] = values
        return big[index]
    raise ValueError(layout)


def _pair(shape, dtype, layout='c', seed=0):
    """A NumPy array and a chainerx array sharing its memory (so the strides agree)."""
    n = _layout(_values(shape, dtype, seed), layout)
    return n, chainerx.array(n, copy=False)


def _check(actual, expected, strides=True):
    assert isinstance(actual, chainerx.ndarray)
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    chainerx.testing.assert_array_equal(actual, expected)
    if strides and expected.size > 0:
        assert actual.strides == expected.strides, (actual.strides, expected.strides)


def _check_list(actual, expected):
    assert isinstance(actual, list) and len(actual) == len(expected)
    for a, e in zip(actual, expected):
        _check(a, e)


def _random(shape, dtype, seed=0):
    return chainerx.array(numpy.random.RandomState(seed).uniform(-1, 1, shape).astype(dtype))


def _promote(a, b):
    return (chainerx.zeros((1,), a) + chainerx.zeros((1,), b)).dtype


# ---- concatenate -------------------------------------------------------------------------------

CONCAT_CASES = [
    ([(2, 3), (4, 3)], 0), ([(2, 3), (2, 1), (2, 0)], 1), ([(2, 3), (2, 3)], -1), ([(0, 3), (0, 3)], 0),
    ([(3,), (2,), (1,)], 0), ([(2, 3, 4), (2, 1, 4)], -2), ([(2, 3), (5,)], None), ([(1, 3)], 0),
    ([(2, 1, 3), (2, 1, 3)], 1), ([(0, 2), (3, 2)], 0),
]


@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('shapes,axis', CONCAT_CASES)
def test_concatenate(dtype, shapes, axis):
    pairs = [_pair(s, dtype, seed=i) for i, s in enumerate(shapes)]
    _check(chainerx.concatenate([c for _, c in pairs], axis=axis),
           numpy.concatenate([n for n, _ in pairs], axis=axis))


@pytest.mark.parametrize('layouts', [('f', 'f'), ('c', 'f'), ('f', 'c'), ('neg', 'neg'), ('step', 'c'), ('neg', 'f')])
@pytest.mark.parametrize('shapes,axis', [([(2, 3, 4), (2, 5, 4)], 1), ([(3, 4), (3, 4)], 0), ([(3, 4), (3, 2)], 1)])
def test_concatenate_layouts(layouts, shapes, axis):
    pairs = [_pair(s, 'float32', layout, seed=i) for i, (s, layout) in enumerate(zip(shapes, layouts))]
    _check(chainerx.concatenate([c for _, c in pairs], axis), numpy.concatenate([n for n, _ in pairs], axis))


@pytest.mark.parametrize('a,b', [('int8', 'uint8'), ('int64', 'float16'), ('bool_', 'int32'), ('float16', 'float32'),
                                 ('uint8', 'int32'), ('bool_', 'bool_'), ('int16', 'float64')])
def test_concatenate_promotes(a, b):
    na, ca = _pair((2, 2), a)
    nb, cb = _pair((1, 2), b, seed=1)
    out = chainerx.concatenate([ca, cb])
    dtype = _promote(a, b)
    assert out.dtype == dtype
    chainerx.testing.assert_array_equal(out, numpy.concatenate([na.astype(dtype), nb.astype(dtype)]))


@pytest.mark.parametrize('axis', [0, 1, -1])
@pytest.mark.parametrize('layout', ['c', 'f'])
def test_concatenate_large(axis, layout):
    # Above the parallel and GIL-release thresholds; several row widths.
    pairs = [_pair((300, w), 'float32', layout, seed=w) for w in (1000, 7, 333)] if axis else \
        [_pair((h, 300), 'float32', layout, seed=h) for h in (1000, 7, 333)]
    _check(chainerx.concatenate([c for _, c in pairs], axis), numpy.concatenate([n for n, _ in pairs], axis))


def test_concatenate_is_a_copy():
    n, c = _pair((2, 3), 'float32')
    expected = n.copy()
    out = chainerx.concatenate([c])
    c += 1
    chainerx.testing.assert_array_equal(out, expected)


def test_concatenate_tuple_and_generator():
    _, a = _pair((2,), 'int32')
    _, b = _pair((3,), 'int32', seed=1)
    assert chainerx.concatenate((a, b)).shape == (5,)
    assert chainerx.concatenate(x for x in (a, b)).shape == (5,)


# Shapes, not arrays: arrays made at import would live in the parameters until the interpreter
# exits, after chainerx's module, which nanobind then reports as leaked.
@pytest.mark.parametrize('shapes,axis,error', [
    ([], 0, chainerx.DimensionError),
    ([(), ()], 0, chainerx.DimensionError),
    ([(2, 3), (3,)], 0, chainerx.DimensionError),
    ([(2, 3), (2, 4)], 0, chainerx.DimensionError),
    ([(2, 3)], 2, chainerx.DimensionError),
    ([(2, 3)], -3, chainerx.DimensionError),
    ([(2, 3), 'numpy'], 0, TypeError),
    ([(2, 3)], 0.5, TypeError),
])
def test_concatenate_errors(shapes, axis, error):
    arrays = [numpy.zeros((2, 3)) if shape == 'numpy' else chainerx.zeros(shape) for shape in shapes]
    with pytest.raises(error):
        chainerx.concatenate(arrays, axis)


def test_concatenate_not_a_sequence():
    with pytest.raises(TypeError):
        chainerx.concatenate(chainerx.zeros((2, 3)))
    with pytest.raises(TypeError):
        chainerx.concatenate(3)


# ---- stack, hstack, vstack, dstack, atleast_nd -----------------------------------------------

@pytest.mark.parametrize('dtype', ['bool_', 'int16', 'float32'])
@pytest.mark.parametrize('shape,axis', [((2, 3), 0), ((2, 3), 1), ((2, 3), -1), ((), 0), ((0, 2), 1), ((4,), -2)])
@pytest.mark.parametrize('layout', ['c', 'f', 'neg'])
def test_stack(dtype, shape, axis, layout):
    pairs = [_pair(shape, dtype, layout, seed=i) for i in range(3)]
    _check(chainerx.stack([c for _, c in pairs], axis), numpy.stack([n for n, _ in pairs], axis))


def test_stack_errors():
    with pytest.raises(chainerx.DimensionError):
        chainerx.stack([])
    with pytest.raises(chainerx.DimensionError):
        chainerx.stack([chainerx.zeros((2,)), chainerx.zeros((3,))])
    with pytest.raises(chainerx.DimensionError):
        chainerx.stack([chainerx.zeros((2,))], axis=2)


@pytest.mark.parametrize('name', ['hstack', 'vstack', 'dstack'])
@pytest.mark.parametrize('shapes', [[(), ()], [(3,), (2,)], [(3,), (3,)], [(2, 3), (2, 3)], [(2, 3, 4), (2, 3, 4)],
                                    [(0,), (0,)]])
def test_hvdstack(name, shapes):
    pairs = [_pair(s, 'float32', 'f', seed=i) for i, s in enumerate(shapes)]
    try:
        expected = getattr(numpy, name)([n for n, _ in pairs])
    except ValueError:
        with pytest.raises(chainerx.DimensionError):
            getattr(chainerx, name)([c for _, c in pairs])
        return
    _check(getattr(chainerx, name)([c for _, c in pairs]), expected)


@pytest.mark.parametrize('name', ['atleast_1d', 'atleast_2d', 'atleast_3d'])
@pytest.mark.parametrize('shape', [(), (3,), (2, 3), (2, 3, 4), (0,)])
@pytest.mark.parametrize('layout', ['c', 'neg'])
def test_atleast_nd(name, shape, layout):
    n, c = _pair(shape, 'int32', layout)
    _check(getattr(chainerx, name)(c), getattr(numpy, name)(n))


# ---- split -------------------------------------------------------------------------------------

SPLIT_CASES = [
    ((6,), 3, 0), ((6, 4), 2, 1), ((6, 4), 1, -1), ((10,), [-3, 20], 0), ((10,), [5, 2], 0), ((10,), [], 0),
    ((4, 5), [1, 3], -1), ((0, 3), 2, 0), ((4, 6), [0, 6], 1), ((5,), [2, 2, 4], 0),
]


@pytest.mark.parametrize('dtype', ['bool_', 'uint8', 'float64'])
@pytest.mark.parametrize('shape,spec,axis', SPLIT_CASES)
@pytest.mark.parametrize('layout', ['c', 'f', 'neg'])
def test_split(dtype, shape, spec, axis, layout):
    n, c = _pair(shape, dtype, layout)
    parts = chainerx.split(c, spec, axis)
    _check_list(parts, numpy.split(n, spec, axis))
    for part in parts:  # views of the input
        if part.size:
            assert chainerx.to_numpy(part, copy=False).base is not None
            assert numpy.shares_memory(chainerx.to_numpy(part, copy=False), n)


@pytest.mark.parametrize('shape,spec,axis', [((7,), 3, 0), ((5, 2), 4, 0), ((2, 3), 5, 1), ((4,), 4, 0)])
def test_array_split(shape, spec, axis):
    n, c = _pair(shape, 'int64')
    _check_list(chainerx.array_split(c, spec, axis), numpy.array_split(n, spec, axis))


@pytest.mark.parametrize('name', ['hsplit', 'vsplit', 'dsplit'])
@pytest.mark.parametrize('shape', [(4,), (2, 4), (2, 4, 6)])
def test_hvdsplit(name, shape):
    n, c = _pair(shape, 'float32')
    try:
        expected = getattr(numpy, name)(n, 2)
    except ValueError:
        with pytest.raises(chainerx.DimensionError):
            getattr(chainerx, name)(c, 2)
        return
    _check_list(getattr(chainerx, name)(c, 2), expected)


@pytest.mark.parametrize('args,error', [
    (((10,), 3, 0), chainerx.DimensionError),  # unequal division
    (((10,), 0, 0), chainerx.DimensionError),
    (((10,), -2, 0), chainerx.DimensionError),
    (((10,), 2, 1), chainerx.DimensionError),
    (((), 1, 0), chainerx.DimensionError),
    (((10,), 2.0, 0), TypeError),
    (((10,), [1.5], 0), TypeError),
])
def test_split_errors(args, error):
    shape, spec, axis = args
    with pytest.raises(error):
        chainerx.split(chainerx.zeros(shape), spec, axis)


# ---- flip, moveaxis, rollaxis, broadcast_arrays ------------------------------------------------

@pytest.mark.parametrize('dtype', ['bool_', 'int8', 'float16'])
@pytest.mark.parametrize('shape,axis', [((2, 3), None), ((2, 3), 0), ((2, 3), -1), ((2, 3, 4), (0, 2)), ((), None),
                                        ((0, 3), 0), ((4,), (0,)), ((2, 3), ())])
@pytest.mark.parametrize('layout', ['c', 'f', 'neg', 'step'])
def test_flip(dtype, shape, axis, layout):
    n, c = _pair(shape, dtype, layout)
    _check(chainerx.flip(c, axis), numpy.flip(n, axis))
    _check(chainerx.flip(c, axis=axis), numpy.flip(n, axis=axis))


@pytest.mark.parametrize('name', ['fliplr', 'flipud'])
@pytest.mark.parametrize('shape', [(), (3,), (2, 3), (2, 3, 4)])
def test_fliplr_flipud(name, shape):
    n, c = _pair(shape, 'float32', 'neg')
    try:
        expected = getattr(numpy, name)(n)
    except ValueError:
        with pytest.raises(chainerx.DimensionError):
            getattr(chainerx, name)(c)
        return
    _check(getattr(chainerx, name)(c), expected)


def test_flip_errors():
    with pytest.raises(chainerx.DimensionError):
        chainerx.flip(chainerx.zeros((2, 3)), 2)
    with pytest.raises(chainerx.DimensionError):
        chainerx.flip(chainerx.zeros((2, 3)), (0, -2))


@pytest.mark.parametrize('shape,source,destination', [
    ((2, 3, 4), 0, -1), ((2, 3, 4), -1, 0), ((2, 3, 4), [0, 1], [-1, -2]), ((2, 3, 4, 5), (3, 0), (0, 3)),
    ((2,), 0, 0), ((2, 3, 4), [], []),
])
def test_moveaxis(shape, source, destination):
    n, c = _pair(shape, 'int32', 'f')
    _check(chainerx.moveaxis(c, source, destination), numpy.moveaxis(n, source, destination))


@pytest.mark.parametrize('source,destination', [(0, 3), ([0, 0], [1, 2]), ([0, 1], [2, 2]), ([0, 1], [2])])
def test_moveaxis_errors(source, destination):
    with pytest.raises(chainerx.DimensionError):
        chainerx.moveaxis(chainerx.zeros((2, 3, 4)), source, destination)


@pytest.mark.parametrize('shape,axis,start', [((2, 3, 4), 2, 0), ((2, 3, 4), 0, 3), ((2, 3, 4), -1, 1),
                                              ((2, 3, 4), 1, -3), ((2, 3, 4), 1, 1), ((2, 3, 4), 1, 2), ((3,), 0, 1)])
def test_rollaxis(shape, axis, start):
    n, c = _pair(shape, 'float64', 'step')
    _check(chainerx.rollaxis(c, axis, start), numpy.rollaxis(n, axis, start))


@pytest.mark.parametrize('axis,start', [(3, 0), (0, 4), (0, -4)])
def test_rollaxis_errors(axis, start):
    with pytest.raises(chainerx.DimensionError):
        chainerx.rollaxis(chainerx.zeros((2, 3, 4)), axis, start)


@pytest.mark.parametrize('shapes', [[(2, 3), (3,)], [(1, 3), (2, 1)], [(), (2,)], [(4,)], [(0, 3), (1,)]])
def test_broadcast_arrays(shapes):
    pairs = [_pair(s, 'float32', seed=i) for i, s in enumerate(shapes)]
    _check_list(chainerx.broadcast_arrays(*[c for _, c in pairs]), numpy.broadcast_arrays(*[n for n, _ in pairs]))
    with pytest.raises(chainerx.DimensionError):
        chainerx.broadcast_arrays(chainerx.zeros((2,)), chainerx.zeros((3,)))


# ---- repeat, tile, roll ----------------------------------------------------------------------

@pytest.mark.parametrize('dtype', ['bool_', 'int16', 'float32'])
@pytest.mark.parametrize('shape,repeats,axis', [
    ((2, 3), 2, None), ((2, 3), 3, 0), ((2, 3), 2, -1), ((2, 3), [1, 0, 2], 1), ((2, 3), [2], 0), ((2, 3), 0, 1),
    ((), 3, None), ((0, 2), 2, 0), ((3,), 1, 0), ((2, 3), [3, 1], 0), ((2, 2), [0, 0], 0),
])
@pytest.mark.parametrize('layout', ['c', 'f', 'neg'])
def test_repeat(dtype, shape, repeats, axis, layout):
    n, c = _pair(shape, dtype, layout)
    _check(chainerx.repeat(c, repeats, axis), numpy.repeat(n, repeats, axis))
    _check(c.repeat(repeats, axis=axis), n.repeat(repeats, axis=axis))


@pytest.mark.parametrize('repeats,axis', [(-1, 0), ([1, 2], 0), ([1, -1, 1], 0), (2, 1), (2.0, 0)])
def test_repeat_errors(repeats, axis):
    with pytest.raises((chainerx.DimensionError, TypeError)):
        chainerx.repeat(chainerx.zeros((3,)), repeats, axis)


@pytest.mark.parametrize('shape,reps', [((2, 3), 2), ((2, 3), (2, 1)), ((2, 3), (1, 1)), ((3,), (2, 2)),
                                        ((2, 1, 3), (2,)), ((), 3), ((2, 3), 0), ((0, 3), (2, 2)), ((2,), ())])
@pytest.mark.parametrize('layout', ['c', 'f'])
def test_tile(shape, reps, layout):
    n, c = _pair(shape, 'int32', layout)
    _check(chainerx.tile(c, reps), numpy.tile(n, reps))


@pytest.mark.parametrize('shape,shift,axis', [((5,), 2, None), ((5,), -7, 0), ((2, 3), 1, None), ((2, 3), 1, 1),
                                              ((2, 3), (1, 2), (0, 1)), ((2, 3), 1, (0, 1)), ((2, 3), (1, 1), (1, 1)),
                                              ((2, 3), 0, 0), ((0, 3), 1, 0), ((), 1, None), ((3, 4), 3, -1)])
@pytest.mark.parametrize('layout', ['c', 'f', 'neg'])
def test_roll(shape, shift, axis, layout):
    n, c = _pair(shape, 'float32', layout)
    _check(chainerx.roll(c, shift, axis), numpy.roll(n, shift, axis))


def test_tile_roll_errors():
    with pytest.raises(chainerx.DimensionError):
        chainerx.tile(chainerx.zeros((2,)), -1)
    with pytest.raises(chainerx.DimensionError):
        chainerx.roll(chainerx.zeros((2, 3)), (1, 2), 0)
    with pytest.raises(chainerx.DimensionError):
        chainerx.roll(chainerx.zeros((2, 3)), 1, 2)


# ---- copyto ------------------------------------------------------------------------------------

CASTINGS = ['no', 'equiv', 'safe', 'same_kind', 'unsafe']


def test_copyto_casting_table():
    # Every (src, dst, casting) combination of array dtypes follows numpy.can_cast.
    for src_dtype in DTYPES:
        src_n, src = _pair((2, 3), src_dtype)
        for dst_dtype in DTYPES:
            for casting in CASTINGS:
                dst = chainerx.zeros((2, 3), dst_dtype)
                if numpy.can_cast(src_dtype, dst_dtype, casting):
                    chainerx.copyto(dst, src, casting=casting)
                    with numpy.errstate(all='ignore'):
                        chainerx.testing.assert_array_equal(dst, src_n.astype(dst_dtype))
                else:
                    with pytest.raises(TypeError):
                        chainerx.copyto(dst, src, casting=casting)
                    assert not chainerx.to_numpy(dst).any()  # nothing written


def test_copyto_default_casting_is_no():
    with pytest.raises(TypeError):
        chainerx.copyto(chainerx.zeros((2,), 'float64'), chainerx.zeros((2,), 'float32'))
    dst = chainerx.zeros((2,), 'float32')
    chainerx.copyto(dst, chainerx.ones((2,), 'float32'))
    chainerx.testing.assert_array_equal(dst, numpy.ones((2,), 'float32'))


@pytest.mark.parametrize('value', [1.5, 1000, -1, True, 3, 0.0, numpy.float64(2.5), numpy.int8(3), numpy.bool_(True)])
@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('casting', CASTINGS)
def test_copyto_scalar(value, dtype, casting):
    # NumPy 2: Python ints and floats are weak (value-based) scalars, bools and NumPy scalars are not.
    expected = numpy.zeros((2, 3), dtype)
    dst = chainerx.zeros((2, 3), dtype)
    try:
        with numpy.errstate(all='ignore'):
            numpy.copyto(expected, value, casting=casting)
    except (TypeError, OverflowError) as e:
        with pytest.raises(type(e)):
            chainerx.copyto(dst, value, casting=casting)
        assert not chainerx.to_numpy(dst).any()
        return
    chainerx.copyto(dst, value, casting=casting)
    chainerx.testing.assert_array_equal(dst, expected)


@pytest.mark.parametrize('dst_layout', ['c', 'f', 'neg', 'step'])
@pytest.mark.parametrize('src_shape', [(2, 3), (3,), (1, 3), (2, 1), (), (1, 2, 3)])
def test_copyto_broadcast_and_layouts(dst_layout, src_shape):
    dst_n, dst = _pair((2, 3), 'float32', dst_layout, seed=1)
    expected = dst_n.copy()
    src_n, src = _pair(src_shape, 'int16', 'neg' if src_shape else 'c', seed=2)
    numpy.copyto(expected, src_n, casting='same_kind')
    chainerx.copyto(dst, src, casting='same_kind')
    chainerx.testing.assert_array_equal(dst, expected)
    numpy.testing.assert_array_equal(dst_n, expected)  # written in place


@pytest.mark.parametrize('where_shape', [(2, 3), (3,), (2, 1), ()])
@pytest.mark.parametrize('src', ['array', 'scalar'])
def test_copyto_where(where_shape, src):
    mask_n, mask = _pair(where_shape, 'bool_', seed=3)
    expected = _values((2, 3), 'float64', seed=1)
    dst = chainerx.array(expected.copy())
    src_n, src_c = (_pair((2, 3), 'float32', 'f', seed=2) if src == 'array' else (2.5, 2.5))
    numpy.copyto(expected, src_n, casting='same_kind', where=mask_n)
    chainerx.copyto(dst, src_c, casting='same_kind', where=mask)
    chainerx.testing.assert_array_equal(dst, expected)


def test_copyto_where_scalar_and_errors():
    dst = chainerx.zeros((2, 3))
    chainerx.copyto(dst, chainerx.ones((2, 3)), where=False)
    assert not chainerx.to_numpy(dst).any()
    chainerx.copyto(dst, chainerx.ones((2, 3)), where=numpy.array([True, False, True]))
    chainerx.testing.assert_array_equal(dst, numpy.array([[1, 0, 1], [1, 0, 1]], 'float32'))
    with pytest.raises(TypeError):
        chainerx.copyto(dst, chainerx.ones((2, 3)), where=chainerx.ones((2, 3), 'int32'))
    with pytest.raises(TypeError):
        chainerx.copyto(dst, chainerx.ones((2, 3)), where=1)
    with pytest.raises(chainerx.DimensionError):
        chainerx.copyto(dst, chainerx.ones((2, 3)), where=chainerx.ones((3, 3), 'bool_'))


def test_copyto_overlap():
    # src a reversed view of dst: every element is read before it is overwritten.
    n = numpy.arange(6, dtype='float32')
    dst = chainerx.array(n.copy())
    chainerx.copyto(dst, chainerx.flip(dst))
    chainerx.testing.assert_array_equal(dst, n[::-1])
    dst = chainerx.array(n.copy())
    chainerx.copyto(dst, chainerx.flip(dst), where=chainerx.array(n > 2))
    chainerx.testing.assert_array_equal(dst, numpy.where(n > 2, n[::-1], n))


def test_copyto_errors():
    dst = chainerx.zeros((2, 3))
    with pytest.raises(chainerx.DimensionError):
        chainerx.copyto(dst, chainerx.zeros((3, 3)))
    with pytest.raises(chainerx.DimensionError):
        chainerx.copyto(dst, chainerx.zeros((2, 2, 3)))
    with pytest.raises(ValueError):
        chainerx.copyto(dst, chainerx.zeros((2, 3)), casting='bogus')
    with pytest.raises(chainerx.ChainerxError):  # a broadcast view
        chainerx.copyto(chainerx.broadcast_to(chainerx.zeros((3,)), (2, 3)), 1.0)
    with pytest.raises(chainerx.ChainerxError):  # in-place write into an array in a graph
        chainerx.copyto(chainerx.zeros((2, 3)).require_grad(), chainerx.zeros((2, 3)))
    x = chainerx.zeros((2,), 'int8')
    with pytest.raises(OverflowError):
        chainerx.copyto(x, 300, casting='unsafe')


# ---- gradients ---------------------------------------------------------------------------------

# (name, function, input shapes)
GRADIENTS = [
    ('concatenate', lambda a, b: chainerx.concatenate([a, b], 1), [(2, 3), (2, 2)]),
    ('concatenate_same', lambda a: chainerx.concatenate([a, a * a], 0), [(2, 3)]),
    ('concatenate_none', lambda a, b: chainerx.concatenate([a, b], None), [(2, 3), (4,)]),
    ('stack', lambda a, b: chainerx.stack([a, b], -1), [(2, 3), (2, 3)]),
    ('hstack', lambda a, b: chainerx.hstack([a, b]), [(3,), (2,)]),
    ('vstack', lambda a, b: chainerx.vstack([a, b]), [(3,), (2, 3)]),
    ('dstack', lambda a, b: chainerx.dstack([a, b]), [(2, 3), (2, 3, 2)]),
    ('atleast_3d', lambda a: chainerx.atleast_3d(a) * 2, [(3,)]),
    ('split', lambda a: chainerx.split(a, 3, 1), [(2, 6)]),
    ('split_indices', lambda a: chainerx.split(a, [1, 3], 0), [(4, 2)]),
    ('split_overlap', lambda a: chainerx.split(a, [3, 1], 0), [(4, 2)]),
    ('split_unused', lambda a: chainerx.split(a, 2, 0)[1] * a[2:], [(4, 2)]),
    ('flip', lambda a: chainerx.flip(a, (0, 2)), [(2, 3, 2)]),
    ('fliplr', lambda a: chainerx.fliplr(a) * a, [(2, 3)]),
    ('moveaxis', lambda a: chainerx.moveaxis(a, 0, -1), [(2, 3, 2)]),
    ('rollaxis', lambda a: chainerx.rollaxis(a, 2, 0), [(2, 3, 2)]),
    ('repeat', lambda a: chainerx.repeat(a, 2, 1), [(2, 3)]),
    ('repeat_list', lambda a: chainerx.repeat(a, [2, 0, 1], 1), [(2, 3)]),
    ('repeat_flat', lambda a: chainerx.repeat(a, 3), [(2, 3)]),
    ('tile', lambda a: chainerx.tile(a, (2, 1, 2)), [(2, 3)]),
    ('roll', lambda a: chainerx.roll(a, (1, -1), (0, 1)), [(2, 3)]),
    ('roll_flat', lambda a: chainerx.roll(a, 2), [(2, 3)]),
    ('broadcast_arrays', lambda a, b: chainerx.broadcast_arrays(a, b), [(2, 3), (3,)]),
    ('concatenate_of_split', lambda a: chainerx.concatenate(chainerx.split(a, 2, 0)[::-1], 1), [(4, 2)]),
]


def _outputs(result):
    return list(result) if isinstance(result, (list, tuple)) else [result]


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('name,func,shapes', GRADIENTS, ids=[row[0] for row in GRADIENTS])
def test_gradients(name, func, shapes, dtype):
    xs = tuple(_random(s, dtype, seed=i) for i, s in enumerate(shapes))
    ys = _outputs(func(*xs))
    gys = tuple(_random(y.shape, y.dtype, seed=10 + i) for i, y in enumerate(ys))
    chainerx.check_backward(lambda xs: func(*xs), xs, gys, **TOLERANCES[dtype])
    ggxs = tuple(_random(x.shape, dtype, seed=20 + i) for i, x in enumerate(xs))
    chainerx.check_double_backward(lambda xs: func(*xs), xs, gys, ggxs, **DOUBLE_TOLERANCES[dtype])


def test_concatenate_mixed_dtype_gradient():
    a = chainerx.ones((2,), 'float16').require_grad()
    b = chainerx.ones((3,), 'float64').require_grad()
    c = chainerx.ones((1,), 'int32')
    y = chainerx.concatenate([a, b, c])
    assert y.dtype == numpy.float64
    (y * chainerx.arange(6, dtype='float64')).backward()
    assert a.grad.dtype == numpy.float16 and b.grad.dtype == numpy.float64
    chainerx.testing.assert_array_equal(a.grad, numpy.array([0, 1], 'float16'))
    chainerx.testing.assert_array_equal(b.grad, numpy.array([2, 3, 4], 'float64'))


def test_no_graph_for_int_inputs():
    y = chainerx.concatenate([chainerx.ones((2,), 'int32'), chainerx.ones((2,), 'int32')])
    assert not y.is_backprop_required()


# ---- cumsum, nansum, nanargmax, nanargmin --------------------------------------------------

def _int64_for_ints(dtype):
    return numpy.dtype(dtype) if numpy.dtype(dtype).kind == 'f' else numpy.dtype('int64')


@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('shape,axis', [((5,), 0), ((3, 4), None), ((3, 4), 0), ((3, 4), -1), ((2, 3, 4), 1), ((), None),
                                        ((0, 3), 0), ((0, 3), 1)])
@pytest.mark.parametrize('layout', ['c', 'f', 'neg'])
def test_cumsum(dtype, shape, axis, layout):
    n, c = _pair(shape, dtype, layout)
    # NumPy accumulates sequentially in the result dtype (float16 rounds at each step), as chainerx does;
    # uint8 gives uint64 there and int64 here (chainerx has no uint64).
    _check(chainerx.cumsum(c, axis), numpy.cumsum(n, axis, dtype=_int64_for_ints(dtype)))


def test_cumsum_large():
    n, c = _pair((300, 500), 'float64', 'f')
    for axis in (0, 1):
        chainerx.testing.assert_allclose(chainerx.cumsum(c, axis), numpy.cumsum(n, axis), rtol=1e-12, atol=1e-9)


def test_cumsum_errors():
    with pytest.raises(chainerx.DimensionError):
        chainerx.cumsum(chainerx.zeros((2, 3)), 2)


def _with_nans(shape, dtype, seed=0):
    n = _values(shape, dtype, seed)
    if n.dtype.kind == 'f' and n.size:
        n.reshape(-1)[::3] = numpy.nan
    return n


@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('shape,axis,keepdims', [((7,), None, False), ((3, 4), 0, False), ((3, 4), (0, 1), True),
                                                 ((2, 3, 4), -1, True), ((0, 3), 0, False), ((), None, False)])
def test_nansum(dtype, shape, axis, keepdims):
    n = _with_nans(shape, dtype)
    expected = numpy.nansum(n.astype(_int64_for_ints(dtype)) if n.dtype.kind != 'f' else n.astype('float64'),
                            axis=axis, keepdims=keepdims)
    out = chainerx.nansum(chainerx.array(n), axis, keepdims)
    assert out.dtype == _int64_for_ints(dtype)
    assert out.shape == expected.shape
    tol = 1e-2 if dtype == 'float16' else 1e-6
    chainerx.testing.assert_allclose(out, expected.astype(out.dtype), rtol=tol, atol=tol)


@pytest.mark.parametrize('name', ['nanargmax', 'nanargmin'])
@pytest.mark.parametrize('dtype', ['int8', 'uint8', 'float16', 'float32', 'float64'])
@pytest.mark.parametrize('shape,axis', [((7,), None), ((3, 4), 0), ((3, 4), -1), ((2, 3, 4), None)])
def test_nanargmax_nanargmin(name, dtype, shape, axis):
    n = _with_nans(shape, dtype, seed=4)
    out = getattr(chainerx, name)(chainerx.array(n), axis)
    _check(out, numpy.asarray(getattr(numpy, name)(n, axis)).astype('int64'))


def test_nanarg_errors():
    with pytest.raises(ValueError):
        chainerx.nanargmax(chainerx.array([numpy.nan, numpy.nan]))
    with pytest.raises(ValueError):
        chainerx.nanargmin(chainerx.array([[1.0, numpy.nan], [numpy.nan, numpy.nan]]), 1)
    with pytest.raises(chainerx.DimensionError):
        chainerx.nanargmax(chainerx.zeros((0,)))


CUMULATIVE_GRADIENTS = [
    ('cumsum', lambda a: chainerx.cumsum(a, 1), [(2, 3)]),
    ('cumsum_flat', lambda a: chainerx.cumsum(a) * chainerx.cumsum(a), [(2, 3)]),
    ('nansum', lambda a: chainerx.nansum(a * a, 0), [(2, 3)]),
]


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('name,func,shapes', CUMULATIVE_GRADIENTS, ids=[row[0] for row in CUMULATIVE_GRADIENTS])
def test_cumulative_gradients(name, func, shapes, dtype):
    test_gradients(name, func, shapes, dtype)


def test_nansum_gradient_skips_nans():
    x = chainerx.array([1.0, numpy.nan, 2.0]).require_grad()
    chainerx.nansum(x).backward()
    chainerx.testing.assert_array_equal(x.grad, numpy.array([1.0, 0.0, 1.0]))
