"""The ``diffkit`` command."""
from __future__ import annotations

import argparse
import sys


def _tour(args) -> int:
    import diffkit as dk

    print("The seed's autograd example: loss = 2 * (x**2 + 3) at x = 2\n")
    x = dk.tensor(2.0, requires_grad=True)
    y = x ** 2
    z = y + 3
    loss = 2 * z
    loss.backward()
    print(f"forward: x={x.item()}, y={y.item()}, z={z.item()}, loss={loss.item()}")
    print(f"x.grad = {x.grad.item()}")
    print(f"loss.grad_fn: {loss.grad_fn}\nz.grad_fn: {z.grad_fn}\ny.grad_fn: {y.grad_fn}\nx.grad_fn: {x.grad_fn}\n")
    tape = dk.autograd.trace(lambda x1, x2: dk.log(x1) + x1 * x2 - dk.sin(x2), 2.0, 5.0)
    print("The tape of y = ln(x1) + x1*x2 - sin(x2) at (2, 5), as Baydin et al. (2018) tables 2 and 3:\n")
    print(tape.primal_trace(), tape.tangent_trace("x1"), tape.adjoint_trace(), sep="\n\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="diffkit", description="Differentiation taught, measured and used.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    tour = commands.add_parser("tour", help="the guided tour: the seed's example, its tape, the comparisons")
    tour.set_defaults(run=_tour)
    from .train import add_command as add_train

    add_train(commands)  # diffkit train digits [--model mlp|cnn]
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "run", None) is None:
        parser.print_help()
        return 0
    try:
        return args.run(args)
    except (ValueError, RuntimeError, TypeError) as error:
        print(f"diffkit: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
