"""Grad mode: whether operations record themselves on the tape. Thread-local, as in PyTorch."""
from __future__ import annotations

import functools
import inspect
import threading


class _GradState(threading.local):
    enabled = True  # class attribute: the default seen by every new thread
    anomaly = False
    capture = None  # the Recorder of a step being captured (diffkit.graphs), else None


state = _GradState()


def is_grad_enabled() -> bool:
    return state.enabled


class _GradModeContext:
    """Context manager and decorator that sets grad mode and restores it on exit."""

    _mode: bool

    def __enter__(self) -> None:
        self._previous = state.enabled
        state.enabled = self._mode

    def __exit__(self, *exc) -> None:
        state.enabled = self._previous

    def __call__(self, fn):
        mode = self._mode
        if inspect.isgeneratorfunction(fn):
            return _wrap_generator(fn, mode)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            previous = state.enabled
            state.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                state.enabled = previous

        return wrapper


def _wrap_generator(fn, mode: bool):
    """A decorated generator function: its body runs in ``mode`` each time it resumes, and the
    caller's mode is back at each ``yield`` (a plain wrapper would only cover creating it)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        gen = fn(*args, **kwargs)
        resume, value = gen.send, None
        while True:
            previous = state.enabled
            state.enabled = mode
            try:
                item = resume(value)
            except StopIteration as stop:
                return stop.value
            finally:
                state.enabled = previous
            try:
                resume, value = gen.send, (yield item)
            except GeneratorExit:
                gen.close()
                raise
            except BaseException as error:  # thrown in by the caller: pass it on to the body
                resume, value = gen.throw, error

    return wrapper


class _BareDecorator(_GradModeContext):
    """Usable as ``@no_grad()`` and as ``@no_grad`` (PyTorch accepts both)."""

    def __new__(cls, func=None):
        if func is not None:
            return cls()(func)
        return super().__new__(cls)


class no_grad(_BareDecorator):
    """Disable gradient recording: ``with no_grad(): w -= lr * w.grad``."""

    def __init__(self) -> None:
        self._mode = False


class enable_grad(_BareDecorator):
    """Re-enable gradient recording inside a ``no_grad`` block."""

    def __init__(self) -> None:
        self._mode = True


class set_grad_enabled(_GradModeContext):
    """Set grad mode to ``mode``; takes effect at once and also works as a context manager."""

    def __init__(self, mode: bool) -> None:
        self._mode = bool(mode)
        self._previous = state.enabled
        state.enabled = self._mode

    def __enter__(self) -> None:
        pass  # already applied in __init__, as PyTorch does

    def __call__(self, fn):
        state.enabled = self._previous  # as a decorator it must not change the mode now
        return super().__call__(fn)


class inference_mode(_GradModeContext):
    """Same as ``no_grad`` in diffkit; ``@inference_mode``, ``@inference_mode()`` and
    ``inference_mode(False)`` as in PyTorch."""

    def __new__(cls, mode=True):
        if not isinstance(mode, bool):  # used bare as a decorator: mode is the function
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        self._mode = not mode
