"""Figure 4: the compare table as a picture -- error and time per method (first derivative
or Hessian), each bar labelled with the work the method reports."""
from __future__ import annotations

import numpy as np

from .style import axes_for, color, styled

FLOOR = 1e-18  # an error of exactly 0 is drawn here and labelled "exact"


def _cost_text(cost: dict) -> str:
    return ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in cost.items())


@styled
def plot_accuracy(records: list[dict], ax=None, title: str = "Every method on one derivative"):
    """Absolute error (log scale) and wall time per method; failed methods say why."""
    fig, (error_ax, time_ax) = axes_for(ax, ncols=2, size=(5.6, 0.45 * len(records) + 1.6))
    names = [r["method"] for r in records]
    y = np.arange(len(records))[::-1]
    for yi, r in zip(y, records):
        if r["failed"]:
            error_ax.text(FLOOR * 3, yi, f"failed: {r['failed'][:60]}", va="center", fontsize=8, color="#aa0000")
            continue
        error = max(r["abs_error"], FLOOR)
        error_ax.barh(yi, error, left=FLOOR, color=color(r["method"]), height=0.65)
        error_ax.text(error * 2, yi, f"{r['abs_error']:.1e}" if r["abs_error"] > 0 else "exact",
                      va="center", fontsize=8)
        time_ax.barh(yi, r["time"] * 1e3, color=color(r["method"]), height=0.65)
        time_ax.text(r["time"] * 1e3 * 1.15, yi, _cost_text(r["cost"]), va="center", fontsize=7.5)
    for panel in (error_ax, time_ax):
        panel.set_yticks(y, names)
        panel.set_ylabel("method")
        panel.set_xscale("log")
        panel.grid(axis="y", visible=False)
    error_ax.set_xlim(FLOOR, 1e2)
    error_ax.set(xlabel="absolute error against 50 digits (log scale)",
                 title=f"Accuracy (bars start at {FLOOR:g})")
    times = [r["time"] * 1e3 for r in records if not r["failed"]]
    time_ax.set_xlim(min(times) / 2, max(times) * 200)
    time_ax.set(xlabel="wall time of one call (ms, log scale)",
                title="Cost (labels: the work each method reports)")
    fig.suptitle(title, fontsize=11, fontweight="bold")
    return fig
