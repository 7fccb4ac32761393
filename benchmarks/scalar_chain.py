"""Deep graphs: a chain of 10⁵ scalar operations built and backpropagated, and its memory.

Each framework records the graph of `chain.chain` on a 0-d value. Time is build plus
backward, round-robin in this process; memory is the RSS the finished graph holds per
recorded operation, measured in a fresh process per framework. micrograd runs with
Python's default recursion limit, as a user meets it.
"""
from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from . import chain, frameworks
from .harness import Config, NotApplicable, Row, Setup, cells, measure, probe, rss_bytes, settle

NAME = "scalar_chain"
SIZES = {"tiny": (300, 600), "quick": (100_000, None), "full": (100_000, 1_000_000)}
FRAMEWORKS = ("diffkit", "torch", "autograd", "mygrad", "micrograd")  # numpy has no graph to build


def _graph(name: str, m: ModuleType, n: int) -> tuple[Any, Callable[[], Any]]:
    """Record the chain with framework `name`: the graph, and the call that backpropagates it."""
    if name in ("diffkit", "torch"):
        y = chain.chain(m.tensor(0.5, requires_grad=True), n)
        return y, y.backward
    if name == "autograd":
        vjp, _ = m.make_vjp(lambda x: chain.chain(x, n))(0.5)
        return vjp, lambda: vjp(1.0)
    if name == "mygrad":
        y = chain.chain(m.tensor(0.5), n)
        return y, y.backward
    if name == "micrograd":
        from micrograd.engine import Value

        y = chain.chain(Value(0.5), n)
        return y, y.backward
    raise NotApplicable(name)


def graph_bytes(name: str, n: int) -> float:
    """Bytes of RSS per operation held by the recorded, not yet backpropagated, chain."""
    m = frameworks.load(name)
    settle()
    before = rss_bytes()
    graph = _graph(name, m, n)
    held = rss_bytes() - before
    del graph
    return held / n


def _rows(cfg: Config, n: int, names: tuple[str, ...], who: str = "") -> list[Row]:
    def setup(name: str) -> Setup:
        return lambda m: lambda: _graph(name, m, n)[1]()

    outcomes = measure({name: setup(name) for name in names}, cfg, number=1, warmup=False, repeats=min(cfg.repeats, 3))
    label = f"scalar chain of {n:.0e} ops{who}".replace("e+0", "e")
    return [Row(f"{label}: build+backward", "s", cells(outcomes, cfg)),
            Row(f"{label}: memory per recorded op", "B/op", probe(cfg, f"{__name__}:graph_bytes", names, n),
                note="RSS, fresh process per framework")]


def run(cfg: Config) -> list[Row]:
    n, deep = cfg.pick(SIZES)
    rows = _rows(cfg, n, FRAMEWORKS)
    if deep:
        rows += _rows(cfg, deep, ("diffkit",), " (diffkit only)")
    return rows
