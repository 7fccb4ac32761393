"""Figure 5: what each method returns at and near a kink, as a colour-coded table."""
from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from .style import axes_for, styled

CLASSES = {  # class -> (colour, legend)
    "exact": ("#d9f0d3", "exact (f smooth there)"),
    "left": ("#c6dbef", "the left derivative"),
    "right": ("#fdd0a2", "the right derivative"),
    "mean": ("#dadaeb", "the mean of both sides"),
    "wrong": ("#fb6a4a", "wrong"),
    "error": ("#bdbdbd", "an error, explained"),
}


def _cell(record: dict) -> str:
    if record["value"] is None:
        return record["error"].partition(":")[0]
    return f"{record['value']:.4g}"


@styled
def plot_kinks(records: list[dict], ax=None):
    """Rows: function at kink − δ, kink, kink + δ; columns: methods; cells: the value returned."""
    methods = list(dict.fromkeys(r["method"] for r in records))
    rows = list(dict.fromkeys((r["case"], r["x"]) for r in records))
    fig, table_ax = axes_for(ax, size=(1.3 * len(methods) + 2.5, 0.32 * len(rows) + 2.2))
    index = {(r["case"], r["x"], r["method"]): r for r in records}
    classes = list(CLASSES)
    grid = np.array([[classes.index(index[(c, x, m)]["class"]) for m in methods] for c, x in rows])
    table_ax.imshow(grid, cmap=ListedColormap([CLASSES[k][0] for k in classes]), vmin=-0.5,
                    vmax=len(classes) - 0.5, aspect="auto")
    for i, (case, x) in enumerate(rows):
        for j, method in enumerate(methods):
            table_ax.text(j, i, _cell(index[(case, x, method)]), ha="center", va="center", fontsize=8)
    table_ax.set_xticks(range(len(methods)), [m.replace("numeric:", "numeric:\n") for m in methods], fontsize=8)
    table_ax.xaxis.tick_top()
    labels = [f"{case}  at x = {x:g}" + ("  (kink)" if next(r for r in records if r["case"] == case and
                                                         r["x"] == x)["offset"] == 0 else "")
              for case, x in rows]
    table_ax.set_yticks(range(len(rows)), labels, fontsize=8)
    table_ax.set_xticks(np.arange(len(methods)) - 0.5, minor=True)
    table_ax.set_yticks(np.arange(len(rows)) - 0.5, minor=True)
    table_ax.grid(which="minor", color="white", linewidth=2)
    table_ax.grid(which="major", visible=False)
    table_ax.tick_params(which="both", length=0)
    table_ax.set_xlabel("method (cells: the derivative it returns, dimensionless)")
    table_ax.set_ylabel(f"function and point (δ = {max(abs(r['offset']) for r in records):g})")
    table_ax.legend(handles=[Patch(color=c, label=label) for c, label in CLASSES.values()],
                    loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=3)
    errors = sorted({r["error"] for r in records if r["error"]})
    if errors:
        table_ax.text(0.0, -0.16, "\n".join(textwrap.fill(e, 150) for e in errors[:2]), fontsize=7.5, va="top",
                      transform=table_ax.transAxes)
    table_ax.set_title("At and near a kink: a one-sided value, the mean, an explained error, or nonsense",
                       pad=12)
    return fig
