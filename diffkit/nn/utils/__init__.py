"""``nn.utils``: gradient clipping and flattening parameters into one vector."""
from __future__ import annotations

import functools
import math
from collections.abc import Iterable

import numpy as np

from ...graphs.recorder import kernel, refuse_write
from ...tensor import Tensor, _wrap
from . import rnn


def _grads(parameters) -> list:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """Scale all gradients together so that their joint ``norm_type`` norm is at most ``max_norm``.
    Returns the norm before clipping."""
    grads = _grads(parameters)
    if not grads:
        return _wrap(np.zeros((), dtype=np.float32))
    clip = functools.partial(_clip_norm, max_norm=max_norm, norm_type=float(norm_type),
                             error_if_nonfinite=error_if_nonfinite)
    total = kernel(clip, tuple(grads), "clip_grad_norm_")  # clipped again at each replay of a captured step
    for g in grads:
        g._version += 1
    return _wrap(total)


def _clip_norm(*grads: np.ndarray, max_norm: float, norm_type: float, error_if_nonfinite: bool) -> np.ndarray:
    """Scale the gradient arrays in place; their total norm, as a 0-d array of the first one's dtype."""
    if math.isinf(norm_type):
        norms = np.array([np.max(np.abs(g)) if g.size else 0.0 for g in grads])
        total = norms.max()
    else:
        norms = np.array([np.sum(np.abs(g.astype(np.float64)) ** norm_type) ** (1 / norm_type) for g in grads])
        total = np.sum(norms**norm_type) ** (1 / norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           "it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           "norm anyway, set `error_if_nonfinite=False`")
    coefficient = min(max_norm / (total + 1e-6), 1.0)
    for g in grads:
        np.multiply(g, coefficient, out=g, casting="unsafe")
    return np.asarray(total, dtype=grads[0].dtype)


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float, foreach=None) -> None:
    """Clamp every gradient element to [-clip_value, clip_value] in place."""
    grads = _grads(parameters)
    kernel(functools.partial(_clip_values, clip_value=clip_value), tuple(grads), "clip_grad_value_")
    for g in grads:
        g._version += 1


def _clip_values(*grads: np.ndarray, clip_value: float) -> None:
    for g in grads:
        np.clip(g, -clip_value, clip_value, out=g)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated (a copy, in a graph if they require grad)."""
    from ...ops.shape import cat

    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of ``vec`` into the parameters."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    refuse_write("vector_to_parameters")
    start = 0
    for p in parameters:
        n = p.numel()
        p._data[...] = vec._data[start:start + n].reshape(p._data.shape)
        p._version += 1
        start += n
