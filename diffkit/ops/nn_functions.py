"""Layer kernels that are not convolution, pooling or normalisation: linear, embedding,
dropout, pad, one_hot.

``linear`` is one primitive (``x @ W.T + b``, as PyTorch's ``addmm``) rather than three
nodes; its rules are matrix products, so double backward works. ``embedding`` gathers rows
and scatters its gradient back (the padding row gets none). ``dropout`` multiplies by a
constant scaled mask, which is a ``mul`` under PyTorch's node name.
"""
from __future__ import annotations

import functools
import numbers

import numpy as np

from .._dtypes import SCALAR_TYPE_NAMES
from ..graphs.recorder import kernel
from ..tensor import Tensor, _wrap
from ._blas import gemm
from ._primitive import apply, defprim, variant
from ._sums import sum_leading
from .elementwise import MUL
from .indexing import _index_add_zeros, getitem
from .linalg import MIXED_BIAS, MIXED_PRODUCT, matmul, same_dtype
from .reduction import sum as reduce_sum
from .shape import reshape, transpose


# ---------------------------------------------------------------------------- linear
def _linear_forward(x, w, b):
    out = gemm(x, w.T)
    if b is not None:
        out += b
    return out


def _linear_input_grad(g, out, x, w, b):
    if g.__class__ is np.ndarray and w.__class__ is np.ndarray:  # the common case, without dispatch
        return gemm(g, w)
    return matmul(g, w)


def _linear_weight_grad(g, out, x, w, b):
    if g.__class__ is np.ndarray and g.ndim == 2:  # the common case, without dispatch
        return gemm(g.T, x)
    n_out, n_in = w.shape
    return matmul(transpose(reshape(g, (-1, n_out)), 0, 1), reshape(x, (-1, n_in)))


def _linear_bias_grad(g, out, x, w, b):
    if g.ndim < 2:
        return g
    if g.__class__ is np.ndarray:
        return sum_leading(g, g.ndim - 1)
    return reduce_sum(g, tuple(range(g.ndim - 1)))


LINEAR = defprim("linear", _linear_forward, (_linear_input_grad, _linear_weight_grad, _linear_bias_grad),
                 save=(0, 1), node="AddmmBackward0")


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` over the last dimension of ``input``."""
    x_tensor, w_tensor = isinstance(input, Tensor), isinstance(weight, Tensor)
    x_shape = input._data.shape if x_tensor else np.shape(input)
    w_shape = weight._data.shape if w_tensor else np.shape(weight)
    if not x_shape or not w_shape:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are {len(x_shape)}D and "
                           f"{len(w_shape)}D")
    if x_shape[-1] != w_shape[-1]:
        rows = int(np.prod(x_shape[:-1])) if len(x_shape) > 1 else 1
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x_shape[-1]} and "
                           f"{w_shape[1]}x{w_shape[0]})")
    if x_tensor and w_tensor:
        dtype = input._data.dtype
        if weight._data.dtype is not dtype:
            same_dtype(input, weight, MIXED_PRODUCT)
        if isinstance(bias, Tensor) and bias._data.dtype is not dtype:
            same_dtype(bias, input, MIXED_BIAS, SCALAR_TYPE_NAMES)
    return apply(LINEAR, (input, weight, bias))


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``y_k = x1 W_k x2 + b_k`` (composed: two products)."""
    if tuple(input1.shape[:-1]) != tuple(input2.shape[:-1]):
        dim = next(i for i, (a, b) in enumerate(zip(input1.shape, input2.shape)) if a != b)
        raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {dim}: got "
                           f"{input1.shape[dim]} and {input2.shape[dim]}")
    for name, x, size in (("input1", input1, weight.shape[1]), ("input2", input2, weight.shape[2])):
        if x.shape[-1] != size:
            raise RuntimeError(f"bilinear(): {name} size does not match weight size: got {x.shape[-1]} but "
                               f"expected {size}")
    out = reduce_sum(matmul(input1.unsqueeze(-2).unsqueeze(-2), weight).squeeze(-2) * input2.unsqueeze(-2), -1)
    return out if bias is None else out + bias


# ---------------------------------------------------------------------------- embedding
def _embedding_vjp(g, out, w, indices, factor, shape):
    grad = _index_add_zeros(g, (indices, Ellipsis), shape)
    return grad if factor is None else grad * factor


EMBEDDING = defprim("embedding", lambda w, indices, factor, shape: w[indices], _embedding_vjp,
                    save="none", node="EmbeddingBackward0")


def _row_factor(indices: np.ndarray, shape: tuple, padding_idx: int | None, by_freq: bool, dtype):
    """Per row of the table, what its summed gradient is multiplied by: 0 for the padding row,
    1/(occurrences in the batch) with ``scale_grad_by_freq``; None when every factor is 1."""
    if padding_idx is None and not by_freq:
        return None
    factor = np.ones((shape[0],) + (1,) * (len(shape) - 1), dtype=dtype)
    if by_freq:
        counts = np.bincount(indices.ravel(), minlength=shape[0]).reshape(factor.shape)
        np.divide(factor, counts, out=factor, where=counts > 0)
    if padding_idx is not None:
        factor[padding_idx] = 0
    return factor


def embedding(input, weight: Tensor, padding_idx: int | None = None, max_norm=None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` at the integer ``input``; no gradient flows into row ``padding_idx``."""
    indices = np.asarray(input._data if isinstance(input, Tensor) else input)
    if indices.dtype.kind not in "iu":
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {indices.dtype} instead")
    n = weight.shape[0]
    if indices.size and (indices.min() < 0 or indices.max() >= n):  # PyTorch does not wrap negatives
        raise IndexError("index out of range in self")
    if max_norm is not None:  # renormalise the looked-up rows in place, as PyTorch does
        kernel(functools.partial(_renorm_rows, max_norm=max_norm, norm_type=norm_type), (weight, indices),
               "embedding max_norm")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += n
    shape = tuple(weight.shape)
    factor = _row_factor(indices, shape, padding_idx, scale_grad_by_freq, weight._data.dtype)
    return apply(EMBEDDING, (weight,), {"indices": indices, "factor": factor, "shape": shape})


def _renorm_rows(weight: np.ndarray, indices: np.ndarray, max_norm: float, norm_type: float) -> None:
    rows = np.unique(indices)
    norms = np.linalg.norm(weight[rows], ord=norm_type, axis=1, keepdims=True)
    weight[rows] *= np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices to int64 one-hot vectors along a new last dimension."""
    indices = tensor._data
    if indices.dtype.kind not in "iu":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes < 0:
        num_classes = int(indices.max()) + 1 if indices.size else 0
    if indices.size and indices.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if indices.size and indices.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return _wrap((indices[..., None] == np.arange(num_classes)).astype(np.int64))


# ---------------------------------------------------------------------------- dropout
DROPOUT = variant(MUL, "NativeDropoutBackward0")


def _check_p(p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _scaled_keep(generator, shape: tuple, p: float, dtype) -> np.ndarray:
    """Each element kept with probability 1 - p, as 1/(1-p) (0 where dropped)."""
    keep = generator.rng.random(shape) >= p
    return keep.astype(dtype) * np.asarray(0.0 if p == 1.0 else 1.0 / (1.0 - p), dtype=dtype)


def _masked(input: Tensor, mask_shape: tuple, p: float, inplace: bool) -> Tensor:
    from ..creation import default_generator

    mask = kernel(functools.partial(_scaled_keep, default_generator, mask_shape, p, input._data.dtype), (),
                  "dropout mask")  # drawn again at each replay of a captured step
    result = apply(DROPOUT, (input, mask))
    return input._assign(result) if inplace else result


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p); identity when not training."""
    _check_p(p)
    if not training or p == 0.0:
        return input
    return _masked(input, tuple(input.shape), p, inplace)


def _channel_dropout(input: Tensor, p: float, training: bool, inplace: bool, d: int) -> Tensor:
    _check_p(p)
    if not training or p == 0.0:
        return input
    shape = tuple(input.shape)
    batched = len(shape) == d + 2
    return _masked(input, (shape[:2] if batched else shape[:1]) + (1,) * d, p, inplace)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) inputs."""
    return _channel_dropout(input, p, training, inplace, 1)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels (feature maps) of (N, C, H, W) inputs."""
    return _channel_dropout(input, p, training, inplace, 2)


# ---------------------------------------------------------------------------- pad
def _pad_forward(x, widths, value):
    return np.pad(x, widths, constant_values=value)


def _pad_vjp(g, out, x, widths, value):
    return getitem(g, tuple(slice(lo, g.shape[i] - hi) for i, (lo, hi) in enumerate(widths)) + (Ellipsis,))


CONSTANT_PAD = defprim("constant_pad", _pad_forward, _pad_vjp, save="none", node="ConstantPadNdBackward0")


def _source_index(n: int, lo: int, hi: int, mode: str) -> np.ndarray:
    """Which input position each padded position copies (reflect, replicate, circular)."""
    i = np.arange(-lo, n + hi)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    if mode == "circular":
        return i % n
    if mode == "reflect":
        period = 2 * (n - 1) if n > 1 else 1
        i = np.abs(i) % period
        return np.where(i >= n, period - i, i)
    raise NotImplementedError(f"padding mode {mode!r} is not supported")


def _check_mode_padding(input: Tensor, pad: tuple, widths: list, mode: str) -> None:
    """PyTorch's limits for reflect, replicate and circular padding: the last 1-3 dimensions of a batched or
    unbatched input, reflections shorter than the dimension, one wrap-around at most."""
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    padded = len(pad) // 2
    if not 1 <= padded <= 3 or input.ndim not in (padded + 1, padded + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    for i in range(input.ndim - padded, input.ndim):
        (lo, hi), n = widths[i], input.shape[i]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"Argument #{2 * padded + 2}: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({lo}, {hi}) at dimension {i} of input "
                               f"{list(input.shape)}")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dimensions: ``pad = (left_last, right_last, left_prev, ...)``.
    Negative amounts crop."""
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise RuntimeError("Padding length must be divisible by 2 and at most twice the number of dimensions")
    widths = [(0, 0)] * input.ndim
    for k in range(len(pad) // 2):
        widths[input.ndim - 1 - k] = (pad[2 * k], pad[2 * k + 1])
    if any(lo < 0 or hi < 0 for lo, hi in widths):  # crop first, then pad what remains positive
        crop = tuple(slice(max(-lo, 0), input.shape[i] - max(-hi, 0)) for i, (lo, hi) in enumerate(widths))
        input = input[crop]
        widths = [(max(lo, 0), max(hi, 0)) for lo, hi in widths]
    if mode != "constant":
        _check_mode_padding(input, pad, widths, mode)
    if mode == "constant":
        fill = 0.0 if value is None else value
        if isinstance(fill, numbers.Number) and not any(lo or hi for lo, hi in widths):
            return input
        return apply(CONSTANT_PAD, (input,), {"widths": tuple(widths), "value": fill})
    first = next((i for i, (lo, hi) in enumerate(widths) if lo or hi), input.ndim)
    k = input.ndim - first  # dimensions indexed by (broadcast) integer arrays: the first padded one onward
    index = [slice(None)] * first
    for j, i in enumerate(range(first, input.ndim)):
        shape = [1] * k
        shape[j] = -1
        index.append(_source_index(input.shape[i], *widths[i], mode).reshape(shape))
    return input[tuple(index)]
