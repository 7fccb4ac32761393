"""Parts of matrices: ``tril``, ``triu``, ``diagonal``, ``diag``, ``trace``.

All are linear: tril/triu mask the gradient the same way; diagonal's adjoint writes the
gradient onto the diagonal of zeros (``diag_embed``-like), and that write's adjoint is
diagonal again, so every order of derivative stays within these few primitives.
"""
from __future__ import annotations

import numpy as np

from ._primitive import defprim, function, variant
from .shape import wrap_dim

TRIL = defprim("tril", lambda x, diagonal: np.tril(x, diagonal), lambda g, out, x, diagonal: tril(g, diagonal),
               jvp=lambda t, out, x, diagonal: tril(t, diagonal), save="none")
TRIU = defprim("triu", lambda x, diagonal: np.triu(x, diagonal), lambda g, out, x, diagonal: triu(g, diagonal),
               jvp=lambda t, out, x, diagonal: triu(t, diagonal), save="none")


def _check_matrix(x, name: str) -> None:
    if np.ndim(x) < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")


def tril(x, diagonal: int = 0):
    """The lower triangle of the last two dimensions (``diagonal`` > 0 keeps more above it)."""
    _check_matrix(x, "tril")
    return function(TRIL)(x, diagonal=diagonal)


def triu(x, diagonal: int = 0):
    """The upper triangle of the last two dimensions."""
    _check_matrix(x, "triu")
    return function(TRIU)(x, diagonal=diagonal)


def _diagonal_forward(x, offset, dim1, dim2):
    return np.diagonal(x, offset, dim1, dim2).copy()  # numpy's diagonal is a read-only view


def _embed_forward(g, offset, dim1, dim2, shape):
    """Zeros of ``shape`` with ``g`` (its last dimension along the diagonal) written on the
    ``offset`` diagonal of dimensions ``dim1``, ``dim2``."""
    z = np.zeros(shape, dtype=g.dtype)
    moved = np.moveaxis(z, (dim1, dim2), (-2, -1))
    n = g.shape[-1]
    rows = np.arange(n) + max(-offset, 0)
    moved[..., rows, rows + offset] = g
    return z


DIAGONAL = defprim("diagonal", _diagonal_forward,
                   lambda g, out, x, offset, dim1, dim2: _embed(g, offset, dim1, dim2, x.shape),
                   jvp=lambda t, out, x, offset, dim1, dim2: diagonal(t, offset, dim1, dim2), save="inputs")
EMBED = defprim("diagonal_backward", _embed_forward,
                lambda g, out, d, offset, dim1, dim2, shape: diagonal(g, offset, dim1, dim2),
                jvp=lambda t, out, d, offset, dim1, dim2, shape: _embed(t, offset, dim1, dim2, shape),
                save="none", node="DiagonalBackwardBackward0")
DIAG_EMBED = variant(EMBED, "DiagEmbedBackward0")


def _embed(g, offset, dim1, dim2, shape, prim=EMBED):
    return function(prim)(g, offset=offset, dim1=dim1, dim2=dim2, shape=tuple(shape))


def diagonal(x, offset: int = 0, dim1: int = 0, dim2: int = 1):
    """The ``offset`` diagonal of dimensions ``dim1`` and ``dim2``, as a last dimension."""
    ndim = np.ndim(x)
    dim1, dim2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if dim1 == dim2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return function(DIAGONAL)(x, offset=offset, dim1=dim1, dim2=dim2)


def diag(x, diagonal: int = 0):
    """A vector's square matrix with it on the ``diagonal``-th diagonal, or a matrix's diagonal."""
    ndim = np.ndim(x)
    if ndim == 1:
        n = np.shape(x)[0] + abs(diagonal)
        return _embed(x, diagonal, 0, 1, (n, n), DIAG_EMBED)
    if ndim != 2:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {ndim}D")
    return function(DIAGONAL)(x, offset=diagonal, dim1=0, dim2=1)


TRACE = defprim("trace", lambda x: np.trace(x),
                lambda g, out, x: g * np.eye(*x.shape, dtype=getattr(x, "_data", x).dtype),
                jvp=lambda t, out, x: trace(t))


def trace(x):
    """The sum of a matrix's diagonal."""
    if np.ndim(x) != 2:
        raise RuntimeError("trace: expected a matrix")
    return function(TRACE)(x)
