"""A captured program as one generated Python function: straight-line calls, slots as local variables.

The replay loop over op tuples spends Python time per op on unpacking the tuple, choosing how to
call, storing results into a list and clearing freed slots. torch.fx meets the same cost when it
interprets a graph and answers it by generating the code of a ``forward``; this does that for a
replay. Each slot becomes a local variable, an op becomes one line and a freed slot a ``del``.
Measured in one process on an 8-16-16-4 MLP: 172-181 us a replay against the loop's 192-201 (and,
with backward rules called directly, recorder.py, 0.85x the replay before both).

The source is made of numbered names and integers only: every callable, constant and tensor
reaches the function through its namespace, so no text from a step, a tensor or a user is ever
compiled. Compiling costs about 20 us per op, repaid after a dozen replays; programs longer than
``MAX_OPS`` keep the loop (``Program.interpret``), whose cost does not grow with compiling.
"""
from __future__ import annotations

from collections.abc import Callable

MAX_OPS = 10_000  # 0.2 s of compiling at most


def generate(program, keep: tuple, rebound: Callable) -> Callable[..., dict]:
    """``replay(*argument arrays) -> {kept slot: its value}``, doing what ``program.interpret`` does;
    ``rebound(tensor, array, recorded array)`` checks a parameter given a new array since the capture."""
    namespace: dict = {"rebound": rebound}
    fresh = set(program.fresh)
    shared = set(program.constants) - fresh  # constants read from the namespace; every other slot is a local

    def name(k: int) -> str:
        return f"c{k}" if k in shared else f"s{k}"

    lines = [f"def replay({', '.join(f's{k}' for k in program.arguments)}):"]
    for k in program.constants:
        namespace[f"c{k}"] = program.template[k]
    for k in fresh:
        lines.append(f"    s{k} = c{k}.copy()")
    for k, tensor, seen in program.live:
        namespace[f"t{k}"], namespace[f"v{k}"] = tensor, seen
        lines += [f"    s{k} = t{k}._data", f"    if s{k} is not v{k}:", f"        rebound(t{k}, s{k}, v{k})"]
    for i, (fn, inputs, outputs, frees) in enumerate(program.steps):
        namespace[f"f{i}"] = fn
        call = f"f{i}({', '.join(map(name, inputs))})"
        if outputs.__class__ is int:
            lines.append(f"    s{outputs} = {call}")
        elif outputs:
            lines.append(f"    {', '.join(f's{k}' for k in outputs)}, = {call}")
        else:
            lines.append(f"    {call}")
        dropped = [f"s{k}" for k in frees if k not in shared]
        if dropped:
            lines.append(f"    del {', '.join(dropped)}")
    lines.append(f"    return {{{', '.join(f'{k}: {name(k)}' for k in keep)}}}")
    exec(compile("\n".join(lines) + "\n", "<diffkit.graphs replay>", "exec"), namespace)
    return namespace["replay"]
