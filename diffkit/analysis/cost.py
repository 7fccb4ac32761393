"""Experiment 3: what a gradient of f: Rⁿ → R costs as n grows.

Central differences call f twice per input (2n evaluations) and forward mode runs f once per
input direction (n passes), so both grow linearly relative to f. Reverse mode runs f once on
the tape and walks it back once, whatever n is: time(∇f)/time(f) stays bounded -- the cheap
gradient principle (Griewank & Walther, "Evaluating Derivatives", ch. 4). The symbolic method
derives n expressions and compiles them. Counts (evaluations, passes, tape nodes) are exact;
wall times are the minimum over repeats, and a method stops once one gradient takes longer
than ``budget`` seconds.
"""
from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from .. import sum as dk_sum
from ..differentiation import backend

METHODS = ("numeric", "forward", "reverse", "symbolic")
SIZES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)


def rosenbrock(x):
    """The extended Rosenbrock function Σ (1 − xᵢ)² + 100 (xᵢ₊₁ − xᵢ²)², vectorised."""
    return dk_sum((1 - x) ** 2) + 100 * dk_sum((x[1:] - x[:-1] ** 2) ** 2)


def _timed(call: Callable, min_total: float = 0.02, max_repeats: int = 50) -> tuple[float, object]:
    """(the fastest of several runs, the last result): repeats until min_total seconds pass."""
    best, spent, result = float("inf"), 0.0, None
    for _ in range(max_repeats):
        start = time.perf_counter()
        result = call()
        elapsed = time.perf_counter() - start
        best, spent = min(best, elapsed), spent + elapsed
        if spent >= min_total:
            break
    return best, result


def _counts(method: str, cost: dict, n: int) -> dict:
    """The work a method reports, as one ``count`` (what the cost figure plots) and the rest."""
    if method == "numeric":
        return {"count": cost["evaluations"], "count_of": "f evaluations"}
    if method == "forward":
        return {"count": cost["forward_passes"], "count_of": "forward passes"}
    if method == "reverse":
        return {"count": cost["backward_passes"], "count_of": "backward passes", "tape_nodes": cost["tape_nodes"]}
    return {"count": n, "count_of": "derivative expressions", "expression_nodes": cost["derivative_nodes"]}


def cost_vs_inputs(f: Callable = rosenbrock, sizes=SIZES, methods=METHODS, budget: float = 1.0,
                   seed: int = 0) -> list[dict]:
    """One record per (method, n): ``time`` of a gradient (symbolic: tracing and compiling
    included; ``compiled_time`` without), ``f_time``, their ``ratio``, and the counts."""
    rng = np.random.default_rng(seed)
    points = {n: rng.uniform(-1, 1, n) for n in sizes}
    f_times = {n: _timed(lambda x=points[n]: f(x))[0] for n in sizes}
    records = []
    for method in methods:
        backend(method).grad(f)(points[sizes[0]])  # warm up: imports (SymPy's takes a second) are not the method's cost
        for n in sizes:
            x = points[n]
            differentiator = backend(method)
            gradient = differentiator.grad(f)
            if method == "symbolic":  # the first call traces, differentiates and compiles
                start = time.perf_counter()
                gradient(x)
                elapsed = time.perf_counter() - start
                compiled, _ = _timed(lambda g=gradient, x=x: g(x))
            else:
                elapsed, _ = _timed(lambda g=gradient, x=x: g(x), min_total=min(0.02, budget))
                compiled = elapsed
            records.append({"method": method, "n": n, "time": elapsed, "compiled_time": compiled,
                            "f_time": f_times[n], "ratio": elapsed / f_times[n],
                            **_counts(method, differentiator.cost, n)})
            if elapsed > budget:
                break
    return records


def slope(records: list[dict], method: str, key: str = "ratio", n_min: int = 1) -> float:
    """The log-log slope of ``key`` against n for one method (1: linear growth, 0: bounded)."""
    rows = [(r["n"], r[key]) for r in records if r["method"] == method and r["n"] >= n_min]
    if len(rows) < 2:
        return float("nan")
    n, value = np.log10(np.array(rows, dtype=float)).T
    return float(np.polyfit(n, value, 1)[0])
