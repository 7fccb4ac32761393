"""Sliding windows over the spatial dimensions of (N, C, *spatial) arrays, shared by
convolution and pooling: geometry (stride, padding, dilation), output sizes, a zero-copy
window view (``as_strided``) and its adjoint, the sum of windows back onto the input."""
from __future__ import annotations

import itertools
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided


class Geometry(NamedTuple):
    """Where the windows sit: per spatial dimension stride, (left, right) padding and dilation."""

    kernel: tuple
    stride: tuple
    padding: tuple  # ((left, right), ...) per spatial dimension
    dilation: tuple
    groups: int = 1

    def output_shape(self, spatial: tuple) -> tuple:
        return tuple((s + lo + hi - d * (k - 1) - 1) // st + 1
                     for s, (lo, hi), d, k, st in zip(spatial, self.padding, self.dilation, self.kernel, self.stride))


def ntuple(value, n: int, name: str = "argument") -> tuple:
    """``3`` -> ``(3, 3)``; a sequence is checked for length."""
    if isinstance(value, (tuple, list)):
        if len(value) == 1:
            return tuple(int(value[0]) for _ in range(n))
        if len(value) != n:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values to match "
                               f"the convolution dimensions, but got {name}={list(value)}")
        return tuple(int(v) for v in value)
    return (int(value),) * n


def pad_array(x: np.ndarray, padding: tuple, value: float = 0.0) -> np.ndarray:
    if not any(lo or hi for lo, hi in padding):
        return x
    return np.pad(x, ((0, 0), (0, 0)) + tuple(padding), constant_values=value)


def windows(xp: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple) -> np.ndarray:
    """A read-only view (N, C, *out, *kernel) of every window of the padded array ``xp``."""
    d = len(kernel)
    out = tuple((xp.shape[2 + i] - dilation[i] * (kernel[i] - 1) - 1) // stride[i] + 1 for i in range(d))
    s = xp.strides
    strides = s[:2] + tuple(s[2 + i] * stride[i] for i in range(d)) + tuple(s[2 + i] * dilation[i] for i in range(d))
    return as_strided(xp, xp.shape[:2] + out + tuple(kernel), strides, writeable=False)


def add_windows(patches: np.ndarray, padded_shape: tuple, geometry: Geometry) -> np.ndarray:
    """The adjoint of ``windows``: ``patches`` laid out (*kernel, N, C, *out) summed into zeros of
    ``padded_shape``. One strided addition per kernel offset, never a loop over pixels."""
    out = np.zeros(padded_shape, dtype=patches.dtype)
    n_out = patches.shape[len(geometry.kernel) + 2:]
    for offset in itertools.product(*(range(k) for k in geometry.kernel)):
        region = tuple(slice(o * d, o * d + st * (n - 1) + 1, st)
                       for o, d, st, n in zip(offset, geometry.dilation, geometry.stride, n_out))
        out[(slice(None), slice(None)) + region] += patches[offset]
    return out


def crop(x: np.ndarray, padding: tuple) -> np.ndarray:
    """Remove the padding added by ``pad_array``."""
    if not any(lo or hi for lo, hi in padding):
        return x
    return x[(slice(None), slice(None)) + tuple(slice(lo, x.shape[2 + i] - hi) for i, (lo, hi) in enumerate(padding))]
