"""``autograd.Function``: a user-defined operation with its own forward and backward.

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            result = x.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad):
            (result,) = ctx.saved_tensors
            return grad * result

``Exp.apply(x)`` records one node named ``ExpBackward``.
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor, _wrap
from . import grad_mode
from .graph import SECOND_BACKWARD_MESSAGE, Node, new_sequence_number


class FunctionCtx:
    """What ``forward`` hands to ``backward``: saved tensors and any attribute you set."""

    def save_for_backward(self, *tensors) -> None:
        self._saved = tensors
        self._versions = tuple(t._version if isinstance(t, Tensor) else None for t in tensors)

    @property
    def saved_tensors(self) -> tuple:
        saved = getattr(self, "_saved", ())
        if saved is None:
            raise RuntimeError(SECOND_BACKWARD_MESSAGE)
        for t, version in zip(saved, self._versions):
            if version is not None and t._version != version:
                raise RuntimeError("one of the variables needed for gradient computation has been "
                                   f"modified by an inplace operation: it is at version {t._version}; "
                                   f"expected version {version} instead.")
        return saved

    def mark_non_differentiable(self, *tensors) -> None:
        self._non_differentiable = {id(t) for t in tensors}

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value


class BackwardCFunction(Node, FunctionCtx):
    """The node of a custom Function; it is also the ``ctx`` its methods receive."""

    __slots__ = ("_function", "_saved", "_versions", "needs_input_grad", "_non_differentiable",
                 "materialize_grads")

    def _vjp(self, grad, create_graph: bool) -> tuple:
        g = grad if create_graph else _wrap(np.asarray(grad))
        with grad_mode.set_grad_enabled(create_graph):
            result = self._function.backward(self, g)
        result = result if isinstance(result, tuple) else (result,)
        if len(result) < len(self.edges):
            raise RuntimeError(f"function {type(self).__name__} returned an incorrect number of gradients "
                               f"(expected {len(self.edges)}, got {len(result)})")
        grads = []
        for edge, r in zip(self.edges, result):
            if edge is None or r is None:
                grads.append(None)  # nothing flows along this edge
                continue
            r = r if isinstance(r, Tensor) else _wrap(np.asarray(r))
            grads.append(r if create_graph else r._data)
        return grads

    def _release(self) -> None:
        if getattr(self, "_saved", ()):
            self._saved = None


class _FunctionMeta(type):
    def __init__(cls, name, bases, namespace) -> None:
        super().__init__(name, bases, namespace)
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,), {"__slots__": ()})


class Function(metaclass=_FunctionMeta):
    """Subclass with static ``forward(ctx, *args)`` and ``backward(ctx, *grads)``; call ``apply``."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError("You must implement the backward function for custom autograd.Function.")

    @classmethod
    def apply(cls, *args, **kwargs):
        node = cls._backward_cls()
        node._function = cls
        node.hooks = None
        node._saved = ()
        node._versions = ()
        node.materialize_grads = True
        node._non_differentiable = set()
        node.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        with grad_mode.no_grad():
            output = cls.forward(node, *args, **kwargs)
        if not (grad_mode.state.enabled and any(node.needs_input_grad)):
            return output
        node.seq = new_sequence_number()
        node.edges = tuple((a.grad_fn or a) if needs else None for a, needs in zip(args, node.needs_input_grad))
        outputs = output if isinstance(output, tuple) else (output,)
        if len(outputs) != 1:
            raise RuntimeError("diffkit's autograd.Function supports a single output tensor")
        out = outputs[0]
        if id(out) in node._non_differentiable:
            return output
        if any(out is a for a in args):
            out = _wrap(out._data)
        result = _wrap(out._data, True, node)
        return result


class once_differentiable:  # noqa: N801 - PyTorch's name
    """Accepted for compatibility: diffkit runs the wrapped backward as written."""

    def __new__(cls, fn):
        return fn
