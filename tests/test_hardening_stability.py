"""Numerical stability at the extremes: at ±1000 and at probabilities 0 and 1, the functions that
overflow when written naively -- sigmoid, tanh, softplus, log-sigmoid, logsumexp, (log-)softmax,
cross entropy, BCE, BCE with logits, GELU, SiLU, ELU -- give PyTorch's values and gradients,
finite wherever PyTorch's are, in float32 and float64."""
from __future__ import annotations

import numpy as np
import pytest

import diffkit as dk

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's overflow notes inside exp

X = np.array([-1000.0, -100.0, -30.0, -1.0, 0.0, 1.0, 30.0, 100.0, 1000.0])
ROWS = np.array([[1000.0, -1000.0, 0.0], [1000.0, 1000.0, 1000.0], [-1000.0, -1000.0, -1000.0],
                 [0.0, 0.0, 0.0], [-1000.0, 0.0, 1000.0]])
CLASSES = np.array([0, 1, 2, 1, 0])
P = np.array([0.0, 1.0, 0.0, 1.0, 0.5, 1e-30, 1.0 - 1e-7])  # probabilities, with the ends
P_TARGET = np.array([1.0, 0.0, 0.0, 1.0, 0.5, 1.0, 0.0])
LOGIT_TARGET = (np.arange(X.size) % 2).astype(float)


def _f(m):
    return m.nn.functional


def _fixed(m, values, like):
    return m.tensor(values, dtype=like.dtype)


CASES = {
    "sigmoid": (lambda m, x: m.sigmoid(x), X),
    "tanh": (lambda m, x: m.tanh(x), X),
    "softplus": (lambda m, x: _f(m).softplus(x), X),
    "softplus-beta": (lambda m, x: _f(m).softplus(x, beta=2.0, threshold=5.0), X),
    "logsigmoid": (lambda m, x: _f(m).logsigmoid(x), X),
    "gelu": (lambda m, x: _f(m).gelu(x), X),
    "gelu-tanh": (lambda m, x: _f(m).gelu(x, approximate="tanh"), X),
    "silu": (lambda m, x: _f(m).silu(x), X),
    "elu": (lambda m, x: _f(m).elu(x), X),
    "exp-of-log-sigmoid": (lambda m, x: m.exp(_f(m).logsigmoid(x)), X),
    "logsumexp": (lambda m, x: m.logsumexp(x, 1), ROWS),
    "log_softmax": (lambda m, x: m.log_softmax(x, 1), ROWS),
    "softmax": (lambda m, x: m.softmax(x, 1), ROWS),
    "cross_entropy": (lambda m, x: _f(m).cross_entropy(x, m.tensor(CLASSES), reduction="none"), ROWS),
    "cross_entropy-smoothing": (lambda m, x: _f(m).cross_entropy(x, m.tensor(CLASSES), label_smoothing=0.1), ROWS),
    "cross_entropy-probabilities": (lambda m, x: _f(m).cross_entropy(x, m.softmax(_fixed(m, ROWS[::-1].copy(), x), 1)),
                                    ROWS),
    "binary_cross_entropy": (lambda m, p: _f(m).binary_cross_entropy(p, _fixed(m, P_TARGET, p), reduction="none"),
                             P),
    "bce_with_logits": (lambda m, x: _f(m).binary_cross_entropy_with_logits(x, _fixed(m, LOGIT_TARGET, x),
                                                                             reduction="none"), X),
    "bce_with_logits-pos_weight": (lambda m, x: _f(m).binary_cross_entropy_with_logits(
        x, _fixed(m, LOGIT_TARGET, x), pos_weight=_fixed(m, [3.0], x)), X),
}
TOLERANCE = {"float32": 2e-6, "float64": 1e-12}


def _value_and_grad(m, fn, values: np.ndarray, dtype: str):
    x = m.tensor(values, dtype=getattr(m, dtype), requires_grad=True)
    y = fn(m, x)
    y.sum().backward()
    return y.detach().numpy().astype(np.float64), x.grad.numpy().astype(np.float64)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", CASES)
def test_values_and_gradients_at_the_extremes_match_pytorch(name: str, dtype: str) -> None:
    fn, values = CASES[name]
    ours = _value_and_grad(dk, fn, values, dtype)
    theirs = _value_and_grad(torch, fn, values, dtype)
    for what, a, b in zip(("value", "gradient"), ours, theirs):
        assert np.isfinite(b).all(), f"PyTorch's {what} is not finite: {b}"  # the cases are chosen so
        assert np.isfinite(a).all(), f"{what}: {a}"
        np.testing.assert_allclose(a, b, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype], err_msg=what)


def test_the_saturated_ends_are_exact() -> None:
    """Where the true value is 0, 1 or x itself, the stable forms give it exactly."""
    x = dk.tensor([-1000.0, 1000.0], dtype=dk.float64, requires_grad=True)
    assert dk.sigmoid(x).tolist() == [0.0, 1.0]
    assert dk.nn.functional.softplus(x).tolist() == [0.0, 1000.0]
    assert dk.nn.functional.logsigmoid(x).tolist() == [-1000.0, 0.0]
    assert dk.logsumexp(dk.stack([x, x]), 0).tolist() == pytest.approx([-1000.0 + np.log(2), 1000.0 + np.log(2)])
    dk.nn.functional.softplus(x).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0]


@pytest.mark.parametrize("p", [2, 1, 3, float("inf")])
def test_the_norm_of_a_zero_vector_has_pytorchs_zero_gradient(p) -> None:
    """sqrt(sum(x*x)) composed would give 0 * inf = NaN; the norm primitive gives PyTorch's 0,
    so F.normalize and gradient penalties survive a zero row."""
    values = np.array([[0.0, 0.0, 0.0], [3.0, -4.0, 0.0]])
    for m in (dk, torch):
        x = m.tensor(values, requires_grad=True)
        (m.norm(x, p, 1) * m.tensor([2.0, 1.0], dtype=x.dtype)).sum().backward()
        if m is dk:
            ours = x.grad.numpy()
        else:
            np.testing.assert_allclose(ours, x.grad.numpy(), rtol=1e-12)
    x = dk.zeros(2, 3, dtype=dk.float64, requires_grad=True)
    dk.nn.functional.normalize(x, dim=1).sum().backward()
    assert x.grad.tolist() == [[1e12] * 3] * 2  # 1/eps, finite, as PyTorch (it was NaN)
