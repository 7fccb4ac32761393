"""Timing and memory measurement shared by every benchmark.

Frameworks are timed round-robin inside one process: every repeat runs each framework once,
in a rotated order, so slow drift of the machine (±30% here) falls on all of them alike.
Each framework gets a warm-up call and a calibrated number of calls per sample; a row
reports the median sample, and a ratio of two frameworks is the median of their per-round
ratios (samples taken seconds apart, so the machine's drift cancels). Before the samples,
everything alive (all frameworks' modules, the models) is moved out of the cyclic garbage
collector's sight with gc.freeze(), so a framework's collections scan its own garbage, as they
would in a process of its own, not every module that the other frameworks imported. A
framework that lacks an API, or fails, becomes a text cell instead of stopping the suite.
"""
from __future__ import annotations

import ctypes
import gc
import importlib
import json
import math
import os
import re
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from . import frameworks


@dataclass(frozen=True)
class Config:
    """What to run: `size` picks each benchmark's problem sizes (tiny is for the tests)."""

    size: str = "full"
    repeats: int = 5
    min_time: float = 0.1  # seconds per sample; short steps are looped until they take this long
    frameworks: tuple[str, ...] = frameworks.NAMES
    fresh: bool = True  # measure memory in a fresh process per framework (False: in this one, for the tests)
    settle: float = 0.0  # seconds of rest before each sample, so the previous framework's threads stop spinning

    def pick(self, table: Mapping[str, Any]) -> Any:
        return table[self.size]


class Missing(Exception):
    """A framework lacks an API the benchmark needs: reported as "n/a (missing: name)"."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class NotApplicable(Exception):
    """The benchmark makes no sense for this framework (micrograd has no matrices): "—"."""


def require(module: ModuleType, *dotted: str) -> None:
    """Raise Missing for the first dotted attribute path (e.g. "nn.Linear") absent from module."""
    for path in dotted:
        obj: Any = module
        for i, part in enumerate(path.split(".")):
            if not hasattr(obj, part):
                raise Missing(".".join([module.__name__, *path.split(".")[: i + 1]]))
            obj = getattr(obj, part)


@dataclass(frozen=True)
class Cell:
    """One table cell: a number in the row's unit, or a text such as "n/a (missing: diffkit.nn)"."""

    value: float | None = None
    text: str = ""
    detail: str = ""  # the full error message, listed under the table
    spread: float | None = None  # (slowest - fastest sample) / median: how noisy the machine was
    rounds: tuple[float, ...] = ()  # the value measured in each round, for ratios of paired samples

    @property
    def ok(self) -> bool:
        return self.value is not None and math.isfinite(self.value)


@dataclass
class Row:
    name: str
    unit: str
    cells: dict[str, Cell]
    note: str = ""


@dataclass
class Timing:
    """Seconds per call: the median over repeats, the samples, and what the step returned last in each sample."""

    seconds: float
    samples: list[float] = field(default_factory=list)
    results: list[Any] = field(default_factory=list)

    @property
    def spread(self) -> float | None:
        if len(self.samples) < 2 or self.seconds <= 0:
            return None
        return (max(self.samples) - min(self.samples)) / self.seconds

    @property
    def value(self) -> float:
        return self.seconds

    @property
    def rounds(self) -> tuple[float, ...]:
        return tuple(self.samples)

    def median_of(self, key: Callable[[Any], float]) -> float:
        """The median of a quantity the step itself reported (bytes, its own timing ...)."""
        return statistics.median(key(r) for r in self.results)


Outcome = Timing | Cell
Setup = Callable[[ModuleType | None], Callable[[], Any]]

_ATTR = re.compile(r"(?:module '([\w.]+)'|'(\w+)' object) has no attribute '(\w+)'")


class Reported(Exception):
    """A failure already turned into its cell (by a fresh process)."""

    def __init__(self, cell: Cell):
        super().__init__(cell.text)
        self.cell = cell


def failure(exc: BaseException) -> Cell:
    """Turn an exception raised by a framework into the cell that reports it."""
    if isinstance(exc, Reported):
        return exc.cell
    if isinstance(exc, Missing):
        return Cell(text=f"n/a (missing: {exc.name})")
    if isinstance(exc, NotApplicable):
        return Cell(text="—")
    if isinstance(exc, AttributeError) and (match := _ATTR.search(str(exc))):
        return Cell(text=f"n/a (missing: {match.group(1) or match.group(2)}.{match.group(3)})", detail=str(exc))
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        return Cell(text=f"n/a (missing: {exc.name})", detail=str(exc))
    if isinstance(exc, NotImplementedError):
        return Cell(text=f"n/a (missing: {str(exc)[:60] or 'not implemented'})", detail=str(exc))
    name = type(exc).__name__
    if isinstance(exc, RecursionError | MemoryError):
        return Cell(text=name, detail=str(exc)[:300])
    return Cell(text=f"error: {name}", detail=f"{name}: {str(exc)[:300]}")


def _prepare(impls: Mapping[str, Setup], cfg: Config) -> tuple[dict[str, Callable[[], Any]], dict[str, Cell]]:
    """Set up each framework's step; frameworks that cannot run get their cell right away."""
    steps: dict[str, Callable[[], Any]] = {}
    cells: dict[str, Cell] = {}
    extra = [n for n in impls if n not in frameworks.FRAMEWORKS]  # reference cases, such as f itself
    names = [n for n in cfg.frameworks if n in frameworks.FRAMEWORKS] + extra
    for name in names:
        if name not in impls:
            cells[name] = Cell(text="—")
            continue
        module = frameworks.load(name) if name in frameworks.FRAMEWORKS else None
        if name in frameworks.FRAMEWORKS and module is None:
            cells[name] = Cell(text="not installed")
            continue
        try:
            steps[name] = impls[name](module)
        except Exception as exc:  # a broken framework is a cell, not a crash
            cells[name] = failure(exc)
    return steps, cells


def _calibrate(step: Callable[[], Any], min_time: float, warmup: bool) -> int:
    """Warm up, then choose how many calls make one sample last about min_time."""
    if warmup:
        step()
    start = time.perf_counter()
    step()
    once = time.perf_counter() - start
    return max(1, math.ceil(min_time / max(once, 1e-9)))


def measure(impls: Mapping[str, Setup], cfg: Config, *, number: int | None = None, warmup: bool = True,
            repeats: int | None = None) -> dict[str, Outcome]:
    """Time each framework's step round-robin; returns per framework a Timing or the Cell that explains why not.

    `impls` maps a framework key (or any extra reference name) to a setup taking the module and
    returning the step to time. `number` fixes the calls per sample (then nothing is calibrated
    and, without warmup, a long step runs exactly `repeats` times).
    """
    steps, out = _prepare(impls, cfg)
    counts: dict[str, int] = {}
    for name in list(steps):
        try:
            counts[name] = number if number is not None else _calibrate(steps[name], cfg.min_time, warmup)
            if number is not None and warmup:
                steps[name]()
        except Exception as exc:
            out[name] = failure(exc)
            del steps[name]
    samples: dict[str, list[float]] = {name: [] for name in steps}
    results: dict[str, list[Any]] = {name: [] for name in steps}
    order = list(steps)
    gc.collect()
    gc.freeze()
    try:
        _rounds(steps, counts, order, repeats or cfg.repeats, samples, results, out, cfg.settle)
    finally:
        gc.unfreeze()
    for name in order:
        if name not in out:
            out[name] = Timing(statistics.median(samples[name]), samples[name], results[name])
    steps.clear()
    gc.collect()
    return out


def _rounds(steps: dict[str, Callable[[], Any]], counts: dict[str, int], order: list[str], repeats: int,
            samples: dict[str, list[float]], results: dict[str, list[Any]], out: dict[str, Outcome],
            settle: float = 0.0) -> None:
    """The samples: each repeat runs every framework once, starting one further along the order.

    Before each sample the machine rests for ``settle`` seconds and the step runs once untimed:
    OpenBLAS's and OpenMP's worker threads spin for a while after their last call, and in one
    process the next framework's threads then compete with them for the cores (PyTorch's MLP step
    measured 2.07 ms after numpy frameworks, 0.74-0.78 ms alone; ratios against it were flattered).
    """
    for r in range(repeats):
        for name in order[r % len(order):] + order[: r % len(order)] if order else []:
            if name in out:
                continue
            gc.collect()  # start each sample without the previous framework's garbage
            try:
                if settle:
                    time.sleep(settle)
                    steps[name]()
                start = time.perf_counter()
                for _ in range(counts[name]):
                    result = steps[name]()
                samples[name].append((time.perf_counter() - start) / counts[name])
                results[name].append(result)
            except Exception as exc:
                out[name] = failure(exc)


def cells(outcomes: Mapping[str, Outcome], cfg: Config, scale: float | Callable[[str], float] = 1.0,
          per: Timing | None = None) -> dict[str, Cell]:
    """The framework cells of a row: each Timing converted to the row's unit.

    A sample's value is its seconds times `scale` (a number, or a function of the framework's
    name), divided by the sample of `per` taken in the same round when a reference is given
    (t(∇f)/t(f): each gradient over the f measured seconds before or after it). A cell holds the
    median over the rounds, and the rounds themselves, so that `paired_ratio` can compare two
    cells round by round.
    """
    row: dict[str, Cell] = {}
    for name in cfg.frameworks:
        outcome = outcomes.get(name, Cell(text="—"))
        if isinstance(outcome, Timing):
            factor = scale(name) if callable(scale) else scale
            rounds = [s * factor for s in outcome.samples] or [outcome.seconds * factor]
            if per is not None:
                rounds = [v / r for v, r in zip(rounds, per.samples)] if _paired(outcome, per) \
                    else [outcome.seconds * factor / per.seconds]
            row[name] = Cell(value=statistics.median(rounds), spread=outcome.spread, rounds=tuple(rounds))
        else:
            row[name] = outcome
    return row


def _paired(a: Timing, b: Timing) -> bool:
    return len(a.samples) == len(b.samples) > 0


def paired_ratio(a: Cell | Timing, b: Cell | Timing) -> float:
    """a/b: the median of the per-round ratios when both cells were sampled in the same rounds.

    The two samples of a round are taken seconds apart, so this machine's drift (the same step
    ran 30-100% slower from one minute to the next) cancels in each ratio; the ratio of the two
    medians mixes samples from different minutes. Cells without rounds (memory, which is one
    measurement) give the ratio of their values.
    """
    if a.rounds and len(a.rounds) == len(b.rounds) and all(b.rounds):
        return statistics.median(x / y for x, y in zip(a.rounds, b.rounds))
    return a.value / b.value


# --- memory, measured in a fresh process ------------------------------------------------------

def probe(cfg: Config, target: str, names: Iterable[str], *args: Any) -> dict[str, Cell]:
    """Cells of `target(framework, *args)` (a "module:function" returning a number) for each framework in `names`.

    With cfg.fresh each call runs in a new Python process, so memory that an earlier framework
    freed but kept mapped cannot hide the next one's allocations.
    """
    names = set(names)
    out: dict[str, Cell] = {}
    for name in cfg.frameworks:
        if name not in names:
            out[name] = Cell(text="—")
        elif frameworks.load(name) is None:
            out[name] = Cell(text="not installed")
        else:
            try:
                value = _run_fresh(target, name, *args) if cfg.fresh else _resolve(target)(name, *args)
                out[name] = Cell(value=float(value))
            except Exception as exc:
                out[name] = failure(exc)
    return out


def _resolve(target: str) -> Callable[..., Any]:
    module, function = target.split(":")
    return getattr(importlib.import_module(module), function)


_CHILD = """
import json, sys
from benchmarks.harness import _resolve, failure
target, args = json.loads(sys.argv[1])
try:
    print(json.dumps({"value": _resolve(target)(*args)}))
except Exception as exc:
    cell = failure(exc)
    print(json.dumps({"text": cell.text, "detail": cell.detail}))
"""


def _run_fresh(target: str, *args: Any) -> Any:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", _CHILD, json.dumps([target, list(args)])], capture_output=True,
                          text=True, env=env, cwd=root)
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        name = "RecursionError" if "RecursionError" in done.stderr else f"crashed (exit {done.returncode})"
        raise Reported(Cell(text=name, detail=done.stderr.strip()[-300:]))
    answer = json.loads(lines[-1])
    if "value" not in answer:
        raise Reported(Cell(text=answer["text"], detail=answer["detail"]))
    return answer["value"]


# --- memory -----------------------------------------------------------------------------------

def rss_bytes() -> int:
    """The resident set size of this process now."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE


def settle() -> None:
    """Free garbage and hand free heap pages back to the OS, so RSS growth means new memory."""
    gc.collect()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def peak_increase(fn: Callable[[], Any]) -> int:
    """Bytes by which the process's peak RSS rises above its current RSS while fn runs.

    RSS sees every allocator (PyTorch's as well as numpy's); where the kernel's high-water
    mark cannot be reset, tracemalloc's peak (numpy and Python allocations only) stands in.
    """
    settle()
    if _reset_high_water_mark():
        base = rss_bytes()
        fn()
        return max(0, _high_water_mark() - base)
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _reset_high_water_mark() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _high_water_mark() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise OSError("no VmHWM")


def _libc() -> Any:
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim  # noqa: B018 - only glibc has it
        return libc
    except (OSError, AttributeError):
        return None


_LIBC = _libc()
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
