"""A captured step, verified and ready to replay.

A step is recorded twice, and the two recordings must agree op for op and constant for
constant: a value that was computed outside diffkit's engine (numpy on ``.numpy()``, random
numbers drawn in Python, a branch on a tensor's value) shows up as a constant that differs
between the two calls, and the step is refused instead of replayed wrongly. The replay then
runs the ops in order over a list of slots: no Tensor, node or dict is made.
"""
from __future__ import annotations

from operator import itemgetter

import numpy as np

from ..tensor import Tensor
from . import codegen
from .donation import donating_kernels
from .recorder import CONSTANT, LIVE, Recorder

DIFFERS = ("the step did not compute the same thing on two calls ({what}). A captured step must be the same "
           "array computations on every call: a value computed outside diffkit's operations (numpy on "
           ".numpy() or ._data), random numbers drawn outside an operation, or a Python branch that changes "
           "between calls makes it differ. Run this step eagerly (without diffkit.graphs.capture).")


def same(a, b) -> bool:
    """Whether two recorded values are the same: equal numbers, arrays, containers; identical objects."""
    if a is b:
        return True
    if type(a) is not type(b) or isinstance(a, Tensor):
        return False
    if isinstance(a, np.ndarray):
        return (a.shape == b.shape and a.dtype == b.dtype
                and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")))
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float) and a != a:
        return b != b
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def verify(first: Recorder, second: Recorder) -> None:
    """Raise unless the two recordings are the same program."""
    if len(first.ops) != len(second.ops):
        raise RuntimeError(DIFFERS.format(what=f"{len(first.ops)} operations, then {len(second.ops)}"))
    for i, (a, b) in enumerate(zip(first.ops, second.ops)):
        if a.name != b.name or a.inputs != b.inputs or a.outputs != b.outputs or not same(a.key, b.key):
            raise RuntimeError(DIFFERS.format(what=f"operation {i}: {a.name}, then {b.name}"))
    modes = [(id(m), t) for m, t in first.modules.values()], [(id(m), t) for m, t in second.modules.values()]
    if modes[0] != modes[1]:
        raise RuntimeError(DIFFERS.format(what="its modules were called in other train()/eval() modes"))
    for k, ((kind, detail), (kind2, detail2)) in enumerate(zip(first.sources, second.sources)):
        if kind != kind2 or (kind not in (LIVE, CONSTANT) and detail != detail2):
            raise RuntimeError(DIFFERS.format(what=f"value {k}: {kind}, then {kind2}"))
        if kind == CONSTANT or (kind == LIVE and detail is not detail2):
            if not same(first.first_seen.get(k, first.values[k]), second.first_seen.get(k, second.values[k])):
                raise RuntimeError(DIFFERS.format(what=f"an input of {_reader(second, k)} changed"))


def _reader(recorder: Recorder, k: int) -> str:
    for i, op in enumerate(recorder.ops):
        if k in op.inputs:
            return f"operation {i} ({op.name})"
    return "the step's result"


class Program:
    """The ops of a verified recording over numbered slots."""

    def __init__(self, first: Recorder, second: Recorder, keep: tuple = ()) -> None:
        verify(first, second)
        self.template: list = [None] * len(second.values)
        self.live: list[tuple] = []  # (slot, tensor, the array it held): parameters and buffers, read at each run
        self.constants: list[int] = []
        for k, (kind, detail) in enumerate(second.sources):
            if kind == LIVE and detail is first.sources[k][1]:
                self.live.append((k, detail, second.values[k]))
            elif kind in (LIVE, CONSTANT):  # made inside the step but the same both times: a constant
                self.template[k] = second.first_seen.get(k, second.values[k])
                self.constants.append(k)
        # writable constant arrays start as copies at each run: an op may write into one or into a view of it
        self.fresh = tuple(k for k, v in enumerate(self.template) if isinstance(v, np.ndarray) and v.flags.writeable)
        self.arguments = second.arguments
        self.modes = tuple(second.modules.values())  # (module, training) pairs that the recording assumed
        self.wants = tuple((t, t._requires_grad) for _, t, _ in self.live)  # and which tensors wanted gradients
        last = {}  # slot -> the last op that reads it (or makes it, when nothing reads it)
        for i, op in enumerate(second.ops):
            for k in op.outputs + op.inputs:
                last[k] = i
        frees: list[list[int]] = [[] for _ in second.ops]
        for k, i in last.items():
            if k not in keep:
                frees[i].append(k)
        # each value is dropped after its last use, as the eager engine drops it: memory is reused while warm
        in_place = donating_kernels(second, last, keep)  # ops that may overwrite an input nothing reads later
        # (kernel, input slots, output slot or slots, slots dropped after it)
        self.steps = [(in_place.get(i, op.fn), op.inputs, op.outputs if op.unpack else op.outputs[0], tuple(free))
                      for i, (op, free) in enumerate(zip(second.ops, frees))]
        self.ops = [(fn, *_gather(inputs), outputs, free) for fn, inputs, outputs, free in self.steps]
        self.compiled = codegen.generate(self, keep, _check_rebound) if len(self.steps) <= codegen.MAX_OPS else None

    def holds(self) -> bool:
        """Whether every module called in the step is in the mode (train or eval) it was recorded in, and
        every tensor read from outside still does or does not require a gradient as then (a frozen layer)."""
        for module, training in self.modes:
            if module.training is not training:
                return False
        for tensor, wanted in self.wants:
            if tensor._requires_grad is not wanted:
                return False
        return True

    def run(self, arrays: list[np.ndarray]) -> list | dict:
        """Replay on new argument arrays (of the recorded shapes and dtypes); the kept slots' values, by slot."""
        if self.compiled is not None:
            return self.compiled(*arrays)
        return self.interpret(arrays)

    def interpret(self, arrays: list[np.ndarray]) -> list:
        """``run`` by a loop over the ops: for programs too long to compile; the slots, the kept ones filled."""
        slots = self.template.copy()
        for k, tensor, seen in self.live:
            data = tensor._data
            if data is not seen:
                _check_rebound(tensor, data, seen)
            slots[k] = data
        for k, a in zip(self.arguments, arrays):
            slots[k] = a
        for k in self.fresh:
            slots[k] = slots[k].copy()
        for fn, get, many, outputs, frees in self.ops:
            result = fn(*get(slots)) if many else fn() if get is None else fn(slots[get])
            if outputs.__class__ is int:
                slots[outputs] = result
            elif outputs:
                for k, value in zip(outputs, result):
                    slots[k] = value
            for k in frees:
                slots[k] = None
        return slots


def _gather(inputs: tuple) -> tuple:
    """How a replay reads an op's inputs from the slots: ``(an itemgetter, True)`` for several (one C call
    instead of a list comprehension: 6.3 -> 3.3 us of loop per 20 ops), ``(slot, False)`` for one,
    ``(None, False)`` for none."""
    if len(inputs) > 1:
        return itemgetter(*inputs), True
    return (inputs[0] if inputs else None), False


def _check_rebound(tensor: Tensor, data: np.ndarray, seen: np.ndarray) -> None:
    """A parameter or buffer given a new array since the capture (``p.data = ...``): fine with the same
    shape and dtype, which the recorded ops assume."""
    if data.shape != seen.shape or data.dtype != seen.dtype:
        raise RuntimeError(f"a tensor that the captured step reads changed from {list(seen.shape)} {seen.dtype} "
                           f"to {list(data.shape)} {data.dtype} since the capture; capture the step again")
