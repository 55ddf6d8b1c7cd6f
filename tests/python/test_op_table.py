"""Every elementwise op of chainerx's op tables (chainerx/routines/math.hpp) has everything that should
follow from its row: a Python function with a docstring, a row in test_math's NumPy tables, and, when
it is differentiable, a row in test_autograd's gradient tables; an op that says it is not
differentiable gives results that are not connected to the graph. (Its CUDA kernels are checked by
the C++ test CudaBackend.KernelTableIsComplete, which runs without a GPU.)
"""
import pytest

import chainerx
import test_autograd
import test_math

OPS = chainerx._core._elementwise_ops()
NUMPY_ROWS = {1: {op.name for op in test_math.UNARY_OPS}, 2: {op.name for op in test_math.BINARY_OPS}}
GRADIENT_ROWS = {1: {row[0] for row in test_autograd.UNARY}, 2: {row[0] for row in test_autograd.BINARY}}


def test_the_tables_are_listed():
    names = [name for name, _, _ in OPS]
    assert len(names) == len(set(names))
    assert {'add', 'exp', 'equal', 'isnan', 'arctan2'} <= set(names)
    assert all(arity in (1, 2) for _, arity, _ in OPS)


@pytest.mark.parametrize('name, arity, differentiable', OPS, ids=[op[0] for op in OPS])
def test_op_is_bound_and_documented(name, arity, differentiable):
    function = getattr(chainerx, name)
    assert function.__name__ == name
    doc = function.__doc__
    assert ('Differentiable' if differentiable else 'Not differentiable') in doc
    for parameter in (['x'] if arity == 1 else ['x1', 'x2']):
        assert parameter in doc


@pytest.mark.parametrize('name, arity, differentiable', OPS, ids=[op[0] for op in OPS])
def test_op_has_a_numpy_test_row(name, arity, differentiable):
    assert name in NUMPY_ROWS[arity], f'{name} has no row in test_math.py'


@pytest.mark.parametrize('name, arity, differentiable', OPS, ids=[op[0] for op in OPS])
def test_op_has_a_gradient_test_row_or_no_gradient(name, arity, differentiable):
    if differentiable:
        assert name in GRADIENT_ROWS[arity], f'{name} is differentiable but has no row in test_autograd.py'
        return
    # What the row says: a float input that requires grad gives a result outside the graph.
    inputs = [chainerx.array([0.5, 1.5, -2.0], 'float32').require_grad() for _ in range(arity)]
    try:
        result = getattr(chainerx, name)(*inputs)
    except chainerx.DtypeError:
        return  # ops on integers and bool only
    assert not result.is_backprop_required()
