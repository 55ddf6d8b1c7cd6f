import pickle
import threading

import pytest

import chainerx


def test_devices_are_singletons():
    assert chainerx.get_device('native:1') is chainerx.get_device('native', 1)
    assert chainerx.get_device('native') is chainerx.get_device('native:0')
    device = chainerx.get_device('native:2')
    assert chainerx.get_device(device) is device


def test_device_properties():
    device = chainerx.get_device('native:3')
    assert device.name == 'native:3'
    assert device.index == 3
    assert device.backend.name == 'native'
    assert device.backend.get_device_count() == 4
    assert device.backend.get_device(3) is device
    assert device.context is chainerx.get_default_context()
    assert repr(device) == 'native:3'
    device.synchronize()


def test_default_device_and_scope():
    assert chainerx.get_default_device() is chainerx.get_device('native:0')
    with chainerx.using_device('native:1') as scope:
        assert scope.device is chainerx.get_device('native:1')
        assert chainerx.get_default_device() is chainerx.get_device('native:1')
        assert chainerx.zeros((2,)).device is chainerx.get_device('native:1')
        with chainerx.using_device('native', 2):
            assert chainerx.get_default_device().name == 'native:2'
        assert chainerx.get_default_device().name == 'native:1'
    assert chainerx.get_default_device() is chainerx.get_device('native:0')


def test_set_default_device():
    try:
        chainerx.set_default_device('native:2')
        assert chainerx.get_default_device().name == 'native:2'
    finally:
        chainerx.set_default_device('native:0')


def test_default_device_is_thread_local():
    seen = []

    def worker():
        seen.append(chainerx.get_default_device().name)

    with chainerx.using_device('native:1'):
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
    assert seen == ['native:0']


def test_contexts():
    context = chainerx.Context()
    device = context.get_device('native:0')
    assert device is not chainerx.get_device('native:0')
    assert device.context is context
    assert context.get_backend('native').name == 'native'
    with chainerx.context_scope(context):
        assert chainerx.get_default_context() is context
        assert chainerx.get_default_device() is device
    assert chainerx.get_default_context() is chainerx.get_global_default_context()


def test_device_pickle():
    device = chainerx.get_device('native:1')
    assert pickle.loads(pickle.dumps(device)) is device


@pytest.mark.parametrize('name', ['native:4', 'native:-1', 'native:x', 'native:'])
def test_bad_device_name(name):
    with pytest.raises(chainerx.DeviceError):
        chainerx.get_device(name)


def test_unknown_backend():
    with pytest.raises(chainerx.BackendError):
        chainerx.get_backend('no_such_backend')
    with pytest.raises(chainerx.BackendError):
        chainerx.get_device('no_such_backend:0')


def test_cuda_unavailable_raises_backend_error():
    if chainerx._cuda_available():
        pytest.skip('CUDA is available here')
    with pytest.raises(chainerx.BackendError):
        chainerx.get_device('cuda:0')


def test_to_device_between_native_devices():
    a = chainerx.arange(6, dtype='float32').reshape(2, 3).T
    b = a.to_device('native:1')
    assert b.device.name == 'native:1'
    chainerx.testing.assert_array_equal(a, b)
    assert a.to_device(a.device) is not None
    c = a.to_device('native', 2)
    assert c.device.name == 'native:2'


def test_to_device_is_differentiable():
    # As ChainerX's: the gradient goes back to the source device, and it can be differentiated again.
    x = chainerx.array([1., 2., 3.], device='native:0').require_grad()
    y = x.to_device('native:1')
    assert y.device.name == 'native:1' and y.is_backprop_required()
    (y * y * y).sum().backward(enable_double_backprop=True)
    assert x.grad.device.name == 'native:0'
    chainerx.testing.assert_array_equal(x.grad, [3., 12., 27.])
    gx = x.grad
    x.cleargrad()
    gx.sum().backward()
    chainerx.testing.assert_array_equal(x.grad, [6., 12., 18.])


def test_operands_on_different_devices():
    a = chainerx.ones((2,), device='native:0')
    b = chainerx.ones((2,), device='native:1')
    with pytest.raises(chainerx.DeviceError):
        a + b


@pytest.mark.cuda
def test_cuda_elementwise_matches_native():
    a = chainerx.arange(12, dtype='float32').reshape(3, 4)
    b = a.to_device('cuda:0')
    chainerx.testing.assert_allclose(chainerx.exp(b).to_device('native:0'), chainerx.exp(a), rtol=1e-6)
    chainerx.testing.assert_array_equal((b.T + 1).to_device('native:0'), a.T + 1)
