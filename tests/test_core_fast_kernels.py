"""Kernels that pick a faster array form by size give the same values as the plain form.

ReLU switches to a mask form from 2,048 elements and bias gradients (sums over leading axes)
to a matrix-vector product: both sides of each switch are checked here, on the special values
(inf, NaN, signed zeros) where a faster formula most easily goes wrong, and against PyTorch.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import diffkit as dk
from diffkit.ops._sums import sum_leading, sum_to_array

SPECIAL = [np.nan, -np.inf, np.inf, -0.0, 0.0, 1.5, -1.5, 3e-39, -3e-39]  # 3e-39: a float32 subnormal
UPSTREAM = [1.0, np.nan, np.inf, 5.0, 6.0, 7.0, np.nan, -np.inf, 2.0]


def _relu_case(shape: tuple, dtype: str):
    n = int(np.prod(shape))
    values = np.resize(np.array(SPECIAL), n).reshape(shape).astype(dtype)
    upstream = np.resize(np.array(UPSTREAM), n).reshape(shape).astype(dtype)
    return values, upstream


# small (one-call form) and large (mask form); contiguous, 1-D and transposed layouts
SHAPES = [(3, 3), (9,), (64, 64), (4096,), (3, 1000)]


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("shape", SHAPES)
def test_relu_keeps_nan_and_passes_its_gradient_as_pytorch(shape, dtype) -> None:
    values, upstream = _relu_case(shape, dtype)
    x = dk.tensor(values, requires_grad=True)
    y = dk.relu(x)
    y.backward(dk.tensor(upstream))
    with np.errstate(invalid="ignore"):
        expected = np.where(np.isnan(values) | (values > 0), values, 0.0)  # NaN stays NaN
        expected_grad = np.where(np.isnan(values) | (values > 0), upstream, 0.0)  # 0 at dead units, even for NaN
    np.testing.assert_array_equal(y.detach().numpy(), expected.astype(dtype))
    assert np.array_equal(np.signbit(y.detach().numpy()), np.signbit(values) & ~(values < 0))  # relu(-0.) = -0.
    np.testing.assert_array_equal(x.grad.numpy(), expected_grad.astype(dtype))
    assert y.dtype == x.dtype and x.grad.dtype == x.dtype


@pytest.mark.parametrize("shape", SHAPES)
def test_relu_matches_torch_bit_for_bit(shape) -> None:
    torch = pytest.importorskip("torch")
    values, upstream = _relu_case(shape, "float32")
    for layout in (lambda a: a, lambda a: a.T):  # a transposed (non-contiguous) input takes the plain form
        x, g = np.ascontiguousarray(layout(values)), np.ascontiguousarray(layout(upstream))
        mine = dk.tensor(layout(values), requires_grad=True)
        theirs = torch.tensor(x, requires_grad=True)
        dk.relu(mine).backward(dk.tensor(g))
        torch.relu(theirs).backward(torch.tensor(g))
        np.testing.assert_array_equal(dk.relu(mine).detach().numpy(), torch.relu(theirs).detach().numpy())
        np.testing.assert_array_equal(mine.grad.numpy(), theirs.grad.numpy())
        signs = [np.signbit(y.detach().numpy()) for y in (dk.relu(mine), torch.relu(theirs))]
        np.testing.assert_array_equal(*signs)  # relu(-0.0) is -0.0


def test_relu_gradient_is_owned_so_grad_takes_it_without_a_copy() -> None:
    x = dk.randn(64, 64, requires_grad=True)
    h = x * 1.0
    dk.relu(h).sum().backward()
    assert x.grad.numpy().flags.owndata


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "complex64", "int64", "int32"])
@pytest.mark.parametrize("shape,k", [((128, 256), 1), ((4096, 16), 1), ((2, 3, 4), 2), ((7, 1), 1), ((0, 5), 1),
                                     ((5, 0), 1), ((3,), 1)])
def test_sum_over_leading_axes_equals_numpy(shape, k, dtype) -> None:
    rng = np.random.default_rng(0)
    g = (rng.standard_normal(shape) * 10).astype(dtype)
    result, numpy_sum = sum_leading(g, k), g.sum(axis=tuple(range(k)))
    assert result.dtype == numpy_sum.dtype and result.shape == numpy_sum.shape
    if dtype in ("float32", "float64", "complex64"):  # the matrix-vector form: as accurate as numpy's
        columns = g.reshape(int(np.prod(shape[:k])), numpy_sum.size).T
        exact = np.array([math.fsum(c.real) + 1j * math.fsum(c.imag) for c in columns]).reshape(numpy_sum.shape)
        tolerance = 1e-12 if dtype == "float64" else 1e-4
        np.testing.assert_allclose(result, exact, rtol=tolerance, atol=tolerance * 10)
        assert np.abs(result - exact).max(initial=0) <= 2 * np.abs(numpy_sum - exact).max(initial=0) + 1e-300
    else:  # half precision and integers: numpy's own sum
        np.testing.assert_array_equal(result, numpy_sum)


def test_sum_over_leading_axes_of_a_transposed_array() -> None:
    g = np.arange(12.0).reshape(3, 4).T  # not C-contiguous: numpy's own sum
    np.testing.assert_array_equal(sum_leading(g, 1), g.sum(axis=0))


def test_a_broadcast_bias_gets_the_gradient_of_its_own_shape() -> None:
    x = dk.randn(128, 256, dtype=dk.float64, requires_grad=True)
    b = dk.randn(256, dtype=dk.float64, requires_grad=True)
    c = dk.randn(1, 256, dtype=dk.float64, requires_grad=True)
    (x + b + c).pow(2).sum().backward()
    expected = (2 * (x + b + c)).detach().numpy().sum(axis=0)
    np.testing.assert_allclose(b.grad.numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(c.grad.numpy(), expected[None], rtol=1e-12)
    np.testing.assert_allclose(sum_to_array(np.ones((2, 3, 4)), (3, 1)), np.full((3, 1), 8.0))


# batch norm's three gradients at once (one pass for the shared sums) and its row-broadcast layout
BATCH_NORM_INPUTS = {"NCHW": (8, 4, 6, 6), "NC": (16, 5), "NCL": (4, 3, 7), "NCDHW": (2, 3, 2, 3, 4)}


@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
@pytest.mark.parametrize("name", BATCH_NORM_INPUTS)
def test_batch_norm_gradients_match_torch(name, layout, affine) -> None:
    torch = pytest.importorskip("torch")
    shape = BATCH_NORM_INPUTS[name]
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape) * 3 + 2  # an offset mean: the centred sums must not cancel
    if layout == "transposed":  # a non-contiguous input takes numpy's broadcasting path
        x = np.swapaxes(np.swapaxes(x, 0, -1).copy(), 0, -1)
    g, weight = rng.standard_normal(shape), rng.standard_normal(shape[1])
    results = []
    for m in (torch, dk):
        layer = getattr(m.nn, f"BatchNorm{max(len(shape) - 2, 1)}d")(shape[1], affine=affine).double()
        if affine:
            with m.no_grad():
                layer.weight.copy_(m.tensor(weight))
        xt = m.tensor(x, requires_grad=True) if m is dk else torch.tensor(np.ascontiguousarray(x), requires_grad=True)
        y = layer(xt)
        y.backward(m.tensor(g))
        params = [layer.weight.grad.numpy(), layer.bias.grad.numpy()] if affine else []
        results.append([y.detach().numpy(), xt.grad.numpy(), layer.running_mean.numpy(), layer.running_var.numpy(),
                        *params])
    for mine, theirs in zip(results[1], results[0]):
        np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-12)


def test_batch_norm_second_derivatives_use_the_per_input_rules() -> None:
    x = dk.randn(4, 3, 2, 2, dtype=dk.float64, requires_grad=True)
    w = dk.randn(3, dtype=dk.float64, requires_grad=True)
    assert dk.autograd.gradgradcheck(lambda a, b: dk.nn.functional.batch_norm(a, None, None, b, training=True), (x, w))


# max pooling: winners' flat positions, gathered and scattered in one call each
POOLS = [((2, 3, 8, 8), {"kernel_size": 2}), ((2, 3, 9, 7), {"kernel_size": 3, "stride": 2, "padding": 1}),
         ((2, 3, 9, 9), {"kernel_size": 3, "stride": 2, "dilation": 2}),
         ((2, 3, 7, 7), {"kernel_size": 2, "ceil_mode": True}), ((3, 8, 8), {"kernel_size": 2}),
         ((1, 1, 5, 5), {"kernel_size": 3, "stride": 1, "padding": 1})]


@pytest.mark.parametrize("values", ["random", "ties", "nan"])
@pytest.mark.parametrize("shape,options", POOLS)
def test_max_pool_values_indices_and_gradients_match_torch(shape, options, values) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape)
    if values == "ties":
        x = np.round(x)
    elif values == "nan":
        x[..., 0, 1] = np.nan
    g = rng.standard_normal(tuple(torch.nn.functional.max_pool2d(torch.tensor(x), **options).shape))
    results = []
    for m in (torch, dk):
        xt = m.tensor(x, requires_grad=True)
        y, index = m.nn.functional.max_pool2d(xt, return_indices=True, **options)
        y.backward(m.tensor(g))
        results.append([y.detach().numpy(), index.numpy(), xt.grad.numpy()])
    for mine, theirs in zip(results[1], results[0]):
        np.testing.assert_array_equal(mine, theirs)


def test_half_precision_normalisation_sums_in_single_precision() -> None:
    """64x16x16 values near 50 sum to 819,200 per channel: past float16's 65,504. numpy's mean
    accumulates half precision in single; the BLAS-free fallback must do the same."""
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((64, 4, 16, 16)) * 2 + 50).astype(np.float16)
    expected = (x - x.astype(np.float64).mean(axis=(0, 2, 3), keepdims=True)) / x.astype(np.float64).std(
        axis=(0, 2, 3), keepdims=True)
    xt = dk.tensor(x, requires_grad=True)
    y = dk.nn.functional.batch_norm(xt, None, None, training=True)
    y.backward(dk.ones_like(y))
    assert y.dtype == dk.float16 and xt.grad.dtype == dk.float16
    np.testing.assert_allclose(y.detach().numpy().astype(np.float64), expected, atol=0.03)
    assert np.isfinite(xt.grad.numpy()).all() and np.abs(xt.grad.numpy()).max() < 0.05  # d(sum of normalised)/dx = 0
    rows = (rng.standard_normal((4, 4096)) * 2 + 50).astype(np.float16)
    normalised = dk.nn.functional.layer_norm(dk.tensor(rows), (4096,)).numpy().astype(np.float64)
    reference = (rows - rows.astype(np.float64).mean(1, keepdims=True)) / rows.astype(np.float64).std(1, keepdims=True)
    np.testing.assert_allclose(normalised, reference, atol=0.03)


def test_relu_keeps_a_one_byte_mask_for_its_backward_and_releases_it() -> None:
    x = dk.tensor(np.resize(np.array(SPECIAL), (64, 64)).astype(np.float32), requires_grad=True)
    y = dk.relu(x)
    mask = y.grad_fn.residual
    assert mask.dtype == np.int8 and mask.shape == (64, 64)
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(mask, np.where(x.detach().numpy() <= 0, 0, -1))  # NaN is live
    y.sum().backward()
    assert y.grad_fn.residual is None
    small = dk.relu(dk.tensor([1.0, -1.0], requires_grad=True))
    assert small.grad_fn.residual is None  # below the large-array form: the saved output serves


def test_relu_output_changed_in_place_is_still_refused() -> None:
    x = dk.tensor(np.ones((64, 64), np.float32), requires_grad=True)
    y = dk.relu(x)
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
