"""Pooling: max, average and adaptive average over 1-D, 2-D and 3-D windows, vectorised.

Max pooling finds each window's winner once (an ``argmax`` over the window view); the
primitive is then a *gather* of the input at those flat positions, whose VJP is a scatter
into zeros, whose VJP is the gather again -- double backward for free. Average pooling is
linear: window sums times 1/divisor, with the adjoint spreading the gradient back over the
windows. Adaptive average pooling is two (or three) products with constant averaging
matrices, so it needs no primitive of its own.
"""
from __future__ import annotations

import functools
import itertools
import math

import numpy as np

from ..graphs.recorder import kernel
from ..tensor import Tensor, _wrap
from ._primitive import apply, defprim, function
from ._windows import Geometry, add_windows, crop, ntuple, pad_array, windows
from .linalg import matmul
from .shape import squeeze, transpose, unsqueeze


def adjoint_pair(name: str, forward, adjoint, node: str):
    """A linear primitive and its adjoint, each the other's VJP (so double backward comes free).
    Both take one array and the same parameters; returns the first."""
    functions = {}
    first = defprim(name, forward, lambda g, out, x, **params: functions["adjoint"](g, **params), save="none",
                    node=node)
    second = defprim(name + "_backward", adjoint, lambda u, out, g, **params: functions["forward"](u, **params),
                     save="none", node=node.replace("Backward0", "BackwardBackward0"))
    functions["forward"], functions["adjoint"] = function(first), function(second)
    return first


# ---------------------------------------------------------------------------- geometry
def _per_axis(name: str, values: tuple) -> str:
    """``kH: 0 kW: 0`` as PyTorch words it (1-D pooling is its 2-D one of height 1)."""
    values = (1,) + tuple(values) if len(values) == 1 else tuple(values)
    return " ".join(f"{name}{axis}: {v}" for axis, v in zip("THW"[3 - len(values):], values))


def _check_pool_arguments(kernel: tuple, stride: tuple, pads: tuple, dilation: tuple) -> None:
    """PyTorch's checks, before a zero turns into a ZeroDivisionError or a silently wrong output."""
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"kernel size should be greater than zero, but got {_per_axis('k', kernel)}")
    if any(st <= 0 for st in stride):
        raise RuntimeError("stride should not be zero")
    if any(di <= 0 for di in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {_per_axis('dilation', dilation)}")
    for p, k, di in zip(pads, kernel, dilation):
        if p < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
        if p * 2 > k:  # PyTorch's bound: half the kernel, whatever the dilation
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={di}")


def _pool_geometry(x_shape, kernel_size, stride, padding, dilation, ceil_mode, d):
    x_spatial = x_shape[2:]
    kernel = ntuple(kernel_size, d, "kernel_size")
    stride = kernel if stride is None or stride == [] or stride == () else ntuple(stride, d, "stride")
    pads, dilation = ntuple(padding, d, "padding"), ntuple(dilation, d, "dilation")
    _check_pool_arguments(kernel, stride, pads, dilation)
    padding, sizes = [], []
    for s, k, st, p, di in zip(x_spatial, kernel, stride, pads, dilation):
        span = s + 2 * p - di * (k - 1) - 1
        n = (-(-span // st) if ceil_mode else span // st) + 1
        if ceil_mode and (n - 1) * st >= s + p:  # the last window must start inside the input
            n -= 1
        sizes.append(n)
        padding.append((p, max(0, (n - 1) * st + di * (k - 1) + 1 - s - p)))
    if any(n <= 0 for n in sizes):
        given, calculated = (x_shape[1],) + tuple(x_spatial), (x_shape[1],) + tuple(sizes)
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, given))}). Calculated output size: "
                           f"({'x'.join(map(str, calculated))}). Output size is too small")
    return Geometry(kernel, stride, tuple(padding), dilation)


# ---------------------------------------------------------------------------- max pooling
def _gather_forward(x, positions):
    """Each window's maximum: the input at its winner's position (flat over the whole input), one
    ``take`` (6x faster than ``take_along_axis`` per plane)."""
    return np.ascontiguousarray(x).reshape(-1).take(positions)


def _scatter_forward(g, positions, shape, overlapping):
    """The gradient back at the winners' positions, summed where overlapping windows share a winner."""
    flat_g, flat_p, size = np.ascontiguousarray(g).reshape(-1), positions.reshape(-1), math.prod(shape)
    if not overlapping:  # each input position wins at most one window
        out = np.zeros(size, dtype=g.dtype)
        out[flat_p] = flat_g
        return out.reshape(shape)
    return np.bincount(flat_p, weights=flat_g, minlength=size).astype(g.dtype, copy=False).reshape(shape)


MAX_POOL = adjoint_pair("max_pool", lambda x, positions, shape, overlapping: _gather_forward(x, positions),
                        _scatter_forward, "MaxPool2DWithIndicesBackward0")


def _window_argmax(view: np.ndarray, offsets: list, has_nan: bool) -> np.ndarray:
    """Which kernel offset holds each window's maximum (the first one on ties, a NaN over numbers).

    Strided views, one pass per offset for the maximum and one for the winner: no copy of the
    windows, and no Python loop over pixels."""
    def pick(offset):
        return view[(Ellipsis,) + offset]

    best = pick(offsets[0]).copy()
    for offset in offsets[1:]:
        np.maximum(best, pick(offset), out=best)  # NaN propagates
    winner = np.full(best.shape, len(offsets) - 1, dtype=np.uint8 if len(offsets) <= 256 else np.intp)
    for k in range(len(offsets) - 2, -1, -1):  # descending, so the first maximum is kept
        hit = pick(offsets[k]) == best
        if has_nan:
            hit |= np.isnan(pick(offsets[k]))
        winner -= (winner - winner.dtype.type(k)) * hit
    return winner


def _argmax_positions(x: np.ndarray, geometry: Geometry) -> np.ndarray:
    """Flat position, over the whole input, of every window's maximum (PyTorch's ``indices`` are
    these less each plane's start). Without padding, window start plus the winner's displacement;
    with padding, per coordinate, so that a window of padding only (-inf) stays in range."""
    d = len(geometry.kernel)
    padded = pad_array(x.astype(np.float64) if x.dtype.kind != "f" else x, geometry.padding, -np.inf)
    view = windows(padded, geometry.kernel, geometry.stride, geometry.dilation)
    out, spatial = view.shape[2:2 + d], x.shape[2:]
    offsets = list(itertools.product(*(range(k) for k in geometry.kernel)))
    winner = _window_argmax(view, offsets, bool(np.isnan(x).any()))
    table = np.asarray(offsets, dtype=np.intp) * np.asarray(geometry.dilation, dtype=np.intp)  # (K, d)
    planes = (np.arange(x.shape[0] * x.shape[1], dtype=np.intp) * math.prod(spatial)).reshape(
        x.shape[:2] + (1,) * d)
    if not any(lo or hi for lo, hi in geometry.padding):
        place = np.ravel_multi_index(tuple(table.T), spatial)  # each offset's displacement in the plane
        starts = np.ravel_multi_index(np.meshgrid(*(np.arange(n) * st for n, st in zip(out, geometry.stride)),
                                                  indexing="ij"), spatial)
        return place[winner] + (starts + planes)
    coords = []
    for i in range(d):
        start = (np.arange(out[i]) * geometry.stride[i] - geometry.padding[i][0]).reshape((-1,) + (1,) * (d - 1 - i))
        coords.append(np.clip(start + np.take(table[:, i], winner), 0, spatial[i] - 1))
    return np.ravel_multi_index(tuple(coords), spatial) + planes


def batched(input: Tensor, d: int):
    if input.ndim == d + 1:
        return unsqueeze(input, 0), True
    if input.ndim != d + 2:
        raise RuntimeError(f"Expected {d + 1}D or {d + 2}D input to a {d}-D pooling, got {list(input.shape)}")
    return input, False


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, d):
    x, unbatched = batched(input, d)
    geometry = _pool_geometry(tuple(x.shape), kernel_size, stride, padding, dilation, ceil_mode, d)
    positions = kernel(functools.partial(_argmax_positions, geometry=geometry), (x,), "max_pool winners")
    overlapping = any(st < (k - 1) * di + 1 for st, k, di in zip(geometry.stride, geometry.kernel, geometry.dilation))
    return max_at(x, positions, overlapping, unbatched, return_indices)


def max_at(x: Tensor, positions: np.ndarray, overlapping: bool, unbatched: bool, return_indices: bool):
    """The pooled maxima of batched ``x`` at its flat ``positions`` (and PyTorch's per-plane indices)."""
    y = apply(MAX_POOL, (x,), {"positions": positions, "shape": tuple(x.shape), "overlapping": overlapping})
    if not return_indices:
        return squeeze(y, 0) if unbatched else y
    plane = math.prod(x.shape[2:])
    index = positions % plane if plane else positions  # within each plane, as PyTorch's indices
    if unbatched:
        y, index = squeeze(y, 0), index[0]
    return y, _wrap(index.astype(np.int64))


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """The maximum of each window (stride defaults to the kernel size), as PyTorch."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 3)


# ---------------------------------------------------------------------------- average pooling
def _avg_forward(x, geometry, scale):
    d = len(geometry.kernel)
    view = windows(pad_array(x, geometry.padding), geometry.kernel, geometry.stride, geometry.dilation)
    return (view.sum(axis=tuple(range(2 + d, 2 + 2 * d))) * scale).astype(x.dtype, copy=False)


def _avg_adjoint(g, geometry, scale, shape):
    spread = np.broadcast_to(g * scale, tuple(geometry.kernel) + g.shape)
    padded = tuple(shape[:2]) + tuple(s + lo + hi for s, (lo, hi) in zip(shape[2:], geometry.padding))
    return crop(add_windows(spread, padded, geometry), geometry.padding)


AVG_POOL = adjoint_pair("avg_pool", lambda x, geometry, scale, shape: _avg_forward(x, geometry, scale),
                        _avg_adjoint, "AvgPool2DBackward0")


def _divisors(x_spatial, geometry, count_include_pad, divisor_override, dtype):
    """1 / (number of elements averaged) for every output position (PyTorch's rule)."""
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("divisor must be not zero")
        return np.asarray(1.0 / divisor_override, dtype=dtype)
    scale = np.ones((), dtype=np.float64)
    for s, k, st, (p, _), n in zip(x_spatial, geometry.kernel, geometry.stride, geometry.padding,
                                   geometry.output_shape(x_spatial)):
        start = np.arange(n) * st - p
        end = np.minimum(start + k, s + p)
        size = end - start if count_include_pad else np.minimum(end, s) - np.maximum(start, 0)
        scale = np.multiply.outer(scale, size)
    return (1.0 / scale).astype(dtype)


def _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, d):
    x, unbatched = batched(input, d)
    geometry = _pool_geometry(tuple(x.shape), kernel_size, stride, padding, 1, ceil_mode, d)
    scale = _divisors(tuple(x.shape[2:]), geometry, count_include_pad, divisor_override, x._data.dtype)
    y = apply(AVG_POOL, (x,), {"geometry": geometry, "scale": scale, "shape": tuple(x.shape)})
    return squeeze(y, 0) if unbatched else y


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True):
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override=None):
    """The mean of each window (stride defaults to the kernel size)."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override=None):
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 3)


# ---------------------------------------------------------------------------- adaptive average pooling
def _averaging_matrix(size: int, out: int, dtype) -> np.ndarray:
    """(out, size): row i averages input positions floor(i size / out) .. ceil((i + 1) size / out)."""
    m = np.zeros((out, size), dtype=dtype)
    for i in range(out):  # a loop over output sizes, not over data
        start, end = (i * size) // out, math.ceil((i + 1) * size / out)
        m[i, start:end] = 1.0 / (end - start)
    return m


def adaptive_sizes(x, output_size, d: int) -> tuple:
    """The output size per spatial dimension of a batched ``x`` (None keeps that dimension's size)."""
    if output_size is None or isinstance(output_size, (tuple, list)) and len(output_size) == d:
        sizes = tuple(output_size) if output_size is not None else (None,) * d
        return tuple(x.shape[2 + i] if s is None else int(s) for i, s in enumerate(sizes))
    return ntuple(output_size, d, "output_size")


def _adaptive_avg_pool(input, output_size, d):
    x, unbatched = batched(input, d)
    sizes = adaptive_sizes(x, output_size, d)
    dtype = x._data.dtype
    y = x
    for i, out in enumerate(sizes):  # pool one spatial axis at a time: (..., size) @ (size, out)
        axis = 2 + i
        y = transpose(matmul(transpose(y, axis, -1), _averaging_matrix(x.shape[axis], out, dtype).T), axis, -1)
    return squeeze(y, 0) if unbatched else y


def adaptive_avg_pool1d(input, output_size):
    return _adaptive_avg_pool(input, output_size, 1)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed output size, whatever the input size."""
    return _adaptive_avg_pool(input, output_size, 2)


def adaptive_avg_pool3d(input, output_size):
    return _adaptive_avg_pool(input, output_size, 3)
