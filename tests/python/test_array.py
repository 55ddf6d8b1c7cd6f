import copy
import pickle

import numpy
import pytest

import chainerx
from chainerx.testing import assert_array_equal_ex

shapes = [(), (0,), (1,), (2, 3), (2, 0, 3)]


def make(shape, dtype='float32'):
    return numpy.arange(numpy.prod(shape, dtype=int)).reshape(shape).astype(dtype)


@pytest.mark.parametrize('shape', shapes)
@pytest.mark.parametrize('dtype', chainerx.testing.all_dtypes)
def test_properties(shape, dtype):
    n = make(shape, dtype)
    a = chainerx.array(n)
    assert a.shape == n.shape
    assert a.dtype == n.dtype
    assert a.dtype == getattr(chainerx, dtype)
    assert a.size == n.size and a.ndim == n.ndim
    assert a.itemsize == n.itemsize and a.nbytes == n.nbytes
    assert a.is_contiguous
    assert a.offset == 0
    assert a.device is chainerx.get_default_device()
    if n.size:
        assert a.strides == n.strides
    assert a.data_size == n.nbytes


def test_ndarray_constructor():
    a = chainerx.ndarray((2, 3), 'int16')
    assert a.shape == (2, 3) and a.dtype == numpy.int16
    b = chainerx.ndarray((2,), chainerx.float32, 'native:1')
    assert b.device.name == 'native:1'


def test_repr():
    a = chainerx.array([[0., 1.], [2., 3.]], 'float32')
    assert repr(a) == ("array([[0., 1.],\n       [2., 3.]], shape=(2, 2), dtype=float32, "
                       "device='native:0')")
    assert repr(chainerx.array(numpy.arange(-3, 4, dtype=numpy.float32))) == (
        "array([-3., -2., -1.,  0.,  1.,  2.,  3.], shape=(7,), dtype=float32, device='native:0')")
    assert repr(chainerx.zeros((0,), 'int32')) == "array([], shape=(0,), dtype=int32, device='native:0')"
    assert repr(chainerx.array(True)) == "array(True, shape=(), dtype=bool, device='native:0')"
    assert repr(chainerx.array([1, 2], 'int8')) == "array([1, 2], shape=(2,), dtype=int8, device='native:0')"


@pytest.mark.parametrize('key', [
    0, -1, 1, slice(None), slice(1, None), slice(None, None, -1), slice(None, None, 2), slice(-2, None, -1),
    (0, 1), (slice(None), 2), (None, 0), (Ellipsis, 1), (1, Ellipsis, None), (slice(5, 1), ), (slice(0, 100),),
    (numpy.int64(1), slice(None, None, -2)), ()])
def test_getitem_basic(key):
    n = make((3, 4))
    a = chainerx.array(n)
    b = a[key]
    assert_array_equal_ex(b, n[key])
    # A view: writing through it changes the base.
    if b.size:
        b.fill(-7)
        assert (chainerx.to_numpy(a) == -7).sum() == b.size


@pytest.mark.parametrize('key', [3, -4, (0, 0, 0), (Ellipsis, Ellipsis), 'a', 1.5])
def test_getitem_bad_keys(key):
    a = chainerx.array(make((3, 4)))
    with pytest.raises(IndexError):
        a[0:1, 0][key] if isinstance(key, tuple) and len(key) == 3 else a[key]


def test_getitem_zero_step():
    with pytest.raises(ValueError):
        chainerx.zeros((3,))[::0]


@pytest.mark.parametrize('key,value', [
    (0, 5.0), ((slice(None), 1), numpy.arange(3.0)), (Ellipsis, numpy.arange(4.0)), ((slice(None, None, -1), 0), 2),
    (slice(1, 2), numpy.ones((1, 4)))])
def test_setitem(key, value):
    n = make((3, 4))
    a = chainerx.array(n)
    chx_value = chainerx.array(value) if isinstance(value, numpy.ndarray) else value
    a[key] = chx_value
    n[key] = value
    assert_array_equal_ex(a, n)


def test_setitem_overlapping():
    n = make((5,))
    a = chainerx.array(n)
    a[1:] = a[:-1]
    n[1:] = n[:-1].copy()
    assert_array_equal_ex(a, n)


def test_setitem_bad_shape():
    a = chainerx.zeros((3, 4))
    with pytest.raises(chainerx.DimensionError):
        a[0] = chainerx.ones((3,))


@pytest.mark.parametrize('shape,newshape', [
    ((2, 3), (3, 2)), ((2, 3), (6,)), ((2, 3), (-1,)), ((2, 3, 4), (6, -1)), ((), (1, 1)), ((0, 3), (3, 0)),
    ((4,), (2, 2, 1)), ((1, 4), (4, 1))])
def test_reshape(shape, newshape):
    n = make(shape)
    a = chainerx.array(n)
    assert_array_equal_ex(a.reshape(newshape), n.reshape(newshape))
    assert_array_equal_ex(chainerx.reshape(a, newshape), n.reshape(newshape))
    assert_array_equal_ex(a.reshape(*newshape), n.reshape(newshape)) if newshape else None


def test_reshape_view_or_copy():
    n = make((4, 6))
    a = chainerx.array(n)
    assert a.reshape(6, 4).data_ptr == a.data_ptr
    t = a.T
    r = t.reshape(24)
    assert_array_equal_ex(r, n.T.reshape(24))
    assert r.data_ptr != a.data_ptr
    s = a[:, ::2]
    assert_array_equal_ex(s.reshape(2, 2, 3), n[:, ::2].reshape(2, 2, 3))


@pytest.mark.parametrize('newshape', [(5,), (-1, -1), (-2, 3), (4, -1)])
def test_reshape_bad(newshape):
    with pytest.raises(chainerx.DimensionError):
        chainerx.zeros((2, 3)).reshape(newshape)


@pytest.mark.parametrize('axes', [None, (1, 0, 2), (2, 0, 1), (-1, 0, 1)])
def test_transpose(axes):
    n = make((2, 3, 4))
    a = chainerx.array(n)
    assert_array_equal_ex(chainerx.transpose(a, axes), numpy.transpose(n, axes))
    if axes is None:
        assert_array_equal_ex(a.T, n.T)
        assert_array_equal_ex(a.transpose(), n.transpose())
    else:
        assert_array_equal_ex(a.transpose(*axes), n.transpose(*axes))
        assert_array_equal_ex(a.transpose(axes), n.transpose(axes))


@pytest.mark.parametrize('axes', [(0, 1), (0, 0, 1), (0, 1, 3)])
def test_transpose_bad(axes):
    with pytest.raises(chainerx.DimensionError):
        chainerx.zeros((2, 3, 4)).transpose(axes)


def test_swapaxes_squeeze_expand_dims_broadcast():
    n = make((2, 1, 3, 1))
    a = chainerx.array(n)
    assert_array_equal_ex(a.swapaxes(0, 2), n.swapaxes(0, 2))
    assert_array_equal_ex(chainerx.swapaxes(a, -1, 1), numpy.swapaxes(n, -1, 1))
    assert_array_equal_ex(a.squeeze(), n.squeeze())
    assert_array_equal_ex(a.squeeze(1), n.squeeze(1))
    assert_array_equal_ex(chainerx.squeeze(a, (1, -1)), numpy.squeeze(n, (1, -1)))
    for axis in (0, 2, 4, -1):
        assert_array_equal_ex(chainerx.expand_dims(a, axis), numpy.expand_dims(n, axis))
    s = n[:, :, ::2]
    assert_array_equal_ex(chainerx.expand_dims(chainerx.array(n)[:, :, ::2], 4), numpy.expand_dims(s, 4))
    assert_array_equal_ex(chainerx.broadcast_to(a, (4, 2, 5, 3, 2)), numpy.broadcast_to(n, (4, 2, 5, 3, 2)))
    with pytest.raises(chainerx.DimensionError):
        a.squeeze(0)
    with pytest.raises(chainerx.DimensionError):
        chainerx.expand_dims(a, 5)
    with pytest.raises(chainerx.DimensionError):
        chainerx.broadcast_to(a, (3, 1, 3, 1))
    with pytest.raises(chainerx.DimensionError):
        a.swapaxes(0, 4)


def test_ravel_flatten():
    n = make((2, 3)).T
    a = chainerx.array(n)
    assert_array_equal_ex(a.ravel(), n.ravel())
    assert_array_equal_ex(chainerx.ravel(a), numpy.ravel(n))
    f = a.flatten()
    assert_array_equal_ex(f, n.flatten())
    f.fill(0)
    assert float(a[1, 1]) != 0


@pytest.mark.parametrize('src', chainerx.testing.all_dtypes)
@pytest.mark.parametrize('dst', chainerx.testing.all_dtypes)
def test_astype(src, dst):
    n = numpy.array([[0, 1, 2], [3, 250, 7]]).astype(src).T
    a = chainerx.array(n)
    assert_array_equal_ex(a.astype(dst), n.astype(dst))
    same = a.astype(src, copy=False)
    assert same.data_ptr == a.data_ptr


def test_astype_float_to_int_edge_values():
    n = numpy.array([-1.7, 1.7, 2.5, -0.0, 127.9])
    for dst in ('int8', 'int32', 'int64', 'uint8', 'bool'):
        assert_array_equal_ex(chainerx.array(n).astype(dst), n.astype(dst))


def test_copy_and_view():
    n = make((3, 4))[::2, ::-1]
    a = chainerx.array(n)
    c = a.copy()
    assert_array_equal_ex(c, n.copy())
    assert c.data_ptr != a.data_ptr
    assert_array_equal_ex(chainerx.copy(a), numpy.copy(n))
    v = a.view()
    assert v.data_ptr == a.data_ptr and v.strides == a.strides


@pytest.mark.parametrize('dtype,value', [('float32', 1.5), ('int8', -3), ('bool', True), ('uint8', 7), ('float16', 2.0)])
def test_fill_and_item(dtype, value):
    a = chainerx.zeros((2, 2), dtype)
    a.fill(value)
    assert_array_equal_ex(a, numpy.full((2, 2), value, dtype))
    item = a[1, 1].item()
    assert item == value and type(item) is type(numpy.array(value, dtype).item())


def test_scalar_conversions():
    a = chainerx.array([3.25], 'float32')
    assert float(a) == 3.25 and int(a) == 3 and bool(a)
    assert not bool(chainerx.zeros((1, 1)))
    with pytest.raises(chainerx.DimensionError):
        float(chainerx.zeros((2,)))
    with pytest.raises(chainerx.DimensionError):
        chainerx.zeros((0,)).item()
    assert len(chainerx.zeros((4, 2))) == 4
    with pytest.raises(TypeError):
        len(chainerx.array(1.0))


def test_tolist_and_iteration():
    n = make((2, 3), 'int32')
    a = chainerx.array(n)
    assert a.tolist() == n.tolist()
    assert [row.tolist() for row in a] == n.tolist()


@pytest.mark.parametrize('dtype', chainerx.testing.all_dtypes)
def test_pickle_and_deepcopy(dtype):
    a = chainerx.array(make((2, 3), dtype)).T
    b = pickle.loads(pickle.dumps(a))
    assert_array_equal_ex(b, a, strides_check=False)
    assert b.device is a.device
    c = copy.deepcopy(a)
    assert_array_equal_ex(c, a, strides_check=False)
    assert c.data_ptr != a.data_ptr


def test_negative_shape():
    with pytest.raises(chainerx.DimensionError):
        chainerx.zeros((2, -1))


def test_too_many_dimensions():
    with pytest.raises(chainerx.DimensionError):
        chainerx.zeros((1,) * 11)
