"""The tape made visible: an evaluation trace (a Wengert list) of a computation.

    tape = trace(lambda x1, x2: log(x1) + x1 * x2 - sin(x2), 2.0, 5.0)
    print(tape)                    # primal trace: v_1 = ln v_-1 = 0.6931 ...
    print(tape.tangent_trace("x1"))  # forward mode, seeded on x1 (Baydin et al. 2018, table 2)
    print(tape.adjoint_trace())    # reverse mode (table 3)

or record with ``with Tape([x], ["x"]) as tape: ...``, call ``loss.backward()`` as usual, and
print ``tape.adjoint_trace()``: a closed tape listens to the first backward pass through it.

Inputs are numbered v_{1-n} .. v_0 and intermediate values v_1 .. v_l, as in Baydin,
Pearlmutter, Radul and Siskind, "Automatic Differentiation in Machine Learning: a Survey",
JMLR 18 (2018). The steps are the very nodes the engine records; nothing is typed in.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..tensor import Tensor
from . import tape_hooks
from .engine import run_backward


@dataclass
class Step:
    """One recorded operation: its node, its arguments and the values it saw and made."""

    node: object
    args: tuple
    arg_values: tuple
    value: np.ndarray
    name: str = ""
    adjoint: object = None  # None: the backward pass did not reach this step
    adjoint_terms: list = field(default_factory=list)


def _show(value) -> str:
    array = np.asarray(value)
    if array.size == 1:
        return f"{float(array.reshape(())):.4f}".rstrip("0").rstrip(".") if np.isfinite(array).all() \
            else str(float(array.reshape(())))
    if array.size <= 4:
        return "[" + ", ".join(_show(v) for v in array.reshape(-1)) + "]"
    return f"<{'×'.join(map(str, array.shape))} tensor>"


class Tape:
    """Records every differentiable operation run inside ``with tape:``."""

    def __init__(self, inputs=(), names=None) -> None:
        self.inputs = list(inputs)
        self.input_names = list(names) if names else [f"x{i + 1}" for i in range(len(self.inputs))]
        self.steps: list[Step] = []
        self.output = None
        self._leaf_adjoints: dict = {}
        self._heard = False  # has a backward pass through this tape been observed?
        self._steps_by_node: dict = {}
        self._leaf_ids: set = set()

    def __enter__(self) -> Tape:
        tape_hooks.active.append(self)
        return self

    def __exit__(self, *exc) -> None:
        tape_hooks.active.remove(self)
        if self.steps:
            self._steps_by_node = {id(s.node): s for s in self.steps}
            self._leaf_ids = {id(a) for s in self.steps for a in s.args if isinstance(a, Tensor) and a.grad_fn is None}
            tape_hooks.listen(self)

    def _record(self, node, args, result) -> None:
        values = tuple(a._data.copy() if isinstance(a, Tensor) else a for a in args)
        self.steps.append(Step(node, args, values, result._data.copy()))
        self.output = result

    # ------------------------------------------------------------------ naming
    def _names(self) -> dict:
        """Baydin's names: inputs v_{1-n}..v_0, then v_1, v_2, ... for the steps."""
        names = {}
        leaves = list(self.inputs)
        for step in self.steps:
            for a in step.args:
                if isinstance(a, Tensor) and a.grad_fn is None and a.requires_grad and \
                        not any(a is x for x in leaves):
                    leaves.append(a)
                    self.input_names.append(f"x{len(leaves)}")
        self.inputs = leaves
        n = len(leaves)
        for k, leaf in enumerate(leaves):
            names[id(leaf)] = f"v_{k + 1 - n}"
        for k, step in enumerate(self.steps):
            step.name = f"v_{k + 1}"
            names[id(step.node)] = step.name
        return names

    def _describe(self, names: dict, step: Step) -> str:
        display = step.node.prim.display if hasattr(step.node, "prim") else type(step.node).__name__ + "({})"
        labels = [self._edge_label(names, step, i) for i in range(len(step.args))]
        if "{0}" in display:
            return display.format(*labels)
        return display.format(", ".join(labels))

    def _edge_label(self, names: dict, step: Step, i: int) -> str:
        edge = step.node.edges[i]
        if edge is not None:
            return names.get(id(edge), "?")
        return _show(step.arg_values[i])

    # ------------------------------------------------------------------ tables
    def primal_trace(self) -> str:
        """Forward primal trace: each step ``v_i = op(v_j, v_k) = value``."""
        names = self._names()
        lines = ["Forward primal trace"]
        for name, leaf in zip(self.input_names, self.inputs):
            lines.append(f"  {names[id(leaf)]:>5} = {name:<22} = {_show(leaf._data)}")
        for step in self.steps:
            lines.append(f"  {step.name:>5} = {self._describe(names, step):<22} = {_show(step.value)}")
        if self.steps:
            lines.append(f"  {'y':>5} = {self.steps[-1].name:<22} = {_show(self.steps[-1].value)}")
        return "\n".join(lines)

    __str__ = primal_trace

    def __repr__(self) -> str:
        return f"<Tape of {len(self.steps)} steps>"

    def tangent_trace(self, seed="x1") -> str:
        """Forward tangent trace seeded on one input (its tangent 1, the others 0), computed
        with each primitive's JVP rule on the recorded values."""
        names = self._names()
        seeded = self.input_names.index(seed) if isinstance(seed, str) else seed
        tangents = {id(leaf): np.ones_like(leaf._data) if k == seeded else np.zeros_like(leaf._data)
                    for k, leaf in enumerate(self.inputs)}
        lines = [f"Forward tangent trace (seeded on {self.input_names[seeded]})"]
        for leaf in self.inputs:
            lines.append(f"  {'v̇' + names[id(leaf)][1:]:>6} = {_show(tangents[id(leaf)])}")
        for step in self.steps:
            prim = step.node.prim
            total = 0.0
            for i, edge in enumerate(step.node.edges):
                if edge is None:
                    continue
                t = tangents.get(id(edge), 0.0)
                total = total + prim.jvp[i](t, step.value, *step.arg_values, **step.node.params)
            tangents[id(step.node)] = total
            lines.append(f"  {'v̇' + step.name[1:]:>6} = {_show(total)}")
        if self.steps:
            lines.append(f"  {'ẏ':>6} = {_show(tangents[id(self.steps[-1].node)])}")
        return "\n".join(lines)

    def _observe(self, node, g, grads) -> None:
        """Keep the adjoint of one of this tape's steps (or leaves) as a backward pass computes it."""
        if not self._heard:  # the first pass through one of its steps (the engine visits leaves last)
            if id(node) not in self._steps_by_node:
                return
            self._heard = True
            self._leaf_adjoints = {}
            for step in self.steps:
                step.adjoint, step.adjoint_terms = None, []
            tape_hooks.stop_listening(self)
        step = self._steps_by_node.get(id(node))
        if step is not None:
            step.adjoint = g
            step.adjoint_terms = list(zip(node.edges, grads))
        elif id(node) in self._leaf_ids:
            self._leaf_adjoints[id(node)] = g

    def backward(self, output: Tensor | None = None) -> None:
        """Run reverse mode from ``output`` (the last value by default), keeping every adjoint."""
        output = output if output is not None else self.output
        self._heard = False
        run_backward(output, None, True, False, observer=self._observe)

    def adjoint_trace(self) -> str:
        """Reverse adjoint trace: ``v̄_j += v̄_i · ∂v_i/∂v_j`` from the output back to the inputs,
        as computed by the backward pass already run through this tape (or by one run now)."""
        if not self._heard and self.steps:
            self.backward()
        names = self._names()
        totals: dict = {}
        lines = ["Reverse adjoint trace"]
        reached = [step for step in self.steps if step.adjoint is not None]
        if reached:
            last = reached[-1]
            lines.append(f"  {'v̄' + last.name[1:]:>6} = ȳ = {_show(last.adjoint)}")
        for step in reversed(reached):
            upstream = step.adjoint
            for edge, contribution in step.adjoint_terms:
                if edge is None or contribution is None:
                    continue
                target = "v̄" + names.get(id(edge), "?")[1:]
                partial = np.asarray(contribution) / upstream if np.size(upstream) == 1 and \
                    np.all(np.asarray(upstream) != 0) else None
                factor = f" × {_show(partial)}" if partial is not None and np.size(partial) == 1 else ""
                seen = id(edge) in totals
                totals[id(edge)] = totals[id(edge)] + contribution if seen else contribution
                plus = f"{target} + " if seen else ""
                lines.append(f"  {target:>6} = {plus}v̄{step.name[1:]} ∂{step.name}/∂{names.get(id(edge), '?')}"
                             f" = {plus}{_show(upstream)}{factor} = {_show(totals[id(edge)])}")
        for name, leaf in zip(self.input_names, self.inputs):
            lines.append(f"  {name + '̄':>6} = {'v̄' + names[id(leaf)][1:]} = "
                         f"{_show(self._leaf_adjoints.get(id(leaf), 0.0))}")
        return "\n".join(lines)


def trace(f, *values, names=None, dtype=None) -> Tape:
    """Run ``f`` on fresh leaf tensors made from ``values`` and return its tape."""
    from .._dtypes import float64
    from ..creation import tensor

    inputs = [tensor(v, dtype=dtype or float64, requires_grad=True) for v in values]
    tape = Tape(inputs, names)
    with tape:
        f(*inputs)
    return tape
