"""Forward mode (the table's JVP rules) agrees with reverse mode on every reduction."""
from __future__ import annotations

import numpy as np
import pytest

import diffkit as dk

REDUCTIONS = {
    "sum": lambda v: dk.sum(v * v),
    "mean": lambda v: dk.mean(dk.sin(v)),
    "prod": lambda v: dk.prod(v),
    "prod with a zero": lambda v: dk.prod(v - v[0]),
    "prod over a dim": lambda v: dk.sum(dk.prod(dk.reshape(v[:4], (2, 2)), 1) ** 2),
    "var": lambda v: dk.var(v),
    "std over a dim": lambda v: dk.sum(dk.std(dk.reshape(v[:4], (2, 2)), 0)),
    "amax": lambda v: dk.amax(v * v),
    "amin": lambda v: dk.amin(v),
    "max(dim)": lambda v: dk.max(dk.reshape(v[:4], (2, 2)), 1)[0][0] * v[4],
    "min(dim)": lambda v: dk.sum(dk.min(dk.reshape(v[:4], (2, 2)), 0)[0]),
    "logsumexp": lambda v: dk.logsumexp(v, 0),
    "softmax": lambda v: dk.softmax(v, 0)[1],
    "log_softmax": lambda v: dk.log_softmax(v, 0)[2],
}


@pytest.mark.parametrize("name", REDUCTIONS)
def test_forward_mode_matches_reverse_mode_to_second_order(name: str) -> None:
    f = REDUCTIONS[name]
    x = np.random.default_rng(7).uniform(0.5, 2.0, 5)
    np.testing.assert_allclose(dk.grad(f, method="forward")(x), dk.grad(f, method="reverse")(x),
                               rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(dk.hessian(f, method="forward")(x), dk.hessian(f, method="reverse")(x),
                               rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name", REDUCTIONS)
def test_symbolic_matches_reverse_mode_to_second_order(name: str) -> None:
    """Reductions whose numpy forward compares values (logsumexp's shift, amax) trace through the
    table's sympy= rules; max(dim)'s indices depend on the input: a branch, explained."""
    f = REDUCTIONS[name]
    x = np.random.default_rng(7).uniform(0.5, 2.0, 5)
    if name in ("max(dim)", "min(dim)"):
        with pytest.raises(dk.differentiation.SymbolicBranchError, match="argm"):
            dk.grad(f, method="symbolic")(x)
        return
    np.testing.assert_allclose(dk.grad(f, method="symbolic")(x), dk.grad(f, method="reverse")(x),
                               rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(dk.hessian(f, method="symbolic")(x), dk.hessian(f, method="reverse")(x),
                               rtol=1e-12, atol=1e-13)
