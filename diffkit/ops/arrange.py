"""Rearrangements built on the shape primitives: ``roll`` (a primitive: its adjoint rolls
back), and compositions with PyTorch's node names -- ``hstack``/``vstack`` (cat),
``meshgrid`` and ``broadcast_tensors`` (expand), ``ravel`` and ``repeat_interleave`` (views
of an expand, or index_select for per-element repeats).
"""
from __future__ import annotations

import numbers

import numpy as np

from ..tensor import Tensor, _wrap
from ._primitive import defprim, function
from .shape import cat, expand, flatten, reshape, unsqueeze, wrap_dim


def _tuple(value) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


ROLL = defprim("roll", lambda x, shifts, dims: np.roll(x, shifts, dims),
               lambda g, out, x, shifts, dims: roll(g, tuple(-s for s in shifts), dims),
               jvp=lambda t, out, x, shifts, dims: roll(t, shifts, dims), save="none")


def roll(x, shifts, dims=None):
    """Shift elements along ``dims`` (of the flattened tensor when ``dims`` is None), wrapping around."""
    shifts = _tuple(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"roll: shifts and dims must align. shifts: {len(shifts)}, dims: 0")
        return function(ROLL)(x, shifts=shifts[0:1], dims=None)
    dims = tuple(wrap_dim(d, np.ndim(x)) for d in _tuple(dims))
    if len(shifts) != len(dims):
        raise RuntimeError(f"roll: shifts and dims must align. shifts: {len(shifts)}, dims: {len(dims)}")
    return function(ROLL)(x, shifts=shifts, dims=dims)


def ravel(x):
    """The values as one dimension."""
    return reshape(x, (-1,))


def atleast_1d(x):
    return reshape(x, (1,)) if np.ndim(x) == 0 else x


def atleast_2d(x):
    x = atleast_1d(x)
    return unsqueeze(x, 0) if np.ndim(x) == 1 else x


def hstack(tensors):
    """Concatenate along the second dimension (the first for vectors)."""
    tensors = [atleast_1d(x) for x in tensors]
    return cat(tensors, 0 if tensors and np.ndim(tensors[0]) == 1 else 1)


def vstack(tensors):
    """Concatenate along the first dimension, vectors becoming rows."""
    return cat([atleast_2d(x) for x in tensors], 0)


row_stack = vstack


def broadcast_tensors(*tensors):
    """The tensors expanded to their common broadcast shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = np.broadcast_shapes(*[np.shape(x) for x in tensors])
    return tuple(expand(x, shape) for x in tensors)


def meshgrid(*tensors, indexing: str = "ij"):
    """Coordinate grids of 1-D tensors: with ``indexing='ij'`` grid i varies along dimension i;
    ``'xy'`` swaps the first two dimensions (Cartesian, as numpy's default)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    positions = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        positions[0], positions[1] = 1, 0
    shape = [0] * len(tensors)
    for x, p in zip(tensors, positions):
        if np.ndim(x) > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list")
        shape[p] = int(np.prod(np.shape(x), dtype=np.int64))
    grids = []
    for x, p in zip(tensors, positions):
        along = [1] * len(shape)
        along[p] = shape[p]
        grids.append(expand(reshape(x, tuple(along)), tuple(shape)))
    return tuple(grids)


def repeat_interleave(x, repeats=None, dim: int | None = None, *, output_size: int | None = None):
    """Each element repeated ``repeats`` times along ``dim`` (of the flattened tensor when None);
    ``repeats`` an int, or a tensor of one count per element."""
    if repeats is None:  # repeat_interleave(counts): 0, 1, ... each repeated its count times
        return _positions_repeated(x)
    if dim is None:
        x, dim = reshape(x, (-1,)), 0
    dim = wrap_dim(dim, np.ndim(x))
    if isinstance(repeats, Tensor) and repeats.numel() == 1:
        repeats = int(repeats.item())
    if isinstance(repeats, numbers.Integral):
        shape = tuple(np.shape(x))
        spread = expand(unsqueeze(x, dim + 1), shape[:dim + 1] + (int(repeats),) + shape[dim + 1:])
        return flatten(spread, dim, dim + 1)
    from .indexing import index_select

    if np.shape(repeats) != (np.shape(x)[dim],):
        raise RuntimeError("repeats must have the same size as input along dim")
    return index_select(x, dim, _positions_repeated(repeats))


def _positions_repeated(counts) -> Tensor:
    """0, 1, 2, ... each repeated its count times (an int64 tensor)."""
    counts = np.asarray(counts._data if isinstance(counts, Tensor) else counts)
    return _wrap(np.repeat(np.arange(counts.size), counts))
