"""Peak memory of one training step, for the MLPs and CNNs that mlp.py and cnn.py time.

Measured in a fresh process per framework as the rise of the peak RSS over the RSS before
the step (after two warm-up steps, a garbage collection and malloc_trim): the memory a step
touches beyond what the model and its gradients already hold. RSS sees PyTorch's allocator
as well as numpy's.
"""
from __future__ import annotations

import importlib

from . import cnn, frameworks, mlp, models
from .harness import Config, Row, peak_increase, probe

NAME = "memory"
BENCHMARKS = ("mlp", "cnn")


def step_peak(name: str, bench: str, size: str, index: int) -> float:
    """Megabytes of peak RSS growth during one step of case `index` of benchmark `bench`."""
    label, spec, batch = importlib.import_module(f"{__package__}.{bench}").cases(Config(size=size))[index]
    trainer = models.TRAINERS[name](frameworks.load(name), spec, models.init_params(spec, mlp.SEED), mlp.LR)
    native = trainer.batch(*batch)
    for _ in range(2):  # gradients, optimizer state and allocator pools exist from here on
        trainer.step(native)
    return peak_increase(lambda: trainer.step(native)) / 1e6


def run(cfg: Config) -> list[Row]:
    rows = []
    for bench, module in zip(BENCHMARKS, (mlp, cnn)):
        for index, (label, _, _) in enumerate(module.cases(cfg)):
            rows.append(Row(f"{label}: peak memory per step", "MB",
                            probe(cfg, f"{__name__}:step_peak", models.TRAINERS, bench, cfg.size, index),
                            note="RSS, fresh process per framework"))
    return rows
