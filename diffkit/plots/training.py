"""Notebook 07's figure: training curves (loss and accuracy per epoch) and a confusion matrix."""
from __future__ import annotations

import numpy as np

from .style import COLORS, axes_for, styled

_SERIES = {"loss": ("training loss", COLORS["reverse"]), "test_loss": ("test loss", COLORS["numeric:central"]),
           "train_accuracy": ("training accuracy", COLORS["reverse"]),
           "test_accuracy": ("test accuracy", COLORS["numeric:central"])}


def confusion_matrix(predicted, labels, n_classes: int) -> np.ndarray:
    """counts[i, j]: examples of class i predicted as j."""
    counts = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(counts, (np.asarray(labels).reshape(-1), np.asarray(predicted).reshape(-1)), 1)
    return counts


@styled
def plot_training(history: list[dict], confusion: np.ndarray | None = None, ax=None,
                  title: str = "Training on the 8×8 digits"):
    """Loss and accuracy against epoch (records as ``diffkit.train.fit`` returns them, any of
    loss, test_loss, train_accuracy, test_accuracy), and the confusion matrix if given."""
    fig, axes = axes_for(ax, ncols=3 if confusion is not None else 2, size=(4.4, 3.6))
    loss_ax, accuracy_ax = axes[0], axes[1]
    epochs = [r["epoch"] for r in history]
    for key, (label, colour) in _SERIES.items():
        if key in history[0]:
            target = loss_ax if "loss" in key else accuracy_ax
            target.plot(epochs, [r[key] for r in history], color=colour, marker="o", label=label,
                        ls="-" if key in ("loss", "train_accuracy") else "--")
    loss_ax.set(title="Loss", xlabel="epoch", ylabel="cross-entropy (nats, log scale)", yscale="log")
    accuracy_ax.set(title="Accuracy", xlabel="epoch", ylabel="fraction correct")
    for panel in (loss_ax, accuracy_ax):
        panel.legend()
    if confusion is not None:
        matrix_ax = axes[2]
        image = matrix_ax.imshow(confusion, cmap="Blues")
        for (i, j), count in np.ndenumerate(confusion):
            if count:
                matrix_ax.text(j, i, str(count), ha="center", va="center", fontsize=7,
                               color="white" if count > confusion.max() / 2 else "black")
        ticks = range(len(confusion))
        matrix_ax.set(xticks=ticks, yticks=ticks, title="Confusion matrix (test set)",
                      xlabel="predicted class", ylabel="true class")
        matrix_ax.grid(False)
        fig.colorbar(image, ax=matrix_ax, label="examples", shrink=0.8)
    fig.suptitle(title, fontsize=11, fontweight="bold")
    return fig
