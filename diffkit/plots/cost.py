"""Figure 3: the cost of a gradient against the number of inputs, log-log."""
from __future__ import annotations

import numpy as np

from .style import axes_for, color, log_ticks, marker, styled


def _series(records: list[dict], method: str, key: str):
    rows = [(r["n"], r[key]) for r in records if r["method"] == method]
    return tuple(np.array(v, dtype=float) for v in zip(*rows)) if rows else (np.array([]), np.array([]))


def _slope_line(ax, n: np.ndarray, anchor: float, label: str) -> None:
    ax.plot(n, anchor * n / n[0], color="#444444", lw=0.9, ls=(0, (4, 2)), label=label)


@styled
def plot_cost(records: list[dict], ax=None):
    """Wall time, time(∇f)/time(f) and counted work, each against n."""
    fig, (time_ax, ratio_ax, count_ax) = axes_for(ax, ncols=3, size=(4.6, 4.0))
    methods = list(dict.fromkeys(r["method"] for r in records))
    n_all, f_time = _series([r for r in records if r["method"] == methods[0]], methods[0], "f_time")
    time_ax.plot(n_all, f_time, color=color("f"), ls="--", label="f itself")
    for method in methods:
        style = {"color": color(method), "marker": marker(method), "label": method}
        n, t = _series(records, method, "time")
        time_ax.plot(n, t, **style)
        if method == "symbolic":
            _, compiled = _series(records, method, "compiled_time")
            time_ax.plot(n, compiled, color=color(method), ls=":", marker=marker(method), mfc="white",
                         label="symbolic, once compiled")
        ratio_ax.plot(n, _series(records, method, "ratio")[1], **style)
        of = next(r["count_of"] for r in records if r["method"] == method)
        count_ax.plot(n, _series(records, method, "count")[1], **{**style, "label": f"{method}: {of}"})
    _slope_line(ratio_ax, n_all, 2.0, "slope 1 (linear in n)")
    time_ax.set(title="Wall time of one gradient", ylabel="time (s)")
    ratio_ax.set(title="time(∇f) / time(f)", ylabel="ratio (dimensionless)")
    count_ax.set(title="Counted work", ylabel="count (evaluations, passes, expressions)")
    for panel in (time_ax, ratio_ax, count_ax):
        panel.set_xscale("log")
        panel.set_yscale("log")
        panel.set_xlabel("n (number of inputs)")
        log_ticks(panel)
        panel.legend(loc="upper left")
    fig.suptitle("Gradient of the extended Rosenbrock function f: Rⁿ → R: numeric and forward mode grow "
                 "with n, reverse mode stays a constant multiple of f", fontsize=11, fontweight="bold")
    return fig
