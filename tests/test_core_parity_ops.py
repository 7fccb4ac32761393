"""Parity with PyTorch, primitive by primitive: forward values and dtypes, first and second
derivatives, and ``grad_fn`` names, on the cases of core_cases.py."""
from __future__ import annotations

import numpy as np
import pytest
from core_cases import CASES as CORE_CASES
from core_cases import FORWARD_ONLY
from core_cases_nn import NN_CASES

import diffkit as dk
from diffkit.ops._primitive import REGISTRY

torch = pytest.importorskip("torch")

CASES = CORE_CASES + NN_CASES


def _numpy(t) -> np.ndarray:
    return t.detach().numpy(force=True)  # torch may hand back a ZeroTensor


def _dtype_name(dtype) -> str:
    return str(dtype).split(".")[-1]


def _assert_grads_equal(ours, theirs, inputs) -> None:
    for g, h, x in zip(ours, theirs, inputs):
        g = np.zeros(x.shape) if g is None else _numpy(g)
        h = np.zeros(x.shape) if h is None else _numpy(h)
        np.testing.assert_allclose(g, h, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_values_gradients_and_names_match_torch(case) -> None:
    arrays = case.arrays()
    ours = [dk.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = case.fn(dk, *ours), case.fn(torch, *theirs)
    assert type(out.grad_fn).__name__ == case.name
    assert type(expected.grad_fn).__name__ == (case.torch_name or case.name)
    assert _dtype_name(out.dtype) == _dtype_name(expected.dtype)
    assert tuple(out.shape) == tuple(expected.shape)
    if not case.same_values:
        return
    np.testing.assert_allclose(_numpy(out), _numpy(expected), rtol=1e-12, atol=1e-14)

    seed = np.random.default_rng(1).standard_normal(tuple(expected.shape))
    grads = dk.autograd.grad(out, ours, dk.tensor(seed), create_graph=True, allow_unused=True)
    torch_grads = torch.autograd.grad(expected, theirs, torch.tensor(seed), create_graph=True, allow_unused=True)
    _assert_grads_equal(grads, torch_grads, arrays)

    # second derivatives: the gradient of <first derivatives, v> (a Hessian-vector product)
    directions = [np.random.default_rng(2 + i).standard_normal(a.shape) for i, a in enumerate(arrays)]

    def inner(gs, module):
        terms = [(g * module.tensor(v)).sum() for g, v in zip(gs, directions) if g is not None and g.requires_grad]
        return sum(terms[1:], terms[0]) if terms else None

    ours2, theirs2 = inner(grads, dk), inner(torch_grads, torch)
    second = dk.autograd.grad(ours2, ours, allow_unused=True) if ours2 is not None else [None] * len(ours)
    torch_second = torch.autograd.grad(theirs2, theirs, allow_unused=True) if theirs2 is not None \
        else [None] * len(theirs)
    _assert_grads_equal(second, torch_second, arrays)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_float32_forward_matches_torch(case) -> None:
    """In float32 (the default dtype) results keep float32 as PyTorch's do: Python numbers
    and 0-d operands do not promote."""
    arrays = [a.astype(np.float32) for a in case.arrays()]
    out = case.fn(dk, *[dk.tensor(a) for a in arrays])
    expected = case.fn(torch, *[torch.tensor(a) for a in arrays])
    assert _dtype_name(out.dtype) == _dtype_name(expected.dtype)
    if not case.same_values:
        return
    np.testing.assert_allclose(_numpy(out), _numpy(expected), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", FORWARD_ONLY, ids=lambda c: c[0])
def test_primitives_without_gradient_match_torch(case) -> None:
    _, _, fn, arrays = case
    out = fn(dk, *[dk.tensor(a) for a in arrays])
    expected = fn(torch, *[torch.tensor(a) for a in arrays])
    assert _dtype_name(out.dtype) == _dtype_name(expected.dtype)
    np.testing.assert_array_equal(out.numpy(), expected.numpy())
    leaf = dk.tensor(arrays[0].astype(np.float64), requires_grad=True)
    if np.issubdtype(arrays[0].dtype, np.floating):
        assert fn(dk, leaf, *[dk.tensor(a) for a in arrays[1:]]).requires_grad is False


def test_every_primitive_without_gradient_has_a_case() -> None:
    no_gradient = {key for key, prim in REGISTRY.items() if prim.vjp is None}
    assert {prim for _, prim, _, _ in FORWARD_ONLY} == no_gradient
