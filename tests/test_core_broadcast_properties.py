"""Property tests: for random broadcastable shapes, the gradient of each input of a
broadcasting operation has that input's shape and equals central finite differences."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import diffkit as dk

OPERATIONS = {
    "add": (lambda c, x, y: x + y, ("real", "real")),
    "sub": (lambda c, x, y: x - y, ("real", "real")),
    "mul": (lambda c, x, y: x * y, ("real", "real")),
    "div": (lambda c, x, y: x / y, ("real", "away")),
    "maximum": (lambda c, x, y: dk.maximum(x, y), ("real", "real")),
    "minimum": (lambda c, x, y: dk.minimum(x, y), ("real", "real")),
    "remainder": (lambda c, x, y: dk.remainder(x, y), ("real", "positive")),
    "pow": (lambda c, x, y: x ** y, ("positive", "real")),
    "where": (lambda c, x, y: dk.where(c, x, y), ("real", "real")),
    "atan2": (lambda c, x, y: dk.atan2(x, y), ("real", "away")),
    "lerp": (lambda c, x, y: dk.lerp(x, y, 0.3) + dk.lerp(x, y, dk.sigmoid(y)), ("real", "real")),  # both forms
    "clamp": (lambda c, x, y: dk.clamp(x, y - 0.5, y + 0.5), ("real", "real")),  # tensor bounds
    "clamp_min": (lambda c, x, y: dk.clamp(x, min=y) + dk.clamp_min(x, y), ("real", "real")),
    "clamp_max": (lambda c, x, y: dk.clamp(x, max=y) + dk.clamp_max(x, y), ("real", "real")),
}


def _draw(rng, shape, domain) -> np.ndarray:
    if domain == "positive":
        values = rng.uniform(0.5, 2.0, shape)
    elif domain == "away":  # away from zero
        values = rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    else:
        values = rng.uniform(-2.0, 2.0, shape)
    return np.array(values, dtype=np.float64)  # an array even for shape ()


def _finite_differences(f, arrays: list, weights: np.ndarray, eps: float = 1e-6) -> list:
    """d/d(arrays) of sum(weights * f(*arrays)) by central differences, element by element."""
    def loss() -> float:
        return float((weights * f(*[dk.tensor(a) for a in arrays]).numpy()).sum())

    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        for k in np.ndindex(a.shape):
            original = a[k]
            a[k] = original + eps
            plus = loss()
            a[k] = original - eps
            minus = loss()
            a[k] = original
            g[k] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads


@pytest.mark.parametrize("name", list(OPERATIONS))
@settings(max_examples=25, deadline=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3), seed=st.integers(0, 2**32 - 1))
def test_broadcast_gradients_have_input_shapes_and_match_finite_differences(name, shapes, seed) -> None:
    op, domains = OPERATIONS[name]
    rng = np.random.default_rng(seed)
    (x_shape, y_shape, c_shape), out_shape = shapes.input_shapes, shapes.result_shape
    condition = rng.random(c_shape) < 0.5
    arrays = [_draw(rng, x_shape, domains[0]), _draw(rng, y_shape, domains[1])]
    x, y = (dk.tensor(a, requires_grad=True) for a in arrays)
    out = op(condition, x, y)
    if name != "where":
        out_shape = np.broadcast_shapes(x_shape, y_shape)
    assert tuple(out.shape) == tuple(out_shape)
    weights = rng.standard_normal(out_shape)
    (out * dk.tensor(weights)).sum().backward()

    assert tuple(x.grad.shape) == x_shape and tuple(y.grad.shape) == y_shape
    expected = _finite_differences(lambda a, b: op(condition, a, b), [a.copy() for a in arrays], weights)
    np.testing.assert_allclose(x.grad.numpy(), expected[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(y.grad.numpy(), expected[1], rtol=1e-5, atol=1e-6)
