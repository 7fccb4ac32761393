"""Figure 2: error against step h, log-log, with reference slopes and the optimal h marked."""
from __future__ import annotations

import numpy as np

from ..analysis.error_vs_h import ErrorVsH
from .style import axes_for, color, log_ticks, styled

SPAN = 1.5  # decades a reference line covers, starting 30× right (truncation) or 1000× left (round-off) of h*


def _reference(ax, h, error, at: float, slope: int) -> None:
    """A line of the given slope over SPAN decades from ``at``, 10× above the curve there."""
    finite = np.isfinite(error) & (error > 0)
    xs = at * np.array([1.0, 10 ** (SPAN if slope > 0 else -SPAN)])
    if not finite.any() or not (h.min() <= xs.min() and xs.max() <= h.max()):
        return
    anchor = 10 * 10 ** np.interp(np.log10(at), np.log10(h[finite]), np.log10(error[finite]))
    ax.plot(xs, anchor * (xs / at) ** slope, color="#444444", lw=0.9, ls=(0, (4, 2)))
    ax.annotate(f"slope {slope}", (xs[1], anchor * (xs[1] / at) ** slope), fontsize=8, color="#444444",
                xytext=(3, 0) if slope > 0 else (-3, 4), textcoords="offset points", va="center",
                ha="left" if slope > 0 else "right")


def _panel(ax, result: ErrorVsH, dtype: str) -> None:
    marked = False
    for curve in (c for c in result.curves if c.dtype == dtype):
        keep = np.isfinite(curve.error) & (curve.error > 0)
        slope = f", slope {curve.truncation_slope:.2f}" if np.isfinite(curve.truncation_slope) else ""
        ax.plot(curve.h[keep], curve.error[keep], color=color(curve.scheme),
                label=f"{curve.scheme} ({curve.evaluations} f-evals{slope})")
        if np.isfinite(curve.theory_h):
            ax.axvline(curve.theory_h, color=color(curve.scheme), ls=":", lw=1.2,
                       label=None if marked else "optimal h from theory (dotted)")
            ax.plot(curve.best_h, curve.best_error, "o", color=color(curve.scheme), mfc="white", ms=6,
                    label=None if marked else "measured best h (circles)")
            marked = True
        if np.isfinite(curve.theory_h):
            _reference(ax, curve.h, curve.error, 30 * curve.theory_h, curve.order)
        if curve.scheme == "forward" and np.isfinite(curve.theory_h):
            _reference(ax, curve.h, curve.error, curve.theory_h / 1000, -1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-17, 1e2)
    ax.set_xlim(result.curves[0].h.min(), result.curves[0].h.max())
    log_ticks(ax)
    ax.set_xlabel("step h (units of x)")
    ax.set_ylabel(f"absolute error of f'(x₀)  (exact {result.exact:.10g})")
    ax.set_title(f"{result.label}, {dtype}")
    ax.legend(loc="lower left", fontsize=7.5)


@styled
def plot_error_vs_h(result: ErrorVsH, ax=None, dtypes=None):
    """One panel per precision (float64 beside float32)."""
    dtypes = dtypes or list(dict.fromkeys(c.dtype for c in result.curves))
    fig, axes = axes_for(ax, ncols=len(dtypes), size=(6.2, 4.6))
    for panel, dtype in zip(np.atleast_1d(axes), dtypes):
        _panel(panel, result, dtype)
    fig.suptitle("Finite-difference error against h: truncation (slopes 1, 2, 4) meets round-off (slope −1)",
                 fontsize=11, fontweight="bold")
    return fig


@styled
def plot_error_vs_h_functions(results: list[ErrorVsH], ax=None, dtype: str = "float64"):
    """The same picture for several functions, one panel each."""
    fig, axes = axes_for(ax, ncols=len(results), size=(5.4, 4.4))
    for panel, result in zip(np.atleast_1d(axes), results):
        _panel(panel, result, dtype)
    fig.suptitle(f"Error against h for other smooth functions ({dtype}): the same slopes, "
                 "the optimum moves with f's derivatives", fontsize=11, fontweight="bold")
    return fig
