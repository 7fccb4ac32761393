"""Figure 1: expression swell -- symbolic derivative sizes against the tape, on a log scale."""
from __future__ import annotations

from matplotlib.ticker import MaxNLocator

from ..analysis.swell import FAMILIES
from .style import axes_for, color, log_ticks, styled

_SERIES = (  # (record key, legend, colour, line style)
    ("expression_nodes", "f as SymPy builds it", "#999999", ":"),
    ("derivative_nodes", "derivative as SymPy builds it", color("symbolic"), "-"),
    ("expanded_nodes", "derivative, expanded", color("symbolic"), "--"),
    ("cse_nodes", "derivative with cse", color("symbolic"), "-."),
    ("tape_nodes", "reverse mode: tape nodes", color("reverse"), "-"),
)


def _panel(ax, records: list[dict], family: str) -> None:
    for key, label, colour, style in _SERIES:
        points = [(r["n"], r[key]) for r in records if r.get(key)]
        if len(points) < 2:
            continue
        n, size = zip(*points)
        ax.plot(n, size, style, color=colour, marker="o", label=label)
    ax.set_yscale("log")
    if family == "logistic":  # exponential growth is a straight line on semi-log axes ...
        ax.set_xlabel("n (steps of the map)")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    else:                     # ... polynomial growth on log-log axes (slope = degree)
        ax.set_xscale("log")
        ax.set_xlabel("n (factors or nested calls, log scale)")
    ax.set_ylabel("size (expression-tree nodes or tape nodes)")
    ax.set_title(FAMILIES[family].label)
    log_ticks(ax)
    ax.legend(loc="upper left")


@styled
def plot_swell(records_by_family: dict[str, list[dict]], ax=None):
    """One panel per family (``{"logistic": swell("logistic"), ...}``)."""
    fig, axes = axes_for(ax, ncols=len(records_by_family))
    axes = [axes] if len(records_by_family) == 1 else list(axes)
    for panel, (family, records) in zip(axes, records_by_family.items()):
        _panel(panel, records, family)
    fig.suptitle("Expression swell: symbolic derivatives grow exponentially (logistic map, semi-log) or "
                 "quadratically (log-log); the tape grows linearly", fontsize=11, fontweight="bold")
    return fig
