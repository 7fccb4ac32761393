"""Reverse mode: the tape engine of ``diffkit.autograd``, in float64.

f runs once on a Tensor that requires a gradient; one backward pass then gives a whole
gradient, and m passes (one per output, the graph retained) a Jacobian. Hessians are
reverse-over-reverse: the gradient is computed with ``create_graph=True``, so it is itself
on a tape, and each of its n components is differentiated again.
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager

import numpy as np

from .. import float64
from ..autograd import engine, tape_hooks
from ..creation import tensor
from ..tensor import Tensor
from .base import Differentiator, as_point, as_result, collect


class _NodeCounter:
    """A tape listener that only counts the nodes recorded."""

    def __init__(self) -> None:
        self.count = 0

    def _record(self, node, args, result) -> None:
        self.count += 1


def _depends_on_input(y) -> bool:
    return isinstance(y, Tensor) and y.requires_grad


class Reverse(Differentiator):
    """Tape-based reverse-mode automatic differentiation."""

    name = "reverse"

    @contextmanager
    def _recording(self):
        counter = _NodeCounter()
        self.cost = {"tape_nodes": 0, "backward_passes": 0}
        tape_hooks.active.append(counter)
        try:
            yield
        finally:
            tape_hooks.active.remove(counter)
            self.cost["tape_nodes"] = counter.count

    def _backward(self, y: Tensor, x: Tensor, seed=None, create_graph: bool = False) -> np.ndarray | Tensor:
        """One backward pass: the vector-Jacobian product seedᵀ·J (zeros where y ignores x)."""
        self.cost["backward_passes"] += 1
        seed = None if seed is None else tensor(seed, dtype=float64)
        (g,) = engine.grad(y, x, grad_outputs=seed, retain_graph=True, create_graph=create_graph,
                           allow_unused=True)
        if create_graph:
            return g
        return np.zeros(x.shape) if g is None else g._data

    def derivative_at(self, f: Callable, x):
        x = as_point(x)
        with self._recording():
            leaf = tensor(x, dtype=float64, requires_grad=True)
            y = collect(f(leaf))
            if not _depends_on_input(y):
                return as_result(np.zeros(x.shape))
            return as_result(self._backward(y, leaf, np.ones(y.shape)))

    def jacobian_at(self, f: Callable, x: np.ndarray) -> np.ndarray:
        with self._recording():
            leaf = tensor(x, dtype=float64, requires_grad=True)
            y = collect(f(leaf))
            shape = np.shape(y)
            if not _depends_on_input(y):
                return np.zeros(shape + x.shape)
            rows = [self._backward(y, leaf, seed.reshape(shape)) for seed in np.eye(int(np.prod(shape)))]
            return np.stack(rows).reshape(shape + x.shape)

    def grad_at(self, f: Callable, x: np.ndarray) -> np.ndarray:
        with self._recording():
            leaf = tensor(x, dtype=float64, requires_grad=True)
            y = collect(f(leaf))
            return self._backward(y, leaf) if _depends_on_input(y) else np.zeros(x.shape)

    def hessian_at(self, f: Callable, x: np.ndarray) -> np.ndarray:
        with self._recording():
            leaf = tensor(x, dtype=float64, requires_grad=True)
            y = collect(f(leaf))
            if not _depends_on_input(y):
                return np.zeros(x.shape * 2)
            g = self._backward(y, leaf, create_graph=True)
            if not _depends_on_input(g):  # f was linear: its gradient is a constant
                return np.zeros(x.shape * 2)
            return np.stack([self._backward(g, leaf, seed) for seed in np.eye(x.size)])
