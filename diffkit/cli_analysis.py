"""The analysis subcommands of the ``diffkit`` command: ``compare``, ``swell``, ``error-vs-h``
and ``cost``, plus the figures ``diffkit tour`` writes. Expressions are read only through
``diffkit.parse`` (an interpreter that never evaluates the string)."""
from __future__ import annotations

import argparse
import math
import textwrap
import time
import warnings
from pathlib import Path

L4 = "64*x*(1-x)*(1-2*x)**2*(1-8*x+8*x**2)**2"  # Baydin et al. (2018), figure 3
SWELL_LIMITS = {"logistic": 12, "product": 60, "nested-sin": 100}  # beyond: minutes of SymPy


def _table(headers: list[str], rows: list[list]) -> str:
    cells = [headers] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


def _assignments(pairs: list[str]) -> dict[str, float]:
    """``["x=1.0", "y=2"]`` or ``["x=1.0,y=2"]`` as {name: value}."""
    values = {}
    for item in (p for pair in pairs for p in pair.split(",") if p.strip()):
        name, sep, number = item.partition("=")
        if not sep or not name.strip().isidentifier():
            raise ValueError(f"--at takes NAME=NUMBER pairs such as x=1.0, got {item!r}")
        try:
            values[name.strip()] = float(number)
        except ValueError:
            raise ValueError(f"--at {item!r}: {number.strip()!r} is not a number") from None
    return values


def _point(expression, pairs: list[str]):
    """The point to differentiate at: a number for one variable, a vector (in ``.variables``
    order) for several."""
    import numpy as np

    values = _assignments(pairs)
    names = expression.variables
    if not names:
        raise ValueError(f"{expression.source!r} has no variable to differentiate with respect to")
    missing, extra = [n for n in names if n not in values], [n for n in values if n not in names]
    if missing or extra:
        raise ValueError(f"{expression.source!r} has the variables {', '.join(names)}; --at gives "
                         f"{', '.join(values) or 'none'}" + (f" (missing {', '.join(missing)})" if missing else ""))
    return values[names[0]] if len(names) == 1 else np.array([values[n] for n in names])


def _methods(items: list[str] | None) -> list[str] | None:
    return None if not items else [m for item in items for m in item.split(",") if m]


def _described(text: str, examples: str) -> str:
    """A --help description: the text wrapped, then the examples as written."""
    return f"{textwrap.fill(text, 78)}\n\nexamples:\n{examples}"


def _save(fig, out: str | None) -> None:
    if out:
        from .plots.style import save

        Path(out).parent.mkdir(parents=True, exist_ok=True)
        save(fig, out)
        print(f"wrote {out}")


def _use_agg() -> None:
    import matplotlib

    matplotlib.use("Agg")


# ---------------------------------------------------------------------- compare
def _compare(args) -> int:
    import numpy as np

    from . import compare, parse
    from .differentiation import backend

    f = parse(args.expression)
    at = _point(f, args.at)
    methods = _methods(args.methods)
    for method in methods or ():
        backend(method)  # an unknown name is one clear error, not a failed row
    with np.errstate(all="ignore"), warnings.catch_warnings():  # inf and nan show in the table itself
        warnings.simplefilter("ignore", RuntimeWarning)
        print(compare(f, at, methods))
    return 0


# ---------------------------------------------------------------------- swell
def _swell(args) -> int:
    from .analysis.swell import FAMILIES, growth, swell

    families = list(FAMILIES) if args.family == "all" else [args.family]
    results = {}
    for family in families:
        n = min(args.n, SWELL_LIMITS[family]) if args.family == "all" else args.n
        if not 1 <= n <= SWELL_LIMITS[family]:
            raise ValueError(f"--n for the {family} family must be between 1 and {SWELL_LIMITS[family]} "
                             "(each step beyond multiplies SymPy's work)")
        records = results[family] = swell(family, n, args.expand_max)
        print(f"{FAMILIES[family].label}: sizes in expression-tree nodes (tape: recorded nodes)")
        print(_table(["n", "f", "derivative", "expanded", "with cse", "tape"],
                     [[r["n"], r["expression_nodes"], r["derivative_nodes"], r["expanded_nodes"], r["cse_nodes"],
                       r["tape_nodes"]] for r in records]))
        for key, name in (("derivative_nodes", "derivative"), ("cse_nodes", "with cse"), ("tape_nodes", "tape")):
            g = growth(records, key)
            print(f"  {name:>10}: ×{g['ratio']:.2f} per step, increments {g['steps']}")
        print()
    if args.out:
        _use_agg()
        from .plots import plot_swell

        _save(plot_swell(results), args.out)
    return 0


# ---------------------------------------------------------------------- error-vs-h
def _error_vs_h(args) -> int:
    from . import parse
    from .analysis.error_vs_h import SCHEMES, error_vs_h

    f = parse(args.expression)
    if len(f.variables) != 1:
        raise ValueError(f"error-vs-h takes an expression of one variable; {args.expression!r} has "
                         f"{len(f.variables)} ({', '.join(f.variables) or 'none'})")
    x0 = _point(f, args.at)
    result = error_vs_h(f, x0, f"{args.expression} at {f.variables[0]} = {x0:g}",
                        _methods(args.schemes) or SCHEMES, args.dtype)
    print(f"f'({x0:g}) = {result.exact:.15g} (exact: SymPy at 50 digits)")

    def number(v, spec=".2g"):
        return "" if v is None or (isinstance(v, float) and math.isnan(v)) else format(v, spec)

    print(_table(["scheme", "dtype", "f-evals", "best h", "best error", "h* theory", "slope (truncation)",
                  "slope (round-off)"],
                 [[c.scheme, c.dtype, c.evaluations, number(c.best_h), number(c.best_error), number(c.theory_h),
                   number(c.truncation_slope, ".2f"), number(c.roundoff_slope, ".2f")] for c in result.curves]))
    if args.out:
        _use_agg()
        from .plots import plot_error_vs_h

        _save(plot_error_vs_h(result), args.out)
    return 0


# ---------------------------------------------------------------------- cost
def _cost(args) -> int:
    from .analysis.cost import METHODS, SIZES, cost_vs_inputs, slope

    sizes = [n for n in SIZES if n <= args.max_n]
    if not sizes:
        raise ValueError(f"--max-n must be at least 1, got {args.max_n}")
    methods = _methods(args.methods) or list(METHODS)
    for method in methods:
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")
    records = cost_vs_inputs(sizes=sizes, methods=methods, budget=args.budget)
    print("Gradient of the extended Rosenbrock function f: R^n -> R")
    print(_table(["method", "n", "time", "time(grad)/time(f)", "work"],
                 [[r["method"], r["n"], f"{r['time'] * 1e3:.3g} ms", f"{r['ratio']:.3g}",
                   f"{r['count']} {r['count_of']}" + (f", {r['tape_nodes']} tape nodes" if "tape_nodes" in r else "")]
                  for r in records]))
    for method in methods:
        print(f"  {method:>8}: time ratio grows like n^{slope(records, method):.2f}")
    if args.out:
        _use_agg()
        from .plots import plot_cost

        _save(plot_cost(records), args.out)
    return 0


# ---------------------------------------------------------------------- the tour's part
def tour_comparison_and_figures(args) -> None:
    """What ``diffkit tour`` adds after the seed's example: the comparison table for the default
    f(x) = sin(x)·exp(x), and every figure, written into ``args.out``."""
    from . import compare
    from .analysis.accuracy import default_function

    print("\nEvery method on the default f(x) = sin(x)·exp(x) at x = 1:\n")
    print(compare(default_function, 1.0))
    if args.no_figures:
        return
    _use_agg()
    from .plots.gallery import write_figures

    start = time.perf_counter()
    print(f"\nWriting the figures into {Path(args.out).resolve()}/ ...")
    paths = write_figures(args.out, quick=args.quick)
    print(f"{len(paths)} figures in {time.perf_counter() - start:.1f} s")


def add_tour_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default="figures", metavar="DIR", help="where the figures go (default: figures/)")
    parser.add_argument("--quick", action="store_true", help="smaller experiments (a few seconds), same figures")
    parser.add_argument("--no-figures", action="store_true", help="print only; write no figures")


def _subcommand(commands, name: str, run, summary: str, text: str, examples: str, figure: bool = True):
    """A subcommand parser with its --help description and examples (and --out for a figure)."""
    parser = commands.add_parser(name, help=summary, description=_described(text, examples),
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(run=run)
    if figure:
        parser.add_argument("--out", metavar="FILE.png", help="also draw the figure into this file")
    return parser


def add_commands(commands) -> None:
    """Register compare, swell, error-vs-h and cost on the ``diffkit`` subcommand parser."""
    p = _subcommand(
        commands, "compare", _compare, "differentiate an expression by every method, against a 50-digit reference",
        "Differentiate EXPR at a point by every method (or --methods) and print value, absolute and relative "
        "error, time and cost.",
        "  diffkit compare \"sin(x)*exp(x)\" --at x=1.0\n"
        "  diffkit compare \"x*y + sin(x)\" --at x=1,y=2 --methods reverse numeric:central\n"
        "  diffkit compare \"abs(x)\" --at x=0 --methods numeric:forward,numeric:central,reverse", figure=False)
    p.add_argument("expression", metavar="EXPR", help="numbers, variables, + - * / **, and diffkit functions "
                   "(sin, exp, log, tanh, abs, where, ...)")
    p.add_argument("--at", nargs="+", required=True, metavar="NAME=VALUE", help="the point, e.g. x=1.0 or x=1,y=2")
    p.add_argument("--methods", nargs="+", metavar="METHOD", help="symbolic, numeric, numeric:<scheme> (forward, "
                   "backward, central, five-point, complex-step, richardson), reverse, forward (default: all)")

    p = _subcommand(
        commands, "swell", _swell, "expression swell: symbolic derivative sizes against reverse-mode tape nodes",
        "Sizes of f and its derivative as SymPy builds them, expanded, with common-subexpression elimination, "
        "and the reverse-mode tape, for n = 1..N (Baydin et al. 2018, table 1).",
        "  diffkit swell --n 8\n  diffkit swell --family all --out swell.png")
    p.add_argument("--n", type=int, default=8, metavar="N", help="largest n (default 8; logistic at most 12)")
    p.add_argument("--family", choices=["logistic", "product", "nested-sin", "all"], default="logistic",
                   help="logistic map l_n (default), product of n factors, nested sin, or all three")
    p.add_argument("--expand-max", type=int, default=6, metavar="N", help="expand derivatives up to this n")

    p = _subcommand(
        commands, "error-vs-h", _error_vs_h,
        "finite-difference error against the step h, with fitted slopes and the optimal h",
        "The absolute error of forward, central, five-point, Richardson and complex-step differences for h from "
        "1e-16 to 1e-1, with the fitted truncation and round-off slopes, the measured best h and the theoretical "
        "one.",
        "  diffkit error-vs-h                   (Baydin et al.'s l4 at x = 0.2)\n"
        "  diffkit error-vs-h \"exp(x)\" --at x=1 --out error.png")
    p.add_argument("expression", metavar="EXPR", nargs="?", default=L4,
                   help="an expression of one variable (default: the logistic map's l4)")
    p.add_argument("--at", nargs="+", default=["x=0.2"], metavar="NAME=VALUE", help="the point (default x=0.2)")
    p.add_argument("--schemes", nargs="+", metavar="SCHEME", help="forward, central, five-point, richardson, "
                   "complex-step (default: all five)")
    p.add_argument("--dtype", nargs="+", choices=["float64", "float32"], default=["float64", "float32"])

    p = _subcommand(
        commands, "cost", _cost, "gradient cost against the number of inputs, per method",
        "Time and counted work of the gradient of the extended Rosenbrock function for n = 1 .. --max-n inputs: "
        "numeric (2n evaluations), forward (n passes), reverse (one backward pass) and symbolic (n expressions). "
        "A method stops once one gradient exceeds --budget seconds.",
        "  diffkit cost --max-n 1000\n  diffkit cost --methods reverse,numeric --out cost.png")
    p.add_argument("--max-n", type=int, default=10000, metavar="N", help="largest n (default 10000)")
    p.add_argument("--methods", nargs="+", metavar="METHOD", help="numeric, forward, reverse, symbolic (default: all)")
    p.add_argument("--budget", type=float, default=1.0, metavar="SECONDS", help="per-gradient time limit (default 1)")
