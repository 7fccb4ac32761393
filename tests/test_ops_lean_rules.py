"""Backward rules that do less array work on arrays: ops/_slopes.py's one-array derivative factors equal the
plain expressions and never write into what they are given; mul's joint rule sends x * x one doubled gradient."""
from __future__ import annotations

import numpy as np
import pytest

import diffkit as torch
from diffkit.ops import _slopes

SHAPES = [(7,), (3, 4), ()]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_factors_equal_the_plain_expressions_bit_for_bit(shape, dtype):
    rng = np.random.default_rng(0)
    y = np.asarray(rng.uniform(-0.9, 0.9, shape), dtype=dtype)
    before = y.copy()
    for got, want in [(_slopes.one_minus_square(y), 1 - y * y), (_slopes.one_plus_square(y), 1 + y * y),
                      (_slopes.sigmoid_slope(y), y * (1 - y))]:
        assert np.asarray(got).dtype == np.asarray(want).dtype
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(y, before)


@pytest.mark.parametrize("shape", SHAPES)
def test_times_and_over_write_only_into_the_factor(shape):
    rng = np.random.default_rng(1)
    g = np.asarray(rng.standard_normal(shape))
    g_before = g.copy()
    for op, plain in [(_slopes.times, np.multiply), (_slopes.over, np.divide)]:
        factor = np.asarray(rng.uniform(1, 2, shape))
        want = plain(g, factor)
        np.testing.assert_array_equal(op(g, factor), want)
    np.testing.assert_array_equal(g, g_before)


def test_other_dtypes_and_broadcasts_take_the_ordinary_product():
    g32, factor = np.ones(3, np.float32), np.full(3, 2.0)
    got = _slopes.times(g32, factor)
    assert got.dtype == np.float64 and got is not factor
    row = np.arange(3.0)
    got = _slopes.times(np.ones((2, 3)), row.copy())
    assert got.shape == (2, 3)
    broadcast_g = np.broadcast_to(np.float64(3.0), (3,))  # sum's backward sends a 0-strided view
    factor = np.arange(3.0)
    assert _slopes.times(broadcast_g, factor) is factor
    np.testing.assert_array_equal(factor, [0.0, 3.0, 6.0])


def test_on_tensors_they_build_a_graph_for_second_derivatives():
    x = torch.tensor([0.3, -0.7], dtype=torch.float64, requires_grad=True)
    (first,) = torch.autograd.grad(torch.tanh(x).sum(), x, create_graph=True)
    (second,) = torch.autograd.grad(first.sum(), x)
    t = np.tanh(x.detach().numpy())
    np.testing.assert_allclose(first.detach().numpy(), 1 - t * t, rtol=1e-15)
    np.testing.assert_allclose(second.numpy(), -2 * t * (1 - t * t), rtol=1e-14)


def test_a_square_written_as_x_times_x_sends_one_doubled_gradient():
    """mul's joint rule: x * x makes g * x once and doubles it; the sum is the two-rule sum bit for bit,
    the node keeps its two edges (as PyTorch's), and a non-leaf's retained gradient and hook see the total."""
    rng = np.random.default_rng(2)
    x = torch.tensor(rng.standard_normal(5), requires_grad=True)
    y = x * 3.0
    y.retain_grad()
    seen = []
    y.register_hook(lambda grad: seen.append(grad.detach().clone()))
    z = y * y
    g = rng.standard_normal(5)
    z.backward(torch.tensor(g))
    h = g * y.detach().numpy()
    np.testing.assert_array_equal(y.grad.numpy(), h + h)
    np.testing.assert_array_equal(x.grad.numpy(), (h + h) * 3.0)
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0].numpy(), h + h)
    (a, _), (b, _) = z.grad_fn.next_functions
    assert a is b


def test_x_times_x_still_has_second_derivatives():
    x = torch.tensor([0.5, -2.0], dtype=torch.float64, requires_grad=True)
    (first,) = torch.autograd.grad((x * x).sum(), x, create_graph=True)
    (second,) = torch.autograd.grad(first.sum(), x)
    np.testing.assert_array_equal(first.detach().numpy(), [1.0, -4.0])
    np.testing.assert_array_equal(second.numpy(), [2.0, 2.0])


def test_a_full_reductions_gradient_is_a_read_only_view_and_grad_owns_a_copy():
    from diffkit.ops.reduction import _expand

    g = np.array(2.5)
    view = _expand(g, (3, 2), None, False)
    assert view.shape == (3, 2) and view.strides == (0, 0) and not view.flags.writeable
    np.testing.assert_array_equal(view, np.full((3, 2), 2.5))
    assert _expand(np.array(1.0), (0, 4), None, False).shape == (0, 4)
    x = torch.ones(3, 2, requires_grad=True)
    (x.sum() * 2.5).backward()
    x.grad.add_(1.0)  # .grad is its own writable buffer, not the view of one number
    np.testing.assert_array_equal(x.grad.numpy(), np.full((3, 2), 3.5))


@pytest.mark.parametrize("dim", [None, 0, (0, 2)])
def test_a_means_gradient_is_divided_before_it_is_spread(dim):
    """One division per result, then the broadcast view, equal to PyTorch's expand-then-divide."""
    from diffkit.ops.reduction import _mean_vjp

    shape = (4, 3, 5)
    count = 60 if dim is None else 4 if dim == 0 else 20
    g = np.array(3.0) if dim is None else np.arange(1.0, 1.0 + 60 // count).reshape(
        [s for i, s in enumerate(shape) if i not in ((dim,) if isinstance(dim, int) else dim)])
    view = _mean_vjp(g, None, None, dim, False, shape)
    assert view.shape == shape and 0 in view.strides  # a broadcast, no array of the input's size
    expected = np.broadcast_to(g if dim is None else np.expand_dims(g, dim), shape) / count
    np.testing.assert_array_equal(view, expected)
    assert _mean_vjp(np.array(1.0), None, None, 0, False, (0, 3)).shape == (0, 3)  # nothing divided by 0


def test_a_sums_forward_keeps_pytorchs_accumulators():
    """sum and prod call the ufunc's reduce directly: integers and bools still accumulate in int64, half in single."""
    for values, dtype in [([True, True, False], torch.int64), ([200, 100], torch.int64), ([2, 3], torch.int64)]:
        t = torch.tensor(np.array(values, dtype=np.uint8 if values[0] == 200 else None))
        assert t.sum().dtype == dtype and t.prod().dtype == dtype
    assert torch.tensor(np.array([200, 100], dtype=np.uint8)).sum().item() == 300
    half = torch.tensor(np.full(4096, 0.1, np.float16))
    assert half.sum().dtype == torch.float16
    np.testing.assert_allclose(half.sum().item(), 4096 * np.float16(0.1).item(), rtol=1e-3)


def test_a_float32_mean_over_more_than_2_to_the_24_elements_is_numpys():
    """numpy divides a float32 sum by its count in float64; a count that float32 cannot hold must not round."""
    values = np.random.default_rng(0).random((1 << 24) + 3, dtype=np.float32)
    assert torch.tensor(values).mean().numpy() == np.mean(values)
    small = values[:1000]
    assert torch.tensor(small).mean().numpy() == np.mean(small)
