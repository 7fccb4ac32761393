"""Constant padding layers (``ZeroPad1d/2d/3d``, ``ConstantPad1d/2d/3d``) over ``F.pad``; an int pads
every side, a tuple is (left, right, top, bottom, front, back) as PyTorch's."""
from __future__ import annotations

from ..ops.nn_functions import pad
from ..tensor import Tensor
from .module import Module


class _ConstantPadNd(Module):
    dims: int  # set by each 1d/2d/3d class

    def __init__(self, padding: int | tuple, value: float) -> None:
        super().__init__()
        self.padding = (padding,) * (2 * self.dims) if isinstance(padding, int) else tuple(padding)
        if len(self.padding) != 2 * self.dims:
            raise ValueError(f"expected padding of {2 * self.dims} numbers, got {len(self.padding)}")
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    dims = 1


class ConstantPad2d(_ConstantPadNd):
    dims = 2


class ConstantPad3d(_ConstantPadNd):
    dims = 3


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding: int | tuple) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad1d(_ZeroPadNd):
    dims = 1


class ZeroPad2d(_ZeroPadNd):
    dims = 2


class ZeroPad3d(_ZeroPadNd):
    dims = 3
