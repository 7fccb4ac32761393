"""Figure 0: the evaluation traces (Baydin et al. 2018, tables 2 and 3) as a picture."""
from __future__ import annotations

from ..analysis.tables import TraceTables
from .style import axes_for, styled


@styled
def plot_trace_tables(tables: TraceTables, ax=None, title: str | None = None):
    """The primal, tangent and adjoint traces side by side, in a monospaced font."""
    fig, axes = axes_for(ax, ncols=3, size=(4.6, 2.3))
    texts = (tables.primal, tables.tangent_trace, tables.adjoint)
    for panel, text in zip(axes, texts):
        heading, _, body = text.partition("\n")
        panel.set_axis_off()
        panel.set_title(heading, loc="left")
        panel.text(0.0, 1.0, body, family="monospace", fontsize=8.5, va="top", ha="left",
                   transform=panel.transAxes)
    inputs = ", ".join(f"{k} = {v:g}" for k, v in tables.inputs.items())
    gradient = ", ".join(f"∂y/∂{k} = {v:.4g}" for k, v in tables.gradient.items())
    fig.suptitle(title or f"Evaluation trace from diffkit's tape at {inputs}: y = {tables.value:.5g}, {gradient}"
                 " (Baydin et al. 2018, tables 2–3)", fontsize=11, fontweight="bold")
    return fig
