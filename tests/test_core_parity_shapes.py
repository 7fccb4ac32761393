"""Parity with PyTorch for shape ops at their edges, found by a side-by-side sweep: a start
counted from the end in ``narrow``, 0-d tensors in ``movedim``/``index_select``/``nonzero``,
and empty tensors in ``flatten``/``split``. Values, dtypes, shapes and gradients are compared."""
from __future__ import annotations

import numpy as np
import pytest

import diffkit as dk

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(5)
X = RNG.standard_normal((2, 3, 4))


def _flat(out) -> list:
    return [t for o in out for t in _flat(o)] if isinstance(out, (tuple, list)) else [out]


def _compare(fn, array) -> None:
    leaves = [m.tensor(array, requires_grad=array.dtype.kind == "f") for m in (dk, torch)]
    ours, theirs = _flat(fn(dk, leaves[0])), _flat(fn(torch, leaves[1]))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    differentiable = [(a, b) for a, b in zip(ours, theirs) if b.requires_grad]
    if not differentiable:
        return
    seeds = [RNG.standard_normal(tuple(b.shape)) for _, b in differentiable]
    (g,) = dk.autograd.grad([a for a, _ in differentiable], leaves[0], [dk.tensor(s) for s in seeds])
    (h,) = torch.autograd.grad([b for _, b in differentiable], leaves[1], [torch.tensor(s) for s in seeds])
    np.testing.assert_allclose(g.numpy(), h.numpy(), rtol=1e-12, atol=0)


@pytest.mark.parametrize("args", [(0, -1, 1), (1, -2, 2), (2, -4, 4), (-1, -3, 0)])
def test_narrow_counts_a_negative_start_from_the_end(args) -> None:
    _compare(lambda m, x: m.narrow(x, *args), X)


@pytest.mark.parametrize("fn", [
    lambda m, x: m.movedim(x, 0, -1),
    lambda m, x: m.movedim(x, (0,), (0,)),
    lambda m, x: m.index_select(x, 0, m.tensor([0])),
    lambda m, x: m.index_select(x, -1, m.tensor(0)),
    lambda m, x: m.nonzero(x),
    lambda m, x: m.nonzero(x, as_tuple=True),
    lambda m, x: m.where(x > 0),
], ids=["movedim", "movedim-tuple", "index_select", "index_select-0d-index", "nonzero", "nonzero-tuple",
        "where-condition"])
@pytest.mark.parametrize("value", [1.5, 0.0])
def test_zero_dimensional_tensors(fn, value) -> None:
    _compare(fn, np.array(value))


@pytest.mark.parametrize("fn", [
    lambda m, x: m.flatten(x, 1),
    lambda m, x: m.split(x, 0),
    lambda m, x: m.repeat_interleave(x, 2, dim=1),
    lambda m, x: m.chunk(x, 3),
    lambda m, x: x.chunk(2, 0),
], ids=["flatten", "split-0", "repeat_interleave", "chunk", "chunk-method"])
def test_empty_tensors(fn) -> None:
    _compare(fn, np.zeros((0, 3)))


@pytest.mark.parametrize("fn", [
    lambda m, x: m.cat([x.long(), m.zeros(0)]),
    lambda m, x: m.cat([m.zeros(0, dtype=m.int64), x.int()], 1),
    lambda m, x: m.cat([x.half(), m.zeros(0, dtype=m.float64)], -1),
], ids=["int-float", "int32-int64", "half-double"])
def test_cat_skips_legacy_empty_tensors_but_promotes_with_them(fn) -> None:
    _compare(fn, X)


_SCALAR, _VECTOR = np.array(2.5), np.array([1.0, 2.0, 3.0])


@pytest.mark.parametrize("fn, array", [
    (lambda m, x: m.gather(x, 0, m.tensor(0)), _SCALAR),
    (lambda m, x: m.gather(x, 0, m.tensor(1)), _VECTOR),
    (lambda m, x: m.gather(x, -1, m.tensor([0, 0])), _SCALAR),
    (lambda m, x: m.scatter(x, 0, m.tensor(0), 7.0), _SCALAR),
    (lambda m, x: m.scatter(x, 0, m.tensor(2), 7.0), _VECTOR),
    (lambda m, x: m.scatter(x, 0, m.tensor(0), x.sum() * 2), _SCALAR),
    (lambda m, x: m.scatter_add(x, 0, m.tensor([0]), x.sum().reshape(1) * 3), _SCALAR),
], ids=["gather", "gather-0d-index", "gather-vector-index", "scatter-value", "scatter-0d-index", "scatter-src",
        "scatter_add"])
def test_gather_and_scatter_read_a_zero_dimensional_tensor_or_index_as_one_dimensional(fn, array) -> None:
    _compare(fn, array)
