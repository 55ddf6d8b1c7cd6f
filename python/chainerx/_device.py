"""Device pickling support."""
from chainerx import _core


def _recover_device(backend_name, index):
    return _core.get_device(backend_name, index)
