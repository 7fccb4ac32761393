"""The handle ``Tensor.register_hook`` returns."""
from __future__ import annotations

import weakref


class _RemovableHandle:
    """Returned by ``register_hook``; ``remove()`` takes the hook off again."""

    def __init__(self, tensor, hook) -> None:
        self._tensor, self._hook = weakref.ref(tensor), hook

    def remove(self) -> None:
        tensor = self._tensor()
        if tensor is None:
            return
        if tensor.grad_fn is not None and tensor.grad_fn.hooks:
            tensor.grad_fn.hooks = [h for h in tensor.grad_fn.hooks if h is not self._hook] or None
        elif tensor._hooks:
            tensor._hooks = [h for h in tensor._hooks if h is not self._hook] or None

