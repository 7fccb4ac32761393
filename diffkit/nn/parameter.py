"""``Parameter``: a Tensor that a Module registers as learnable when assigned as an attribute."""
from __future__ import annotations

from collections.abc import Iterable

from ..autograd import grad_mode
from ..tensor import Tensor, _wrap, as_array


class Parameter(Tensor):
    """A leaf tensor with ``requires_grad=True`` by default. ``Parameter(t)`` shares ``t``'s memory."""

    __slots__ = ()

    def __new__(cls, data=None, requires_grad: bool = True):
        p = _wrap(data._data if isinstance(data, Tensor) else as_array([] if data is None else data))
        p.__class__ = cls  # same slots: a Tensor becomes a Parameter without copying
        if requires_grad:
            p.requires_grad = True
        return p

    def __init__(self, data=None, requires_grad: bool = True) -> None:
        pass  # everything happens in __new__ (Tensor.__init__ would read ``data`` as a shape)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


def zero_grads(parameters: Iterable[Tensor], set_to_none: bool = True) -> None:
    """Drop gradients (``None``), or zero them in place (``set_to_none=False``): ``Module.zero_grad`` and
    ``Optimizer.zero_grad``."""
    capture = grad_mode.state.capture
    if capture is not None:  # a captured step (diffkit.graphs) forgets the gradients again at each replay
        parameters = list(parameters)
        capture.run_effect(lambda: zero_grads(parameters, set_to_none),
                           ("zero_grad", set_to_none, tuple(map(id, parameters))), "zero_grad")
        return
    for p in parameters:
        if p._grad is None:  # the slot, not the property: this runs for every parameter at every step
            continue
        if set_to_none:
            p._grad = None
        else:
            p.grad = p.grad.detach()
            p.grad._data[...] = 0
