"""Per-operation overhead: a chain of elementwise operations on a (10,) vector, forward and backward.

The arrays are so small that the arithmetic is free: what is measured is each framework's
cost of recording one operation on its tape and replaying it backward.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from .harness import Config, Row, Setup, cells, measure

NAME = "chain"
WIDTH = 10
SIZES = {"tiny": 30, "quick": 1000, "full": 1000}


def chain(x: Any, n: int) -> Any:
    """n operations — a product of two variables, a scaling, a shift — on any framework's value.

    x ↦ 0.5·x² + 0.5 creeps towards 1 from 0.5, so values and gradients stay normal numbers
    (no overflow, no slow denormals) even over a million operations.
    """
    for i in range(n):
        r = i % 3
        x = x * x if r == 0 else x * 0.5 if r == 1 else x + 0.5
    return x


def floor_step(x0: np.ndarray, n: int) -> Callable[[], np.ndarray]:
    """The chain and its backward by hand: save what x·x needs, then multiply the adjoints back."""

    def step() -> np.ndarray:
        saved = []
        x = x0
        for i in range(n):
            r = i % 3
            if r == 0:
                saved.append(x)
                x = x * x
            else:
                x = x * 0.5 if r == 1 else x + 0.5
        g = np.ones_like(x)
        for i in range(n - 1, -1, -1):
            r = i % 3
            if r == 0:
                g = 2.0 * saved.pop() * g
            elif r == 1:
                g = g * 0.5
        return g

    return step


def torch_like_step(m: ModuleType, x0: np.ndarray, n: int) -> Callable[[], Any]:
    x = m.tensor(x0, requires_grad=True)

    def step() -> Any:
        x.grad = None
        chain(x, n).sum().backward()
        return x.grad

    return step


def autograd_step(x0: np.ndarray, n: int) -> Callable[[], Any]:
    import autograd
    import autograd.numpy as anp

    g = autograd.grad(lambda x: anp.sum(chain(x, n)))
    return lambda: g(x0)


def mygrad_step(x0: np.ndarray, n: int) -> Callable[[], Any]:
    import mygrad

    x = mygrad.tensor(x0)

    def step() -> Any:
        mygrad.sum(chain(x, n)).backward()
        return x.grad

    return step


def micrograd_step(x0: float, n: int, recursion: bool = True) -> Callable[[], Any]:
    """micrograd on one scalar; its recursive topological sort needs a raised recursion limit
    (`recursion=True`) to backpropagate more than ~300 operations."""
    from micrograd.engine import Value

    def step() -> Any:
        x = Value(x0)
        old = sys.getrecursionlimit()
        if recursion:
            sys.setrecursionlimit(max(old, 4 * n + 1000))
        try:
            chain(x, n).backward()
        finally:
            sys.setrecursionlimit(old)
        return x.grad

    return step


def setups(x0: np.ndarray, n: int, micrograd_recursion: bool = True) -> dict[str, Setup]:
    """The chain's step for every framework; micrograd runs it on the first element, as a scalar."""
    return {
        "numpy": lambda m: floor_step(x0, n),
        "diffkit": lambda m: torch_like_step(m, x0, n),
        "torch": lambda m: torch_like_step(m, x0, n),
        "autograd": lambda m: autograd_step(x0, n),
        "mygrad": lambda m: mygrad_step(x0, n),
        "micrograd": lambda m: micrograd_step(float(x0.flat[0]), n, micrograd_recursion),
    }


def run(cfg: Config) -> list[Row]:
    n = cfg.pick(SIZES)
    outcomes = measure(setups(np.full(WIDTH, 0.5, np.float32), n), cfg)
    return [Row(f"chain of {n} ops on shape ({WIDTH},), fwd+bwd", "µs/op", cells(outcomes, cfg, 1e6 / n),
                note="micrograd: on one scalar, recursion limit raised")]
