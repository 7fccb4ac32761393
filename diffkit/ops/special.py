"""The error function ``erf`` and ``erfc``: numpy has none, and exact GELU needs one.

W. J. Cody's rational Chebyshev approximations ("Rational Chebyshev approximations for the
error function", Math. Comp. 1969; the SPECFUN routine CALERF), evaluated on whole arrays:
three intervals, each a ratio of two polynomials, accurate to float64 rounding. ``erfc``
for large arguments is computed directly, so it does not cancel to zero.
"""
from __future__ import annotations

import math

import numpy as np

from ._primitive import defprim, unary

_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
      3.20937758913846947e03, 1.85777706184603153e-1)
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03)
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01, 2.98635138197400131e02,
      8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03,
      2.15311535474403846e-8)
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02, 1.62138957456669019e03,
      3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03, 1.23033935480374942e03)
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2,
      6.58749161529837803e-4, 1.63153871373020978e-2)
_Q = (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1, 6.05183413124413191e-2,
      2.33520497626869185e-3)
_INV_SQRT_PI = 5.6418958354775628695e-1
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _ratio(t, num: tuple, den: tuple, lead: float, last: int):
    """Cody's nested evaluation ``(lead t^n + num[0] t^(n-1) ...) / (t^n + den[0] ...)``."""
    xnum, xden = lead * t, t
    for a, b in zip(num[:last], den[:last]):
        xnum = (xnum + a) * t
        xden = (xden + b) * t
    return (xnum + num[last]) / (xden + den[last])


def _scaled_exp(y):
    """exp(-y*y) computed as exp(-r*r) * exp(-(y-r)(y+r)) with r = y rounded to 1/16 (Cody's trick)."""
    r = np.trunc(y * 16.0) / 16.0
    return np.exp(-r * r) * np.exp(-(y - r) * (y + r))


def _erfc_tail(y):
    """erfc(y) for y > 0.5 (two of Cody's intervals)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        middle = _ratio(y, _C, _D, _C[8], 7)
        t = 1.0 / (y * y)
        far = (_INV_SQRT_PI - t * _ratio(t, _P, _Q, _P[5], 4)) / y
        out = _scaled_exp(y) * np.where(y <= 4.0, middle, far)
    return np.where(y < 26.543, out, 0.0)


def _split(x):
    x = np.asarray(x)
    if x.dtype.kind == "c":  # casting to float would drop the imaginary part: a silent wrong complex step
        raise TypeError("diffkit.erf and erfc take real numbers only (Cody's real approximations), not complex "
                        "ones; for their derivatives use the numeric scheme 'richardson' or method='reverse', "
                        "not the complex step")
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    x64 = x.astype(np.float64)
    y = np.abs(x64)
    small = y <= 0.5
    z = np.where(small, x64 * x64, 0.0)
    erf_small = x64 * _ratio(z, _A, _B, _A[4], 3)
    return x64, y, small, erf_small, dtype


def erf_array(x) -> np.ndarray:
    """erf on a numpy array (float64 arithmetic, result in the input's float dtype)."""
    x64, y, small, erf_small, dtype = _split(x)
    tail = (0.5 - _erfc_tail(np.where(small, 1.0, y))) + 0.5
    out = np.where(small, erf_small, np.copysign(tail, x64))
    return np.where(np.isnan(x64), np.nan, out).astype(dtype, copy=False)


def erfc_array(x) -> np.ndarray:
    """erfc on a numpy array, accurate in the far tail (no 1 - erf cancellation)."""
    x64, y, small, erf_small, dtype = _split(x)
    tail = _erfc_tail(np.where(small, 1.0, y))
    out = np.where(small, 1.0 - erf_small, np.where(x64 > 0, tail, 2.0 - tail))
    return np.where(np.isnan(x64), np.nan, out).astype(dtype, copy=False)


ERF = defprim("erf", erf_array, lambda g, out, x: g * _TWO_OVER_SQRT_PI * exp_neg_square(x),
              sympy="erf", elementwise=True)
ERFC = defprim("erfc", erfc_array, lambda g, out, x: -g * _TWO_OVER_SQRT_PI * exp_neg_square(x),
               sympy="erfc", elementwise=True)


def exp_neg_square(x):
    from .elementwise import exp

    return exp(-(x * x))


erf = unary(ERF, doc="The error function 2/√π ∫₀ˣ exp(-t²) dt, elementwise (numbers, arrays, Tensors, SymPy).")
erfc = unary(ERFC, doc="The complementary error function 1 - erf(x), accurate where erf(x) is near 1.")
