"""Every figure of the tour, computed and drawn: what ``diffkit tour`` writes into figures/.

``quick=True`` shrinks every experiment (smaller n, fewer steps) for tests and a fast look;
the committed figures are the full runs.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from .. import analysis
from ..analysis.error_vs_h import SMOOTH
from . import (
    plot_accuracy,
    plot_cost,
    plot_error_vs_h,
    plot_error_vs_h_functions,
    plot_kinks,
    plot_swell,
    plot_trace_tables,
)
from .style import save


def _swell(quick: bool):
    sizes = {"logistic": 6, "product": 8, "nested-sin": 10} if quick else \
        {"logistic": 10, "product": 20, "nested-sin": 30}
    return plot_swell({family: analysis.swell(family, n) for family, n in sizes.items()})


def _steps(quick: bool) -> np.ndarray:
    return np.logspace(-16, -1, 31 if quick else 151)


def _error_vs_h(quick: bool):
    return plot_error_vs_h(analysis.error_vs_h(h=_steps(quick), label="l₄(x) at x₀ = 0.2 (Baydin et al., fig. 3)"))


def _error_vs_h_functions(quick: bool):
    return plot_error_vs_h_functions([analysis.error_vs_h(f, x0, label, dtypes=("float64",), h=_steps(quick))
                                      for label, f, x0 in SMOOTH])


def _cost(quick: bool):
    sizes = (1, 10, 30) if quick else analysis.cost.SIZES
    return plot_cost(analysis.cost_vs_inputs(sizes=sizes, budget=0.2 if quick else 1.0))


FIGURES: dict[str, Callable[[bool], object]] = {
    "trace_tables": lambda quick: plot_trace_tables(analysis.trace_tables()),
    "expression_swell": _swell,
    "error_vs_h": _error_vs_h,
    "error_vs_h_functions": _error_vs_h_functions,
    "cost_vs_inputs": _cost,
    "accuracy": lambda quick: plot_accuracy(analysis.accuracy(),
                                            title="f(x) = sin(x)·exp(x) at x = 1: f'(x) by every method"),
    "hessian": lambda quick: plot_accuracy(
        analysis.hessian_accuracy(),
        title="Hessian of sin(x)·eʸ + x·y² + x·ln(1 + z²) at (0.5, 0.3, 0.7) by every method"),
    "kinks": lambda quick: plot_kinks(analysis.kinks()),
}


def write_figures(out: str | Path = "figures", names=None, quick: bool = False,
                  report: Callable[[str], None] = print) -> list[Path]:
    """Compute and save each figure as ``out/<name>.png``; return the paths."""
    import matplotlib.pyplot as plt

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in names or FIGURES:
        if name not in FIGURES:
            raise ValueError(f"unknown figure {name!r}; choose from {', '.join(FIGURES)}")
        with np.errstate(all="ignore"):
            fig = FIGURES[name](quick)
        path = out / f"{name}.png"
        save(fig, path)
        plt.close(fig)
        paths.append(path)
        report(f"  wrote {path}")
    return paths
