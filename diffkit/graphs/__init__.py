"""``diffkit.graphs.capture``: record a training step once, then replay it without the tape.

An eager step spends a few microseconds of Python per operation on bookkeeping -- Tensors,
nodes, version counters, the backward walk -- which is most of the time of a small model.
CUDA graphs remove the same kind of overhead on a GPU by recording a step's kernels and
launching the recording; this is that idea on the CPU. The wrapped function runs eagerly on
its first two calls while every numpy computation diffkit performs is recorded (forward,
backward, gradient accumulation, in-place writes, optimizer updates); the two recordings are
compared, and from the third call on the recorded kernels run in order on the new inputs.

The contract, as for CUDA graphs: the step must do the same array computations on every
call (shapes and dtypes of the arguments may vary: each signature is captured on its own).
What would make a replay differ from an eager run -- ``.item()`` or ``if tensor:``, gradient
hooks, ``autograd.grad``, custom Functions, random numbers drawn outside an operation -- is
refused with the reason, and the calls made so far were ordinary eager steps.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..autograd import grad_mode
from ..tensor import Tensor, _wrap
from .program import DIFFERS, Program, same
from .recorder import Recorder

__all__ = ["capture", "CapturedStep"]

_SCALARS = (int, float, bool, str, type(None))


class CapturedStep:
    """A step function, eager on its first two calls with each argument signature, replayed after."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self._captured: dict = {}  # signature -> (Recorder, result layout) after one call, Program after two
        self.__doc__ = getattr(fn, "__doc__", None)
        self.__wrapped__ = fn

    def __call__(self, *args: Any) -> Any:
        signature = _signature(args)
        entry = self._captured.get(signature)
        if entry.__class__ is tuple and entry[0].__class__ is Program:
            program, layout = entry
            if program.holds():
                return _build(layout, program.run([a._data for a in args if isinstance(a, Tensor)]))
            entry = None  # a module switched train()/eval(), or a parameter was frozen: record the step anew
        recorder, result, layout = self._record(args)
        if entry is None:
            self._captured[signature] = (recorder, layout)
        else:
            first, first_layout = entry
            if not same(first_layout, layout):
                raise RuntimeError(DIFFERS.format(what="the results differ in structure"))
            self._captured[signature] = (Program(first, recorder, keep=tuple(_slots_of(layout))), layout)
        return result

    def _record(self, args: tuple) -> tuple:
        state = grad_mode.state
        if state.capture is not None:
            raise RuntimeError("a captured step cannot call another captured step")
        recorder = Recorder([a._data for a in args if isinstance(a, Tensor)])
        state.capture = recorder
        try:
            result = self.fn(*args)
        finally:
            state.capture = None
        return recorder, result, _layout(result, recorder)

    def reset(self) -> None:
        """Forget the captured programs: the next two calls are recorded anew."""
        self._captured.clear()


def capture(fn: Callable[..., Any]) -> CapturedStep:
    """Wrap a training step ``fn(*tensors) -> result`` so that, after two eager calls, it is replayed.

    >>> step = diffkit.graphs.capture(train_step)    # def train_step(x, y): ... return loss
    >>> for x, y in loader:
    ...     loss = step(x, y)                        # a Tensor holding this call's loss
    """
    return CapturedStep(fn)


def _signature(args: tuple) -> tuple:
    """Shapes and dtypes of the tensors (and which of them share one array), the numbers, the grad mode."""
    key = []
    first = {}  # id(array) -> the position of the first argument holding it
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            key.append((a._data.shape, a._data.dtype.str, first.setdefault(id(a._data), i)))
        elif isinstance(a, _SCALARS):
            key.append((type(a), a))
        else:
            raise TypeError(f"a captured step takes Tensors and plain numbers, got {type(a).__name__}")
    key.append(grad_mode.state.enabled)
    return tuple(key)


def _layout(result, recorder: Recorder):
    """Where each Tensor of the result lives (a slot), and the plain values around them."""
    if isinstance(result, Tensor):
        return ("tensor", recorder.slot(result))
    if isinstance(result, (tuple, list)):
        return (type(result).__name__, tuple(_layout(r, recorder) for r in result))
    if isinstance(result, dict):
        return ("dict", tuple((k, _layout(v, recorder)) for k, v in result.items()))
    if isinstance(result, _SCALARS):
        return ("value", result)
    raise TypeError(f"a captured step returns Tensors, numbers and tuples, lists or dicts of them, "
                    f"got {type(result).__name__}")


def _slots_of(layout):
    kind, content = layout
    if kind == "tensor":
        yield content
    elif kind == "dict":
        for _, item in content:
            yield from _slots_of(item)
    elif kind != "value":
        for item in content:
            yield from _slots_of(item)


def _build(layout, slots: list):
    kind, content = layout
    if kind == "tensor":
        value = slots[content]
        return _wrap(value if value.__class__ is np.ndarray else np.asarray(value))
    if kind == "value":
        return content
    if kind == "dict":
        return {k: _build(v, slots) for k, v in content}
    items = [_build(item, slots) for item in content]
    return tuple(items) if kind == "tuple" else items
