"""Experiment 0: the evaluation trace of a function, as Baydin et al. (2018) print it.

Tables 2 (forward primal and tangent trace) and 3 (reverse adjoint trace) of "Automatic
Differentiation in Machine Learning: a Survey" (JMLR 18), generated from the nodes diffkit's
tape records for any function of scalars -- so a reader can check every step of their own
function by hand, not only the paper's example.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .. import autograd, log, sin
from ..differentiation.dual import Dual, tangent_of


def baydin_example(x1, x2):
    """y = ln(x1) + x1·x2 − sin(x2): the paper's running example, at (2, 5)."""
    return log(x1) + x1 * x2 - sin(x2)


@dataclass
class TraceTables:
    """The three traces as text, and the numbers they end with."""

    inputs: dict[str, float]
    value: float                # y
    seed: str                   # the input the tangent trace is seeded on
    tangent: float              # ẏ = ∂y/∂seed, by forward mode (dual numbers)
    gradient: dict[str, float]  # x̄_i = ∂y/∂x_i, from the adjoint trace
    primal: str
    tangent_trace: str
    adjoint: str

    def __str__(self) -> str:
        return "\n\n".join((self.primal, self.tangent_trace, self.adjoint))


def trace_tables(f: Callable = baydin_example, *values: float, names: list[str] | None = None,
                 seed: str | None = None) -> TraceTables:
    """Run f on ``values`` (by default the paper's (2, 5)) on a tape and print its traces."""
    values = values or (2.0, 5.0)
    tape = autograd.trace(f, *values, names=names)
    names = list(tape.input_names[:len(values)])
    seed = seed or names[0]
    primal, tangent_text, adjoint = tape.primal_trace(), tape.tangent_trace(seed), tape.adjoint_trace()
    leaves = tape.inputs[:len(values)]
    gradient = {name: float(leaf.grad.item()) if leaf.grad is not None else 0.0
                for name, leaf in zip(names, leaves)}
    return TraceTables(inputs=dict(zip(names, map(float, values))), value=float(tape.output.item()),
                       seed=seed, tangent=_tangent(f, values, names.index(seed)), gradient=gradient,
                       primal=primal, tangent_trace=tangent_text, adjoint=adjoint)


def _tangent(f: Callable, values: tuple, seeded: int) -> float:
    """ẏ by forward mode, independently of the tape: f run once on dual numbers."""
    duals = [Dual(float(v), 1.0 if k == seeded else 0.0) for k, v in enumerate(values)]
    return float(tangent_of(f(*duals)))
