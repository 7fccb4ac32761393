"""`python -m benchmarks`: run the suite, print one table, write benchmarks/RESULTS.md.

A complete full run writes RESULTS.md; a partial one (--quick, --only, --frameworks) prints
only, unless --output names a file, so that a quick look never overwrites the record.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from . import frameworks, machine, report, suite
from .harness import Config

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def _names(text: str | None, allowed: tuple[str, ...], what: str) -> tuple[str, ...]:
    if not text:
        return allowed
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise SystemExit(f"unknown {what}: {', '.join(unknown)}; choose from {', '.join(allowed)}")
    return names


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer repeats, shorter samples, smaller caps (~3-5 min)")
    p.add_argument("--only", metavar="NAMES", help=f"comma-separated benchmarks: {', '.join(suite.BENCHMARKS)}")
    p.add_argument("--frameworks", metavar="NAMES", help=f"comma-separated columns: {', '.join(frameworks.NAMES)}")
    p.add_argument("--repeats", type=int, help="samples per framework (median reported); default 5, quick 3")
    p.add_argument("--min-time", type=float, help="seconds per sample for short steps; default 0.1, quick 0.02")
    p.add_argument("--settle", type=float, help="seconds of rest before each sample, for the previous framework's "
                   "thread pools to stop spinning; default 0.3, quick 0.1")
    p.add_argument("--threads", type=int, help="limit BLAS and PyTorch to this many threads, for every framework "
                   "alike (default: each library's own default)")
    p.add_argument("--output", type=Path, help="write the results here (default: RESULTS.md for a complete full run)")
    p.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    return p.parse_args(argv)


def limit_threads(n: int) -> None:
    """Cap numpy's BLAS (through threadpoolctl) and PyTorch's intra-op pool at n threads."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError as exc:
        raise SystemExit("--threads needs threadpoolctl (pip install threadpoolctl)") from exc
    torch = frameworks.load("torch")
    if torch is not None:
        torch.set_num_threads(n)
    threadpool_limits(n)


def _warn_if_busy() -> None:
    """Other processes competing for the cores make multi-threaded libraries (PyTorch first) erratic."""
    if hasattr(os, "getloadavg") and os.getloadavg()[0] > 0.5 * (os.cpu_count() or 1):
        print(f"[benchmarks] warning: load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
              "expect noisy numbers (see the spread in each row's note)", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.list:
        print("\n".join(suite.BENCHMARKS))
        return 0
    names = _names(args.only, suite.BENCHMARKS, "benchmark")
    columns = _names(args.frameworks, frameworks.NAMES, "framework")
    cfg = Config(size="quick" if args.quick else "full", repeats=args.repeats or (3 if args.quick else 5),
                 min_time=args.min_time or (0.02 if args.quick else 0.1), frameworks=columns,
                 settle=args.settle if args.settle is not None else (0.1 if args.quick else 0.3))
    if args.threads:
        limit_threads(args.threads)
    described = machine.describe()
    _warn_if_busy()
    start = time.perf_counter()
    rows = suite.run(cfg, names)
    elapsed = time.perf_counter() - start
    if hasattr(os, "getloadavg"):
        described.insert(4, ("load average at end", ", ".join(f"{x:.2f}" for x in os.getloadavg())))
    print(report.table(rows, cfg))
    complete = not (args.quick or args.only or args.frameworks)
    output = args.output or (RESULTS if complete else None)
    if output:
        command = "python -m benchmarks " + " ".join(sys.argv[1:] if argv is None else argv)
        output.write_text(report.document(rows, cfg, described, command.strip(), elapsed))
        print(f"\nwritten to {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
