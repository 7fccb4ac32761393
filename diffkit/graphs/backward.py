"""``backward()`` while a step is captured: the engine's walk, with every array computation recorded.

The eager engine (autograd/engine.py) stays free of recording; this walk visits the same
nodes in the same order and calls the same rules, and notes each node's backward, each
gradient sum and each leaf's accumulation as ops of the captured program. What a replay
could not repeat -- hooks (Python code that sees gradients), higher-order graphs, custom
``autograd.Function`` nodes -- is refused with the reason.
"""
from __future__ import annotations

import sys

import numpy as np

from ..autograd import engine, grad_mode
from ..autograd.graph import Node
from ..ops._primitive import PrimitiveNode
from .recorder import Recorder, refuse


def capture_backward(recorder: Recorder, outputs: tuple, grad_outputs: tuple, retain_graph, create_graph: bool,
                     inputs, accumulate: bool) -> dict:
    if create_graph:
        raise refuse("backward(create_graph=True)", "a graph of the backward pass would not be rebuilt")
    if not accumulate:
        raise refuse("autograd.grad()", "the gradients it returns would be this run's, not the replay's",
                     "; inside a captured step use loss.backward() and read .grad")
    grads0 = engine._initial_grads(outputs, grad_outputs, False)
    targets = {x.grad_fn if x.grad_fn is not None else x for x in inputs or ()}
    pending: dict = {}  # node or id(leaf) -> (edge, gradient so far)

    def send(edge, g) -> None:
        key = edge if isinstance(edge, Node) else id(edge)
        previous = pending.pop(key, None)
        if previous is not None:
            total = previous[1] + g
            recorder.record(np.add, (previous[1], g), total, ("sum",), "sum")
            g = total
        pending[key] = (edge, g)

    roots = []
    for out, g in zip(outputs, grads0):
        edge = out.grad_fn if out.grad_fn is not None else out
        roots.append(edge)
        send(edge, g)
    previous_mode = grad_mode.state.enabled
    grad_mode.state.enabled = False
    try:
        for node in engine._reachable_nodes(roots):
            entry = pending.pop(node, None)
            if entry is None:
                continue
            g = entry[1]
            if node.hooks:
                raise refuse("a gradient hook", "Python code that sees gradients would not run again")
            if not isinstance(node, PrimitiveNode):
                raise refuse(f"{type(node).__name__} (a custom autograd.Function or a module's backward hook)",
                             "its backward is Python code outside diffkit's primitive table")
            node_grads = node._vjp(g, False)
            recorder.record_backward(node, g, node_grads)
            for edge, gi in zip(node.edges, node_grads):
                if gi is not None:
                    send(edge, gi)
            if not retain_graph:
                node._release()
        node_grads = gi = None  # as the engine: the last node's gradients may become .grad's buffers
        for leaf, g in pending.values():
            if leaf._hooks:
                raise refuse("a gradient hook", "Python code that sees gradients would not run again")
            if inputs is None or leaf in targets:
                _accumulate(recorder, leaf, g)
    finally:
        grad_mode.state.enabled = previous_mode
    return {}


def _accumulate(recorder: Recorder, leaf, g) -> None:
    """Accumulate into ``leaf.grad`` as the engine does, and record it with the engine's choice of
    taking ``g``'s buffer made once, here: the recorder's own references to ``g`` do not count."""
    # whether g is private (the engine's test), whether or not .grad exists yet: one answer on every call
    owned = (isinstance(g, np.ndarray) and g.flags.owndata and g.flags.writeable and g.dtype == leaf._data.dtype
             and sys.getrefcount(g) - sum(v is g for v in recorder.values) <= 4)  # this frame, pending, call
    engine._accumulate(leaf, g, False, owned)

    def accumulate(gradient):
        engine._accumulate(leaf, gradient, False, owned)
        return leaf._grad._data

    recorder.record(accumulate, (g,), leaf._grad._data, ("accumulate", leaf, owned), "AccumulateGrad")
