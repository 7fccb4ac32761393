"""Buffer donation in captured steps: a ReLU writes into its input only when nothing else can see it.

Each case runs an eager twin beside the captured step and compares them bit for bit, and
checks on the program whether the ReLU was made to write in place: a donation where the
input is still read, returned, viewed, or is an argument or a parameter would corrupt it.
"""
from __future__ import annotations

import numpy as np
import pytest

import diffkit as torch
from diffkit import nn
from diffkit.graphs import donation

WIDTHS = [4, 64]  # 64 rows x 64: ReLU's large-array form; 4: its one-call form


def _donated(step) -> int:
    """How many ops of the step's (one) captured program write into an input."""
    (entry,) = step._captured.values()
    return sum(op[0] in donation.IN_PLACE_FORWARDS.values() for op in entry[0].ops)


def _run_twins(make_step, args, calls: int = 5):
    """The eager and captured versions of a step (each made by ``make_step()`` with its own model), called
    ``calls`` times on the same arguments; returns (eager results, captured results, captured step)."""
    eager, captured_fn = make_step(), make_step()
    captured = torch.graphs.capture(captured_fn)
    out_e = [eager(*args) for _ in range(calls)]
    out_c = [captured(*args) for _ in range(calls)]
    for a, b in zip(out_e, out_c):
        for x, y in zip(a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,)):
            np.testing.assert_array_equal(x.detach().numpy(), y.detach().numpy())
    for p, q in zip(eager.model.parameters(), captured_fn.model.parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
    return out_e, out_c, captured


class Step:
    """linear -> relu -> linear, with ``use`` deciding what else reads the pre-activation ``h``."""

    def __init__(self, width: int, use: str = "") -> None:
        torch.manual_seed(0)
        self.model = nn.Sequential(nn.Linear(width, width), nn.Linear(width, 3))
        self.opt = torch.optim.SGD(self.model.parameters(), lr=0.1)
        self.use = use

    def __call__(self, x):
        self.opt.zero_grad()
        h = self.model[0](x)
        view = h[:, :2] if self.use == "view" else None
        r = torch.relu(h)
        loss = self.model[1](r).square().mean()
        if self.use == "read":
            loss = loss + (h * 0.5).mean()
        elif self.use == "view":
            loss = loss + view.sum()
        loss.backward()
        self.opt.step()
        return (loss, h) if self.use == "return" else loss


def _input(width: int):
    return torch.from_numpy(np.random.default_rng(3).standard_normal((64, width)).astype(np.float32))


@pytest.mark.parametrize("width", WIDTHS)
def test_relu_writes_into_a_pre_activation_nothing_else_reads(width):
    *_, step = _run_twins(lambda: Step(width), (_input(width),))
    assert _donated(step) == 1


@pytest.mark.parametrize("use", ["read", "return", "view"])
@pytest.mark.parametrize("width", WIDTHS)
def test_relu_keeps_a_pre_activation_that_is_read_returned_or_viewed(width, use):
    *_, step = _run_twins(lambda: Step(width, use), (_input(width),))
    assert _donated(step) == 0


def test_relu_never_writes_into_an_argument_or_a_parameter():
    x = _input(64)
    seen = x.numpy().copy()
    weight = nn.Parameter(torch.from_numpy(np.linspace(-1, 1, 64 * 64, dtype=np.float32).reshape(64, 64)))

    def step(x):
        loss = (torch.relu(x) + torch.relu(weight)).sum()
        loss.backward()
        return loss

    captured = torch.graphs.capture(step)
    losses = [captured(x).item() for _ in range(4)]
    assert _donated(captured) == 0
    assert len(set(losses)) == 1
    np.testing.assert_array_equal(x.numpy(), seen)
    assert weight.detach().numpy().min() == -1.0


def test_donation_keeps_relu_special_values_bit_for_bit():
    """NaN, -0.0 and inf through the in-place form, against the eager result."""
    values = np.resize(np.array([np.nan, -0.0, 0.0, np.inf, -np.inf, 1.5, -1.5], np.float32), 64 * 64)
    x = torch.from_numpy(values.reshape(64, 64))
    eager = torch.relu(x * 1.0).numpy()
    captured = torch.graphs.capture(lambda x: torch.relu(x * 1.0))
    for _ in range(4):
        found = captured(x).numpy()
        assert np.array_equal(found.view(np.int32), eager.view(np.int32))  # bits: -0.0 and NaN included
    assert _donated(captured) == 1
