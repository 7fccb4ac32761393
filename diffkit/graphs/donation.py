"""Buffer donation: in a replay, an op may write its result into an input that nothing reads afterwards.

The eager engine cannot know that a ReLU's input will never be read again (the user may hold
it); a captured program does, since it lists every read of every slot. ReLU's forward in
place of its input (the pre-activation, which its backward does not need) saves a fresh
array per layer and keeps the step's memory warm: 14.8 -> 11.6 and 12.7 -> 9.5 us for the
two 128x256 activations of the 64-256-256-10 MLP's replay, where the numpy floor spends 16.6
and 16.2 (XLA's buffer donation and PyTorch's ``inplace=True`` activations make this trade;
here it is decided per op from the recording). Writing ReLU's backward into its incoming
gradient was measured too and gained nothing: its cost is the cold read of what it saved
(since then a one-byte mask, elementwise.py).

An input is donated only when that is safe on every replay, as judged on the recording: it
is an array made by an earlier op of the step (not an argument, parameter or constant), owns
its memory, has the result's shape and dtype, is read for the last time by this op and is
not part of the result, nothing still needed shares its memory (a view), and only primitive
ops read it (not ``.grad``'s accumulation, which may keep the buffer, nor an effect or kernel).
"""
from __future__ import annotations

import numpy as np

from ..ops import elementwise
from .recorder import OUTPUT, Recorder

_PURE = ("forward", "backward", "sum")  # the kinds of op that keep no reference to what they read


def _relu_into_input(x):
    return elementwise._relu(x, into=x)


def _relu_keeping_mask_into_input(x):
    return elementwise._relu_keeping_mask(x, into=x)


# (primitive, keeps a residual) -> its forward written into input 0
IN_PLACE_FORWARDS = {(elementwise.RELU, False): _relu_into_input,
                     (elementwise.RELU, True): _relu_keeping_mask_into_input}


def donating_kernels(recorder: Recorder, last: dict, keep: tuple) -> dict:
    """op index -> the in-place kernel that replaces it, for the ops of ``recorder`` that can donate."""
    values, ops = recorder.values, recorder.ops
    readers: dict[int, list[int]] = {}
    for i, op in enumerate(ops):
        for k in op.inputs:
            readers.setdefault(k, []).append(i)
    arrays = [(k, v) for k, v in enumerate(values) if isinstance(v, np.ndarray)]
    found = {}
    for i, op in enumerate(ops):
        # ("forward", prim, static params, params read from slots, keeps a residual)
        if op.key[0] != "forward" or (op.key[1], op.key[4]) not in IN_PLACE_FORWARDS or op.key[3]:
            continue
        donor = op.inputs[0]
        if op.inputs.count(donor) == 1 and _donatable(donor, i, recorder, readers, arrays, last, keep) \
                and _same_layout(values[donor], values[op.outputs[0]]):
            found[i] = IN_PLACE_FORWARDS[op.key[1], op.key[4]]
    return found


def _donatable(k: int, i: int, recorder: Recorder, readers: dict, arrays: list, last: dict, keep: tuple) -> bool:
    """Whether slot k may be overwritten by op i on every replay."""
    v = recorder.values[k]
    if (recorder.sources[k][0] != OUTPUT or last.get(k) != i or k in keep or not isinstance(v, np.ndarray)
            or v.base is not None or not v.flags.writeable or not v.flags.c_contiguous
            or v.dtype.kind != "f" or v.dtype.itemsize < 4):
        return False
    if any(recorder.ops[r].key[0] not in _PURE for r in readers.get(k, ())):
        return False
    for j, other in arrays:  # nothing still needed may see the overwritten memory
        if j != k and (last.get(j, -1) > i or j in keep) and np.may_share_memory(other, v):
            return False
    return True


def _same_layout(donor, result) -> bool:
    return isinstance(result, np.ndarray) and donor.shape == result.shape and donor.dtype == result.dtype
