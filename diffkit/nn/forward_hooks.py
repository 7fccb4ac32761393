"""Running a module's forward hooks around ``forward``, with PyTorch's options: hooks registered
``with_kwargs=True`` also see (and may replace) the keyword arguments, and ``always_call=True``
forward hooks run even when ``forward`` raises. ``Module.__call__`` comes here only when the
module has hooks, so the common call stays one attribute test and ``forward``."""
from __future__ import annotations

import warnings


def run_pre_hooks(module, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """The forward pre-hooks in order; each returns None, new args, or (with kwargs) (args, kwargs)."""
    with_kwargs = module.__dict__.get("_forward_pre_hooks_with_kwargs", {})
    for key, hook in list(module._forward_pre_hooks.items()):
        if key in with_kwargs:
            result = hook(module, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError("forward pre-hook must return None or a tuple of (new_args, new_kwargs), "
                                       f"but got {result}.")
                args, kwargs = result
        else:
            result = hook(module, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
    return args, kwargs


def run_forward(module, forward, args: tuple, kwargs: dict):
    """``forward`` then the forward hooks; if anything raises, the ``always_call`` hooks not yet
    called still run (with output None), then the exception propagates."""
    with_kwargs = module.__dict__.get("_forward_hooks_with_kwargs", {})
    always = module.__dict__.get("_forward_hooks_always_called", {})
    called, output = set(), None
    try:
        output = forward(*args, **kwargs)
        for key, hook in list(module._forward_hooks.items()):
            called.add(key)
            result = hook(module, args, kwargs, output) if key in with_kwargs else hook(module, args, output)
            if result is not None:
                output = result
        return output
    except Exception:
        for key, hook in list(module._forward_hooks.items()):
            if key in always and key not in called:
                try:
                    hook(module, args, kwargs, output) if key in with_kwargs else hook(module, args, output)
                except Exception as error:  # noqa: BLE001 -- reported, the original exception wins
                    warnings.warn("module forward hook with ``always_call=True`` raised an exception that was "
                                  f"silenced as another error was raised in forward: {error}", stacklevel=3)
        raise
