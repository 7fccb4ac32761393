"""Matrix products: ``matmul`` (1-D, 2-D and batched with broadcasting), ``mm``, ``bmm``,
``mv``, ``dot``, ``outer``.

One primitive covers every case of ``matmul``; its node is named after the case, as in
PyTorch (``DotBackward0``, ``MvBackward0``, ``MmBackward0``, ``BmmBackward0``,
``UnsafeViewBackward0``). Batch dimensions that were broadcast are summed back by the
engine.
"""
from __future__ import annotations

import numpy as np

from .._dtypes import C_TYPE_NAMES
from ..tensor import Tensor
from ._blas import gemm
from ._primitive import apply, defprim, dispatch_other, function, variant
from .shape import reshape, transpose, unsqueeze


def _grad_a(g, out, a, b):
    if b.ndim == 1:
        return g * b if a.ndim == 1 else unsqueeze(g, -1) * b
    if a.ndim == 1:
        return matmul(b, unsqueeze(g, -1))[..., 0]
    if a.ndim > 2 and b.ndim == 2:  # one big product instead of a batch of small ones
        return matmul(g, transpose(b, 0, 1))
    return matmul(g, transpose(b, -1, -2))


def _grad_b(g, out, a, b):
    if a.ndim == 1:
        return g * a if b.ndim == 1 else unsqueeze(a, -1) * unsqueeze(g, -2)
    if b.ndim == 1:
        return matmul(transpose(a, -1, -2), unsqueeze(g, -1))[..., 0]
    if a.ndim > 2 and b.ndim == 2:  # fold the batch into the rows: (k, B*m) @ (B*m, n)
        k, n = a.shape[-1], g.shape[-1]
        return matmul(transpose(reshape(a, (-1, k)), 0, 1), reshape(g, (-1, n)))
    return matmul(transpose(a, -1, -2), g)


MATMUL = defprim("matmul", gemm, (_grad_a, _grad_b),
                 jvp=(lambda t, out, a, b: matmul(t, b), lambda t, out, a, b: matmul(a, t)),
                 node="UnsafeViewBackward0", display="{0} @ {1}")
_NAMED = {(1, 1): variant(MATMUL, "DotBackward0"), (2, 1): variant(MATMUL, "MvBackward0"),
          (2, 2): variant(MATMUL, "MmBackward0"), (1, 2): variant(MATMUL, "SqueezeBackward4"),
          (3, 3): variant(MATMUL, "BmmBackward0")}


def _check(a_shape, b_shape) -> None:
    if not a_shape or not b_shape:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{len(a_shape)}D and {len(b_shape)}D")
    k_a = a_shape[-1]
    k_b = b_shape[0] if len(b_shape) == 1 else b_shape[-2]
    if k_a != k_b:
        if len(a_shape) == 1 and len(b_shape) == 1:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{k_a}] and src [{k_b}] to have "
                               f"the same number of elements, but got {k_a} and {k_b} elements respectively")
        rows_a = int(np.prod(a_shape[:-1], dtype=np.int64)) if len(a_shape) > 1 else 1
        cols_b = b_shape[-1] if len(b_shape) > 1 else 1
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows_a}x{k_a} and {k_b}x{cols_b})"
                           + _both(a_shape, b_shape))
    batch_a, batch_b = a_shape[:-2], b_shape[:-2]
    lead = max(len(batch_a), len(batch_b))
    padded_a, padded_b = (1,) * (lead - len(batch_a)) + batch_a, (1,) * (lead - len(batch_b)) + batch_b
    for d, (m, n) in enumerate(zip(padded_a, padded_b)):
        if m != n and m != 1 and n != 1:
            raise RuntimeError(f"The size of tensor a ({m}) must match the size of tensor b ({n}) at "
                               f"non-singleton dimension {d}" + _both(a_shape, b_shape))


def _both(a_shape, b_shape) -> str:
    """Batched shapes are folded into rows in PyTorch's message: name the shapes as given too."""
    if len(a_shape) <= 2 and len(b_shape) <= 2:
        return ""
    return f"; the shapes are {list(a_shape)} and {list(b_shape)}"


def same_dtype(a: Tensor, b: Tensor, message: str, names: dict = C_TYPE_NAMES) -> None:
    """PyTorch's products refuse operands of different dtypes (numpy would promote, silently
    turning a float32 model float64): ``message`` is formatted with both type names."""
    da, db = a._data.dtype, b._data.dtype
    if da is not db and da != db:
        raise RuntimeError(message.format(names.get(da.name, da.name), names.get(db.name, db.name)))


MIXED_PRODUCT = "expected m1 and m2 to have the same dtype, but got: {} != {}"
MIXED_BIAS = "self and mat2 must have the same dtype, but got {} and {}"  # PyTorch's words for addmm's bias


def matmul(a, b):
    """Matrix product with NumPy's rules for 1-D arguments and batch broadcasting."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        a_shape, b_shape = np.shape(a), np.shape(b)
        _check(a_shape, b_shape)
        if isinstance(a, Tensor) and isinstance(b, Tensor):
            same_dtype(a, b, MIXED_PRODUCT)
        key = (len(a_shape), len(b_shape))
        same_batch = key != (3, 3) or a_shape[0] == b_shape[0]
        prim = _NAMED.get(key, MATMUL) if same_batch else MATMUL
        return apply(prim, (a, b))
    if a.__class__ is np.ndarray and b.__class__ is np.ndarray:
        return gemm(a, b)  # the backward pass: straight to numpy
    return dispatch_other(MATMUL, (a, b), {})


def mm(a, b):
    """Product of two matrices (2-D only)."""
    if np.ndim(a) != 2:
        raise RuntimeError("self must be a matrix")
    if np.ndim(b) != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(a, b)


def bmm(a, b):
    """Batched product of 3-D tensors with the same batch size."""
    if np.ndim(a) != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if np.ndim(b) != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if np.shape(a)[0] != np.shape(b)[0] or np.shape(a)[2] != np.shape(b)[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{np.shape(a)[0]}, {np.shape(a)[2]}] but got: [{np.shape(b)[0]}, {np.shape(b)[1]}].")
    return matmul(a, b)


def mv(a, v):
    if np.ndim(a) != 2 or np.ndim(v) != 1:
        raise RuntimeError("vector + matrix @ vector expected, got "
                           f"{np.ndim(a)}, {np.ndim(v)}")
    return matmul(a, v)


def dot(a, b):
    if np.ndim(a) != 1 or np.ndim(b) != 1:
        raise RuntimeError(f"1D tensors expected, but got {np.ndim(a)}D and {np.ndim(b)}D tensors")
    return matmul(a, b)


inner = dot


def outer(a, b):
    """``a[i] * b[j]`` of two vectors (PyTorch refuses anything else)."""
    for name, v in (("self", a), ("vec2", b)):
        if np.ndim(v) != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {np.ndim(v)}-D")
    return unsqueeze(a, -1) * unsqueeze(b, 0)


ger = outer


def _addmm_forward(c, a, b, beta, alpha):
    """With beta = 0 the input is ignored, NaN and inf included (PyTorch)."""
    product = np.matmul(a, b)
    product = product if alpha == 1 else alpha * product
    return product + (c if beta == 1 else beta * c) if beta != 0 else product + np.zeros_like(c)


ADDMM = defprim("addmm", _addmm_forward,
                (lambda g, out, c, a, b, beta, alpha: g * beta,  # the engine sums g back to c's shape
                 lambda g, out, c, a, b, beta, alpha: matmul(g, transpose(b, 0, 1)) * alpha,
                 lambda g, out, c, a, b, beta, alpha: matmul(transpose(a, 0, 1), g) * alpha),
                jvp=(lambda t, out, c, a, b, beta, alpha: t * beta,
                     lambda t, out, c, a, b, beta, alpha: matmul(t, b) * alpha,
                     lambda t, out, c, a, b, beta, alpha: matmul(a, t) * alpha),
                save=(1, 2), needs=((), (2,), (1,)))


def addmm(input, mat1, mat2, *, beta=1, alpha=1):  # noqa: A002 - PyTorch's name
    """``beta * input + alpha * (mat1 @ mat2)``, ``input`` broadcast to the product's shape
    (a linear layer's bias plus its product, in one node)."""
    if np.ndim(mat1) != 2 or np.ndim(mat2) != 2:
        raise RuntimeError("addmm: mat1 and mat2 must be matrices")
    return function(ADDMM)(input, mat1, mat2, beta=beta, alpha=alpha)
