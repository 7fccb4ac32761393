"""What the numbers were measured on: cores, BLAS, versions, load, date.

The BLAS is read twice: how numpy was built (numpy.show_config) and which kernel runs now
(threadpoolctl, if installed) — OPENBLAS_CORETYPE, recorded below, can force an older,
slower kernel, and the load average says how busy the machine was.
"""
from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

from . import frameworks

ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
PACKAGES = ("numpy", "diffkit", "torch", "autograd", "mygrad", "micrograd", "sympy", "scikit-learn", "threadpoolctl")


def _first(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def _blas_build() -> str:
    import numpy

    try:
        blas = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]
    except Exception:  # numpy < 1.26 has no mode="dicts"
        return "unknown"
    config = " ".join(str(blas.get("openblas configuration", "")).split())
    return f"{blas.get('name', '?')} {blas.get('version', '')} ({config})".replace(" ()", "")


def _blas_runtime() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    import numpy  # noqa: F401 - load numpy's BLAS so threadpoolctl sees it

    pools = [f"{p.get('internal_api')} {p.get('version')}, kernel {p.get('architecture')}, "
             f"{p.get('num_threads')} threads ({p.get('threading_layer')})"
             for p in threadpool_info() if p.get("user_api") == "blas"]
    return "; ".join(pools) or "none found"


def _git_commit() -> str:
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "diffkit"], cwd=root, capture_output=True,
                               text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}{' + uncommitted changes in diffkit/' if dirty else ''}" if head else "unknown"


def _torch_threads() -> str:
    torch = frameworks.load("torch")
    return f", {torch.get_num_threads()} intra-op threads" if torch is not None else ""


def _allocator() -> str:
    """Whether diffkit set glibc's malloc thresholds (diffkit/_allocator.py): it changes every
    framework's page faults in this process, the floor's included."""
    from diffkit import _allocator as a

    if a.status == "tuned":
        return (f"glibc malloc tuned by diffkit (mmap threshold {a.MMAP_THRESHOLD >> 20} MB, "
                f"trim {a.TRIM_THRESHOLD >> 20} MB)")
    return f"malloc not tuned: {a.status}"


def describe() -> list[tuple[str, str]]:
    """(item, value) pairs describing this machine and software, in the order they are reported."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"
    versions = ", ".join(f"{name} {frameworks.version(name)}" for name in PACKAGES)
    return [
        ("date", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
        ("CPU", f"{_first('/proc/cpuinfo', 'model name')}; {os.cpu_count()} logical cores, {cpus} usable"),
        ("memory", _first("/proc/meminfo", "MemTotal")),
        ("load average (1, 5, 15 min) at start", load),
        ("OS", platform.platform()),
        ("Python", f"{platform.python_implementation()} {sys.version.split()[0]}"),
        ("BLAS (numpy build)", _blas_build()),
        ("BLAS (running)", _blas_runtime()),
        ("environment", ", ".join(f"{k}={os.environ[k]}" if k in os.environ else f"{k} unset" for k in ENV)),
        ("versions", versions + _torch_threads()),
        ("allocator", _allocator()),
        ("diffkit commit", _git_commit()),
    ]
