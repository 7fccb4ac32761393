"""Values and gradients at NaN, ±inf and ±0 are PyTorch's, for every elementwise case of the tables.

The parity tests draw inputs away from such points; here each one- and two-input case of
``core_cases.py`` and ``core_cases_nn.py`` that maps a vector to a vector of the same length is
run on every special value (every pair, for two inputs), with upstream gradients that are
themselves inf or NaN. This found: |x|' and sign at NaN (PyTorch's sign is (0 < x) - (x < 0): 0),
zero derivatives that were g * 0 (NaN for an inf g), max/min giving NaN's gradient to neither side
(PyTorch: both), ReLU and ELU at NaN, d(0^y)/dy at y < 0 and remainder's gradient at x = inf.
The one-input cases that reduce (or reshape) run on rows of special values too: that found max()/min()
at NaN, prod() over several zeros beside an inf, and the inf-norm at NaN.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from core_cases import CASES
from core_cases_nn import NN_CASES

import diffkit as dk

torch = pytest.importorskip("torch")

SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -2.0])
UPSTREAM = np.array([1.0, 1.0, 1.0, 1.0, 1.0, np.inf, np.nan, 1.0, -np.inf, 2.0])


def _run(case, inputs: list[np.ndarray], upstream: np.ndarray | None, elementwise: bool = True):
    """(value, gradients) of the case in both frameworks, or None where it does not apply: where it is
    not elementwise on vectors (``elementwise``), or where it is (not). ``upstream`` None: ones."""
    results = []
    for m in (torch, dk):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"):
                try:
                    xs = [m.tensor(x.copy(), requires_grad=True) for x in inputs]
                    y = case.fn(m, *xs)
                    if (tuple(y.shape) == inputs[0].shape) != elementwise or not y.requires_grad:
                        return None
                    y.backward(m.ones(tuple(y.shape), dtype=m.float64) if upstream is None else m.tensor(upstream))
                except (RuntimeError, ValueError, TypeError, IndexError):
                    return None
        grads = [None if x.grad is None else x.grad.numpy().copy() for x in xs]
        results.append((y.detach().numpy().copy(), grads))
    return results


def _assert_same(theirs: np.ndarray, mine: np.ndarray, what: str) -> None:
    same = np.isclose(theirs, mine, rtol=1e-12, atol=0, equal_nan=True) | (np.isinf(theirs) & (theirs == mine))
    assert same.all(), f"{what}: PyTorch {theirs[~same]} diffkit {mine[~same]} at positions {np.flatnonzero(~same)}"


PAIRS = (np.repeat(SPECIAL, len(SPECIAL)), np.tile(SPECIAL, len(SPECIAL)))


def _elementwise(arity: int) -> list:
    """The cases of this many inputs that map vectors to a vector of the same length (chosen when the
    tests are collected, so that reductions and shape operations are not reported as skips)."""
    inputs = [SPECIAL] if arity == 1 else list(PAIRS)
    upstream = UPSTREAM if arity == 1 else np.ones_like(PAIRS[0])
    return [c for c in CASES + NN_CASES
            if len(c.shapes) == arity and c.same_values and _run(c, inputs, upstream) is not None]


UNARY, BINARY = _elementwise(1), _elementwise(2)


@pytest.mark.parametrize("case", UNARY, ids=lambda c: c.id)
def test_one_input_at_special_values(case) -> None:
    (theirs, their_grads), (mine, my_grads) = _run(case, [SPECIAL], UPSTREAM)
    _assert_same(theirs, mine, "value")
    _assert_same(their_grads[0], my_grads[0], "gradient")


@pytest.mark.parametrize("case", BINARY, ids=lambda c: c.id)
def test_two_inputs_at_every_pair_of_special_values(case) -> None:
    (theirs, their_grads), (mine, my_grads) = _run(case, list(PAIRS), np.ones_like(PAIRS[0]))
    _assert_same(theirs, mine, "value")
    for k, (t, d) in enumerate(zip(their_grads, my_grads)):
        if t is not None and d is not None:
            _assert_same(t, d, f"gradient of input {k}")


def test_the_sweep_covers_the_elementwise_table() -> None:
    """The filter above must not swallow the table: most cases are elementwise."""
    assert len(UNARY) >= 40 and len(BINARY) >= 8, ([c.id for c in UNARY], [c.id for c in BINARY])


# rows mixing one special value with numbers, two infinities with signed zeros, many zeros, all -inf
ROWS = np.array([[np.nan, 1.0, 2.0, -1.0, 0.5], [np.inf, 1.0, 2.0, -1.0, 0.5], [-np.inf, 1.0, 2.0, -1.0, 0.5],
                 [np.inf, -np.inf, 1.0, 0.0, -0.0], [0.0, 0.0, 0.0, 1.0, 1.0], [-np.inf] * 5])


def _reduction_run(case):
    """The case on ROWS, for an upstream of ones, where it reduces or reshapes a matrix."""
    return _run(case, [ROWS], None, elementwise=False)


# topk's choice among equal values is unspecified (PyTorch's CPU kernel picks by partial sorting, diffkit
# stably): the rows above are full of ties, so topk is compared at special values without ties instead
# (test_core_parity_more_ops.py)
TIES_UNSPECIFIED = {"topk", "topk-smallest"}
REDUCING = [c for c in CASES + NN_CASES if len(c.shapes) == 1 and c.same_values and c.id not in TIES_UNSPECIFIED
            and _reduction_run(c) is not None]


@pytest.mark.parametrize("case", REDUCING, ids=lambda c: c.id)
def test_reductions_and_other_maps_of_rows_with_special_values(case) -> None:
    (theirs, (their_grad,)), (mine, (my_grad,)) = _reduction_run(case)
    assert theirs.shape == mine.shape
    _assert_same(theirs.ravel(), mine.ravel(), "value")
    _assert_same(their_grad.ravel(), my_grad.ravel(), "gradient")


def test_the_reduction_sweep_covers_the_reductions() -> None:
    ids = {c.id for c in REDUCING}
    assert {"prod", "max", "min", "norm-inf"} <= ids and len(ids) >= 15, sorted(ids)


@pytest.mark.parametrize("reduction", ["max", "min", "amax", "amin", "max-dim", "amax-dim"])
def test_extremes_with_nan_and_ties_give_pytorchs_gradients(reduction) -> None:
    """max()/min() of a whole tensor share a NaN result's gradient among the NaN inputs (PyTorch's
    evenly_distribute_backward); amax/amin give NaN there; ties share evenly."""
    data = np.array([[np.nan, 1.0, 2.0], [3.0, np.nan, 3.0], [3.0, 3.0, 0.0]])
    fns = {"max": lambda t: t.max(), "min": lambda t: t.min(), "amax": lambda m, t: m.amax(t),
           "amin": lambda m, t: m.amin(t), "max-dim": lambda t: t.max(1).values.sum(),
           "amax-dim": lambda m, t: m.amax(t, 1).sum()}
    results = []
    for m in (torch, dk):
        for values in (data, np.nan_to_num(data, nan=3.0)):  # with NaN, and with ties only
            x = m.tensor(values, requires_grad=True)
            fn = fns[reduction]
            y = fn(m, x) if reduction.startswith("am") else fn(x)
            with np.errstate(all="ignore"):
                y.backward()
            results.append((y.detach().numpy(), x.grad.numpy()))
    for (theirs, their_grad), (mine, my_grad) in zip(results[:2], results[2:]):
        np.testing.assert_array_equal(mine, theirs)
        np.testing.assert_allclose(my_grad, their_grad, rtol=1e-12, equal_nan=True)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("expr", ["mean()", "mean(0)", "mean(1)", "mse", "l1"])
def test_a_mean_over_no_element_is_nan_silently(dtype, expr) -> None:
    """PyTorch gives NaN (or an empty result) without a warning; numpy's mean warns "Mean of empty slice"."""
    fns = {"mean()": lambda m, t: t.mean(), "mean(0)": lambda m, t: t.mean(0), "mean(1)": lambda m, t: t.mean(1),
           "mse": lambda m, t: m.nn.functional.mse_loss(t, t), "l1": lambda m, t: m.nn.functional.l1_loss(t, t)}
    results = []
    for m in (torch, dk):
        x = m.zeros(0, 3, dtype=getattr(m, dtype), requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            y = fns[expr](m, x)
            y.sum().backward()
        results.append((y.detach().numpy(), str(y.dtype).split(".")[-1], x.grad.shape))
    (theirs, their_dtype, their_grad), (mine, my_dtype, my_grad) = results
    assert mine.shape == theirs.shape and my_dtype == their_dtype and my_grad == their_grad
    np.testing.assert_array_equal(mine, theirs)


@pytest.mark.parametrize("expr", ["x % 2.0", "x % -1.0", "m.remainder(x, x.flip(0))", "-0.0 % x", "0.0 % x",
                                  "x.float() % 3"])
def test_remainder_gives_a_zero_the_sign_of_the_dividend(expr) -> None:
    """PyTorch's remainder is fmod moved by y: -2.0 % 2 is -0.0 (numpy's remainder said +0.0)."""
    values = np.array([-2.0, 2.0, -0.0, 0.0, 1.5, -4.5, 3.0, -3.0, 6.0, np.inf])
    with np.errstate(all="ignore"):
        mine, theirs = (eval(expr, {"m": m, "x": m.tensor(values)}).numpy() for m in (dk, torch))
    np.testing.assert_array_equal(mine, theirs)
    number = ~np.isnan(theirs)  # (a NaN's sign bit is no one's business)
    np.testing.assert_array_equal(np.signbit(mine[number]), np.signbit(theirs[number]))
