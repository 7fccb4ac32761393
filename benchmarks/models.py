"""The trained models (an MLP, a small CNN), written once per API family.

A model is a spec — a list of layers such as ("linear", 64, 256) or ("conv", 1, 16, 3, 1) —
and one set of numpy initial parameters, so every framework starts from the same weights
and trains the same function. PyTorch and diffkit share one implementation (`TorchLike`,
parameterised by the module); HIPS autograd and mygrad share a functional one that differs
only in the few primitives of `AutogradOps` and `MygradOps`; the numpy floor is
`numpy_floor.Trainer`.

Every trainer offers `batch(x, y)` (numpy in, native out), `step(batch)` (forward,
cross-entropy, backward, SGD) and `predict(x)` (numpy logits, evaluation mode).
"""
from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from . import numpy_floor
from .harness import NotApplicable, Setup, require

Spec = list[tuple]


def mlp_spec(sizes: list[int]) -> Spec:
    spec: Spec = []
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        spec.append(("linear", n_in, n_out))
        if i < len(sizes) - 2:
            spec.append(("relu",))
    return spec


def cnn_spec(channels: int, image: int, classes: int = 10) -> Spec:
    """Conv2d(3×3, padding 1) – BatchNorm2d – ReLU – MaxPool2d(2) – Flatten – Linear."""
    side = image // 2
    return [("conv", 1, channels, 3, 1), ("bn", channels), ("relu",), ("maxpool", 2), ("flatten",),
            ("linear", channels * side * side, classes)]


def init_params(spec: Spec, seed: int = 0) -> list[dict | None]:
    """PyTorch-style uniform(±1/sqrt(fan_in)) initial weights, float32, from one seed."""
    rng = np.random.default_rng(seed)
    params: list[dict | None] = []
    for layer in spec:
        if layer[0] in ("linear", "conv"):
            shape = (layer[2], layer[1]) if layer[0] == "linear" else (layer[2], layer[1], layer[3], layer[3])
            bound = 1.0 / np.sqrt(np.prod(shape[1:]))
            params.append({"weight": rng.uniform(-bound, bound, shape).astype(np.float32),
                           "bias": rng.uniform(-bound, bound, shape[0]).astype(np.float32)})
        elif layer[0] == "bn":
            params.append({"weight": np.ones(layer[1], np.float32), "bias": np.zeros(layer[1], np.float32)})
        else:
            params.append(None)
    return params


# --- PyTorch and diffkit: one implementation ---------------------------------------------------

_NN = {"linear": "Linear", "relu": "ReLU", "conv": "Conv2d", "bn": "BatchNorm2d", "maxpool": "MaxPool2d",
       "flatten": "Flatten"}


class TorchLike:
    """nn.Sequential + optim.SGD + nn.functional.cross_entropy, for any module with PyTorch's API."""

    def __init__(self, m: ModuleType, spec: Spec, params: list[dict | None], lr: float):
        require(m, "nn.Sequential", "optim.SGD", "nn.functional.cross_entropy", "from_numpy", "no_grad",
                *(f"nn.{_NN[layer[0]]}" for layer in spec))
        self.m = m
        self.model = m.nn.Sequential(*(self._layer(layer) for layer in spec))
        with m.no_grad():
            for module, p in zip(self.model, params):
                for key, value in (p or {}).items():
                    getattr(module, key).copy_(m.from_numpy(value))
        self.opt = m.optim.SGD(self.model.parameters(), lr=lr)
        self.loss = m.nn.functional.cross_entropy

    def _layer(self, layer: tuple) -> Any:
        nn = self.m.nn
        kind = layer[0]
        if kind == "linear":
            return nn.Linear(layer[1], layer[2])
        if kind == "conv":
            return nn.Conv2d(layer[1], layer[2], layer[3], padding=layer[4])
        if kind == "bn":
            return nn.BatchNorm2d(layer[1])
        if kind == "maxpool":
            return nn.MaxPool2d(layer[1])
        return getattr(nn, _NN[kind])()

    def batch(self, x: np.ndarray, y: np.ndarray) -> tuple:
        return self.m.from_numpy(x), self.m.from_numpy(y)

    def step(self, batch: tuple) -> None:
        self.opt.zero_grad()
        self.loss(self.model(batch[0]), batch[1]).backward()
        self.opt.step()

    def predict(self, x: np.ndarray) -> np.ndarray:
        self.model.eval()
        try:
            with self.m.no_grad():
                return self.model(self.m.from_numpy(x)).numpy()
        finally:
            self.model.train()


# --- HIPS autograd and mygrad: one functional implementation ----------------------------------

class FunctionalOps:
    """The primitives a functional framework supplies; running statistics are kept in numpy."""

    def __init__(self) -> None:
        self.stats: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def batchnorm(self, index: int, h: Any, gamma: Any, beta: Any, train: bool) -> Any:
        np_ = self.np
        if train:
            mean = np_.mean(h, axis=(0, 2, 3), keepdims=True)
            var = np_.mean((h - mean) ** 2, axis=(0, 2, 3), keepdims=True)
            self._update_stats(index, self.value(mean), self.value(var), h.size // h.shape[1])
        else:
            mean, var = self.stats[index]
        return (h - mean) / np_.sqrt(var + numpy_floor.EPS) * gamma.reshape(1, -1, 1, 1) + beta.reshape(1, -1, 1, 1)

    def _update_stats(self, index: int, mean: np.ndarray, var: np.ndarray, m: int) -> None:
        run_mean, run_var = self.stats.get(index, (np.zeros_like(mean), np.ones_like(var)))
        k = numpy_floor.MOMENTUM
        self.stats[index] = (run_mean + k * (mean - run_mean), run_var + k * (var * m / max(m - 1, 1) - run_var))

    @staticmethod
    def maxpool(h: Any) -> Any:
        n, c, height, width = h.shape
        return h.reshape(n, c, height // 2, 2, width // 2, 2).max(axis=(3, 5))


class AutogradOps(FunctionalOps):
    def __init__(self) -> None:
        super().__init__()
        import autograd.numpy as anp
        from autograd.tracer import getval

        self.np, self.value = anp, getval

    def conv(self, x: Any, w: Any, b: Any, padding: int) -> Any:
        """im2col by fancy indexing (autograd has no convolution for NCHW batches)."""
        f, c, k, _ = w.shape
        xp = self.np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
        ho, wo = xp.shape[2] - k + 1, xp.shape[3] - k + 1
        rows = (np.arange(ho)[:, None] + np.arange(k))[:, None, :, None]
        cols = (np.arange(wo)[:, None] + np.arange(k))[None, :, None, :]
        patches = xp[:, :, rows, cols]  # (n, c, ho, wo, k, k)
        flat = self.np.transpose(patches, (0, 2, 3, 1, 4, 5)).reshape(-1, c * k * k)
        out = (flat @ self.np.reshape(w, (f, -1)).T + b).reshape(x.shape[0], ho, wo, f)
        return self.np.transpose(out, (0, 3, 1, 2))

    def relu(self, h: Any) -> Any:
        return self.np.maximum(h, 0.0)

    def cross_entropy(self, logits: Any, labels: np.ndarray) -> Any:
        from autograd.scipy.special import logsumexp

        return self.np.mean(logsumexp(logits, axis=1) - logits[np.arange(len(labels)), labels])


class MygradOps(FunctionalOps):
    def __init__(self) -> None:
        super().__init__()
        import mygrad
        import mygrad.nnet as nnet

        self.np, self.nnet = mygrad, nnet
        self.value = lambda t: np.asarray(t.data if hasattr(t, "data") else t)

    def conv(self, x: Any, w: Any, b: Any, padding: int) -> Any:
        return self.nnet.conv_nd(x, w, stride=1, padding=padding) + b.reshape(1, -1, 1, 1)

    def relu(self, h: Any) -> Any:
        return self.nnet.relu(h)

    def batchnorm(self, index: int, h: Any, gamma: Any, beta: Any, train: bool) -> Any:
        """mygrad's own fused batchnorm while training; the generic formula with running statistics otherwise."""
        if not train:
            return super().batchnorm(index, h, gamma, beta, train)
        data = h.data
        self._update_stats(index, data.mean(axis=(0, 2, 3), keepdims=True), data.var(axis=(0, 2, 3), keepdims=True),
                           h.size // h.shape[1])
        return self.nnet.batchnorm(h, gamma=gamma, beta=beta, eps=numpy_floor.EPS)

    def maxpool(self, h: Any) -> Any:
        return self.nnet.max_pool(h, (2, 2), 2)

    def cross_entropy(self, logits: Any, labels: np.ndarray) -> Any:
        return self.nnet.softmax_crossentropy(logits, labels)


def functional_forward(ops: FunctionalOps, spec: Spec, params: list[Any], x: Any, train: bool) -> Any:
    """Run a spec with a functional framework's primitives; params is the flat list of weights."""
    it = iter(params)
    for index, layer in enumerate(spec):
        kind = layer[0]
        if kind == "linear":
            w, b = next(it), next(it)
            x = x @ w.T + b
        elif kind == "conv":
            w, b = next(it), next(it)
            x = ops.conv(x, w, b, layer[4])
        elif kind == "bn":
            gamma, beta = next(it), next(it)
            x = ops.batchnorm(index, x, gamma, beta, train)
        elif kind == "relu":
            x = ops.relu(x)
        elif kind == "maxpool":
            x = ops.maxpool(x)
        else:
            x = x.reshape(x.shape[0], -1)
    return x


def _flat(params: list[dict | None]) -> list[np.ndarray]:
    return [p[key].copy() for p in params if p for key in ("weight", "bias")]


class AutogradTrainer:
    def __init__(self, spec: Spec, params: list[dict | None], lr: float):
        from autograd import grad

        self.ops, self.spec, self.lr, self.params = AutogradOps(), spec, lr, _flat(params)
        self.grad = grad(lambda ps, x, y: self.ops.cross_entropy(functional_forward(self.ops, spec, ps, x, True), y))

    def batch(self, x: np.ndarray, y: np.ndarray) -> tuple:
        return x, y

    def step(self, batch: tuple) -> None:
        for p, g in zip(self.params, self.grad(self.params, *batch)):
            p -= self.lr * g

    def predict(self, x: np.ndarray) -> np.ndarray:
        return functional_forward(self.ops, self.spec, self.params, x, False)


class MygradTrainer:
    def __init__(self, spec: Spec, params: list[dict | None], lr: float):
        import mygrad

        self.mg, self.ops, self.spec, self.lr = mygrad, MygradOps(), spec, lr
        self.params = [mygrad.tensor(p) for p in _flat(params)]

    def batch(self, x: np.ndarray, y: np.ndarray) -> tuple:
        return self.mg.tensor(x, constant=True), y

    def step(self, batch: tuple) -> None:
        logits = functional_forward(self.ops, self.spec, self.params, batch[0], True)
        self.ops.cross_entropy(logits, batch[1]).backward()
        for p in self.params:
            p.data -= self.lr * p.grad

    def predict(self, x: np.ndarray) -> np.ndarray:
        with self.mg.no_autodiff:
            return np.asarray(functional_forward(self.ops, self.spec, self.params, x, False))


# --- the setups the harness times ----------------------------------------------------------------

Trainer = Any
TrainerFactory = Callable[[ModuleType | None, Spec, list, float], Trainer]


def _micrograd(m: ModuleType | None, spec: Spec, params: list, lr: float) -> Trainer:
    raise NotApplicable("micrograd works on scalars: one matrix layer is ~10^5 Python objects per step")


TRAINERS: dict[str, TrainerFactory] = {
    "numpy": lambda m, spec, params, lr: numpy_floor.Trainer(spec, params, lr),
    "diffkit": TorchLike,
    "torch": TorchLike,
    "autograd": lambda m, spec, params, lr: AutogradTrainer(spec, params, lr),
    "mygrad": lambda m, spec, params, lr: MygradTrainer(spec, params, lr),
    "micrograd": _micrograd,
}


def trainer_setups(spec: Spec, lr: float, seed: int,
                   make_step: Callable[[Trainer], Callable[[], Any]]) -> dict[str, Setup]:
    """For each framework, a setup that builds its trainer and hands it to `make_step`."""
    params = init_params(spec, seed)

    def setup(factory: TrainerFactory) -> Setup:
        return lambda m: make_step(factory(m, spec, params, lr))

    return {name: setup(factory) for name, factory in TRAINERS.items()}


def random_batch(shape: tuple[int, ...], classes: int, batch: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """A batch of standard-normal float32 inputs of the given per-sample shape, and random labels."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((batch, *shape)).astype(np.float32), rng.integers(0, classes, batch).astype(np.int64)


def step_on(batch: tuple[np.ndarray, np.ndarray]) -> Callable[[Trainer], Callable[[], Any]]:
    """make_step for timing: convert the batch once, then time trainer.step on it."""

    def make(trainer: Trainer) -> Callable[[], Any]:
        native = trainer.batch(*batch)
        return lambda: trainer.step(native)

    return make
