"""Training steps do not page-fault their arrays in again (diffkit/_allocator.py).

Each case runs in a fresh process that imports nothing but numpy and diffkit, as a user's
script does: PyTorch's import (or any earlier large array) would raise glibc's thresholds and
hide the problem. Page faults are counted, not timed: the count is deterministic.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

import diffkit as dk

pytestmark = pytest.mark.skipif(dk._allocator.status != "tuned" and not dk._allocator._glibc(),
                                reason="the allocator tuning is for glibc")

STEPS = """
import resource, sys
import numpy as np
import diffkit as dk
sizes, batch = [784, 1024, 1024, 10], 256   # activations of 1 MB, weight gradients of 3 and 4 MB
torch = dk
model = torch.nn.Sequential(torch.nn.Linear(sizes[0], sizes[1]), torch.nn.ReLU(),
                            torch.nn.Linear(sizes[1], sizes[2]), torch.nn.ReLU(), torch.nn.Linear(sizes[2], sizes[3]))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
x, y = torch.randn(batch, sizes[0]), torch.randint(0, sizes[3], (batch,))
def step():
    opt.zero_grad()
    torch.nn.functional.cross_entropy(model(x), y).backward()
    opt.step()
for _ in range(5):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    step()
print(dk._allocator.status, (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 20)
"""


def _run(env_extra: dict) -> tuple[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_") and k != "DIFFKIT_MALLOC"}
    env.update(env_extra)
    out = subprocess.run([sys.executable, "-c", STEPS], env=env, capture_output=True, text=True, timeout=120,
                         check=True).stdout.split()
    return " ".join(out[:-1]), float(out[-1])


def test_steady_training_steps_take_no_page_faults() -> None:
    status, faults = _run({})
    assert status == "tuned"
    assert faults < 5, f"{faults} page faults per step"


def test_the_system_allocator_can_be_kept_and_then_faults() -> None:
    """The opt-out works, and shows what the tuning is for: without it the same steps fault."""
    status, faults = _run({"DIFFKIT_MALLOC": "system"})
    assert status == "left to the system (DIFFKIT_MALLOC=system)"
    assert faults > 100


def test_the_users_own_malloc_settings_win() -> None:
    status, _ = _run({"MALLOC_TOP_PAD_": str(1 << 20)})
    assert status == "left to the user's MALLOC_* settings"
