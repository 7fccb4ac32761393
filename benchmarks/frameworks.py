"""The frameworks compared, in table order, and how to import each one.

A peer that is not installed is not an error: its column reads "not installed".
"""
from __future__ import annotations

import importlib
import importlib.metadata
from functools import cache
from types import ModuleType

#: column key -> (import name, distribution name, column label)
FRAMEWORKS: dict[str, tuple[str, str, str]] = {
    "numpy": ("numpy", "numpy", "numpy floor"),
    "diffkit": ("diffkit", "diffkit", "diffkit"),
    "torch": ("torch", "torch", "PyTorch"),
    "autograd": ("autograd", "autograd", "HIPS autograd"),
    "mygrad": ("mygrad", "mygrad", "mygrad"),
    "micrograd": ("micrograd", "micrograd", "micrograd"),
}
NAMES = tuple(FRAMEWORKS)
PEERS = tuple(name for name in NAMES if name not in ("numpy", "diffkit"))


def label(name: str) -> str:
    return FRAMEWORKS[name][2] if name in FRAMEWORKS else name


@cache
def load(name: str) -> ModuleType | None:
    """Import a framework once; None when it is not installed (or fails to import)."""
    try:
        return importlib.import_module(FRAMEWORKS[name][0])
    except Exception:  # a broken install counts as absent, not as a crash of the suite
        return None


def version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        module = _try_import(distribution)
        return getattr(module, "__version__", "not installed") if module else "not installed"


def _try_import(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except Exception:
        return None
