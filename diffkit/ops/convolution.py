"""Convolution (1-D, 2-D, 3-D; stride, padding, dilation, groups) as im2col and one matrix product.

The windows of the padded input are a zero-copy ``as_strided`` view; copying them into rows
("im2col") turns the whole convolution into a single BLAS product. Three primitives are
closed under differentiation, because convolution is bilinear in (input, weight):

    y  = conv(x, w)            dx = conv_input_grad(g, w)      dw = conv_weight_grad(x, g)

and the VJPs of the two gradient operations are again these three operations, so
``create_graph=True`` (double backward) works. ``conv_input_grad`` is also the transposed
convolution, which gives ``conv_transpose1d/2d`` for free.
"""
from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor
from ._primitive import apply, defprim, function, variant
from ._windows import Geometry, add_windows, crop, ntuple, pad_array, windows
from .linalg import same_dtype
from .reduction import sum as reduce_sum
from .shape import reshape, squeeze, unsqueeze


def _im2col(x: np.ndarray, geometry: Geometry) -> np.ndarray:
    """Every window as a column: (N, C * kernel size, output positions), channels outermost so that
    groups are contiguous blocks of rows."""
    d = len(geometry.kernel)
    view = windows(pad_array(x, geometry.padding), geometry.kernel, geometry.stride, geometry.dilation)
    order = (0, 1) + tuple(range(2 + d, 2 + 2 * d)) + tuple(range(2, 2 + d))
    cols = np.ascontiguousarray(view.transpose(order))
    rows = x.shape[1] * math.prod(geometry.kernel)  # explicit sizes: an empty batch has no -1 to infer
    return cols.reshape(x.shape[0], rows, math.prod(view.shape[2:2 + d]))


def _by_group(a: np.ndarray, groups: int) -> np.ndarray:
    """(N, G * k, P) -> (N, G, k, P): one block of rows per group."""
    return a.reshape(a.shape[0], groups, a.shape[1] // groups, a.shape[-1])


def _conv_forward(x, w, b, geometry: Geometry) -> np.ndarray:
    """One (batched) product W (O, C k) @ cols (N, C k, P) gives (N, O, P), already in NCHW order."""
    cols, groups, n_out = _im2col(x, geometry), geometry.groups, w.shape[0]
    kernels = w.reshape(groups, n_out // groups, -1)
    if groups == 1:
        result = np.matmul(kernels[0], cols)
    else:
        result = np.matmul(kernels, _by_group(cols, groups)).reshape(x.shape[0], n_out, cols.shape[-1])
    if b is not None:
        result += b[:, None]
    return result.reshape((x.shape[0], n_out) + geometry.output_shape(x.shape[2:]))


def _conv_weight(x, g, w_shape, geometry: Geometry) -> np.ndarray:
    """dW = sum over the batch of g_n (O, P) @ cols_n^T (P, C k)."""
    cols, groups = _im2col(x, geometry), geometry.groups
    g = g.reshape(g.shape[0], g.shape[1], math.prod(g.shape[2:]))
    if groups == 1:
        return np.matmul(g, cols.transpose(0, 2, 1)).sum(axis=0).reshape(w_shape)
    per_sample = np.matmul(_by_group(g, groups), _by_group(cols, groups).transpose(0, 1, 3, 2))
    return per_sample.sum(axis=0).reshape(w_shape)


def _conv_input(g, w, x_shape, geometry: Geometry) -> np.ndarray:
    """cols of dx = W^T (C k, O) @ g_n (O, P), then each window's column is added back onto the input."""
    groups, n_out, d = geometry.groups, w.shape[0], len(geometry.kernel)
    kernels_t = w.reshape(groups, n_out // groups, -1).transpose(0, 2, 1)
    flat = g.reshape(g.shape[0], n_out, math.prod(g.shape[2:]))
    if groups == 1:
        gcols = np.matmul(kernels_t[0], flat)
    else:
        gcols = np.matmul(kernels_t, _by_group(flat, groups))
    patches = gcols.reshape((g.shape[0], x_shape[1]) + tuple(geometry.kernel) + tuple(g.shape[2:]))
    patches = patches.transpose(tuple(range(2, 2 + d)) + (0, 1) + tuple(range(2 + d, 2 + 2 * d)))
    padded = tuple(x_shape[:2]) + tuple(s + lo + hi for s, (lo, hi) in zip(x_shape[2:], geometry.padding))
    return crop(add_windows(patches, padded, geometry), geometry.padding)


def _shape(x) -> tuple:
    return tuple(x.shape)


CONVOLUTION = defprim(
    "convolution", _conv_forward,
    (lambda g, out, x, w, b, geometry: conv_input_grad(g, w, x_shape=_shape(x), geometry=geometry),
     lambda g, out, x, w, b, geometry: conv_weight_grad(x, g, w_shape=_shape(w), geometry=geometry),
     lambda g, out, x, w, b, geometry: reduce_sum(g, (0,) + tuple(range(2, g.ndim)))),
    save=(0, 1), node="ConvolutionBackward0")
def _fit(u, g, geometry: Geometry):
    """``u`` (the gradient of conv_input_grad's output, e.g. a transposed convolution's) and a geometry whose
    windows number exactly ``g``'s positions. An output_padding of stride or more (allowed below the
    dilation) adds positions that no window of ``g`` reaches: they are cut (from the right padding first)."""
    pads, ends, changed = [], [], False
    for size, (lo, hi), k, st, di, n in zip(_shape(u)[2:], geometry.padding, geometry.kernel, geometry.stride,
                                            geometry.dilation, _shape(g)[2:]):
        excess = max(size + lo + hi - ((n - 1) * st + di * (k - 1) + 1), 0)
        from_pad = min(hi, excess)
        pads.append((lo, hi - from_pad))
        ends.append(size - (excess - from_pad))
        changed = changed or excess > 0
    if not changed:
        return u, geometry
    return u[(slice(None), slice(None)) + tuple(slice(0, e) for e in ends)], geometry._replace(padding=tuple(pads))


def _input_grad_vjp_g(u, out, g, w, x_shape, geometry):
    u, geometry = _fit(u, g, geometry)
    return convolution(u, w, None, geometry=geometry)


def _input_grad_vjp_w(u, out, g, w, x_shape, geometry):
    u, geometry = _fit(u, g, geometry)
    return conv_weight_grad(u, g, w_shape=_shape(w), geometry=geometry)


CONV_INPUT_GRAD = defprim("conv_input_grad", _conv_input, (_input_grad_vjp_g, _input_grad_vjp_w),
                          node="ConvolutionBackwardBackward0")
CONV_WEIGHT_GRAD = defprim(
    "conv_weight_grad", _conv_weight,
    (lambda v, out, x, g, w_shape, geometry: conv_input_grad(g, v, x_shape=_shape(x), geometry=geometry),
     lambda v, out, x, g, w_shape, geometry: convolution(x, v, None, geometry=geometry)),
    node="ConvolutionWeightBackwardBackward0")
CONV_TRANSPOSE = variant(CONV_INPUT_GRAD, "ConvTransposeBackward0")


convolution = function(CONVOLUTION)
conv_input_grad = function(CONV_INPUT_GRAD)
conv_weight_grad = function(CONV_WEIGHT_GRAD)


def _padding(padding, kernel, dilation, stride, d: int) -> tuple:
    if padding == "valid":
        return ((0, 0),) * d
    if padding == "same":
        if any(s != 1 for s in stride):
            raise ValueError("padding='same' is not supported for strided convolutions")
        totals = [di * (k - 1) for di, k in zip(dilation, kernel)]
        return tuple((t // 2, t - t // 2) for t in totals)
    if isinstance(padding, str):
        raise ValueError(f"Invalid padding string {padding!r}, should be one of ('valid', 'same')")
    return tuple((p, p) for p in ntuple(padding, d, "padding"))


def _batched(input: Tensor, d: int, name: str):
    if input.ndim == d + 1:
        return unsqueeze(input, 0), True
    if input.ndim != d + 2:
        raise RuntimeError(f"Expected {d + 1}D (unbatched) or {d + 2}D (batched) input to {name}, but got "
                           f"input of size: {list(input.shape)}")
    return input, False


def _same_dtypes(input: Tensor, weight: Tensor, bias: Tensor | None) -> None:
    same_dtype(input, weight, "Input type ({}) and weight type ({}) should be the same")
    if bias is not None:
        same_dtype(input, bias, "Input type ({}) and bias type ({}) should be the same")


def _check_arguments(weight: Tensor, bias: Tensor | None, stride: tuple, padding, dilation: tuple, groups: int,
                     d: int) -> None:
    """PyTorch's checks of a convolution's arguments, before a bad one turns into a numpy error or,
    worse, a wrong shape (a 3-D weight in conv2d would otherwise convolve one axis only)."""
    if weight.ndim != d + 2:
        raise RuntimeError(f"Expected {d + 2}-dimensional weight for conv{d}d, but got {weight.ndim}-dimensional "
                           f"weight of size {list(weight.shape)} instead")
    if any(st <= 0 for st in stride):
        raise RuntimeError("non-positive stride is not supported")
    if not isinstance(padding, str) and any(p < 0 for p in ntuple(padding, d, "padding")):
        raise RuntimeError("negative padding is not supported")
    if any(di <= 0 for di in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with "
                           f"{weight.shape[0]} elements, but got bias of size {list(bias.shape)} instead")


def _output_padding_message(extra: tuple, stride: tuple, dilation: tuple) -> str:
    """PyTorch's wording, which names the axes (a 1-D transposed convolution is its 2-D one of height 1)."""
    if len(extra) == 1:
        extra, stride, dilation = (0,) + extra, (1,) + stride, (1,) + dilation
    names = ("depth", "height", "width")[3 - len(extra):]
    parts = [f"{label}_{n}: {v}" for label, values in (("output_padding", extra), ("stride", stride),
                                                      ("dilation", dilation)) for n, v in zip(names, values)]
    return "output padding must be smaller than either stride or dilation, but got " + " ".join(parts)


def _conv(input, weight, bias, stride, padding, dilation, groups, d: int) -> Tensor:
    _same_dtypes(input, weight, bias)
    x, unbatched = _batched(input, d, f"conv{d}d")
    kernel = tuple(weight.shape[2:])
    stride, dilation = ntuple(stride, d, "stride"), ntuple(dilation, d, "dilation")
    _check_arguments(weight, bias, stride, padding, dilation, groups, d)
    if x.shape[1] != weight.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
                           f"{list(x.shape)} to have {weight.shape[1] * groups} channels, but got {x.shape[1]} "
                           "channels instead")
    geometry = Geometry(kernel, stride, _padding(padding, kernel, dilation, stride, d), dilation, groups)
    if any(o <= 0 for o in geometry.output_shape(tuple(x.shape[2:]))):
        padded = " x ".join(str(s + lo + hi) for s, (lo, hi) in zip(x.shape[2:], geometry.padding))
        dilated = " x ".join(str(di * (k - 1) + 1) for di, k in zip(dilation, kernel))
        raise RuntimeError(f"Calculated padded input size per channel: ({padded}). Kernel size: ({dilated}). "
                           "Kernel size can't be greater than actual input size")
    y = apply(CONVOLUTION, (x, weight, bias), {"geometry": geometry})
    return squeeze(y, 0) if unbatched else y


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1) -> Tensor:
    """1-D convolution (cross-correlation, as PyTorch) of (N, C, L) by (O, C/groups, k)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1) -> Tensor:
    """2-D convolution of (N, C, H, W) by (O, C/groups, kh, kw)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1) -> Tensor:
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3)


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, d: int) -> Tensor:
    _same_dtypes(input, weight, bias)
    x, unbatched = _batched(input, d, f"conv_transpose{d}d")
    kernel = tuple(weight.shape[2:])
    stride, dilation = ntuple(stride, d, "stride"), ntuple(dilation, d, "dilation")
    pads, extra = ntuple(padding, d, "padding"), ntuple(output_padding, d, "output_padding")
    _check_arguments(weight, None, stride, pads, dilation, groups, d)
    if x.shape[1] != weight.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected input{list(x.shape)} "
                           f"to have {weight.shape[0]} channels, but got {x.shape[1]} channels instead")
    if any(e >= st and e >= di for e, st, di in zip(extra, stride, dilation)):
        raise RuntimeError(_output_padding_message(extra, stride, dilation))
    if bias is not None and tuple(bias.shape) != (weight.shape[1] * groups,):
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected bias to be "
                           f"1-dimensional with {weight.shape[1] * groups} elements, but got bias of size "
                           f"{list(bias.shape)} instead")
    spatial = tuple((s - 1) * st - 2 * p + di * (k - 1) + e + 1
                    for s, st, p, di, k, e in zip(x.shape[2:], stride, pads, dilation, kernel, extra))
    out_shape = (x.shape[0], weight.shape[1] * groups) + spatial
    geometry = Geometry(kernel, stride, tuple((p, p) for p in pads), dilation, groups)
    y = apply(CONV_TRANSPOSE, (x, weight), {"x_shape": out_shape, "geometry": geometry})
    if bias is not None:
        y = y + reshape(bias, (1, -1) + (1,) * d)
    return squeeze(y, 0) if unbatched else y


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups: int = 1,
                     dilation=1) -> Tensor:
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 1)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups: int = 1,
                     dilation=1) -> Tensor:
    """The adjoint of conv2d (sometimes called deconvolution): weight (C_in, C_out/groups, kh, kw)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 2)
