"""``diffkit.nn.functional``: every layer, activation and loss as a function.

The implementations live in ``diffkit.ops`` (one file per idea: activations, losses,
normalization, convolution, pooling, nn_functions); this module is their public face,
with PyTorch's names.
"""
from ..ops.activations import softplus
from ..ops.elementwise import clamp as _clamp
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
