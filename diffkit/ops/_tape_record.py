"""Recording one node on the tape: the edges to the inputs that need a gradient, their shapes where
they differ from the output's, the saved inputs and their versions, and the output Tensor.

This runs once per differentiable operation, so the common arities (one, two and three inputs: unary
functions, binary arithmetic, linear's x, W and b) are unrolled; the loop serves the rest.
"""
from __future__ import annotations

import traceback

import numpy as np

from ..autograd import grad_mode, tape_hooks
from ..autograd.graph import sequence
from ..tensor import Tensor, _wrap
from ._errors import stale_view

_state = grad_mode.state


def _version(a):
    """Tensor._version inlined, or None for a constant: what a saved input's count was when it was saved."""
    return (a._count if a._vc is None else a._vc[0]) if isinstance(a, Tensor) else None


def record(prim, args: tuple, params: dict, out: np.ndarray, residual=None) -> Tensor:
    """The output of ``prim`` on ``args`` as a Tensor whose ``grad_fn`` is a new node of the tape."""
    node = prim.node_class()
    node.seq = next(sequence)
    node.hooks = None
    node.freed = False
    node.params = params
    node.residual = residual
    out_shape = out.shape
    if len(args) == 1:  # unary operations: most of the tape, so they skip the general loop
        a = args[0]
        if a._view_version is not None and a._view_version != a._vc[0]:
            raise stale_view(a)
        node._en, node._e0 = 1, a.grad_fn or a  # the edges, in slots (Node.edges)
        node.in_shapes = None if a._data.shape == out_shape else (a._data.shape,)
        wanted = 1
    elif len(args) == 2:  # binary operations (x * y, x + 0.5): the rest of the tape, unrolled
        a, b = args
        grad_a = isinstance(a, Tensor) and a._requires_grad
        grad_b = isinstance(b, Tensor) and b._requires_grad
        if grad_a and a._view_version is not None and a._view_version != a._vc[0]:
            raise stale_view(a)
        if grad_b and b._view_version is not None and b._view_version != b._vc[0]:
            raise stale_view(b)
        node._en, node._e0, node._e1 = 2, (a.grad_fn or a) if grad_a else None, (b.grad_fn or b) if grad_b else None
        wanted = grad_a | grad_b << 1
        shape_a = a._data.shape if grad_a else out_shape
        shape_b = b._data.shape if grad_b else out_shape
        node.in_shapes = None if shape_a == out_shape and shape_b == out_shape else (shape_a, shape_b)
    elif len(args) == 3:  # linear's (x, W, b): once per layer per step, so unrolled too
        a, b, c = args
        grad_a = isinstance(a, Tensor) and a._requires_grad
        grad_b = isinstance(b, Tensor) and b._requires_grad
        grad_c = isinstance(c, Tensor) and c._requires_grad
        for x, grad_x in ((a, grad_a), (b, grad_b), (c, grad_c)):
            if grad_x and x._view_version is not None and x._view_version != x._vc[0]:
                raise stale_view(x)
        node._en = ((a.grad_fn or a) if grad_a else None, (b.grad_fn or b) if grad_b else None,
                    (c.grad_fn or c) if grad_c else None)
        wanted = grad_a | grad_b << 1 | grad_c << 2
        shapes = (a._data.shape if grad_a else out_shape, b._data.shape if grad_b else out_shape,
                  c._data.shape if grad_c else out_shape)
        node.in_shapes = None if shapes[0] == shapes[1] == shapes[2] == out_shape else shapes
    else:
        edges = []
        shapes = None
        wanted = 0  # bit i set: input i needs a gradient
        i = 0
        for a in args:
            if isinstance(a, Tensor) and a._requires_grad:
                if a._view_version is not None and a._view_version != a._vc[0]:
                    raise stale_view(a)
                edges.append(a.grad_fn or a)
                wanted |= 1 << i
                if a._data.shape != out_shape:
                    if shapes is None:
                        shapes = [out_shape] * len(args)
                    shapes[i] = a._data.shape
            else:
                edges.append(None)
            i += 1
        node.in_shapes = None if shapes is None else tuple(shapes)
        node.edges = edges
    if prim.saves_inputs:
        keep = prim.saved_indices
        if keep is None:
            saved = args
        elif len(args) == 3:  # linear's (x, W, b) keeps x and W: unrolled, as this runs per layer per step
            a, b, c = args
            saved = (a if 0 in keep else None, b if 1 in keep else None, c if 2 in keep else None)
        else:
            saved = tuple([a if i in keep else None for i, a in enumerate(args)])
        if prim.needs is not None and len(prim.needs[wanted]) < len(saved):
            needed = prim.needs[wanted]  # keep only the tensors the rules to be run read (x * 0.5 keeps no x)
            if len(saved) == 2:
                a, b = saved
                saved = (a if 0 in needed or not isinstance(a, Tensor) else None,
                         b if 1 in needed or not isinstance(b, Tensor) else None)
            else:
                saved = tuple([a if i in needed or not isinstance(a, Tensor) else None for i, a in enumerate(saved)])
        if len(saved) == 2:  # Tensor._version, inlined (and unrolled for two): the tape's hot path
            a, b = saved
            node._sn, node._s0, node._s1 = 2, a, b  # node.saved, in slots
            node.versions = ((a._count if a._vc is None else a._vc[0]) if isinstance(a, Tensor) else None,
                             (b._count if b._vc is None else b._vc[0]) if isinstance(b, Tensor) else None)
        elif len(saved) == 3:  # linear's (x, W, None): inlined as for two
            a, b, c = saved
            node._sn = saved
            node.versions = ((a._count if a._vc is None else a._vc[0]) if isinstance(a, Tensor) else None,
                             (b._count if b._vc is None else b._vc[0]) if isinstance(b, Tensor) else None,
                             (c._count if c._vc is None else c._vc[0]) if isinstance(c, Tensor) else None)
        else:
            node.saved = saved
            node.versions = tuple([_version(a) for a in saved])
    else:
        node._sn = None
    node.out = out if prim.saves_output else None
    if _state.anomaly:
        node.forward_stack = traceback.format_stack()[:-3]
    result = _wrap(out, True, node)
    if node.out is not None:  # a saved output is watched: its count stays 0 until it, a view or a detach() changes
        node.out_vc = result._vc = [0]
    if tape_hooks.active:
        tape_hooks.notify(node, args, result)
    return result
