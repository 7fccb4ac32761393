"""Indexing: ``x[idx]`` (ints, slices, None, Ellipsis, integer arrays, boolean masks),
``x[idx] = v``, index_select and the masks (gather/scatter are in scatter.py).

The gradient of reading is writing: ``x[idx]`` sends its gradient back by adding it into
zeros at ``idx`` (repeated indices accumulate), and that scatter's own gradient is reading
again, so second derivatives through indexing work too.
"""
from __future__ import annotations

import functools
import numbers
import re
import warnings

import numpy as np

from .._dtypes import C_TYPE_NAMES, SCALAR_TYPE_NAMES, from_numpy_dtype
from .._promotion import written_number
from ..autograd import grad_mode
from ..graphs.recorder import kernel, refuse_data_dependent
from ..tensor import Tensor, _wrap
from ._errors import torch_error
from ._index_layout import needs_torch_layout, torch_layout
from ._primitive import apply, defprim, dispatch_other, variant

_SEQUENCE_MESSAGE = ("Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed in "
                     "pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be interpreted as "
                     "tensor index, x[torch.tensor(seq)], which will result either in an error or a different result")
_INDEX_KINDS = frozenset({np.dtype(np.int64), np.dtype(np.int32), np.dtype(np.uint8), np.dtype(bool)})


def _sequence_as_tuple(index) -> bool:
    """PyTorch reads a list holding a tensor, a sequence, a slice, ``...`` or None as a tuple of
    indices (``x[[[0, 1], [1, 0]]]`` is ``x[[0, 1], [1, 0]]``), with a deprecation warning."""
    if not isinstance(index, list) or len(index) >= 32:
        return False
    if any(isinstance(i, (Tensor, list, tuple, np.ndarray, slice)) or i is None or i is Ellipsis for i in index):
        warnings.warn(_SEQUENCE_MESSAGE, UserWarning, stacklevel=4)
        return True
    return False


def _index_array(item) -> np.ndarray:
    array = np.asarray(item)
    if array.size == 0 and array.dtype.kind == "f":  # x[[]]
        return array.astype(np.int64)
    if array.dtype not in _INDEX_KINDS:
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if array.dtype == np.uint8:
        warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool instead.",
                      UserWarning, stacklevel=5)
        return array.astype(bool)
    return array


def normalize_index(index, shape: tuple | None = None) -> tuple:
    """An index as numpy understands it, validated as PyTorch validates it; given the indexed
    ``shape``, integers mixed with index tensors are laid out as PyTorch lays them out."""
    if _sequence_as_tuple(index):
        index = tuple(index)
    items = index if isinstance(index, tuple) else (index,)
    out = []
    for item in items:
        if isinstance(item, Tensor):
            item = item._data
            if item.dtype == np.bool_ or item.ndim == 0:  # a mask's positions, a 0-d index's value: this run's
                refuse_data_dependent("indexing with a boolean mask or a 0-d index tensor")
        if isinstance(item, np.ndarray) and item.ndim == 0 and item.dtype.kind in "iu":
            item = int(item)  # a 0-d integer tensor selects, as an integer does
        elif isinstance(item, (list, np.ndarray)):
            item = _index_array(item)
        elif isinstance(item, bool):
            pass
        elif isinstance(item, float):
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                             "Variables are valid indices (got float)")
        elif isinstance(item, numbers.Integral) and not isinstance(item, (int, np.integer)):
            item = int(item)
        elif isinstance(item, slice) and item.step is not None and item.step < 0:
            raise ValueError("step must be greater than zero")
        out.append(item)
    if shape is not None and needs_torch_layout(out):
        return torch_layout(tuple(out), shape)
    if not any(item is Ellipsis for item in out):
        out.append(Ellipsis)  # keeps results as array views, even for a single element
    return tuple(out)


def _is_advanced(index: tuple) -> bool:
    return any(isinstance(item, np.ndarray) or isinstance(item, bool) for item in index)


def _index_backward_forward(g, index, shape):
    z = np.zeros(shape, dtype=g.dtype)
    if _is_advanced(index):
        np.add.at(z, index, g)
    else:
        z[index] = g
    return z


INDEX_BACKWARD = defprim("index_backward", _index_backward_forward,
                         lambda g, out, x, index, shape: getitem(g, index),
                         jvp=lambda t, out, x, index, shape: _index_add_zeros(t, index, shape),
                         save="none", node="IndexBackwardBackward0")


def _index_add_zeros(g, index, shape):
    if isinstance(g, Tensor):
        return apply(INDEX_BACKWARD, (g,), {"index": index, "shape": shape})
    return _index_backward_forward(np.asarray(g), index, shape)


GETITEM = defprim("getitem", lambda x, index, shape: x[index],
                  lambda g, out, x, index, shape: _index_add_zeros(g, index, shape),
                  jvp=lambda t, out, x, index, shape: getitem(t, index),
                  save="none", node="IndexBackward0", display="{0}[…]")
_SELECT = variant(GETITEM, "SelectBackward0")
_SLICE = variant(GETITEM, "SliceBackward0")
_UNSQUEEZE = variant(GETITEM, "UnsqueezeBackward0")
_SELECT.is_view = _SLICE.is_view = _UNSQUEEZE.is_view = True  # basic indexing shares memory
_INDEX_SELECT = variant(GETITEM, "IndexSelectBackward0")


def _getitem_primitive(index: tuple):
    if _is_advanced(index):
        return GETITEM
    kinds = [type(i) for i in index if i is not Ellipsis]
    if any(issubclass(k, (int, np.integer)) for k in kinds):
        return _SELECT
    if kinds and all(k is type(None) for k in kinds):
        return _UNSQUEEZE
    return _SLICE


def getitem(x, index):
    """``x[index]`` for Tensors and arrays alike."""
    if not isinstance(index, tuple) or not index or index[-1] is not Ellipsis:
        index = normalize_index(index, np.shape(x))
    if isinstance(x, Tensor):
        try:
            return apply(_getitem_primitive(index), (x,), {"index": index, "shape": x._data.shape})
        except IndexError as error:
            raise _mask_error(error, index, x._data.shape) from None
    if isinstance(x, np.ndarray):
        return x[index]
    return dispatch_other(GETITEM, (x,), {"index": index, "shape": np.shape(x)})


def _mask_error(error: IndexError, index: tuple, shape: tuple) -> IndexError:
    """numpy names sizes along one axis; PyTorch names the mask's shape and the tensor's."""
    found = re.search(r"boolean index did not match indexed array along (?:axis|dimension) (\d+)", str(error))
    if not found:
        return error
    axis, offset = int(found.group(1)), 0
    for item in index:
        if isinstance(item, np.ndarray) and item.dtype == bool:
            if offset <= axis < offset + item.ndim:
                return IndexError(f"The shape of the mask {list(item.shape)} at index {axis - offset} does not "
                                  f"match the shape of the indexed tensor {list(shape)} at index {axis}")
            offset += item.ndim
        elif item is Ellipsis:
            break
        elif item is not None:
            offset += 1
    return IndexError(f"{error}; the tensor's shape is {list(shape)}")


def _selected(shape, index) -> np.ndarray:
    mask = np.zeros(shape, dtype=bool)
    mask[index] = True
    return mask


def _index_put_forward(x, value, index):
    y = np.array(x, copy=True)
    y[index] = value
    return y


INDEX_PUT = defprim("index_put", _index_put_forward,
                    (lambda g, out, x, v, index: _where_selected(g, index),
                     lambda g, out, x, v, index: getitem(g, index)),
                    save="none", node="CopySlices")


def _where_selected(g, index):
    from .elementwise import where

    return where(_selected(g.shape, index), 0.0, g)


def setitem(x: Tensor, index, value) -> None:
    """``x[index] = value`` in place; recorded on the tape when a gradient is needed."""
    index = normalize_index(index, x._data.shape)
    value_requires = isinstance(value, Tensor) and value._requires_grad
    if grad_mode.state.enabled and (x._requires_grad or value_requires):
        x._check_inplace()
        value = value if isinstance(value, Tensor) else Tensor(np.asarray(value, dtype=x._data.dtype))
        x._assign(apply(INDEX_PUT, (x, value.to(x.dtype)), {"index": index}))
        return
    written = value if isinstance(value, Tensor) else written_number(value, x._data.dtype)
    try:
        kernel(functools.partial(_put, index=index), (x, written), "setitem")  # written again at each replay
    except ValueError as error:
        raise RuntimeError(str(error).replace("could not broadcast", "shape mismatch: value tensor")) from error
    x._version += 1


def _put(target: np.ndarray, value, index) -> None:
    target[index] = value


# fill_/zero_/copy_ on a tensor with a history: the overwritten values get a zero gradient, the
# source (if any) all of it. Without a node the old grad_fn would stay and backward would send
# gradient through values that are gone.
FILL = defprim("fill", lambda x, value: np.full(x.shape, value, dtype=x.dtype),
               lambda g, out, x, value: _where_selected(g, (Ellipsis,)), save="none", node="FillBackward2")
_ZERO = variant(FILL, "ZeroBackward0")
_COPY = variant(INDEX_PUT, "CopyBackwards")
_FILL_TENSOR = variant(INDEX_PUT, "FillBackward3")


def overwrite(x: Tensor, value, how: str = "copy") -> Tensor:
    """The recorded result of ``x.fill_(value)`` (how="fill"), ``x.zero_()`` ("zero") or
    ``x.copy_(value)`` ("copy"), for ``Tensor._assign`` to write into ``x``."""
    if not isinstance(value, Tensor):
        prim = _ZERO if how == "zero" else FILL
        return apply(prim, (x,), {"value": value})
    from .shape import expand

    expand(value.detach(), x.shape)  # checks the shapes, with expand's error naming both
    prim = _FILL_TENSOR if how == "fill" else _COPY
    return apply(prim, (x, value.to(x.dtype)), {"index": (Ellipsis,)})


def index_select(x, dim: int, index):
    """The entries at ``index`` (int32/int64, each in [0, size), not counted from the end) along ``dim``."""
    from .shape import wrap_dim

    index = np.asarray(index._data if isinstance(index, Tensor) else index)
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    ndim = np.ndim(x)
    dim = wrap_dim(dim, ndim)
    if index.dtype not in (np.int32, np.int64):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if not ndim and index.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {index.size} value(s)")
    size = np.shape(x)[dim] if ndim else 1
    if index.size and (index.min() < 0 or index.max() >= size):
        if ndim > 1:  # PyTorch's kernels word it by dimension: up to 1-D, IndexError; else RuntimeError
            bad = index.min() if index.min() < 0 else index.max()
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={size}")
        raise IndexError("index out of range in self")
    # a 0-d index: one entry; a 0-d tensor: its one entry
    full = normalize_index((slice(None),) * dim + (index.reshape(-1),) if ndim else (Ellipsis,))
    if isinstance(x, Tensor):
        return apply(_INDEX_SELECT, (x,), {"index": full, "shape": x._data.shape})
    return np.asarray(x)[full]


def gather_grid(index: np.ndarray, dim: int) -> tuple:
    """The positions ``gather``/``scatter`` read or write: ``index`` along ``dim``, and along every
    other dimension the leading positions that the index covers."""
    grids = list(np.ix_(*[np.arange(s) for s in index.shape]))
    grids[dim] = index
    return tuple(grids)


def _bool_mask(mask, message: str) -> np.ndarray:
    """The mask as a bool array: PyTorch takes no other dtype (``message`` names the one given)."""
    array = np.asarray(mask._data if isinstance(mask, Tensor) else mask)
    if array.dtype != bool:
        raise RuntimeError(message.format(C_TYPE_NAMES[from_numpy_dtype(array.dtype).name]))
    return array


def masked_fill(x, mask, value):
    """``x`` with ``value`` where ``mask`` holds. The result keeps ``x``'s dtype, as PyTorch's
    (``value`` is cast to it: 0.5 stores 0 in an int64 tensor); ``value`` may be a 0-d tensor."""
    from .elementwise import WHERE

    mask = _bool_mask(mask, "masked_fill_ only supports boolean masks, but got mask with dtype {}")
    if not isinstance(x, Tensor):
        return dispatch_other(WHERE, (mask, value, x), {})
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value.ndim} dimension(s).")
        value = value.to(x.dtype)
    else:
        value = x._data.dtype.type(written_number(value, x._data.dtype))
    return apply(_MASKED_FILL, (mask, value, x))


def _masked_fill_primitive():
    from .elementwise import WHERE

    return variant(WHERE, "MaskedFillBackward0")


_MASKED_FILL = _masked_fill_primitive()
_MASKED_SELECT = variant(GETITEM, "MaskedSelectBackward0")


def masked_select(x, mask):
    """The elements of ``x`` where ``mask`` holds, as a vector; ``x`` and ``mask`` broadcast."""
    from .shape import expand

    refuse_data_dependent("masked_select")
    mask = _bool_mask(mask, "masked_select: expected BoolTensor for mask")
    try:
        shape = np.broadcast_shapes(np.shape(x), mask.shape)
    except ValueError as error:
        raise torch_error(error, [mask, np.broadcast_to(0, np.shape(x))]) from None  # PyTorch names the mask a
    if np.shape(x) != shape:
        x = expand(x, shape) if isinstance(x, Tensor) else np.broadcast_to(x, shape)
    mask = np.broadcast_to(mask, shape)
    if isinstance(x, Tensor):
        return apply(_MASKED_SELECT, (x,), {"index": (mask, Ellipsis), "shape": shape})
    return np.asarray(x)[mask]


def nonzero(x, as_tuple: bool = False):
    """The indices of the nonzero elements, one row each; of a 0-d tensor, one empty row if it is
    nonzero (as_tuple: read as a 1-d tensor, as PyTorch)."""
    refuse_data_dependent("nonzero / argwhere")
    values = x._data if isinstance(x, Tensor) else np.asarray(x)
    if as_tuple:
        return tuple(_wrap(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(values)))
    if not values.ndim:
        return _wrap(np.zeros((int(values != 0), 0), np.int64))
    return _wrap(np.stack(np.nonzero(values), axis=1).astype(np.int64))


def argwhere(x):
    """``nonzero``'s matrix form."""
    return nonzero(x)


def _take_vjp(g, out, x, index, shape):
    from .shape import reshape

    return reshape(_index_add_zeros(g, (index,), (int(np.prod(shape, dtype=np.int64)),)), shape)


TAKE = defprim("take", lambda x, index, shape: np.take(x.reshape(-1), index), _take_vjp,
               jvp=lambda t, out, x, index, shape: take(t, index), save="none")


def take(x, index):
    """Elements of the flattened ``x`` at ``index`` (the result has ``index``'s shape); the
    gradient adds up at repeated indices."""
    index = np.asarray(index._data if isinstance(index, Tensor) else index)
    if index.dtype != np.int64:
        raise RuntimeError("take(): Expected a long tensor for index, but got "
                           f"{SCALAR_TYPE_NAMES[from_numpy_dtype(index.dtype).name]}")
    size = int(np.prod(np.shape(x), dtype=np.int64))
    if ((index < -size) | (index >= size)).any():
        raise IndexError(f"out of range: tried to access index {int(index.max())} on a tensor of {size} elements.")
    index = np.where(index < 0, index + size, index)
    params = {"index": index, "shape": tuple(np.shape(x))}
    if isinstance(x, Tensor):
        return apply(TAKE, (x,), params)
    return dispatch_other(TAKE, (x,), params)
