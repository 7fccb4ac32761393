"""Anomaly detection: find the operation whose backward first produced NaN.

With ``detect_anomaly()`` on, every node remembers the stack where its forward ran, and the
engine checks each gradient it computes; the first NaN raises an error naming the node and
printing that stack, as PyTorch does.
"""
from __future__ import annotations

import numpy as np

from . import grad_mode
from .graph import OutputGrads


class detect_anomaly:  # noqa: N801 - PyTorch's name
    """Context manager (and decorator) that turns anomaly detection on."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> None:
        self._previous = grad_mode.state.anomaly
        grad_mode.state.anomaly = self.check_nan

    def __exit__(self, *exc) -> None:
        grad_mode.state.anomaly = self._previous

    def __call__(self, fn):
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)

        return wrapper


class set_detect_anomaly(detect_anomaly):  # noqa: N801 - PyTorch's name
    """Turn anomaly detection on or off now (also usable as a context manager)."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self._previous = grad_mode.state.anomaly
        grad_mode.state.anomaly = bool(mode) and check_nan

    def __enter__(self) -> None:
        pass


def is_anomaly_enabled() -> bool:
    return grad_mode.state.anomaly


def check_gradients(node, grads) -> None:
    """Raise if a gradient computed by ``node`` contains NaN (called by the engine)."""
    for i, g in enumerate(grads):
        if g is None or isinstance(g, OutputGrads):  # a slot's gradient, checked where it was computed
            continue
        values = g._data if hasattr(g, "_data") else np.asarray(g)
        if np.isnan(values).any():
            stack = "".join(getattr(node, "forward_stack", None) or ["(no forward stack recorded)\n"])
            raise RuntimeError(f"Function '{type(node).__name__}' returned nan values in its {i}th output.\n"
                               f"The forward operation that created it ran here:\n{stack}")
