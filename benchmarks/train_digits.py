"""Time to train on scikit-learn's digits (8×8, 1797 images) to a target test accuracy.

The MLP (64-256-256-10) must reach 97% and the CNN (cnn.py's, on 8×8) 98%, with minibatch
SGD (batch 64, lr 0.1) on standardised pixels and one test evaluation per epoch, from the
same initial weights and the same shuffles in every framework. The clock covers the whole
loop a user would run: batching, steps and evaluations. Without scikit-learn the rows say so.
"""
from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from . import cnn, models
from .harness import Cell, Config, Missing, Reported, Row, Setup, Timing, cells, failure, measure

NAME = "train_digits"
LR = 0.1
BATCH = 64
SEED = 0

#: per run size: (training images used (None: all), {model: (target accuracy, max epochs)})
SIZES = {
    "tiny": (256, {"MLP": (0.0, 1), "CNN": (0.0, 1)}),
    "quick": (None, {"MLP": (0.97, 60), "CNN": (0.98, 40)}),
    "full": (None, {"MLP": (0.97, 60), "CNN": (0.98, 40)}),
}
SPECS = {"MLP": models.mlp_spec([64, 256, 256, 10]), "CNN": models.cnn_spec(cnn.CHANNELS, 8)}

Data = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def load(limit: int | None = None) -> Data:
    """Train/test split (80/20, stratified) of the digits, standardised with the training statistics."""
    try:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
    except ImportError as exc:
        raise Missing("scikit-learn") from exc
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(digits.data, digits.target, test_size=0.2, random_state=0,
                                                        stratify=digits.target)
    mean, std = x_train.mean(0), x_train.std(0)
    std[std == 0] = 1.0

    def prepare(x: np.ndarray) -> np.ndarray:
        return ((x - mean) / std).astype(np.float32)

    return prepare(x_train)[:limit], y_train[:limit].astype(np.int64), prepare(x_test), y_test.astype(np.int64)


def train_until(trainer: models.Trainer, data: Data, image: bool, target: float, max_epochs: int) -> tuple[int, float]:
    """Epochs of shuffled minibatch SGD until the test accuracy reaches target: (epochs, accuracy)."""
    x_train, y_train, x_test, y_test = data
    if image:
        x_train, x_test = x_train.reshape(-1, 1, 8, 8), x_test.reshape(-1, 1, 8, 8)
    rng = np.random.default_rng(SEED)
    accuracy = 0.0
    for epoch in range(1, max_epochs + 1):
        order = rng.permutation(len(x_train))
        for start in range(0, len(order), BATCH):
            index = order[start:start + BATCH]
            trainer.step(trainer.batch(x_train[index], y_train[index]))
        accuracy = float(np.mean(trainer.predict(x_test).argmax(axis=1) == y_test))
        if accuracy >= target:
            return epoch, accuracy
    raise Reported(Cell(text=f"not reached: {accuracy:.1%} in {max_epochs} epochs"))


def _setups(model: str, data: Data, target: float, max_epochs: int) -> dict[str, Setup]:
    spec = SPECS[model]
    params = models.init_params(spec, SEED)

    def setup(name: str) -> Setup:
        def make(m: ModuleType | None) -> Callable[[], Any]:
            models.TRAINERS[name](m, spec, params, LR)  # fail here, once, if the framework cannot build it
            return lambda: train_until(models.TRAINERS[name](m, spec, params, LR), data, model == "CNN", target,
                                       max_epochs)

        return make

    return {name: setup(name) for name in models.TRAINERS}


def run(cfg: Config) -> list[Row]:
    limit, targets = cfg.pick(SIZES)
    try:
        data = load(limit)
    except Missing as exc:
        return [Row(f"train digits {model} to {target:.0%}", "s", {name: failure(exc) for name in cfg.frameworks})
                for model, (target, _) in targets.items()]
    rows = []
    for model, (target, max_epochs) in targets.items():
        outcomes = measure(_setups(model, data, target, max_epochs), cfg, number=1, warmup=False,
                           repeats=min(cfg.repeats, 3))
        epochs = ", ".join(f"{name} {t.results[-1][0]}" for name, t in outcomes.items() if isinstance(t, Timing))
        rows.append(Row(f"train digits {model} to {target:.0%} test accuracy", "s", cells(outcomes, cfg),
                        note=f"epochs: {epochs}"))
    return rows
