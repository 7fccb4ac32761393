"""The named (values, indices) pairs that ``max(x, dim)``, ``min(x, dim)``, ``sort``, ``topk``
and ``median(x, dim)`` return.

Tuples, so ``values, indices = x.max(dim=1)`` unpacks them, with fields by name, and printed
as PyTorch prints ``torch.return_types.max``.
"""
from __future__ import annotations

from collections import namedtuple


def _pair(name: str) -> type:
    base = namedtuple(name, ["values", "indices"])

    def __repr__(self) -> str:
        return f"diffkit.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"

    return type(name, (base,), {"__slots__": (), "__repr__": __repr__, "__module__": __name__})


max = _pair("max")  # noqa: A001 - PyTorch's names
min = _pair("min")  # noqa: A001
sort = _pair("sort")
topk = _pair("topk")
median = _pair("median")
