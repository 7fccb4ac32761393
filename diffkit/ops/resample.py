"""``interpolate``: resizing the spatial dimensions of (N, C, ...) tensors, as ``F.interpolate``.

Separable and composed of differentiable operations, so the gradient needs no rule of its own:
per spatial dimension, ``nearest`` picks a source index (``index_select``), the linear modes
(``linear``, ``bilinear``, ``trilinear``) blend two neighbouring sources with weights that depend
only on the sizes, and ``area`` is adaptive average pooling. Source coordinates follow PyTorch:
``floor(dst * scale)`` for nearest, ``(dst + 0.5) * scale - 0.5`` clamped at 0 without
``align_corners`` and ``dst * (in - 1) / (out - 1)`` with it; the scale is in/out, or
1/scale_factor when a factor is given and not recomputed.
"""
from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor
from .indexing import index_select
from .linalg import matmul
from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d
from .shape import transpose

_LINEAR = {"linear": 1, "bilinear": 2, "trilinear": 3}
_AREA = {1: adaptive_avg_pool1d, 2: adaptive_avg_pool2d, 3: adaptive_avg_pool3d}


def _output_size(spatial: tuple, size, scale_factor) -> tuple[tuple, tuple]:
    """The output sizes and, per dimension, the factor given by the user (None: use in/out)."""
    d = len(spatial)
    if size is None and scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,) * d
        if len(sizes) != d:
            raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input "
                             f"with spatial dimensions of {list(spatial)} and output size of {list(sizes)}. Please "
                             "provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, "
                             "...,oK) format.")
        return tuple(int(s) for s in sizes), (None,) * d
    factors = tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * d
    if len(factors) != d:
        raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got input "
                         f"with spatial dimensions of {list(spatial)} and scale_factor of shape {list(factors)}.")
    return tuple(math.floor(n * f) for n, f in zip(spatial, factors)), tuple(float(f) for f in factors)


def _check_sizes(spatial: tuple, sizes: tuple) -> None:
    """No empty input or output dimension (a scale factor can round a size down to 0), as PyTorch checks."""
    if all(n > 0 for n in spatial + sizes):
        return
    names = "DHW"[3 - len(spatial):]
    given = ", ".join(f"{a}: {n}" for a, n in zip(names, spatial))
    wanted = ", ".join(f"{a}: {n}" for a, n in zip(names, sizes))
    joint = " and " if len(spatial) == 1 else " "  # PyTorch's 1-D kernel words it so
    raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({given}){joint}"
                       f"output ({wanted})")


def _scale(n_in: int, n_out: int, factor: float | None) -> float:
    return 1.0 / factor if factor is not None else n_in / n_out


def _nearest(x, dim: int, n_out: int, factor: float | None):
    n_in = x.shape[dim]
    source = np.minimum(np.floor(np.arange(n_out) * _scale(n_in, n_out, factor)).astype(np.int64), n_in - 1)
    return index_select(x, dim, source)


def _nearest_exact(x, dim: int, n_out: int, factor: float | None):
    """PyTorch's 'nearest-exact': the source pixel whose centre is nearest, floor((dst + 0.5) * scale)."""
    n_in = x.shape[dim]
    source = np.floor((np.arange(n_out) + 0.5) * _scale(n_in, n_out, factor)).astype(np.int64)
    return index_select(x, dim, np.minimum(source, n_in - 1))


def _antialias_matrix(n_in: int, n_out: int, scale: float, dtype) -> np.ndarray:
    """(out, in) weights of PyTorch's antialiased bilinear resize (Pillow's): a triangle filter widened
    by the scale when downsampling, each row normalised over the taps inside the input."""
    support = scale if scale >= 1.0 else 1.0
    invscale = 1.0 / scale if scale >= 1.0 else 1.0
    center = scale * (np.arange(n_out) + 0.5)
    low = np.maximum((center - support + 0.5).astype(np.int64), 0)  # C's truncation of a positive number
    high = np.minimum((center + support + 0.5).astype(np.int64), n_in)
    j = np.arange(n_in)
    weights = np.maximum(1.0 - np.abs((j[None, :] - center[:, None] + 0.5) * invscale), 0.0)
    weights *= (j[None, :] >= low[:, None]) & (j[None, :] < high[:, None])
    total = weights.sum(axis=1, keepdims=True)
    return (weights / np.where(total == 0, 1.0, total)).astype(dtype)


def _antialiased(x, dim: int, n_out: int, factor: float | None, align_corners: bool):
    n_in = x.shape[dim]
    if align_corners:
        scale = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    else:
        scale = _scale(n_in, n_out, factor)
    matrix = _antialias_matrix(n_in, n_out, scale, x._data.dtype)
    return transpose(matmul(transpose(x, dim, -1), matrix.T), dim, -1)


def _linear(x, dim: int, n_out: int, factor: float | None, align_corners: bool):
    n_in = x.shape[dim]
    dst = np.arange(n_out, dtype=np.float64)
    if align_corners:
        source = dst * ((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out)
    else:
        source = np.maximum((dst + 0.5) * _scale(n_in, n_out, factor) - 0.5, 0.0)
    low = np.minimum(np.floor(source).astype(np.int64), n_in - 1)
    high = np.minimum(low + 1, n_in - 1)
    weight = (source - low).reshape((-1,) + (1,) * (x.ndim - 1 - dim)).astype(x._data.dtype)
    return index_select(x, dim, low) * (1 - weight) + index_select(x, dim, high) * weight


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners=None,
                recompute_scale_factor=None, antialias: bool = False) -> Tensor:
    """Resize the spatial dimensions of ``input`` (N, C, d1, ...) to ``size`` or by ``scale_factor``."""
    d = input.ndim - 2
    if d < 1 or d > 3:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D)")
    if align_corners is not None and mode not in _LINEAR and mode != "bicubic":
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if mode in _LINEAR and _LINEAR[mode] != d:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {_LINEAR[mode] + 2}D input")
    sizes, factors = _output_size(tuple(input.shape[2:]), size, scale_factor)
    if recompute_scale_factor:
        factors = (None,) * d
    if antialias and not (mode in ("bilinear", "bicubic") and input.ndim == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a 4-D "
                         "tensor as input")
    if mode == "area":
        return _AREA[d](input, sizes)
    _check_sizes(tuple(input.shape[2:]), sizes)
    if mode not in _LINEAR and mode not in ("nearest", "nearest-exact"):
        raise NotImplementedError(f"diffkit's interpolate supports nearest, nearest-exact, linear, bilinear, "
                                  f"trilinear and area, not {mode!r}")
    out = input
    for i, (n_out, factor) in enumerate(zip(sizes, factors)):
        if mode == "nearest":
            out = _nearest(out, 2 + i, n_out, factor)
        elif mode == "nearest-exact":
            out = _nearest_exact(out, 2 + i, n_out, factor)
        elif antialias:  # silently plain bilinear before: wrong when downsampling
            out = _antialiased(out, 2 + i, n_out, factor, bool(align_corners))
        else:
            out = _linear(out, 2 + i, n_out, factor, bool(align_corners))
    return out
