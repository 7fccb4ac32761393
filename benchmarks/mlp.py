"""One MLP training step (forward, cross-entropy, backward, SGD) per framework.

The small MLP measures per-operation overhead at realistic sizes; the large one is
BLAS-bound, so there the floor is the matrix products and any overhead shows as a ratio
above 1.
"""
from __future__ import annotations

from . import models
from .harness import Config, Row, cells, measure

NAME = "mlp"
LR = 0.01
SEED = 0

#: (layer sizes, batch) per run size
SIZES = {
    "tiny": [([8, 16, 16, 4], 8)],
    "quick": [([64, 256, 256, 10], 128), ([784, 1024, 1024, 10], 256)],
    "full": [([64, 256, 256, 10], 128), ([784, 1024, 1024, 10], 256)],
}


def cases(cfg: Config) -> list[tuple[str, models.Spec, tuple]]:
    """(label, spec, batch) of each MLP of this run size; memory.py measures the same ones."""
    out = []
    for sizes, batch in cfg.pick(SIZES):
        label = f"MLP {'-'.join(map(str, sizes))}, batch {batch}"
        out.append((label, models.mlp_spec(sizes), models.random_batch((sizes[0],), sizes[-1], batch)))
    return out


def step_rows(cfg: Config, labelled: list[tuple[str, models.Spec, tuple]], what: str) -> list[Row]:
    """Time one training step of each model in `labelled`; shared with the CNN benchmark."""
    rows = []
    for label, spec, batch in labelled:
        outcomes = measure(models.trainer_setups(spec, LR, SEED, models.step_on(batch)), cfg)
        rows.append(Row(f"{label}: {what}", "ms/step", cells(outcomes, cfg, 1e3)))
    return rows


def run(cfg: Config) -> list[Row]:
    return step_rows(cfg, cases(cfg), "fwd+loss+bwd+SGD")
