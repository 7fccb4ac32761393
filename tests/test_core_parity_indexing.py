"""Indexing, gather/scatter and masking against PyTorch where numpy's rules differ from
PyTorch's: integers mixed with index lists, lists read as tuples, uint8 masks, negative steps,
indices smaller than the tensor, duplicate scatter positions, masks that broadcast or are not
bool, dtypes kept by masked_fill. Gradients of the new primitives are in core_cases.py."""
from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import diffkit as dk
from diffkit.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")

X = np.arange(24.0).reshape(2, 3, 4)
_POOL = [0, -1, slice(None), slice(1, None), None, Ellipsis, [1, 0], np.array([[1], [0]]), np.array([True, False])]


def _in(m, item):
    return m.tensor(item) if isinstance(item, np.ndarray) else item


def _outcome(m, index, write: bool):
    """``x[index]`` and the gradient of a weighted sum of it, or (``write``) the tensor after
    ``x[index] = v`` with v of the read's shape; the error type if ``m`` refuses the index."""
    index = tuple(_in(m, i) for i in index)
    x = m.tensor(X, requires_grad=not write)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = x[index]
            if write:
                x = m.tensor(X)
                x[index] = m.arange(float(out.numel())).reshape(out.shape).double()
                return [x.numpy()]
        except (IndexError, RuntimeError, ValueError, TypeError) as error:
            return type(error)
    weights = m.tensor(np.random.default_rng(0).standard_normal(tuple(out.shape)))
    (out * weights).sum().backward()
    return [out.detach().numpy(), x.grad.numpy()]


@pytest.mark.parametrize("write", [False, True], ids=["getitem", "setitem"])
def test_every_combination_of_index_items_matches_torch(write) -> None:
    """Integers are basic indexing in PyTorch, applied first: x[0, :, [0, 2]] has shape (3, 2),
    not numpy's (2, 3); the index tensors' own adjacency places the broadcast dimensions."""
    compared = 0
    for n in (1, 2, 3):
        for index in itertools.product(_POOL, repeat=n):
            if sum(i is Ellipsis for i in index) > 1:  # PyTorch takes several (numpy refuses): not covered
                continue
            expected = _outcome(torch, index, write)
            if isinstance(expected, type):  # PyTorch refuses it (two ellipses, too many indices, ...)
                continue
            ours = _outcome(dk, index, write)
            assert not isinstance(ours, type), f"x[{index}] raised {ours.__name__}"
            for a, b in zip(ours, expected):
                assert a.shape == b.shape, f"x[{index}]: shape {a.shape}, torch {b.shape}"
                np.testing.assert_array_equal(a, b, err_msg=f"x[{index}]")
            compared += 1
    assert compared > 400


def test_the_reported_int_slice_list_cases() -> None:
    x = dk.arange(24).reshape(2, 3, 4)
    assert tuple(x[0, :, [0, 2]].shape) == (3, 2)
    assert tuple(x[dk.tensor(0), :, [0, 2]].shape) == (3, 2)  # a 0-d integer tensor is an integer
    y = dk.zeros(2, 3, 4)
    y[0, :, [0, 2]] = dk.arange(6.0).reshape(3, 2)
    assert y[0].tolist() == [[0.0, 0.0, 1.0, 0.0], [2.0, 0.0, 3.0, 0.0], [4.0, 0.0, 5.0, 0.0]]


@pytest.mark.parametrize("index", [
    [[0, 1], [1, 0]], [dk.tensor(0), dk.tensor(1)], [0, slice(None)], [0, None], [0, Ellipsis], [np.array([0, 1])],
], ids=["nested", "0-d tensors", "slice", "None", "ellipsis", "array"])
def test_a_list_holding_sequences_or_slices_is_a_tuple_of_indices(index) -> None:
    def convert(m, item):
        return m.tensor(item.numpy()) if isinstance(item, dk.Tensor) else item

    with pytest.warns(UserWarning, match="non-tuple sequence for multidimensional indexing is deprecated"):
        ours = dk.tensor(X)[index]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = torch.tensor(X)[[convert(torch, i) for i in index]]
    np.testing.assert_array_equal(ours.numpy(), expected.numpy())


def test_a_plain_or_long_list_stays_one_index() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tuple(dk.tensor(X)[[0, 1, 1]].shape) == (3, 3, 4)
        assert tuple(dk.arange(40)[[[0]] * 32].shape) == (32, 1)  # 32 entries or more: an index tensor


def test_a_uint8_index_is_a_mask_with_a_warning_and_int8_is_refused() -> None:
    with pytest.warns(UserWarning, match="indexing with dtype torch.uint8 is now deprecated"):
        assert dk.arange(3)[dk.tensor([1, 0, 1], dtype=dk.uint8)].tolist() == [0, 2]
    with pytest.raises(IndexError, match="tensors used as indices must be long, int, byte or bool tensors"):
        dk.arange(3)[dk.tensor([1, 0, 1], dtype=dk.int8)]
    assert dk.arange(3)[dk.tensor([2, 0], dtype=dk.int32)].tolist() == [2, 0]


@pytest.mark.parametrize("index", [slice(None, None, -1), (slice(None), slice(None, None, -2))])
def test_a_negative_step_is_refused(index) -> None:
    with pytest.raises(ValueError, match="^step must be greater than zero$"):
        dk.arange(6).reshape(2, 3)[index]


# ---------------------------------------------------------------- gather, scatter, index_add
def _both(fn):
    """``fn(m)`` for diffkit and torch: both values, or both errors' (type, message)."""
    results = []
    for m in (dk, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                results.append(fn(m).tolist())
            except (RuntimeError, IndexError) as error:
                results.append((type(error).__name__, str(error)))
    return results


@pytest.mark.parametrize("fn", [
    lambda m: m.arange(12.0).reshape(3, 4).gather(1, m.tensor([[0]])),
    lambda m: m.arange(12.0).reshape(3, 4).gather(0, m.tensor([[2, 1]])),
    lambda m: m.arange(12.0).reshape(3, 4).gather(1, m.tensor([[0, 1, 2, 3, 0]])),
    lambda m: m.arange(12.0).reshape(3, 4).gather(0, m.tensor([[0, 1, 2, 2, 0]])),
    lambda m: m.arange(12.0).reshape(3, 4).gather(1, m.tensor([0])),
    lambda m: m.arange(12.0).reshape(3, 4).gather(1, m.tensor([[-1]])),
    lambda m: m.arange(12.0).reshape(3, 4).gather(1, m.tensor([[0.0]])),
    lambda m: m.zeros(3).scatter(0, m.tensor([0, 0, 0]), m.tensor([1.0, 2.0, 4.0])),
    lambda m: m.zeros(2, 3).scatter_(1, m.tensor([[2], [0]]), 1.0),
    lambda m: m.zeros(3, 4).scatter_(1, m.tensor([2, 0, 3]).unsqueeze(1), 1),
    lambda m: m.zeros(3, 5).scatter(dim=1, index=m.tensor([[0], [1], [2]]), value=2.0),
    lambda m: m.zeros(2, 3, dtype=m.int64).scatter(1, m.tensor([[0]]), 2.7),
    lambda m: m.zeros(3, 4).scatter(1, m.tensor([[0]]), m.ones(2, 2)),
    lambda m: m.zeros(3).scatter(0, m.tensor([1]), m.tensor(3.0)),
    lambda m: m.zeros(3, 4).scatter(1, m.tensor([[0, 1]]), m.ones(1, 1)),
    lambda m: m.zeros(3, 4).scatter(0, m.tensor([0]), m.ones(1, 5)),
    lambda m: m.zeros(2, 3).scatter(1, m.tensor([[0]]), m.ones(1, 1, dtype=m.float64)),
    lambda m: m.zeros(3).scatter(0, m.tensor([3]), 1.0),
    lambda m: m.zeros(3).scatter(0, m.tensor([0, 0, 1]), m.ones(3), reduce="add"),
    lambda m: m.full((3,), 2.0).scatter(0, m.tensor([0, 0, 1]), m.full((3,), 3.0), reduce="multiply"),
    lambda m: m.ones(3).scatter(0, m.tensor([0]), m.ones(1), reduce="mean"),
    lambda m: m.zeros(3).scatter_add_(0, m.tensor([1, 1]), m.ones(2)),
    lambda m: m.zeros(3, 2).index_add(0, m.tensor([0, 0, 2, 1]), m.ones(4, 2), alpha=2),
    lambda m: m.zeros(3, 2).index_add_(0, m.tensor(1), m.ones(1, 2)),
    lambda m: m.zeros(3, 2).index_add(0, m.tensor([1]), m.ones(2, 2)),
    lambda m: m.zeros(3, 2).index_add(0, m.tensor([[1]]), m.ones(1, 2)),
    lambda m: m.zeros(3, dtype=m.int64).index_add(0, m.tensor([1]), m.ones(1)),
    lambda m: m.zeros(3).index_add(0, m.tensor([1.0]), m.ones(1)),
    lambda m: m.zeros(3).index_add(0, m.tensor([-1]), m.ones(1)),
    lambda m: m.zeros(3, 2).index_add(0, m.tensor([1]), m.ones(1, 3)),
])
def test_gather_scatter_and_index_add_match_torch(fn) -> None:
    ours, expected = _both(fn)
    assert ours == expected


@pytest.mark.parametrize("method, args", [
    ("scatter_", (0, [1], 1.0)), ("scatter_add_", (0, [1], "src")), ("index_add_", (0, [1], "src")),
])
def test_in_place_scatter_checks_leaves_and_counts_versions(method, args) -> None:
    dim, index, src = args
    src = dk.ones(1) if src == "src" else src
    leaf = dk.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation"):
        getattr(leaf, method)(dim, dk.tensor(index), src)
    y = dk.zeros(3)
    version = y._version
    assert getattr(y, method)(dim, dk.tensor(index), src) is y
    assert y.tolist() == [0.0, 1.0, 0.0] and y._version == version + 1


def test_scatter_in_place_rewrites_the_history() -> None:
    x = dk.ones(3, dtype=dk.float64, requires_grad=True)
    v = dk.tensor([5.0], dtype=dk.float64, requires_grad=True)
    y = x * 2
    y.scatter_(0, dk.tensor([1]), v)
    assert type(y.grad_fn).__name__ == "ScatterBackward0"
    (y * dk.tensor([1.0, 2.0, 3.0], dtype=dk.float64)).sum().backward()
    assert x.grad.tolist() == [2.0, 0.0, 6.0] and v.grad.tolist() == [2.0]


def test_scatter_from_a_src_larger_than_its_index_passes_gradcheck() -> None:
    """Only src's leading block is read; the rest gets a zero gradient (PyTorch's backward
    fails on this shape: 'invalid gradient ... got [2, 2] but expected shape compatible with [2, 3]')."""
    rng = np.random.default_rng(0)
    x, src = (dk.tensor(rng.standard_normal(s), requires_grad=True) for s in ((3, 4), (2, 3)))
    index = dk.tensor([[0, 3], [1, 2]])

    def f(a, b):
        return a.scatter(1, index, b)

    assert gradcheck(f, (x, src)) and gradgradcheck(f, (x, src))


def test_scatter_reduce_has_no_derivative_as_in_torch() -> None:
    with pytest.raises(RuntimeError, match="derivative for aten::scatter is not implemented"):
        dk.zeros(3, requires_grad=True).scatter(0, dk.tensor([0]), 2.0, reduce="add")


# ---------------------------------------------------------------- masks
@pytest.mark.parametrize("fn", [
    lambda m: m.arange(4).masked_fill(m.arange(4) > 1, 0.5),
    lambda m: m.arange(4).masked_fill(m.arange(4) > 1, -1.7),
    lambda m: m.tensor([True, False]).masked_fill(m.tensor([False, True]), 2),
    lambda m: m.arange(4).masked_fill(m.arange(4) > 1, m.tensor(2.5)),
    lambda m: m.arange(4).masked_fill_(m.arange(4) > 1, 0.5),
    lambda m: m.arange(4.0).masked_fill(m.arange(4) > 1, m.tensor([2.5])),
    lambda m: m.arange(4.0).masked_fill(m.tensor([1, 0, 0, 1]), 0.0),
    lambda m: m.arange(4.0).masked_fill(m.tensor([1, 0, 0, 1], dtype=m.uint8), 0.0),
    lambda m: m.arange(4.0).masked_fill(m.tensor([1.0, 0, 0, 1]), 0.0),
    lambda m: m.where(m.tensor([1, 0]), m.ones(2), m.zeros(2)),
    lambda m: m.where(m.tensor([1, 0], dtype=m.int32), m.ones(2), m.zeros(2)),
    lambda m: m.where(m.tensor([1.0, 0.0]), m.ones(2), m.zeros(2)),
    lambda m: m.where(m.tensor([1, 0], dtype=m.uint8), m.ones(2), m.zeros(2)),
    lambda m: m.arange(5).index_select(0, m.tensor(2)),
    lambda m: m.arange(6).reshape(2, 3).index_select(1, m.tensor(2)),
    lambda m: m.arange(6.0).reshape(2, 3).masked_select(m.tensor([True, False, True])),
    lambda m: m.arange(3.0).masked_select(m.tensor([[True, False, True], [False, False, True]])),
    lambda m: m.arange(6.0).reshape(2, 3).masked_select(m.tensor([True, False])),
    lambda m: m.arange(4.0).masked_select(m.tensor([1, 0, 0, 1])),
])
def test_masks_and_index_select_match_torch(fn) -> None:
    ours, expected = _both(fn)
    assert ours == expected or (isinstance(ours, tuple) and ours[1].startswith(expected[1]))


def test_masked_fill_keeps_the_dtype_and_where_warns_on_uint8() -> None:
    assert dk.arange(4).masked_fill(dk.arange(4) > 1, 0.5).dtype is dk.int64
    with pytest.warns(UserWarning, match="where received a uint8 condition tensor"):
        dk.where(dk.tensor([1, 0], dtype=dk.uint8), dk.ones(2), dk.zeros(2))


def test_masked_fill_with_a_0d_tensor_value_sends_it_the_gradient() -> None:
    value = dk.tensor(2.0, dtype=dk.float64, requires_grad=True)
    x = dk.tensor([0.0, 1.0, 2.0, 3.0], dtype=dk.float64, requires_grad=True)
    mask = dk.tensor([False, True, True, False])
    assert gradcheck(lambda a, v: a.masked_fill(mask, v), (x, value))


def test_masked_select_with_a_broadcast_mask_passes_gradcheck() -> None:
    x = dk.tensor(np.random.default_rng(1).standard_normal(3), requires_grad=True)
    mask = dk.tensor([[True, False, True], [False, False, True]])
    assert gradcheck(lambda a: a.masked_select(mask), (x,)) and gradgradcheck(lambda a: a.masked_select(mask), (x,))
