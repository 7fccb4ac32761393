"""Python operators for value types that live inside diffkit's polymorphic functions.

A dual number and a symbolic array are both "a kind of value the primitive table knows how
to run on" (through ``__diffkit_apply__``). Their operators are nothing but diffkit's own
functions, so ``x * y`` and ``diffkit.mul(x, y)`` are the same code in every backend.
"""
from __future__ import annotations

import numpy as np

from ..ops import elementwise as ew
from ..ops import getitem, matmul


def _method(fn):
    def method(self, other):
        return fn(self, other)

    return method


def _reflected(fn):
    def method(self, other):
        return fn(other, self)

    return method


class PrimitiveOperators:
    """Arithmetic, comparison, indexing and iteration through the primitive table.

    Subclasses provide ``shape``."""

    __slots__ = ()
    __array_ufunc__ = None  # ndarray + value -> value.__radd__, never an object array
    __hash__ = None

    __add__, __radd__ = _method(ew.add), _reflected(ew.add)
    __sub__, __rsub__ = _method(ew.sub), _reflected(ew.sub)
    __mul__, __rmul__ = _method(ew.mul), _reflected(ew.mul)
    __truediv__, __rtruediv__ = _method(ew.div), _reflected(ew.div)
    __pow__, __rpow__ = _method(ew.pow), _reflected(ew.pow)
    __matmul__, __rmatmul__ = _method(matmul), _reflected(matmul)
    __lt__, __le__, __gt__, __ge__ = _method(ew.lt), _method(ew.le), _method(ew.gt), _method(ew.ge)
    __eq__, __ne__ = _method(ew.eq), _method(ew.ne)
    __getitem__ = _method(getitem)

    def __neg__(self):
        return ew.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return ew.abs(self)

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
