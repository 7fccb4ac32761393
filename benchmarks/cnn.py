"""One CNN training step: Conv2d–BatchNorm2d–ReLU–MaxPool2d–Linear, batch 64.

On 8×8 images (the size of scikit-learn's digits) the step is overhead-bound; on 28×28
(MNIST-sized, random pixels) the convolution's im2col and matrix product dominate.
"""
from __future__ import annotations

from . import models
from .harness import Config, Row
from .mlp import step_rows

NAME = "cnn"
CHANNELS = 16

#: (image side, batch) per run size
SIZES = {
    "tiny": [(4, 4)],
    "quick": [(8, 64), (28, 64)],
    "full": [(8, 64), (28, 64)],
}


def cases(cfg: Config) -> list[tuple[str, models.Spec, tuple]]:
    """(label, spec, batch) of each CNN of this run size; memory.py measures the same ones."""
    out = []
    for side, batch in cfg.pick(SIZES):
        spec = models.cnn_spec(CHANNELS, side)
        label = f"CNN {side}×{side}, batch {batch}"
        out.append((label, spec, models.random_batch((1, side, side), 10, batch)))
    return out


def run(cfg: Config) -> list[Row]:
    return step_rows(cfg, cases(cfg), "conv-BN-ReLU-pool-linear step")
