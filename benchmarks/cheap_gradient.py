"""The cheap gradient principle: time(∇f) / time(f) for a vectorised f: Rⁿ → R.

Reverse mode gets the whole gradient for a small constant multiple of f's own cost (Griewank
bounds it by 4–5); central differences need 2n evaluations of f and forward mode n passes,
so their ratios grow with n (they are run up to a cap). time(f) is f evaluated in plain numpy,
the same denominator for every column, measured round-robin with the gradients.
"""
from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from . import frameworks
from .harness import Config, Row, Setup, Timing, cells, measure, paired_ratio

NAME = "cheap_gradient"
H = 1e-5

#: (reverse-mode sizes, cap for central differences and forward mode) per run size
SIZES = {
    "tiny": ([10, 100], 10),
    "quick": ([10, 1000, 100_000], 100),
    "full": ([10, 100, 1000, 10_000, 100_000, 1_000_000], 1000),
}


def f(m: Any, x: Any) -> Any:
    """sum(sin(x)·exp(-x²/2) + x·tanh(x)), written once for any namespace with sin, exp, tanh, sum."""
    return m.sum(m.sin(x) * m.exp(-0.5 * x * x) + x * m.tanh(x))


def f_and_grad(x: np.ndarray) -> tuple[float, np.ndarray]:
    """The floor: f and its gradient by hand, sharing the elementwise work as reverse mode does."""
    s, c, e, t = np.sin(x), np.cos(x), np.exp(-0.5 * x * x), np.tanh(x)
    return float(np.sum(s * e + x * t)), (c - x * s) * e + t + x * (1.0 - t * t)


def f_and_jvp(x: np.ndarray, v: np.ndarray) -> tuple[float, float]:
    """The floor of forward mode: one pass of dual-number arithmetic by hand along direction v."""
    s, c, e, t = np.sin(x), np.cos(x), np.exp(-0.5 * x * x), np.tanh(x)
    return float(np.sum(s * e + x * t)), float(np.sum(((c - x * s) * e + t + x * (1.0 - t * t)) * v))


def _basis_passes(jvp: Callable[[np.ndarray], Any], n: int) -> np.ndarray:
    """Forward mode's gradient: one pass per basis vector."""
    out = np.empty(n)
    v = np.zeros(n)
    for i in range(n):
        v[i] = 1.0
        out[i] = float(jvp(v)[1])
        v[i] = 0.0
    return out


def central_floor(x: np.ndarray) -> np.ndarray:
    """Central differences by hand: 2n evaluations of f with one coordinate moved by ±h."""
    out = np.empty_like(x)
    xp = x.copy()
    for i in range(len(x)):
        xp[i] = x[i] + H
        up = f(np, xp)
        xp[i] = x[i] - H
        out[i] = (up - f(np, xp)) / (2 * H)
        xp[i] = x[i]
    return out


def reverse_setups(x: np.ndarray) -> dict[str, Setup]:
    def torch_like(m: ModuleType) -> Callable[[], Any]:
        xt = m.tensor(x, requires_grad=True)
        return lambda: m.autograd.grad(f(m, xt), xt)

    def autograd_(m: ModuleType) -> Callable[[], Any]:
        import autograd.numpy as anp

        g = m.value_and_grad(lambda v: f(anp, v))
        return lambda: g(x)

    def mygrad_(m: ModuleType) -> Callable[[], Any]:
        xt = m.tensor(x)

        def step() -> Any:
            f(m, xt).backward()
            return xt.grad

        return step

    return {"numpy": lambda m: lambda: f_and_grad(x), "diffkit": torch_like, "torch": torch_like,
            "autograd": autograd_, "mygrad": mygrad_}


def captured_setup(x: np.ndarray) -> Setup:
    """diffkit's reverse mode inside diffkit.graphs.capture: the same gradient without the eager
    per-operation bookkeeping (at n = 10⁴: 2.41 against the eager 2.96 × t(f) in the full run at c34ef9e).
    autograd.grad cannot be captured (its result would be the recording's), so the step clears
    ``.grad`` and calls ``backward()``; the gradient is read off ``.grad``."""

    def setup(_: ModuleType) -> Callable[[], Any]:
        diffkit = frameworks.load("diffkit")
        xt = diffkit.tensor(x, requires_grad=True)

        def gradient(v: Any) -> Any:
            v.grad = None
            value = f(diffkit, v)
            value.backward()
            return value

        step = diffkit.graphs.capture(gradient)
        return lambda: (step(xt), xt.grad)

    return setup


def central_setups(x: np.ndarray) -> dict[str, Setup]:
    def diffkit_(m: ModuleType) -> Callable[[], Any]:
        g = m.grad(lambda v: f(m, v), method="numeric", scheme="central", h=H)
        return lambda: g(x)

    return {"numpy": lambda m: lambda: central_floor(x), "diffkit": diffkit_}


def forward_setups(x: np.ndarray) -> dict[str, Setup]:
    n = len(x)

    def diffkit_(m: ModuleType) -> Callable[[], Any]:
        g = m.grad(lambda v: f(m, v), method="forward")
        return lambda: g(x)

    def torch_(m: ModuleType) -> Callable[[], Any]:
        xt = m.from_numpy(x)
        return lambda: _basis_passes(lambda v: m.func.jvp(lambda t: f(m, t), (xt,), (m.from_numpy(v),)), n)

    def autograd_(m: ModuleType) -> Callable[[], Any]:
        import autograd.numpy as anp

        jvp = m.make_jvp(lambda v: f(anp, v))(x)
        return lambda: _basis_passes(jvp, n)

    return {"numpy": lambda m: lambda: _basis_passes(lambda v: f_and_jvp(x, v), n), "diffkit": diffkit_,
            "torch": torch_, "autograd": autograd_}


METHODS: dict[str, tuple[str, Callable[[np.ndarray], dict[str, Setup]]]] = {
    "reverse": ("reverse mode", reverse_setups),
    "central": ("central differences (2n evaluations)", central_setups),
    "forward": ("forward mode (n passes)", forward_setups),
}


def _row(cfg: Config, method: str, n: int) -> Row:
    title, setups = METHODS[method]
    x = np.random.default_rng(n).uniform(-2.0, 2.0, n)
    extra = {"captured": captured_setup(x)} if method == "reverse" and "diffkit" in cfg.frameworks else {}
    outcomes = measure({**setups(x), **extra, "f": lambda m: lambda: f(np, x)}, cfg)
    reference = outcomes["f"]
    if not isinstance(reference, Timing):
        raise RuntimeError(f"numpy's f failed: {reference.detail}")
    note = f"t(f) = {reference.seconds * 1e6:.3g} µs" if method == "reverse" else ""
    captured = outcomes.get("captured")
    if isinstance(captured, Timing):
        note += f"; captured step (diffkit.graphs.capture) {paired_ratio(captured, reference):.2f}× t(f)"
    elif captured is not None:
        note += f"; diffkit.graphs.capture: {captured.text}"
    return Row(f"t(∇f)/t(f), {title}, n = {n:,}", "× t(f)",
               cells(outcomes, cfg, per=reference), note=note)


def run(cfg: Config) -> list[Row]:
    sizes, cap = cfg.pick(SIZES)
    rows = [_row(cfg, "reverse", n) for n in sizes]
    for method in ("central", "forward"):
        rows += [_row(cfg, method, n) for n in (10, 100, 1000, 10_000) if n <= cap]
    return rows
