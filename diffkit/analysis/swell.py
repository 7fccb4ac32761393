"""Experiment 1: expression swell (Baydin et al. 2018, table 1).

The logistic map l₁ = x, lₙ₊₁ = 4 lₙ(1 − lₙ) uses lₙ twice, so the expression *tree* SymPy
builds doubles at every step, and its derivative -- the product rule copying both factors --
grows faster still. Expanding into a polynomial does not save it (lₙ has degree 2ⁿ⁻¹);
common-subexpression elimination does, by turning the tree back into a graph. The tape that
reverse mode records is that graph from the start: three nodes per step. Two more families
show milder swell: the gradient of a product of n factors (n² nodes) and nested sines
(the chain rule repeats every inner sine: ~n²/2 nodes).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import sin
from ..differentiation import Reverse, Symbolic
from ..differentiation.symbolic import size


def logistic_map(n: int) -> Callable:
    """x ↦ lₙ with l₁ = x, lₙ₊₁ = 4 lₙ(1 − lₙ)."""
    def step(x):
        for _ in range(n - 1):
            x = 4 * x * (1 - x)
        return x
    step.__name__ = f"l{n}"
    return step


def product(n: int) -> Callable:
    """x ↦ x₀·x₁·…·xₙ₋₁, whose gradient has n entries of n − 1 factors each."""
    def p(x):
        y = x[0]
        for i in range(1, n):
            y = y * x[i]
        return y
    return p


def nested_sin(n: int) -> Callable:
    """x ↦ sin(sin(…sin(x))), n sines."""
    def s(x):
        for _ in range(n):
            x = sin(x)
        return x
    return s


@dataclass(frozen=True)
class Family:
    """A sequence of functions indexed by n, and where to differentiate them."""

    label: str
    build: Callable[[int], Callable]
    inputs: bool        # True: a gradient of n inputs; False: a derivative of one
    point: float = 0.2


FAMILIES = {
    "logistic": Family("logistic map lₙ(x), dlₙ/dx", logistic_map, inputs=False),
    "product": Family("product x₀·…·xₙ₋₁, its gradient", product, inputs=True, point=1.1),
    "nested-sin": Family("nested sin(sin(…x)), its derivative", nested_sin, inputs=False),
}


def _expanded(derivative) -> dict:
    import sympy

    items = np.asarray(derivative, dtype=object).reshape(-1)
    return size([sympy.expand(e) for e in items])


def swell(family: str = "logistic", n_max: int = 10, expand_max: int = 6) -> list[dict]:
    """Sizes for n = 1..n_max: the function and its derivative as SymPy builds them
    (``nodes`` of the expression tree and ``ops``), the derivative expanded (n ≤ expand_max:
    expanding is itself exponential), with ``cse``, and the tape nodes of reverse mode."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; choose one of {', '.join(FAMILIES)}")
    if n_max < 1:
        raise ValueError(f"n must be at least 1, got {n_max}")
    spec = FAMILIES[family]
    kind = "grad" if spec.inputs else "derivative"
    records = []
    for n in range(1, n_max + 1):
        f = spec.build(n)
        compiled = Symbolic(cse=True).compile(f, kind, n if spec.inputs else None)
        reverse = Reverse()
        at = np.full(n, spec.point) if spec.inputs else spec.point
        getattr(reverse, kind)(f)(at)
        sizes = compiled.sizes
        records.append({
            "family": family, "n": n,
            "expression_nodes": sizes["expression"]["nodes"], "expression_ops": sizes["expression"]["ops"],
            "derivative_nodes": sizes["derivative"]["nodes"], "derivative_ops": sizes["derivative"]["ops"],
            "expanded_nodes": _expanded(compiled.derivative)["nodes"] if n <= expand_max else None,
            "cse_nodes": sizes["cse"]["nodes"], "cse_ops": sizes["cse"]["ops"],
            "tape_nodes": reverse.cost["tape_nodes"],
        })
    return records


def growth(records: list[dict], key: str, last: int = 4) -> dict[str, float]:
    """How ``key`` grows over the last ``last`` steps of n: ``ratio`` (geometric mean of
    size(n+1)/size(n): > 1 and steady for exponential growth, → 1 for polynomial), ``power``
    (slope of log size against log n: the degree of polynomial growth) and ``steps`` (the
    increments size(n+1) − size(n): all equal for linear growth)."""
    points = [(r["n"], r[key]) for r in records if r.get(key)][-(last + 1):]
    if len(points) < 2:
        return {"ratio": math.nan, "power": math.nan, "steps": []}
    ns = np.array([n for n, _ in points], dtype=float)
    sizes = np.array([s for _, s in points], dtype=float)
    return {"ratio": float(np.exp(np.mean(np.diff(np.log(sizes))))),
            "power": float(np.polyfit(np.log(ns), np.log(sizes), 1)[0]),
            "steps": [int(d) for d in np.diff(sizes)]}


def table1(n_max: int = 4) -> list[dict]:
    """Baydin et al.'s table 1 itself: lₙ, dlₙ/dx as SymPy builds it, and expanded."""
    import sympy

    rows = []
    for n in range(1, n_max + 1):
        compiled = Symbolic().compile(logistic_map(n), "derivative")
        rows.append({"n": n, "l": compiled.expression, "derivative": compiled.derivative,
                     "expanded": sympy.expand(compiled.derivative)})
    return rows
