"""The errors a primitive raises, in PyTorch's words (its tests compare the messages with PyTorch's)."""
from __future__ import annotations

import numpy as np


def inplace_message(node, which: str, x, version=None) -> str:
    """A saved input or output of ``node`` (``which``) changed in place since it was recorded."""
    described = "" if x is None else f"[diffkit.{x.type().split('.')[-1]} {list(x.shape)}], "
    at = "" if x is None else f" is at version {x._version}; expected version {version} instead."
    return ("one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: {described}which is {which} of {type(node).__name__},{at or ' was overwritten.'}"
            " Hint: the operation that failed to compute its gradient has its saved value changed "
            "in place; compute on a clone() instead.")


def stale_view(a) -> RuntimeError:
    """``a``, a view, is used after its base changed in place."""
    return RuntimeError(
        f"a view (made by {type(a.grad_fn).__name__}) is used after the tensor it views was modified in "
        "place: its recorded history is out of date and its gradient would be wrong (PyTorch replays the "
        "view; diffkit does not). Take the view again after the in-place operation, or view a clone().")


def torch_error(error: ValueError, arrays: list) -> Exception:
    """PyTorch raises IndexError for a dimension out of range, and RuntimeError naming the
    mismatching sizes (here also both shapes) when operands do not broadcast."""
    if isinstance(error, IndexError) and getattr(error, "axis", None) is not None:  # numpy's AxisError
        bound = max(error.ndim, 1)
        return IndexError(f"Dimension out of range (expected to be in range of [{-bound}, {bound - 1}], "
                          f"but got {error.axis})")
    shapes = [np.shape(a) for a in arrays if isinstance(a, np.ndarray)]
    if "broadcast" in str(error) and len(shapes) > 1:
        ndim = max(len(s) for s in shapes)
        padded = [(1,) * (ndim - len(s)) + tuple(s) for s in shapes]
        for d in range(ndim - 1, -1, -1):
            sizes = [s[d] for s in padded if s[d] != 1]
            if len(set(sizes)) > 1:
                a = sizes[0]
                b = next(s for s in sizes if s != a)
                return RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b ({b}) at "
                                    f"non-singleton dimension {d}; the shapes are "
                                    + " and ".join(str(list(s)) for s in shapes))
    return RuntimeError(str(error))
