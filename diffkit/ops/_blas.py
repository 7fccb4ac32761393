"""Small matrix products on one BLAS thread.

OpenBLAS splits a product of more than 4·64³ multiply-adds over its threads, and its helper
threads then spin, waiting for more work, for a while after it returns. A layer of a small network
(128 rows by 256 by 256) gains little from the second thread, and on a two-core machine the
spinning thread burns the other core and can slow the Python and elementwise work that follow:
in one measurement here a 64-256-256-10 MLP's SGD update took 229 us after two-thread products
against 64 us after one-thread ones, and the helper spent 2 ms of CPU per 2 ms training step. So
products below ``SINGLE_THREAD_BELOW`` multiply-adds run on the calling thread alone; larger ones
keep the BLAS library's own count. OpenBLAS divides a product's rows and columns among its threads,
never the sum over k, so the result is the same to the last bit either way.

Only numpy's OpenBLAS, found among the loaded libraries on Linux, is steered; with any other
BLAS, or off the main thread, ``gemm`` is ``np.matmul``.
"""
from __future__ import annotations

import ctypes
import threading

import numpy as np

SINGLE_THREAD_BELOW = 1 << 24  # multiply-adds (m·k·n): 16.8 M, a 256×256×256 product
_OPENBLAS_ALONE = 1 << 18  # OpenBLAS itself runs products up to 4·64³ on one thread


def _openblas_thread_controls():
    """(set, get) of numpy's OpenBLAS thread count, or None when it cannot be found."""
    try:
        with open("/proc/self/maps") as maps:
            paths = sorted({line.split()[-1] for line in maps if "openblas" in line.lower() and ".so" in line})
    except OSError:
        return None
    for path in paths:
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in ("scipy_", ""):
            for suffix in ("64_", ""):
                setter = getattr(library, f"{prefix}openblas_set_num_threads{suffix}", None)
                getter = getattr(library, f"{prefix}openblas_get_num_threads{suffix}", None)
                if setter is not None and getter is not None:
                    setter.argtypes, setter.restype = [ctypes.c_int], None
                    getter.argtypes, getter.restype = [], ctypes.c_int
                    return setter, getter
    return None


_CONTROLS = _openblas_thread_controls()
_MAIN = threading.main_thread().ident


def gemm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.matmul(a, b)``, on one thread when it is small."""
    if _CONTROLS is None or a.__class__ is not np.ndarray or b.__class__ is not np.ndarray:
        return np.matmul(a, b)
    # m·k·n multiply-adds, times the batch of whichever operand carries it
    work = a.size * (b.shape[-1] if b.ndim > 1 else 1)
    other = b.size * (a.shape[-2] if a.ndim > 1 else 1)
    if other > work:
        work = other
    if work < _OPENBLAS_ALONE or work >= SINGLE_THREAD_BELOW or threading.get_ident() != _MAIN:
        return np.matmul(a, b)
    return on_one_thread(np.matmul, a, b)


def on_one_thread(fn, *args):
    """``fn(*args)`` with numpy's OpenBLAS on one thread, its count restored after (even on an error);
    needs the controls (``_CONTROLS`` not None)."""
    set_threads, get_threads = _CONTROLS
    threads = get_threads()
    if threads == 1:
        return fn(*args)
    set_threads(1)
    try:
        return fn(*args)
    finally:
        set_threads(threads)
