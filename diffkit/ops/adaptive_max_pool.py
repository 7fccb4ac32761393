"""Adaptive max pooling (1-D, 2-D, 3-D): the maximum of each of PyTorch's adaptive windows, output
position i covering input positions floor(i n / out) .. ceil((i + 1) n / out).

The windows differ in length by at most one, so each axis gets an (out, longest) index table whose
short rows repeat their last position; one fancy index gathers every window at once, ``argmax``
finds each winner (the first maximum, a NaN over numbers), and the gather/scatter primitive of
max pooling carries the values and gradients. No Python loop over pixels."""
from __future__ import annotations

import functools
import math

import numpy as np

from ..graphs.recorder import kernel
from ..tensor import Tensor
from .pooling import adaptive_sizes, batched, max_at


def _window_table(n: int, out: int) -> np.ndarray:
    """(out, longest) input positions of each window, the short ones padded with their last position."""
    i = np.arange(out)
    start, end = (i * n) // out, -(-((i + 1) * n) // out)
    longest = int((end - start).max()) if out else 0
    table = start[:, None] + np.arange(longest)[None, :]
    return np.minimum(table, (end - 1)[:, None])


def _winner_positions(data: np.ndarray, sizes: tuple) -> np.ndarray:
    """Flat position, over the whole input, of every window's maximum."""
    d, spatial = len(sizes), data.shape[2:]
    tables = [_window_table(n, out) for n, out in zip(spatial, sizes)]
    index = []
    for k, table in enumerate(tables):  # axis k: outputs at position k, window offsets at position d + k
        shape = [1] * (2 * d)
        shape[k], shape[d + k] = table.shape
        index.append(table.reshape(shape))
    windows = data[(slice(None), slice(None)) + tuple(index)]  # (N, C, *out, *longest)
    flat = windows.reshape(windows.shape[:2 + d] + (math.prod(windows.shape[2 + d:]),))  # an empty batch too
    winner = np.unravel_index(flat.argmax(axis=-1), tuple(t.shape[1] for t in tables))
    coords = []
    for k, table in enumerate(tables):
        rows = np.arange(sizes[k]).reshape((1, 1) + tuple(-1 if j == k else 1 for j in range(d)))
        coords.append(table[rows, winner[k]])
    planes = (np.arange(data.shape[0] * data.shape[1], dtype=np.intp) * math.prod(spatial)).reshape(
        data.shape[:2] + (1,) * d)
    return np.ravel_multi_index(tuple(np.broadcast_arrays(*coords)), spatial) + planes


def _adaptive_max_pool(input: Tensor, output_size, return_indices: bool, d: int):
    x, unbatched = batched(input, d)
    sizes = adaptive_sizes(x, output_size, d)
    if any(s <= 0 for s in sizes):
        raise RuntimeError(f"adaptive_max_pool{d}d(): Expected output_size to be positive, but got {list(sizes)}")
    positions = kernel(functools.partial(_winner_positions, sizes=sizes), (x,), "adaptive max_pool winners")
    return max_at(x, positions, True, unbatched, return_indices)


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    return _adaptive_max_pool(input, output_size, return_indices, 1)


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling to a fixed output size, whatever the input size (windows as adaptive_avg_pool2d's)."""
    return _adaptive_max_pool(input, output_size, return_indices, 2)


def adaptive_max_pool3d(input: Tensor, output_size, return_indices: bool = False):
    return _adaptive_max_pool(input, output_size, return_indices, 3)
