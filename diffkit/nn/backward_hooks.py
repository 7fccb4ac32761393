"""``Module.register_full_backward_hook`` / ``register_full_backward_pre_hook``: PyTorch's semantics.

As PyTorch's ``BackwardHook``, a call puts identity nodes around the module: one per tensor input
before ``forward`` and one per tensor output after. The engine runs nodes in reverse tape order,
so every output identity has its gradient before the module's own nodes run, and every input
identity before anything older. Each identity stores its gradient on the call's gate and sends a
dummy zero to a collector node created just inside it (before the output identities; before
the input identities); the collector, run once, calls the hooks with all the gradients at once:

    pre-hooks(module, grad_output) -> grad_output   (at the output collector)
    hooks(module, grad_input, grad_output) -> grad_input   (at the input collector)

``grad_input`` has one entry per positional argument (``None`` for non-tensors, zeros for tensors
that receive no gradient); a returned tuple replaces the gradients sent on to the inputs.
"""
from __future__ import annotations

import numpy as np

from ..autograd import grad_mode
from ..autograd.graph import Node, new_sequence_number
from ..tensor import Tensor, _wrap


def _dummy(create_graph: bool):
    zero = np.zeros(())
    return _wrap(zero) if create_graph else zero


def _as_tensor(g, create_graph: bool):
    return g if g is None or create_graph else _wrap(np.asarray(g))


def _as_grad(g, create_graph: bool):
    if g is None or create_graph:
        return g
    return g._data if isinstance(g, Tensor) else np.asarray(g)


def _node(cls, edges: tuple) -> Node:
    node = cls()
    node.seq, node.edges, node.hooks = new_sequence_number(), edges, None
    return node


def _edge(t: Tensor):
    return t.grad_fn if t.grad_fn is not None else t


class BackwardHookFunctionBackward(Node):
    """An identity (PyTorch's node name) that hands its gradient to the gate and a dummy to a collector."""

    __slots__ = ("gate", "side", "index")

    def _vjp(self, grad, create_graph: bool) -> list:
        self.gate.received[self.side][self.index] = grad
        return [_dummy(create_graph)]

    def _release(self) -> None:
        pass


class _Collector(Node):
    __slots__ = ("gate", "side")

    def _vjp(self, grad, create_graph: bool) -> list:
        return self.gate.collect(self.side, create_graph)

    def _release(self) -> None:
        pass


class BackwardHookGate:
    """One module call's state: which arguments are hooked, and the gradients of this backward pass."""

    def __init__(self, module) -> None:
        self.module = module
        self.received: dict[str, dict[int, object]] = {"input": {}, "output": {}}
        self.n_inputs = 0
        self.tensor_inputs: dict[int, Tensor] = {}  # position -> argument, when any argument requires grad
        self.hooked_inputs: list[int] = []  # the positions of those that require grad
        self.n_outputs = 0  # tensor outputs
        self.grad_outputs: tuple = ()

    def _identity(self, side: str, index: int, t: Tensor, collector: Node) -> Tensor:
        node = _node(BackwardHookFunctionBackward, (collector,))
        node.gate, node.side, node.index = self, side, index
        return _wrap(t._data, True, node)

    def wrap_inputs(self, args: tuple) -> tuple:
        self.n_inputs = len(args)
        tensors = {i: a for i, a in enumerate(args) if isinstance(a, Tensor)}
        self.hooked_inputs = [i for i, a in tensors.items() if a._requires_grad]
        if not (grad_mode.state.enabled and self.hooked_inputs):
            self.hooked_inputs = []
            return args
        self.tensor_inputs = tensors
        collector = _node(_Collector, tuple(_edge(args[i]) for i in self.hooked_inputs))
        collector.gate, collector.side = self, "input"
        args = list(args)
        for i in self.hooked_inputs:
            args[i] = self._identity("input", i, args[i], collector)
        return tuple(args)

    def wrap_outputs(self, output):
        single = isinstance(output, Tensor)
        outputs = [output] if single else list(output) if isinstance(output, (tuple, list)) else None
        if outputs is None or not grad_mode.state.enabled:
            return output
        tensors = [i for i, o in enumerate(outputs) if isinstance(o, Tensor)]
        hooked = [(k, i) for k, i in enumerate(tensors) if outputs[i]._requires_grad]
        if not hooked:
            return output
        self.n_outputs = len(tensors)
        collector = _node(_Collector, tuple(_edge(outputs[i]) for _, i in hooked))
        collector.gate, collector.side = self, "output"
        self.hooked_outputs = [k for k, _ in hooked]
        for k, i in hooked:
            outputs[i] = self._identity("output", k, outputs[i], collector)
        if single:
            return outputs[0]
        return type(output)(outputs) if isinstance(output, list) else tuple(outputs)

    def collect(self, side: str, create_graph: bool) -> list:
        """Run the hooks of one side with every gradient it received (PyTorch's fillers: zeros for a tensor
        input without one, None for an output without one); return the gradients to send on."""
        received = self.received[side]
        self.received[side] = {}
        module = self.module
        if side == "output":
            grads = tuple(_as_tensor(received.get(k), create_graph) for k in range(self.n_outputs))
            for hook in list(module._backward_pre_hooks.values()):
                result = hook(module, grads)
                if result is not None:
                    grads = _checked(result, len(grads), "grad_output")
            self.grad_outputs = grads
            if not self.hooked_inputs:  # nothing upstream needs a gradient: the hooks run now
                self._run_hooks((None,) * self.n_inputs, no_inputs=True)
            return [_as_grad(grads[k], create_graph) for k in self.hooked_outputs]
        grad_input = [None] * self.n_inputs
        for i, t in self.tensor_inputs.items():
            g = received.get(i)
            grad_input[i] = _as_tensor(np.zeros_like(t._data) if g is None else g, create_graph)
        grad_input = self._run_hooks(tuple(grad_input))
        return [_as_grad(grad_input[i], create_graph) for i in self.hooked_inputs]

    def _run_hooks(self, grad_input: tuple, no_inputs: bool = False) -> tuple:
        for hook in list(self.module._backward_hooks.values()):
            result = hook(self.module, grad_input, self.grad_outputs)
            if result is None:
                continue
            if no_inputs and any(r is not None for r in result):
                raise RuntimeError("Backward hook for Modules where no input requires gradient should always "
                                   "return None or None for all gradients.")
            grad_input = _checked(result, len(grad_input), "grad_input")
        return grad_input


def _checked(result, expected: int, what: str) -> tuple:
    result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
    if len(result) != expected:
        raise RuntimeError(f"Backward hook returned an invalid number of {what}, got {len(result)}, but expected "
                           f"{expected}")
    return result
