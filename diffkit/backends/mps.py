"""``torch.backends.mps``: Apple's Metal back end, never available in diffkit (device-selection code asks)."""
from __future__ import annotations


def is_available() -> bool:
    return False


def is_built() -> bool:
    return False
