"""glibc's allocator, set where its own heuristic ends up for programs that free large arrays.

A training step allocates activations and gradients of 128 KB and more and frees them at its
end. glibc serves blocks that large with ``mmap`` below a threshold that rises only after a
block that large has been freed, and gives free memory at the top of the heap back to the
system (trims it) once it exceeds twice that threshold. A step whose arrays add up to more
than that returns its memory at the end and page-faults it in again at the next step: in a
fresh process the 784-1024-1024-10 MLP took 3,700 page faults and 20.7 ms a step instead of
15.0 ms, the 64-256-256-10 one 220 faults and 1.06 ms instead of 0.73. Importing PyTorch hides
it (its import frees a large block, which raises the thresholds for everyone), and so does any
earlier 32 MB array, or a slightly different heap layout; diffkit should not depend on luck.

So ``import diffkit`` sets the two thresholds where glibc's heuristic stops growing them
(32 MB for ``mmap``, twice that kept at the top of the heap). Memory is still freed: at most
64 MB of it stays with the process for reuse. Nothing happens off glibc, when the user has
tuned malloc through its ``MALLOC_*_`` environment variables, or with ``DIFFKIT_MALLOC=system``.
"""
from __future__ import annotations

import ctypes
import os

M_TRIM_THRESHOLD = -1  # mallopt's parameter numbers (malloc.h)
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit systems
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD  # what the dynamic heuristic pairs with it
USER_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_MAX_")

status = "not tuned"  # what tune() did, for the benchmarks' machine description


def tune() -> str:
    """Set glibc's mmap and trim thresholds (once); return what was done, in words."""
    global status
    if status == "tuned":
        return status
    if os.environ.get("DIFFKIT_MALLOC", "").lower() == "system":
        status = "left to the system (DIFFKIT_MALLOC=system)"
    elif any(name in os.environ for name in USER_SETTINGS):
        status = "left to the user's MALLOC_* settings"
    elif not _glibc():
        status = "not glibc: left alone"
    else:
        try:
            mallopt = ctypes.CDLL("libc.so.6").mallopt
        except (OSError, AttributeError):
            status = "glibc's mallopt not found: left alone"
        else:
            mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
            ok = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
            status = "tuned" if ok else "mallopt refused: left alone"
    return status


def _glibc() -> bool:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc")
    except (AttributeError, ValueError, OSError):  # not a POSIX system, or not glibc
        return False
