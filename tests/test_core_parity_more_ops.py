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
    lambda m, x: m.sort(x, stable=True),
    lambda m, x: m.sort(x, dim=0, stable=True),
    lambda m, x: x.sort(dim=-1, descending=True, stable=True),
    lambda m, x: m.sort(x, stable=True, dim=1, descending=True),
    lambda m, x: m.argsort(x, dim=-1, stable=True),
    lambda m, x: x.argsort(dim=0, descending=True, stable=True),
], ids=["default", "dim0", "descending", "keywords", "argsort", "argsort-descending"])
@pytest.mark.parametrize("data", [X[0], TIES, NANS], ids=["distinct", "ties", "nan"])
def test_sort_values_and_indices(fn, data) -> None:
    ours, theirs = _both(fn, data)
    _same(ours, theirs)
    if isinstance(ours, tuple):
        assert type(ours).__name__ == "sort" and ours.values is ours[0] and ours.indices is ours[1]


@pytest.mark.parametrize("fn", [lambda m, x: m.sort(x, 0, True), lambda m, x: x.argsort(1, True),
                                lambda m, x: x.sort(descending=True)], ids=["sort", "argsort", "method"])
def test_sort_positional_arguments(fn) -> None:
    _same(*_both(fn, X))


@pytest.mark.parametrize("fn", [
    lambda m, x: x.topk(2),
    lambda m, x: m.topk(x, 2, dim=0),
    lambda m, x: m.topk(x, 2, dim=-2, largest=False),
    lambda m, x: x.topk(1, 1, False, True),
    lambda m, x: m.topk(x, 0),
], ids=["default", "dim0", "smallest", "positional", "k0"])
def test_topk_values_and_indices(fn) -> None:
    _same(*_both(fn, X))


@pytest.mark.parametrize("largest", [True, False])
def test_topk_at_special_values_without_ties(largest) -> None:
    data = np.array([[np.nan, 1.0, -np.inf, np.inf, -0.5], [0.0, np.inf, -2.0, np.nan, -np.inf]])
    x, t = dk.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    ours, theirs = x.topk(3, largest=largest), t.topk(3, largest=largest)
    _same(ours, theirs)
    ours.values.backward(dk.tensor(np.arange(6.0).reshape(2, 3)))
    theirs.values.backward(torch.tensor(np.arange(6.0).reshape(2, 3)))
    _same(x.grad, t.grad)


def test_topk_k_out_of_range() -> None:
    with pytest.raises(RuntimeError, match="out of range"):
        dk.tensor(X).topk(5)


@pytest.mark.parametrize("fn", [
    lambda m, x: x.median(),
    lambda m, x: x.median(1),
    lambda m, x: m.median(x, -1, keepdim=True),
    lambda m, x: m.median(x, dim=0),
], ids=["all", "dim", "keepdim", "dim0"])
@pytest.mark.parametrize("data", [X[0], X[1, :2], NANS], ids=["odd", "even", "nan"])
def test_median_values_and_indices(fn, data) -> None:
    _same(*_both(fn, data))


def test_median_of_all_shares_the_gradient_among_ties() -> None:
    data = np.array([1.0, 2.0, 2.0, 3.0])
    x, t = dk.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    x.median().backward()
    t.median().backward()
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


@pytest.mark.parametrize("kwargs", [{}, {"return_inverse": True}, {"return_counts": True},
                                    {"return_inverse": True, "return_counts": True}, {"sorted": False}])
@pytest.mark.parametrize("data", [np.array([[3, 1, 2], [1, 3, 3]]), TIES, np.array([True, False, True])])
def test_unique(kwargs, data) -> None:
    _same(*_both(lambda m, x: m.unique(x, **kwargs), data))
    _same(*_both(lambda m, x: x.unique(**kwargs), data))


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("data", [np.array([[1, 2, 1], [1, 2, 1], [0, 9, 0]]), np.array([[2.5, 1.0], [2.5, -1.0]]),
                                  np.array([[[1, 1], [2, 2]], [[1, 1], [2, 2]]])])
def test_unique_slices_along_a_dimension(dim, data) -> None:
    _same(*_both(lambda m, x: m.unique(x, dim=dim, return_inverse=True, return_counts=True), data))
    _same(*_both(lambda m, x: x.unique(dim=dim), data))


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


@pytest.mark.parametrize("fn", [
    lambda m, x: x.tril(-1), lambda m, x: m.triu(x, 2), lambda m, x: m.tril(x, 5),
    lambda m, x: x.diagonal(1, -1, 0), lambda m, x: m.diag(x[0], -1), lambda m, x: m.diag(x[0, 0], 2),
    lambda m, x: m.trace(x[1]),
], ids=["tril", "triu", "tril-all", "diagonal", "diag-matrix", "diag-vector", "trace"])
def test_matrix_parts(fn) -> None:
    _same(*_both(fn, X))


@pytest.mark.parametrize("fn", [
    lambda m, x: x.roll(2), lambda m, x: m.roll(x, (1, -2), (0, 2)), lambda m, x: m.roll(x, shifts=-1, dims=1),
    lambda m, x: x.ravel(), lambda m, x: x.transpose(0, 2).ravel(),
], ids=["roll-flat", "roll-dims", "roll-keywords", "ravel", "ravel-transposed"])
def test_roll_and_ravel(fn) -> None:
    _same(*_both(fn, X))


EINSUM = [("ii", [(3, 3)]), ("ii->i", [(3, 3)]), ("ij->ji", [(2, 3)]), ("ij->", [(2, 3)]),
          ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]), ("...ij,...jk->...ik", [(2, 2, 3), (3, 4)]),
          ("i,j", [(2,), (3,)]), ("ij,ij", [(2, 3), (2, 3)]), ("ba,ca->abc", [(2, 3), (4, 3)]),
          ("i...->...", [(2, 3, 4)]), ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]), ("ij,jk", [(2, 3), (3, 2)]),
          (" i j , j k -> i k ", [(2, 3), (3, 2)])]


@pytest.mark.parametrize("equation,shapes", EINSUM, ids=[e for e, _ in EINSUM])
def test_einsum_values_and_gradients(equation, shapes) -> None:
    arrays = [RNG.standard_normal(s) for s in shapes]
    ours = [dk.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = dk.einsum(equation, *ours), torch.einsum(equation, *theirs)
    _same(out, expected)
    seed = RNG.standard_normal(tuple(expected.shape))
    grads = dk.autograd.grad(out, ours, dk.tensor(seed))
    torch_grads = torch.autograd.grad(expected, theirs, torch.tensor(seed))
    _same(grads, torch_grads)
    _same(dk.einsum(equation, ours), torch.einsum(equation, theirs))  # the operands as one list


def test_einsum_gradcheck_to_second_order_with_repeated_and_summed_letters() -> None:
    x = dk.tensor(RNG.standard_normal((3, 3, 2)), requires_grad=True)
    y = dk.tensor(RNG.standard_normal((2, 4)), requires_grad=True)
    for equation in ("iij,jk->k", "iij,jk->i", "iij,jk"):
        assert dk.autograd.gradgradcheck(lambda a, b, e=equation: dk.einsum(e, a, b), (x, y))


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid(indexing) -> None:
    a, b, c = np.arange(3.0), np.arange(2.0) + 5, np.arange(4.0) - 1
    _same(*_both(lambda m, x, y, z: m.meshgrid(x, y, z, indexing=indexing), a, b, c))
    _same(*_both(lambda m, x, y: m.meshgrid([x, y], indexing=indexing), a, b))


@pytest.mark.parametrize("fn", [
    lambda m, x, y: m.broadcast_tensors(x, y), lambda m, x, y: m.hstack([x[0], y]),
    lambda m, x, y: m.vstack([x[0], y[:1]]), lambda m, x, y: m.hstack([y[0], y[0]]),
    lambda m, x, y: m.vstack([y[0], y[1]]), lambda m, x, y: m.hstack((x[0, 0], y[0, 0])),
], ids=["broadcast_tensors", "hstack", "vstack", "hstack-vectors", "vstack-vectors", "hstack-tuple"])
def test_stacking_and_broadcasting(fn) -> None:
    _same(*_both(fn, np.ones((1, 3, 4)), np.arange(12.0).reshape(3, 4)))


@pytest.mark.parametrize("fn", [
    lambda m, x: x.repeat_interleave(2), lambda m, x: m.repeat_interleave(x, 3, dim=-1),
    lambda m, x: x.repeat_interleave(m.tensor([2, 0, 1]), dim=1), lambda m, x: x.repeat_interleave(m.tensor([2]), 0),
    lambda m, x: m.repeat_interleave(m.tensor([1, 0, 3])),
], ids=["flat", "dim", "counts", "one-count", "counts-only"])
def test_repeat_interleave(fn) -> None:
    _same(*_both(fn, X))


@pytest.mark.parametrize("fn", [
    lambda m, x, y: m.atan2(x, y), lambda m, x, y: x.arctan2(y), lambda m, x, y: x.abs().log2(),
    lambda m, x, y: m.log10(x.abs()), lambda m, x, y: m.lerp(x, y, 0.75), lambda m, x, y: x.lerp(y, y.abs() / 9),
    lambda m, x, y: m.clamp_min(x, y), lambda m, x, y: x.clamp_max(y), lambda m, x, y: x.clamp_min(-1),
], ids=["atan2", "arctan2", "log2", "log10", "lerp", "lerp-tensor", "clamp_min-tensor", "clamp_max-tensor",
        "clamp_min"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_elementwise_values(fn, dtype) -> None:
    _close(*_both(fn, X.astype(dtype), X[::-1].copy().astype(dtype)), dtype)


def _close(ours, theirs, dtype) -> None:
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("fn", [
    lambda m, c, a, b: m.addmm(c, a, b), lambda m, c, a, b: c.addmm(a, b, beta=0.5, alpha=-2),
    lambda m, c, a, b: m.addmm(c[0], a, b, alpha=3), lambda m, c, a, b: m.addmm(c[:1, :1], a, b, beta=0),
], ids=["default", "beta-alpha", "vector", "beta0"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_addmm(fn, dtype) -> None:
    arrays = [X[1, :2].T, X[1].T, X[0, :, 2:]]
    _close(*_both(fn, *[a.astype(dtype) for a in arrays]), dtype)


def test_addmm_ignores_its_input_when_beta_is_zero() -> None:
    _same(*_both(lambda m, c, a, b: m.addmm(c, a, b, beta=0), np.array([np.nan, np.inf]), X[0, :2, :3], X[1, :3, :2]))


@pytest.mark.parametrize("kwargs", [{}, {"nan": 1.5}, {"posinf": 7.0, "neginf": -7.0}])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_nan_to_num(kwargs, dtype) -> None:
    data = np.array([np.nan, np.inf, -np.inf, 2.0], dtype=dtype)
    _same(*_both(lambda m, x: m.nan_to_num(x, **kwargs), data))
    _same(*_both(lambda m, x: x.nan_to_num(**kwargs), data))


def test_in_place_variants() -> None:
    for name, args in [("tril_", ()), ("triu_", (1,)), ("clamp_min_", (0.0,)), ("clamp_max_", (0.0,)),
                       ("nan_to_num_", ()), ("log2_", ()), ("log10_", ())]:
        ours, theirs = dk.tensor(np.abs(X[0])), torch.tensor(np.abs(X[0]))
        assert getattr(ours, name)(*args) is ours
        getattr(theirs, name)(*args)
        _same(ours, theirs)
        assert ours._version == theirs._version == 1


def test_squeeze_and_unsqueeze_in_place() -> None:
    for module in (dk, torch):
        x = module.tensor(np.ones((2, 1, 3)), requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable"):
            x.squeeze_(1)
        y = x * 2
        assert y.squeeze_(1) is y and tuple(y.shape) == (2, 3) and y._version == 1
        assert type(y.grad_fn).__name__ == "SqueezeBackward4"
        assert y.unsqueeze_(0) is y and tuple(y.shape) == (1, 2, 3) and y._version == 2
        assert type(y.grad_fn).__name__ == "UnsqueezeBackward1"
        (y * module.tensor(np.arange(6.0).reshape(1, 2, 3))).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), 2 * np.arange(6.0).reshape(2, 1, 3))
        z = module.zeros(2, 1)
        z.squeeze_()
        z.unsqueeze_(-1)
        assert tuple(z.shape) == (2, 1) and z._version == 2
        with module.no_grad():
            x.squeeze_()
        assert tuple(x.shape) == (2, 3)


def test_type_as_and_byte() -> None:
    for module in (dk, torch):
        x = module.tensor([1.7, 300.0, 2.0])
        assert str(x.type_as(module.zeros(1, dtype=module.int64)).dtype).endswith("int64")
        assert x.type_as(x) is x
        assert str(x.byte().dtype).endswith("uint8")
    np.testing.assert_array_equal(dk.tensor([1.7, 3.0]).byte().numpy(), torch.tensor([1.7, 3.0]).byte().numpy())


def test_cuda_is_not_available() -> None:
    assert dk.cuda.is_available() is False and dk.cuda.device_count() == 0
    device = "cuda" if dk.cuda.is_available() else "cpu"
    assert dk.ones(2).to(device).device == dk.device("cpu")
    dk.cuda.manual_seed_all(0)


@pytest.mark.parametrize("data", [TIES, np.array([[True, False], [False, True]]), np.zeros((2, 0)), np.array(3.0)])
def test_argwhere(data) -> None:
    _same(*_both(lambda m, x: m.argwhere(x), data))
    _same(*_both(lambda m, x: x.argwhere(), data))


def test_take_out_of_range() -> None:
    with pytest.raises(IndexError):
        dk.tensor(X).take(dk.tensor([24]))


@pytest.mark.parametrize("fn", [
    lambda m, x: m.var_mean(x), lambda m, x: m.std_mean(x, 1), lambda m, x: m.var_mean(x, (0, 2), keepdim=True),
    lambda m, x: m.std_mean(x, dim=-1, correction=0), lambda m, x: m.var_mean(x, [1], unbiased=False),
], ids=["var_mean", "std_mean-dim", "dims-keepdim", "correction", "unbiased"])
def test_var_mean_and_std_mean(fn) -> None:
    ours = [dk.tensor(X, requires_grad=True)]
    theirs = [torch.tensor(X, requires_grad=True)]
    out, expected = fn(dk, *ours), fn(torch, *theirs)
    _same(out, expected)
    weights = [RNG.standard_normal(tuple(e.shape)) for e in expected]
    _same(dk.autograd.grad(sum((o * dk.tensor(w)).sum() for o, w in zip(out, weights)), ours),
          torch.autograd.grad(sum((e * torch.tensor(w)).sum() for e, w in zip(expected, weights)), theirs))


def _f(m, x, y):
    return (x.sin() * y[:, None]).sum(0) + x[0].exp() * y.sum()


def _scalar(m, x, y):
    return (x.sin() * y[:, None]).sum() * x.cos().sum() + (y ** 3).sum()


A, B = RNG.standard_normal((3, 2)), RNG.standard_normal(3)
V2, V3 = RNG.standard_normal(2), RNG.standard_normal(3)


@pytest.mark.parametrize("call", [
    lambda m, F: F.jacobian(lambda x: _f(m, x, m.tensor(B)), m.tensor(A)),
    lambda m, F: F.jacobian(lambda x, y: _f(m, x, y), (m.tensor(A), m.tensor(B))),
    lambda m, F: F.jacobian(lambda x, y: (_f(m, x, y), y * 2), (m.tensor(A), m.tensor(B))),
    lambda m, F: F.hessian(lambda x: _scalar(m, x, m.tensor(B)), m.tensor(A)),
    lambda m, F: F.hessian(lambda x, y: _scalar(m, x, y), (m.tensor(A), m.tensor(B))),
    lambda m, F: F.vjp(lambda x, y: _f(m, x, y), (m.tensor(A), m.tensor(B)), m.tensor(V2)),
    lambda m, F: F.vjp(lambda x: _scalar(m, x, m.tensor(B)), m.tensor(A)),
    lambda m, F: F.jvp(lambda x, y: _f(m, x, y), (m.tensor(A), m.tensor(B)), (m.tensor(A * 0 + 1), m.tensor(V3))),
    lambda m, F: F.jvp(lambda x: x.exp(), m.tensor(B), m.tensor(V3)),
    lambda m, F: F.hvp(lambda x, y: _scalar(m, x, y), (m.tensor(A), m.tensor(B)), (m.tensor(A), m.tensor(V3))),
    lambda m, F: F.vhp(lambda x: _scalar(m, x, m.tensor(B)), m.tensor(A), m.tensor(A)),
    lambda m, F: F.jacobian(lambda x: m.ones(2), m.tensor(B)),
], ids=["jacobian", "jacobian-inputs", "jacobian-outputs", "hessian", "hessian-inputs", "vjp", "vjp-scalar",
        "jvp", "jvp-single", "hvp", "vhp", "jacobian-constant"])
def test_autograd_functional(call) -> None:
    _same(call(dk, dk.autograd.functional), call(torch, torch.autograd.functional))


def test_autograd_functional_create_graph_keeps_the_inputs_graph() -> None:
    x = dk.tensor(B, requires_grad=True)
    jac = dk.autograd.functional.jacobian(lambda v: v ** 3, x, create_graph=True)
    jac.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * B)


@pytest.mark.parametrize("fn", [
    lambda m, x, lo, hi: m.clamp(x, lo, hi),
    lambda m, x, lo, hi: x.clamp(min=lo),
    lambda m, x, lo, hi: m.clamp(x, max=hi),
    lambda m, x, lo, hi: m.clamp_min(x, lo),
    lambda m, x, lo, hi: x.clamp_max(hi),
], ids=["both", "min", "max", "clamp_min", "clamp_max"])
def test_clamp_by_tensors_gives_the_gradient_to_x_or_to_one_bound(fn) -> None:
    """PyTorch's clamp_backward_min_max: at x == bound all of it to x (maximum/minimum share it),
    with low > high to high alone, with low == high to nobody."""
    arrays = [np.array([1.0, 2.0, 3.0, 0.0, 5.0, 2.0]), np.array([2.0, 2.0, 2.0, 1.0, 6.0, 1.0]),
              np.array([2.0, 3.0, 2.0, 0.0, 4.0, 2.0])]
    ours = [dk.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = fn(dk, *ours), fn(torch, *theirs)
    _same(out, expected)
    assert type(out.grad_fn).__name__ == type(expected.grad_fn).__name__
    seed = np.arange(1.0, 7.0)
    (out * dk.tensor(seed)).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(np.zeros(6) if a.grad is None else a.grad.numpy(),
                                      np.zeros(6) if b.grad is None else b.grad.numpy())


_DIVIDENDS, _DIVISORS = np.array([-7, 7, -7, 7, 0, -6]), np.array([2, 2, -2, -2, 3, 3])


@pytest.mark.parametrize("fn", [
    lambda m, a, b: m.div(a, b, rounding_mode="trunc"),
    lambda m, a, b: m.div(a, b, rounding_mode="floor"),
    lambda m, a, b: m.divide(a.double(), b.double(), rounding_mode="trunc"),
    lambda m, a, b: a.double().div(2, rounding_mode="floor"),
    lambda m, a, b: m.div(-7, b, rounding_mode="trunc"),
    lambda m, a, b: a.double().div_(b, rounding_mode="trunc"),
    lambda m, a, b: m.add(a, b, alpha=2),
    lambda m, a, b: m.sub(a.double(), b, alpha=0.5),
    lambda m, a, b: m.subtract(a, b, alpha=-3),
], ids=["trunc-int", "floor-int", "trunc-float", "floor-number", "trunc-number-tensor", "div_-trunc",
        "add-alpha", "sub-alpha", "subtract-alpha"])
def test_div_rounding_modes_and_alpha_keywords(fn) -> None:
    """torch.div(..., rounding_mode=) and torch.add/sub(..., alpha=) raised TypeError here."""
    _same(*_both(fn, _DIVIDENDS, _DIVISORS))


def test_allclose_and_isclose_take_tensors_that_require_grad() -> None:
    for m in (dk, torch):
        a = m.tensor([1.0, 2.0], requires_grad=True)
        assert m.allclose(a, a * 1) and m.isclose(a, a + 1e-9).tolist() == [True, True]


@pytest.mark.parametrize("op", ["//=", "%=", "**=", "&=", "|=", "^="])
def test_augmented_assignments_write_in_place(op) -> None:
    """x //= 3 (and %=, **=, &=, |=, ^=) modify x itself, so aliases and views see the new values."""
    results = []
    for m in (dk, torch):
        namespace = {"a": m.tensor([4, 6, 7])}
        namespace["alias"], namespace["view"] = namespace["a"], namespace["a"][1:]
        exec(f"a {op} 3", namespace)
        assert namespace["a"] is namespace["alias"]
        results.append((namespace["alias"].tolist(), namespace["view"].tolist()))
    assert results[0] == results[1]
