"""Sorting and selection by order: ``sort``, ``argsort``, ``topk``, ``median``, ``unique``.

The order is computed once on the values (numpy's stable argsort; NaN counts as the largest
value, as in PyTorch) and the values are then gathered with it, so sort, topk and median
are ``gather`` under PyTorch's node names: the gradient scatters back to the chosen positions.
"""
from __future__ import annotations

import numpy as np

from .. import return_types
from ..graphs.recorder import refuse_data_dependent
from ..tensor import Tensor, _wrap
from ._primitive import defprim, function, variant
from .reduction import _tangent_of, _whole_share_vjp
from .scatter import GATHER, _scatter_add_zeros, gather
from .shape import squeeze, unsqueeze, wrap_dim

SORT = variant(GATHER, "SortBackward0")
TOPK = variant(GATHER, "TopkBackward0")


def _values(x) -> np.ndarray:
    """The numbers to order: a Tensor's data, a dual number's value (forward mode)."""
    while hasattr(x, "value") and not isinstance(x, (Tensor, np.ndarray)):
        x = x.value
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _order(values: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """Stable argsort along ``dim``; descending keeps equal values in their original order."""
    if not descending:
        return np.argsort(values, axis=dim, kind="stable")
    n = values.shape[dim]
    return n - 1 - np.flip(np.argsort(np.flip(values, dim), axis=dim, kind="stable"), dim)


def _indices(index: np.ndarray, like):
    index = index.astype(np.int64, copy=False)
    return _wrap(index) if isinstance(like, Tensor) else index


def _take(prim, x, dim: int, index: np.ndarray):
    return function(prim)(x, dim=dim, index=index)


def _as_vector(x):
    """A 0-d input sorts as a one-element vector (PyTorch allows dim 0 and -1 there)."""
    return unsqueeze(x, 0) if np.ndim(x) == 0 else x


def sort(x, dim: int = -1, descending: bool = False, *, stable: bool = False) -> return_types.sort:
    """(values, indices) sorted along ``dim``. Always stable here (PyTorch's default order of
    ties is unspecified, so a stable order is one it may return)."""
    if np.ndim(x) == 0:
        wrap_dim(dim, 0)
        values, indices = sort(_as_vector(x))
        return return_types.sort(squeeze(values, 0), indices[0])
    dim = wrap_dim(dim, np.ndim(x))
    order = _order(_values(x), dim, descending)
    return return_types.sort(_take(SORT, x, dim, order), _indices(order, x))


def argsort(x, dim: int = -1, descending: bool = False, stable: bool = False):
    """The indices that sort ``x`` along ``dim``."""
    return sort(x, dim, descending).indices


def topk(x, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> return_types.topk:  # noqa: A002
    """The ``k`` largest (or smallest) values along ``dim`` and their indices, in sorted order."""
    dim = wrap_dim(dim, np.ndim(x))
    size = np.shape(x)[dim] if np.ndim(x) else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    order = _order(_values(x), dim, largest)
    order = order[(slice(None),) * dim + (slice(0, k),)]
    return return_types.topk(_take(TOPK, x, dim, order), _indices(order, x))


def _median_forward(x, dim, index, keepdim):
    out = np.take_along_axis(x, index, axis=dim)
    return out if keepdim else np.squeeze(out, dim)


def _median_vjp(g, out, x, dim, index, keepdim):
    return _scatter_add_zeros(g if keepdim else unsqueeze(g, dim), dim, index, x.shape)


def _median_jvp(t, out, x, dim, index, keepdim):
    picked = gather(t, dim, index)
    return picked if keepdim else squeeze(picked, dim)


MEDIAN_DIM = defprim("median", _median_forward, _median_vjp, jvp=_median_jvp, node="MedianBackward1")


def _lower_median(x, dim, keepdim):
    """The lower median of all values; NaN if there is one, or if there is none (PyTorch's
    integers then give their smallest value)."""
    flat = np.sort(x.reshape(-1))  # NaN sorts last
    if flat.size == 0:
        return np.array(np.nan if flat.dtype.kind in "fc" else np.iinfo(flat.dtype).min, dtype=flat.dtype)
    return flat[-1] if flat.dtype.kind in "fc" and np.isnan(flat[-1]) else flat[(flat.size - 1) // 2]


# of all values the gradient is shared among the ties, as for max() (PyTorch's evenly_distribute_backward)
MEDIAN_ALL = defprim("median", _lower_median, _whole_share_vjp, jvp=_tangent_of(_whole_share_vjp), save="both",
                     node="MedianBackward0")


def median(x, dim: int | None = None, keepdim: bool = False):
    """The lower median (of an even count, the smaller middle value; NaN if the values hold one),
    as PyTorch: of all values, or along ``dim`` as (values, indices), the gradient going to the
    index returned."""
    if dim is None:
        return function(MEDIAN_ALL)(x, dim=None, keepdim=False)
    flat = _as_vector(x)
    axis = wrap_dim(dim, np.ndim(flat))
    values = _values(flat)
    n = values.shape[axis]
    if n == 0:
        raise IndexError(f"median(): Expected reduction dim {axis} to have non-zero size.")
    middle = np.take(_order(values, axis, False), [(n - 1) // 2], axis=axis)
    if values.dtype.kind == "f":  # a NaN in the slice makes the median NaN: the first NaN's index
        nan = np.isnan(values)
        middle = np.where(nan.any(axis=axis, keepdims=True), np.argmax(nan, axis=axis, keepdims=True), middle)
    kept = keepdim and np.ndim(x) > 0
    out = _take_median(flat, axis, middle, kept)
    index = middle if kept else np.squeeze(middle, axis)
    return return_types.median(out, _indices(index, x))


def _take_median(x, dim, index, keepdim):
    return function(MEDIAN_DIM)(x, dim=dim, index=index, keepdim=keepdim)


def unique(x, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,  # noqa: A002
           dim: int | None = None):
    """The distinct values, sorted (PyTorch's CPU unique sorts even when ``sorted=False``), and
    optionally the inverse indices (shaped like ``x``) and the counts. With ``dim``, the distinct
    slices along that dimension, in lexicographic order; the inverse then has one index per slice.
    Not differentiable."""
    refuse_data_dependent("unique")
    values = _values(x)
    axis = None if dim is None else wrap_dim(dim, values.ndim)
    found = np.unique(values, return_inverse=return_inverse, return_counts=return_counts, axis=axis)
    if not (return_inverse or return_counts):
        found = (found,)
    out = [_wrap(found[0]) if isinstance(x, Tensor) else found[0]]
    extra = iter(found[1:])
    if return_inverse:
        out.append(_indices(next(extra).reshape(values.shape if axis is None else -1), x))
    if return_counts:
        out.append(_indices(next(extra), x))
    return out[0] if len(out) == 1 else tuple(out)
