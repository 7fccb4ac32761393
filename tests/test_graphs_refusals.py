"""diffkit.graphs.capture refuses what a replay could not repeat, with the reason, and leaves nothing behind."""
from __future__ import annotations

import numpy as np
import pytest

import diffkit as torch
from diffkit import nn


@pytest.mark.parametrize("body, what", [
    (lambda w, x: float((x @ w).sum()), r"Tensor\.item\(\) cannot be captured"),
    (lambda w, x: (x @ w).sum() if (x @ w).sum() > 0 else -(x @ w).sum(), r"bool\(tensor\) \(an if or while"),
    (lambda w, x: (x @ w).sum().numpy(), r"Tensor\.numpy\(\) cannot be captured"),
])
def test_reading_a_value_out_during_capture_is_refused(body, what):
    w = torch.ones(3, 2, requires_grad=True)
    captured = torch.graphs.capture(lambda x: body(w, x))
    with pytest.raises(RuntimeError, match=what):
        captured(torch.ones(4, 3))
    assert torch.is_grad_enabled() and torch.autograd.grad_mode.state.capture is None  # nothing left behind


def test_hooks_and_autograd_grad_are_refused():
    w = torch.ones(3, requires_grad=True)
    w.register_hook(lambda g: g * 2)
    with pytest.raises(RuntimeError, match="a gradient hook cannot be captured"):
        torch.graphs.capture(lambda x: (x * w).sum().backward())(torch.ones(3))
    v = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"autograd.grad\(\) cannot be captured.*loss.backward\(\)"):
        torch.graphs.capture(lambda x: torch.autograd.grad((x * v).sum(), v))(torch.ones(3))
    opt = torch.optim.SGD([v], lr=0.1)
    opt.register_step_post_hook(lambda *a: None)

    def step(x):
        (x * v).sum().backward()
        opt.step()

    with pytest.raises(RuntimeError, match="step hooks cannot be captured"):
        torch.graphs.capture(step)(torch.ones(3))


def test_values_computed_outside_the_engine_are_caught_by_the_second_recording():
    w = torch.ones(3, requires_grad=True)

    def step(x):  # a constant tensor made from x's values with numpy: baked into a replay, so refused
        shift = torch.tensor(np.asarray(x.detach()).mean())
        loss = ((x - shift) * w).sum()
        loss.backward()
        return loss

    captured = torch.graphs.capture(step)
    captured(torch.ones(3))
    with pytest.raises(RuntimeError, match="did not compute the same thing on two calls"):
        captured(torch.full((3,), 2.0))


def test_random_numbers_drawn_outside_an_operation_are_refused():
    w = torch.ones(5, requires_grad=True)

    def step(x):
        noise = torch.randn(5)
        (x * w + noise).sum().backward()

    captured = torch.graphs.capture(step)
    captured(torch.ones(5))
    with pytest.raises(RuntimeError, match="random numbers drawn outside an operation"):
        captured(torch.ones(5))


def test_a_rebound_parameter_must_keep_its_shape():
    w = torch.ones(3, requires_grad=True)
    captured = torch.graphs.capture(lambda x: (x * w).sum())
    for _ in range(3):
        captured(torch.ones(3))
    with torch.no_grad():
        w.data = torch.full((3,), 2.0)
    assert captured(torch.ones(3)).item() == 6.0  # a new array of the same shape is read afresh
    w.data = torch.ones(4)
    with pytest.raises(RuntimeError, match=r"changed from \[3\] float32 to \[4\] float32"):
        captured(torch.ones(3))


def test_captured_steps_take_tensors_and_numbers_only():
    captured = torch.graphs.capture(lambda x, k: x * k)
    assert captured(torch.ones(2), 3).tolist() == [3.0, 3.0]
    with pytest.raises(TypeError, match="takes Tensors and plain numbers, got list"):
        captured([1.0], 2)


def test_forward_hooks_are_refused():
    layer = nn.Linear(3, 2)
    layer.register_forward_hook(lambda module, args, out: None)
    with pytest.raises(RuntimeError, match="a forward hook of Linear cannot be captured"):
        torch.graphs.capture(lambda x: layer(x).sum())(torch.ones(4, 3))


@pytest.mark.parametrize("write, what", [
    (lambda w: nn.init.zeros_(w), "nn.init"),
    (lambda w: setattr(w, "data", torch.zeros(3)), r"Tensor.data = \.\.\."),
    (lambda w: nn.utils.vector_to_parameters(torch.zeros(3), [w]), "vector_to_parameters"),
])
def test_writes_the_recording_cannot_see_are_refused(write, what):
    w = torch.ones(3, requires_grad=True)

    def step(x):
        with torch.no_grad():
            write(w)
        return (x * w).sum()

    with pytest.raises(RuntimeError, match=f"{what} cannot be captured: .* a write into a tensor outside them"):
        torch.graphs.capture(step)(torch.ones(3))
    model = nn.Linear(2, 2)
    state = model.state_dict()
    with pytest.raises(RuntimeError, match="load_state_dict cannot be captured"):
        torch.graphs.capture(lambda x: model.load_state_dict(state) and x)(torch.ones(2))


@pytest.mark.parametrize("select, what", [
    (lambda h: h[h > 0].sum(), "indexing with a boolean mask"),
    (lambda h: h.masked_select(h > 0).sum(), "masked_select"),
    (lambda h: torch.nonzero(h > 0).sum(), "nonzero"),
    (lambda h: torch.unique(h.detach()).sum(), "unique"),
    (lambda h: h[h.argmax()], "indexing with a boolean mask or a 0-d index tensor"),
])
def test_selections_that_depend_on_values_are_refused(select, what):
    w = torch.ones(4, requires_grad=True)
    with pytest.raises(RuntimeError, match=f"{what}.* cannot be captured: .* depends on the values"):
        torch.graphs.capture(lambda x: select(x * w))(torch.tensor([1.0, -2.0, 3.0, -4.0]))
