"""Cumulative sums and products along a dimension (``cumsum``, ``cumprod``).

cumsum is linear: its VJP is the reversed cumulative sum of the gradient. cumprod's VJP is
a reversed cumulative sum divided by the input where it has no zero; with zeros, each
input's share is built as a graph of products of the others, so second derivatives stay exact.
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from ._primitive import defprim, function
from .shape import wrap_dim


def _integer_to_long(x):
    """PyTorch accumulates integers and booleans in int64."""
    if isinstance(x, Tensor):
        return x.long() if x._data.dtype.kind in "biu" else x
    if isinstance(x, np.ndarray) and x.dtype.kind in "biu":
        return x.astype(np.int64)
    return x


def _reverse_cumsum(g, dim: int):
    from .shape import flip

    return flip(cumsum(flip(g, dim), dim), dim)


def _along(numpy_scan):
    """numpy's cumsum/cumprod keeping a 0-d input 0-d (numpy flattens it to shape (1,))."""
    return lambda x, dim: numpy_scan(x, axis=dim).reshape(np.shape(x))


CUMSUM = defprim("cumsum", _along(np.cumsum),
                 lambda g, out, x, dim: _reverse_cumsum(g, dim),
                 jvp=lambda t, out, x, dim: cumsum(t, dim), save="none")


def _has_zero(x) -> bool:
    values = x._data if isinstance(x, Tensor) else np.asarray(x)
    return bool((values == 0).any())


def _partials(x, dim: int):
    """``p[..., i, j] = d out_j / d x_i`` (``dim`` moved last): row i of an n x n grid holds x
    with a 1 in place of x_i, and its cumulative product at j >= i is the product of the
    others. O(n^2) memory, used only when x has a zero."""
    from .elementwise import where
    from .shape import expand, movedim, unsqueeze

    moved = movedim(x, dim, -1)
    n = moved.shape[-1]
    grid = where(np.eye(n, dtype=bool), 1.0, expand(unsqueeze(moved, -2), (*moved.shape, n)))
    return where(np.triu(np.ones((n, n), dtype=bool)), cumprod(grid, -1), 0.0)


def _cumprod_vjp(g, out, x, dim):
    """sum over j >= i of g_j out_j / x_i; with a zero in x, the products of the others instead."""
    if not _has_zero(x):
        return _reverse_cumsum(g * out, dim) / x
    from .reduction import sum as reduce_sum
    from .shape import movedim, unsqueeze

    return movedim(reduce_sum(_partials(x, dim) * unsqueeze(movedim(g, dim, -1), -2), -1), -1, dim)


def _cumprod_jvp(t, out, x, dim):
    """sum over i <= j of t_i d out_j / d x_i."""
    if not _has_zero(x):
        return out * cumsum(t / x, dim)
    from .reduction import sum as reduce_sum
    from .shape import movedim, unsqueeze

    return movedim(reduce_sum(_partials(x, dim) * unsqueeze(movedim(t, dim, -1), -1), -2), -1, dim)


CUMPROD = defprim("cumprod", _along(np.cumprod), _cumprod_vjp, jvp=_cumprod_jvp, save="both")


def cumsum(x, dim: int, *, dtype=None):
    """Running sum along ``dim`` (integers and booleans accumulate in int64, as PyTorch)."""
    return _scan(CUMSUM, x, dim, dtype)


def cumprod(x, dim: int, *, dtype=None):
    """Running product along ``dim``."""
    return _scan(CUMPROD, x, dim, dtype)


def _scan(prim, x, dim: int, dtype):
    """The scan in ``dtype`` when one is given (integers accumulate in int64 otherwise)."""
    x = x.to(dtype) if dtype is not None else _integer_to_long(x)
    from .reduction import _in_dtype

    return _in_dtype(function(prim)(x, dim=wrap_dim(dim, np.ndim(x))), dtype)
