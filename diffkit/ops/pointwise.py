"""More elementwise primitives: ``atan2``, ``log2``, ``log10``, ``lerp``, ``nan_to_num``,
``clamp_min``, ``clamp_max``; and torch.add/sub/div's keywords (``alpha``, ``rounding_mode``).

Kept apart from elementwise.py (the table's core) only for size; the conventions are the
same: each rule is a pointwise factor, so it serves as VJP and JVP.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from ..tensor import Tensor
from . import elementwise as ew
from ._primitive import defprim, function, unary, variant
from .elementwise import CLAMP, _sympy, isfinite, where

_LN2, _LN10 = math.log(2.0), math.log(10.0)

def _atan2_scale(y, x):
    """1 / (x^2 + y^2), and 0 at the origin, where PyTorch's gradient of atan2 is 0. The
    denominator is replaced where it is masked, so a second derivative meets no 1/0 either."""
    denominator = x * x + y * y
    origin = denominator == 0
    return where(origin, 0.0, 1 / where(origin, 1.0, denominator))


ATAN2 = defprim("atan2", np.arctan2,
                (lambda g, out, y, x: g * (x * _atan2_scale(y, x)), lambda g, out, y, x: g * (-y * _atan2_scale(y, x))),
                sympy="atan2", elementwise=True)
LOG2 = defprim("log2", np.log2, lambda g, out, x: g / (x * _LN2), sympy=_sympy(lambda sp, x: sp.log(x, 2)),
               elementwise=True)
LOG10 = defprim("log10", np.log10, lambda g, out, x: g / (x * _LN10), sympy=_sympy(lambda sp, x: sp.log(x, 10)),
                elementwise=True)


def _lerp_forward(start, end, weight):
    """PyTorch's two-sided formula (exact at weight 0 and 1)."""
    weight = np.asarray(weight)
    return np.where(np.abs(weight) < 0.5, start + weight * (end - start), end - (end - start) * (1 - weight))


LERP = defprim("lerp", _lerp_forward,
               (lambda g, out, s, e, w: g * (1 - w), lambda g, out, s, e, w: g * w,
                lambda g, out, s, e, w: g * (e - s)),
               elementwise=True, node="LerpBackward1")
LERP_NUMBER = defprim("lerp", _lerp_forward,
                      (lambda g, out, s, e, weight: g * (1 - weight), lambda g, out, s, e, weight: g * weight),
                      save="none", elementwise=True, node="LerpBackward0")


def lerp(start, end, weight):
    """``start + weight * (end - start)``; ``weight`` a number or a tensor."""
    if isinstance(weight, numbers.Number):
        return function(LERP_NUMBER)(start, end, weight=weight)
    return function(LERP)(start, end, weight)


NAN_TO_NUM = defprim("nan_to_num", lambda x, nan, posinf, neginf: np.nan_to_num(x, nan=nan, posinf=posinf,
                                                                                  neginf=neginf),
                     lambda g, out, x, nan, posinf, neginf: g * isfinite(x),  # inf * 0: NaN, as PyTorch
                     elementwise=True, node="NanToNumBackward0")


def nan_to_num(x, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None):
    """NaN, +inf and -inf replaced (by 0 and the dtype's largest and smallest finite values by
    default); the gradient passes where the value was finite."""
    return function(NAN_TO_NUM)(x, nan=nan, posinf=posinf, neginf=neginf)


CLAMP_MIN = variant(CLAMP, "ClampMinBackward0")
CLAMP_MAX = variant(CLAMP, "ClampMaxBackward0")

# Tensor bounds, with PyTorch's clamp_backward_min_max: the whole gradient goes to x where
# low <= x <= high, else to the bound that set the value -- not shared at ties as maximum's is;
# with low > high (the value is high) only high has one, and with low == high nobody.
CLAMP_TENSORS = defprim(
    "clamp", lambda x, low, high: np.minimum(np.maximum(x, low), high),
    (lambda g, out, x, low, high: where((x >= low) & (x <= high), g, 0.0),
     lambda g, out, x, low, high: where((x < low) & (low < high), g, 0.0),
     lambda g, out, x, low, high: where((x > high) | (high < low), g, 0.0)),
    elementwise=True, node="ClampBackward0")
CLAMP_BELOW = defprim("clamp_min", np.maximum,
                      (lambda g, out, x, low: where(x >= low, g, 0.0), lambda g, out, x, low: where(x < low, g, 0.0)),
                      elementwise=True, node="ClampBackward0")
CLAMP_ABOVE = defprim("clamp_max", np.minimum,
                      (lambda g, out, x, high: where(x <= high, g, 0.0),
                       lambda g, out, x, high: where(x > high, g, 0.0)),
                      elementwise=True, node="ClampBackward0")
CLAMP_MIN_TENSOR = variant(CLAMP_BELOW, "ClampMinBackward1")
CLAMP_MAX_TENSOR = variant(CLAMP_ABOVE, "ClampMaxBackward1")


def clamp_tensors(x, low, high):
    """``clamp`` with a tensor bound (the other a tensor, a number or None)."""
    if low is None:
        return function(CLAMP_ABOVE)(x, high)
    if high is None:
        return function(CLAMP_BELOW)(x, low)
    return function(CLAMP_TENSORS)(x, low, high)


def clamp_min(x, min):  # noqa: A002 - PyTorch's name
    """``max(x, min)``; the gradient passes where x >= min."""
    if isinstance(min, Tensor):
        return function(CLAMP_MIN_TENSOR)(x, min)
    return function(CLAMP_MIN)(x, min=min)


def clamp_max(x, max):  # noqa: A002 - PyTorch's name
    if isinstance(max, Tensor):
        return function(CLAMP_MAX_TENSOR)(x, max)
    return function(CLAMP_MAX)(x, max=max)


atan2 = function(ATAN2)
arctan2 = atan2
log2, log10 = unary(LOG2), unary(LOG10)


def add(x, other, *, alpha=1):
    """``x + alpha * other``, as torch.add."""
    return ew.add(x, other if alpha == 1 else ew.mul(other, alpha))


def sub(x, other, *, alpha=1):
    """``x - alpha * other``, as torch.sub."""
    return ew.sub(x, other if alpha == 1 else ew.mul(other, alpha))


def _integral(v) -> bool:
    return v._data.dtype.kind in "biu" if isinstance(v, Tensor) else isinstance(v, numbers.Integral)


def div(x, other, *, rounding_mode: str | None = None):
    """``x / other``; ``rounding_mode="floor"`` or ``"trunc"`` rounds the quotient down or toward
    zero, and integers then stay integers (division by zero raising), as torch.div."""
    if rounding_mode is None:
        return ew.div(x, other)
    if rounding_mode == "floor":
        return ew.floor_divide(x, other)
    if rounding_mode != "trunc":
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                         f"'{rounding_mode}'")
    if not (_integral(x) and _integral(other)):
        return ew.trunc(ew.div(x, other))
    floor = ew.floor_divide(x, other)
    return floor + ((floor < 0) & (floor * other != x))  # floor is one below trunc when inexact and negative


subtract, divide = sub, div
