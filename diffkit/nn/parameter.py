"""``Parameter``: a Tensor that a Module registers as learnable when assigned as an attribute."""
from __future__ import annotations

from ..tensor import Tensor, as_array


class Parameter(Tensor):
    """A leaf tensor with ``requires_grad=True`` by default. ``Parameter(t)`` shares ``t``'s memory."""

    __slots__ = ()

    def __new__(cls, data=None, requires_grad: bool = True):
        if data is None:
            data = []
        p = object.__new__(cls)
        p._data = data._data if isinstance(data, Tensor) else as_array(data)
        p._requires_grad = False
        p._grad = None
        p.grad_fn = None
        p._version = 0
        p._hooks = None
        if requires_grad:
            p.requires_grad = True
        return p

    def __init__(self, data=None, requires_grad: bool = True) -> None:
        pass  # everything happens in __new__ (Tensor.__init__ would read ``data`` as a shape)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
