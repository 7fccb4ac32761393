"""PyTorch's layout of an index that mixes integers with index tensors.

numpy counts an integer next to an index array as one more advanced index: in
``x[0, :, [0, 2]]`` (x of shape (2, 3, 4)) the two are separated by a slice, so numpy puts the
broadcast dimension first, shape (2, 3). PyTorch applies integers first, as basic indexing
(a select), and places the advanced dimensions by the adjacency of the index tensors alone:
(3, 2). ``torch_layout`` rewrites such an index as an all-advanced numpy index -- one small
integer array per dimension, broadcast to PyTorch's result shape -- which reads, writes and
accumulates (``np.add.at``) the same elements in PyTorch's layout, so getitem, setitem and their
gradients need nothing else.
"""
from __future__ import annotations

import numpy as np


def _is_int(item) -> bool:
    return isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_))


def _dims(item) -> int:
    """How many dimensions of the indexed tensor an index item consumes."""
    if item is None or item is Ellipsis:
        return 0
    return item.ndim if isinstance(item, np.ndarray) and item.dtype == bool else 1


def needs_torch_layout(items: tuple) -> bool:
    """Whether numpy would lay the index out differently: integers mixed with index arrays (a
    scalar bool, which both treat as a 0-d mask, keeps numpy's rule)."""
    arrays = [i for i in items if isinstance(i, np.ndarray)]
    return bool(arrays) and any(_is_int(i) for i in items) and not any(isinstance(i, (bool, np.bool_)) for i in items)


def torch_layout(items: tuple, shape: tuple) -> tuple:
    """``items`` (a normalized index) as one integer array per dimension of ``shape``."""
    used = sum(_dims(i) for i in items)
    if not any(i is Ellipsis for i in items):
        items = (*items, Ellipsis)
    entries = []  # ("int", value) | ("slice", range) | ("new",) | ("adv", arrays), one per dimension consumed
    dim = 0
    for item in items:
        if item is Ellipsis:
            for _ in range(len(shape) - used):
                entries.append(("slice", np.arange(shape[dim])))
                dim += 1
        elif item is None:
            entries.append(("new",))
        elif _is_int(item):
            entries.append(("int", np.int64(item)))
            dim += 1
        elif isinstance(item, slice):
            entries.append(("slice", np.arange(*item.indices(shape[dim]))))
            dim += 1
        else:
            arrays = item.nonzero() if item.dtype == bool else (item,)
            entries.append(("adv", arrays))
            dim += _dims(item)
    placed = [e for e in entries if e[0] != "int"]
    positions = [k for k, e in enumerate(placed) if e[0] == "adv"]
    adjacent = positions == list(range(positions[0], positions[-1] + 1))
    advanced = np.broadcast_shapes(*[a.shape for e in placed if e[0] == "adv" for a in e[1]])
    start = positions[0] if adjacent else 0  # where the broadcast dimensions go in the result
    ndim = len(placed) - len(positions) + len(advanced)
    lead, trail = (1,) * start, (1,) * (ndim - start - len(advanced))
    index = []
    axis = 0 if adjacent else len(advanced)
    for kind, *value in entries:
        if kind == "int":
            index.append(value[0])
        elif kind == "adv":
            index.extend(a.reshape(lead + (1,) * (len(advanced) - a.ndim) + a.shape + trail) for a in value[0])
            if axis == start:
                axis += len(advanced)
        else:
            if kind == "slice":
                index.append(value[0].reshape((1,) * axis + (-1,) + (1,) * (ndim - axis - 1)))
            axis += 1
    return (*index, Ellipsis)
