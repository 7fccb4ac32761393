"""The Tensor's construction forms, attributes and conversions, default dtype and seeding."""
from __future__ import annotations

import copy

import numpy as np
import pytest

import diffkit as dk


def test_construction_as_in_the_seed() -> None:
    assert dk.Tensor([1, 2, 3]).tolist() == [1.0, 2.0, 3.0] and dk.Tensor([1, 2]).dtype is dk.float32
    assert dk.Tensor(2, 3).shape == (2, 3) and dk.Tensor(2, 3).sum().item() == 0
    t = dk.Tensor([[1, 2, 3], [4, 5, 6]])
    assert dk.Tensor(t.size()).shape == dk.Size([2, 3])
    assert dk.Tensor().shape == (0,)
    assert dk.Tensor(np.array([1, 2])).dtype is dk.float32


def test_tensor_infers_dtypes_as_pytorch() -> None:
    assert dk.tensor([1, 2]).dtype is dk.int64
    assert dk.tensor([1, 2.5]).dtype is dk.float32
    assert dk.tensor([True, False]).dtype is dk.bool
    assert dk.tensor(3.5).dtype is dk.float32 and dk.tensor(3.5).shape == ()
    assert dk.tensor(np.array([1.0])).dtype is dk.float64
    assert dk.tensor(np.float64(0.1)).item() == 0.1
    assert dk.tensor(0.3, dtype=dk.float64).item() == 0.3  # not rounded through float32
    assert dk.tensor([dk.tensor(1.0), dk.tensor(2.0)]).tolist() == [1.0, 2.0]
    assert dk.tensor([[]]).shape == (1, 0)


def test_tensor_copies_and_from_numpy_shares() -> None:
    a = np.zeros(2)
    copied, shared = dk.tensor(a), dk.from_numpy(a)
    shared.add_(1)
    assert a.tolist() == [1.0, 1.0] and copied.tolist() == [0.0, 0.0]
    assert dk.as_tensor(a).numpy() is a
    with pytest.raises(TypeError):
        dk.from_numpy([1, 2])


def test_creation_functions() -> None:
    assert dk.zeros(2, 3).shape == dk.zeros((2, 3)).shape == dk.zeros([2, 3]).shape == (2, 3)
    assert dk.ones(2, dtype=dk.int64).tolist() == [1, 1]
    assert dk.full((2,), 7).dtype is dk.int64 and dk.full((2,), 7.0).dtype is dk.float32
    assert dk.eye(2, 3).tolist() == [[1, 0, 0], [0, 1, 0]]
    assert dk.arange(5).tolist() == [0, 1, 2, 3, 4] and dk.arange(5).dtype is dk.int64
    assert dk.arange(0, 1, 0.25).tolist() == [0, 0.25, 0.5, 0.75]
    assert dk.arange(5, 0, -2).tolist() == [5, 3, 1]
    assert dk.linspace(1, 10, 4).tolist() == [1.0, 4.0, 7.0, 10.0]
    assert dk.empty(2, 3).shape == (2, 3)
    t = dk.tensor([[1, 2], [3, 4]])
    assert dk.zeros_like(t).dtype is dk.int64 and dk.ones_like(t).tolist() == [[1, 1], [1, 1]]
    assert dk.full_like(t, 3).tolist() == [[3, 3], [3, 3]] and dk.empty_like(t).shape == (2, 2)
    assert dk.rand_like(t.double()).dtype is dk.float64 and dk.randn_like(t.float()).shape == (2, 2)
    assert dk.zeros_like(t.float(), requires_grad=True).requires_grad


def test_random_creation_and_manual_seed_reproducibility() -> None:
    def draw():
        return [dk.rand(3), dk.randn(2, 2), dk.randint(0, 10, (5,)), dk.randint(6, (2, 3)), dk.normal(0.0, 1.0, (2,)),
                dk.normal(dk.zeros(3), 2.0), dk.randperm(5), dk.randint_like(dk.zeros(2), 3)]

    dk.manual_seed(7)
    first = draw()
    dk.manual_seed(7)
    second = draw()
    assert all(dk.equal(a, b) for a, b in zip(first, second))
    dk.manual_seed(8)
    assert not dk.equal(dk.randn(4), second[1].reshape(4))
    rand, randn, ints, ints2, normal, normal2, perm, like = first
    assert rand.dtype is dk.float32 and ((rand >= 0) & (rand < 1)).all()
    assert ints.dtype is dk.int64 and ((ints >= 0) & (ints < 10)).all() and ints2.shape == (2, 3)
    assert normal.shape == (2,) and normal2.shape == (3,) and sorted(perm.tolist()) == [0, 1, 2, 3, 4]
    assert like.dtype is dk.float32 and ((like >= 0) & (like < 3)).all()
    state = dk.get_rng_state()
    a = dk.randn(3)
    dk.set_rng_state(state)
    assert dk.equal(a, dk.randn(3))


def test_set_default_dtype() -> None:
    dk.set_default_dtype(dk.float64)
    try:
        assert dk.get_default_dtype() is dk.float64
        assert dk.tensor([1.5]).dtype is dk.zeros(1).dtype is dk.Tensor(2).dtype is dk.float64
        assert dk.arange(0.5, 2).dtype is dk.float64 and dk.randn(2).dtype is dk.float64
        assert (dk.tensor([1, 2]) / 2).dtype is dk.float64
        assert dk.tensor([1, 2]).dtype is dk.int64
        assert repr(dk.tensor([1.5])) == "tensor([1.5000])"
        assert repr(dk.tensor([1.5], dtype=dk.float32)) == "tensor([1.5000], dtype=diffkit.float32)"
    finally:
        dk.set_default_dtype(dk.float32)
    assert dk.tensor([1.5]).dtype is dk.float32
    with pytest.raises(TypeError):
        dk.set_default_dtype(dk.int64)


def test_attributes() -> None:
    t = dk.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert t.shape == t.size() == dk.Size([2, 3]) and isinstance(t.shape, tuple)
    assert t.size(1) == 3 and t.size(-1) == 3 and t.shape[1:] == dk.Size([3])
    assert t.dim() == t.ndim == 2 and t.numel() == 6 and dk.numel(t) == 6 and len(t) == 2
    assert t.dtype is dk.float32 and t.dtype.is_floating_point and not dk.int64.is_floating_point
    assert not t.requires_grad and t.is_leaf and t.grad is None and t.grad_fn is None
    assert t.T.tolist() == [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]
    assert t.mT.shape == (3, 2) and dk.ones(4, 2, 3).mT.shape == (4, 3, 2)
    assert str(t.device) == "cpu" and dk.is_tensor(t) and not dk.is_tensor(t.tolist())


def test_conversions() -> None:
    t = dk.tensor([[1.5, -2.7], [3.0, 4.25]])
    assert t[1, 1].item() == 4.25 and isinstance(t[0, 0].item(), float)
    assert dk.tensor([3]).item() == 3 and isinstance(dk.tensor([3]).item(), int)
    assert t.tolist() == [[1.5, -2.7000000476837158], [3.0, 4.25]]
    assert dk.tensor(2.5).tolist() == 2.5
    assert isinstance(t.numpy(), np.ndarray) and t.numpy().dtype == np.float32
    assert t.double().dtype is dk.float64 and t.double().float().dtype is dk.float32
    assert t.long().tolist() == [[1, -2], [3, 4]] and t.long().dtype is dk.int64
    assert t.to(dk.int64).dtype is dk.int64 and t.to(dk.float32) is t
    assert t.to("cpu", dk.float64).dtype is dk.float64 and t.to(dk.ones(1, dtype=dk.int64)).dtype is dk.int64
    assert t.bool().tolist() == [[True, True], [True, True]]
    assert float(dk.tensor([2.5])) == 2.5 and int(dk.tensor(2.7)) == 2 and bool(dk.tensor([0.0])) is False
    assert f"{dk.tensor(2.5):.2f}" == "2.50"
    assert f"loss {dk.tensor(0.5, requires_grad=True) * 1}" == "loss 0.5"  # a 0-d tensor formats as its number
    assert f"{dk.tensor([1.0, 2.0])}" == str(dk.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="unsupported format string"):
        f"{dk.tensor([1.0]):.2f}"
    assert 4.25 in t and 7.0 not in t


def test_clone_detach_contiguous_data() -> None:
    x = dk.tensor([1.0, 2.0], requires_grad=True)
    c, d = x.clone(), x.detach()
    assert c.grad_fn is not None and d.grad_fn is None and not d.requires_grad
    d.zero_()  # detach shares memory
    assert x.tolist() == [0.0, 0.0] and c.tolist() == [1.0, 2.0]
    m = dk.ones(2, 3)
    assert m.contiguous() is m and m.t().is_contiguous() is False
    assert m.t().contiguous().is_contiguous() and m.t().contiguous().stride() == (2, 1)
    x.data = dk.tensor([5.0, 6.0])
    assert x.tolist() == [5.0, 6.0] and x.requires_grad and x.is_leaf
    assert x.data.requires_grad is False


def test_deepcopy_of_leaves_only() -> None:
    x = dk.tensor([1.0], requires_grad=True)
    (x * 2).sum().backward()
    y = copy.deepcopy(x)
    assert y.tolist() == [1.0] and y.requires_grad and y.grad.tolist() == [2.0] and y is not x
    with pytest.raises(RuntimeError, match="graph leaves"):
        copy.deepcopy(x * 2)


def test_size_prints_and_behaves_as_a_tuple() -> None:
    s = dk.Size([2, 3])
    assert repr(s) == str(s) == "diffkit.Size([2, 3])"
    assert s == (2, 3) and s.numel() == 6 and list(s) == [2, 3]
    assert isinstance(s + (4,), dk.Size) and s + (4,) == (2, 3, 4)
