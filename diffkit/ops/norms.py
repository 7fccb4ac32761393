"""Vector p-norms as one primitive (PyTorch's ``LinalgVectorNormBackward0``).

Composed from ``sqrt(sum(x * x))`` the norm's gradient at a zero vector is 0·∞ = NaN, so a
gradient penalty or ``F.normalize`` that meets a zero vector poisons training. PyTorch defines
it as 0 there (a subgradient); the rule below does too, by masking where the norm is 0, and is
written with diffkit's functions so that it can be differentiated again.
"""
from __future__ import annotations

import math

import numpy as np

from .._dtypes import scalar_type_name
from ..tensor import Tensor
from ._primitive import defprim, function
from .elementwise import abs, sign, where
from .reduction import _dim_arg, _np_axis, _restore, _sym_sqrt, _sympy_extreme, _tangent_of, sum
from .shape import cast_like


def _p(p) -> float:
    return 2.0 if p == "fro" else float(p)


def _forward(x, p, dim, keepdim):
    a, axis = np.abs(x), _np_axis(dim)
    if p == math.inf:
        return np.amax(a, axis=axis, keepdims=keepdim)
    if p == -math.inf:  # the smallest magnitude (sum(a ** -inf) ** -0 would be 1)
        return np.amin(a, axis=axis, keepdims=keepdim)
    if p == 2:
        return np.sqrt(np.sum(a * a, axis=axis, keepdims=keepdim))
    if p == 1:
        return np.sum(a, axis=axis, keepdims=keepdim)
    if p == 0:
        return np.sum(a != 0, axis=axis, keepdims=keepdim).astype(x.dtype)
    return np.sum(a ** p, axis=axis, keepdims=keepdim) ** (1.0 / p)


def _vjp(g, out, x, p, dim, keepdim):
    g, out = _restore(g, x.shape, dim, keepdim), _restore(out, x.shape, dim, keepdim)
    if p == 0:  # piecewise constant: zero, +0 (not -0) and also at NaN entries or an inf g, as PyTorch
        return 0.0 * cast_like(x == x, x)
    if p == 1:
        return g * sign(x)
    if abs(p) == math.inf:  # shared evenly among the entries of extreme magnitude (or the NaNs), as PyTorch
        ties = cast_like((abs(x) == out) | (x != x), x)
        return g * sign(x) * ties / sum(ties, dim, keepdim=True)
    safe = where(out == 0, 1.0, out)
    if p == 2:
        scaled = x / safe
    else:  # for p < 1, |x|^(p-1) is inf at x = 0, where PyTorch's gradient is 0
        scaled = where(x == 0, 0.0, sign(x) * abs(x) ** (p - 1) / safe ** (p - 1))
    return where(out == 0, 0.0, g * scaled)


def _sympy(x, p, dim, keepdim):
    import sympy

    from .elementwise import ABS

    a = np.frompyfunc(ABS.sympy, 1, 1)(x)
    axis = _np_axis(dim)
    if p == math.inf:
        return _sympy_extreme("Max")(a, dim, keepdim)
    if p == 2:
        return _sym_sqrt(np.sum(x * x, axis=axis, keepdims=keepdim))
    if p == 1:
        return np.sum(a, axis=axis, keepdims=keepdim)
    return np.frompyfunc(lambda s: s ** sympy.nsimplify(1 / p), 1, 1)(np.sum(a ** p, axis=axis, keepdims=keepdim))


NORM = defprim("norm", _forward, _vjp, jvp=_tangent_of(_vjp), save="both", node="LinalgVectorNormBackward0",
               sympy=_sympy)


def vector_norm(x, ord=2, dim=None, keepdim: bool = False):
    """The vector ``ord``-norm over ``dim`` (all entries by default): 2, 1, inf, 0 or any p."""
    kind = np.asarray(x._data if isinstance(x, Tensor) else x).dtype.kind
    if kind in "biu":  # numpy would take the norm of integers, PyTorch refuses
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           + scalar_type_name(x.dtype))
    return function(NORM)(x, p=_p(ord), dim=_dim_arg(x, dim), keepdim=keepdim)
