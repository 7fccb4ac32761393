"""RMSprop (Hinton's lecture 6e), optionally centred and with momentum."""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, apply_weight_decay, check_nonnegative


class RMSprop(Optimizer):
    """s = α·s + (1-α)·g²;  d = √(s - ḡ²) (centred) or √s, plus ε;  p -= lr·g/d (or through a momentum buffer)."""

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0,
                 momentum: float = 0, centered: bool = False, capturable: bool = False, foreach=None,
                 maximize: bool = False, differentiable: bool = False) -> None:
        check_nonnegative(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        super().__init__(params, {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                                  "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                                  "maximize": maximize, "differentiable": differentiable})

    def _update(self, group: dict, param, grad: np.ndarray, state: dict) -> None:
        p = param._data
        if "square_avg" not in state:
            state["step"] = self._zero_step()
            state["square_avg"] = self._buffer(param)
            if group["momentum"] > 0:
                state["momentum_buffer"] = self._buffer(param)
            if group["centered"]:
                state["grad_avg"] = self._buffer(param)
        self._count_step(state)
        alpha = group["alpha"]
        grad = apply_weight_decay(p, grad, group)
        square_avg = state["square_avg"]._data
        np.multiply(square_avg, alpha, out=square_avg)
        np.add(square_avg, (1 - alpha) * (grad * grad), out=square_avg)
        if group["centered"]:
            grad_avg = state["grad_avg"]._data
            np.add(grad_avg, (1 - alpha) * (grad - grad_avg), out=grad_avg)
            average = np.sqrt(square_avg - grad_avg * grad_avg)
        else:
            average = np.sqrt(square_avg)
        average += group["eps"]
        if group["momentum"] > 0:
            buffer = state["momentum_buffer"]._data
            np.multiply(buffer, group["momentum"], out=buffer)
            np.add(buffer, grad / average, out=buffer)
            np.add(p, -group["lr"] * buffer, out=p, casting="unsafe")
        else:
            np.add(p, -group["lr"] * (grad / average), out=p, casting="unsafe")
