"""Convolution layers: ``Conv1d``, ``Conv2d``, ``Conv3d`` and the transposed ``ConvTranspose1d/2d``."""
from __future__ import annotations

from .. import creation
from ..ops import convolution, nn_functions
from ..ops._windows import ntuple
from ..tensor import Tensor
from .linear import _factory, register_bias, reset_kaiming
from .module import Module
from .parameter import Parameter

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """Shared configuration, parameters (PyTorch's shapes and initialisation) and repr."""

    _dims = 2
    transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", output_padding=0,
                 device=None, dtype=None) -> None:
        super().__init__()
        d = self._dims
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {_PADDING_MODES}, but got padding_mode='{padding_mode}'")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string '{padding}', should be one of {{'valid', 'same'}}")
            if padding == "same" and any(s != 1 for s in ntuple(stride, d)):
                raise ValueError("padding='same' is not supported for strided convolutions")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = ntuple(kernel_size, d), ntuple(stride, d)
        self.padding = padding if isinstance(padding, str) else ntuple(padding, d)
        self.dilation, self.output_padding = ntuple(dilation, d), ntuple(output_padding, d)
        self.groups, self.padding_mode = groups, padding_mode
        shape = (in_channels, out_channels // groups) if self.transposed else (out_channels, in_channels // groups)
        self.weight = Parameter(creation.empty(*shape, *self.kernel_size, **_factory(dtype)))
        register_bias(self, bias, out_channels, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        reset_kaiming(self.weight, self.bias)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self._dims:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._dims:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self._dims:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s

    def _conv_forward(self, input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        padding = self.padding
        if self.padding_mode != "zeros":  # pad explicitly (reflect, replicate, circular), then convolve
            if isinstance(padding, str):
                padding = convolution._padding(padding, self.kernel_size, self.dilation, self.stride, self._dims)
            else:
                padding = tuple((p, p) for p in padding)
            amounts = tuple(v for lo_hi in reversed(padding) for v in lo_hi)
            input, padding = nn_functions.pad(input, amounts, mode=self.padding_mode), 0
        return convolution._conv(input, weight, bias, self.stride, padding, self.dilation, self.groups, self._dims)

    def forward(self, input: Tensor) -> Tensor:
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_ConvNd):
    """1-D convolution over (N, C, L)."""

    _dims = 1


class Conv2d(_ConvNd):
    """2-D convolution over (N, C, H, W); weight (out_channels, in_channels / groups, kh, kw)."""

    _dims = 2


class Conv3d(_ConvNd):
    _dims = 3


class _ConvTransposeNd(_ConvNd):
    transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, output_padding, device, dtype)

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        output_padding = self.output_padding
        if output_size is not None:  # choose output_padding to reach the requested size
            output_padding = self._output_padding(input, list(output_size))
        return convolution._conv_transpose(input, self.weight, self.bias, self.stride, self.padding, output_padding,
                                           self.groups, self.dilation, self._dims)


    def _output_padding(self, input: Tensor, output_size: list) -> tuple:
        """The output_padding that gives ``output_size``, which must be one of the sizes reachable
        (from the smallest up to stride - 1 more), as PyTorch checks."""
        d = self._dims
        if len(output_size) not in (d, input.dim()):
            raise ValueError(f"ConvTranspose{d}D: for {input.dim()}D input, output_size must have {d} or "
                             f"{input.dim()} elements (got {len(output_size)})")
        spatial, given = tuple(output_size[-d:]), tuple(input.shape[-d:])
        smallest = tuple((s - 1) * st - 2 * p + di * (k - 1) + 1 for s, st, p, di, k in
                         zip(given, self.stride, self.padding, self.dilation, self.kernel_size))
        largest = tuple(lo + st - 1 for lo, st in zip(smallest, self.stride))
        if any(not lo <= o <= hi for o, lo, hi in zip(spatial, smallest, largest)):
            raise ValueError(f"requested an output size of {spatial}, but valid sizes range from {list(smallest)} to "
                             f"{list(largest)} (for an input of {input.shape[-d:]})")
        return tuple(o - lo for o, lo in zip(spatial, smallest))


class ConvTranspose1d(_ConvTransposeNd):
    _dims = 1


class ConvTranspose2d(_ConvTransposeNd):
    """The transposed (adjoint) 2-D convolution; weight (in_channels, out_channels / groups, kh, kw)."""

    _dims = 2
