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

from .. import _dtypes
from ..tensor import Tensor, _wrap
from . import grad_mode
from .graph import OVERWRITTEN, SECOND_BACKWARD_MESSAGE, Node, OutputGrads, new_sequence_number


def _broadcasts_to(shape: tuple, target: tuple) -> bool:
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


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
        if getattr(self, "out", None) is OVERWRITTEN:  # the saved output was modified in place
            raise RuntimeError("one of the variables needed for gradient computation has been modified by an "
                               f"inplace operation: the output 0 of {type(self).__name__} was overwritten.")
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
                 "materialize_grads", "out", "_input_meta", "_output_meta")

    def _vjp(self, grad, create_graph: bool) -> tuple:
        if isinstance(grad, OutputGrads):  # a Function of several outputs: one gradient per output
            gs = [self._materialized(g, meta) for g, meta in zip(grad.values, self._output_meta)]
        else:
            gs = [grad]
        gs = [g if g is None or isinstance(g, Tensor) else _wrap(np.asarray(g)) for g in gs]
        with grad_mode.set_grad_enabled(create_graph):
            result = self._function.backward(self, *gs)
        result = result if isinstance(result, tuple) else (result,)
        if len(result) < len(self.edges):
            raise RuntimeError(f"function {type(self).__name__} returned an incorrect number of gradients "
                               f"(expected {len(self.edges)}, got {len(result)})")
        grads = []
        for i, (edge, r, meta) in enumerate(zip(self.edges, result, self._input_meta)):
            if edge is None or r is None:
                grads.append(None)  # nothing flows along this edge
                continue
            r = self._validated(i, r if isinstance(r, Tensor) else _wrap(np.asarray(r)), *meta)
            grads.append(r if create_graph else r._data)
        return grads

    def _validated(self, i: int, grad: Tensor, shape: tuple, dtype) -> Tensor:
        """PyTorch's checks of a user's gradient: summed down to its input's shape where it broadcasts
        from it, an error where it does not, and cast to the input's dtype."""
        if grad.shape != shape:
            if _broadcasts_to(shape, tuple(grad.shape)):
                grad = grad.sum_to_size(*shape)
            else:
                raise RuntimeError(f"Function {type(self).__name__} returned an invalid gradient at index {i} - "
                                   f"got {list(grad.shape)} but expected shape compatible with {list(shape)}")
        return grad if grad._data.dtype == dtype else grad.to(_dtypes.from_numpy_dtype(dtype))

    def _connect(self, out, grad_fn: Node, args: tuple):
        """The tensor that ``apply`` returns for one output of forward: recorded with ``grad_fn``
        unless it is not a float tensor or was marked non-differentiable."""
        if not isinstance(out, Tensor) or out._data.dtype.kind not in "fc":
            return out
        if id(out) in self._non_differentiable:
            return _wrap(out._data) if any(out is a for a in args) else out
        if grad_fn is self and any(t is out for t in self._saved):
            self.out = out._data  # a saved output is watched as a primitive's: an in-place change marks it
        return _wrap(out._data, True, grad_fn)

    def _materialized(self, grad, meta):
        """An output that received no gradient gets zeros (PyTorch's materialize_grads), or None."""
        if grad is not None or meta is None or not self.materialize_grads:
            return grad
        return np.zeros(*meta)

    def _release(self) -> None:
        if getattr(self, "_saved", ()):
            self._saved = None


class OutputSlot(Node):
    """The ``grad_fn`` of output ``index`` of a Function with several outputs: it hands its gradient
    to the Function's node in that output's slot, where the engine's ``+`` gathers all of them."""

    __slots__ = ("index", "count")

    def _vjp(self, grad, create_graph: bool) -> tuple:
        values = [None] * self.count
        values[self.index] = grad
        return (OutputGrads(values),)

    def _release(self) -> None:
        pass

    @property
    def next_functions(self) -> tuple:
        return self.edges[0].next_functions


class _FunctionMeta(type):
    def __init__(cls, name, bases, namespace) -> None:
        super().__init__(name, bases, namespace)
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,), {"__slots__": ()})
        cls._output_cls = type(name + "Backward", (OutputSlot,), {"__slots__": ()})


class Function(metaclass=_FunctionMeta):
    """Subclass with static ``forward(ctx, *args)`` and ``backward(ctx, *grads)``; call ``apply``."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError("You must implement the backward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs: tuple, output) -> None:
        """Override to write ``forward(*args)`` without ctx and save for backward here instead."""
        raise NotImplementedError("setup_context is not overridden")

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
        node._input_meta = tuple((a._data.shape, a._data.dtype) if isinstance(a, Tensor) else None for a in args)
        with grad_mode.no_grad():
            if cls.setup_context is Function.setup_context:
                output = cls.forward(node, *args, **kwargs)
            else:  # PyTorch 2's style: forward without ctx, then setup_context(ctx, inputs, output)
                output = cls.forward(*args, **kwargs)
                cls.setup_context(node, args, output)
        if not (grad_mode.state.enabled and any(node.needs_input_grad)):
            return output
        node.seq = new_sequence_number()
        node.edges = tuple((a.grad_fn or a) if needs else None for a, needs in zip(args, node.needs_input_grad))
        node.out = None
        if not isinstance(output, tuple):
            return node._connect(output, node, args)
        node._output_meta = tuple((o._data.shape, o._data.dtype) if isinstance(o, Tensor) else None for o in output)
        results = []
        for i, out in enumerate(output):
            slot = cls._output_cls()
            slot.seq, slot.edges, slot.hooks = new_sequence_number(), (node,), None
            slot.index, slot.count = i, len(output)
            results.append(node._connect(out, slot, args))
        return tuple(results)


class once_differentiable:  # noqa: N801 - PyTorch's name
    """Accepted for compatibility: diffkit runs the wrapped backward as written."""

    def __new__(cls, fn):
        return fn
