"""Adam's relatives: NAdam (Dozat 2016, Nesterov momentum), RAdam (Liu et al. 2019, variance
rectification) and Adamax (Kingma & Ba 2015, infinity norm), with PyTorch's formulas and state."""
from __future__ import annotations

import math

import numpy as np

from ..tensor import _wrap
from .adam import moments
from .optimizer import Optimizer, apply_weight_decay, check_betas, check_nonnegative


class NAdam(Optimizer):
    """Adam with Nesterov momentum: μ_t = β1·(1 - ½·0.96^(t·ψ)) (ψ = ``momentum_decay``) weighs the gradient
    and the look-ahead momentum; the running product of the μ's (kept in float32, as PyTorch) debiases them."""

    def __init__(self, params, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3, decoupled_weight_decay: bool = False, *,
                 foreach=None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        check_nonnegative(lr=lr, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay)
        super().__init__(params, {"lr": lr, "betas": check_betas(betas), "eps": eps, "weight_decay": weight_decay,
                                  "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
                                  "maximize": maximize, "foreach": foreach, "capturable": capturable,
                                  "differentiable": differentiable})

    def _update(self, group: dict, param, grad: np.ndarray, state: dict) -> None:
        p = param._data
        if "exp_avg" not in state:
            state["step"] = self._zero_step()
            state["mu_product"] = _wrap(np.ones((), np.float32))  # kept in float32, as PyTorch
            state["exp_avg"], state["exp_avg_sq"] = self._buffer(param), self._buffer(param)
        step = self._count_step(state)
        lr, (beta1, beta2), decay = group["lr"], group["betas"], group["momentum_decay"]
        grad = apply_weight_decay(p, grad, group)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * decay))
        product = state["mu_product"]._data
        np.multiply(product, mu, out=product)
        m, v = moments(state, grad, beta1, beta2)
        denominator = np.sqrt(v / (1 - beta2**step)) + group["eps"]
        product = float(product)
        np.add(p, (-lr * (1.0 - mu) / (1.0 - product)) * (grad / denominator), out=p, casting="unsafe")
        np.add(p, (-lr * mu_next / (1.0 - product * mu_next)) * (m / denominator), out=p, casting="unsafe")


class RAdam(Optimizer):
    """Adam whose adaptive step is rectified by r_t while the variance estimate is reliable (ρ_t > 5),
    plain momentum SGD before (the warm-up RAdam replaces)."""

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *, foreach=None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False) -> None:
        check_nonnegative(lr=lr, eps=eps, weight_decay=weight_decay)
        super().__init__(params, {"lr": lr, "betas": check_betas(betas), "eps": eps, "weight_decay": weight_decay,
                                  "maximize": maximize, "foreach": foreach, "capturable": capturable,
                                  "decoupled_weight_decay": decoupled_weight_decay,
                                  "differentiable": differentiable})

    def _update(self, group: dict, param, grad: np.ndarray, state: dict) -> None:
        p = param._data
        if "exp_avg" not in state:
            state["step"] = self._zero_step()
            state["exp_avg"], state["exp_avg_sq"] = self._buffer(param), self._buffer(param)
        step = self._count_step(state)
        lr, (beta1, beta2) = group["lr"], group["betas"]
        grad = apply_weight_decay(p, grad, group)
        m, v = moments(state, grad, beta1, beta2)
        correction2 = 1 - beta2**step
        corrected = m / (1 - beta1**step)
        rho_inf = 2 / (1 - beta2) - 1
        rho = rho_inf - 2 * step * beta2**step / correction2
        if rho > 5.0:
            rect = ((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho)) ** 0.5
            adaptive = math.sqrt(correction2) / (np.sqrt(v) + group["eps"])
            np.subtract(p, corrected * lr * adaptive * rect, out=p, casting="unsafe")
        else:
            np.subtract(p, corrected * lr, out=p, casting="unsafe")


class Adamax(Optimizer):
    """Adam with the infinity norm: u = max(β2·u, |g| + ε);  p -= lr/(1-β1ᵗ) · m/u."""

    def __init__(self, params, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach=None, *, maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        check_nonnegative(lr=lr, eps=eps, weight_decay=weight_decay)
        super().__init__(params, {"lr": lr, "betas": check_betas(betas), "eps": eps, "weight_decay": weight_decay,
                                  "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                                  "capturable": capturable})

    def _update(self, group: dict, param, grad: np.ndarray, state: dict) -> None:
        p = param._data
        if "exp_avg" not in state:
            state["step"] = self._zero_step()
            state["exp_avg"], state["exp_inf"] = self._buffer(param), self._buffer(param)
        step = self._count_step(state)
        (beta1, beta2) = group["betas"]
        grad = apply_weight_decay(p, grad, group)
        m, u = state["exp_avg"]._data, state["exp_inf"]._data
        np.add(m, (1 - beta1) * (grad - m), out=m)  # Adam's first moment (the second is an infinity norm)
        np.multiply(u, beta2, out=u)
        np.maximum(u, np.abs(grad) + group["eps"], out=u)
        np.add(p, -group["lr"] / (1 - beta1**step) * (m / u), out=p, casting="unsafe")
