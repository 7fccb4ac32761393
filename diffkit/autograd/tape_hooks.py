"""Where recording tapes (``diffkit.autograd.trace``) listen to the operations as they run."""
from __future__ import annotations

active: list = []


def notify(node, args, result) -> None:
    for tape in active:
        tape._record(node, args, result)
