"""Long runs hold memory flat: training steps of an MLP and a CNN, and a loop of
``create_graph=True`` gradient penalties, leave no graph node, no tensor and no byte behind
per step -- with the cyclic garbage collector off, so reference counting alone frees them."""
from __future__ import annotations

import gc
import os
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

import diffkit as dk
from diffkit.autograd.graph import Node

STEPS = 200  # measured steps, after the warm-up (README: "What is tested")
WARMUP = 10
BLOCK = 256  # bytes: arrays and graphs live in blocks this large; smaller ones include Python's
# free lists (tuples, floats, frames kept for reuse), which fill up slowly over a run and then stay


def _live(kind: type) -> int:
    return sum(1 for o in gc.get_objects() if issubclass(type(o), kind))  # type(): no __class__ lookups


def _large_blocks() -> int:
    return sum(trace.size for trace in tracemalloc.take_snapshot().traces if trace.size >= BLOCK)


def _classifier_step(model, optimizer, x, y):
    def step() -> float:
        optimizer.zero_grad()
        loss = dk.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def _mlp_step():
    dk.manual_seed(0)
    model = dk.nn.Sequential(dk.nn.Linear(16, 32), dk.nn.ReLU(), dk.nn.Linear(32, 32), dk.nn.Tanh(),
                             dk.nn.Linear(32, 4))
    return _classifier_step(model, dk.optim.Adam(model.parameters(), lr=1e-3), dk.randn(32, 16),
                            dk.randint(0, 4, (32,)))


def _cnn_step():
    dk.manual_seed(0)
    model = dk.nn.Sequential(dk.nn.Conv2d(1, 4, 3, padding=1), dk.nn.BatchNorm2d(4), dk.nn.ReLU(),
                             dk.nn.MaxPool2d(2), dk.nn.Flatten(), dk.nn.Linear(4 * 4 * 4, 3))
    return _classifier_step(model, dk.optim.SGD(model.parameters(), lr=0.05, momentum=0.9),
                            dk.randn(8, 1, 8, 8), dk.randint(0, 3, (8,)))


def _gradient_penalty_step():
    """WGAN-GP style: the gradient's norm is part of the loss (create_graph=True every step)."""
    dk.manual_seed(0)
    model = dk.nn.Sequential(dk.nn.Linear(8, 16), dk.nn.Tanh(), dk.nn.Linear(16, 1))
    optimizer = dk.optim.SGD(model.parameters(), lr=1e-2)
    x = dk.randn(16, 8, requires_grad=True)

    def step() -> float:
        optimizer.zero_grad()
        out = model(x).sum()
        (g,) = dk.autograd.grad(out, x, create_graph=True)
        loss = out + ((g.norm(dim=1) - 1) ** 2).mean()
        loss.backward()
        optimizer.step()
        x.grad = None
        return loss.item()

    return step


@pytest.mark.parametrize("make", [_mlp_step, _cnn_step, _gradient_penalty_step],
                         ids=["mlp", "cnn", "create_graph"])
def test_training_steps_hold_memory_flat(make) -> None:
    step = make()
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        losses = np.empty(WARMUP + STEPS)  # allocated up front: a growing list would be growth
        for i in range(WARMUP):  # optimizer state and caches exist from here on
            losses[i] = step()
        nodes, tensors = _live(Node), _live(dk.Tensor)
        start, large = tracemalloc.get_traced_memory()[0], _large_blocks()
        tracemalloc.reset_peak()
        losses[WARMUP] = step()
        footprint = tracemalloc.get_traced_memory()[1] - start  # what one step allocates at its peak
        for i in range(WARMUP + 1, WARMUP + STEPS):
            losses[i] = step()
        growth = (_large_blocks() - large) / STEPS
        total = (tracemalloc.get_traced_memory()[0] - start) / STEPS
        assert _live(Node) == nodes == 0  # every graph was freed by its backward and reference counts
        assert _live(dk.Tensor) == tensors
    finally:
        tracemalloc.stop()
        gc.enable()
    assert growth == 0, f"{growth:.0f} bytes per step in blocks of {BLOCK} bytes or more"
    assert total < 0.1 * footprint, f"{total:.0f} bytes per step (a step allocates {footprint})"
    assert np.isfinite(losses).all() and losses[-1] < losses[0]


def test_a_deep_chain_backpropagates_in_bounded_memory() -> None:
    """Backward needs little beyond the graph itself (a node list, one gradient at a time), frees
    each node's saved values as it goes, and deleting the output frees the rest."""
    n = 30_000
    x = dk.tensor(np.full(10, 0.5), requires_grad=True)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        y = x
        for i in range(n):
            y = y * y if i % 3 == 0 else y * 0.5 if i % 3 == 1 else y + 0.5
        loss = y.sum()
        graph = tracemalloc.get_traced_memory()[0] - base
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        loss.backward()
        held, peak = tracemalloc.get_traced_memory()
        del y, loss
        left = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert 200 < graph / n < 2000  # bytes per recorded operation
    assert peak - before < 0.4 * graph  # backward's own memory: a fraction of the graph's
    assert held - base < 0.7 * graph  # saved arrays released: only the bare nodes remain
    assert left < 0.02 * graph  # and nothing once the output is gone
    assert np.isfinite(x.grad.numpy()).all()


MILLION = """
import resource, sys, time
import diffkit as dk
sys.setrecursionlimit(1000)  # Python's default: the engine must not recurse
x = dk.tensor(0.5, requires_grad=True)
start = time.perf_counter()
y = x
for i in range(1_000_000):
    y = y * y if i % 3 == 0 else y * 0.5 if i % 3 == 1 else y + 0.5
built = time.perf_counter()
y.backward()
done = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{built - start:.1f} {done - built:.1f} {peak:.0f}")
"""


@pytest.mark.skipif(not os.environ.get("DIFFKIT_MILLION"), reason="about 20 s: set DIFFKIT_MILLION=1 to run")
def test_a_million_operations_backpropagate() -> None:
    """The figure in the README: a 10^6-operation chain, in a fresh process, build and backward
    time and peak RSS (the graph holds ~450 bytes per operation)."""
    result = subprocess.run([sys.executable, "-c", MILLION], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    build, backward, peak_mb = map(float, result.stdout.split())
    print(f"\n10^6 ops: build {build:.1f} s, backward {backward:.1f} s, peak RSS {peak_mb:.0f} MB")
    assert peak_mb < 2000
