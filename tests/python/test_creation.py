import numpy
import pytest

import chainerx
from chainerx.testing import assert_array_equal_ex, assert_allclose_ex


@pytest.mark.parametrize('shape', [(), 0, 3, (2, 3), (2, 0, 3)])
@pytest.mark.parametrize('dtype', [None, 'int8', 'bool', chainerx.float64, numpy.dtype('uint8'), 'f'])
def test_empty_zeros_ones(shape, dtype):
    expected_dtype = 'float32' if dtype is None else dtype  # ChainerX defaults to float32
    assert_array_equal_ex(chainerx.zeros(shape, dtype), numpy.zeros(shape, expected_dtype))
    assert_array_equal_ex(chainerx.ones(shape, dtype), numpy.ones(shape, expected_dtype))
    e = chainerx.empty(shape, dtype)
    assert e.shape == numpy.empty(shape).shape and e.dtype == numpy.dtype(expected_dtype)


@pytest.mark.parametrize('value,dtype', [(3, None), (2.5, None), (True, None), (7, 'float16'), (-1.5, 'int8'),
                                         (255, 'uint8'), (numpy.float32(1.25), None)])
def test_full(value, dtype):
    assert_array_equal_ex(chainerx.full((2, 3), value, dtype), numpy.full((2, 3), value, dtype))
    assert_array_equal_ex(chainerx.full((), value, dtype), numpy.full((), value, dtype))


def test_like():
    n = numpy.arange(6, dtype='int16').reshape(2, 3)
    a = chainerx.array(n)
    for chx_f, np_f in ((chainerx.zeros_like, numpy.zeros_like), (chainerx.ones_like, numpy.ones_like)):
        assert_array_equal_ex(chx_f(a), np_f(n))
    assert_array_equal_ex(chainerx.full_like(a, 9), numpy.full_like(n, 9))
    e = chainerx.empty_like(a)
    assert e.shape == (2, 3) and e.dtype == numpy.int16
    assert chainerx.zeros_like(a, device='native:1').device.name == 'native:1'


@pytest.mark.parametrize('args,kwargs', [
    ((5,), {}), ((2, 8), {}), ((2, 8, 3), {}), ((8, 2, -2), {}), ((0.5, 3.0, 0.25), {}), ((5,), {'dtype': 'float32'}),
    ((1, 10, 2.5), {}), ((10, 2), {}), ((3,), {'dtype': 'int8'}), ((-3.5, 2), {}), ((True,), {})])
def test_arange(args, kwargs):
    assert_array_equal_ex(chainerx.arange(*args, **kwargs), numpy.arange(*args, **kwargs))


def test_arange_zero_step():
    with pytest.raises(chainerx.ChainerxError):
        chainerx.arange(0, 5, 0)


@pytest.mark.parametrize('args,kwargs', [
    ((0, 1), {}), ((0, 1, 5), {}), ((2, -3, 7), {'endpoint': False}), ((0, 10, 1), {}), ((0, 10, 0), {}),
    ((1, 4, 4), {'dtype': 'float32'}), ((0, 100, 11), {'dtype': 'int32'})])
def test_linspace(args, kwargs):
    assert_allclose_ex(chainerx.linspace(*args, **kwargs), numpy.linspace(*args, **kwargs), rtol=1e-12)


def test_linspace_negative_num():
    with pytest.raises(chainerx.ChainerxError):
        chainerx.linspace(0, 1, -1)


@pytest.mark.parametrize('n,m,k', [(3, None, 0), (3, 4, 1), (4, 2, -1), (0, None, 0), (3, 3, 5)])
def test_eye_tri(n, m, k):
    assert_array_equal_ex(chainerx.eye(n, m, k), numpy.eye(n, m, k))
    assert_array_equal_ex(chainerx.eye(n, m, k, 'int32'), numpy.eye(n, m, k, 'int32'))
    assert_array_equal_ex(chainerx.tri(n, m, k), numpy.tri(n, m, k, 'float32'))
    assert_array_equal_ex(chainerx.identity(n), numpy.identity(n, 'float32'))


@pytest.mark.parametrize('shape', [(3, 3), (2, 4), (4, 2), (2, 3, 3)])
@pytest.mark.parametrize('k', [0, 1, -1, 5])
def test_tril_triu(shape, k):
    n = numpy.arange(numpy.prod(shape)).reshape(shape).astype('float32') + 1
    a = chainerx.array(n)
    assert_array_equal_ex(chainerx.tril(a, k), numpy.tril(n, k))
    assert_array_equal_ex(chainerx.triu(a, k), numpy.triu(n, k))


def test_tril_bad():
    with pytest.raises(chainerx.DimensionError):
        chainerx.tril(chainerx.ones((3,)))


@pytest.mark.parametrize('shape', [(3,), (3, 3), (2, 4), (4, 2), (0,)])
@pytest.mark.parametrize('k', [0, 1, -2])
def test_diag_diagflat(shape, k):
    n = numpy.arange(numpy.prod(shape)).reshape(shape).astype('int32')
    a = chainerx.array(n)
    assert_array_equal_ex(chainerx.diag(a, k), numpy.diag(n, k))
    assert_array_equal_ex(chainerx.diagflat(a, k), numpy.diagflat(n, k))


def test_diag_bad():
    with pytest.raises(chainerx.DimensionError):
        chainerx.diag(chainerx.ones((2, 2, 2)))


@pytest.mark.parametrize('indexing', ['xy', 'ij'])
def test_meshgrid(indexing):
    xs = [numpy.arange(3.0), numpy.arange(4.0) * 2, numpy.arange(2.0) - 1]
    for count in (1, 2, 3):
        got = chainerx.meshgrid(*[chainerx.array(x) for x in xs[:count]], indexing=indexing)
        expected = numpy.meshgrid(*xs[:count], indexing=indexing)
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            assert_array_equal_ex(g, e, strides_check=False)


def test_array_from_lists_and_scalars():
    assert_array_equal_ex(chainerx.array([[1, 2], [3, 4]]), numpy.array([[1, 2], [3, 4]]))
    assert_array_equal_ex(chainerx.array([1.5, 2.5]), numpy.array([1.5, 2.5]))
    assert_array_equal_ex(chainerx.array([1, 2], dtype='float16'), numpy.array([1, 2], dtype='float16'))
    assert_array_equal_ex(chainerx.array(2.0), numpy.array(2.0))
    assert_array_equal_ex(chainerx.array(True), numpy.array(True))
    assert chainerx.array([1, 2], device='native:1').device.name == 'native:1'


def test_array_from_chainerx_array():
    a = chainerx.arange(4, dtype='int32')
    b = chainerx.array(a)
    assert b.data_ptr != a.data_ptr
    c = chainerx.array(a, copy=False)
    assert c.data_ptr == a.data_ptr
    d = chainerx.asarray(a)
    assert d.data_ptr == a.data_ptr
    e = chainerx.asarray(a, dtype='float64')
    assert e.dtype == numpy.float64


def test_ascontiguousarray():
    n = numpy.arange(6.0).reshape(2, 3).T
    a = chainerx.ascontiguousarray(chainerx.array(n))
    assert a.is_contiguous
    assert_array_equal_ex(a, numpy.ascontiguousarray(n))
    b = chainerx.ascontiguousarray(chainerx.array(n), dtype='float32')
    assert_array_equal_ex(b, numpy.ascontiguousarray(n, dtype='float32'))


def test_frombuffer():
    raw = numpy.arange(6, dtype='float32').tobytes()
    assert_array_equal_ex(chainerx.frombuffer(raw), numpy.frombuffer(raw, 'float32'))
    assert_array_equal_ex(chainerx.frombuffer(raw, 'int16', 4, 2), numpy.frombuffer(raw, 'int16', 4, 2))


def test_python_level_creation():
    assert_array_equal_ex(chainerx.fromfunction(lambda i, j: i + j, (2, 3)),
                          numpy.fromfunction(lambda i, j: i + j, (2, 3)))
    assert_array_equal_ex(chainerx.fromiter(range(4), 'int32'), numpy.fromiter(range(4), 'int32'))
    assert_array_equal_ex(chainerx.asanyarray([1, 2]), numpy.asanyarray([1, 2]))


def test_copy_function():
    n = numpy.arange(6.0).reshape(2, 3)[:, ::-1]
    assert_array_equal_ex(chainerx.copy(chainerx.array(n)), numpy.copy(n))


@pytest.mark.parametrize('spec', ['float32', 'f', numpy.float32, numpy.dtype('float32'), chainerx.float32])
def test_dtype_specifiers(spec):
    assert chainerx.zeros((1,), spec).dtype == numpy.float32


def test_python_type_specifiers():
    assert chainerx.zeros((1,), bool).dtype == numpy.bool_
    assert chainerx.zeros((1,), int).dtype == numpy.int64
    assert chainerx.zeros((1,), float).dtype == numpy.float64
    assert chainerx.zeros((1,), 'bool_').dtype == numpy.bool_


@pytest.mark.parametrize('spec', ['float128x', 'complex64', 'uint32', object])
def test_bad_dtype(spec):
    with pytest.raises(chainerx.DtypeError):
        chainerx.zeros((1,), spec)


def test_bad_shape_and_device_arguments():
    with pytest.raises(TypeError):
        chainerx.zeros('abc')
    with pytest.raises(chainerx.DeviceError):
        chainerx.zeros((1,), device='native:9')


@pytest.mark.parametrize('make', [
    lambda: chainerx.array([1, 2]),
    lambda: chainerx.array(numpy.ones(2), copy=False),
    lambda: chainerx.asarray([1.0, 2.0]),
    lambda: chainerx.asarray(numpy.ones(2)),
    lambda: chainerx.asanyarray(3.0),
    lambda: chainerx.ascontiguousarray(numpy.ones((2, 2)).T),
    lambda: chainerx.frombuffer(b'\x00' * 8),
    lambda: chainerx.fromfunction(lambda i: i, (3,)),
], ids=['array', 'array_nocopy', 'asarray_list', 'asarray_numpy', 'asanyarray', 'ascontiguousarray', 'frombuffer',
        'fromfunction'])
def test_new_arrays_go_to_the_default_device(make):
    # As in ChainerX: input that is not an ndarray goes to the default device, not to native:0.
    with chainerx.using_device('native:1'):
        a = make()
    assert a.device is chainerx.get_device('native:1')
    assert make().device is chainerx.get_device('native:0')


def test_an_ndarray_keeps_its_device_and_numpy_memory_is_shared_on_native_0():
    x = chainerx.array([1.0], device='native:2')
    with chainerx.using_device('native:1'):
        assert chainerx.asarray(x) is x or chainerx.asarray(x).device is x.device
        assert chainerx.array(x).device is x.device
    n = numpy.zeros(3)
    a = chainerx.asarray(n)
    n[0] = 5
    assert chainerx.to_numpy(a)[0] == 5  # no copy on native:0
