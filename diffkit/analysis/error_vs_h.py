"""Experiment 2: the error of finite differences against the step h.

A difference quotient of order p errs by truncation, ~ c·|f⁽ᵖ⁺¹⁾|·hᵖ, and by round-off,
~ D·ε·|f|/h, where c and D come from the stencil's offsets and weights. The total is smallest
at h* = (D ε|f| / (p c |f⁽ᵖ⁺¹⁾|))^(1/(p+1)) -- about √ε, ε^(1/3), ε^(1/5) for forward, central
and five-point differences when f and its derivatives are of order one. The complex step
subtracts nothing, so it has no round-off branch; Richardson extrapolation starts from a
large h and cancels truncation terms. Measured on Baydin et al.'s figure 3 example
l₄(x) = 64x(1−x)(1−2x)²(1−8x+8x²)² at x₀ = 0.2 (l₄'(0.2) = 9.0660864), in float64 and float32.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .. import exp, sin
from ..differentiation import ConvergenceWarning, Numeric, RoundoffWarning, Symbolic
from ..differentiation.numeric import ORDER, STENCILS

SCHEMES = ("forward", "central", "five-point", "richardson", "complex-step")
DTYPES = {"float64": (np.float64, np.complex128), "float32": (np.float32, np.complex64)}
STEPS = np.logspace(-16, -1, 151)  # ten per decade


def l4(x):
    """Baydin et al. (2018), figure 3: the logistic map's l₄, written out."""
    return 64 * x * (1 - x) * (1 - 2 * x) ** 2 * (1 - 8 * x + 8 * x ** 2) ** 2


def sin_exp(x):
    return sin(x) * exp(x)


def runge(x):
    return 1 / (1 + 25 * x ** 2)


# other smooth functions: (label, f, x0)
SMOOTH = (("exp(x) at x = 1", exp, 1.0), ("sin(x)·exp(x) at x = 1", sin_exp, 1.0),
          ("1/(1 + 25x²) at x = 0.3", runge, 0.3))


@dataclass
class Curve:
    """One scheme in one precision: the error at every h and what the data say about it."""

    scheme: str
    dtype: str
    h: np.ndarray
    error: np.ndarray
    evaluations: int           # calls of f per estimate
    order: int | None          # the truncation order p (None for Richardson)
    best_h: float              # where the (median-smoothed) measured error is smallest
    best_error: float
    theory_h: float            # h* from the error model (nan where there is none)
    rule_h: float              # the rule of thumb ε^(1/(p+1))·max(|x0|, 1)
    truncation_slope: float    # fitted log-log slope right of the minimum (expect p)
    roundoff_slope: float      # fitted slope left of it (expect −1)


@dataclass
class ErrorVsH:
    label: str
    x0: float
    exact: float
    curves: list[Curve] = field(default_factory=list)

    def curve(self, scheme: str, dtype: str = "float64") -> Curve:
        for c in self.curves:
            if c.scheme == scheme and c.dtype == dtype:
                return c
        raise KeyError((scheme, dtype))


def _in_precision(f: Callable, dtype: str) -> Callable:
    """f with its argument rounded to ``dtype`` (complex for the complex step), so that f
    computes, and rounds, in that precision."""
    real, complex_ = DTYPES[dtype]
    if dtype == "float64":
        return f
    return lambda x: f(np.asarray(x).astype(complex_ if np.iscomplexobj(x) else real))


def _derivatives(f: Callable, x0: float, orders) -> dict[int, float]:
    """|f⁽ᵏ⁾(x0)| for each k, from SymPy."""
    import sympy

    (x,), expression = Symbolic().trace(f)
    return {k: abs(_finite(lambda k=k: sympy.diff(expression, x, k).evalf(30, subs={x: x0}), k, x0)) for k in orders}


def _finite(value: Callable, order: int, x0: float) -> float:
    """value() as a finite float, or a ValueError that says why there is no error model at x0."""
    try:
        number = float(value())
    except (TypeError, ArithmeticError):  # DiracDelta(0), a complex value, 1/0 ...
        number = math.nan
    if not math.isfinite(number):
        what = "value" if order == 0 else f"derivative of order {order}"
        raise ValueError(f"f has no finite {what} at x = {x0:g}: the error of a difference "
                         "quotient is modelled for f smooth around x, so choose a point away from kinks, poles "
                         "and the edges of f's domain")
    return number


def _constants(scheme: str) -> tuple[float, float]:
    """(c, D): truncation error c·|f⁽ᵖ⁺¹⁾|·hᵖ and round-off D·ε·|f|/h of a stencil."""
    p = ORDER[scheme]
    stencil = STENCILS[scheme]
    c = abs(sum(w * o ** (p + 1) for o, w in stencil)) / math.factorial(p + 1)
    return c, sum(abs(w) for _, w in stencil)


def optimal_step(scheme: str, f_value: float, f_higher: float, eps: float) -> float:
    """h* minimising c·f_higher·hᵖ + D·ε·|f|/h (nan for schemes without round-off branch)."""
    if scheme not in STENCILS or f_higher == 0:
        return math.nan
    p = ORDER[scheme]
    c, d = _constants(scheme)
    return (d * eps * max(abs(f_value), np.finfo(float).tiny) / (p * c * f_higher)) ** (1 / (p + 1))


def _slope(h: np.ndarray, error: np.ndarray, where: np.ndarray) -> float:
    where = where & (error > 0)
    if where.sum() < 4:
        return math.nan
    return float(np.polyfit(np.log10(h[where]), np.log10(error[where]), 1)[0])


def _smoothed(error: np.ndarray, width: int = 5) -> np.ndarray:
    logs = np.log10(np.maximum(error, 1e-300))
    pad = width // 2
    padded = np.pad(logs, pad, mode="edge")
    return 10 ** np.array([np.median(padded[i:i + width]) for i in range(logs.size)])


def _curve(f, x0, exact, scheme, dtype, h, f_values) -> Curve:
    import mpmath

    g = _in_precision(f, dtype)
    errors, evaluations = [], 0
    for step in h:
        numeric = Numeric(scheme=scheme, h=float(step))
        # steps far below the best one are the point of this experiment: no RoundoffWarning; and
        # below the spacing of x0, x0 + h == x0 makes a 0/0, shown as a gap
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RoundoffWarning)
            warnings.simplefilter("ignore", ConvergenceWarning)
            value = float(numeric.derivative(g)(x0))
        evaluations = numeric.cost["evaluations"]
        errors.append(float(abs(mpmath.mpf(value) - exact)) if math.isfinite(value) else math.inf)
    error = np.array(errors)
    smooth = _smoothed(error)
    i = int(np.argmin(smooth))
    best_h, best_error = float(h[i]), float(smooth[i])
    order = None if scheme == "richardson" else ORDER[scheme]
    eps = float(np.finfo(DTYPES[dtype][0]).eps)
    theory = optimal_step(scheme, f_values[0], f_values.get((order or 0) + 1, 0.0), eps) if order else math.nan
    scale = max(abs(x0), 1.0)
    right = (h > best_h) & (error > 30 * best_error) & (h <= 1e-2 * scale)
    left = (h < best_h / 10) & (error < 0.1 * abs(float(exact)))
    return Curve(scheme, dtype, h, error, evaluations, order, best_h, best_error, theory,
                 eps ** (1 / (order + 1)) * scale if scheme in STENCILS else math.nan,
                 _slope(h, error, right) if order else math.nan,
                 _slope(h, error, left) if scheme in STENCILS else math.nan)


def error_vs_h(f: Callable = l4, x0: float = 0.2, label: str | None = None, schemes=SCHEMES,
               dtypes=("float64", "float32"), h: np.ndarray = STEPS) -> ErrorVsH:
    """The absolute error of each scheme's f'(x0) at every step in ``h``, per precision,
    against the exact derivative (SymPy, 50 digits)."""
    import mpmath

    mpmath.mp.dps = 50
    for scheme in schemes:
        if scheme not in ORDER:
            raise ValueError(f"unknown scheme {scheme!r}; choose from {', '.join(SCHEMES)}")
    orders = {0} | {ORDER[s] + 1 for s in schemes if s in STENCILS}
    f_values = _derivatives(f, x0, sorted(orders | {1}))
    exact = mpmath.mpf(str(Symbolic().reference(f, "derivative", x0)[()]))
    result = ErrorVsH(label or f"{getattr(f, '__name__', 'f')} at x = {x0:g}", float(x0), float(exact))
    for dtype in dtypes:
        if dtype not in DTYPES:
            raise ValueError(f"unknown dtype {dtype!r}; choose float64 or float32")
        for scheme in schemes:
            result.curves.append(_curve(f, x0, exact, scheme, dtype, np.asarray(h, dtype=float), f_values))
    return result
