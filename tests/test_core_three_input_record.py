"""The tape's unrolled path for three-input primitives (linear's x, W, b): the same edges, shapes,
saved versions and refusals as the general loop it replaces."""
from __future__ import annotations

import numpy as np
import pytest

import diffkit as dk
import diffkit.nn.functional as F


def _linear_case(bias: bool = True, x_grad: bool = True):
    rng = np.random.default_rng(0)
    x = dk.tensor(rng.standard_normal((5, 3)), requires_grad=x_grad)
    w = dk.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    b = dk.tensor(rng.standard_normal(4), requires_grad=True) if bias else None
    return x, w, b


def test_linear_gradients_are_the_matrix_formulas() -> None:
    x, w, b = _linear_case()
    y = F.linear(x, w, b)
    g = np.arange(20.0).reshape(5, 4)
    y.backward(dk.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), g @ w.detach().numpy())
    np.testing.assert_allclose(w.grad.numpy(), g.T @ x.detach().numpy())
    np.testing.assert_allclose(b.grad.numpy(), g.sum(0))
    assert y.grad_fn.in_shapes == ((5, 3), (4, 3), (4,))


def test_an_input_without_gradient_gets_no_edge() -> None:
    x, w, b = _linear_case(x_grad=False)
    y = F.linear(x, w, b)
    assert y.grad_fn.next_functions[0] == (None, 0)
    y.sum().backward()
    assert x.grad is None and w.grad.shape == (4, 3)
    x, w, _ = _linear_case()
    y = F.linear(x, w, None)  # three arguments, the third a constant None
    assert y.grad_fn.next_functions[2] == (None, 0)
    y.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), np.ones((5, 4)).T @ x.detach().numpy())


def test_three_inputs_of_the_output_shape_record_no_shapes() -> None:
    a, b, t = (dk.tensor(np.full(3, v), requires_grad=True) for v in (1.0, 5.0, 0.25))
    y = dk.lerp(a, b, t)
    assert y.grad_fn.in_shapes is None
    y.sum().backward()
    assert a.grad.tolist() == [0.75] * 3 and b.grad.tolist() == [0.25] * 3 and t.grad.tolist() == [4.0] * 3
    t2 = dk.tensor(0.25, requires_grad=True)  # a 0-d weight: summed back to its shape
    y = dk.lerp(a, b, t2)
    assert y.grad_fn.in_shapes == ((3,), (3,), ())
    y.sum().backward()
    assert t2.grad.item() == 12.0


@pytest.mark.parametrize("which", [0, 1])
def test_a_saved_input_changed_in_place_is_refused(which: int) -> None:
    x, w, b = _linear_case()
    y = F.linear(x, w, b)
    with dk.no_grad():
        (x, w)[which].mul_(2)
    shape = r"\[5, 3\]" if which == 0 else r"\[4, 3\]"
    with pytest.raises(RuntimeError, match=f"modified by an inplace operation: .*{shape}.*which is input {which} "
                                           "of AddmmBackward0, is at version 1; expected version 0"):
        y.sum().backward()


def test_the_bias_changed_in_place_is_fine() -> None:
    """linear does not save b (its gradient needs none of it), as PyTorch's AddmmBackward0."""
    x, w, b = _linear_case()
    y = F.linear(x, w, b)
    with dk.no_grad():
        b.add_(1)
    y.sum().backward()
    assert b.grad.tolist() == [5.0] * 4


def test_a_stale_view_as_third_input_is_refused() -> None:
    x, w, _ = _linear_case()
    base = dk.zeros(6, dtype=dk.float64, requires_grad=True) * 1
    bias = base[:4]
    base.add_(1)
    with pytest.raises(RuntimeError, match="view .* modified in place"):
        F.linear(x, w, bias)
