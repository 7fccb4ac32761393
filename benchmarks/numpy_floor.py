"""The numpy floor: the benchmark models written by hand with their backward passes.

No framework can beat hand-written numpy by much, so this is the floor that diffkit's
ratios are measured against. Layers cache what their backward needs, write weight
gradients into preallocated buffers, and the SGD step updates the weights in place.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

EPS = 1e-5  # BatchNorm's epsilon, as in PyTorch
MOMENTUM = 0.1  # BatchNorm's running-statistics momentum, as in PyTorch


class Layer:
    params: list[np.ndarray] = []
    grads: list[np.ndarray] = []

    def forward(self, x: np.ndarray, train: bool) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dy: np.ndarray, need_dx: bool) -> np.ndarray | None:
        raise NotImplementedError


class Linear(Layer):
    def __init__(self, weight: np.ndarray, bias: np.ndarray):
        self.params = [weight, bias]
        self.grads = [np.empty_like(weight), np.empty_like(bias)]

    def forward(self, x, train):
        self.x = x
        return x @ self.params[0].T + self.params[1]

    def backward(self, dy, need_dx):
        np.matmul(dy.T, self.x, out=self.grads[0])
        dy.sum(axis=0, out=self.grads[1])
        return dy @ self.params[0] if need_dx else None


class ReLU(Layer):
    def forward(self, x, train):
        self.mask = x > 0
        return x * self.mask

    def backward(self, dy, need_dx):
        return dy * self.mask


class Flatten(Layer):
    """Channel-last (N, H, W, C) in, PyTorch's (N, C·H·W) flattening order out."""

    def forward(self, x, train):
        self.shape = x.shape
        return x.transpose(0, 3, 1, 2).reshape(x.shape[0], -1)

    def backward(self, dy, need_dx):
        n, h, w, c = self.shape
        return dy.reshape(n, c, h, w).transpose(0, 2, 3, 1)


class Conv2d(Layer):
    """Stride-1 convolution as im2col (an as_strided view, one copy) and one matrix product.

    Takes PyTorch's (N, C, H, W) and returns channel-last (N, H, W, C), the layout in which
    im2col's product lands and BatchNorm/pooling reduce fastest.
    """

    def __init__(self, weight: np.ndarray, bias: np.ndarray, padding: int):
        self.params = [weight, bias]
        self.grads = [np.empty_like(weight), np.empty_like(bias)]
        self.padding = padding

    def forward(self, x, train):
        f, c, k, _ = self.params[0].shape
        p = self.padding
        x = x.transpose(0, 2, 3, 1)
        xp = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0))) if p else np.ascontiguousarray(x)
        n, h, w, _ = xp.shape
        ho, wo = h - k + 1, w - k + 1
        s = xp.strides
        windows = as_strided(xp, (n, ho, wo, k, k, c), (s[0], s[1], s[2], s[1], s[2], s[3]))
        self.cols = windows.reshape(n * ho * wo, k * k * c)
        self.xshape = xp.shape
        out = self.cols @ self._matrix().T + self.params[1]
        return out.reshape(n, ho, wo, f)

    def _matrix(self) -> np.ndarray:
        f = self.params[0].shape[0]
        return self.params[0].transpose(0, 2, 3, 1).reshape(f, -1)

    def backward(self, dy, need_dx):
        f, c, k, _ = self.params[0].shape
        dcol = dy.reshape(-1, f)
        self.grads[0][...] = (dcol.T @ self.cols).reshape(f, k, k, c).transpose(0, 3, 1, 2)
        self.grads[1][...] = channel_sum(dcol)
        if not need_dx:
            return None
        n, h, w, _ = self.xshape
        ho, wo = h - k + 1, w - k + 1
        dwin = (dcol @ self._matrix()).reshape(n, ho, wo, k, k, c)
        dxp = np.zeros(self.xshape, dtype=dy.dtype)
        for i in range(k):
            for j in range(k):
                dxp[:, i:i + ho, j:j + wo, :] += dwin[:, :, :, i, j, :]
        p = self.padding
        return (dxp[:, p:h - p, p:w - p, :] if p else dxp).transpose(0, 3, 1, 2)


def channel_sum(x: np.ndarray) -> np.ndarray:
    """Sum a channel-last array over all but its last axis: one BLAS matrix-vector product,
    ten times faster than numpy's axis-0 reduction on a narrow last axis."""
    rows = x.reshape(-1, x.shape[-1])
    return np.ones(rows.shape[0], dtype=x.dtype) @ rows


class BatchNorm2d(Layer):
    """Batch normalisation over (N, H, W) of a channel-last input."""

    def __init__(self, weight: np.ndarray, bias: np.ndarray):
        self.params = [weight, bias]
        self.grads = [np.empty_like(weight), np.empty_like(bias)]
        self.running_mean = np.zeros_like(weight)
        self.running_var = np.ones_like(weight)

    def forward(self, x, train):
        if train:
            m = x.size // x.shape[-1]
            mean = channel_sum(x) / m
            centred = x - mean
            var = channel_sum(centred * centred) / m
            self.running_mean += MOMENTUM * (mean - self.running_mean)
            self.running_var += MOMENTUM * (var * m / max(m - 1, 1) - self.running_var)
        else:
            centred, var = x - self.running_mean, self.running_var
        self.inv_std = 1.0 / np.sqrt(var + EPS)
        self.xhat = centred * self.inv_std
        return self.xhat * self.params[0] + self.params[1]

    def backward(self, dy, need_dx):
        self.grads[1][...] = channel_sum(dy)
        self.grads[0][...] = channel_sum(dy * self.xhat)
        if not need_dx:
            return None
        m = dy.size // dy.shape[-1]
        gamma = self.params[0]
        return (self.inv_std * gamma / m) * (m * dy - self.grads[1] - self.xhat * self.grads[0])


class MaxPool2d(Layer):
    """2×2 pooling with stride 2 of a channel-last input, as the maximum of four strided views;
    the backward routes the gradient to the maxima."""

    def forward(self, x, train):
        corners = [x[:, i::2, j::2, :] for i in (0, 1) for j in (0, 1)]
        out = np.maximum(np.maximum(corners[0], corners[1]), np.maximum(corners[2], corners[3]))
        self.masks = [corner == out for corner in corners]
        self.shape = x.shape
        return out

    def backward(self, dy, need_dx):
        dx = np.empty(self.shape, dtype=dy.dtype)
        for k, mask in enumerate(self.masks):
            np.multiply(mask, dy, out=dx[:, k // 2::2, k % 2::2, :])
        return dx


def build(spec: list[tuple], params: list[dict | None]) -> list[Layer]:
    """The layers of a model spec (see models.py), holding copies of the initial parameters."""
    layers: list[Layer] = []
    for layer, p in zip(spec, params):
        kind = layer[0]
        if kind == "linear":
            layers.append(Linear(p["weight"].copy(), p["bias"].copy()))
        elif kind == "conv":
            layers.append(Conv2d(p["weight"].copy(), p["bias"].copy(), layer[4]))
        elif kind == "bn":
            layers.append(BatchNorm2d(p["weight"].copy(), p["bias"].copy()))
        else:
            layers.append({"relu": ReLU, "maxpool": MaxPool2d, "flatten": Flatten}[kind]())
    return layers


class Net:
    """A sequence of floor layers with forward, backward and an in-place SGD step."""

    def __init__(self, spec: list[tuple], params: list[dict | None]):
        self.layers = build(spec, params)

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x, train)
        return x

    def backward(self, dy: np.ndarray) -> None:
        for i in range(len(self.layers) - 1, -1, -1):
            dy = self.layers[i].backward(dy, need_dx=i > 0)

    def params_and_grads(self) -> list[tuple[np.ndarray, np.ndarray]]:
        return [pg for layer in self.layers for pg in zip(layer.params, layer.grads)]

    def sgd(self, lr: float) -> None:
        for p, g in self.params_and_grads():
            p -= lr * g


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy and its gradient with respect to the logits."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    rows = np.arange(len(labels))
    loss = float(np.mean(np.log(total[:, 0]) - shifted[rows, labels]))
    grad = exp / total
    grad[rows, labels] -= 1.0
    grad /= len(labels)
    return loss, grad


class Trainer:
    """The floor's side of the Trainer protocol in models.py."""

    def __init__(self, spec: list[tuple], params: list[dict | None], lr: float):
        self.net, self.lr = Net(spec, params), lr

    def batch(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return x, y

    def step(self, batch: tuple[np.ndarray, np.ndarray]) -> None:
        _, grad = cross_entropy(self.net.forward(batch[0], True), batch[1])
        self.net.backward(grad)
        self.net.sgd(self.lr)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.net.forward(x, train=False)
