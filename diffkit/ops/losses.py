"""Loss functions. The classification losses are fused primitives with closed-form gradients.

Cross entropy never forms ``softmax`` then ``log``: the forward is ``x - logsumexp(x)`` (finite
and exact for logits of ±1000) and the gradient is ``softmax(x) - target``. Every
class-index loss is turned into one dense, constant matrix ``A`` of per-class coefficients
(one-hot target, class weights, ignored rows, label smoothing), so that

    loss_i = -Σ_c A_ic log p_ic          d loss_i / d x_ic = softmax_ic Σ_c A_ic - A_ic

and one rule covers class indices, class probabilities, weights and smoothing, exactly as
PyTorch defines them. The regression losses are short compositions of primitives.
"""
from __future__ import annotations

import warnings

import numpy as np

from .._dtypes import scalar_type_name
from .._size import Size
from ..tensor import Tensor
from ._primitive import apply, defprim
from ._sums import max_along, sum_trailing
from .activations import softplus
from .elementwise import abs, clamp, exp, log, sigmoid, where
from .reduction import mean
from .reduction import sum as reduce_sum
from .shape import unsqueeze
from .softmax_family import _log_softmax_forward, _softmax_forward, softmax

_REDUCTIONS = ("none", "mean", "sum")


def _reduce_forward(loss: np.ndarray, reduction: str, divisor=None) -> np.ndarray:
    if reduction == "none":
        return loss
    total = np.add.reduce(loss, axis=None)
    if reduction == "sum":
        return total
    divisor = loss.size if divisor is None else divisor
    if divisor:
        return total / divisor
    with np.errstate(invalid="ignore", divide="ignore"):  # a mean over nothing: NaN, as PyTorch
        return total / divisor


def _scale(g, reduction: str, divisor):
    """The incoming gradient of a reduced loss, as a factor for the elementwise derivative. A mean over
    no element (every target ignored) is NaN, but its gradient is 0, as PyTorch's."""
    if reduction != "mean":
        return g
    return g / divisor if divisor else g * 0


def check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


# ---------------------------------------------------------------------------- cross entropy, NLL
def _ce_forward(x, coefficients, rowsum, dim, reduction, divisor):
    per = -np.sum(coefficients * _log_softmax_forward(x, dim), axis=dim)
    return _reduce_forward(per, reduction, divisor)


def _ce_vjp(g, out, x, coefficients, rowsum, dim, reduction, divisor):
    g = _scale(g, reduction, divisor)
    if reduction == "none":
        g = unsqueeze(g, dim)
    if x.__class__ is np.ndarray:  # first order: one softmax, updated in place
        grad = _softmax_forward(x, dim)
        grad *= rowsum
        grad -= coefficients
        grad *= g
        return grad
    return g * (softmax(x, dim) * rowsum - coefficients)


CROSS_ENTROPY = defprim("cross_entropy", _ce_forward, _ce_vjp, node="CrossEntropyLossBackward0")


def _counted_rows(target: np.ndarray, ignore_index: int, n_classes: int) -> tuple:
    """(target with ignored rows pointed at class 0, the rows that count or None for all, their number),
    from the labels' values inside the primitive, so that a captured step (diffkit.graphs) recomputes them."""
    valid = None
    if target.dtype == np.int64 and target.size and not 0 <= ignore_index < n_classes:
        if np.maximum.reduce(target.view(np.uint64)) < n_classes:  # all classes: negatives wrap to huge
            return target, None, len(target)
    outside = (target < 0) | (target >= n_classes)
    if outside.any() or 0 <= ignore_index < n_classes:  # an ignore_index may be a class (a padding token)
        valid = target != ignore_index
        if (outside & valid).any():
            raise IndexError(f"Target {int(target[outside & valid][0])} is out of bounds.")
        if valid.all():
            valid = None
        else:
            target = np.where(valid, target, 0)
    return target, valid, len(target) if valid is None else int(valid.sum())


def _ce_index_forward(x, target, ignore_index, reduction, gradient: bool = False):
    """Rows of logits against class indices (the common case): gather, no dense target matrix. With
    ``gradient``: also the loss's gradient for an incoming gradient of 1 (``softmax(x) - onehot``, ignored
    rows 0, a mean's divisor applied), from the softmax this forward has in hand."""
    target, valid, divisor = _counted_rows(target, ignore_index, x.shape[1])
    shifted = x - max_along(x, 1)
    e = np.exp(shifted)
    total = sum_trailing(e, 1)[:, None]
    rows = np.arange(len(target))
    per = np.log(total[:, 0])
    per -= shifted[rows, target]
    if valid is not None:
        per *= valid
    loss = _reduce_forward(per, reduction, divisor)
    if not gradient:
        return loss
    e /= total
    e[rows, target] -= 1
    if valid is not None:
        e *= valid[:, None]
    if reduction == "mean":
        e *= 1 / divisor if divisor else 0  # a mean over no row is NaN, its gradient 0, as PyTorch's
    return loss, e


def _ce_index_vjp(g, out, x, target, ignore_index, reduction, residual=None):
    """softmax(x) - onehot(target), per row scaled by the incoming gradient (0 for ignored rows): on arrays
    the forward's residual times g; on Tensors (create_graph) a softmax that records its own graph."""
    if residual is not None:
        return residual * (g[:, None] if reduction == "none" else g)
    target, valid, divisor = _counted_rows(target, ignore_index, x.shape[1])
    g = _scale(g, reduction, divisor)
    onehot = np.zeros(x.shape, dtype=x._data.dtype)
    onehot[np.arange(len(target)), target] = 1
    if reduction == "none":
        g = unsqueeze(g, 1)
    factor = g if valid is None else g * valid[:, None].astype(x._data.dtype)
    return factor * (softmax(x, 1) - onehot)


CROSS_ENTROPY_INDEX = defprim("cross_entropy_index", _ce_index_forward, (_ce_index_vjp, None), save=(0, 1),
                              node="CrossEntropyLossBackward0",
                              residual=lambda x, target, ignore_index, reduction:
                              _ce_index_forward(x, target, ignore_index, reduction, True))


def _nll_forward(x, coefficients, dim, reduction, divisor):
    return _reduce_forward(-np.sum(coefficients * x, axis=dim), reduction, divisor)


def _nll_vjp(g, out, x, coefficients, dim, reduction, divisor):
    g = _scale(g, reduction, divisor)
    if reduction == "none":
        g = unsqueeze(g, dim)
    return -(g * coefficients)


NLL_LOSS = defprim("nll_loss", _nll_forward, _nll_vjp, save="none", node="NllLossBackward0")


def _class_dim(x) -> int:
    return 0 if x.ndim == 1 else 1


def _check_index_target(target: np.ndarray) -> None:
    """Class indices are int64 (or uint8), as PyTorch insists: an int32 target would work here but fail there."""
    if target.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {scalar_type_name(target.dtype)}")


def _check_class_weight(weight, n_classes: int, prefix: str = "") -> None:
    """One weight per class: a shorter vector would index out of range, a longer one pass unnoticed."""
    if weight is not None and (weight.ndim != 1 or weight.size != n_classes):
        raise RuntimeError(f"{prefix}weight tensor should be defined either for all {n_classes} classes or no "
                           f"classes but got weight tensor of shape: {list(weight.shape)}")


def _class_coefficients(shape, dtype, dim, target, weight, ignore_index, label_smoothing):
    """``A`` and the mean's divisor for class-index targets (PyTorch's nll_loss_nd + smoothing)."""
    n_classes = shape[dim]
    expected = shape[:dim] + shape[dim + 1:]
    if dim == 1 and (target.ndim == 0 or target.shape[0] != shape[0]):  # a 0-d target counts as a batch of 0
        batch = target.shape[0] if target.ndim else 0
        raise ValueError(f"Expected input batch_size ({shape[0]}) to match target batch_size ({batch}).")
    if target.shape != expected:
        raise RuntimeError(f"Expected target size {list(expected)}, got {list(target.shape)}")
    _check_index_target(target)
    _check_class_weight(weight, n_classes)
    valid = target != ignore_index
    safe = np.where(valid, target, 0)
    bad = (safe < 0) | (safe >= n_classes)
    if bad.any():
        raise IndexError(f"Target {int(safe[bad].flat[0])} is out of bounds.")
    w = np.ones(n_classes, dtype=dtype) if weight is None else weight.astype(dtype, copy=False)
    per_sample = w[safe] * valid
    classes = np.arange(n_classes).reshape((n_classes,) + (1,) * (len(shape) - dim - 1))
    onehot = np.expand_dims(safe, dim) == classes
    coefficients = onehot * np.expand_dims(per_sample, dim) * (1.0 - label_smoothing)
    if label_smoothing > 0:
        w_b = w.reshape((n_classes,) + (1,) * (len(shape) - dim - 1))
        coefficients = coefficients + (label_smoothing / n_classes) * w_b * np.expand_dims(valid, dim)
    return coefficients.astype(dtype, copy=False), per_sample.sum()


def _probability_coefficients(x, dim, target, weight, label_smoothing):
    n_classes = x.shape[dim]
    q = target * (1.0 - label_smoothing) + label_smoothing / n_classes if label_smoothing > 0 else target
    if weight is not None:
        q = q * weight.reshape((n_classes,) + (1,) * (x.ndim - dim - 1))
    return q.astype(x.dtype, copy=False), x.size / n_classes


def _array(value):
    return None if value is None else np.asarray(value._data if isinstance(value, Tensor) else value)


def cross_entropy(input: Tensor, target, weight=None, size_average=None, ignore_index: int = -100,
                  reduce=None, reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross entropy of logits ``input`` (N, C, ...) against class indices or probabilities."""
    check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    x = input._data
    dim = _class_dim(x)
    t = _array(target)
    if t.shape == x.shape and t.dtype.kind != "f":
        raise RuntimeError("Expected floating point type for target with class probabilities, got "
                           + scalar_type_name(t.dtype))
    if x.ndim == 2 and weight is None and label_smoothing == 0 and t.dtype.kind in "iu" and t.shape == x.shape[:1]:
        _check_index_target(t)
        return _cross_entropy_index(input, t, ignore_index, reduction)
    if t.dtype.kind == "f":
        _check_class_weight(_array(weight), x.shape[dim], "cross_entropy: ")
        if ignore_index != -100:  # no class to ignore among probabilities: PyTorch refuses rather than ignore it
            raise RuntimeError("ignore_index is not supported for floating point target")
        if isinstance(target, Tensor) and target.requires_grad:  # a differentiable soft target
            return _soft_cross_entropy(input, target, weight, reduction, label_smoothing, dim)
        if t.shape != x.shape:
            raise RuntimeError(f"Expected target size {list(x.shape)}, got {list(t.shape)}")
        coefficients, divisor = _probability_coefficients(x, dim, t, _array(weight), label_smoothing)
    else:
        coefficients, divisor = _class_coefficients(x.shape, x.dtype, dim, t, _array(weight), ignore_index,
                                                    label_smoothing)
    rowsum = coefficients.sum(axis=dim, keepdims=True)
    return apply(CROSS_ENTROPY, (input,), {"coefficients": coefficients, "rowsum": rowsum, "dim": dim,
                                           "reduction": reduction, "divisor": divisor})


def _cross_entropy_index(input: Tensor, target: np.ndarray, ignore_index: int, reduction: str) -> Tensor:
    return apply(CROSS_ENTROPY_INDEX, (input, target), {"ignore_index": ignore_index, "reduction": reduction})


def _soft_cross_entropy(input, target, weight, reduction, label_smoothing, dim):
    from .reduction import log_softmax

    n_classes = input.shape[dim]
    q = target * (1.0 - label_smoothing) + label_smoothing / n_classes if label_smoothing else target
    if weight is not None:
        q = q * _array(weight).reshape((n_classes,) + (1,) * (input.ndim - dim - 1))
    per = -reduce_sum(log_softmax(input, dim) * q, dim)
    return _reduce_composed(per, reduction)


def nll_loss(input: Tensor, target, weight=None, size_average=None, ignore_index: int = -100,
             reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (N, C, ...) at class indices ``target``."""
    check_reduction(reduction)
    x = input._data
    dim = _class_dim(x)
    coefficients, divisor = _class_coefficients(x.shape, x.dtype, dim, _array(target), _array(weight),
                                                ignore_index, 0.0)
    return apply(NLL_LOSS, (input,), {"coefficients": coefficients, "dim": dim, "reduction": reduction,
                                      "divisor": divisor})


# ---------------------------------------------------------------------------- binary cross entropy
def _check_same_size(input, target, logits: bool = False) -> None:
    if tuple(np.shape(target)) == tuple(input.shape):
        return
    target_size, input_size = _size_text(np.shape(target)), _size_text(input.shape)
    if logits:  # PyTorch's two functions word it differently
        raise ValueError(f"Target size ({target_size}) must be the same as input size ({input_size})")
    raise ValueError(f"Using a target size ({target_size}) that is different to the input size ({input_size}) "
                     "is deprecated. Please ensure they have the same size.")


def _size_text(shape) -> str:
    return repr(Size(tuple(shape)))


def _bce_forward(p, y, weight, reduction):
    with np.errstate(divide="ignore"):
        loss = -(y * np.maximum(np.log(p), -100.0) + (1 - y) * np.maximum(np.log1p(-p), -100.0))
    if weight is not None:
        loss = loss * weight
    return _reduce_forward(loss.astype(p.dtype, copy=False), reduction)


def _weighted(value, weight):
    return value if weight is None else value * weight


_BCE_EPSILON = float(np.float32(1e-12))  # PyTorch's constant is a C float: 9.9999996e-13, also in float64


def _bce_vjp_input(g, out, p, y, weight, reduction):
    g = _scale(g, reduction, int(np.prod(np.shape(p))))
    return _weighted(g * (p - y) / clamp((1 - p) * p, min=_BCE_EPSILON), weight)


def _bce_vjp_target(g, out, p, y, weight, reduction):
    g = _scale(g, reduction, int(np.prod(np.shape(p))))
    return _weighted(g * (clamp(log(1 - p), min=-100.0) - clamp(log(p), min=-100.0)), weight)


BCE = defprim("binary_cross_entropy", _bce_forward, (_bce_vjp_input, _bce_vjp_target),
              node="BinaryCrossEntropyBackward0")


def binary_cross_entropy(input: Tensor, target, weight=None, size_average=None, reduce=None,
                         reduction: str = "mean") -> Tensor:
    """-(y log p + (1 - y) log(1 - p)) with the logs clamped at -100, as PyTorch."""
    check_reduction(reduction)
    _check_same_size(input, target)
    p = input._data
    if p.size and ((p < 0) | (p > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    target = target if isinstance(target, Tensor) else np.asarray(target, dtype=p.dtype)
    return apply(BCE, (input, target), {"weight": _array(weight), "reduction": reduction})


def _softplus_neg(x):
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)


def _bce_logits_forward(x, y, weight, pos_weight, reduction):
    if pos_weight is None:
        loss = (1 - y) * x + _softplus_neg(x)
    else:
        loss = (1 - y) * x + (1 + (pos_weight - 1) * y) * _softplus_neg(x)
    if weight is not None:
        loss = loss * weight
    return _reduce_forward(loss.astype(x.dtype, copy=False), reduction)


def _bce_logits_vjp_input(g, out, x, y, weight, pos_weight, reduction):
    g = _scale(g, reduction, int(np.prod(np.shape(x))))
    if pos_weight is None:
        return _weighted(g * (sigmoid(x) - y), weight)
    return _weighted(g * ((1 + (pos_weight - 1) * y) * sigmoid(x) - pos_weight * y), weight)


def _bce_logits_vjp_target(g, out, x, y, weight, pos_weight, reduction):
    g = _scale(g, reduction, int(np.prod(np.shape(x))))
    if pos_weight is None:
        return _weighted(-g * x, weight)
    return _weighted(g * ((pos_weight - 1) * softplus(-x) - x), weight)


BCE_WITH_LOGITS = defprim("binary_cross_entropy_with_logits", _bce_logits_forward,
                          (_bce_logits_vjp_input, _bce_logits_vjp_target),
                          node="BinaryCrossEntropyWithLogitsBackward0")


def binary_cross_entropy_with_logits(input: Tensor, target, weight=None, size_average=None, reduce=None,
                                     reduction: str = "mean", pos_weight=None) -> Tensor:
    """Sigmoid and binary cross entropy in one stable expression (finite for logits of ±1000)."""
    check_reduction(reduction)
    _check_same_size(input, target, logits=True)
    target = target if isinstance(target, Tensor) else np.asarray(target, dtype=input._data.dtype)
    return apply(BCE_WITH_LOGITS, (input, target), {"weight": _array(weight), "pos_weight": _array(pos_weight),
                                                    "reduction": reduction})


# ---------------------------------------------------------------------------- regression and divergence
def _reduce_composed(loss, reduction: str):
    check_reduction(reduction)
    if reduction == "mean":
        return mean(loss)
    return reduce_sum(loss) if reduction == "sum" else loss


def _pair(input, target):
    if tuple(np.shape(target)) != tuple(np.shape(input)):
        warnings.warn(f"Using a target size ({tuple(np.shape(target))}) that is different to the input size "
                      f"({tuple(np.shape(input))}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=3)
    return input - target


def _check_weight(weight, input) -> None:
    if weight is not None and tuple(np.shape(weight)) != tuple(np.shape(input)):
        raise ValueError("Weights and input must have the same size.")


def _weighted_mean(loss, weight, reduction: str):
    """PyTorch's weighted mse and l1: the mean is a weighted average, Σ w loss / Σ w."""
    check_reduction(reduction)
    if weight is None or reduction != "mean":
        return _reduce_composed(_weighted(loss, weight), reduction)
    return reduce_sum(loss * weight) / reduce_sum(weight)


def mse_loss(input, target, size_average=None, reduce=None, reduction: str = "mean", weight=None):
    _check_weight(weight, input)
    d = _pair(input, target)
    return _weighted_mean(d * d, weight, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean", weight=None):
    _check_weight(weight, input)
    return _weighted_mean(abs(_pair(input, target)), weight, reduction)


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0, weight=None):
    """Quadratic below ``delta``, linear above: 0.5 d² or delta (|d| - delta / 2). Weighted, its mean
    stays a plain mean (unlike mse and l1: PyTorch's rule)."""
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _check_weight(weight, input)
    d = abs(_pair(input, target))
    loss = where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta))
    return _reduce_composed(_weighted(loss, weight), reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean", beta: float = 1.0):
    """Huber loss divided by ``beta`` (plain L1 when beta is 0)."""
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    d = abs(_pair(input, target))
    if beta == 0:
        return _reduce_composed(d, reduction)
    return _reduce_composed(where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta), reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction: str = "mean", log_target: bool = False):
    """KL(target || exp(input)) pointwise: ``input`` holds log-probabilities, as in PyTorch."""
    if log_target:
        loss = exp(target) * (target - input)
    else:  # xlogy(t, t) - t * input: zero where the target is zero
        positive = target > 0
        loss = where(positive, target * log(where(positive, target, 1.0)), 0.0) - target * input
    if reduction == "batchmean":
        return reduce_sum(loss) / (input.shape[0] if input.ndim else 1)
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition.",
                      stacklevel=2)
    return _reduce_composed(loss, reduction)
