"""Distances and the losses built on them (metric learning, ranking): compositions of primitives,
with PyTorch's formulas (its ε placements included, so values agree to rounding)."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .elementwise import clamp, minimum, sqrt, where
from .losses import _reduce_composed
from .reduction import norm
from .reduction import sum as reduce_sum


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """‖x1 - x2 + ε‖_p over the last dimension (ε keeps the gradient finite at x1 = x2)."""
    last = max(x1.ndim, x2.ndim) - 1
    return norm(x1 - x2 + eps, p, last, keepdim)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target, margin: float = 0.0, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:
    """max(0, -y·(x1 - x2) + margin): x1 should rank above x2 where y = 1, below where y = -1."""
    if not (input1.ndim == input2.ndim == np.ndim(target)):
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {tuple(input1.shape)}, input2: {tuple(input2.shape)}, "
                           f"target: {tuple(target.shape)} ")
    return _reduce_composed(clamp(-target * (input1 - input2) + margin, min=0), reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target, margin: float = 0.0, size_average=None,
                          reduce=None, reduction: str = "mean") -> Tensor:
    """1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1 (cos over the feature dimension)."""
    dim = np.ndim(target)
    if input1.ndim != dim + 1 or input2.ndim != dim + 1:
        raise RuntimeError(f"{dim + 1}D target tensor expects {dim + 1}D input tensors, but found inputs with "
                           f"sizes {list(input1.shape)} and {list(input2.shape)}.")
    eps = 1e-12
    product = reduce_sum(input1 * input2, dim)
    squares = (reduce_sum(input1 * input1, dim) + eps) * (reduce_sum(input2 * input2, dim) + eps)
    cos = product / sqrt(squares)
    loss = where(target == 1, 1 - cos, 0.0) + where(target == -1, clamp(cos - margin, min=0), 0.0)
    return _reduce_composed(loss, reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average=None, reduce=None,
                        reduction: str = "mean") -> Tensor:
    """max(0, d(a, p) - d(a, n) + margin) with the pairwise p-distance; ``swap`` uses min(d(a, n), d(p, n))."""
    if not (anchor.ndim == positive.ndim == negative.ndim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative "
                           f"{negative.ndim}D inputs")
    to_positive = pairwise_distance(anchor, positive, p, eps)
    to_negative = pairwise_distance(anchor, negative, p, eps)
    if swap:
        to_negative = minimum(to_negative, pairwise_distance(positive, negative, p, eps))
    return _reduce_composed(clamp(margin + to_positive - to_negative, min=0), reduction)
