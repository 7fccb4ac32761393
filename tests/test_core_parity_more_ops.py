"""Parity with PyTorch for the parts of the newer operations that core_cases.py does not
reach: indices (sort, topk, median, unique), keyword options, dtypes, einsum's forms,
in-place view changes and ``diffkit.cuda``. Inputs have no ties where PyTorch's order of
ties is unspecified (``sort`` is compared with ``stable=True``)."""
from __future__ import annotations

import numpy as np
import pytest

import diffkit as dk

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)
X = RNG.permutation(24).reshape(2, 3, 4) / 4.0 - 3.0  # distinct values
TIES = np.array([[3.0, 1.0, 3.0, 2.0, 1.0], [0.0, 0.0, -1.0, 5.0, 0.0]])
NANS = np.array([[1.0, np.nan, -2.0, 0.5], [4.0, 3.0, np.nan, np.nan]])


def _same(ours, theirs) -> None:
    if isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same(a, b)
        return
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12, atol=1e-14)


def _both(fn, *arrays):
    return fn(dk, *[dk.tensor(a) for a in arrays]), fn(torch, *[torch.tensor(a) for a in arrays])


@pytest.mark.parametrize("fn", [
    lambda m, x: m.cumsum(x, 0),
    lambda m, x: x.cumsum(-1),
    lambda m, x: x.cumprod(dim=1),
    lambda m, x: m.cumsum(x, 1, dtype=m.float64),
], ids=["cumsum", "cumsum-last", "cumprod", "dtype"])
@pytest.mark.parametrize("data", [np.array([[3, 1, 2], [1, -3, 3]]), np.array([[True, False], [True, True]]),
                                  X[0].astype(np.float32)], ids=["int", "bool", "float32"])
def test_cumulative_dtypes(fn, data) -> None:
    _same(*_both(fn, data))
