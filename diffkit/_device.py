"""``device``: where a tensor lives. diffkit has only the CPU."""
from __future__ import annotations


class device:
    """Where a tensor lives: diffkit only has ``cpu``."""

    __slots__ = ("type",)

    def __init__(self, spec="cpu") -> None:
        text = spec.type if isinstance(spec, device) else str(spec)
        if text.split(":")[0] != "cpu":
            raise RuntimeError(f"diffkit runs on the CPU only; device {text!r} is not available")
        self.type = "cpu"

    def __eq__(self, other) -> bool:
        return isinstance(other, device) or other == "cpu"

    def __hash__(self) -> int:
        return hash("cpu")

    def __repr__(self) -> str:
        return "device(type='cpu')"

    def __str__(self) -> str:
        return "cpu"


CPU = device()
