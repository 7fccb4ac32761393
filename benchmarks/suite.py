"""The benchmarks in table order, and running a selection of them."""
from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Iterable

from .harness import Config, Row

#: module names under benchmarks/, each with NAME and run(cfg) -> list[Row]
BENCHMARKS = ("mlp", "chain", "scalar_chain", "cheap_gradient", "moons", "cnn", "symbolic", "train_digits", "memory")


def run(cfg: Config, names: Iterable[str] = BENCHMARKS, progress: bool = True) -> list[Row]:
    """Run the named benchmarks in order; progress lines go to stderr."""
    rows: list[Row] = []
    for name in names:
        if name not in BENCHMARKS:
            raise ValueError(f"unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS)}")
        start = time.perf_counter()
        if progress:
            print(f"[benchmarks] {name} ...", file=sys.stderr, flush=True)
        rows += importlib.import_module(f"{__package__}.{name}").run(cfg)
        if progress:
            print(f"[benchmarks] {name} done in {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
    return rows
