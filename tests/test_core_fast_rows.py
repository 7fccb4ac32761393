"""Row reductions by a faster form, and cross entropy's gradient taken from its forward.

numpy reduces along a short last axis one row at a time; ``max_along`` reduces a transposed
copy instead. The maximum is exact, so both forms must agree to the bit, NaN included, on
either side of the switch. Cross entropy keeps ``softmax - onehot`` from its forward (a
residual): the gradient must match PyTorch's, and the residual must go with the graph.
"""
from __future__ import annotations

import numpy as np
import pytest

import diffkit as dk
from diffkit.ops._sums import max_along

rng = np.random.default_rng(7)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("shape,axis", [((128, 10), 1), ((128, 10), -1), ((10000, 3), 1), ((8, 10), 1),
                                        ((4, 50, 7), 2), ((64, 100), 1), ((300, 10), 0), ((30,), 0),
                                        ((2, 16, 16), 2)])
def test_max_along_equals_numpy_bit_for_bit(shape, axis, dtype) -> None:
    x = rng.standard_normal(shape).astype(dtype)
    x.reshape(-1)[::37] = np.nan
    x.reshape(-1)[5::41] = -np.inf
    expected = np.maximum.reduce(x, axis=axis, keepdims=True)
    found = max_along(x, axis)
    assert found.shape == expected.shape and found.dtype == expected.dtype
    np.testing.assert_array_equal(found, expected)


def test_max_along_of_a_transposed_array() -> None:
    x = rng.standard_normal((10, 500)).T  # rows of 10, not C-ordered
    np.testing.assert_array_equal(max_along(x, 1), x.max(axis=1, keepdims=True))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("ignored", [False, True])
def test_cross_entropy_gradient_from_its_forward_matches_torch(reduction, ignored) -> None:
    torch = pytest.importorskip("torch")
    logits = rng.standard_normal((300, 10)) * 5
    labels = rng.integers(0, 10, 300)
    if ignored:
        labels[::3] = -100
    upstream = rng.standard_normal(300 if reduction == "none" else ())
    ours = dk.tensor(logits, requires_grad=True)
    theirs = torch.tensor(logits, requires_grad=True)
    loss = dk.nn.functional.cross_entropy(ours, dk.tensor(labels), reduction=reduction)
    expected = torch.nn.functional.cross_entropy(theirs, torch.tensor(labels), reduction=reduction)
    np.testing.assert_allclose(loss.detach().numpy(), expected.detach().numpy(), rtol=1e-10, atol=1e-14)
    loss.backward(dk.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_cross_entropy_over_only_ignored_rows_is_nan_with_zero_gradient() -> None:
    x = dk.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    loss = dk.nn.functional.cross_entropy(x, dk.tensor([-100] * 4))
    loss.backward()
    assert np.isnan(loss.item()) and np.array_equal(x.grad.numpy(), np.zeros((4, 3)))


def test_cross_entropy_keeps_its_residual_only_until_backward() -> None:
    x = dk.tensor(rng.standard_normal((6, 4)), requires_grad=True)
    loss = dk.nn.functional.cross_entropy(x, dk.tensor([0, 1, 2, 3, 0, 1]))
    assert loss.grad_fn.residual.shape == (6, 4)  # softmax - onehot, divided by the batch
    loss.backward()
    assert loss.grad_fn.residual is None
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        loss.backward()


def test_cross_entropy_without_gradient_keeps_no_residual() -> None:
    x = dk.tensor(rng.standard_normal((6, 4)), requires_grad=True)
    with dk.no_grad():
        assert dk.nn.functional.cross_entropy(x, dk.tensor([0, 1, 2, 3, 0, 1])).grad_fn is None


def test_cross_entropy_second_derivative_ignores_the_residual() -> None:
    torch = pytest.importorskip("torch")
    logits, labels = rng.standard_normal((5, 4)), np.array([0, 3, 1, 1, 2])
    v = rng.standard_normal((5, 4))
    results = []
    for m in (dk, torch):
        x = m.tensor(logits, requires_grad=True)
        loss = m.nn.functional.cross_entropy(x, m.tensor(labels))
        (g,) = m.autograd.grad(loss, x, create_graph=True)
        (hv,) = m.autograd.grad((g * m.tensor(v)).sum(), x)
        results.append(hv.detach().numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-10, atol=1e-14)
