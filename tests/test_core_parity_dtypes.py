"""Type promotion as PyTorch does it: Python numbers and 0-d tensors do not widen dimensioned
tensors of the same kind, integer division gives the default float, and so on."""
from __future__ import annotations

import numpy as np
import pytest

import diffkit as dk

torch = pytest.importorskip("torch")


def _operands(m) -> dict:
    return {
        "i": m.tensor([1, 2]), "f": m.tensor([1.5, 2.5]), "d": m.tensor([1.5, 2.5], dtype=m.float64),
        "b": m.tensor([True, False]), "i0": m.tensor(3), "f0": m.tensor(1.5),
        "d0": m.tensor(1.5, dtype=m.float64), "b0": m.tensor(True),
    }


EXPRESSIONS = [
    "i + f", "i + 1.5", "i + d0", "f + d0", "f + d", "f0 + d0", "d0 - f", "f0 * d", "i0 / i0",
    "i / i", "i / 2", "1 / i", "1.0 / i", "i // 2", "i * 2", "i * 2.0", "1 - i", "2.5 - i", "i % 2", "f % 2",
    "b + b", "b + 1", "b + 1.5", "b * i", "i + i0", "f + i0", "i0 + f0", "i0 + d0", "b0 + i0", "i + True",
    "m.exp(i)", "i.sqrt()", "i.sigmoid()", "i.tanh()", "i.relu()", "i.floor()", "f.floor()", "i.sign()",
    "i.round()", "i.reciprocal()", "i.rsqrt()", "i.abs()", "-i",
    "i ** 2", "i ** 0.5", "2 ** i", "2.0 ** i", "f ** i", "i ** f", "d ** f0",
    "i.sum()", "b.sum()", "f.mean()", "i.prod()", "b.prod()", "i.max()", "i.amax()", "f.argmax()",
    "f.sum(dtype=m.float64)", "i.double()", "f.long()", "f.to(m.float64)", "b.float()",
    "i == f", "i < 1.5", "m.where(b, i, f)", "m.where(b, i, 2.5)", "m.where(b, f, d0)", "m.maximum(i, f)",
    "i.clamp(0, 1)", "f.clamp(0, 1)", "m.cat([i, f])", "m.stack([i, f])", "i @ i", "d @ d",
    "i + np.float64(1.5)", "f * np.array([1.0, 2.0])", "m.tensor(np.float64(2.5))", "m.tensor(np.int64(2))",
    "m.tensor([1, 2.5])", "m.tensor([True, 2])", "m.arange(3)", "m.arange(0.5, 2)", "m.linspace(0, 1, 3)",
    "m.full((2,), 7)", "m.full((2,), 7.0)", "m.full((2,), True)", "m.zeros(2)", "m.randint(0, 3, (2,))",
]


def _evaluate(m, expression: str):
    return eval(expression, {"m": m, "np": np}, _operands(m))


@pytest.mark.filterwarnings("ignore:__array_wrap__")  # torch's, for torch tensor * ndarray
@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_result_dtype_and_values_match_torch(expression: str) -> None:
    ours, theirs = _evaluate(dk, expression), _evaluate(torch, expression)
    assert repr(ours.dtype) == repr(theirs.dtype).replace("torch", "diffkit")
    if "rand" not in expression:
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize("expression", ["i / i", "i + 1.5", "m.exp(i)", "m.tensor([1.5])", "m.zeros(2)",
                                        "m.arange(0.5, 2)", "i.sum() * 0.5", "f + 1.5"])
def test_default_dtype_float64_matches_torch(expression: str) -> None:
    dk.set_default_dtype(dk.float64)
    torch.set_default_dtype(torch.float64)
    try:
        ours, theirs = _evaluate(dk, expression), _evaluate(torch, expression)
    finally:
        dk.set_default_dtype(dk.float32)
        torch.set_default_dtype(torch.float32)
    assert repr(ours.dtype) == repr(theirs.dtype).replace("torch", "diffkit")
    assert dk.get_default_dtype() is dk.float32
