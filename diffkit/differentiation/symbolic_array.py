"""Symbolic tracing values: arrays of SymPy expressions that flow through diffkit's functions.

The symbolic method runs ``f`` once on a ``SymbolicArray`` of symbols (``x``, or ``x0 .. x{n-1}``
for a vector). Elementwise primitives apply their SymPy counterpart from the table to every
entry; structural ones (indexing, ``sum``, ``stack``, reshapes, ``matmul``) run their own numpy
forward on the object array, so a primitive added to the table traces with no extra code -- unless
that forward compares values (``logsumexp``'s max shift, ``amax``): those give the table a
``sympy=`` rule written for object arrays.
Tracing cannot follow a Python branch: ``bool()`` of a symbolic value raises
``SymbolicBranchError`` explaining why, and what to write instead.
"""
from __future__ import annotations

import numpy as np

from ..ops._primitive import Primitive
from ._operators import PrimitiveOperators


class SymbolicBranchError(TypeError):
    """f branched on a value that is a symbol during symbolic tracing."""


BRANCH_MESSAGE = (
    "{what} of a symbolic value: the symbolic method runs f once with SymPy symbols in place of "
    "numbers, so a Python `if`, `while`, `and`/`or`, `min()`/`max()` or a conversion to a number "
    "on a value that depends on the input has no single answer ({value}). Write the branch as "
    "diffkit.where(condition, if_true, if_false) (it becomes a SymPy Piecewise), or use "
    "method='reverse' or method='forward', which run f on concrete numbers."
)


def _sympy_function(prim: Primitive, params: dict):
    counterpart = prim.sympy
    if counterpart is None:
        raise TypeError(f"diffkit.{prim.name} has no SymPy counterpart in the primitive table, so it "
                        "cannot be traced symbolically")
    if isinstance(counterpart, str):
        import sympy

        counterpart = getattr(sympy, counterpart)
    if params:
        return lambda *xs: counterpart(*xs, **params)
    return counterpart


def _object_array(value) -> np.ndarray:
    if isinstance(value, SymbolicArray):
        return value.array
    if isinstance(value, np.ndarray):
        return value.astype(object)
    out = np.empty((), dtype=object)
    out[()] = value
    return out


def wrap(result):
    """A primitive's result on object arrays, as a SymbolicArray (numeric arrays stay numeric)."""
    if isinstance(result, np.ndarray) and result.dtype != object:
        return result
    return SymbolicArray(_object_array(result))


class SymbolicArray(PrimitiveOperators):
    """An n-d array of SymPy expressions (0-d for a scalar)."""

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray) -> None:
        self.array = array

    @classmethod
    def symbols(cls, names) -> SymbolicArray:
        """A vector of real symbols with these names (a 0-d array for one name given as a str)."""
        import sympy

        if isinstance(names, str):
            return wrap(sympy.Symbol(names, real=True))
        array = np.empty(len(names), dtype=object)
        array[:] = [sympy.Symbol(name, real=True) for name in names]
        return cls(array)

    @staticmethod
    def __diffkit_apply__(prim: Primitive, args: tuple, params: dict):
        arrays = [_object_array(a) for a in args]
        if prim.elementwise:
            return wrap(np.frompyfunc(_sympy_function(prim, params), len(arrays), 1)(*arrays))
        if prim.sympy is not None:  # a structural rule written for object arrays (logsumexp, amax ...)
            return wrap(prim.sympy(*arrays, **params))
        try:
            return wrap(prim.forward(*arrays, **params))
        except TypeError as error:  # numpy compared two expressions (argmax, sort ...): a branch
            if "Relational" not in str(error):
                raise
            raise SymbolicBranchError(BRANCH_MESSAGE.format(what=f"diffkit.{prim.name} compares the entries",
                                                            value=str(error))) from None

    @property
    def shape(self) -> tuple:
        return self.array.shape

    def expression(self):
        """The SymPy expression (0-d) or an object array of them."""
        return self.array[()] if self.array.ndim == 0 else self.array

    def __bool__(self) -> bool:
        from sympy.logic.boolalg import BooleanAtom

        items = self.array.reshape(-1)
        if items.size == 1 and isinstance(items[0], (bool, BooleanAtom)):  # decided without the input
            return bool(items[0])
        raise SymbolicBranchError(BRANCH_MESSAGE.format(what="Cannot branch on the truth value",
                                                        value=self._show()))

    def __float__(self) -> float:
        raise SymbolicBranchError(BRANCH_MESSAGE.format(what="Cannot convert to a number",
                                                        value=self._show()))

    __int__ = __index__ = __complex__ = __float__

    def _show(self) -> str:
        text = str(self.expression())
        return text if len(text) < 80 else text[:77] + "..."

    def __repr__(self) -> str:
        return f"SymbolicArray({self._show()})"


def expression_of(y):
    """The traced result as SymPy: an expression, or an object array for a vector result."""
    if isinstance(y, SymbolicArray):
        return y.expression()
    if isinstance(y, (list, tuple)):
        return np.array([expression_of(item) for item in y], dtype=object)
    if isinstance(y, np.ndarray):
        return y.astype(object) if y.ndim else y[()]
    return y
