import pytest

import chainerx


def pytest_collection_modifyitems(config, items):
    # CUDA tests run only where a CUDA device exists.
    if chainerx._cuda_available():
        return
    skip = pytest.mark.skip(reason='no CUDA device')
    for item in items:
        if 'cuda' in item.keywords:
            item.add_marker(skip)
