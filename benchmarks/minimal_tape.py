"""The least that recording costs: the numpy floor's layers behind a minimal eager tape.

An eager engine records each operation as it runs and walks the records back: a node and a
value object per operation, a sort of the reachable nodes, gradients routed through a dict,
``.grad`` on the parameters, and the optimizer's loop over them. This tape does only that, for
the floor's own layers (whose kernels, buffers and caches it reuses), with no hooks, version
counters, dtype rules, shape checks or create_graph. Its time over the floor's is the price of
recording alone, which any eager engine written in Python pays; diffkit's time over this tape's
is the price of its generality. The MLP and CNN rows report it in their notes.
"""
from __future__ import annotations

import itertools

import numpy as np

from . import numpy_floor


class Value:
    __slots__ = ("data", "node", "grad")

    def __init__(self, data: np.ndarray, node: Node | None = None) -> None:
        self.data, self.node, self.grad = data, node, None


class Node:
    """One recorded call: the layer that ran (it keeps what its backward needs) and its input."""

    __slots__ = ("seq", "backward", "parent")

    def __init__(self, seq: int, backward, parent: Node | None) -> None:
        self.seq, self.backward, self.parent = seq, backward, parent


class Trainer:
    """The Trainer protocol of models.py: forward through recorded layers, cross-entropy, backward, SGD."""

    def __init__(self, spec: list[tuple], params: list[dict | None], lr: float) -> None:
        self.layers = numpy_floor.build(spec, params)
        self.params = [(Value(p), layer, i) for layer in self.layers for i, p in enumerate(layer.params)]
        self.lr = lr
        self.counter = itertools.count()

    def batch(self, x: np.ndarray, y: np.ndarray) -> tuple[Value, np.ndarray]:
        return Value(x), y

    def _forward(self, x: Value) -> Value:
        for layer in self.layers:
            x = Value(layer.forward(x.data, True), Node(next(self.counter), layer.backward, x.node))
        return x

    def _backward(self, loss_node: Node, grad: np.ndarray) -> None:
        reachable, stack = set(), [loss_node]
        while stack:
            node = stack.pop()
            if node not in reachable:
                reachable.add(node)
                if node.parent is not None:
                    stack.append(node.parent)
        grads = {loss_node: grad}
        for node in sorted(reachable, key=lambda n: n.seq, reverse=True):
            dx = node.backward(grads.pop(node), node.parent is not None)
            if node.parent is not None:
                previous = grads.get(node.parent)
                grads[node.parent] = dx if previous is None else previous + dx
        for value, layer, i in self.params:  # the layers wrote their weight gradients
            value.grad = layer.grads[i] if value.grad is None else value.grad + layer.grads[i]

    def step(self, batch: tuple[Value, np.ndarray]) -> None:
        for value, _, _ in self.params:
            value.grad = None
        logits = self._forward(batch[0])
        _, grad = numpy_floor.cross_entropy(logits.data, batch[1])
        self._backward(logits.node, grad)
        for value, _, _ in self.params:
            value.data -= self.lr * value.grad

    def predict(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x, False)
        return x
