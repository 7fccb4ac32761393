"""Adagrad (Duchi et al. 2011): per-coordinate learning rates from the sum of squared gradients."""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, apply_weight_decay, check_nonnegative


class Adagrad(Optimizer):
    """s += g²;  p -= lr / (1 + (t - 1)·lr_decay) · g / (√s + ε)."""

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach=None, *,
                 maximize: bool = False, differentiable: bool = False, fused=None) -> None:
        check_nonnegative(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                          initial_accumulator_value=initial_accumulator_value, eps=eps)
        super().__init__(params, {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                                  "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                                  "maximize": maximize, "differentiable": differentiable, "fused": fused})
        for group in self.param_groups:  # PyTorch creates the state eagerly
            for p in group["params"]:
                self.state[p]["step"] = self._zero_step()
                self.state[p]["sum"] = self._buffer(p, group["initial_accumulator_value"])

    def _update(self, group: dict, param, grad: np.ndarray, state: dict) -> None:
        p = param._data
        step = self._count_step(state)
        grad = apply_weight_decay(p, grad, group)
        rate = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        total = state["sum"]._data
        np.add(total, grad * grad, out=total)
        np.add(p, -rate * (grad / (np.sqrt(total) + group["eps"])), out=p, casting="unsafe")
