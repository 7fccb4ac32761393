"""``nn.modules``: PyTorch's module layout, for code that names it (``isinstance(m,
nn.modules.batchnorm._BatchNorm)``, ``from torch.nn.modules.conv import _ConvNd``).

diffkit's files are laid out differently; each PyTorch submodule name is an alias of the diffkit
file that holds its classes (``batchnorm`` and ``normalization`` are both ``nn/normalization.py``),
registered in ``sys.modules`` so that ``import ... .modules.batchnorm`` works too. Every layer is
also here by name, as in PyTorch.
"""
from __future__ import annotations

import sys

from .. import (
    activation,
    container,
    conv,
    distance,
    dropout,
    linear,
    loss,
    module,
    normalization,
    padding,
    pooling,
    rnn,
    sparse,
    upsampling,
)
from ..module import Module

_FILES = {"activation": activation, "batchnorm": normalization, "container": container, "conv": conv,
          "distance": distance, "dropout": dropout, "flatten": linear, "linear": linear, "loss": loss,
          "module": module, "normalization": normalization, "padding": padding, "pooling": pooling, "rnn": rnn,
          "sparse": sparse, "upsampling": upsampling}
for _name, _file in _FILES.items():
    globals()[_name] = _file
    sys.modules[f"{__name__}.{_name}"] = _file


def __getattr__(name: str):
    """A layer by name (``nn.modules.Linear``), looked up in ``nn`` when first asked (``nn`` imports this
    package before its layers)."""
    value = getattr(sys.modules[__name__.rpartition(".")[0]], name, None)
    if isinstance(value, type) and issubclass(value, Module):
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
