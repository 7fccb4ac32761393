"""Instructions per recorded operation or training step, counted by valgrind's callgrind: the
bookkeeping's cost without a clock.

This host's clock spreads by 20-50% even for the minimum of many repeats, which hides any change of
a few percent in the eager engine's bookkeeping. Instruction counts do not drift with the machine:
with PYTHONHASHSEED=0, one BLAS thread (an idle OpenBLAS thread spins, and its count varied by
±1,000 an operation) and, where ``setarch -R`` can, no address randomisation, two counts of the
same code agree to a few of ~57,000 instructions an operation. Two workloads: ``chain``, the
``chain.chain`` of operations on a (10,) vector, built and backpropagated; ``mlp``, training steps
of an 8-16-16-4 MLP on a batch of 8 (nn.Sequential, cross_entropy, backward, SGD: the small MLP's
Python with kernels too small to matter). Each is counted as the difference of a long and a short
run, so that start-up and imports cancel. A development tool, not a row of the suite: it needs
valgrind, and a count is not a time (numpy's kernels and cache misses weigh differently).

    python -m benchmarks.instructions                  # this checkout
    python -m benchmarks.instructions --against REV    # and REV, checked out in a temporary worktree
    python -m benchmarks.instructions --workload mlp   # per training step instead of per chain op
"""
from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent

#: what valgrind runs: a warm-up chain, then the measured one (argv: length)
PROGRAM = """
import gc, sys
import numpy as np
import diffkit
from benchmarks.chain import chain
gc.disable()  # collections depend on what else is alive; they are not the engine's instructions
for n in (30, int(sys.argv[1])):
    x = diffkit.tensor(np.full(10, 0.5), requires_grad=True)
    chain(x, n).sum().backward()
"""

#: the small MLP's step, shrunk: a warm-up of 20 steps, then the measured number (argv)
MLP_PROGRAM = """
import gc, sys
import diffkit
from benchmarks import models
spec = models.mlp_spec([8, 16, 16, 4])
trainer = models.TorchLike(diffkit, spec, models.init_params(spec), 0.01)
batch = trainer.batch(*models.random_batch((8,), 4, 8))
gc.disable()
for n in (20, int(sys.argv[1])):
    for _ in range(n):
        trainer.step(batch)
"""


class Workload(NamedTuple):
    program: str
    short: int  # lengths whose difference is counted
    long: int
    unit: str


WORKLOADS = {"chain": Workload(PROGRAM, 1000, 4000, "op of the 1000..4000-op chain on (10,), build + backward"),
             "mlp": Workload(MLP_PROGRAM, 100, 400, "training step of an 8-16-16-4 MLP, batch 8")}


def collected(valgrind_output: str) -> int:
    """The instruction count in callgrind's closing line ``==pid== Collected : N``."""
    found = re.search(r"Collected\s*:\s*(\d+)", valgrind_output)
    if found is None:
        raise RuntimeError("callgrind printed no instruction count:\n" + valgrind_output[-2000:])
    return int(found.group(1))


def command(length: int, program: str = PROGRAM) -> list[str]:
    """valgrind running ``program``, without address randomisation where setarch allows it."""
    run = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", program,
           str(length)]
    setarch = shutil.which("setarch")
    if setarch and subprocess.run([setarch, os.uname().machine, "-R", "true"], capture_output=True).returncode == 0:
        run = [setarch, os.uname().machine, "-R", *run]
    return run


def count(root: Path, length: int, program: str = PROGRAM) -> int:
    """Instructions of ``program`` with diffkit and the benchmarks imported from ``root``."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(root), "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run(command(length, program), cwd=root, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"the measured program failed in {root}:\n{done.stderr[-2000:]}")
    return collected(done.stderr)


def per_unit(root: Path, rounds: int, work: Workload = WORKLOADS["chain"]) -> list[float]:
    """Instructions per unit of ``work`` (a chain op, a training step), one value per round."""
    return [(count(root, work.long, work.program) - count(root, work.short, work.program)) / (work.long - work.short)
            for _ in range(rounds)]


@contextlib.contextmanager
def checkout(revision: str) -> Iterator[Path]:
    """``revision`` of this repository in a temporary worktree, removed afterwards."""
    where = Path(tempfile.mkdtemp(prefix="diffkit-instructions-")) / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(where), revision], cwd=ROOT, check=True)
    try:
        yield where
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(where)], cwd=ROOT, check=False)
        shutil.rmtree(where.parent, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.instructions", description=__doc__.split("\n\n")[0])
    p.add_argument("--against", metavar="REV", help="also count this git revision (a temporary worktree)")
    p.add_argument("--rounds", type=int, default=1, help="counts per tree (default 1: two agree to a few)")
    p.add_argument("--workload", choices=sorted(WORKLOADS), default="chain", help="what is counted (default chain)")
    args = p.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: this tool counts instructions with valgrind's callgrind "
                         "(Debian: apt-get install valgrind)")
    trees = [("this checkout", ROOT)]
    with contextlib.ExitStack() as stack:
        if args.against:
            trees.append((args.against, stack.enter_context(checkout(args.against))))
        medians = {}
        work = WORKLOADS[args.workload]
        print(f"instructions per {work.unit}")
        for label, root in trees:
            counts = per_unit(root, args.rounds, work)
            medians[label] = statistics.median(counts)
            print(f"  {label}: {', '.join(f'{c:,.0f}' for c in counts)} (median {medians[label]:,.0f})")
        if args.against:
            print(f"  this checkout / {args.against}: {medians['this checkout'] / medians[args.against]:.3f}×")


if __name__ == "__main__":
    main()
