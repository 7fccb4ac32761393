"""A tiny progress bar for training loops (tqdm's look, without the dependency).

    for x, y in (bar := progress(loader, desc="epoch 1")):
        ...
        bar.set_postfix(loss=loss.item(), acc=accuracy)

On a terminal the line redraws in place (at most ten times a second); elsewhere (logs, CI,
captured output) each bar prints one final line, so logs stay short.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes:02d}:{seconds:02d}"


class progress:  # noqa: N801 - used like tqdm, as a function
    """Wrap an iterable; shows count, bar, elapsed/remaining time, rate and the ``set_postfix`` values."""

    def __init__(self, iterable: Iterable, desc: str = "", total: int | None = None, file=None,
                 disable: bool = False, width: int = 20, min_interval: float = 0.1) -> None:
        self.iterable, self.desc, self.width, self.min_interval = iterable, desc, width, min_interval
        self.total = total if total is not None else (len(iterable) if hasattr(iterable, "__len__") else None)
        self.file = file if file is not None else sys.stderr
        self.disable = disable
        self.interactive = bool(getattr(self.file, "isatty", lambda: False)())
        self.n, self.postfix = 0, ""
        self.start = self._last = time.perf_counter()

    def set_postfix(self, **values) -> None:
        """Values shown after the bar (floats with 4 significant digits)."""
        self.postfix = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items())

    def __len__(self) -> int:
        return self.total or 0

    def __iter__(self) -> Iterator:
        self.start = self._last = time.perf_counter()
        try:
            for item in self.iterable:
                yield item
                self.n += 1
                now = time.perf_counter()
                if self.interactive and now - self._last >= self.min_interval:
                    self._last = now
                    self._draw(end="")
        finally:
            self.close()

    def format(self) -> str:
        elapsed = time.perf_counter() - self.start
        rate = self.n / elapsed if elapsed > 0 else 0.0
        if self.total:
            filled = int(self.width * self.n / self.total)
            bar = "█" * filled + " " * (self.width - filled)
            remaining = (self.total - self.n) / rate if rate > 0 else 0.0
            text = (f"{self.desc}: {100 * self.n // self.total:3d}%|{bar}| {self.n}/{self.total} "
                    f"[{_clock(elapsed)}<{_clock(remaining)}, {rate:.1f}it/s]")
        else:
            text = f"{self.desc}: {self.n} [{_clock(elapsed)}, {rate:.1f}it/s]"
        return text + (f" {self.postfix}" if self.postfix else "")

    def _draw(self, end: str) -> None:
        if not self.disable:
            self.file.write(("\r" if self.interactive else "") + self.format() + end)
            self.file.flush()

    def close(self) -> None:
        """Draw the final state and end the line (called when the iteration ends)."""
        if self.n or self.total == 0:
            self._draw(end="\n")
        self.disable = True
