"""Activation layers: thin modules over the functional activations (``diffkit.nn.functional``)."""
from __future__ import annotations

import warnings

from .. import _dtypes, creation
from ..ops import activations as act
from ..ops import elementwise, softmax_family
from ..tensor import Tensor
from .module import Module
from .parameter import Parameter


def _maybe_inplace(input: Tensor, result: Tensor, inplace: bool) -> Tensor:
    if not inplace:
        return result
    input._check_inplace()
    return input._assign(result)


def _inplace_text(inplace: bool, lead: str = ", ") -> str:
    return f"{lead}inplace=True" if inplace else ""


class ReLU(Module):
    """max(0, x)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return _maybe_inplace(input, elementwise.relu(input), self.inplace)

    def extra_repr(self) -> str:
        return _inplace_text(self.inplace, "")


class LeakyReLU(Module):
    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input: Tensor) -> Tensor:
        return _maybe_inplace(input, act.leaky_relu(input, self.negative_slope), self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}{_inplace_text(self.inplace)}"


class ELU(Module):
    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input: Tensor) -> Tensor:
        return _maybe_inplace(input, act.elu(input, self.alpha), self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{_inplace_text(self.inplace)}"


class CELU(ELU):
    def forward(self, input: Tensor) -> Tensor:
        return _maybe_inplace(input, act.celu(input, self.alpha), self.inplace)


class SELU(ReLU):
    def forward(self, input: Tensor) -> Tensor:
        return _maybe_inplace(input, act.selu(input), self.inplace)


class SiLU(ReLU):
    """x sigmoid(x)."""

    def forward(self, input: Tensor) -> Tensor:
        return _maybe_inplace(input, act.silu(input), self.inplace)


class Mish(ReLU):
    def forward(self, input: Tensor) -> Tensor:
        return _maybe_inplace(input, act.mish(input), self.inplace)


class GELU(Module):
    """x Φ(x) (exact, with erf) or its tanh approximation."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return act.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input: Tensor) -> Tensor:
        return act.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input: Tensor) -> Tensor:
        return _maybe_inplace(input, act.hardtanh(input, self.min_val, self.max_val), self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}{_inplace_text(self.inplace)}"


class ReLU6(Hardtanh):
    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return _inplace_text(self.inplace, "")


class PReLU(Module):
    """Leaky ReLU with a learned slope (one, or one per channel), initialised to ``init``."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None) -> None:
        super().__init__()
        self.num_parameters, self.init = num_parameters, init
        self.weight = Parameter(creation.full((num_parameters,), init, dtype=dtype or _dtypes.get_default_dtype()))

    def forward(self, input: Tensor) -> Tensor:
        weight = self.weight
        if input.ndim == 0 and self.num_parameters != 1:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if input.ndim >= 2 else 1  # the channel dimension is 1, as in PyTorch
        if self.num_parameters != 1 and self.num_parameters != channels:  # not slopes along the last axis
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{self.num_parameters} and channel size = {channels}.")
        if input.ndim >= 2 and self.num_parameters > 1:
            weight = weight.reshape((-1,) + (1,) * (input.ndim - 2))
        elif input.ndim == 0:  # keep a 0-d input 0-d (the (1,) weight would broadcast it to (1,))
            weight = weight.reshape(())
        return elementwise.where(input > 0, input, weight * input)  # at 0 the slope is the weight's, as PyTorch

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class _Elementwise(Module):
    function = staticmethod(elementwise.sigmoid)

    def forward(self, input: Tensor) -> Tensor:
        return self.function(input)


class Sigmoid(_Elementwise):
    function = staticmethod(elementwise.sigmoid)


class Tanh(_Elementwise):
    function = staticmethod(elementwise.tanh)


class Softsign(_Elementwise):
    function = staticmethod(act.softsign)


class LogSigmoid(_Elementwise):
    """log(sigmoid(x)) = -softplus(-x), finite for large |x|."""

    function = staticmethod(lambda x: -act.softplus(-x))


class Hardsigmoid(ReLU):
    """relu6(x + 3) / 6: a cheap sigmoid (MobileNetV3)."""

    def forward(self, input: Tensor) -> Tensor:
        return _maybe_inplace(input, act.hardsigmoid(input), self.inplace)

    def extra_repr(self) -> str:
        return ""


class Hardswish(Hardsigmoid):
    """x · relu6(x + 3) / 6: a cheap SiLU (MobileNetV3)."""

    def forward(self, input: Tensor) -> Tensor:
        return _maybe_inplace(input, act.hardswish(input), self.inplace)


def _softmax_dim(ndim: int) -> int:
    warnings.warn("Implicit dimension choice for softmax has been deprecated. Change the call to include dim=X "
                  "as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


class Softmax(Module):
    """exp(x) / sum(exp(x)) along ``dim``."""

    function = staticmethod(softmax_family.softmax)

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return self.function(input, self.dim if self.dim is not None else _softmax_dim(input.ndim))

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """log(softmax(x)) along ``dim``, computed stably."""

    function = staticmethod(softmax_family.log_softmax)


class Softmin(Softmax):
    """softmax(-x) along ``dim``: weights favouring the smallest entries."""

    function = staticmethod(lambda x, dim: softmax_family.softmax(-x, dim))
