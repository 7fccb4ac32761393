"""``gather``, ``scatter``, ``scatter_add`` and ``index_add``: reading and writing along one
dimension at the positions an index tensor gives.

PyTorch's index may be smaller than the tensor in every dimension (but ``dim`` for gather):
only the leading block it covers takes part, where numpy's ``take_along_axis`` would
broadcast the index instead. ``scatter`` writes (a repeated position keeps one of its values,
in practice the last, as PyTorch on CPU) and the overwritten values get no gradient;
``scatter_add`` and ``index_add`` accumulate.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from .._dtypes import SCALAR_TYPE_NAMES, from_numpy_dtype
from ..autograd import grad_mode
from ..tensor import Tensor, _wrap
from ._primitive import apply, defprim
from .indexing import (
    _index_add_zeros,
    _index_backward_forward,
    _index_put_forward,
    _where_selected,
    gather_grid,
    normalize_index,
)
from .shape import reshape, wrap_dim

_INDEX_DTYPES = (np.dtype(np.int64), np.dtype(np.int32))


def _array(x) -> np.ndarray:
    return np.asarray(x._data if isinstance(x, Tensor) else x)


def _type_name(array: np.ndarray) -> str:
    return SCALAR_TYPE_NAMES[from_numpy_dtype(array.dtype).name]


def _as_index(index, op: str) -> np.ndarray:
    array = _array(index)
    if array.dtype not in _INDEX_DTYPES:
        raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index")
    return array


def _check_bounds(index: np.ndarray, size: int, dim: int) -> None:
    if not index.size:
        return
    low, high = index.min(), index.max()
    if low < 0 or high >= size:
        bad = low if low < 0 else high
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")


def _covered(shape: tuple) -> tuple:
    """The leading block of a tensor that an index of ``shape`` covers."""
    return tuple(slice(0, s) for s in shape)


def _pad(g, shape: tuple):
    """``g`` in the leading block of zeros of ``shape`` (a src larger than its index)."""
    return g if tuple(g.shape) == tuple(shape) else _index_add_zeros(g, normalize_index(_covered(g.shape)), shape)


# ------------------------------------------------------------------ primitives
def _scatter_add_forward(src, dim, index, shape):
    return _index_backward_forward(src, gather_grid(index, dim), shape)  # index's backward: adds repeats


SCATTER_ADD = defprim("scatter_add", _scatter_add_forward,
                      lambda g, out, src, dim, index, shape: gather(g, dim, index),
                      jvp=lambda t, out, src, dim, index, shape: _scatter_add_zeros(t, dim, index, shape),
                      save="none", node="ScatterAddBackward0")
GATHER = defprim("gather", lambda x, dim, index: x[gather_grid(index, dim)],
                 lambda g, out, x, dim, index: _scatter_add_zeros(g, dim, index, x.shape),
                 jvp=lambda t, out, x, dim, index: gather(t, dim, index))


def _scatter_forward(x, src, dim, index, src_shape):
    return _index_put_forward(x, src[_covered(index.shape)], gather_grid(index, dim))


def _scatter_value_forward(x, dim, index, value):
    return _index_put_forward(x, value, gather_grid(index, dim))


def _unwritten(g, dim, index):
    """The gradient of the values that a scatter leaves in place (zero where it wrote)."""
    return _where_selected(g, gather_grid(index, dim))


SCATTER = defprim("scatter", _scatter_forward,
                  (lambda g, out, x, src, dim, index, src_shape: _unwritten(g, dim, index),
                   lambda g, out, x, src, dim, index, src_shape: _pad(gather(g, dim, index), src_shape)),
                  save="none", node="ScatterBackward0")
SCATTER_VALUE = defprim("scatter_value", _scatter_value_forward,
                        lambda g, out, x, dim, index, value: _unwritten(g, dim, index),
                        save="none", node="ScatterBackward1")


def _scatter_add_zeros(src, dim, index, shape):
    if isinstance(src, Tensor):
        return apply(SCATTER_ADD, (src,), {"dim": dim, "index": index, "shape": tuple(shape)})
    return _scatter_add_forward(np.asarray(src), dim, index, tuple(shape))


# ------------------------------------------------------------------ public functions
def _same_ndim(x, index: np.ndarray, name: str) -> None:
    if max(index.ndim, 1) != max(np.ndim(x), 1):
        raise RuntimeError(f"Index tensor must have the same number of dimensions as {name} tensor")


def gather(x, dim: int, index):
    """``out[i][j] = x[i][index[i][j]]`` along ``dim`` (the gradient scatters back)."""
    index = _as_index(index, "gather")
    dim = wrap_dim(dim, np.ndim(x))
    if not (index.ndim and np.ndim(x)):  # PyTorch reads a 0-d input or index as 1-d
        _same_ndim(x, index, "input")
        return reshape(gather(reshape(x, (-1,)), dim, index.reshape(-1)), index.shape)
    shape = np.shape(x)
    if index.ndim != len(shape):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    larger = [d for d in range(len(shape)) if d != dim and index.shape[d] > shape[d]]
    if larger:
        raise RuntimeError(f"Size does not match at dimension {larger[0]} expected index {list(index.shape)} to be "
                           f"no larger than self {list(shape)} apart from dimension {dim}")
    _check_bounds(index, shape[dim], dim)
    if isinstance(x, Tensor):
        return apply(GATHER, (x,), {"dim": dim, "index": index})
    return np.asarray(x)[gather_grid(index, dim)]


def _check_scatter(x, dim: int, index: np.ndarray, src) -> None:
    shape = np.shape(x)
    if index.ndim != len(shape):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    src_shape = None if src is None else np.shape(src)
    if src_shape is not None and len(src_shape) != index.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    if any(i > s for d, (i, s) in enumerate(zip(index.shape, shape)) if d != dim) or \
            (src_shape is not None and any(i > s for i, s in zip(index.shape, src_shape))):
        raise RuntimeError(f"Expected index {list(index.shape)} to be no larger than self {list(shape)} apart from "
                           f"dimension {dim} and to be no larger size than src {list(src_shape or index.shape)}")
    if src_shape is not None and _array(src).dtype != _array(x).dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    _check_bounds(index, shape[dim], dim)


def _vectors(x, index: np.ndarray, src) -> tuple:
    """self, index and a tensor src as 1-d, for a scatter where one of them is 0-d."""
    _same_ndim(x, index, "self")
    return reshape(x, (-1,)), index.reshape(-1), reshape(src, (-1,)) if isinstance(src, Tensor) else src


def scatter_add(x, dim: int, index, src):
    """``x`` plus ``src`` added at ``index`` along ``dim`` (repeated indices accumulate)."""
    index = _as_index(index, "scatter")
    dim = wrap_dim(dim, np.ndim(x))
    if not (index.ndim and np.ndim(x)):  # PyTorch reads a 0-d self, index or src as 1-d
        vector, index, src = _vectors(x, index, src)
        return reshape(scatter_add(vector, dim, index, src), np.shape(x))
    _check_scatter(x, dim, index, src)
    src = src[_covered(index.shape)]  # only the part of src that index covers
    return x + _scatter_add_zeros(src, dim, index, np.shape(x))


def scatter(x, dim: int, index, src=None, value=None, *, reduce: str | None = None):
    """``x`` with ``src`` (or the number ``value``) written at ``index`` along ``dim``; with
    ``reduce='add'`` or ``'multiply'``, combined with what is there instead."""
    if src is None:
        src = value
    if isinstance(src, Tensor) and src.ndim == 0 and not src.requires_grad:
        src = src.item()  # PyTorch takes a 0-d src as a number
    index = _as_index(index, "scatter")
    dim = wrap_dim(dim, np.ndim(x))
    if not (index.ndim and np.ndim(x)):  # PyTorch reads a 0-d self, index or src as 1-d
        vector, index, src = _vectors(x, index, src)
        return reshape(scatter(vector, dim, index, src, reduce=reduce), np.shape(x))
    number = isinstance(src, numbers.Number)
    _check_scatter(x, dim, index, None if number else src)
    if reduce is not None:
        return _scatter_reduce(x, dim, index, src, reduce)
    if number:
        return apply(SCATTER_VALUE, (x,), {"dim": dim, "index": index, "value": src})
    return apply(SCATTER, (x, src), {"dim": dim, "index": index, "src_shape": tuple(src.shape)})


def _scatter_reduce(x, dim: int, index: np.ndarray, src, reduce: str) -> Tensor:
    """scatter's deprecated ``reduce=``: forward only, as in PyTorch (which has no derivative for it)."""
    if reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    if not isinstance(src, numbers.Number):
        warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated and will be removed in a "
                      "future PyTorch release. Use torch.scatter_reduce instead for more reduction options.",
                      UserWarning, stacklevel=3)
    if grad_mode.state.enabled and any(isinstance(a, Tensor) and a.requires_grad for a in (x, src)):
        raise RuntimeError("derivative for aten::scatter is not implemented")
    y = np.array(_array(x), copy=True)
    values = src if isinstance(src, numbers.Number) else _array(src)[_covered(index.shape)]
    (np.add if reduce == "add" else np.multiply).at(y, gather_grid(index, dim), values)
    return _wrap(y)


def index_add(x, dim: int, index, source, *, alpha=1):
    """``x`` plus ``alpha * source`` added at ``index`` along ``dim`` (repeated indices accumulate)."""
    array = _array(index)
    if array.ndim > 1:
        raise IndexError(f"index_add_(): Index is supposed to be a vector, but got dim: {array.ndim} with type: "
                         f"{_type_name(array)} and size: {list(array.shape)}")
    if array.dtype not in _INDEX_DTYPES:
        raise RuntimeError(f"index_add_(): Expected dtype int32/int64 for index but got: {_type_name(array)}")
    dim = wrap_dim(dim, np.ndim(x))
    shape, source_shape = np.shape(x), np.shape(source)
    if _array(source).dtype != _array(x).dtype:
        raise RuntimeError(f"index_add_(): self ({_type_name(_array(x))}) and source ({_type_name(_array(source))}) "
                           "must have the same scalar type")
    others = [d for d in range(len(shape)) if d != dim]
    if len(source_shape) != len(shape) or any(source_shape[d] != shape[d] for d in others):
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {list(shape)} source.shape = {list(source_shape)}")
    array = array.reshape(-1)
    if array.size != source_shape[dim]:
        raise RuntimeError(f"index_add_(): Number of indices ({array.size}) should be equal to source.size(dim): "
                           f"({source_shape[dim]}), for dim: {dim}")
    if len(shape) > 1:  # PyTorch's kernels word it by dimension: 1-D, IndexError; else RuntimeError
        _check_bounds(array, shape[dim], dim)
    elif array.size and (array.min() < 0 or array.max() >= shape[dim]):
        raise IndexError("index out of range in self")
    scaled = source if alpha == 1 else source * alpha
    return x + _index_add_zeros(scaled, normalize_index((slice(None),) * dim + (array,)), shape)

