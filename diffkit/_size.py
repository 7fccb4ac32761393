"""``diffkit.Size``: the shape of a tensor, a tuple that prints as PyTorch's."""
from __future__ import annotations


class Size(tuple):
    """A tuple of ints; ``Size([2, 3])`` prints as ``diffkit.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"diffkit.Size({list(self)})"

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        result = tuple.__getitem__(self, item)
        return Size(result) if isinstance(item, slice) else result

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))
