"""Broadcasting beyond the elementwise table of test_core_broadcast_properties.py: every
broadcasting primitive of the table is covered there or here, and for random shapes the batch
dimensions of matmul, in-place operations, expand/broadcast_to and masked_fill give each input
a gradient of its own shape equal to central finite differences."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes
from test_core_broadcast_properties import OPERATIONS, _finite_differences

import diffkit as dk
from diffkit.ops._primitive import REGISTRY

EXAMPLES = 20  # per property below (README: "What is tested")
SEEDS = st.integers(0, 2**32 - 1)


def _check(op, arrays: list, seed: int) -> None:
    """Backpropagate sum(w * op(*inputs)) and compare every input's gradient with finite differences."""
    rng = np.random.default_rng(seed)
    arrays = [np.array(a, dtype=np.float64) for a in arrays]  # 0-d draws are floats
    xs = [dk.tensor(a, requires_grad=True) for a in arrays]
    out = op(*xs)
    weights = rng.standard_normal(tuple(out.shape))
    (out * dk.tensor(weights)).sum().backward()
    expected = _finite_differences(op, [a.copy() for a in arrays], weights)
    for x, a, g in zip(xs, arrays, expected):
        assert tuple(x.grad.shape) == a.shape
        np.testing.assert_allclose(x.grad.numpy(), g, rtol=1e-5, atol=1e-6)


def test_every_broadcasting_primitive_has_a_property() -> None:
    binary = {p.name for p in REGISTRY.values() if p.elementwise and p.vjp is not None and len(p.vjp) >= 2}
    assert binary <= set(OPERATIONS), f"broadcasting primitives without a property: {binary - set(OPERATIONS)}"


@settings(max_examples=EXAMPLES, deadline=None)
@given(shapes=mutually_broadcastable_shapes(signature="(m,n),(n,p)->(m,p)", max_dims=2, max_side=3),
       seed=SEEDS)
def test_matmul_broadcasts_its_batch_dimensions(shapes, seed) -> None:
    rng = np.random.default_rng(seed)
    _check(lambda a, b: a @ b, [rng.standard_normal(s) for s in shapes.input_shapes], seed)


@settings(max_examples=EXAMPLES, deadline=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3), seed=SEEDS,
       method=st.sampled_from(["add_", "sub_", "mul_", "div_", "copy_"]))
def test_in_place_operations_reduce_the_broadcast_operand(shapes, seed, method) -> None:
    """x.op_(y) with y broadcasting against x: y's gradient is summed back to y's shape."""
    x_shape, y_shape = shapes.input_shapes
    if np.broadcast_shapes(x_shape, y_shape) != x_shape:
        x_shape = shapes.result_shape  # in place, the result keeps x's shape
    rng = np.random.default_rng(seed)

    def op(x, y):
        h = x * 1.0  # a non-leaf, so it may be modified in place
        getattr(h, method)(y)
        return h

    y = rng.uniform(0.5, 2.0, y_shape) * rng.choice([-1.0, 1.0], y_shape)
    _check(op, [rng.standard_normal(x_shape), y], seed)


@settings(max_examples=EXAMPLES, deadline=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3), seed=SEEDS)
def test_expand_and_broadcast_to_sum_back(shapes, seed) -> None:
    x_shape, _ = shapes.input_shapes
    target = shapes.result_shape
    rng = np.random.default_rng(seed)
    _check(lambda x: x.expand(*target) * 2.0 + dk.broadcast_to(x, target), [rng.standard_normal(x_shape)], seed)


@settings(max_examples=EXAMPLES, deadline=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3), seed=SEEDS)
def test_masked_fill_with_a_broadcast_mask(shapes, seed) -> None:
    x_shape, mask_shape = shapes.input_shapes
    if np.broadcast_shapes(x_shape, mask_shape) != x_shape:
        x_shape = shapes.result_shape
    rng = np.random.default_rng(seed)
    mask = dk.tensor(rng.random(mask_shape) < 0.5)
    _check(lambda x: x.masked_fill(mask, 0.5) * x, [rng.standard_normal(x_shape)], seed)
