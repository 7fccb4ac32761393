"""Adam (Kingma & Ba 2015), with AMSGrad (Reddi et al. 2018), and AdamW (Loshchilov & Hutter 2019)."""
from __future__ import annotations

import math

import numpy as np

from .optimizer import Optimizer, apply_weight_decay, check_betas, check_nonnegative


def moments(state: dict, grad: np.ndarray, beta1: float, beta2: float) -> tuple[np.ndarray, np.ndarray]:
    """Adam's running moments, in place: m ← lerp(m, g, 1-β1); v ← β2·v + (1-β2)·g²."""
    m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
    np.add(m, (1 - beta1) * (grad - m), out=m)
    np.multiply(v, beta2, out=v)
    np.add(v, (1 - beta2) * (grad * grad), out=v)
    return m, v


class Adam(Optimizer):
    """m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²;  p -= lr/(1-β1ᵗ) · m / (√v / √(1-β2ᵗ) + ε).

    ``weight_decay`` adds wd·p to the gradient (L2), unless ``decoupled_weight_decay`` (AdamW)
    shrinks the parameter directly: p *= 1 - lr·wd."""

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach=None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False, fused=None,
                 decoupled_weight_decay: bool = False) -> None:
        check_nonnegative(lr=lr, eps=eps, weight_decay=weight_decay)
        super().__init__(params, {"lr": lr, "betas": check_betas(betas), "eps": eps, "weight_decay": weight_decay,
                                  "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                                  "capturable": capturable, "differentiable": differentiable, "fused": fused,
                                  "decoupled_weight_decay": decoupled_weight_decay})

    def _update(self, group: dict, param, grad: np.ndarray, state: dict) -> None:
        p = param._data
        if "exp_avg" not in state:
            state["step"] = self._zero_step()
            state["exp_avg"], state["exp_avg_sq"] = self._buffer(param), self._buffer(param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = self._buffer(param)
        step = self._count_step(state)
        lr, (beta1, beta2) = group["lr"], group["betas"]
        grad = apply_weight_decay(p, grad, group)
        m, v = moments(state, grad, beta1, beta2)
        step_size = lr / (1 - beta1**step)
        root_correction = math.sqrt(1 - beta2**step)
        if group["amsgrad"]:
            v_max = state["max_exp_avg_sq"]._data
            np.maximum(v_max, v, out=v_max)
            v = v_max
        denominator = np.sqrt(v) / root_correction + group["eps"]
        np.add(p, -step_size * (m / denominator), out=p, casting="unsafe")


class AdamW(Adam):
    """Adam with decoupled weight decay (default 0.01): the decay is applied to the weights, not the gradient."""

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False, foreach=None,
                 capturable: bool = False, differentiable: bool = False, fused=None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
