"""``use_deterministic_algorithms``: diffkit's kernels are numpy's and already deterministic on the CPU
(same inputs, same bits), so the flags are recorded for code that reads them back, and nothing changes."""
from __future__ import annotations

_flags = {"enabled": False, "warn_only": False}


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms(): argument 'mode' must be bool, not {type(mode).__name__}")
    _flags["enabled"], _flags["warn_only"] = mode, bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    return _flags["enabled"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _flags["warn_only"]
