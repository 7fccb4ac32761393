"""The generated replay (graphs/codegen.py): the same slots as the loop, and no step value in its source."""
from __future__ import annotations

import numpy as np

import diffkit as torch
from diffkit import nn
from diffkit.nn import functional as F


def _captured_mlp_step():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 3))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)  # no state: restoring the weights repeats a step

    def step(x, y, reduction):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y, reduction=reduction, label_smoothing=0.25) * 1.5
        loss.backward()
        opt.step()
        return loss

    return model, torch.graphs.capture(step)


def _program(captured):
    (program, _layout), = captured._captured.values()
    return program


def test_the_generated_replay_computes_the_loops_slots():
    rng = np.random.default_rng(0)
    x, y = torch.from_numpy(rng.standard_normal((4, 5)).astype(np.float32)), torch.from_numpy(rng.integers(0, 3, 4))
    model, captured = _captured_mlp_step()
    for _ in range(2):
        captured(x, y, "sum")
    program = _program(captured)
    weights = [p.detach().clone() for p in model.parameters()]
    kept = program.compiled(x._data, y._data)
    after_compiled = [p.detach().clone() for p in model.parameters()]
    for p, w in zip(model.parameters(), weights):
        p.data.copy_(w)
    slots = program.interpret([x._data, y._data])
    assert kept.keys() and all(np.array_equal(v, slots[k]) for k, v in kept.items())
    for p, q in zip(model.parameters(), after_compiled):
        np.testing.assert_array_equal(p.detach().numpy(), q.numpy())


def test_no_value_of_the_step_is_compiled_into_the_source():
    """Strings, floats and arrays reach the generated function through its namespace: its code holds
    integers (slot numbers) and None only, so nothing a user passed is ever compiled."""
    x, y = torch.randn(4, 5), torch.tensor([0, 2, 1, 1])
    _model, captured = _captured_mlp_step()
    for _ in range(3):
        captured(x, y, "mean")
    code = _program(captured).compiled.__code__
    assert all(c is None or type(c) is int for c in code.co_consts)
    assert code.co_filename == "<diffkit.graphs replay>"
