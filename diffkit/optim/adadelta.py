"""Adadelta (Zeiler 2012): steps scaled by the ratio of running RMS of past updates and of gradients,
so no learning rate is needed (``lr`` only rescales, 1.0 by default)."""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, apply_weight_decay, check_nonnegative


class Adadelta(Optimizer):
    """s = ρ·s + (1-ρ)·g²;  Δ = √(a + ε)/√(s + ε) · g;  a = ρ·a + (1-ρ)·Δ²;  p -= lr·Δ."""

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6, weight_decay: float = 0,
                 foreach=None, *, capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_nonnegative(lr=lr, eps=eps, weight_decay=weight_decay)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        super().__init__(params, {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                                  "maximize": maximize, "capturable": capturable, "foreach": foreach,
                                  "differentiable": differentiable})

    def _update(self, group: dict, param, grad: np.ndarray, state: dict) -> None:
        p = param._data
        if "square_avg" not in state:
            state["step"] = self._zero_step()
            state["square_avg"], state["acc_delta"] = self._buffer(param), self._buffer(param)
        self._count_step(state)
        rho, eps = group["rho"], group["eps"]
        grad = apply_weight_decay(p, grad, group)
        square_avg, acc_delta = state["square_avg"]._data, state["acc_delta"]._data
        np.multiply(square_avg, rho, out=square_avg)
        np.add(square_avg, (1 - rho) * (grad * grad), out=square_avg)
        delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * grad
        np.multiply(acc_delta, rho, out=acc_delta)
        np.add(acc_delta, (1 - rho) * (delta * delta), out=acc_delta)
        np.add(p, -group["lr"] * delta, out=p, casting="unsafe")
