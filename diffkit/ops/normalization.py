"""Batch and layer normalisation: one primitive, normalising over some axes with an affine map.

Batch norm normalises each channel over (N, H, W); layer norm normalises each sample over
its last dimensions. Both are ``y = (x - mean) / sqrt(var + eps) * weight + bias`` with the
statistics taken over ``axes``, so one forward and one closed-form backward serve both:

    dx = invstd (g w - mean(g w) - x̂ mean(g w x̂))      (statistics of the batch)
    dx = invstd g w                                      (fixed statistics, eval mode)

The statistics computed for the forward pass are kept as parameters, so the backward pass
does not recompute them; under ``create_graph`` they are recomputed from the input Tensor
so that second derivatives include their dependence on ``x``.
"""
from __future__ import annotations

import numpy as np

from ..autograd import grad_mode
from ..tensor import Tensor
from ._primitive import apply, defprim, variant
from .elementwise import rsqrt
from .reduction import mean as reduce_mean
from .reduction import sum as reduce_sum
from .shape import reshape


def _forward(x, w, b, mean, invstd, axes, view, param_axes, batch_stats):
    scale = invstd if w is None else invstd * w.reshape(view)
    shift = -mean * scale
    if b is not None:
        shift = shift + b.reshape(view)
    return x * scale + shift


def _statistics(x, mean, invstd, axes, batch_stats, eps):
    if batch_stats and isinstance(x, Tensor):  # create_graph: the statistics depend on x
        mean = reduce_mean(x, axes, keepdim=True)
        centred = x - mean
        return centred, rsqrt(reduce_mean(centred * centred, axes, keepdim=True) + eps)
    return x - mean, invstd


def _vjp_input(g, out, x, w, b, mean, invstd, axes, view, param_axes, batch_stats, eps):
    if isinstance(x, np.ndarray) and batch_stats:
        return _input_grad_array(g, x, w, mean, invstd, axes, view)
    centred, invstd = _statistics(x, mean, invstd, axes, batch_stats, eps)
    gw = g if w is None else g * reshape(w, view)
    if not batch_stats:
        return gw * invstd
    xhat = centred * invstd
    return invstd * (gw - reduce_mean(gw, axes, keepdim=True) - xhat * reduce_mean(gw * xhat, axes, keepdim=True))


def _input_grad_array(g, x, w, mean, invstd, axes, view) -> np.ndarray:
    """The same formula on arrays, rearranged to make few passes over the data and reuse buffers:
    dx = invstd gw - invstd mean(gw) - invstd³ mean(gw c) c, with c = x - mean."""
    gw = g if w is None else g * w.reshape(view)
    centred = x - mean
    m1 = gw.mean(axis=axes, keepdims=True)
    slope = invstd * invstd * invstd * (gw * centred).mean(axis=axes, keepdims=True)
    centred *= slope
    dx = gw * invstd
    dx -= centred
    dx -= invstd * m1
    return dx


def _vjp_weight(g, out, x, w, b, mean, invstd, axes, view, param_axes, batch_stats, eps):
    centred, invstd = _statistics(x, mean, invstd, axes, batch_stats, eps)
    if isinstance(centred, np.ndarray) and param_axes == axes:  # batch norm: invstd is per channel
        centred *= g
        return reshape(centred.sum(axis=axes) * invstd.reshape(-1), w.shape)
    return reshape(reduce_sum(g * (centred * invstd), param_axes), w.shape)


def _vjp_bias(g, out, x, w, b, mean, invstd, axes, view, param_axes, batch_stats, eps):
    return reshape(reduce_sum(g, param_axes), b.shape)


NORMALIZE = defprim("normalize", lambda x, w, b, mean, invstd, axes, view, param_axes, batch_stats, eps:
                    _forward(x, w, b, mean, invstd, axes, view, param_axes, batch_stats),
                    (_vjp_input, _vjp_weight, _vjp_bias), node="NativeBatchNormBackward0")
LAYER_NORM = variant(NORMALIZE, "NativeLayerNormBackward0")


def _moments(x: np.ndarray, axes: tuple):
    mean = x.mean(axis=axes, keepdims=True)
    centred = x - mean
    var = np.mean(centred * centred, axis=axes, keepdims=True)
    return mean, var


def _apply(prim, input, weight, bias, mean, invstd, axes, view, param_axes, batch_stats, eps):
    dtype = input._data.dtype
    params = {"mean": mean.astype(dtype, copy=False), "invstd": invstd.astype(dtype, copy=False),
              "axes": axes, "view": view, "param_axes": param_axes, "batch_stats": batch_stats, "eps": eps}
    return apply(prim, (input, weight, bias), params)


def batch_norm(input: Tensor, running_mean, running_var, weight=None, bias=None, training: bool = False,
               momentum: float | None = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1). In training, use the batch's statistics and update the
    running ones in place (``momentum=None``: cumulative average, as PyTorch's caller passes it)."""
    x = input._data
    if x.ndim < 2:
        raise ValueError(f"expected 2D or more input (got {x.ndim}D input)")
    axes = (0,) + tuple(range(2, x.ndim))
    view = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    if training:
        count = x.size // x.shape[1]
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {list(x.shape)}")
        mean, var = _moments(x, axes)
        if running_mean is not None:
            m = 0.0 if momentum is None else momentum
            _blend(running_mean, mean.reshape(-1), m)
            _blend(running_var, var.reshape(-1) * (count / (count - 1)), m)
    else:
        if running_mean is None:
            raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
        mean, var = running_mean._data.reshape(view), running_var._data.reshape(view)
    invstd = 1.0 / np.sqrt(var + eps)
    return _apply(NORMALIZE, input, weight, bias, mean, invstd, axes, view, axes, training, eps)


def _blend(running: Tensor, value: np.ndarray, momentum: float) -> None:
    data = running._data
    with grad_mode.no_grad():
        data *= 1.0 - momentum
        data += momentum * value.astype(data.dtype, copy=False)
    running._version += 1


def layer_norm(input: Tensor, normalized_shape, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Normalise each sample over its last ``len(normalized_shape)`` dimensions."""
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    x = input._data
    k = len(normalized_shape)
    if tuple(x.shape[x.ndim - k:]) != normalized_shape:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, normalized_shape))}], but got input of size{list(x.shape)}")
    axes = tuple(range(x.ndim - k, x.ndim))
    mean, var = _moments(x, axes)
    invstd = 1.0 / np.sqrt(var + eps)
    return _apply(LAYER_NORM, input, weight, bias, mean, invstd, axes, normalized_shape,
                  tuple(range(x.ndim - k)), True, eps)


def group_norm(input: Tensor, num_groups: int, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Normalise groups of channels of each sample: layer norm on (N, G, C/G * spatial), then per-channel affine."""
    shape = tuple(input.shape)
    grouped = reshape(input, (shape[0], num_groups, -1))
    normalised = reshape(layer_norm(grouped, grouped.shape[-1:], eps=eps), shape)
    view = (1, shape[1]) + (1,) * (len(shape) - 2)
    if weight is not None:
        normalised = normalised * reshape(weight, view)
    if bias is not None:
        normalised = normalised + reshape(bias, view)
    return normalised
