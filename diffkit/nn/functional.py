"""``diffkit.nn.functional``: every layer, activation and loss as a function.

The implementations live in ``diffkit.ops`` (one file per idea: activations, losses,
normalization, convolution, pooling, nn_functions); this module is their public face,
with PyTorch's names.
"""
from ..ops import activations as _act
from ..ops import elementwise as _elementwise
from ..ops import softmax_family as _softmax
from ..ops.adaptive_max_pool import adaptive_max_pool1d, adaptive_max_pool2d, adaptive_max_pool3d
from ..ops.convolution import conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d
from ..ops.elementwise import clamp as _clamp
from ..ops.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from ..ops.margin_losses import cosine_embedding_loss, margin_ranking_loss, pairwise_distance, triplet_margin_loss
from ..ops.nn_functions import bilinear, dropout, dropout1d, dropout2d, embedding, linear, one_hot, pad
from ..ops.normalization import batch_norm, group_norm, layer_norm
from ..ops.pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    max_pool1d,
    max_pool2d,
    max_pool3d,
)
from ..ops.reduction import norm as _norm
from ..ops.reduction import sum as _sum
from ..ops.resample import interpolate
from .activation import _maybe_inplace, _softmax_dim


# ---------------------------------------------------------------------------- activations, PyTorch's signatures
def relu(input, inplace: bool = False):
    return _maybe_inplace(input, _elementwise.relu(input), inplace)


def relu6(input, inplace: bool = False):
    return _maybe_inplace(input, _act.relu6(input), inplace)


def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False):
    return _maybe_inplace(input, _act.leaky_relu(input, negative_slope), inplace)


def elu(input, alpha: float = 1.0, inplace: bool = False):
    return _maybe_inplace(input, _act.elu(input, alpha), inplace)


def selu(input, inplace: bool = False):
    return _maybe_inplace(input, _act.selu(input), inplace)


def celu(input, alpha: float = 1.0, inplace: bool = False):
    return _maybe_inplace(input, _act.celu(input, alpha), inplace)


def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
    return _maybe_inplace(input, _act.hardtanh(input, min_val, max_val), inplace)


def silu(input, inplace: bool = False):
    return _maybe_inplace(input, _act.silu(input), inplace)


def mish(input, inplace: bool = False):
    return _maybe_inplace(input, _act.mish(input), inplace)


def gelu(input, approximate: str = "none"):
    return _act.gelu(input, approximate)


def softplus(input, beta: float = 1.0, threshold: float = 20.0):
    return _act.softplus(input, beta, threshold)


def softsign(input):
    return _act.softsign(input)


def sigmoid(input):
    return _elementwise.sigmoid(input)


def tanh(input):
    return _elementwise.tanh(input)


def softmax(input, dim: int | None = None, _stacklevel: int = 3, dtype=None):
    """Along ``dim``; without one, PyTorch's implicit (deprecated) choice, with its warning."""
    return _softmax.softmax(input, _softmax_dim(input.ndim) if dim is None else dim, dtype)


def log_softmax(input, dim: int | None = None, _stacklevel: int = 3, dtype=None):
    return _softmax.log_softmax(input, _softmax_dim(input.ndim) if dim is None else dim, dtype)


def relu_(input):
    """In-place ReLU."""
    return input.relu_()


def logsigmoid(input):
    """log(sigmoid(x)) = -softplus(-x), stable for large |x|."""
    return -softplus(-input)


def softmin(input, dim: int | None = None, _stacklevel: int = 3, dtype=None):
    """softmax(-x) along ``dim``."""
    return softmax(-input, dim, _stacklevel, dtype)


def hardsigmoid(input, inplace: bool = False):
    return _maybe_inplace(input, _act.hardsigmoid(input), inplace)


def hardswish(input, inplace: bool = False):
    return _maybe_inplace(input, _act.hardswish(input), inplace)


def normalize(input, p: float = 2.0, dim: int = 1, eps: float = 1e-12):
    """``input / max(||input||_p, eps)`` along ``dim``."""
    return input / _clamp(_norm(input, p, dim, keepdim=True), min=eps)


def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-8):
    """x1·x2 / max(||x1|| ||x2||, eps) along ``dim``."""
    return _sum(x1 * x2, dim) / _clamp(_norm(x1, 2, dim) * _norm(x2, 2, dim), min=eps)


def flatten(input, start_dim: int = 0, end_dim: int = -1):
    return input.flatten(start_dim, end_dim)



__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "adaptive_max_pool3d",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "batch_norm",
    "bilinear",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "celu",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "cosine_embedding_loss",
    "cosine_similarity",
    "cross_entropy",
    "dropout",
    "dropout1d",
    "dropout2d",
    "elu",
    "embedding",
    "flatten",
    "gelu",
    "group_norm",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "logsigmoid",
    "margin_ranking_loss",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "mish",
    "mse_loss",
    "nll_loss",
    "normalize",
    "one_hot",
    "pad",
    "interpolate",
    "pairwise_distance",
    "relu",
    "relu6",
    "relu_",
    "selu",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "softmax",
    "softmin",
    "softplus",
    "softsign",
    "tanh",
    "triplet_margin_loss",
]
