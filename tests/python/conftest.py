import pytest

import chainerx
import chainerx.testing  # NOQA  (import chainerx does not import it, as in ChainerX)


def pytest_collection_modifyitems(config, items):
    # CUDA tests run only where a CUDA device exists.
    if chainerx._cuda_available():
        return
    skip = pytest.mark.skip(reason='no CUDA device')
    for item in items:
        if 'cuda' in item.keywords:
            item.add_marker(skip)
