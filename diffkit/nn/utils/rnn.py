"""``nn.utils.rnn.pad_sequence``: variable-length sequences padded into one batch tensor (differentiable:
each is padded then stacked, so gradients flow back to every sequence)."""
from __future__ import annotations

from collections.abc import Sequence

from ...ops.nn_functions import pad
from ...ops.shape import stack
from ...tensor import Tensor


def pad_sequence(sequences: Sequence[Tensor] | Tensor, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """(L_i, *) tensors to (max L, B, *), or (B, max L, *) with ``batch_first``; ``padding_side='left'``
    pads in front."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    sequences = list(sequences.unbind(0)) if isinstance(sequences, Tensor) else list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        missing = longest - s.shape[0]
        before, after = (missing, 0) if padding_side == "left" else (0, missing)
        padded.append(pad(s, (0, 0) * (s.ndim - 1) + (before, after), "constant", padding_value) if missing else s)
    return stack(padded, 0 if batch_first else 1)


__all__ = ["pad_sequence"]
