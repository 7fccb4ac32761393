"""Activation functions as single primitives: softplus, GELU, ELU (and SELU, CELU), leaky ReLU, SiLU.

Each forward is one stable numpy expression (no overflow at ±1000); each backward is a
closed form written with diffkit's polymorphic functions, so that second derivatives work
(``create_graph=True``) as they do in PyTorch.
"""
from __future__ import annotations

import math

import numpy as np

from ._primitive import apply, defprim, dispatch_other
from .elementwise import _stable_sigmoid, _sympy, clamp, exp, sigmoid, tanh, where
from .special import erf, erf_array

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_TANH_K = math.sqrt(2.0 / math.pi)
_TANH_C = 0.044715


def _call(prim, x, **params):
    from ..tensor import Tensor

    if isinstance(x, Tensor):
        return apply(prim, (x,), params)
    return dispatch_other(prim, (x,), params)


# ---------------------------------------------------------------------------- softplus
def _softplus_forward(x, beta, threshold):
    z = x * beta
    if np.iscomplexobj(z):  # the analytic form, so that the complex step sees the derivative
        return np.where(z.real > threshold, x, np.log1p(np.exp(z)) / beta)
    smooth = (np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0)) / beta
    return np.where(z > threshold, x, smooth).astype(x.dtype, copy=False)


SOFTPLUS = defprim("softplus", _softplus_forward,
                   lambda g, out, x, beta, threshold: where(x * beta > threshold, g, g * sigmoid(x * beta)),
                   node="SoftplusBackward0", elementwise=True,
                   sympy=_sympy(lambda sp, x, beta, threshold:
                                sp.Piecewise((x, x * beta > threshold), (sp.log(1 + sp.exp(x * beta)) / beta, True))))


def softplus(x, beta: float = 1.0, threshold: float = 20.0):
    """log(1 + exp(beta x)) / beta, linear above ``threshold`` (as PyTorch)."""
    return _call(SOFTPLUS, x, beta=beta, threshold=threshold)


# ---------------------------------------------------------------------------- GELU
def _gelu_forward(x, approximate):
    if approximate == "tanh":
        return 0.5 * x * (1.0 + np.tanh(_TANH_K * (x + _TANH_C * x * x * x)))
    return (0.5 * x * (1.0 + erf_array(x * _SQRT_HALF))).astype(x.dtype, copy=False)


def _gelu_vjp(g, out, x, approximate):
    if approximate == "tanh":
        t = tanh(_TANH_K * (x + _TANH_C * x * x * x))
        return g * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * _TANH_K * (1.0 + 3.0 * _TANH_C * x * x))
    return g * (0.5 * (1.0 + erf(x * _SQRT_HALF)) + x * _INV_SQRT_2PI * exp(-0.5 * x * x))


def _gelu_sympy(sp, x, approximate):
    if approximate == "tanh":
        return x / 2 * (1 + sp.tanh(sp.sqrt(2 / sp.pi) * (x + sp.Float(_TANH_C) * x ** 3)))
    return x / 2 * (1 + sp.erf(x / sp.sqrt(2)))


GELU = defprim("gelu", _gelu_forward, _gelu_vjp, node="GeluBackward0", elementwise=True, sympy=_sympy(_gelu_sympy))


def gelu(x, approximate: str = "none"):
    """x Φ(x) with the exact normal CDF (``approximate='tanh'``: the tanh approximation)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh, got {approximate!r}")
    return _call(GELU, x, approximate=approximate)


# ---------------------------------------------------------------------------- ELU family
def _elu_forward(x, alpha, scale, input_scale):
    negative = alpha * np.expm1(np.minimum(x, 0) * input_scale)
    return (scale * np.where(x > 0, x, negative)).astype(x.dtype, copy=False)


ELU = defprim("elu", _elu_forward,
              lambda g, out, x, alpha, scale, input_scale:
              where(x <= 0, g * (scale * alpha * input_scale) * exp(clamp(x, max=0.0) * input_scale), g * scale),
              node="EluBackward0", elementwise=True,
              sympy=_sympy(lambda sp, x, alpha, scale, input_scale:
                           scale * sp.Piecewise((x, x > 0), (alpha * (sp.exp(x * input_scale) - 1), True))))
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def elu(x, alpha: float = 1.0):
    """x for x > 0, alpha (exp(x) - 1) otherwise."""
    return _call(ELU, x, alpha=alpha, scale=1.0, input_scale=1.0)


def selu(x):
    """Self-normalising ELU: scale * elu(x, alpha) with Klambauer et al.'s constants."""
    return _call(ELU, x, alpha=_SELU_ALPHA, scale=_SELU_SCALE, input_scale=1.0)


def celu(x, alpha: float = 1.0):
    """max(0, x) + min(0, alpha (exp(x / alpha) - 1))."""
    return _call(ELU, x, alpha=alpha, scale=1.0, input_scale=1.0 / alpha)


# ---------------------------------------------------------------------------- leaky ReLU, SiLU
LEAKY_RELU = defprim("leaky_relu", lambda x, slope: np.where(x > 0, x, x * slope).astype(x.dtype, copy=False),
                     lambda g, out, x, slope: where(x > 0, g, g * slope),
                     node="LeakyReluBackward0", elementwise=True,
                     sympy=_sympy(lambda sp, x, slope: sp.Piecewise((x, x > 0), (x * slope, True))))


def leaky_relu(x, negative_slope: float = 0.01):
    return _call(LEAKY_RELU, x, slope=negative_slope)


def _silu_vjp(g, out, x):
    s = sigmoid(x)
    return g * s * (1.0 + x * (1.0 - s))


SILU = defprim("silu", lambda x: x * _stable_sigmoid(x), _silu_vjp, node="SiluBackward0", elementwise=True,
               sympy=_sympy(lambda sp, x: x / (1 + sp.exp(-x))))


def silu(x):
    """x sigmoid(x) (also called swish)."""
    return _call(SILU, x)


# ---------------------------------------------------------------------------- hard (piecewise linear) activations
# Primitives with PyTorch's backward formulas rather than compositions: clamp's gradient is 1 at the
# limits (hardtanh's is 0), and a where() over unselected branches leaks NaN (hardswish at ±inf).
HARDTANH = defprim("hardtanh", lambda x, low, high: np.clip(x, low, high),
                   lambda g, out, x, low, high: where(x > low, where(x < high, g, 0.0), 0.0),  # NaN: 0 too
                   node="HardtanhBackward0", elementwise=True,
                   sympy=_sympy(lambda sp, x, low, high: sp.Piecewise((low, x <= low), (high, x >= high), (x, True))))


def hardtanh(x, min_val: float = -1.0, max_val: float = 1.0):
    """x clamped to [min_val, max_val]; no gradient at or beyond the limits (PyTorch's hardtanh_backward)."""
    return _call(HARDTANH, x, low=min_val, high=max_val)


def relu6(x):
    """min(max(x, 0), 6): PyTorch's hardtanh(x, 0, 6), gradient 0 at 0 and 6 included."""
    return _call(HARDTANH, x, low=0.0, high=6.0)


def mish(x):
    """x tanh(softplus(x))."""
    return x * tanh(softplus(x))


def softsign(x):
    from .elementwise import abs

    return x / (1 + abs(x))


def hardsigmoid(x):
    """relu6(x + 3) / 6 as a piecewise expression, so that the gradient at ±3 is PyTorch's (0). (Not a
    primitive: PyTorch has no second derivative for its hardsigmoid_backward to compare against.)"""
    return where(x <= -3, 0.0, where(x >= 3, 1.0, x / 6 + 0.5))


HARDSWISH = defprim(
    "hardswish",
    lambda x: x * np.clip(x + 3, 0, 6) / 6,  # PyTorch's expression, to the bit (NaN at -inf: -inf * 0)
    lambda g, out, x: where(x <= -3, 0.0, where(x < 3, g * (x / 3 + 0.5), g)), node="HardswishBackward0",
    elementwise=True,
    sympy=_sympy(lambda sp, x: sp.Piecewise((0, x <= -3), (x * (x + 3) / 6, x < 3), (x, True))))


def hardswish(x):
    """x · relu6(x + 3) / 6 (MobileNetV3); the gradient is x/3 + ½ on (-3, 3), 0 at -3 and below, 1 from 3
    (at +inf too, where a composition gave NaN), as PyTorch's."""
    return _call(HARDSWISH, x)
