"""micrograd's demo, for every framework: a 2-16-16-1 ReLU MLP on 100 two-moons points,
hinge loss plus L2 (α = 1e-4), 100 steps of full-batch SGD with lr = 1 − 0.9·k/100.

All frameworks start from the same float64 weights, so they train the same model; the
note reports each one's final accuracy as a check. micrograd is timed on its first few
steps and scaled to 100 (a full run takes minutes).
"""
from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from . import numpy_floor
from .harness import Config, Row, Setup, Timing, cells, measure

NAME = "moons"
ALPHA = 1e-4
SIZES = {"tiny": (20, 3, 1), "quick": (100, 100, 1), "full": (100, 100, 2)}  # points, steps, micrograd's steps


def make_moons(n: int, noise: float = 0.1, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's two interleaving half circles (labels ±1, as the demo uses), without scikit-learn."""
    rng = np.random.default_rng(seed)
    outer, inner = np.linspace(0, np.pi, n - n // 2), np.linspace(0, np.pi, n // 2)
    x = np.concatenate([np.stack([np.cos(outer), np.sin(outer)], 1),
                        np.stack([1 - np.cos(inner), 0.5 - np.sin(inner)], 1)])
    y = np.concatenate([-np.ones(len(outer)), np.ones(len(inner))])
    return x + rng.normal(0.0, noise, x.shape), y


def init(seed: int = 0) -> list[np.ndarray]:
    """micrograd's initialisation: weights uniform(-1, 1), biases 0; weights stored (in, out)."""
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in ((2, 16), (16, 16), (16, 1)):
        params += [rng.uniform(-1.0, 1.0, (n_in, n_out)), np.zeros(n_out)]
    return params


def lr(k: int, steps: int) -> float:
    return 1.0 - 0.9 * k / steps


def accuracy(scores: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((np.asarray(scores).reshape(-1) > 0) == (y > 0)))


def mlp(params: list[Any], x: Any, relu: Callable[[Any], Any]) -> Any:
    """The 2-16-16-1 network for any array framework."""
    w1, b1, w2, b2, w3, b3 = params
    return relu(relu(x @ w1 + b1) @ w2 + b2) @ w3 + b3


def hinge_l2(params: list[Any], scores: Any, y: Any, relu: Callable[[Any], Any]) -> Any:
    return relu(1 - y * scores).mean() + ALPHA * sum((p * p).sum() for p in params)


def torch_like(m: ModuleType, x: np.ndarray, y: np.ndarray, steps: int) -> Callable[[], float]:
    xt, yt = m.from_numpy(x), m.from_numpy(y[:, None])

    def train() -> float:
        params = [m.tensor(p, requires_grad=True) for p in init()]
        for k in range(steps):
            scores = mlp(params, xt, m.relu)
            hinge_l2(params, scores, yt, m.relu).backward()
            with m.no_grad():
                for p in params:
                    p -= lr(k, steps) * p.grad
                    p.grad = None
        return accuracy(scores.detach().numpy(), y)

    return train


def autograd_(m: ModuleType, x: np.ndarray, y: np.ndarray, steps: int) -> Callable[[], float]:
    import autograd.numpy as anp

    relu = lambda v: anp.maximum(v, 0.0)  # noqa: E731
    loss = m.grad(lambda ps: hinge_l2(ps, mlp(ps, x, relu), y[:, None], relu))

    def train() -> float:
        params = init()
        for k in range(steps):
            for p, g in zip(params, loss(params)):
                p -= lr(k, steps) * g
        return accuracy(mlp(params, x, relu), y)

    return train


def mygrad_(m: ModuleType, x: np.ndarray, y: np.ndarray, steps: int) -> Callable[[], float]:
    from mygrad.nnet import relu

    xt, yt = m.tensor(x, constant=True), y[:, None]

    def train() -> float:
        params = [m.tensor(p) for p in init()]
        for k in range(steps):
            scores = mlp(params, xt, relu)
            hinge_l2(params, scores, yt, relu).backward()
            for p in params:
                p.data -= lr(k, steps) * p.grad
        return accuracy(scores.data, y)

    return train


def floor(x: np.ndarray, y: np.ndarray, steps: int) -> Callable[[], float]:
    """By hand: the floor's Linear/ReLU layers, the hinge's gradient -y·[margin > 0]/N, and 2αp."""

    def train() -> float:
        ps = init()
        net = numpy_floor.Net([("linear",), ("relu",), ("linear",), ("relu",), ("linear",)],
                              [{"weight": ps[i].T, "bias": ps[i + 1]} if i % 2 == 0 else None for i in (0, 1, 2, 3, 4)])
        for k in range(steps):
            scores = net.forward(x)
            net.backward(-y[:, None] * (1 - y[:, None] * scores > 0) / len(y))
            for p, g in net.params_and_grads():
                p -= lr(k, steps) * (g + 2 * ALPHA * p)
        return accuracy(scores, y)

    return train


def micrograd_(x: np.ndarray, y: np.ndarray, steps: int, total: int) -> Callable[[], float]:
    """The demo's own loop, on micrograd's MLP loaded with the shared initial weights."""
    from micrograd.engine import Value
    from micrograd.nn import MLP

    def train() -> float:
        model = MLP(2, [16, 16, 1])
        ps = init()
        for layer, (w, b) in zip(model.layers, zip(ps[::2], ps[1::2])):
            for j, neuron in enumerate(layer.neurons):
                for i, wi in enumerate(neuron.w):
                    wi.data = float(w[i, j])
                neuron.b.data = float(b[j])
        for k in range(steps):
            scores = [model(list(map(Value, row))) for row in x]
            losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
            total_loss = sum(losses) * (1.0 / len(losses)) + ALPHA * sum(p * p for p in model.parameters())
            model.zero_grad()
            total_loss.backward()
            for p in model.parameters():
                p.data -= lr(k, total) * p.grad
        return accuracy(np.array([s.data for s in scores]), y)

    return train


def run(cfg: Config) -> list[Row]:
    points, steps, micro_steps = cfg.pick(SIZES)
    x, y = make_moons(points)
    setups: dict[str, Setup] = {
        "numpy": lambda m: floor(x, y, steps),
        "diffkit": lambda m: torch_like(m, x, y, steps),
        "torch": lambda m: torch_like(m, x, y, steps),
        "autograd": lambda m: autograd_(m, x, y, steps),
        "mygrad": lambda m: mygrad_(m, x, y, steps),
        "micrograd": lambda m: micrograd_(x, y, min(micro_steps, steps), steps),
    }
    outcomes = measure(setups, cfg)
    scaled = steps / min(micro_steps, steps)
    row = cells(outcomes, cfg, lambda name: scaled if name == "micrograd" else 1.0)
    accuracies = ", ".join(f"{name} {t.results[-1]:.2f}" for name, t in outcomes.items()
                           if isinstance(t, Timing) and name != "micrograd")
    note = f"final accuracy: {accuracies}"
    if scaled != 1:
        note += f"; micrograd: {min(micro_steps, steps)} steps timed, ×{scaled:g}"
    return [Row(f"micrograd's moons demo: {points} points, {steps} steps", "s", row, note=note)]
