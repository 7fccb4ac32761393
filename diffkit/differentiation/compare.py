"""``diffkit.compare``: every method on one function at one point, against a 50-digit reference.

The reference is the symbolic derivative evaluated with mpmath at 50 significant digits, so
even the complex step's 1e-16 errors are measured, not rounded away. Each row gives the
value, the absolute and relative error (max norm for a gradient), the wall time of a fresh
call (tracing and compiling included for the symbolic method) and the cost the backend
reports. The table prints as text, renders as HTML in Jupyter and gives ``records`` for plots.
"""
from __future__ import annotations

import html
import time
from collections.abc import Callable, Sequence

import numpy as np

from .api import backend
from .base import Differentiator
from .numeric import SCHEMES
from .symbolic import Symbolic

DEFAULT_METHODS = ("symbolic", *(f"numeric:{s}" for s in SCHEMES), "reverse", "forward")
_COLUMNS = ("method", "value", "abs error", "rel error", "time", "cost")


def _label(method) -> str:
    if isinstance(method, Differentiator):
        scheme = getattr(method, "scheme", None)
        return f"{method.name}:{scheme}" if scheme else method.name
    return str(method)


def _errors(value, reference, digits: int) -> tuple[float, float]:
    import sympy

    if reference is None:
        return float("nan"), float("nan")
    values = np.atleast_1d(np.asarray(value, dtype=float)).reshape(-1)
    exact = np.asarray(reference, dtype=object).reshape(-1)
    absolute = max(abs(sympy.Float(float(v), digits) - r) for v, r in zip(values, exact))
    scale = max(abs(r) for r in exact)
    return float(absolute), float(absolute / scale) if scale != 0 else float("inf")


def _cost_text(cost: dict) -> str:
    return ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in cost.items())


def _value_text(value) -> str:
    array = np.atleast_1d(np.asarray(value, dtype=float)).reshape(-1)
    if np.ndim(value) == 0:
        return f"{float(array[0]):.17g}"
    shown = ", ".join(f"{v:.10g}" for v in array[:3])
    return f"[{shown}{', …' if array.size > 3 else ''}]"


class Comparison:
    """The table ``compare`` returns: ``records`` (one dict per method) and its renderings."""

    def __init__(self, records: list[dict], reference, at, kind: str, note: str = "") -> None:
        self.records, self.reference, self.at, self.kind, self.note = records, reference, at, kind, note

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, method: str) -> dict:
        for record in self.records:
            if record["method"] == method:
                return record
        raise KeyError(method)

    def rows(self) -> list[tuple[str, ...]]:
        out = []
        for r in self.records:
            if r["failed"]:
                out.append((r["method"], r["failed"], "", "", "", ""))
                continue
            out.append((r["method"], _value_text(r["value"]), f"{r['abs_error']:.2e}", f"{r['rel_error']:.2e}",
                        f"{r['time'] * 1e3:.3g} ms", _cost_text(r["cost"])))
        return out

    def _title(self) -> str:
        reference = "none" if self.reference is None else _value_text(np.asarray(self.reference, dtype=float))
        return f"{self.kind} at {self.at!r}; reference (symbolic, mpmath 50 digits) = {reference}"

    def __repr__(self) -> str:
        rows = [_COLUMNS, *self.rows()]
        widths = [max(len(row[i]) for row in rows if len(row[i]) < 60) for i in range(len(_COLUMNS))]
        lines = [self._title()] + ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
                                   for row in rows]
        lines.insert(2, "  ".join("-" * w for w in widths))
        return "\n".join(lines + ([self.note] if self.note else []))

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in _COLUMNS)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
                       for row in self.rows())
        note = f"<p>{html.escape(self.note)}</p>" if self.note else ""
        return (f"<p>{html.escape(self._title())}</p><table><thead><tr>{head}</tr></thead>"
                f"<tbody>{body}</tbody></table>{note}")


def compare(f: Callable, at, methods: Sequence | None = None, digits: int = 50,
            kind: str | None = None) -> Comparison:
    """Differentiate f at ``at`` (a number: the derivative; a 1-D array: the gradient, or what
    ``kind`` names: "jacobian", "hessian") with each method (names like "reverse" or
    "numeric:central", or Differentiator instances; all by default) and measure each against
    the symbolic derivative evaluated at ``digits`` digits."""
    kind = kind or ("derivative" if np.ndim(at) == 0 else "grad")
    note = ""
    try:
        reference = Symbolic().reference(f, kind, at, digits)
    except ZeroDivisionError:  # mpmath's, with no message
        reference, note = None, f"no reference: the exact {kind} at {at!r} divides by zero, it is not finite"
    except Exception as error:  # noqa: BLE001 - a function symbolic tracing cannot follow still compares
        reference, note = None, f"no reference: {type(error).__name__}: {error}"
    else:
        undefined = [r for r in np.asarray(reference, dtype=object).reshape(-1) if not (r.is_real and r.is_finite)]
        if undefined:  # x/0, sqrt at 0 ...: no error can be measured against it
            reference = None
            note = f"no reference: the exact {kind} at {at!r} is {undefined[0]}, not a finite real number"
    records = []
    for method in methods or DEFAULT_METHODS:
        differentiator = backend(method)
        record = {"method": _label(method), "value": None, "abs_error": float("nan"),
                  "rel_error": float("nan"), "time": float("nan"), "cost": {}, "failed": ""}
        try:
            start = time.perf_counter()
            value = getattr(differentiator, kind)(f)(at)
            record["time"] = time.perf_counter() - start
        except Exception as error:  # noqa: BLE001 - one failing method is a row, not a crash
            record["failed"] = f"{type(error).__name__}: {str(error)[:100]}"
        else:
            record["value"] = value
            record["abs_error"], record["rel_error"] = _errors(value, reference, digits)
            record["cost"] = dict(differentiator.cost)
        records.append(record)
    return Comparison(records, reference, at, kind, note)
