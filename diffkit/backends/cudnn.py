"""``torch.backends.cudnn``: no cuDNN here; its flags are plain attributes, recorded and otherwise ignored
(diffkit's CPU kernels are deterministic and have nothing to benchmark)."""
from __future__ import annotations

enabled: bool = True
deterministic: bool = False
benchmark: bool = False
benchmark_limit: int = 10
allow_tf32: bool = True


def is_available() -> bool:
    """False: there is no cuDNN library behind diffkit."""
    return False


def version() -> int | None:
    """None, as PyTorch reports when cuDNN is not available."""
    return None
