"""Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay."""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, apply_weight_decay, check_nonnegative


class SGD(Optimizer):
    """PyTorch's update: d = g + wd·p; b = μ·b + (1 - τ)·d (b = d at the first step);
    d = d + μ·b (Nesterov) or b; p = p - lr·d."""

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach=None, differentiable: bool = False, fused=None) -> None:
        check_nonnegative(lr=lr, momentum=momentum, weight_decay=weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                                  "foreach": foreach, "differentiable": differentiable, "fused": fused})

    def _update(self, group: dict, param, grad: np.ndarray, state: dict) -> None:
        p = param._data
        momentum = group["momentum"]
        if group["weight_decay"]:
            grad = apply_weight_decay(p, grad, group)
        if momentum:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = state["momentum_buffer"] = self._buffer(param)
                np.copyto(buffer._data, grad)
            else:
                b = buffer._data
                np.multiply(b, momentum, out=b)
                np.add(b, (1 - group["dampening"]) * grad, out=b)
            grad = grad + momentum * buffer._data if group["nesterov"] else buffer._data
        np.add(p, -group["lr"] * grad, out=p, casting="unsafe")
