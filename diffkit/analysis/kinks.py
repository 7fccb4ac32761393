"""Experiment 5: control flow and kinks -- what each method returns where f is not smooth.

At a kink the left and right derivatives differ and every method quietly picks something:
reverse and forward mode take the branch the program took (``where(x > 0, …)`` at 0 takes the
``else`` side; ``abs`` and ``maximum`` follow PyTorch's conventions, 0 and 0.5), central
differences return the mean of the two sides, one-sided differences one side, and the complex
step is wrong wherever f is not analytic (|x + ih| has no imaginary part). Symbolic tracing
cannot follow a Python ``if`` at all and says why. Near the kink every method agrees again --
except those whose stencil still straddles it. The one-sided truths come from reverse mode
just off the point, where f is smooth.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

from .. import abs as dk_abs
from .. import maximum, relu, where
from ..differentiation import derivative

METHODS = ("symbolic", "numeric:forward", "numeric:backward", "numeric:central", "numeric:complex-step",
           "numeric:richardson", "reverse", "forward")
DELTA = 1e-3   # "near": this far from the kink
SIDE = 1e-12   # one-sided truths: reverse mode this far (relative) off the point


def loop_and_branch(x):
    """Three rounds of: y² below 1, else 3y − 2 -- continuous, with a kink at 1 (slopes 8 and 27)."""
    y = x
    for _ in range(3):
        if y < 1:
            y = y * y
        else:
            y = 3 * y - 2
    return y


@dataclass(frozen=True)
class Case:
    label: str
    f: Callable
    kink: float


CASES = (
    Case("|x|", lambda x: dk_abs(x), 0.0),
    Case("maximum(x, 0)", lambda x: maximum(x, 0.0), 0.0),
    Case("relu(x)", lambda x: relu(x), 0.0),
    Case("where(x > 0, x², −x)", lambda x: where(x > 0, x ** 2, -x), 0.0),
    Case("loop + branch (if y < 1)", loop_and_branch, 1.0),
)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 + 1e-5 * abs(b)


def classify(value: float | None, left: float, right: float) -> str:
    """What a method's value is: "exact" (f smooth there, value right), "left", "right",
    "mean" (of the one-sided derivatives), "wrong" or "error"."""
    if value is None:
        return "error"
    if _close(left, right):
        return "exact" if _close(value, left) else "wrong"
    for name, truth in (("left", left), ("right", right), ("mean", (left + right) / 2)):
        if _close(value, truth):
            return name
    return "wrong"


def kinks(cases=CASES, methods=METHODS, delta: float = DELTA) -> list[dict]:
    """One record per (case, point, method): the point (kink − δ, kink, kink + δ), the
    one-sided derivatives there, the method's value (None when it raised), its class, and the
    warnings it gave (Richardson's ConvergenceWarning where its steps straddle the kink)."""
    records = []
    for case in cases:
        for offset in (-delta, 0.0, delta):
            x = case.kink + offset
            step = SIDE * max(abs(x), 1.0)
            left, right = (float(derivative(case.f)(x + s)) for s in (-step, step))
            for method in methods:
                with warnings.catch_warnings(record=True) as caught:  # a method's warning is part of the answer
                    warnings.simplefilter("always")
                    try:
                        value, error = float(derivative(case.f, method=method)(x)), ""
                    except Exception as exc:  # noqa: BLE001 - a method refusing is part of the answer
                        value, error = None, f"{type(exc).__name__}: {exc}"
                records.append({"case": case.label, "x": x, "offset": offset, "method": method,
                                "value": value, "error": error, "left": left, "right": right,
                                "class": classify(value, left, right),
                                "warning": ", ".join(sorted({type(w.message).__name__ for w in caught}))})
    return records
