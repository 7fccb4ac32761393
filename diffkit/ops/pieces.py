"""Cutting a tensor into pieces along a dimension: narrow, split, chunk, unbind.

Each piece is a view whose VJP pads its gradient back to the whole with zeros.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..tensor import Tensor
from ._primitive import apply, defprim
from .shape import _pad_along, _slice_along, select, sum_of, unsqueeze, wrap_dim


def narrow(x, dim: int, start: int, length: int):
    """``length`` entries from ``start`` (counted from the end when negative) along ``dim``."""
    if not np.ndim(x):
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    dim = wrap_dim(dim, np.ndim(x))
    size = np.shape(x)[dim]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    start = start + size if start < 0 else start
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return _slice_along(x, dim, start, start + length)


def split(x, split_size_or_sections, dim: int = 0):
    """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the given sizes."""
    _at_least_1d(x, "split")
    dim = wrap_dim(dim, np.ndim(x))
    length = np.shape(x)[dim]
    if isinstance(split_size_or_sections, numbers.Integral):
        step = int(split_size_or_sections)
        if step < 0 or step == 0 and length:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {length}"
                               if step == 0 else f"split expects split_size be non-negative, but got split_size={step}")
        sizes = [min(step, length - s) for s in range(0, length, step)] if length else [0]
    else:
        sizes = list(split_size_or_sections)
        if sum_of(sizes) != length:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {length} (input tensor's "
                               f"size at dimension {dim}), but got split_sizes={sizes}")
    pieces, start = [], 0
    for size in sizes:
        pieces.append(_piece(x, dim, start, start + size))
        start += size
    return tuple(pieces)


def _piece(x, dim, start, stop):
    if isinstance(x, Tensor):
        return apply(SPLIT, (x,), {"dim": dim, "start": start, "stop": stop, "original": tuple(x.shape)})
    return _slice_along(x, dim, start, stop)


SPLIT = defprim("split", lambda x, dim, start, stop, original: _slice_along(x, dim, start, stop),
                       lambda g, out, x, dim, start, stop, original: _pad_along(g, dim, start, original[dim]),
                       jvp=lambda t, out, x, dim, start, stop, original: _slice_along(t, dim, start, stop),
                       save="none", node="SplitBackward0", view=True)


def _at_least_1d(x, name: str) -> None:
    if not np.ndim(x):
        raise RuntimeError(f"{name} expects at least a 1-dimensional tensor")


def chunk(x, chunks: int, dim: int = 0):
    """At most ``chunks`` pieces of equal size (the last may be smaller); of an empty dimension,
    ``chunks`` empty pieces, as PyTorch."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    _at_least_1d(x, "chunk")
    dim = wrap_dim(dim, np.ndim(x))
    length = np.shape(x)[dim]
    if not length:
        return tuple(_piece(x, dim, 0, 0) for _ in range(chunks))
    return split(x, -(-length // chunks), dim)


def unbind(x, dim: int = 0):
    if np.ndim(x) == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    dim = wrap_dim(dim, np.ndim(x))
    return tuple(_unbound(x, dim, i) for i in range(np.shape(x)[dim]))


UNBIND = defprim("unbind", lambda x, dim, index, original: np.take(x, index, axis=dim),
                 lambda g, out, x, dim, index, original: _pad_along(unsqueeze(g, dim), dim, index, original[dim]),
                 jvp=lambda t, out, x, dim, index, original: select(t, dim, index), save="none")


def _unbound(x, dim, index):
    if isinstance(x, Tensor):
        return apply(UNBIND, (x,), {"dim": dim, "index": index, "original": tuple(x.shape)})
    return np.take(x, index, axis=dim)
