"""Dropout layers: active in ``train()`` mode, the identity in ``eval()``."""
from __future__ import annotations

from ..ops import nn_functions
from ..tensor import Tensor
from .module import Module


class Dropout(Module):
    """Zeroes each element with probability ``p`` and scales the survivors by 1/(1-p) while training."""

    _function = staticmethod(nn_functions.dropout)

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input: Tensor) -> Tensor:
        return self._function(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(Dropout):
    """Zeroes whole channels of (N, C, L) inputs."""

    _function = staticmethod(nn_functions.dropout1d)


class Dropout2d(Dropout):
    """Zeroes whole feature maps of (N, C, H, W) inputs."""

    _function = staticmethod(nn_functions.dropout2d)
