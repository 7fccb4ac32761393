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
    from .analysis.tables import trace_tables
    from .cli_analysis import tour_comparison_and_figures

    print("The tape of y = ln(x1) + x1*x2 - sin(x2) at (2, 5), as Baydin et al. (2018) tables 2 and 3:\n")
    print(trace_tables())

    tour_comparison_and_figures(args)  # the comparison table, and every figure into --out
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="diffkit", description="Differentiation taught, measured and used.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    tour = commands.add_parser("tour", help="the guided tour: the seed's example, its tape, the comparisons, "
                               "and every figure (into figures/)",
                               description="The seed's autograd example and its tape, every method compared on "
                               "f(x) = sin(x)·exp(x), and every figure written into figures/ (under a minute).")
    from .cli_analysis import add_commands, add_tour_options

    add_tour_options(tour)
    tour.set_defaults(run=_tour)
    add_commands(commands)  # diffkit compare | swell | error-vs-h | cost
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
    except (ValueError, RuntimeError, TypeError, ArithmeticError, OSError) as error:
        print(f"diffkit: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
