"""``diffkit.derivative``, ``grad``, ``jacobian``, ``hessian``: one function, any method.

``method`` names a backend ("symbolic", "numeric", "reverse" -- the default --, "forward",
or "numeric:<scheme>") or is a backend instance (a subclass of ``Differentiator`` of your
own). Other keyword arguments go to the backend: ``scheme``, ``h`` and ``full_output`` for
numeric, ``simplify`` and ``cse`` for symbolic.
"""
from __future__ import annotations

from collections.abc import Callable

from .base import Differentiated, Differentiator
from .forward import Forward
from .numeric import Numeric
from .reverse import Reverse
from .symbolic import Symbolic

METHODS: dict[str, type[Differentiator]] = {
    "symbolic": Symbolic, "numeric": Numeric, "reverse": Reverse, "forward": Forward}


def backend(method: str | Differentiator = "reverse", **options) -> Differentiator:
    """The differentiator a ``method=`` argument names."""
    if isinstance(method, Differentiator):
        if options:
            raise TypeError(f"options {sorted(options)} are for a method given by name, not an instance")
        return method
    if isinstance(method, type) and issubclass(method, Differentiator):
        return method(**options)
    name, _, scheme = str(method).partition(":")
    if name not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)} "
                         "(or 'numeric:<scheme>'), or pass a Differentiator instance")
    if scheme:
        options = {**options, "scheme": scheme}
    return METHODS[name](**options)


def derivative(f: Callable, method: str | Differentiator = "reverse", **options) -> Differentiated:
    """f' as a function, for f: R -> R (applied pointwise to an array of points)."""
    return backend(method, **options).derivative(f)


def grad(f: Callable, method: str | Differentiator = "reverse", **options) -> Differentiated:
    """∇f as a function, for f: R^n -> R taking a 1-D array."""
    return backend(method, **options).grad(f)


def jacobian(f: Callable, method: str | Differentiator = "reverse", **options) -> Differentiated:
    """The Jacobian of f: R^n -> R^m (f may return a list or an array) as a function."""
    return backend(method, **options).jacobian(f)


def hessian(f: Callable, method: str | Differentiator = "reverse", **options) -> Differentiated:
    """The Hessian of f: R^n -> R as a function."""
    return backend(method, **options).hessian(f)
