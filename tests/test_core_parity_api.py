"""The Tensor API of issue 2, function and method forms, compared with PyTorch on fixed data:
math, comparisons, reductions with dim/keepdim, products (int tensors too), shape ops,
indexing and index assignment, and in-place operations."""
from __future__ import annotations

import numpy as np
import pytest

import diffkit as dk

torch = pytest.importorskip("torch")

X = np.array([[0.5, -1.25, 2.0, 3.5], [-0.75, 1.5, -2.5, 0.25], [1.0, 0.0, -3.0, 2.25]], dtype=np.float32)
K = np.array([[3, -1, 2, 0], [1, 4, -2, 5], [0, 2, 2, -3]])


def _data(m) -> dict:
    return {"x": m.tensor(X), "k": m.tensor(K), "v": m.tensor(X[0]), "b": m.tensor(X > 0),
            "w": m.tensor(X.T.copy()), "kb": m.tensor(np.arange(24).reshape(2, 3, 4)), "m": m}


EXPRESSIONS = [
    # math, as functions and as methods
    "-x", "x.neg()", "m.neg(x)", "x ** 2", "x.pow(3)", "m.pow(x, 2)", "m.pow(2, v)", "x.abs().pow(v)",
    "m.exp(x)", "x.exp()", "m.log(x.abs() + 1)", "x.abs().log1p()", "x.expm1()", "m.sqrt(x.abs())",
    "x.abs().rsqrt()", "m.sin(x)", "x.cos()", "m.tan(x / 4)", "m.tanh(x)", "x.sigmoid()", "m.sigmoid(x)",
    "m.relu(x)", "x.relu()", "x.abs()", "abs(x)", "m.abs(k)", "x.sign()", "m.sign(k)", "x.clamp(-1, 1)",
    "m.clamp(x, min=0.5)", "x.clamp(max=0)", "k.clamp(0, 2)", "m.maximum(x, v)", "x.minimum(v)",
    "m.where(x > 0, x, v)", "m.where(b, x, 0.0)", "x.where(b, v)", "x.where(x > 0, 0.0)",
    "x.square()", "x.reciprocal()", "x.floor()", "x.round()",
    "x + 1", "1 + x", "x - v", "2 - x", "x * v", "3 * x", "x / v", "2 / x", "k // 2", "k % 3", "x % 1.5",
    "x.add(v, alpha=2)", "x.sub(v)", "x.mul(2)", "x.div(v)", "m.add(x, 1)", "m.mul(x, x)",
    # comparisons
    "x > 0", "x >= v", "x < v", "x <= 0.5", "x == v", "x != 0", "m.eq(k, 2)", "x.gt(v)", "m.isnan(x / 0)",
    "~b", "b & (x < 2)", "b | (x < -2)", "m.logical_not(b)",
    # reductions with dim and keepdim
    "x.sum()", "x.sum(0)", "x.sum(-1, keepdim=True)", "m.sum(x, (0, 1))", "k.sum(1)", "b.sum()",
    "x.mean()", "x.mean(1)", "m.mean(x, 0, keepdim=True)", "x.prod()", "x.prod(1, keepdim=True)", "k.prod(0)",
    "x.var()", "x.var(0)", "x.var(1, unbiased=False)", "x.std(1, keepdim=True)", "m.std(x)",
    "x.max()", "x.max(1).values", "x.max(1).indices", "m.max(x, 0)[1]", "x.min()", "m.min(x, 1, keepdim=True)[0]",
    "m.max(x, v)", "x.amax(1)", "x.amax((0, 1))", "x.amin(0, keepdim=True)", "x.argmax()", "x.argmax(1)",
    "m.argmin(x, 0, keepdim=True)", "k.max()", "x.logsumexp(1)", "m.logsumexp(x, 0, keepdim=True)",
    "x.softmax(1)", "m.softmax(x, 0)", "x.log_softmax(-1)", "m.log_softmax(x, dim=0)", "x.all()", "b.any(1)",
    # products, int tensors too
    "x @ w", "m.matmul(x, v)", "v @ w", "v @ v", "x.mm(w)", "m.mm(k, k.T)", "k @ k.T", "m.bmm(kb, kb.mT)",
    "m.bmm(kb.float(), kb.float().transpose(1, 2))", "kb @ k.T", "x[None] @ w", "m.matmul(kb, k[0])",
    # shapes
    "x.reshape(4, 3)", "m.reshape(x, (2, -1))", "x.view(12)", "x.view(2, 6)", "x.transpose(0, 1)",
    "m.transpose(kb, 0, 2)", "x.t()", "m.t(v)", "kb.permute(2, 0, 1)", "m.permute(kb, (1, 0, 2))",
    "x[:1].squeeze()", "x[:1].squeeze(0)", "x.squeeze(1)", "x.unsqueeze(0)", "m.unsqueeze(x, -1)",
    "kb.flatten()", "kb.flatten(1)", "m.flatten(kb, 0, 1)", "v.expand(3, 4)", "x[:, :1].expand(3, 5)",
    "v.expand_as(x)", "x.repeat(2, 1)", "v.repeat(2, 2)", "m.cat([x, x], 0)", "m.cat((x, v[None]), 0)",
    "m.cat([x, w.T], 1)", "m.stack([x, x])", "m.stack([v, v], 1)", "x.split(2)[1]", "x.split([1, 3], 1)[1]",
    "m.split(x, 2, 1)[0]", "x.chunk(2, 1)[1]", "m.chunk(v, 3)[1]", "x.flip(0)", "kb.T", "x.mT",
    "m.t(m.tensor(2.5))", "m.tensor(2.5).t()", "m.tensor(7).transpose(0, -1)",
    # indexing
    "x[1]", "x[-1]", "x[1, 2]", "x[:, 1]", "x[1:, ::2]", "x[..., 1]", "x[None, 0]", "x[:, None]",
    "x[0, ..., None]", "x[[0, 2]]", "x[[0, 2, 0]]", "x[k[0].abs() % 3]", "x[:, [1, 1, 3]]",
    "x[[0, 1], [2, 3]]", "x[b]", "x[x > 1]", "x[b[:, 0]]", "x[m.tensor([True, False, True])]", "kb[1, :, -1]",
    "x.index_select(1, m.tensor([3, 0]))", "x.gather(1, m.tensor([[0], [3], [1]]))", "x.masked_fill(b, -1.0)",
    "x.narrow(1, 1, 2)", "x.select(1, 0)", "x.unbind(1)[2]", "x.tile(2)",
    # comparisons of whole tensors
    "m.tensor(m.allclose(x, x + 1e-9))", "m.tensor(m.equal(x, x.clone()))", "m.tensor(m.equal(x, v))",
]


def _evaluate(module, expression):
    return eval(expression, {}, _data(module))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy on 1 / 0; PyTorch is silent
@pytest.mark.filterwarnings("ignore:The use of `x.T`")  # PyTorch's deprecation of .T on 3-d
@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_expression_matches_torch(expression: str) -> None:
    ours, theirs = _evaluate(dk, expression), _evaluate(torch, expression)
    assert repr(ours.dtype) == repr(theirs.dtype).replace("torch", "diffkit")
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-6)


STATEMENTS = [
    "t.add_(1)", "t.add_(v, alpha=2)", "t.sub_(v)", "t.mul_(v)", "t.div_(2)", "t.zero_()", "t.fill_(3.5)",
    "t.copy_(v)", "t.copy_(x.T.T)", "t.clamp_(-1, 1)", "t.clamp_(min=0)", "t += 1", "t -= v", "t *= 2",
    "t /= v", "t[0] = 7", "t[:, 1] = v[:3]", "t[t > 1] = 0", "t[[0, 2]] = -1.0", "t[..., -1] = m.tensor(9.0)",
    "t[1:, ::2] *= 3", "t.T[0] = 5", "i += 2", "i *= 3", "i[1] = 7", "i //= 2",
]


@pytest.mark.parametrize("statement", STATEMENTS)
def test_in_place_statement_matches_torch(statement: str) -> None:
    results = []
    for module in (dk, torch):
        scope = _data(module)
        scope.update(t=scope["x"].clone(), i=scope["k"].clone())
        before = scope["t"]
        exec(statement, {}, scope)
        assert scope["t"] is before  # the same tensor object was modified
        results.append((scope["t"].numpy().copy(), scope["i"].numpy().copy()))
    (ours_t, ours_i), (theirs_t, theirs_i) = results
    np.testing.assert_array_equal(ours_t, theirs_t)
    np.testing.assert_array_equal(ours_i, theirs_i)
    assert ours_i.dtype == theirs_i.dtype == np.int64
