"""Normalisation layers: ``BatchNorm1d/2d/3d`` (with running statistics), ``LayerNorm``, ``GroupNorm``."""
from __future__ import annotations

from .. import _dtypes, creation
from ..graphs.recorder import kernel
from ..ops import normalization
from ..tensor import Tensor
from . import init
from .linear import _factory
from .module import Module
from .parameter import Parameter


def _affine_parameters(module: Module, affine: bool, bias: bool, shape: tuple, dtype) -> None:
    """``weight`` (ones) and ``bias`` (zeros) when affine, else registered ``None``s."""
    if affine:
        module.weight = Parameter(creation.ones(*shape, **_factory(dtype)))
    else:
        module.register_parameter("weight", None)
    if affine and bias:
        module.bias = Parameter(creation.zeros(*shape, **_factory(dtype)))
    else:
        module.register_parameter("bias", None)


class _BatchNorm(Module):
    """Normalises each channel with the batch's statistics in training (updating ``running_mean``,
    ``running_var``, ``num_batches_tracked``) and with the running ones in ``eval()``."""

    _expected_dims: tuple = (2, 3)

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None, *, bias: bool = True) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        _affine_parameters(self, affine, bias, (num_features,), dtype)
        if track_running_stats:
            self.register_buffer("running_mean", creation.zeros(num_features, **_factory(dtype)))
            self.register_buffer("running_var", creation.ones(num_features, **_factory(dtype)))
            self.register_buffer("num_batches_tracked", creation.tensor(0, dtype=_dtypes.int64))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            init.zeros_(self.num_batches_tracked)

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _load_local(self, state_dict, prefix: str, missing: list, errors: list, assign: bool) -> None:
        """A checkpoint without ``num_batches_tracked`` (PyTorch's BatchNorm before its version 2, or any
        plain dict without that version in ``_metadata``) keeps the module's count, as PyTorch does."""
        before = len(missing)
        super()._load_local(state_dict, prefix, missing, errors, assign)
        metadata = getattr(state_dict, "_metadata", None) or {}
        version = metadata.get(prefix[:-1], {}).get("version")
        key = prefix + "num_batches_tracked"
        if (version is None or version < 2) and key in missing[before:]:
            missing.remove(key)

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() not in self._expected_dims:
            wanted = " or ".join(f"{d}D" for d in self._expected_dims)
            raise ValueError(f"expected {wanted} input (got {input.dim()}D input)")

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            kernel(_count_one, (self.num_batches_tracked,), "num_batches_tracked += 1")  # also at each replay
            self.num_batches_tracked._version += 1
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.item())
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        keep = not self.training or self.track_running_stats
        return normalization.batch_norm(input, self.running_mean if keep else None,
                                        self.running_var if keep else None, self.weight, self.bias,
                                        use_batch, factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


def _count_one(counter) -> None:
    counter += 1  # in place: the array is the counter's


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs."""

    _expected_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs, per channel."""

    _expected_dims = (4,)


class BatchNorm3d(_BatchNorm):
    _expected_dims = (5,)


class LayerNorm(Module):
    """Normalises each sample over its last dimensions (``normalized_shape``), with an elementwise affine map."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True,
                 device=None, dtype=None) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape, self.eps, self.elementwise_affine = shape, eps, elementwise_affine
        _affine_parameters(self, elementwise_affine, bias, shape, dtype)

    def forward(self, input: Tensor) -> Tensor:
        return normalization.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(Module):
    """Normalises groups of channels of each sample (Wu & He 2018)."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 device=None, dtype=None, *, bias: bool = True) -> None:
        super().__init__()
        if num_channels % num_groups:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        _affine_parameters(self, affine, bias, (num_channels,), dtype)

    def forward(self, input: Tensor) -> Tensor:
        return normalization.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")
