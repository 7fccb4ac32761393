"""``diffkit.cuda``: diffkit runs on the CPU only, so there is no CUDA device.

Enough of PyTorch's ``torch.cuda`` for the everyday device checks
(``device = 'cuda' if torch.cuda.is_available() else 'cpu'``) to take the CPU branch.
"""
from __future__ import annotations


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def manual_seed(seed: int) -> None:
    """Nothing to seed without a device (as PyTorch, silently)."""


manual_seed_all = manual_seed
