"""``diffkit.nn.functional``: every layer, activation and loss as a function.

The implementations live in ``diffkit.ops`` (one file per idea: activations, losses,
normalization, convolution, pooling, nn_functions); this module is their public face,
with PyTorch's names.
"""
from ..ops.activations import celu, elu, gelu, hardtanh, leaky_relu, mish, relu6, selu, silu, softplus, softsign
from ..ops.convolution import conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d
from ..ops.elementwise import clamp as _clamp
from ..ops.elementwise import relu, sigmoid, tanh
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
from ..ops.reduction import log_softmax, softmax
from ..ops.reduction import norm as _norm
from ..ops.reduction import sum as _sum


def relu_(input):
    """In-place ReLU."""
    return input.relu_()


def logsigmoid(input):
    """log(sigmoid(x)) = -softplus(-x), stable for large |x|."""
    return -softplus(-input)


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
    "hardtanh",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "logsigmoid",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "mish",
    "mse_loss",
    "nll_loss",
    "normalize",
    "one_hot",
    "pad",
    "relu",
    "relu6",
    "relu_",
    "selu",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "softmax",
    "softplus",
    "softsign",
    "tanh",
]
