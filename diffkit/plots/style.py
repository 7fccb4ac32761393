"""One look for every diffkit figure: the rc settings, a colour per method, and the helpers
that give a plot function its Axes (the caller's, or a new figure) and finish the figure.

Colours follow Okabe & Ito's palette (safe for colour-blind readers): reverse mode blue,
forward mode sky blue, symbolic purple, numeric schemes warm colours, the complex step green.
"""
from __future__ import annotations

import functools
from collections.abc import Callable

import matplotlib as mpl

RC = {
    "figure.dpi": 100, "savefig.dpi": 150, "savefig.bbox": "tight", "figure.facecolor": "white",
    "font.size": 10, "axes.titlesize": 11, "axes.titleweight": "bold", "axes.labelsize": 10,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
    "grid.linewidth": 0.6, "legend.frameon": False, "legend.fontsize": 8.5, "lines.linewidth": 1.6,
    "lines.markersize": 4, "xtick.labelsize": 9, "ytick.labelsize": 9,
}

COLORS = {
    "symbolic": "#CC79A7", "reverse": "#0072B2", "forward": "#56B4E9",
    "numeric:forward": "#E69F00", "numeric:backward": "#B8860B", "numeric:central": "#D55E00",
    "numeric:five-point": "#8B2500", "numeric:complex-step": "#009E73", "numeric:richardson": "#555555",
    "numeric": "#D55E00", "f": "#000000",
}
MARKERS = {"symbolic": "D", "reverse": "o", "forward": "s", "numeric": "^"}


def color(method: str) -> str:
    """The colour of a method ("reverse", "numeric:central") or of a bare scheme ("central")."""
    return COLORS.get(method) or COLORS.get(f"numeric:{method}") or "#333333"


def marker(method: str) -> str:
    return MARKERS.get(method.partition(":")[0], "^")


def styled(plot: Callable) -> Callable:
    """Draw with diffkit's rc settings, restoring the caller's afterwards -- only those keys:
    ``matplotlib.rc_context`` would restore them all, including the interactive mode that
    Jupyter's inline backend switches on when the first figure is made inside, so that no
    later figure would be shown."""
    @functools.wraps(plot)
    def wrapper(*args, **kwargs):
        saved = {key: mpl.rcParams[key] for key in RC}
        mpl.rcParams.update(RC)
        try:
            return plot(*args, **kwargs)
        finally:
            mpl.rcParams.update(saved)
    return wrapper


def save(fig, path) -> None:
    """Write a figure as diffkit's figures are written (the rc settings no longer apply then)."""
    fig.savefig(path, dpi=RC["savefig.dpi"], bbox_inches=RC["savefig.bbox"], facecolor=RC["figure.facecolor"])


def axes_for(ax=None, ncols: int = 1, nrows: int = 1, size: tuple[float, float] = (5.2, 3.8), **kwargs):
    """(figure, axes): on the caller's Axes (a sequence of ncols·nrows for several panels), or
    on a new figure sized ``size`` per panel."""
    import matplotlib.pyplot as plt
    import numpy as np

    if ax is not None:
        axes = np.atleast_1d(ax)
        return axes.flat[0].figure, (axes[0] if axes.size == 1 else axes)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size[0] * ncols, size[1] * nrows), squeeze=False,
                             layout="constrained", **kwargs)
    return fig, (axes[0, 0] if axes.size == 1 else axes.reshape(-1) if nrows == 1 or ncols == 1 else axes)


def log_ticks(ax, axis: str = "both") -> None:
    """Decade ticks on log axes (10⁻¹⁶ … 10⁰ rather than every other power)."""
    from matplotlib.ticker import LogLocator

    for name in ("x", "y") if axis == "both" else (axis,):
        target = ax.xaxis if name == "x" else ax.yaxis
        if (ax.get_xscale() if name == "x" else ax.get_yscale()) == "log":
            target.set_major_locator(LogLocator(base=10, numticks=20))
            target.set_minor_locator(LogLocator(base=10, subs=(), numticks=20))
