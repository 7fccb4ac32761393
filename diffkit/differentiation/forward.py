"""Forward mode: one pass of f on dual numbers per input direction.

A derivative or a Jacobian-vector product costs one pass; a gradient or Jacobian of n
inputs costs n passes (one per column), which is why reverse mode wins for many inputs and
one output. Hessians use nested duals: seeding e_i on the outer and e_j on the inner level
gives e_iᵀ H e_j, so n(n+1)/2 passes fill the symmetric matrix.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .base import Differentiator, as_point, as_result, collect
from .dual import Dual, tangent_of


class Forward(Differentiator):
    """Forward-mode automatic differentiation with dual numbers."""

    name = "forward"

    def _run(self, f: Callable, x):
        """Run ``f`` on duals; keep count of passes and dual operations for ``cost``."""
        before = Dual.applied
        y = collect(f(x))
        self.cost["forward_passes"] = self.cost.get("forward_passes", 0) + 1
        self.cost["operations"] = self.cost.get("operations", 0) + Dual.applied - before
        return y

    def _start(self) -> None:
        self.cost = {"forward_passes": 0, "operations": 0}

    def derivative_at(self, f: Callable, x):
        self._start()
        x = as_point(x)[()]  # a number, or an array of points (pointwise)
        y = self._run(f, Dual(x, np.ones_like(x)))
        return as_result(np.broadcast_to(tangent_of(y), np.shape(x)))

    def jvp(self, f: Callable, x, v):
        """f(x) and the directional derivative J(x)·v in one pass."""
        self._start()
        y = self._run(f, Dual(as_point(x), as_point(v)))
        return as_result(y.value if isinstance(y, Dual) else y), as_result(tangent_of(y))

    def jacobian_at(self, f: Callable, x: np.ndarray) -> np.ndarray:
        self._start()
        columns = []
        for e in np.eye(x.size):
            y = self._run(f, Dual(x, e))
            columns.append(np.broadcast_to(tangent_of(y), np.shape(getattr(y, "value", y))))
        return np.stack(columns, axis=-1)

    def hessian_at(self, f: Callable, x: np.ndarray) -> np.ndarray:
        self._start()
        n = x.size
        eye = np.eye(n)
        h = np.zeros((n, n))
        for i in range(n):
            for j in range(i, n):
                y = self._run(f, Dual(Dual(x, eye[j]), Dual(eye[i], np.zeros(n))))
                outer = tangent_of(y)
                h[i, j] = h[j, i] = tangent_of(outer)
        return h
