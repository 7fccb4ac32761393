"""Experiment 4: how accurate each method is, and what it costs -- for a first derivative
(``diffkit.compare``'s table, as data for a figure) and for a Hessian, where the numeric
methods difference a difference (so their errors roughly square-root), reverse mode runs
reverse-over-reverse and forward mode nested dual numbers."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .. import exp, log, sin
from ..differentiation import compare

HESSIAN_METHODS = ("symbolic", "numeric:central", "numeric:five-point", "numeric:complex-step",
                   "numeric:richardson", "reverse", "forward")


def default_function(x):
    """The tour's f(x) = sin(x)·exp(x)."""
    return sin(x) * exp(x)


def hessian_function(x):
    """f(x, y, z) = sin(x)·eʸ + x·y² + x·ln(1 + z²): a Hessian with every entry non-zero."""
    return sin(x[0]) * exp(x[1]) + x[0] * x[1] ** 2 + x[0] * log(1 + x[2] ** 2)


def _plain(records: list[dict]) -> list[dict]:
    """compare's records with numbers instead of arrays, and the cost kept as a dict."""
    rows = []
    for r in records:
        value = None if r["value"] is None else np.asarray(r["value"], dtype=float).tolist()
        rows.append({**r, "value": value})
    return rows


def accuracy(f: Callable = default_function, at=1.0, methods: Sequence | None = None) -> list[dict]:
    """One record per method: value, abs_error, rel_error (against 50 digits), time, cost, failed."""
    return _plain(compare(f, at, methods).records)


def hessian_accuracy(f: Callable = hessian_function, at=(0.5, 0.3, 0.7),
                     methods: Sequence = HESSIAN_METHODS) -> list[dict]:
    """The same records for the Hessian (max-norm errors over its entries)."""
    return _plain(compare(f, np.asarray(at, dtype=float), methods, kind="hessian").records)
