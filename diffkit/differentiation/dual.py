"""Dual numbers: forward-mode automatic differentiation.

``Dual(v, t)`` is ``v + t·ε`` with ``ε² = 0``: running ``f`` on it gives ``f(v) + f'(v)·t·ε``.
No derivative formula lives here: every operation is a primitive of the table, whose JVP
rules (written with diffkit's polymorphic functions) give the tangent. Because those rules
run on whatever the value is, a dual whose parts are themselves duals (a nested dual)
carries second derivatives: that is how forward mode computes Hessians.
"""
from __future__ import annotations

import numpy as np

from ..ops import expand
from ..ops._primitive import Primitive, apply, dispatch_other
from ..tensor import Tensor
from ._operators import PrimitiveOperators, zeros_like


def call(prim: Primitive, args: tuple, params: dict):
    """Run a primitive on any values (Tensors record a node; everything else dispatches)."""
    for a in args:
        if isinstance(a, Tensor):
            return apply(prim, args, params)
    return dispatch_other(prim, args, params)


class Dual(PrimitiveOperators):
    """A value and a tangent (a directional derivative) travelling together."""

    __slots__ = ("value", "tangent")
    applied = 0  # primitives run on duals so far: the operation count forward mode reports

    def __init__(self, value, tangent=None) -> None:
        self.value = value
        self.tangent = zeros_like(value) if tangent is None else tangent

    @staticmethod
    def __diffkit_apply__(prim: Primitive, args: tuple, params: dict):
        Dual.applied += 1
        values = tuple(a.value if isinstance(a, Dual) else a for a in args)
        out = call(prim, values, params)
        rules = prim.jvp
        if rules is None:
            if prim.vjp is None:  # comparisons, argmax...: no derivative, the value is enough
                return out
            raise NotImplementedError(f"diffkit.{prim.name} has no forward-mode (JVP) rule in the "
                                      "primitive table; use method='reverse' or add a jvp= rule")
        shape = np.shape(out)
        tangent = None
        for i, a in enumerate(args):
            rule = rules[i] if isinstance(a, Dual) else None
            if rule is None:
                continue
            part = rule(a.tangent, out, *values, **params)
            if np.shape(part) != shape:  # an input that was broadcast moves every output
                part = expand(part, shape)
            tangent = part if tangent is None else tangent + part
        return out if tangent is None else Dual(out, tangent)

    @property
    def shape(self) -> tuple:
        return tuple(np.shape(self.value))

    def __float__(self) -> float:
        raise TypeError("float() of a dual number would drop its derivative; use diffkit's functions "
                        "(diffkit.sin, diffkit.exp ...) instead of math's, or .value for the number")

    def __bool__(self) -> bool:
        return bool(self.value)

    def __repr__(self) -> str:
        return f"Dual({self.value!r}, {self.tangent!r})"


def tangent_of(y):
    """The tangent part of a result (a constant result has tangent zero)."""
    return y.tangent if isinstance(y, Dual) else zeros_like(y)
