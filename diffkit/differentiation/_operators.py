"""Python operators for value types that live inside diffkit's polymorphic functions.

A dual number and a symbolic array are both "a kind of value the primitive table knows how
to run on" (through ``__diffkit_apply__``). Their operators are nothing but diffkit's own
functions, so ``x * y`` and ``diffkit.mul(x, y)`` are the same code in every backend.
"""
from __future__ import annotations

import numpy as np

from ..ops import elementwise as ew
from ..ops import getitem, matmul


class PrimitiveOperators:
    """Arithmetic, comparison, indexing and iteration through the primitive table.

    Subclasses provide ``shape``."""

    __slots__ = ()
    __array_ufunc__ = None  # ndarray + value -> value.__radd__, never an object array
    __hash__ = None

    def __add__(self, other):
        return ew.add(self, other)

    def __radd__(self, other):
        return ew.add(other, self)

    def __sub__(self, other):
        return ew.sub(self, other)

    def __rsub__(self, other):
        return ew.sub(other, self)

    def __mul__(self, other):
        return ew.mul(self, other)

    def __rmul__(self, other):
        return ew.mul(other, self)

    def __truediv__(self, other):
        return ew.div(self, other)

    def __rtruediv__(self, other):
        return ew.div(other, self)

    def __pow__(self, other):
        return ew.pow(self, other)

    def __rpow__(self, other):
        return ew.pow(other, self)

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    def __neg__(self):
        return ew.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return ew.abs(self)

    def __lt__(self, other):
        return ew.lt(self, other)

    def __le__(self, other):
        return ew.le(self, other)

    def __gt__(self, other):
        return ew.gt(self, other)

    def __ge__(self, other):
        return ew.ge(self, other)

    def __eq__(self, other):
        return ew.eq(self, other)

    def __ne__(self, other):
        return ew.ne(self, other)

    def __getitem__(self, index):
        return getitem(self, index)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError(f"len() of a 0-d {type(self).__name__}")
        return self.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def sum(self, dim=None, keepdim: bool = False):
        from ..ops import sum as reduce_sum

        return reduce_sum(self, dim, keepdim)


def zeros_like(value) -> np.ndarray | float:
    """Zeros of a value's shape, as a float array (or a float for a number)."""
    shape = np.shape(value)
    return np.zeros(shape) if shape else 0.0
