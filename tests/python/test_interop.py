import numpy
import pytest

import chainerx


def test_array_copy_false_shares_memory_and_strides():
    n = numpy.arange(12, dtype=numpy.float32).reshape(3, 4)[:, ::2]
    a = chainerx.array(n, copy=False)
    assert a.strides == n.strides
    assert a.data_ptr == n.ctypes.data
    n[0, 0] = 100
    assert float(a[0, 0]) == 100


def test_negative_strides_are_kept():
    n = numpy.arange(6.0)[::-1]
    a = chainerx.array(n, copy=False)
    assert a.strides == (-8,)
    chainerx.testing.assert_array_equal(a, n)


def test_array_copy_true_copies():
    n = numpy.arange(4, dtype=numpy.int32)
    a = chainerx.array(n)
    n[0] = 7
    assert int(a[0]) == 0


def test_to_numpy_shares_memory():
    a = chainerx.arange(6, dtype='float64').reshape(2, 3)
    n = chainerx.to_numpy(a, copy=False)
    assert n.ctypes.data == a.data_ptr
    n[1, 2] = -1
    assert float(a[1, 2]) == -1
    m = chainerx.to_numpy(a)
    m[0, 0] = 5
    assert float(a[0, 0]) == 0


def test_to_numpy_keeps_array_alive():
    n = chainerx.to_numpy(chainerx.arange(1000, dtype='int64'), copy=False)
    numpy.testing.assert_array_equal(n, numpy.arange(1000))


def test_numpy_memory_outlives_numpy_object():
    a = chainerx.array(numpy.arange(5.0), copy=False)
    import gc
    gc.collect()
    chainerx.testing.assert_array_equal(a, numpy.arange(5.0))


def test_an_array_stored_on_the_object_that_owns_its_memory_is_collected():
    # owner -> a (a Python attribute) -> a's memory -> owner's buffer: the cycle collector sees the last edge
    # through ndarray's traversal, as long as a alone holds that memory.
    import gc
    import weakref

    class Owner(numpy.ndarray):
        pass

    owner = numpy.arange(4.0).view(Owner)
    a = chainerx.array(owner, copy=False)
    assert a.data_ptr == owner.ctypes.data
    owner.keep = a
    ref = weakref.ref(owner)
    del owner, a
    gc.collect()
    assert ref() is None

    owner = numpy.arange(4.0).view(Owner)
    owner.keep = chainerx.array(owner, copy=False)
    view = owner.keep[1:]  # shares the memory: the edge is not followed, nothing is freed under it
    ref = weakref.ref(owner)
    del owner
    gc.collect()
    assert ref() is not None
    chainerx.testing.assert_array_equal(view, numpy.arange(1.0, 4.0))


def test_buffer_protocol_and_array_interface():
    a = chainerx.arange(6, dtype='int16').reshape(2, 3)
    view = memoryview(a)
    assert view.format == 'h' and view.shape == (2, 3) and view.strides == (6, 2)
    n = numpy.asarray(a)
    assert n.dtype == numpy.int16 and n.ctypes.data == a.data_ptr
    numpy.testing.assert_array_equal(numpy.array(a, dtype=numpy.float64), numpy.arange(6).reshape(2, 3))


def test_dlpack_both_ways():
    n = numpy.arange(6, dtype=numpy.float32).reshape(2, 3)
    a = chainerx.from_dlpack(n)
    assert a.data_ptr == n.ctypes.data and a.shape == (2, 3)
    assert a.__dlpack_device__() == (1, 0)
    back = numpy.from_dlpack(a)
    assert back.ctypes.data == a.data_ptr
    numpy.testing.assert_array_equal(back, n)
    c = chainerx.from_dlpack(a)
    assert c.data_ptr == a.data_ptr


@pytest.mark.parametrize('dtype', chainerx.testing.all_dtypes)
def test_roundtrip_all_dtypes(dtype):
    n = (numpy.arange(6) % 3).astype(dtype).reshape(3, 2)
    a = chainerx.array(n)
    assert a.dtype == n.dtype
    back = chainerx.to_numpy(a)
    assert back.dtype == n.dtype
    numpy.testing.assert_array_equal(back, n)


def test_bfloat16_roundtrip():
    ml_dtypes = pytest.importorskip('ml_dtypes')
    n = numpy.array([1.5, -2.0, 3.25], dtype=ml_dtypes.bfloat16)
    a = chainerx.array(n)
    assert a.dtype == numpy.dtype(ml_dtypes.bfloat16)
    assert a.itemsize == 2
    numpy.testing.assert_array_equal(chainerx.to_numpy(a).astype(numpy.float32), n.astype(numpy.float32))
    b = chainerx.array([1.0, 2.0, 3.0], dtype='bfloat16') * 2
    numpy.testing.assert_array_equal(chainerx.to_numpy(b).astype(numpy.float32), [2, 4, 6])


@pytest.mark.parametrize('obj', [numpy.array(['a']), numpy.array([1 + 2j]), numpy.array([1], dtype=numpy.uint32)])
def test_unsupported_numpy_dtypes(obj):
    with pytest.raises(chainerx.DtypeError):
        chainerx.array(obj)
