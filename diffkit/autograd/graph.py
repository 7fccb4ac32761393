"""The recorded graph: one ``Node`` (a ``grad_fn``) per differentiable operation.

A node knows where its input gradients go (``edges``: the inputs' own nodes, or the leaf
tensors themselves) and what its derivative rule needs (saved inputs and output). It never
refers to its own output tensor, so a finished graph is freed by reference counting alone.
"""
from __future__ import annotations

import itertools

sequence = itertools.count()  # the tape's clock: a node's seq orders it among all others

OVERWRITTEN = object()  # stands in for a saved output that an in-place operation overwrote

SECOND_BACKWARD_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


class Node:
    """Base of every ``grad_fn``: a position on the tape (``seq``) and outgoing edges."""

    __slots__ = ("seq", "_e0", "_e1", "_en", "hooks", "forward_stack", "__weakref__")
    donates = False  # whether _vjp may overwrite an offered gradient (autograd/gradient_donation.py)

    @property
    def edges(self) -> tuple:
        """Where each input's gradient goes: its node, the leaf itself, or None. One or two edges are kept in
        slots (``_en`` says how many; for more it is the tuple): a tuple per node was a third of the objects
        that Python's cyclic collector rescans, again and again, while a deep graph is being built."""
        n = self._en
        if n == 2:
            return (self._e0, self._e1)
        if n == 1:
            return (self._e0,)
        return n

    @edges.setter
    def edges(self, edges: tuple) -> None:
        if len(edges) == 2:
            self._en, self._e0, self._e1 = 2, edges[0], edges[1]
        elif len(edges) == 1:
            self._en, self._e0 = 1, edges[0]
        else:
            self._en = tuple(edges)

    def _vjp(self, grad, create_graph: bool) -> tuple:
        """Gradients for each edge (``None`` where an edge is ``None``)."""
        raise NotImplementedError

    def name(self) -> str:
        return type(self).__name__

    @property
    def next_functions(self) -> tuple:
        return tuple((_as_function(e), 0) for e in self.edges)

    def register_hook(self, hook) -> None:
        """Run ``hook(grad)`` on the gradient of this node's output; a result replaces it."""
        self.hooks = [*(self.hooks or ()), hook]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"


class OutputGrads:
    """The gradients of a node with several outputs, one slot each (None: none arrived yet). The
    engine adds the gradients reaching a node, so adding two of these fills their slots."""

    __slots__ = ("values",)

    def __init__(self, values: list) -> None:
        self.values = values

    def __add__(self, other: OutputGrads) -> OutputGrads:
        return OutputGrads([b if a is None else a if b is None else a + b for a, b in zip(self.values, other.values)])


class AccumulateGrad:
    """The sink of a leaf tensor's gradient, shown in ``next_functions`` as PyTorch shows it."""

    __slots__ = ("variable",)

    def __init__(self, variable) -> None:
        self.variable = variable

    @property
    def next_functions(self) -> tuple:
        return ()

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


def _as_function(edge):
    if edge is None or isinstance(edge, Node):
        return edge
    return AccumulateGrad(edge)


def new_sequence_number() -> int:
    return next(sequence)


def node_class(name: str, base: type) -> type:
    """A Node subclass named as PyTorch names it (``MulBackward0``), so ``type(grad_fn)`` reads well."""
    return type(name, (base,), {"__slots__": ()})
