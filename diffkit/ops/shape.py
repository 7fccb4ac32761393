"""Shape primitives: reshape, transpose, permute, expand, cat, stack, flip, dtype casts
(narrow, split, chunk and unbind, which cut a tensor into pieces, are in pieces.py).

All are linear, so each JVP is the operation itself applied to the tangent, and each VJP is
its adjoint (reshape back, transpose back, sum over the expansion, slice the gradient).
"""
from __future__ import annotations

import math

import numpy as np

from .._dtypes import to_numpy_dtype
from .._size import Size
from ..tensor import Tensor
from ._primitive import apply, defprim, dispatch_other, variadic, variant
from ._sums import sum_to_array


def _call(prim, args, params):
    """Dispatch a shape primitive: Tensors are recorded, anything else goes to numpy."""
    for a in args:
        if isinstance(a, Tensor):
            return apply(prim, args, params)
    return dispatch_other(prim, args, params)


def _shape_args(shape) -> tuple:
    """``f(2, 3)``, ``f((2, 3))`` and ``f(Size([2, 3]))`` all mean the shape (2, 3)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, Size)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def wrap_dim(dim: int, ndim: int) -> int:
    """``dim`` counted from 0, or PyTorch's IndexError when it is out of range (a 0-d tensor
    accepts 0 and -1)."""
    bound = max(ndim, 1)
    if not -bound <= dim < bound:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-bound}, {bound - 1}], "
                         f"but got {dim})")
    return dim % bound


def _resolve(shape: tuple, size: int) -> tuple:
    if -1 in shape:
        if shape.count(-1) > 1:
            raise RuntimeError("only one dimension can be inferred")
        known = math.prod([s for s in shape if s != -1])
        if known != 0 and size % known == 0:
            shape = tuple([size // known if s == -1 else s for s in shape])
    if -1 in shape or math.prod(shape) != size:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
    return shape


RESHAPE = defprim("reshape", lambda x, shape, original: np.reshape(x, shape),
                  lambda g, out, x, shape, original: reshape(g, original),
                  jvp=lambda t, out, x, shape, original: reshape(t, shape),
                  save="none", node="ViewBackward0", display="reshape({0})", view=True)
UNSQUEEZE = variant(RESHAPE, "UnsqueezeBackward0")
SQUEEZE = variant(RESHAPE, "SqueezeBackward0")
SQUEEZE_DIM = variant(RESHAPE, "SqueezeBackward1")


def reshape(x, *shape):
    """The same values in a new shape (one dimension may be -1)."""
    shape = _shape_args(shape)
    original = tuple(np.shape(x))
    shape = _resolve(shape, math.prod(original))
    return _call(RESHAPE, (x,), {"shape": shape, "original": original})


def view(x, *shape):
    """``reshape`` that never copies: as in PyTorch, an error when the memory layout (say, of a
    transposed tensor) does not allow the new shape without a copy."""
    result = reshape(x, *shape)
    if isinstance(x, Tensor) and x._data.size and not np.may_share_memory(result._data, x._data):
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                           "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
    return result


def flatten(x, start_dim: int = 0, end_dim: int = -1):
    shape = tuple(np.shape(x))
    start, end = wrap_dim(start_dim, len(shape)), wrap_dim(end_dim, len(shape))  # 0-d: 0 or -1 only
    if not shape:
        return reshape(x, (1,))
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    # the merged size spelled out: -1 cannot be inferred beside a 0 (an empty tensor)
    return reshape(x, shape[:start] + (math.prod(shape[start:end + 1]),) + shape[end + 1:])


def unflatten(x, dim: int, sizes):
    shape = tuple(np.shape(x))
    dim = wrap_dim(dim, len(shape))
    return reshape(x, shape[:dim] + tuple(sizes) + shape[dim + 1:])


def unsqueeze(x, dim: int):
    shape = tuple(np.shape(x))
    dim = wrap_dim(dim, len(shape) + 1)
    return _call(UNSQUEEZE, (x,), {"shape": shape[:dim] + (1,) + shape[dim:], "original": shape})


def _squeezed(shape: tuple, dim) -> tuple:
    if dim is None:
        return tuple(s for s in shape if s != 1), SQUEEZE
    dims = {wrap_dim(d, len(shape)) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}
    return tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1)), SQUEEZE_DIM


def squeeze(x, dim=None):
    shape = tuple(np.shape(x))
    new, prim = _squeezed(shape, dim)
    return _call(prim, (x,), {"shape": new, "original": shape})


SQUEEZE_INPLACE = variant(RESHAPE, "SqueezeBackward4")
UNSQUEEZE_INPLACE = variant(RESHAPE, "UnsqueezeBackward1")


def squeeze_(x: Tensor, dim=None) -> Tensor:
    """``squeeze`` in place: ``x`` itself becomes the squeezed view."""
    return _reshape_in_place(x, _squeezed(tuple(x.shape), dim)[0], SQUEEZE_INPLACE)


def unsqueeze_(x: Tensor, dim: int) -> Tensor:
    shape = tuple(x.shape)
    dim = wrap_dim(dim, len(shape) + 1)
    return _reshape_in_place(x, shape[:dim] + (1,) + shape[dim:], UNSQUEEZE_INPLACE)


def _reshape_in_place(x: Tensor, shape: tuple, prim) -> Tensor:
    """Give ``x`` a new shape over the same memory, with its history (as PyTorch's in-place
    view ops: the metadata changes, the version counter is bumped, a leaf needing a gradient refuses)."""
    x._check_inplace()
    result = apply(prim, (x,), {"shape": shape, "original": tuple(x.shape)})
    x._data = result._data
    if result.grad_fn is not None:
        x.grad_fn = result.grad_fn
    x._version += 1
    return x


def _swapaxes(x, dim0: int, dim1: int):
    return np.swapaxes(x, dim0, dim1) if x.ndim else x[...]  # a 0-d tensor is its own transpose


TRANSPOSE = defprim("transpose", _swapaxes,
                    lambda g, out, x, dim0, dim1: transpose(g, dim0, dim1),
                    jvp=lambda t, out, x, dim0, dim1: transpose(t, dim0, dim1), save="none", view=True)
T_PRIM = variant(TRANSPOSE, "TBackward0")


def transpose(x, dim0: int, dim1: int):
    if not np.ndim(x):
        dim0, dim1 = wrap_dim(dim0, 0), wrap_dim(dim1, 0)
    return _call(TRANSPOSE, (x,), {"dim0": dim0, "dim1": dim1})


swapaxes = swapdims = transpose


def t(x):
    """Transpose of a matrix (a vector is returned as it is)."""
    ndim = np.ndim(x)
    if ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {ndim}D")
    return _call(T_PRIM, (x,), {"dim0": 0, "dim1": ndim - 1 if ndim else 0})


PERMUTE = defprim("permute", lambda x, dims: np.transpose(x, dims),
                  lambda g, out, x, dims: permute(g, tuple(np.argsort(dims))),
                  jvp=lambda t, out, x, dims: permute(t, dims), save="none", view=True)


def permute(x, *dims):
    dims = _shape_args(dims)
    ndim = np.ndim(x)
    if len(dims) != ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match "
                           f"the length of the desired ordering of dimensions i.e. input.dim() = {ndim} "
                           f"is not equal to len(dims) = {len(dims)}")
    return _call(PERMUTE, (x,), {"dims": tuple(d % ndim for d in dims)})


def movedim(x, source, destination):
    """Move dimensions ``source`` to positions ``destination``; the others keep their order."""
    ndim = np.ndim(x)
    src = [wrap_dim(s, ndim) for s in (source if isinstance(source, (tuple, list)) else (source,))]
    dst = [wrap_dim(d, ndim) for d in (destination if isinstance(destination, (tuple, list)) else (destination,))]
    if not ndim:  # a 0-d tensor has one order
        return permute(x, ())
    order = [None] * ndim
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(i for i in range(ndim) if i not in src)
    return permute(x, tuple(o if o is not None else next(rest) for o in order))


moveaxis = movedim


EXPAND = defprim("expand", lambda x, shape: np.broadcast_to(x, shape),
                 lambda g, out, x, shape: g,  # the engine sums the gradient back to x's shape
                 jvp=lambda t, out, x, shape: expand(t, shape), save="none")
def expand(x, *shape):
    """Broadcast to a larger shape without copying (-1 keeps a dimension)."""
    shape = _shape_args(shape)
    current = tuple(np.shape(x))
    lead = len(shape) - len(current)
    if lead < 0:
        raise RuntimeError(f"expand: the number of sizes provided ({len(shape)}) must be greater or "
                           f"equal to the number of dimensions in the tensor ({len(current)})")
    shape = tuple(current[i - lead] if s == -1 else s for i, s in enumerate(shape))
    for i, s in enumerate(current):
        if s != 1 and s != shape[i + lead]:
            raise RuntimeError(f"The expanded size of the tensor ({shape[i + lead]}) must match the existing "
                               f"size ({s}) at non-singleton dimension {i + lead}.  Target sizes: "
                               f"{list(shape)}.  Tensor sizes: {list(current)}")
    if shape == current and isinstance(x, Tensor) and not x.requires_grad:
        return x
    return _call(EXPAND, (x,), {"shape": shape})


broadcast_to = expand


def expand_as(x, other):
    return expand(x, tuple(np.shape(other)))


def sum_to_size(x, *shape):
    """Sum ``x`` down to ``shape`` (the adjoint of ``expand``)."""
    shape = _shape_args(shape)
    if tuple(np.shape(x)) == shape:
        return x
    if isinstance(x, Tensor):
        # the rule needs the original shape: keep it as a parameter (x itself is not saved)
        return apply(SUM_TO_SIZE, (x,), {"shape": shape, "original": tuple(x.shape)})
    return sum_to_array(x, shape)


SUM_TO_SIZE = defprim(
    "sum_to_size", lambda x, shape, original: sum_to_array(x, shape),
    lambda g, out, x, shape, original: expand(g, original),
    jvp=lambda t, out, x, shape, original: sum_to_size(t, shape), save="none", node="SumBackward1")


def _repeat_forward(x, repeats):
    return np.tile(x, repeats)


def _repeat_vjp(g, out, x, repeats, original):
    lead = len(repeats) - len(original)
    shape = (1,) * lead + tuple(original)
    split = []
    for r, s in zip(repeats, shape):
        split += [r, s]
    summed = sum_axes(reshape(g, tuple(split)), tuple(range(0, 2 * len(shape), 2)))
    return reshape(summed, original)


def sum_axes(x, axes):
    from .reduction import sum as reduce_sum

    return reduce_sum(x, axes)


REPEAT = defprim("repeat", lambda x, repeats, original: _repeat_forward(x, repeats), _repeat_vjp,
                 jvp=lambda t, out, x, repeats, original: repeat(t, repeats), save="none")


def repeat(x, *repeats):
    repeats = _shape_args(repeats)
    if len(repeats) < np.ndim(x):
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    return _call(REPEAT, (x,), {"repeats": repeats, "original": tuple(np.shape(x))})




def tile(x, *dims):
    """``repeat`` that also accepts fewer repetitions than dimensions (leading ones are 1)."""
    dims = _shape_args(dims)
    return repeat(x, (1,) * (np.ndim(x) - len(dims)) + dims)


def _slice_along(g, dim: int, start: int, stop: int):
    return g[(slice(None),) * dim + (slice(start, stop),)]


CAT = defprim("cat", lambda *xs, dim, sizes: np.concatenate(xs, axis=dim),
              variadic(lambda i, g, out, *xs, dim, sizes:
                       _slice_along(g, dim, sum_of(sizes[:i]), sum_of(sizes[:i + 1]))),
              jvp=variadic(lambda i, t, out, *xs, dim, sizes: _pad_along(t, dim, sum_of(sizes[:i]), sum_of(sizes))),
              save="none")


def sum_of(values) -> int:
    total = 0
    for v in values:
        total += v
    return total


def _pad_forward(t, dim, start, total):
    shape = list(t.shape)
    shape[dim] = total
    z = np.zeros(shape, dtype=t.dtype)
    z[(slice(None),) * dim + (slice(start, start + t.shape[dim]),)] = t
    return z


PAD_ALONG = defprim("pad_along", _pad_forward,
                    lambda g, out, t, dim, start, total: _slice_along(g, dim, start, start + t.shape[dim]),
                    jvp=lambda u, out, t, dim, start, total: _pad_along(u, dim, start, total),
                    save="inputs", node="SliceBackwardBackward0")


def _pad_along(t, dim: int, start: int, total: int):
    """Zeros of length ``total`` along ``dim`` with ``t`` placed at ``start`` (the adjoint of slicing)."""
    return _call(PAD_ALONG, (t,), {"dim": dim, "start": start, "total": total})


def cat(tensors, dim: int = 0):
    """Concatenate along an existing dimension."""
    tensors = [x for x in tensors]
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, x in enumerate(tensors):
        if not np.ndim(x):
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    ndim = max(np.ndim(x) for x in tensors)
    kept = [x for x in tensors if not (np.ndim(x) == 1 and np.shape(x)[0] == 0)] or tensors[:1]
    if len(kept) < len(tensors):  # PyTorch skips legacy empty tensors, but their dtypes still promote
        tensors = _promoted(kept, tensors)
    else:
        tensors = kept
    dim = wrap_dim(dim, ndim)
    reference = np.shape(tensors[0])
    for i, x in enumerate(tensors):
        shape = np.shape(x)
        if len(shape) != len(reference) or any(a != b for k, (a, b) in enumerate(zip(shape, reference)) if k != dim):
            raise RuntimeError(f"Sizes of tensors must match except in dimension {dim}. Expected size "
                               f"{list(reference)} but got size {list(shape)} for tensor number {i} in the list.")
    sizes = tuple(np.shape(x)[dim] for x in tensors)
    return _call(CAT, tuple(tensors), {"dim": dim, "sizes": sizes})


concatenate = concat = cat


def _promoted(kept: list, every: list) -> list:
    """``kept`` in the dtype that ``every`` promotes to."""
    from .._promotion import promote

    target = None
    for x in every:
        target = promote(target, np.asarray(x._data if isinstance(x, Tensor) else x).dtype)
    return [cast(x, target) for x in kept]


STACK = defprim("stack", lambda *xs, dim: np.stack(xs, axis=dim),
                variadic(lambda i, g, out, *xs, dim: select(g, dim, i)),
                jvp=variadic(lambda i, t, out, *xs, dim: _pad_along(unsqueeze(t, dim), dim, i, len(xs))),
                save="none",
                sympy=lambda *xs, dim: np.stack([np.asarray(x, dtype=object) for x in xs], axis=dim))


def stack(tensors, dim: int = 0):
    """Join tensors of one shape along a new dimension."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = np.shape(tensors[0])
    for i, x in enumerate(tensors):
        if np.shape(x) != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 "
                               f"and {list(np.shape(x))} at entry {i}")
    dim = wrap_dim(dim, len(shape) + 1)
    return _call(STACK, tuple(tensors), {"dim": dim})


def select(x, dim: int, index: int):
    return x[(slice(None),) * wrap_dim(dim, np.ndim(x)) + (index,)]


FLIP = defprim("flip", lambda x, dims: np.flip(x, dims), lambda g, out, x, dims: flip(g, dims),
               jvp=lambda t, out, x, dims: flip(t, dims), save="none")


def flip(x, dims):
    """Reverse the order along ``dims``; a 0-d tensor's dim 0 or -1 flips nothing, as in PyTorch."""
    ndim = np.ndim(x)
    dims = tuple(wrap_dim(d, ndim) for d in (dims if isinstance(dims, (tuple, list)) else (dims,)))
    if len(set(dims)) < len(dims):
        repeated = next(d for d in dims if dims.count(d) > 1)
        raise RuntimeError(f"dim {repeated} appears multiple times in the list of dims")
    return _call(FLIP, (x,), {"dims": dims if ndim else ()})


CLONE = defprim("clone", lambda x: np.array(x, copy=True), lambda g, out, x: g,
                jvp=lambda t, out, x: t, save="none", display="{0}")


def clone(x, memory_format=None):
    return _call(CLONE, (x,), {})


def to_dtype(x, dtype):
    """Convert to another dtype; the gradient is converted back."""
    np_dtype = to_numpy_dtype(dtype)
    return _call(_TO, (x,), {"dtype": np_dtype, "original": np.asarray(x._data if isinstance(x, Tensor) else x).dtype})


_TO = defprim("to", lambda x, dtype, original: x.astype(dtype),
              lambda g, out, x, dtype, original: cast(g, original),
              jvp=lambda t, out, x, dtype, original: cast(t, dtype), save="none", node="ToCopyBackward0",
              promotes=False)


def cast(x, np_dtype):
    """Polymorphic dtype conversion used inside rules (no node when nothing changes)."""
    if isinstance(x, Tensor):
        return x if x._data.dtype == np_dtype else apply(_TO, (x,), {"dtype": np_dtype, "original": x._data.dtype})
    return np.asarray(x).astype(np_dtype, copy=False)


def cast_like(x, reference):
    """``x`` converted to the dtype of ``reference`` (a mask to a float, say)."""
    dtype = reference._data.dtype if isinstance(reference, Tensor) else np.asarray(reference).dtype
    return cast(x, dtype)
