"""Hardening: no input may crash, hang, corrupt memory or silently give a wrong answer.

Sizes, shapes, axes, indices, steps and counts from a user are checked before anything is allocated
or written (overflow included), and bad input raises the exception NumPy raises. Reproducers that
could hang run in a subprocess with a timeout, so that a regression fails instead of stalling.
"""
import math
import subprocess
import sys
import textwrap

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chainerx as chx

TOO_BIG = 'array is too big'


# For the scripts of _run_isolated: exits scope s on a new thread (then calls after there), returning the
# RuntimeErrors the exit raised.
_EXIT_ON_ANOTHER_THREAD = '''
def exit_on_another_thread(s, after=None):
    errors = []
    def leave():
        try:
            s.__exit__(None, None, None)
        except RuntimeError as e:
            errors.append(e)
        if after:
            after()
    t = threading.Thread(target=leave)
    t.start()
    t.join()
    return errors
'''


def _run_isolated(code, timeout=120):
    """Runs `code` in a fresh interpreter; returns its stdout (fails on a crash or a hang)."""
    code = textwrap.dedent(code).replace('EXIT_ON_ANOTHER_THREAD\n', _EXIT_ON_ANOTHER_THREAD)
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


# ---- 1. Element and byte counts are checked in one place ------------------------------------------

@pytest.mark.parametrize('make', [
    lambda: chx.zeros((2**62,)),
    lambda: chx.ones((2**31, 2**31)),
    lambda: chx.zeros((2**32, 2**32)),  # the count wraps to 0
    lambda: chx.empty((2**61,)),
    lambda: chx.zeros((0, 2**62)),  # NumPy's rule: the nonzero dimensions times itemsize must fit
    lambda: chx.full((2**40, 2**40), 1.0),
    lambda: chx.random.normal(size=(2**62,)),
    lambda: chx.random.uniform(size=(2**62,)),
    lambda: chx.diag(chx.array([1., 2.]), 2**62),
    lambda: chx.diag(chx.array([1., 2.]), -2**63),
    lambda: chx.tile(chx.array([1.0]), (2**62, 2**62)),
    lambda: chx.tile(chx.array([1.0]), (2**32, 2**32)),
    lambda: chx.eye(2**32),
    lambda: chx.identity(2**32),
    lambda: chx.tri(2**63 - 1),
    lambda: chx.broadcast_to(chx.array([1.]), (2**31,) * 3),
    lambda: chx.broadcast_to(chx.array([1.]), (2**31,) * 2),  # 2**62 elements of 8 bytes
    lambda: chx.zeros((0,)).reshape(-1, 2**32, 2**32),
    lambda: chx.zeros((0,)).reshape(0, 2**62, 2),
    lambda: chx.repeat(chx.array([1.]), 2**62),
    lambda: chx.repeat(chx.array([1., 2.]), [2**62, 2**62]),
    lambda: chx.linspace(0, 1, 2**62),
    lambda: chx.arange(0, 2**62),
    lambda: chx.arange(0.0, math.inf),
])
def test_too_big_is_value_error(make):
    with pytest.raises(ValueError):
        make()


def test_too_big_message_is_numpys():
    with pytest.raises(ValueError, match=TOO_BIG):
        chx.zeros((2**62,))


def test_wrapped_size_cannot_write_or_read_out_of_bounds():
    # These used to succeed with size 0 and then write or read outside the buffer.
    with pytest.raises(ValueError):
        r = chx.zeros((2**32, 2**32))
        r[5, 5] = 1.0
    with pytest.raises(ValueError):
        chx.eye(2**32)[2**31, 2**31]


def test_failed_allocation_is_memory_error():
    with pytest.raises(MemoryError):
        chx.empty((2**60,), 'int8')  # fits in int64, but no machine has an exabyte


def test_huge_dimensions_python_ints():
    with pytest.raises(ValueError):
        chx.zeros((2**64,))
    with pytest.raises(ValueError):
        chx.zeros((3,)).reshape(2**64)
    with pytest.raises(TypeError):
        chx.zeros((3,)).reshape(3.0, 1)


def test_legal_extremes_still_work():
    # Zero-size shapes whose nonzero dimensions fit, views of huge logical size that fit, and
    # diagonal offsets far outside the matrix give NumPy's answers.
    assert chx.zeros((0, 2**59)).shape == (0, 2**59)
    assert chx.zeros((0, 2**62), 'int8').shape == (0, 2**62)
    assert chx.broadcast_to(chx.array([2.]), (2**40, 2**19)).shape == (2**40, 2**19)
    m = numpy.arange(12.).reshape(3, 4)
    for k in (-2**63, -2**62, -4, -3, 0, 3, 4, 2**62, 2**63 - 1):
        kn = max(-3, min(4, k))  # the same triangle and diagonal; NumPy's own tri overflows on huge k
        numpy.testing.assert_array_equal(chx.to_numpy(chx.tril(chx.array(m), k)), numpy.tril(m, kn))
        numpy.testing.assert_array_equal(chx.to_numpy(chx.triu(chx.array(m), k)), numpy.triu(m, kn))
        numpy.testing.assert_array_equal(chx.to_numpy(chx.diag(chx.array(m), k)), numpy.diag(m, kn))
        numpy.testing.assert_array_equal(chx.to_numpy(chx.tri(3, 4, k)), numpy.tri(3, 4, kn))
    assert chx.tile(chx.array([1.0]), (0, 2**59)).shape == (0, 2**59)
    with pytest.raises(ValueError):
        chx.tile(chx.array([1.0]), (0, 2**62))  # NumPy refuses it too


# ---- 2. Hangs ---------------------------------------------------------------------------------------

def test_pooling_with_huge_windows_returns():
    out = _run_isolated('''
        import chainerx as chx
        for f in (chx.max_pool, chx.average_pool):
            for args in [(2**63 - 1,), (2, 2**63 - 1), (2, 1, 2**62), (2**62, 1, 2**63 - 1)]:
                try:
                    f(chx.ones((1, 1, 4, 4)), *args)
                    print('returned')
                except (chx.DimensionError, ValueError) as e:
                    print(type(e).__name__)
        # A window of 2**61 columns that is mostly padding: each output covers the whole row.
        y = chx.max_pool(chx.ones((1, 1, 4, 4)), (1, 2**61), 1, (0, 2**60))
        print(y.shape, float(y.min()), float(y.max()))
        y = chx.average_pool(chx.ones((1, 1, 4, 4)), (1, 2**61), 1, (0, 2**60))
        print(y.shape, float(y.min()), float(y.max()))
    ''')
    lines = out.strip().split('\n')
    assert all(line in ('DimensionError', 'ValueError', 'returned') for line in lines[:8]), out
    assert lines[8] == '(1, 1, 4, 5) 1.0 1.0', out
    assert lines[9] == '(1, 1, 4, 5) 1.0 1.0', out


def test_conv_with_huge_stride_and_pad():
    x = chx.ones((1, 1, 4, 4))
    w = chx.ones((1, 1, 2, 2))
    y = chx.conv(x, w, stride=2**62)
    assert y.shape == (1, 1, 1, 1)
    with pytest.raises((chx.DimensionError, ValueError)):
        chx.conv(x, w, pad=2**62)
    with pytest.raises((chx.DimensionError, ValueError)):
        chx.conv_transpose(x, w, stride=2**62)


def test_array_split_with_huge_count_returns():
    out = _run_isolated('''
        import chainerx as chx
        try:
            chx.array_split(chx.zeros((4, 0)), 2**40)
        except ValueError as e:
            print('ValueError')
    ''')
    assert out.strip() == 'ValueError'
    # Counts beyond the axis within reason still give NumPy's empty sections.
    parts = chx.array_split(chx.zeros((4,)), 6)
    assert [p.shape for p in parts] == [p.shape for p in numpy.array_split(numpy.zeros(4), 6)]


# ---- 3. Slices and keys -----------------------------------------------------------------------------

@pytest.mark.parametrize('key', [
    slice(None, None, 2**63 - 1),
    slice(None, None, -2**63),
    slice(None, None, -2**63 + 1),
    slice(2**64, None),
    slice(-2**64, None),
    slice(None, 2**64, 2**64),
    slice(None, -2**64, -2**64),
    slice(2**63 - 1, -2**63, -1),
    (slice(None), slice(None, None, -2**63)),
])
def test_extreme_slices(key):
    a = numpy.arange(12).reshape(3, 4)
    numpy.testing.assert_array_equal(chx.to_numpy(chx.arange(12).reshape(3, 4)[key]), a[key])
    assert chx.arange(12).reshape(3, 4)[key].shape == a[key].shape


@pytest.mark.parametrize('key', [2**64, -2**64, 2**63 - 1, -2**63, (0, 2**100)])
def test_huge_integer_index_is_index_error(key):
    with pytest.raises(IndexError):
        chx.arange(12).reshape(3, 4)[key]


def test_zero_slice_step_is_value_error():
    with pytest.raises(ValueError):
        chx.arange(3)[::0]


def test_bad_operands_are_type_errors():
    with pytest.raises(TypeError):
        chx.einsum('i', 'x')
    with pytest.raises(TypeError):
        chx.meshgrid(chx.arange(2), 'x')


def test_iterating_a_0d_array_is_type_error():
    with pytest.raises(TypeError, match='0-d'):
        list(chx.array(5.0))
    assert [float(v) for v in chx.array([1.0, 2.0])] == [1.0, 2.0]


def test_huge_axis_is_an_error():
    with pytest.raises((OverflowError, ValueError)):
        chx.sum(chx.ones((3,)), axis=2**64)


# ---- 4. prod's gradient -----------------------------------------------------------------------------

def test_prod_backward():
    x = chx.array([1., 2., 3.]).require_grad()
    chx.prod(x).backward()
    numpy.testing.assert_allclose(chx.to_numpy(x.grad), [6., 3., 2.])


def _product_of_others(xs, axis):
    """d prod(xs, axis) / d xs[i] summed over the outputs: the product of the other elements."""
    axes = range(xs.ndim) if axis is None else ((axis,) if isinstance(axis, int) else axis)
    out = numpy.zeros_like(xs)
    for index in numpy.ndindex(xs.shape):
        masked = xs.copy()
        masked[index] = 1.0
        g = numpy.prod(masked, axis=axis)
        out[index] = g[tuple(i for d, i in enumerate(index) if d not in axes)]
    return out


@pytest.mark.parametrize('values,axis', [
    ([[1.5, 0., 3.], [0., 0., 2.], [1., 2., -3.], [0., 0., 0.]], 1),
    ([[1.5, 0., 3.], [0., 0., 2.], [1., 2., -3.], [0., 0., 0.]], 0),
    ([[1.5, 0., 3.], [0., 0., 2.], [1., 2., -3.], [0., 0., 0.]], None),
    ([[1.5, 0.5, 3.], [0.25, 1., 2.]], None),
    ([[1.5, 0., 3.], [0.25, 1., 2.]], (0, 1)),
    ([0.], None),
    ([], None),
])
def test_prod_gradients_with_zeros(values, axis):
    xs = numpy.array(values, 'float64')
    x = chx.array(xs)
    xg = x.copy().require_grad()
    chx.prod(xg, axis=axis).backward()  # the output is seeded with ones
    numpy.testing.assert_allclose(chx.to_numpy(xg.grad), _product_of_others(xs, axis))

    def f(a):
        return chx.prod(a, axis=axis)

    y = f(x)
    gy = chx.array(numpy.linspace(0.5, 1.5, y.size).reshape(y.shape))
    chx.check_backward(lambda xs: f(*xs), (x,), (gy,), eps=1e-3, atol=1e-7, rtol=1e-6)
    ggx = chx.array(numpy.linspace(-1.0, 1.0, x.size).reshape(x.shape))
    chx.check_double_backward(lambda xs: f(*xs), (x,), (gy,), (ggx,), eps=1e-3, atol=1e-7, rtol=1e-6)


# ---- 5. Python ints beyond the array's dtype ---------------------------------------------------------

@pytest.mark.parametrize('f', [
    lambda m: m.array([0, 200], 'uint8') > -1,
    lambda m: m.array([0, 200], 'uint8') >= -1,
    lambda m: m.array([0, 200], 'uint8') < -1,
    lambda m: m.array([0, 200], 'uint8') == 300,
    lambda m: m.array([0, 200], 'uint8') != 300,
    lambda m: m.array([-2, 0, 5], 'int8') <= 2**40,
    lambda m: m.array([True, False]) == 2**40,
    lambda m: m.clip(m.array([-2, 0, 5], 'int8'), None, 128),
    lambda m: m.clip(m.array([-2, 0, 5], 'int8'), -129, 3),
    lambda m: m.logical_and(m.array([1, 0], 'int8'), 2**31),
    lambda m: m.logical_or(m.array([1, 0], 'int8'), 2**31),
    lambda m: m.logical_xor(m.array([1, 0], 'uint8'), -1),
    lambda m: m.array([1, 2], 'uint8') + 255,
])
def test_int_scalars_by_value(f):
    expected = f(numpy)
    got = f(chx)
    assert got.dtype == expected.dtype
    numpy.testing.assert_array_equal(chx.to_numpy(got), expected)


@pytest.mark.parametrize('f', [
    lambda m: m.full((3,), 300, dtype='int8'),
    lambda m: m.array([1, 2], 'int8') + 300,
    lambda m: m.maximum(m.array([1, 2], 'int8'), 300),
    lambda m: m.multiply(m.array([1, 2], 'int32'), 2**40),
    lambda m: m.array([1, 2], 'uint8') - (-1),
    lambda m: m.clip(m.array([-2, 0, 5], 'int8'), 200, None),
])
def test_int_scalars_that_cannot_be_stored_are_overflow_errors(f):
    with pytest.raises(OverflowError):
        f(numpy)
    with pytest.raises(OverflowError):
        f(chx)


BIG = 2**64  # no int64 holds it
INT_ARGUMENTS_BEYOND_INT64 = [
    lambda: chx.eye(3, 3, BIG), lambda: chx.tri(3, 3, BIG), lambda: chx.tril(chx.ones((2, 2)), BIG), lambda: chx.triu(chx.ones((2, 2)), -BIG),
    lambda: chx.diag(chx.ones(2), BIG), lambda: chx.diagflat(chx.ones(2), BIG),
    lambda: chx.linspace(0, 1, BIG), lambda: chx.swapaxes(chx.ones((2, 2)), 0, BIG),
    lambda: chx.ones((2, 2)).swapaxes(BIG, 0), lambda: chx.expand_dims(chx.ones(2), BIG),
    lambda: chx.rollaxis(chx.ones((2, 2)), BIG), lambda: chx.stack([chx.ones(2)], BIG),
    lambda: chx.split(chx.ones(4), 2, BIG), lambda: chx.crelu(chx.ones((2, 2)), BIG),
    lambda: chx.var(chx.ones(3), ddof=BIG), lambda: chx.linear(chx.ones((2, 2)), chx.ones((2, 2)), None, BIG),
    lambda: chx.frombuffer(bytes(8), 'float32', BIG),
    lambda: chx.sum(chx.ones(3), axis=BIG), lambda: chx.ones((2, 2)).sum(axis=(0, -BIG)),
    lambda: chx.amax(chx.ones(3), axis=BIG), lambda: chx.squeeze(chx.ones((1, 2)), BIG),
]


@pytest.mark.parametrize('f', INT_ARGUMENTS_BEYOND_INT64)
def test_int_arguments_beyond_int64_are_overflow_errors(f):
    # Not the TypeError of a failed overload match: the argument is an int, only too large.
    with pytest.raises(OverflowError):
        f()


DIMENSIONS_BEYOND_INT64 = [lambda: chx.eye(BIG), lambda: chx.eye(3, BIG), lambda: chx.identity(BIG),
                           lambda: chx.tri(BIG), lambda: chx.tri(2, -BIG)]


@pytest.mark.parametrize('f', DIMENSIONS_BEYOND_INT64)
def test_dimensions_beyond_int64_are_numpys_value_error(f):
    # As in a shape (chx.zeros(BIG)): NumPy's ValueError('Maximum allowed dimension exceeded').
    with pytest.raises(ValueError, match='Maximum allowed dimension exceeded'):
        f()


def test_int_arguments_take_numpy_integers():
    assert chx.eye(numpy.int64(2), k=numpy.int8(1)).shape == (2, 2)
    assert chx.expand_dims(chx.ones(2), numpy.uint8(0)).shape == (1, 2)
    with pytest.raises(TypeError):
        chx.eye(2.0)


def test_fill_refuses_out_of_range_int():
    a = chx.zeros((2,), 'uint8')
    with pytest.raises(OverflowError):
        a.fill(-1)


# ---- Property: basic indexing agrees with NumPy, errors included -----------------------------------

_EXTREME = st.sampled_from([0, 1, 2, 3, -1, -2, -3, 5, -5, 2**31, 2**62, 2**63 - 1, -2**63, -2**63 + 1,
                            2**64, -2**64, 2**100])
_BOUND = st.one_of(st.none(), st.integers(-6, 6), _EXTREME)
_STEP = st.one_of(st.none(), st.integers(-4, 4), _EXTREME)
_ITEM = st.one_of(st.integers(-4, 4), _EXTREME, st.builds(slice, _BOUND, _BOUND, _STEP),
                  st.just(None), st.just(Ellipsis))


@st.composite
def _shapes(draw):
    shape = draw(st.lists(st.integers(0, 4), min_size=0, max_size=4))
    if 0 in shape and len(shape) > 1:
        # A zero-size array may have huge other dimensions (refused when they overflow, as NumPy does).
        huge = st.sampled_from([2**31, 2**40, 2**61, 2**62, 2**63 - 1])
        shape = [d if d == 0 or not draw(st.booleans()) else draw(huge) for d in shape]
    return tuple(shape)


def _error_class(e):
    for cls in (IndexError, ValueError, TypeError, OverflowError, MemoryError):
        if isinstance(e, cls):
            return cls
    return type(e)


def _attempt(f):
    try:
        return f(), None
    except Exception as e:  # noqa: BLE001 - the class is what is compared
        return None, _error_class(e)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(_shapes(), st.one_of(_ITEM, st.lists(_ITEM, min_size=0, max_size=5).map(tuple)))
def test_basic_indexing_matches_numpy(shape, key):
    n = math.prod(shape)
    expected, expected_error = _attempt(lambda: numpy.arange(n).reshape(shape)[key])
    got, got_error = _attempt(lambda: chx.arange(n).reshape(shape)[key])
    assert got_error == expected_error, (shape, key, got_error, expected_error)
    if expected_error is None:
        assert got.shape == expected.shape, (shape, key)
        numpy.testing.assert_array_equal(chx.to_numpy(got), expected)


# ---- Read-only memory is respected ------------------------------------------------------------------

def _writes(a):
    """Every way of writing into an existing array, each as a callable."""
    return {
        'iadd': lambda: a.__iadd__(1),
        'imul': lambda: a.__imul__(2),
        'setitem': lambda: a.__setitem__(0, 7),
        'setitem_array': lambda: a.__setitem__(Ellipsis, chx.ones(a.shape, a.dtype)),
        'setitem_advanced': lambda: a.__setitem__(chx.array([0]), 7),
        'slice_iadd': lambda: a[:].__iadd__(1),
        'fill': lambda: a.fill(5),
        'copyto': lambda: chx.copyto(a, chx.ones(a.shape, a.dtype)),
        'sort': lambda: a.sort(),
        'view_iadd': lambda: a.view().__iadd__(1),
        'grad_stopped_iadd': lambda: a.as_grad_stopped().__iadd__(1),
        'reshaped_fill': lambda: a.reshape((1,) + a.shape).fill(3),
    }


@pytest.mark.parametrize('write', list(_writes(chx.zeros((2,)))))
def test_write_into_read_only_numpy_memory_is_refused(write):
    raw = bytes(8)
    base = numpy.frombuffer(raw, numpy.float32)
    assert not base.flags.writeable
    a = chx.asarray(base)
    assert a.data_ptr == base.ctypes.data  # still no copy
    with pytest.raises(ValueError, match='assignment destination is read-only'):
        _writes(a)[write]()
    assert raw == bytes(8)  # the immutable bytes object is untouched
    numpy.testing.assert_array_equal(chx.to_numpy(a), [0, 0])


def test_read_only_arrays_can_be_read_and_copied():
    base = numpy.arange(4, dtype=numpy.float32)
    base.flags.writeable = False
    a = chx.asarray(base)
    numpy.testing.assert_array_equal(chx.to_numpy(a + 1), [1, 2, 3, 4])
    for copy in (a.copy(), chx.array(base), chx.array(a), a.astype('float64'), a * 1):
        copy += 1  # copies are writable
    # Exported views stay read-only on the NumPy side too.
    assert not numpy.asarray(a).flags.writeable
    assert not chx.to_numpy(a, copy=False).flags.writeable
    assert not chx.to_numpy(a[1:], copy=False).flags.writeable
    # The bytes of bfloat16 memory too.
    if chx.bfloat16 != 'bfloat16':
        b = chx.asarray(numpy.zeros(2, chx.bfloat16))
        b += 1
        frozen = numpy.zeros(2, chx.bfloat16)
        frozen.flags.writeable = False
        with pytest.raises(ValueError):
            chx.asarray(frozen).fill(1)


def test_writable_numpy_memory_is_still_shared():
    base = numpy.zeros(3, numpy.float32)
    a = chx.asarray(base)
    a += 1
    a[1:].fill(5)
    numpy.testing.assert_array_equal(base, [1, 5, 5])


def test_read_only_memory_map_is_refused_not_a_crash(tmp_path):
    path = tmp_path / 'x.npy'
    numpy.save(path, numpy.arange(6, dtype=numpy.float32))
    out = _run_isolated(f'''
        import numpy, chainerx as chx
        m = numpy.load({str(path)!r}, mmap_mode='r')
        a = chx.asarray(m)
        for write in (lambda: a.__iadd__(1), lambda: a.fill(0), lambda: a.__setitem__(slice(None), 2)):
            try:
                write()
            except ValueError as e:
                print('refused', e)
        print(float(a.sum()))
    ''')
    assert out.count('refused assignment destination is read-only') == 3
    assert out.strip().endswith('15.0')


def test_from_dlpack_keeps_read_only_flag():
    base = numpy.arange(3, dtype=numpy.float32)
    base.flags.writeable = False
    a = chx.from_dlpack(base)
    assert a.data_ptr == base.ctypes.data
    with pytest.raises(ValueError, match='read-only'):
        a += 1
    numpy.testing.assert_array_equal(base, [0, 1, 2])
    writable = numpy.arange(3, dtype=numpy.float32)
    b = chx.from_dlpack(writable)
    b += 1
    numpy.testing.assert_array_equal(writable, [1, 2, 3])


def test_broadcast_views_are_read_only():
    a = chx.zeros((2,))
    b = chx.broadcast_to(a, (3, 2))
    for write in (lambda: b[0].__setitem__(Ellipsis, 7), lambda: b.__setitem__(0, 7), lambda: b[0].fill(7),
                  lambda: b[1].__iadd__(1), lambda: chx.copyto(b[2], chx.ones((2,)))):
        with pytest.raises(ValueError, match='read-only'):
            write()
        with pytest.raises(chx.ChainerxError):  # what writes into broadcast views always raised
            write()
    numpy.testing.assert_array_equal(chx.to_numpy(a), [0, 0])
    assert not numpy.asarray(b).flags.writeable
    # Broadcasting that aliases nothing leaves a writable view.
    same = chx.broadcast_to(a, (1, 2))
    same += 1
    numpy.testing.assert_array_equal(chx.to_numpy(a), [1, 1])


# ---- Scopes exited from another thread or out of order -------------------------------------------

def test_backprop_mode_scope_exited_on_another_thread_is_refused():
    out = _run_isolated('''
        import threading, chainerx as chx
        EXIT_ON_ANOTHER_THREAD
        for make in (chx.no_backprop_mode, chx.force_backprop_mode):
            s = make()
            s.__enter__()
            errors = exit_on_another_thread(s)
            print(len(errors), 'thread' in str(errors[0]))
            s.__exit__(None, None, None)
            print(chx.is_backprop_required())
        # A scope entered on a thread that has ended: dropping it on another thread is harmless.
        box = []
        def enter():
            s = chx.no_backprop_mode()
            s.__enter__()
            box.append(s)
        t = threading.Thread(target=enter)
        t.start()
        t.join()
        box.clear()
        print(chx.is_backprop_required())
    ''')
    assert out.split() == ['1', 'True', 'True', '1', 'True', 'True', 'True']


def test_backprop_mode_scopes_exited_out_of_order():
    outer = chx.force_backprop_mode()
    inner = chx.no_backprop_mode()
    outer.__enter__()
    inner.__enter__()
    assert not chx.is_backprop_required()
    outer.__exit__(None, None, None)  # out of order: inner stays in force
    assert not chx.is_backprop_required()
    inner.__exit__(None, None, None)
    assert chx.is_backprop_required()
    # The same with backprop ids.
    with chx.backprop_scope('a') as a, chx.backprop_scope('b') as b:
        sa = chx.no_backprop_mode(a)
        sb = chx.no_backprop_mode(b)
        sa.__enter__()
        sb.__enter__()
        sa.__exit__(None, None, None)
        assert chx.is_backprop_required(a) and not chx.is_backprop_required(b)
        sb.__exit__(None, None, None)
        assert chx.is_backprop_required(b)


def test_device_and_context_scopes_exited_on_another_thread_are_refused():
    out = _run_isolated('''
        import threading, chainerx as chx
        EXIT_ON_ANOTHER_THREAD
        before = chx.get_default_device()
        for s in (chx.using_device('native:1'), chx.context_scope(chx.Context())):
            s.__enter__()
            # The other thread's default is untouched.
            errors = exit_on_another_thread(s, lambda: print(chx.get_default_device().name))
            print(len(errors))
            s.__exit__(None, None, None)
            print(chx.get_default_device() is before)
    ''')
    assert out.split() == ['native:0', '1', 'True', 'native:0', '1', 'True']


def test_backprop_scope_may_be_exited_on_another_thread():
    import threading
    s = chx.backprop_scope('elsewhere')
    bid = s.__enter__()
    t = threading.Thread(target=s.__exit__, args=(None, None, None))
    t.start()
    t.join()
    with pytest.raises(chx.ContextError):
        chx.get_default_context()._check_valid_backprop_id(bid)


# ---- In-place writes into memory a graph keeps for backward ---------------------------------------

@pytest.mark.parametrize('write', [w for w in _writes(chx.zeros((2,))) if w != 'sort'] + ['no_backprop_view'])
def test_writes_into_memory_kept_for_backward_are_refused(write):
    x = chx.full((2,), 3.0, 'float32')  # kept by x * w for w's gradient
    w = chx.ones((2,), 'float32').require_grad()
    y = (x * w).sum()
    if write == 'no_backprop_view':
        with chx.no_backprop_mode():
            v = x[:]
        f = lambda: v.__iadd__(1)  # noqa: E731
    else:
        f = _writes(x)[write]
    with pytest.raises(chx.ChainerxError, match='keeps for backward'):
        f()
    numpy.testing.assert_array_equal(chx.to_numpy(x), [3, 3])  # nothing was written
    y.backward()
    numpy.testing.assert_array_equal(chx.to_numpy(w.grad), [3, 3])


def test_view_of_kept_memory_is_refused_but_other_memory_is_not():
    x = chx.full((4,), 2.0, 'float32')
    w = chx.ones((2,), 'float32').require_grad()
    y = (x[:2] * w).sum()  # keeps a view of x: all of x's memory is marked
    v = x[2:]
    with pytest.raises(chx.ChainerxError):
        v += 1
    other = chx.full((2,), 2.0, 'float32')
    other += 1
    y.backward()
    numpy.testing.assert_array_equal(chx.to_numpy(w.grad), [2, 2])


def test_parameters_may_be_updated_after_backward_while_the_graph_lives():
    # The training loop's pattern: loss.backward(), then an update through a grad-stopped view while
    # loss (and the graph that kept w for x's gradient) is still referenced.
    w = chx.full((2,), 2.0, 'float32').require_grad()
    x = chx.ones((2,), 'float32').require_grad()
    loss = (w * x).sum()
    stopped = w.as_grad_stopped()
    with pytest.raises(chx.ChainerxError):
        stopped -= 1  # before backward: x's gradient still needs w
    loss.backward()
    stopped -= 0.5 * w.grad.as_grad_stopped()
    numpy.testing.assert_array_equal(chx.to_numpy(w), [1.5, 1.5])
    numpy.testing.assert_array_equal(chx.to_numpy(x.grad), [2, 2])
    del loss
    x.as_grad_stopped().fill(0)


# ---- Gradients accumulated by several threads at once ----------------------------------------------

def test_concurrent_backward_into_one_leaf_loses_nothing():
    import threading
    n, threads, iterations = 1 << 20, 4, 125
    w = chx.zeros((n,), 'float32').require_grad()
    x = chx.ones((n,), 'float32')
    errors = []

    def work():
        try:
            for _ in range(iterations):
                (w * x).sum().backward()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert not errors
    g = chx.to_numpy(w.grad)
    assert g.min() == g.max() == threads * iterations


# ---- Properties of the paths added for Chainer's ReLU: where() with a scalar branch, and binary
# backward that skips the gradients of scalars and constants ------------------------------------

_WHERE_DTYPES = ['float32', 'float64', 'int32', 'int8', 'bool']


@settings(max_examples=150, derandomize=True, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=0, max_size=3), st.sampled_from(_WHERE_DTYPES),
       st.integers(-3, 3), st.booleans(), st.booleans(), st.integers(0, 2**31 - 1))
def test_where_with_a_scalar_branch_matches_numpy(shape, dtype, value, scalar_second, transposed, seed):
    rng = numpy.random.RandomState(seed)
    x = numpy.asarray(rng.randn(*shape) * 4).astype(dtype)
    cond = numpy.asarray(rng.rand(*shape) > 0.5)
    if transposed:  # non-contiguous operands take the strided loop
        x, cond = x.T, cond.T
    scalar = bool(value) if dtype == 'bool' else value
    args = (scalar, x) if scalar_second else (x, scalar)
    expected = numpy.where(cond, *args)
    got = chx.where(chx.array(cond), *[a if numpy.isscalar(a) or isinstance(a, bool) else chx.array(a)
                                       for a in args])
    assert got.dtype == expected.dtype and got.shape == expected.shape
    numpy.testing.assert_array_equal(chx.to_numpy(got), expected)


_BINARY_GRADS = {
    'maximum': (chx.maximum, lambda a, b, g: (g * (a >= b), g * (a < b))),
    'minimum': (chx.minimum, lambda a, b, g: (g * (a <= b), g * (a > b))),
    'multiply': (chx.multiply, lambda a, b, g: (g * b, g * a)),
    'subtract': (chx.subtract, lambda a, b, g: (g, -g)),
    'true_divide': (chx.true_divide, lambda a, b, g: (g / b, -g * a / (b * b))),
}


@settings(max_examples=150, derandomize=True, deadline=None)
@given(st.sampled_from(sorted(_BINARY_GRADS)), st.lists(st.integers(1, 4), min_size=0, max_size=3),
       st.sampled_from(['array', 'constant', 'scalar']), st.booleans(), st.integers(0, 2**31 - 1))
def test_binary_backward_with_scalar_or_constant_operands_matches_the_formula(name, shape, other, swap, seed):
    # Only operands in a graph get a gradient; the others (a scalar, a constant array) get none, and the
    # gradient of the one in the graph is the same as when both are.
    op, formula = _BINARY_GRADS[name]
    rng = numpy.random.RandomState(seed)
    a = numpy.asarray(rng.uniform(0.5, 2.0, shape) * rng.choice([-1, 1], shape))
    b = numpy.asarray(rng.uniform(0.5, 2.0, shape) * rng.choice([-1, 1], shape)) if other != 'scalar' else 0.75
    g = numpy.asarray(rng.randn(*shape))
    x = chx.array(a).require_grad()
    y = chx.array(b).require_grad() if other == 'array' else (chx.array(b) if other == 'constant' else b)
    out = op(y, x) if swap else op(x, y)
    out.grad = chx.array(g)
    out.backward()
    ga, gb = formula(b, a, g) if swap else formula(a, b, g)
    gx = gb if swap else ga
    numpy.testing.assert_allclose(chx.to_numpy(x.grad), gx, rtol=1e-12, atol=0)
    if other == 'array':
        numpy.testing.assert_allclose(chx.to_numpy(y.grad), ga if swap else gb, rtol=1e-12, atol=0)
    elif other == 'constant':
        assert not y.is_grad_required()
