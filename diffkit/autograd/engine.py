"""The backward pass: walk the recorded nodes in reverse tape order, iteratively.

Nodes reachable from the outputs are collected with an explicit stack (no recursion, so
graphs of millions of nodes work) and visited by decreasing sequence number: every
consumer of a value runs before the node that produced it, so each node's gradient is
complete when it is used, and is dropped right after. Without ``create_graph`` gradients
are plain numpy arrays and nothing is recorded; with it they are Tensors and the rules
record a new graph, which can be differentiated again.
"""
from __future__ import annotations

from operator import attrgetter

import numpy as np

from ..tensor import Tensor, _wrap
from . import grad_mode, tape_hooks
from .anomaly_mode import check_gradients
from .gradient_donation import FROM_SIZE as SPARE_FROM
from .gradient_donation import offer
from .gradient_donation import owned as _owned
from .gradient_donation import state as donation
from .graph import Node

_by_sequence = attrgetter("seq")


def _as_tuple(x) -> tuple:
    if x is None:
        return ()
    if isinstance(x, (list, tuple)):
        return tuple(x)
    return (x,)


def _initial_grads(outputs: tuple, grad_outputs: tuple, create_graph: bool) -> list:
    if len(grad_outputs) not in (0, len(outputs)):
        raise RuntimeError(f"grad can be implicitly created only for scalar outputs; got "
                           f"{len(grad_outputs)} gradients for {len(outputs)} outputs")
    grads = []
    for i, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            raise TypeError(f"outputs must be Tensors, got {type(out).__name__}")
        if not out._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        given = grad_outputs[i] if grad_outputs else None
        if given is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = np.array(1, out._data.dtype) if out._data.ndim == 0 else np.ones(out._data.shape, out._data.dtype)
            grads.append(_wrap(g) if create_graph else g)
            continue
        g = given if isinstance(given, Tensor) else Tensor(given)
        if g.shape != out.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                               f"output[{i}] has a shape of {out.shape}.")
        grads.append(g if create_graph else g._data)
    return grads


def _reachable_nodes(roots) -> list:
    """Every node reachable from ``roots``, latest first (reverse tape order)."""
    seen = set()
    stack = [r for r in roots if isinstance(r, Node)]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        n = node._en
        for edge in (node._e0, node._e1) if n == 2 else (node._e0,) if n == 1 else n:  # node.edges, inlined
            if edge is not None and edge.__class__ is not Tensor and isinstance(edge, Node) and edge not in seen:
                stack.append(edge)
    return sorted(seen, key=_by_sequence, reverse=True)


def _sum_into(previous, g):
    """``previous + g``, written into ``previous`` when nothing else can see it: a gradient that
    several consumers send to one value is summed in one buffer, not one new array per consumer.

    In place only for a plain array that owns its memory and that no one else refers to (a view of
    it, a saved value, a tensor or another pending gradient would each hold a reference), of the
    sum's own shape and dtype; otherwise the ordinary sum.
    """
    if (g.__class__ is np.ndarray and _owned(previous, 2)  # 2: the caller's variable and this parameter
            and previous.shape == g.shape and previous.dtype == g.dtype):
        return np.add(previous, g, out=previous)
    return previous + g


def _run_hooks(hooks, grad, create_graph: bool):
    for hook in hooks:
        result = hook(grad if create_graph else _wrap(grad))
        if result is not None:
            grad = result if create_graph else result._data
    return grad


def run_backward(outputs, grad_outputs, retain_graph, create_graph: bool, inputs=None,
                 accumulate: bool = True, observer=None) -> dict:
    """Backpropagate from ``outputs``; accumulate into leaves' ``.grad`` (``accumulate``) and/or
    return the gradients reaching ``inputs`` as a dict keyed by ``id(input)``."""
    outputs = _as_tuple(outputs)
    if grad_mode.state.capture is not None:  # a step being captured (diffkit.graphs): the recording walk
        from ..graphs.backward import capture_backward

        return capture_backward(grad_mode.state.capture, outputs, _as_tuple(grad_outputs), retain_graph,
                                create_graph, inputs, accumulate)
    grads0 = _initial_grads(outputs, _as_tuple(grad_outputs), create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    targets = {}  # node or leaf -> input tensors whose gradient we report
    for x in inputs or ():
        targets.setdefault(x.grad_fn if x.grad_fn is not None else x, []).append(x)

    grads: dict = {}
    leaf_grads: dict = {}

    def send(edge, g):
        if isinstance(edge, Node):
            previous = grads.pop(edge, None)
            grads[edge] = g if previous is None else _sum_into(previous, g)
        else:
            previous = leaf_grads.pop(id(edge), None)
            leaf_grads[id(edge)] = (edge, g) if previous is None else (edge, _sum_into(previous[1], g))

    roots = []
    for out, g in zip(outputs, grads0):
        edge = out.grad_fn if out.grad_fn is not None else out
        roots.append(edge)
        send(edge, g)

    captured: dict = {}
    if observer is None and tape_hooks.listening:
        observer = tape_hooks.observer()  # a closed tape shows the adjoints of this pass
    anomaly = grad_mode.state.anomaly
    watched = bool(targets) or anomaly or observer is not None
    inspected = anomaly or observer is not None  # who reads a node's gradient after its rules ran
    previous_mode, previous_spares = grad_mode.state.enabled, (donation.sparing, donation.donor)
    grad_mode.state.enabled = create_graph
    try:
        for node in _reachable_nodes(roots):
            g = grads.pop(node, None)
            if g is None:
                continue
            if node.hooks:
                g = _run_hooks(node.hooks, g, create_graph)
            if g.__class__ is np.ndarray and g.size >= SPARE_FROM and node.donates and not (
                    watched and (inspected or node in targets)):
                donation.sparing = True  # see gradient_donation: the rules may spare their fresh arrays
                offer(g)
                node_grads = node._vjp(g, create_graph)
                donation.sparing, donation.donor = False, None
            else:
                node_grads = node._vjp(g, create_graph)
            if watched:
                if node in targets:
                    captured[node] = g
                if anomaly:
                    check_gradients(node, node_grads)
                if observer is not None:
                    observer(node, g, node_grads)
            n = node._en
            for edge, gi in zip((node._e0, node._e1) if n == 2 else (node._e0,) if n == 1 else n, node_grads):
                if gi is None:
                    continue
                if isinstance(edge, Node):  # inlined send(): this loop is the engine's hot path
                    previous = grads.pop(edge, None)
                    grads[edge] = gi if previous is None else _sum_into(previous, gi)
                else:
                    send(edge, gi)
            if not retain_graph:
                node._release()
            node_grads = gi = previous = None  # no stale references: an offered gradient must be alone
        while leaf_grads:
            leaf, g = leaf_grads.popitem()[1]
            if leaf._hooks:
                g = _run_hooks(leaf._hooks, g, create_graph)
            if leaf in targets:
                captured[leaf] = g
            if observer is not None:
                observer(leaf, g, None)
            if accumulate and (inputs is None or leaf in targets):
                _accumulate(leaf, g, create_graph)
    finally:
        grad_mode.state.enabled = previous_mode
        donation.sparing, donation.donor = previous_spares
    return {id(x): captured.get(key) for key, xs in targets.items() for x in xs}


def _accumulate(leaf: Tensor, g, create_graph: bool, owned: bool | None = None) -> None:
    """Add a gradient into ``leaf.grad``, owning its buffer so later in-place updates are safe
    (``owned``: whether ``g`` may become the buffer, when the caller knows; else decided here)."""
    if create_graph:
        g = g if g.dtype == leaf.dtype else g.to(leaf.dtype)
        leaf._grad = g if leaf._grad is None else leaf._grad + g
        return
    dtype = leaf._data.dtype
    if leaf._grad is None:
        # take the buffer only when nothing else can see it (as PyTorch's AccumulateGrad does)
        if owned is None:
            owned = _owned(g, 2) and g.dtype == dtype  # 2: run_backward's variable and this parameter
        leaf._grad = _wrap(g if owned else np.array(g, dtype=dtype))
    else:
        buffer = leaf._grad._data
        if buffer.flags.writeable and buffer.shape == np.shape(g):
            np.add(buffer, g, out=buffer, casting="unsafe")
            leaf._grad._version += 1
        else:
            leaf._grad = _wrap((buffer + g).astype(dtype, copy=False))


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph: bool = False,
             inputs=None) -> None:
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the graph's leaves
    (or only of ``inputs``)."""
    inputs = _as_tuple(inputs) or None
    run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs=inputs)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph: bool = False,
         only_inputs: bool = True, allow_unused: bool | None = None, materialize_grads: bool = False):
    """Return the gradients of ``outputs`` with respect to ``inputs`` without touching ``.grad``."""
    single = isinstance(inputs, Tensor)
    inputs = _as_tuple(inputs)
    if not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    for x in inputs:
        if not isinstance(x, Tensor) or not x._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    found = run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs=inputs,
                         accumulate=False)
    result = []
    for x in inputs:
        g = found[id(x)]
        if g is None:
            if materialize_grads:
                result.append(_wrap(np.zeros_like(x._data)))
                continue
            if not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have been used "
                                   "in the graph. Set allow_unused=True if this is the desired behavior.")
            result.append(None)
            continue
        if not create_graph:  # an array the engine owns, else a copy: g may be a saved value or a leaf's data
            g = _wrap(g if _owned(g, 2) and g.dtype == x._data.dtype else np.array(g, dtype=x._data.dtype))
        result.append(g)
    return tuple(result) if not single or len(result) != 1 else tuple(result)
