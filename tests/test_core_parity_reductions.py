"""Parity with PyTorch for reductions' corner cases found by a side-by-side sweep: ``dim=[]``
(every dimension), a 0-d input with ``dim=0``, an asked-for integer ``dtype``, ``p=-inf``
norms, corrections past the degrees of freedom and reductions over no element. Values,
dtypes, shapes and float64 gradients (against a random grad_output) are compared."""
from __future__ import annotations

import math

import numpy as np
import pytest

import diffkit as dk

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(11)
X = RNG.standard_normal((3, 4, 5))
TIES = np.array([[1.0, 3.0, 3.0, 2.0], [5.0, 5.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0]])
INTS = np.array([[3, -2, 0], [1, 4, -5]])
SCALAR = np.array(2.5)
EMPTY = np.zeros((0, 3))


def _run(module, fn, array):
    x = module.tensor(array, requires_grad=array.dtype.kind == "f")
    return x, fn(module, x)


def _compare(fn, array, grad: bool = True) -> None:
    ours_x, ours = _run(dk, fn, array)
    theirs_x, theirs = _run(torch, fn, array)
    ours, theirs = (ours[0], theirs[0]) if isinstance(theirs, tuple) else (ours, theirs)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    if not grad or not theirs.requires_grad:
        return
    seed = RNG.standard_normal(tuple(theirs.shape))
    (g,) = dk.autograd.grad(ours, ours_x, dk.tensor(seed))
    (h,) = torch.autograd.grad(theirs, theirs_x, torch.tensor(seed))
    np.testing.assert_allclose(g.numpy(), h.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "logsumexp", "norm", "count_nonzero"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_an_empty_dim_list_reduces_every_dimension(name, keepdim) -> None:
    if name == "logsumexp" and not keepdim:
        pytest.skip("PyTorch itself fails here (an output of shape [] for a broadcast shape [1, 1, 1])")
    if name == "count_nonzero":
        _compare(lambda m, x: m.count_nonzero(x, []), X, grad=False)
        return
    _compare(lambda m, x: getattr(m, name)(x, dim=[], keepdim=keepdim), X)


@pytest.mark.parametrize("name", ["std", "var"])
def test_an_empty_dim_list_reduces_every_dimension_for_the_spread(name) -> None:
    # values only: PyTorch's own gradient here counts one element per slice and is inf
    _compare(lambda m, x: getattr(m, name)(x, dim=[]), X, grad=False)


@pytest.mark.parametrize("fn", [
    lambda m, x: m.mean(x, 0),
    lambda m, x: m.std(x, -1, keepdim=True),
    lambda m, x: m.var(x, 0, correction=0),
    lambda m, x: m.max(x, 0).values,
    lambda m, x: m.min(x, -1, True).values,
    lambda m, x: m.cumsum(x, 0),
    lambda m, x: m.cumprod(x, -1),
    lambda m, x: m.flip(x, (0,)),
], ids=["mean", "std", "var", "max", "min", "cumsum", "cumprod", "flip"])
def test_a_zero_dimensional_tensor_reduces_along_dim_zero(fn) -> None:
    _compare(fn, SCALAR)


@pytest.mark.parametrize("fn", [
    lambda m, x: m.sum(x, dtype=m.int32),
    lambda m, x: m.sum(x, 0, dtype=m.int16),
    lambda m, x: m.prod(x, dtype=m.int32),
    lambda m, x: m.prod(x, 1, dtype=m.int32),
    lambda m, x: m.cumsum(x, 0, dtype=m.int32),
    lambda m, x: m.cumprod(x, 1, dtype=m.int8),
    lambda m, x: m.sum(x > 0, dtype=m.int32),
], ids=["sum", "sum-dim", "prod", "prod-dim", "cumsum", "cumprod", "sum-bool"])
def test_an_integer_dtype_is_the_result_dtype(fn) -> None:
    _compare(fn, INTS)


@pytest.mark.parametrize("array", [X, TIES], ids=["distinct", "ties"])
@pytest.mark.parametrize("fn", [
    lambda m, x: m.norm(x, p=-math.inf),
    lambda m, x: m.norm(x, p=-math.inf, dim=1),
    lambda m, x: m.norm(x, -math.inf, -1, True),
], ids=["all", "dim", "keepdim"])
def test_the_minus_infinity_norm_is_the_smallest_magnitude(fn, array) -> None:
    _compare(fn, array)


@pytest.mark.parametrize("p", [0.5, 0.25])
def test_a_norm_below_one_has_a_zero_gradient_at_a_zero_entry(p) -> None:
    _compare(lambda m, x: m.norm(x, p=p, dim=1), np.array([[0.0, 1.0, 2.0], [3.0, 0.0, 0.5]]))


@pytest.mark.parametrize("name", ["var", "std"])
def test_a_correction_past_the_degrees_of_freedom_keeps_pytorchs_gradient(name) -> None:
    _compare(lambda m, x: getattr(m, name)(x, dim=1, correction=5, keepdim=True), X)


def test_logsumexp_over_no_element_is_minus_infinity() -> None:
    _compare(lambda m, x: m.logsumexp(x, 0), EMPTY)


@pytest.mark.parametrize("fn", [
    lambda m, x: m.sum(x, (0, 1)),
    lambda m, x: x.sum(dim=(0, 2), keepdim=True),
], ids=["sum", "sum-keepdim"])
def test_half_precision_accumulates_in_single_precision(fn) -> None:
    """PyTorch rounds a float16 sum once, at the end; rounding at every step drifts by ulps."""
    values = RNG.standard_normal((8, 6, 5)).astype(np.float16)
    ours, theirs = fn(dk, dk.tensor(values)), fn(torch, torch.tensor(values))
    assert ours.dtype == dk.float16
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("fn", [lambda m, x: m.median(x), lambda m, x: x.long().median()], ids=["float", "long"])
def test_the_median_of_no_element_is_nan(fn) -> None:
    """(PyTorch's integers give their smallest value there.)"""
    _compare(fn, np.zeros(0))


def test_the_zero_norm_has_a_zero_gradient_at_nan_entries_and_an_infinite_upstream() -> None:
    """PyTorch leaves the count of nonzeros without a gradient (None: zeros); 0 * |g x| was NaN there."""
    values = np.array([[1.0, np.nan, 0.0], [-0.0, 2.0, np.inf]])
    x = dk.tensor(values, requires_grad=True)
    dk.norm(x, 0, dim=1).backward(dk.tensor([np.inf, 2.0], dtype=dk.float64))
    theirs = torch.tensor(values, requires_grad=True)
    torch.norm(theirs, 0, dim=1).backward(torch.tensor([np.inf, 2.0], dtype=torch.float64))
    assert theirs.grad is None or not theirs.grad.any()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros((2, 3)))
    assert not np.signbit(x.grad.numpy()).any()
