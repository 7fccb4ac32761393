"""``set_num_threads`` / ``get_num_threads``: diffkit's parallelism is numpy's BLAS, so the count is passed to
the BLAS thread pool through threadpoolctl when that is installed (it is optional, not a dependency);
without it the value is only recorded, and ``get_num_threads`` returns it."""
from __future__ import annotations

import os

_state = {"threads": None, "interop": 1}


def _blas_limit(n: int | None) -> int | None:
    """Set (n) or read (None) the BLAS pool's thread count; None when threadpoolctl is missing."""
    try:
        import threadpoolctl
    except ImportError:
        return None
    if n is not None:
        threadpoolctl.threadpool_limits(n, user_api="blas")  # applied at construction, kept until changed
        return n
    counts = [pool["num_threads"] for pool in threadpoolctl.threadpool_info() if pool.get("user_api") == "blas"]
    return max(counts) if counts else None


def set_num_threads(n: int) -> None:
    """Use ``n`` threads for intra-op parallelism (numpy's BLAS)."""
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _state["threads"] = n
    _blas_limit(n)


def get_num_threads() -> int:
    """The count set last, else the BLAS pool's (else the number of CPUs)."""
    if _state["threads"] is not None:
        return _state["threads"]
    return _blas_limit(None) or os.cpu_count() or 1


def set_num_interop_threads(n: int) -> None:
    """Recorded only: diffkit runs operations one after another."""
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        raise RuntimeError("set_num_interop_threads expects a positive integer")
    _state["interop"] = n


def get_num_interop_threads() -> int:
    return _state["interop"]
