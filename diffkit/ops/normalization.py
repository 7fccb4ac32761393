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

import functools
import math

import numpy as np

from ..graphs.recorder import kernel
from ..tensor import Tensor
from ._primitive import apply, defprim, variant
from ._sums import sum_leading, sum_trailing
from .elementwise import rsqrt
from .reduction import mean as reduce_mean
from .reduction import sum as reduce_sum
from .shape import reshape


def _forward(x, w, b, mean, invstd, axes, view, param_axes, batch_stats):
    scale = invstd if w is None else invstd * w.reshape(view)
    shift = -mean * scale
    if b is not None:
        shift = shift + b.reshape(view)
    if param_axes == axes:  # batch norm: per-channel scale and shift
        rows, spread = _channel_rows(x)
        out = rows * spread(scale)
        out += spread(shift)
        return out.reshape(x.shape)
    return x * scale + shift


def _channel_rows(x: np.ndarray):
    """Batch norm's broadcasts in a fast form: x as rows of (C x positions) and a function spreading a
    per-channel vector along such a row. numpy broadcasts a (1, C, 1, 1) operand with one short inner
    loop per sample and channel (166 against 103 us at 64x16x28x28). Other layouts: as they are."""
    if x.ndim < 3 or not x.flags.c_contiguous or not x.size:
        view = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        return x, lambda v: np.reshape(v, view)
    positions = x.size // (x.shape[0] * x.shape[1]) if x.size else 0
    return x.reshape(x.shape[0], -1), lambda v: np.repeat(np.reshape(v, -1), positions)


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
    return reshape(_sum_over(g * (centred * invstd), param_axes), w.shape)


def _vjp_bias(g, out, x, w, b, mean, invstd, axes, view, param_axes, batch_stats, eps):
    return reshape(_sum_over(g, param_axes), b.shape)


def _sum_over(g, axes: tuple):
    """Sum over the batch axes of a normalisation; none (a layer norm of the whole input) is no sum,
    where ``sum(dim=())`` would reduce everything, as PyTorch's does."""
    return reduce_sum(g, axes) if axes else g


_RULES = (_vjp_input, _vjp_weight, _vjp_bias)


def _grads(wanted, g, out, x, w, b, **params):
    """All gradients at once on arrays. In training-mode batch norm they share the per-channel sums
    Σg and Σg(x - mean) (PyTorch's native_batch_norm_backward does the same), with
    dx = s g - s Σg / m - s invstd² Σg(x - mean) / m (x - mean), s = w invstd: six passes over the
    data and four BLAS sums instead of fourteen passes and four slow reductions."""
    mean, invstd, axes = params["mean"], params["invstd"], params["axes"]
    if not (params["batch_stats"] and params["param_axes"] == axes):  # layer norm, evaluation mode: one by one
        return [rule(g, out, x, w, b, **params) if want else None for rule, want in zip(_RULES, wanted)]
    m = x.size // x.shape[1]
    rows, spread = _channel_rows(x)
    g_rows = np.ascontiguousarray(g).reshape(rows.shape)
    centred = rows - spread(mean)
    sum_g = _reduce(g, axes)
    sum_gc = _reduce((g_rows * centred).reshape(x.shape), axes)
    istd = invstd.reshape(-1)
    grads = [None, None, None]
    if wanted[1]:
        grads[1] = (sum_gc * istd).reshape(w.shape)
    if wanted[2]:
        grads[2] = sum_g.reshape(b.shape)
    if wanted[0]:
        s = istd if w is None else istd * w.reshape(-1)
        dx = g_rows * spread(s)
        centred *= spread(s * istd * istd * sum_gc * (-1.0 / m))
        dx += centred
        dx += spread(s * sum_g * (-1.0 / m))
        grads[0] = dx.reshape(x.shape)
    return [None if grad is None else grad.astype(x.dtype, copy=False) for grad in grads]


NORMALIZE = defprim("normalize", lambda x, w, b, mean, invstd, axes, view, param_axes, batch_stats, eps:
                    _forward(x, w, b, mean, invstd, axes, view, param_axes, batch_stats),
                    _RULES, node="NativeBatchNormBackward0", joint=_grads)
LAYER_NORM = variant(NORMALIZE, "NativeLayerNormBackward0")


def _batch_norm_axes(axes: tuple, ndim: int) -> bool:
    """Batch norm's axes, all but the channels (dim 1); a layer norm over every dimension also starts at 0."""
    return ndim >= 2 and axes == (0,) + tuple(range(2, ndim))


def _reduce(x: np.ndarray, axes: tuple) -> np.ndarray:
    """Sum over batch norm's axes (all but dim 1) or layer norm's (the trailing ones), as matrix-vector
    products with ones where it can: numpy's reduction over (0, 2, 3) of an NCHW array runs short inner
    loops (30 against 5 us for 64x16x8x8, 144 against 45 us for 64x16x28x28). Returns the sums flat
    for batch norm, with the reduced axes kept for layer norm; half precision is summed in single
    (as numpy's mean does: a float16 sum overflows past 65,504)."""
    if x.dtype == np.float16:
        x = x.astype(np.float32)
    if _batch_norm_axes(axes, x.ndim):  # over the batch, then over each channel's positions
        return sum_trailing(sum_leading(x, 1), x.ndim - 2)
    return sum_trailing(x, len(axes)).reshape(x.shape[:axes[0]] + (1,) * len(axes))


def _moments(x: np.ndarray, axes: tuple):
    m = math.prod(x.shape[a] for a in axes)
    view = tuple(1 if a in axes else n for a, n in enumerate(x.shape))
    mean = (_reduce(x, axes) / m).astype(x.dtype, copy=False).reshape(view)
    if _batch_norm_axes(axes, x.ndim):
        rows, spread = _channel_rows(x)
        centred = (rows - spread(mean)).reshape(x.shape)
    else:
        centred = x - mean
    centred *= centred
    var = (_reduce(centred, axes) / m).astype(x.dtype, copy=False).reshape(view)
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
    _check_channels(x.shape[1], running_mean=running_mean, running_var=running_var, weight=weight, bias=bias)
    count = math.prod(x.shape[a] for a in axes)
    if training and count == 0:  # an empty batch: empty output, running statistics untouched (as PyTorch)
        mean, var = np.zeros(view, x.dtype), np.ones(view, x.dtype)
        return _apply(NORMALIZE, input, weight, bias, mean, 1.0 / np.sqrt(var + eps), axes, view, axes, False, eps)
    if training:
        if count == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {list(x.shape)}")
        stats = functools.partial(_batch_statistics, axes=axes, momentum=0.0 if momentum is None else momentum,
                                  correction=count / (count - 1), eps=eps)
    else:
        if running_mean is None:
            raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
        stats = functools.partial(_running_statistics, view=view, eps=eps)
    mean, invstd = kernel(stats, (input, running_mean, running_var), "batch_norm statistics")
    if training and running_mean is not None:
        running_mean._version += 1
        running_var._version += 1
    return _apply(NORMALIZE, input, weight, bias, mean, invstd, axes, view, axes, training, eps)


def _check_channels(channels: int, **tensors) -> None:
    """Each per-channel tensor has one value per channel (else numpy's broadcasting error would leak out)."""
    for name, t in tensors.items():
        if t is not None and t.numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {t.numel()}")


def _sample_statistics(x, axes, eps) -> tuple:
    """A sample's mean and 1/std over ``axes`` (layer norm); as the two below, computed outside the
    primitive from the input's values, so ``kernel`` records it for a captured step (diffkit.graphs)."""
    mean, var = _moments(x, axes)
    return mean, 1.0 / np.sqrt(var + eps)


def _batch_statistics(x, running_mean, running_var, axes, momentum, correction, eps) -> tuple:
    """The batch's mean and 1/std per channel; the running statistics (arrays) blended towards them in place."""
    mean, var = _moments(x, axes)
    if running_mean is not None:
        _blend(running_mean, mean.reshape(-1), momentum)
        _blend(running_var, var.reshape(-1) * correction, momentum)
    return mean, 1.0 / np.sqrt(var + eps)


def _running_statistics(x, running_mean, running_var, view, eps) -> tuple:
    return running_mean.reshape(view), 1.0 / np.sqrt(running_var.reshape(view) + eps)


def _blend(data: np.ndarray, value: np.ndarray, momentum: float) -> None:
    data *= 1.0 - momentum
    data += momentum * value.astype(data.dtype, copy=False)


def layer_norm(input: Tensor, normalized_shape, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Normalise each sample over its last ``len(normalized_shape)`` dimensions."""
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    x = input._data
    k = len(normalized_shape)
    if tuple(x.shape[x.ndim - k:]) != normalized_shape:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, normalized_shape))}], but got input of size{list(x.shape)}")
    axes = tuple(range(x.ndim - k, x.ndim))
    mean, invstd = kernel(functools.partial(_sample_statistics, axes=axes, eps=eps), (input,), "layer_norm statistics")
    return _apply(LAYER_NORM, input, weight, bias, mean, invstd, axes, normalized_shape,
                  tuple(range(x.ndim - k)), True, eps)


def group_norm(input: Tensor, num_groups: int, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Normalise groups of channels of each sample: layer norm on (N, G, C/G * spatial), then per-channel affine."""
    shape = tuple(input.shape)
    if len(shape) < 2 or shape[1] % num_groups:
        raise RuntimeError("Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {list(shape)} and num_groups={num_groups}")
    grouped = reshape(input, (shape[0], num_groups, math.prod(shape[1:]) // num_groups))
    normalised = reshape(layer_norm(grouped, grouped.shape[-1:], eps=eps), shape)
    view = (1, shape[1]) + (1,) * (len(shape) - 2)
    if weight is not None:
        normalised = normalised * reshape(weight, view)
    if bias is not None:
        normalised = normalised + reshape(bias, view)
    return normalised
