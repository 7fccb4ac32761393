"""Finite differences: forward, backward, central, five-point, complex step, Richardson.

The step matters as much as the formula. A scheme of order p has truncation error ~ h^p and
round-off error ~ eps/h, so the best step balances them at h ~ eps^(1/(p+1)) (scaled by
max(|x|, 1)), and the best error is ~ eps^(p/(p+1)): forward 1e-8, central 1e-11, five-point
1e-13 (Griewank & Walther, "Evaluating Derivatives", and any numerical-analysis text). The
complex step Im f(x + ih)/h subtracts nothing, so h can be 1e-20 and the result is exact to
rounding -- for analytic f only (not ``abs``, ``relu`` or ``maximum``). Richardson
extrapolation combines central differences at h, h/2, h/4 ... to cancel the error terms
one order at a time, and the disagreement between successive levels estimates the error
(as numdifftools does). Second derivatives difference the gradient again, with the step for
a second derivative, eps^(1/(p+2)).
"""
from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .base import Differentiator, as_point, as_result, collect

EPS = float(np.finfo(np.float64).eps)
SCHEMES = ("forward", "backward", "central", "five-point", "complex-step", "richardson")
ORDER = {"forward": 1, "backward": 1, "central": 2, "five-point": 4, "complex-step": 2, "richardson": 2}
_STENCILS = {  # (offset in steps, weight): f'(x) ≈ Σ w f(x + o h) / h
    "forward": ((0, -1.0), (1, 1.0)),
    "backward": ((-1, -1.0), (0, 1.0)),
    "central": ((-1, -0.5), (1, 0.5)),
    "five-point": ((-2, 1 / 12), (-1, -8 / 12), (1, 8 / 12), (2, -1 / 12)),
}
STENCILS = _STENCILS  # public: analysis.error_vs_h derives each scheme's error constants from it
# h = factor · eps^(1/(p+1)) · max(|x|, 1): the factors below 1 allow for higher derivatives
# that grow with their order (|f^(k)| ~ k!/R^k), measured on the functions of the tests
STEP_FACTOR = {"forward": 1.0, "backward": 1.0, "central": 0.5, "five-point": 0.2}
COMPLEX_STEP = 1e-20
RICHARDSON_STEP = 0.125  # first (largest) step, relative to max(|x|, 1)
RICHARDSON_LEVELS = 7    # central differences at RICHARDSON_STEP / 2^k, k < levels


class ConvergenceWarning(RuntimeWarning):
    """Richardson's differences did not settle as the step shrank: f is not smooth at that scale."""


@dataclass(frozen=True)
class NumericInfo:
    """What ``full_output=True`` returns beside the estimate."""

    error: float | np.ndarray  # estimated absolute error of the estimate
    evaluations: int           # calls of f
    step: float | np.ndarray   # the step used (the smallest one for Richardson)
    scheme: str


def _outside_diffkit() -> int:
    """The stacklevel of the first caller outside diffkit, so a warning points at the user's line."""
    import sys

    package = __file__.rsplit("differentiation", 1)[0]
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


class RoundoffWarning(UserWarning):
    """A step h so small that rounding errors, not the formula's truncation, dominate the estimate."""


class _Counted:
    """f, counting its calls."""

    def __init__(self, f: Callable) -> None:
        self.f, self.calls = f, 0

    def __call__(self, x):
        self.calls += 1
        return np.asarray(collect(self.f(x)))


def _exact(x, h):
    """A step that is exactly representable as a difference from x (no rounding in x + h)."""
    return (x + h) - x


class Numeric(Differentiator):
    """Finite-difference derivatives with a choice of scheme and step (``h`` a float or "auto")."""

    name = "numeric"

    def __init__(self, scheme: str = "central", h: float | str = "auto", full_output: bool = False) -> None:
        super().__init__()
        if scheme not in SCHEMES:
            raise ValueError(f"unknown scheme {scheme!r}; choose one of {', '.join(SCHEMES)}")
        if not (h == "auto" or (isinstance(h, (int, float)) and not isinstance(h, bool) and 0 < h < np.inf)):
            raise ValueError(f"h must be a positive finite number or 'auto', got {h!r}")
        self.scheme, self.h, self.full_output = scheme, h, full_output
        self.second = False  # steps for a second derivative (set on the copies hessian_at uses)
        self.noise = 0.0     # round-off in the values differenced: > 0 when they are estimates themselves
        self.floor = 0.0     # the largest round-off error of this backend's own estimates so far

    def __repr__(self) -> str:
        return f"Numeric(scheme={self.scheme!r}, h={self.h!r})"

    # ------------------------------------------------------------------ steps
    def step(self, x):
        """The step at x: h if given, else the one balancing truncation and round-off."""
        scale = np.maximum(np.abs(np.real(x)), 1.0)
        if self.h != "auto":
            h = np.full(np.shape(x), float(self.h))
        elif self.scheme == "complex-step":
            h = COMPLEX_STEP * scale
        elif self.scheme == "richardson":
            h = RICHARDSON_STEP * scale
        else:
            h = self._best_step(scale)
        if self.scheme == "complex-step":
            return h
        h = _exact(np.real(x), h)
        if self.h != "auto":
            self._warn_if_rounding_dominates(h, scale)
        return h

    def _best_step(self, scale):
        """The step balancing truncation and round-off (for Richardson: the first step whose
        finest level is the best central step)."""
        scheme = "central" if self.scheme == "richardson" else self.scheme
        best = STEP_FACTOR[scheme] * EPS ** (1.0 / (ORDER[scheme] + 1 + self.second)) * scale
        return best * 2 ** (RICHARDSON_LEVELS - 1) if self.scheme == "richardson" else best

    def _warn_if_rounding_dominates(self, h, scale) -> None:
        """A given step 100 times below the best one: round-off (~eps·|f|/h) swamps the estimate."""
        best = self._best_step(scale)
        if np.any(h == 0):
            warnings.warn(f"numeric derivative: the step h={self.h!r} vanishes next to x (x + h == x in float64), "
                          "so every difference quotient is 0/0; use h='auto'", RoundoffWarning,
                          stacklevel=_outside_diffkit())
        elif np.any(h < best / 100):
            warnings.warn(f"numeric derivative: the step h={self.h!r} is so small that round-off dominates: the "
                          f"rounding error of a difference quotient grows like eps·|f|/h (here about "
                          f"{float(np.max(EPS * scale / h)):.0e}·|f|), far above the truncation error it saves; the "
                          f"best step for the {self.scheme!r} scheme here is about {float(np.min(best)):.0e}; "
                          "use h='auto'", RoundoffWarning, stacklevel=_outside_diffkit())

    # ------------------------------------------------------------------ the estimate along one direction
    def _difference(self, g: Callable, h):
        """One difference quotient of g(t) = f(x + t·direction) at t = 0, and the size of f seen."""
        if self.scheme == "complex-step":
            fx = g(1j * h)
            return np.imag(fx) / h, np.abs(fx)
        stencil = _STENCILS["central" if self.scheme == "richardson" else self.scheme]
        values = [g(o * h) for o, _ in stencil]
        estimate = sum(w * v for (_, w), v in zip(stencil, values)) / h
        return estimate, np.max(np.abs(values), axis=0)

    def _estimate(self, g: Callable, h):
        """(estimate, error estimate) of g'(0). The error is only estimated with full_output,
        since it costs a second difference at step 2h."""
        if self.scheme == "richardson":
            levels = [self._difference(g, h / 2**k) for k in range(RICHARDSON_LEVELS)]
            finest = h / 2 ** (RICHARDSON_LEVELS - 1)
            self.floor = max(self.floor, float(np.max((EPS * levels[-1][1] + self.noise) / finest, initial=0.0)))
            return _richardson(levels, h, self.noise)
        estimate, size = self._difference(g, h)
        if self.scheme == "complex-step":
            rounding = EPS * np.abs(estimate)
        else:
            rounding = (EPS * size + sum(abs(w) for _, w in _STENCILS[self.scheme]) * self.noise) / h
        self.floor = max(self.floor, float(np.max(rounding, initial=0.0)))
        if not self.full_output:
            return estimate, None
        coarse, _ = self._difference(g, 2 * h)
        return estimate, np.abs(estimate - coarse) / (2 ** ORDER[self.scheme] - 1) + rounding

    def _used_step(self, h):
        """The step to report: Richardson's finest one, else h."""
        return h / 2 ** (RICHARDSON_LEVELS - 1) if self.scheme == "richardson" else h

    # ------------------------------------------------------------------ derivative, Jacobian, Hessian
    def _finish(self, f: _Counted, value, error, step):
        self.cost = {"evaluations": f.calls}
        if not self.full_output:
            return value
        return value, NumericInfo(as_result(error), f.calls, as_result(step), self.scheme)

    def derivative_at(self, f: Callable, x):
        x, f = as_point(x), _Counted(f)
        h = self.step(x)
        value, error = self._estimate(lambda t: f(x + t), h)
        return self._finish(f, as_result(value), error, self._used_step(h))

    def _jacobian(self, f: Callable, x: np.ndarray):
        columns, errors, steps = [], [], []
        at_x = []  # f(x) is shared by every direction (the forward and backward stencils use it)

        def along(t, direction):
            if np.all(t == 0):
                if not at_x:
                    at_x.append(f(x))
                return at_x[0]
            return f(x + t * direction)

        for k in range(x.size):
            direction = np.zeros(x.size)
            direction[k] = 1.0
            h = self.step(x[k])
            value, error = self._estimate(lambda t, d=direction: along(t, d), h)
            columns.append(value)
            errors.append(error)
            steps.append(self._used_step(h))
        error = None if errors[0] is None else np.stack(errors, axis=-1)
        return np.stack(columns, axis=-1), error, np.array(steps)

    def jacobian_at(self, f: Callable, x: np.ndarray):
        f = _Counted(f)
        return self._finish(f, *self._jacobian(f, x))

    def hessian_at(self, f: Callable, x: np.ndarray):
        f = _Counted(f)
        inner = self._copy(self.scheme, second=True)
        # the complex step gives the gradient exactly, so it is differenced once more as a first derivative
        outer = self._copy("central", False) if self.scheme == "complex-step" else self._copy(self.scheme, True)

        def gradient(v):
            # the outer level differences estimates: their round-off, not eps, is its noise floor
            # (without it, Richardson takes the noise differences of a zero entry for a kink)
            value = inner._jacobian(f, v)[0]
            outer.noise = inner.floor
            return value

        hessian, error, step = outer._jacobian(gradient, x)
        return self._finish(f, (hessian + hessian.T) / 2, error, step)

    def _copy(self, scheme: str, second: bool) -> Numeric:
        copy = Numeric(scheme, self.h, self.full_output)
        copy.second = second
        return copy


def _richardson(levels: list, h, noise: float = 0.0):
    """Extrapolate central differences D(h/2^k) towards h -> 0 (the Richardson table T[k][j]
    cancels the error terms h^2 .. h^2j) and keep, pointwise, the entry whose error estimate --
    its change from T[k][j-1], plus amplified round-off -- is smallest. Entries built only from
    fine steps survive when the coarse steps leave the domain or straddle a kink. ``noise`` is the
    absolute error of the values differenced (0 for f itself; a Hessian differences gradients)."""
    table = [[np.asarray(d, dtype=float)] for d, _ in levels]
    candidates, errors = [], []
    for k in range(1, len(table)):
        rounding = (10 * EPS * np.asarray(levels[k][1], dtype=float) + noise) / (h / 2**k)
        for j in range(1, k + 1):
            finer, coarser = table[k][j - 1], table[k - 1][j - 1]
            table[k].append(finer + (finer - coarser) / (4**j - 1))
            error = np.abs(table[k][j] - finer) + rounding
            candidates.append(table[k][j])
            errors.append(np.where(np.isfinite(error), error, np.inf))
    candidates, errors = np.stack(candidates), np.stack(errors)
    best = np.argmin(errors, axis=0)[None]
    value, error = np.take_along_axis(candidates, best, 0)[0], np.take_along_axis(errors, best, 0)[0]
    settled = _settled([row[0] for row in table], rounding)
    if not np.all(settled):
        warnings.warn("numeric derivative: the Richardson central differences did not settle as the step shrank "
                      f"to {float(np.min(h)) / 2 ** (len(table) - 1):.1e}: f is not smooth at that scale near x "
                      "(a kink or a jump within the step?), so no estimate can be trusted there (its error is "
                      "reported as inf); differentiate on either side of the kink, or use method='reverse'",
                      ConvergenceWarning, stacklevel=_outside_diffkit())
    return value, np.where(settled, error, np.inf)


def _settled(differences: list, rounding) -> np.ndarray:
    """Whether central differences D(h), D(h/2), ... have reached the regime in which Richardson
    extrapolation holds: their changes shrink by at least 3 per halving, or are down to
    round-off (or to 1e-8 of the value: a Hessian differences gradients that are themselves
    estimates, with noise far above eps). For a smooth f they shrink by 4 (only even powers of
    h); at a kink at x itself by 2 (an odd power, which the table does not cancel); near a kink
    that every step straddles D(h) ~ 1/h doubles, and the table's own error estimate -- the
    change between its entries -- is small and wrong: |x|' at x = 1e-3 came out 0.62 with an
    'error' of 8e-5."""
    last = np.abs(differences[-1] - differences[-2])
    before = np.abs(differences[-2] - differences[-3])
    return (last <= before / 3) | (last <= rounding) | (last <= 1e-8 * np.abs(differences[-1]))
