"""The one interface every differentiator shares.

A backend turns a function into its derivative, gradient, Jacobian or Hessian -- each a
callable -- and records what its last call cost. A backend only has to implement
``jacobian_at``; the others have general fallbacks that a backend overrides when it has a
better way (reverse mode: one backward pass for a gradient; forward mode: nested duals).

Shapes: ``derivative`` maps a number (or an array, pointwise) to the same; ``grad`` a vector
``x`` to a vector like ``x``; ``jacobian`` ``x`` of shape (n,) to shape (m, n) (or (n,) when
f is scalar); ``hessian`` ``x`` to shape (n, n).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..ops import stack


class Differentiator:
    """Base class of the symbolic, numeric, reverse and forward backends (and of yours)."""

    name = "differentiator"

    def __init__(self) -> None:
        self.cost: dict = {}  # what the last call cost: evaluations, passes, tape nodes, expression size

    # ------------------------------------------------------------------ public: callables
    def derivative(self, f: Callable) -> Differentiated:
        """f'(x) for f: R -> R (applied pointwise to an array of points)."""
        return Differentiated(self, "derivative", f)

    def grad(self, f: Callable) -> Differentiated:
        """∇f(x) for f: R^n -> R, x a 1-D array."""
        return Differentiated(self, "grad", f)

    def jacobian(self, f: Callable) -> Differentiated:
        """J_f(x) for f: R^n -> R^m (f may return a list or an array)."""
        return Differentiated(self, "jacobian", f)

    def hessian(self, f: Callable) -> Differentiated:
        """The matrix of second derivatives of f: R^n -> R."""
        return Differentiated(self, "hessian", f)

    # ------------------------------------------------------------------ what a backend implements
    def jacobian_at(self, f: Callable, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement jacobian_at(f, x)")

    def grad_at(self, f: Callable, x: np.ndarray) -> np.ndarray:
        return self.jacobian_at(f, x)

    def derivative_at(self, f: Callable, x):
        x = as_point(x)
        flat = x.reshape(-1)
        # pointwise: the Jacobian of an elementwise function is diagonal
        jac = self.jacobian_at(lambda v: f(v.reshape(x.shape) if x.ndim else v[0]), flat)
        return as_result(np.diagonal(np.atleast_2d(jac)).reshape(x.shape))

    def hessian_at(self, f: Callable, x: np.ndarray) -> np.ndarray:
        return self.jacobian_at(lambda v: self.grad_at(f, v), x)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} differentiator {self.name!r}>"


class Differentiated:
    """A derivative, gradient, Jacobian or Hessian of ``f``, computed by ``backend`` when called."""

    def __init__(self, backend: Differentiator, kind: str, f: Callable) -> None:
        self.backend, self.kind, self.f = backend, kind, f
        self._at = getattr(backend, f"{kind}_at")

    def __call__(self, x):
        if self.kind == "derivative":
            return self._at(self.f, x)
        return self._at(self.f, as_vector(x))

    @property
    def cost(self) -> dict:
        """What the last call cost (evaluations, passes, tape nodes, expression size)."""
        return self.backend.cost

    def __repr__(self) -> str:
        name = getattr(self.f, "__name__", type(self.f).__name__)
        return f"<{self.kind} of {name} by {self.backend.name}>"


def as_point(x) -> np.ndarray:
    """A point as a float64 array (complex stays complex)."""
    x = np.asarray(getattr(x, "_data", x))
    return x.astype(np.complex128 if x.dtype.kind == "c" else np.float64)


def as_vector(x) -> np.ndarray:
    x = as_point(x)
    if x.ndim != 1:
        raise ValueError(f"grad, jacobian and hessian take a 1-D array of inputs, got shape {x.shape}")
    return x


def as_result(value):
    """A 0-d result as a float, anything else as an array."""
    value = np.asarray(value)
    return value[()] if value.ndim == 0 else value


def collect(y):
    """f's result as one value: a list or tuple of outputs is stacked (diffkit.stack works on
    numbers, arrays, Tensors, dual numbers and symbolic arrays alike)."""
    if isinstance(y, (list, tuple)):
        return stack([collect(item) for item in y])
    return y
