"""The backward pass's spared arrays (autograd/gradient_donation.py) change no number and no user's array.

From 4096 elements a rule's product may be written into the incoming gradient (when nothing else
refers to it) or be the factor itself (when the gradient is a sum's broadcast seed of 1). Both are
checked to happen, to give the gradients the plain products give (the create_graph pass, which
spares nothing), and never to reach an array the user can see: forward values, leaves, hooks'
gradients, saved values needed again, and the gradients handed back.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import diffkit as dk
from diffkit.autograd import gradient_donation
from diffkit.ops import _slopes, elementwise

N = gradient_donation.FROM_SIZE  # the smallest size that spares arrays


def _values(seed: int, n: int = N) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-2.0, 2.0, n)


def _cheap_gradient_f(m, x):
    return m.sum(m.sin(x) * m.exp(-0.5 * x * x) + x * m.tanh(x))


def _expected_gradient(x: np.ndarray) -> np.ndarray:
    s, c, e, t = np.sin(x), np.cos(x), np.exp(-0.5 * x * x), np.tanh(x)
    return (c - x * s) * e + t + x * (1.0 - t * t)


@pytest.fixture
def spares(monkeypatch) -> dict:
    """Counts the products that were written into their gradient and those that were the factor."""
    counts = {"donated": 0, "seed": 0}
    plain = _slopes.product

    def spy(g, factor, last=True):
        result = plain(g, factor, last)
        counts["donated"] += result is g
        counts["seed"] += result is factor
        return result

    monkeypatch.setattr(elementwise, "product", spy)
    return counts


def test_the_cheap_gradient_spares_arrays_and_keeps_its_values(spares) -> None:
    x = _values(0)
    xt = dk.tensor(x, requires_grad=True)
    (g,) = dk.autograd.grad(_cheap_gradient_f(dk, xt), xt)
    np.testing.assert_allclose(g.numpy(), _expected_gradient(x), rtol=1e-13, atol=1e-15)
    # the four products with sum's seed are the factors; exp's, -0.5's and x*x's are written into g
    assert spares == {"seed": 4, "donated": 3}
    np.testing.assert_array_equal(xt.detach().numpy(), x)


def test_below_the_size_nothing_is_spared(spares) -> None:
    xt = dk.tensor(_values(1, N - 1), requires_grad=True)
    _cheap_gradient_f(dk, xt).backward()
    assert spares == {"seed": 0, "donated": 0}


def test_create_graph_spares_nothing_and_agrees(spares) -> None:
    xt = dk.tensor(_values(2), requires_grad=True)
    (eager,) = dk.autograd.grad(_cheap_gradient_f(dk, xt), xt)
    counted = dict(spares)
    (recorded,) = dk.autograd.grad(_cheap_gradient_f(dk, xt), xt, create_graph=True)
    assert spares == counted  # the Tensor pass went through no spare
    np.testing.assert_allclose(eager.numpy(), recorded.detach().numpy(), rtol=1e-14, atol=0)


def test_a_gradient_never_shares_memory_with_a_leaf() -> None:
    x, y = (dk.tensor(_values(s), requires_grad=True) for s in (3, 4))
    y_before = y.detach().numpy().copy()
    gx, gy = dk.autograd.grad((x * y).sum(), (x, y))
    np.testing.assert_array_equal(gx.numpy(), y_before)  # 1 * y is y, exactly
    xs, ys = x.detach().numpy(), y.detach().numpy()
    assert not np.shares_memory(gx.numpy(), ys) and not np.shares_memory(gy.numpy(), xs)
    gx.add_(1.0)  # the user's in-place change stays in the user's gradient
    np.testing.assert_array_equal(ys, y_before)
    (x * y).sum().backward()
    assert not np.shares_memory(x.grad.numpy(), ys) and not np.shares_memory(y.grad.numpy(), xs)
    x.grad.mul_(0.0)
    np.testing.assert_array_equal(ys, y_before)


def test_a_forward_value_the_user_holds_is_never_overwritten(spares) -> None:
    x = dk.tensor(_values(5), requires_grad=True)
    z = dk.exp(dk.exp(dk.sin(x)) * 2.0)  # z's product with the seed is z itself, then fed to * 2.0
    before = z.detach().numpy().copy()
    z.sum().backward()
    np.testing.assert_array_equal(z.detach().numpy(), before)
    e = np.exp(np.sin(x.detach().numpy()))
    np.testing.assert_allclose(x.grad.numpy(), before * 2.0 * e * np.cos(x.detach().numpy()), rtol=1e-13)
    assert spares["seed"] == 1


def test_the_same_without_holding_it_writes_into_the_gradient(spares) -> None:
    x = dk.tensor(_values(5), requires_grad=True)
    dk.exp(dk.exp(dk.sin(x)) * 2.0).sum().backward()
    assert spares["donated"] == 2  # * 2.0's product and the inner exp's
    v = x.detach().numpy()
    e = np.exp(np.sin(v))
    np.testing.assert_allclose(x.grad.numpy(), np.exp(2.0 * e) * 2.0 * e * np.cos(v), rtol=1e-13)


def test_a_gradient_a_hook_keeps_is_not_overwritten(spares) -> None:
    x = dk.tensor(_values(6), requires_grad=True)
    u = dk.exp(x) * 3.0
    kept = []
    u.register_hook(kept.append)
    dk.exp(u).sum().backward()
    np.testing.assert_array_equal(kept[0].numpy(), np.exp(u.detach().numpy()))  # u's gradient, intact
    np.testing.assert_allclose(x.grad.numpy(), np.exp(u.detach().numpy()) * 3.0 * np.exp(x.detach().numpy()),
                               rtol=1e-13)


def test_a_retained_graph_gives_the_same_gradient_twice() -> None:
    x = dk.tensor(_values(7), requires_grad=True)
    y = _cheap_gradient_f(dk, x)
    first = dk.autograd.grad(y, x, retain_graph=True)[0].numpy().copy()
    second = dk.autograd.grad(y, x)[0].numpy()
    np.testing.assert_array_equal(first, second)


def test_intermediate_inputs_report_their_own_gradient() -> None:
    x = dk.tensor(_values(8), requires_grad=True)
    e = dk.exp(x)
    u = e * 2.0
    gu, ge = dk.autograd.grad(dk.exp(u).sum(), (u, e))
    np.testing.assert_array_equal(gu.numpy(), np.exp(u.detach().numpy()))
    np.testing.assert_array_equal(ge.numpy(), np.exp(u.detach().numpy()) * 2.0)


def test_anomaly_mode_and_a_closed_tape_see_the_gradients_before_any_rule_wrote_into_them(spares) -> None:
    x = dk.tensor(_values(9), requires_grad=True)
    with dk.autograd.detect_anomaly():
        (plain,) = dk.autograd.grad(_cheap_gradient_f(dk, x), x)
    np.testing.assert_allclose(plain.numpy(), _expected_gradient(x.detach().numpy()), rtol=1e-13, atol=1e-15)
    with dk.autograd.Tape([x], ["x"]) as tape:
        u = dk.exp(x) * 3.0
        loss = dk.exp(u).sum()
    loss.backward()  # the tape hears this pass and keeps every step's adjoint
    assert spares["donated"] == 0
    assert len(tape.steps) == 4
    e_u = np.exp(u.detach().numpy())
    np.testing.assert_array_equal(np.asarray(tape.steps[1].adjoint), e_u)  # u's adjoint, not overwritten
    np.testing.assert_array_equal(np.asarray(tape.steps[0].adjoint), e_u * 3.0)


_UNARY = {"exp": dk.exp, "sin": dk.sin, "tanh": dk.tanh, "half": lambda v: v * 0.5, "square": lambda v: v * v}
_BINARY = {"mul": lambda a, b: a * b, "add": lambda a, b: a + b}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(_UNARY) + sorted(_BINARY)), st.integers(0, 99), st.integers(0, 99)),
                min_size=1, max_size=8), st.booleans())
def test_random_graphs_agree_with_the_pass_that_spares_nothing(program, hold) -> None:
    """Ops on earlier values (reuse makes fan-out, hence shared and accumulated gradients); the eager
    gradients equal create_graph's, and no forward value or leaf changes, held or not."""
    leaves = [dk.tensor(_values(s) * 0.5, requires_grad=True) for s in (10, 11)]
    before = [leaf.detach().numpy().copy() for leaf in leaves]

    def run():
        values = list(leaves)
        for name, i, j in program:
            a, b = values[i % len(values)], values[j % len(values)]
            values.append(_UNARY[name](a) if name in _UNARY else _BINARY[name](a, b))
        return values

    values = run()
    held = [v.detach().numpy().copy() for v in values] if hold else None
    eager = dk.autograd.grad(values[-1].sum(), leaves, allow_unused=True, materialize_grads=True)
    if hold:
        for v, copy in zip(values, held):
            np.testing.assert_array_equal(v.detach().numpy(), copy)
    del values
    recorded = dk.autograd.grad(run()[-1].sum(), leaves, create_graph=True, allow_unused=True,
                                materialize_grads=True)
    for e, r in zip(eager, recorded):
        np.testing.assert_allclose(e.numpy(), r.detach().numpy(), rtol=1e-12, atol=1e-300)
    for leaf, copy in zip(leaves, before):
        np.testing.assert_array_equal(leaf.detach().numpy(), copy)


def test_a_square_of_a_leaf_against_the_seed_leaves_the_leaf_alone() -> None:
    """x * x's rule doubles its product in place; against sum's seed the product is x itself."""
    v = _values(12)
    x = dk.tensor(v, requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.detach().numpy(), v)
    np.testing.assert_array_equal(x.grad.numpy(), 2.0 * v)
