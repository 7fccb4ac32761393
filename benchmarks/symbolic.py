"""Symbolic differentiation against expression size: trace, diff, lambdify, evaluate once.

f nests sin(e)·exp(-e²/2) + x, so each level multiplies the size of f′ by about four — the
expression swell that makes symbolic derivatives of deep programs impractical. The floor
column is bare SymPy (diffkit's symbolic backend is built on it); the note splits SymPy's
time into diff and lambdify. SymPy's cache is cleared before every call.
"""
from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from .harness import Config, Row, Setup, Timing, cells, measure

NAME = "symbolic"
SIZES = {"tiny": [1, 2], "quick": [1, 2, 3, 4], "full": [1, 2, 3, 4, 5]}
POINT = 0.5


def nested(m: Any, x: Any, depth: int) -> Any:
    """depth levels of e ↦ sin(e)·exp(-e²/2) + x, for any namespace with sin and exp."""
    e = x
    for _ in range(depth):
        e = m.sin(e) * m.exp(-e * e / 2) + x
    return e


def _fresh() -> Any:
    import sympy
    from sympy.core.cache import clear_cache

    clear_cache()
    return sympy


def sympy_setups(depth: int) -> dict[str, Setup]:
    """The floor (trace, diff, lambdify, call) and its diff and lambdify parts, for the note."""

    def whole(m: ModuleType | None) -> Callable[[], Any]:
        def step() -> Any:
            sympy = _fresh()
            x = sympy.Symbol("x")
            return sympy.lambdify(x, sympy.diff(nested(sympy, x, depth), x), "numpy")(POINT)

        return step

    def part(which: str) -> Setup:
        def setup(m: ModuleType | None) -> Callable[[], Any]:
            sympy = _fresh()
            x = sympy.Symbol("x")
            expression = nested(sympy, x, depth)
            derivative = sympy.diff(expression, x)
            if which == "diff":
                return lambda: _fresh().diff(expression, x)
            return lambda: _fresh().lambdify(x, derivative, "numpy")

        return setup

    return {"numpy": whole, "sympy diff": part("diff"), "sympy lambdify": part("lambdify")}


def diffkit_setup(depth: int) -> Setup:
    def setup(m: ModuleType) -> Callable[[], Any]:
        def step() -> Any:
            _fresh()
            return m.derivative(lambda x: nested(m, x, depth), method="symbolic")(POINT)

        return step

    return setup


def _ops(depth: int) -> tuple[int, int]:
    sympy = _fresh()
    x = sympy.Symbol("x")
    expression = nested(sympy, x, depth)
    return sympy.count_ops(expression), sympy.count_ops(sympy.diff(expression, x))


def run(cfg: Config) -> list[Row]:
    rows = []
    for depth in cfg.pick(SIZES):
        outcomes = measure({**sympy_setups(depth), "diffkit": diffkit_setup(depth)}, cfg)
        parts = [(k, outcomes[f"sympy {k}"]) for k in ("diff", "lambdify")]
        note = "floor = bare SymPy: " + ", ".join(f"{k} {t.seconds * 1e3:.3g} ms" for k, t in parts
                                                    if isinstance(t, Timing))
        ops, derivative_ops = _ops(depth)
        rows.append(Row(f"symbolic f′ (trace+diff+lambdify+call), depth {depth}: {ops} → {derivative_ops} ops",
                        "ms", cells(outcomes, cfg, 1e3), note=note))
    return rows
