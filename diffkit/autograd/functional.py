"""``torch.autograd.functional``: ``vjp``, ``jvp``, ``jacobian``, ``hessian``, ``hvp``, ``vhp``
on functions of tensors, built on ``autograd.grad``.

A Jacobian is assembled one output element at a time (one reverse pass each, as PyTorch
without ``vectorize``); ``jvp`` uses the double-backward trick (the VJP is linear in its
cotangent, so differentiating it with respect to the cotangent gives the JVP); ``hessian``
is the Jacobian of the gradient taken with ``create_graph``.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..tensor import Tensor, _wrap
from .engine import grad
from .grad_mode import enable_grad


def _tuple(x) -> tuple[bool, tuple]:
    return (True, tuple(x)) if isinstance(x, (tuple, list)) else (False, (x,))


def _prepare(inputs: tuple, create_graph: bool) -> tuple:
    """Inputs the function's graph can be differentiated against: fresh leaves, or (with
    ``create_graph``) views of the inputs, so that the results stay connected to them."""
    if create_graph:
        return tuple(x.view_as(x) if x.requires_grad else x.detach().requires_grad_(True) for x in inputs)
    return tuple(x.detach().requires_grad_(True) for x in inputs)


def _grads(outputs: tuple, inputs: tuple, cotangents: tuple, create_graph: bool) -> tuple:
    """The gradients of <outputs, cotangents>, zeros for inputs the outputs do not depend on."""
    wanted = [(o, v) for o, v in zip(outputs, cotangents) if o.requires_grad]
    if not wanted:
        return tuple(_zeros(x) for x in inputs)
    found = grad([o for o, _ in wanted], inputs, [v for _, v in wanted], retain_graph=True,
                 create_graph=create_graph, allow_unused=True)
    return tuple(_zeros(x) if g is None else g for g, x in zip(found, inputs))


def _zeros(x: Tensor) -> Tensor:
    return _wrap(np.zeros(x._data.shape, x._data.dtype))


def _out(values: tuple, is_tuple: bool, create_graph: bool):
    values = tuple(v if create_graph else v.detach() for v in values)
    return values if is_tuple else values[0]


def _default_v(outputs: tuple, v, what: str) -> tuple:
    if v is None:
        if any(o.numel() != 1 for o in outputs):
            raise RuntimeError(f"The vector v can only be None if the {what} is a single element tensor")
        return tuple(_wrap(np.ones(o._data.shape, o._data.dtype)) for o in outputs)
    return _tuple(v)[1]


def vjp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T J): the vector-Jacobian product at ``inputs``."""
    is_tuple, xs = _tuple(inputs)
    with enable_grad():
        xs = _prepare(xs, create_graph)
        out_tuple, outputs = _tuple(func(*xs))
        result = _grads(outputs, xs, _default_v(outputs, v, "function output"), create_graph)
    return _out(outputs, out_tuple, create_graph), _out(result, is_tuple, create_graph)


def jvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), J v): the Jacobian-vector product, by differentiating a VJP with respect
    to its (dummy) cotangent."""
    is_tuple, xs = _tuple(inputs)
    with enable_grad():
        xs = _prepare(xs, create_graph)
        tangents = _default_v(xs, v, "input")
        out_tuple, outputs = _tuple(func(*xs))
        dummies = tuple(_wrap(np.zeros(o._data.shape, o._data.dtype)).requires_grad_(True) for o in outputs)
        pulled = _grads(outputs, xs, dummies, create_graph=True)
        pairs = [(p, t) for p, t in zip(pulled, tangents) if p.requires_grad]
        if pairs:
            found = grad([p for p, _ in pairs], dummies, [t for _, t in pairs], create_graph=create_graph,
                         allow_unused=True)
        else:
            found = (None,) * len(dummies)
        result = tuple(_zeros(o) if g is None else g for g, o in zip(found, outputs))
    return _out(outputs, out_tuple, create_graph), _out(result, out_tuple, create_graph)


def jacobian(func: Callable, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode"):
    """d func(inputs) / d inputs, shaped output.shape + input.shape (nested tuples for tuples
    of outputs and inputs, as PyTorch)."""
    is_tuple, xs = _tuple(inputs)
    with enable_grad():
        xs = _prepare(xs, create_graph)
        out_tuple, outputs = _tuple(func(*xs))
        blocks = tuple(_jacobian_rows(o, xs, create_graph) for o in outputs)
    blocks = tuple(row if is_tuple else row[0] for row in blocks)
    return blocks if out_tuple else blocks[0]


def _jacobian_rows(output: Tensor, xs: tuple, create_graph: bool) -> tuple:
    """The Jacobian of one output against each input: one reverse pass per output element."""
    from ..ops import reshape, stack

    n = output.numel()
    shape = tuple(output.shape)
    if n == 0 or not output.requires_grad:
        return tuple(_wrap(np.zeros(shape + tuple(x.shape), x._data.dtype)) for x in xs)
    basis = np.eye(n, dtype=output._data.dtype)
    rows = [_grads((output,), xs, (_wrap(basis[i].reshape(shape)),), create_graph) for i in range(n)]
    return tuple(reshape(stack([r[k] for r in rows]), shape + tuple(x.shape)) for k, x in enumerate(xs))


def hessian(func: Callable, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode"):
    """The second derivatives of a function with one element, input.shape + input.shape."""
    is_tuple, xs = _tuple(inputs)

    def gradient(*args):
        out = func(*args)
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise RuntimeError("The function given to hessian should return a single element Tensor")
        found = _grads((out,), args, (_wrap(np.ones(out._data.shape, out._data.dtype)),), create_graph=True)
        return found if is_tuple else found[0]

    return jacobian(gradient, inputs if is_tuple else xs[0], create_graph=create_graph)


def vhp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T H)."""
    return _hessian_product(func, inputs, v, create_graph)


def hvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), H v): the same as vhp, the Hessian of a twice differentiable function being symmetric."""
    return _hessian_product(func, inputs, v, create_graph)


def _hessian_product(func, inputs, v, create_graph):
    is_tuple, xs = _tuple(inputs)
    with enable_grad():
        xs = _prepare(xs, create_graph)
        out = func(*xs)
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise RuntimeError("The function given to hvp/vhp should return a single element Tensor")
        first = _grads((out,), xs, (_wrap(np.ones(out._data.shape, out._data.dtype)),), create_graph=True)
        result = _grads(first, xs, _default_v(xs, v, "input"), create_graph)
    return _out((out,), False, create_graph), _out(result, is_tuple, create_graph)
