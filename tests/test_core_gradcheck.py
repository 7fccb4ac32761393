"""Every differentiable primitive passes gradcheck and gradgradcheck in float64, and no
primitive of the table goes untested: the nodes that the cases (core_cases*.py) record --
in their graphs and in the graphs of their first derivatives -- cover the whole REGISTRY."""
from __future__ import annotations

import importlib
import pkgutil

import numpy as np
import pytest
from core_cases import CASES as CORE_CASES
from core_cases_nn import NN_CASES

import diffkit as dk
from diffkit.autograd import gradcheck, gradgradcheck
from diffkit.ops._primitive import REGISTRY

CASES = CORE_CASES + NN_CASES


def _inputs(case) -> list:
    return [dk.tensor(a, requires_grad=True) for a in case.arrays()]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_gradcheck_and_gradgradcheck(case) -> None:
    xs = _inputs(case)
    assert all(x.dtype is dk.float64 for x in xs)

    def f(*args):
        return case.fn(dk, *args)

    assert type(f(*xs).grad_fn).__name__ == case.name
    assert gradcheck(f, tuple(xs), **case.gradcheck)
    assert gradgradcheck(f, tuple(xs), **case.gradcheck)


def _reachable(roots) -> list:
    seen, stack = {}, [r for r in roots if r is not None]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen[id(node)] = node
            stack.extend(e for e in getattr(node, "edges", ()) if e is not None and not isinstance(e, dk.Tensor))
    return list(seen.values())


def _covered_keys(case, key_of: dict) -> set:
    xs = _inputs(case)
    out = case.fn(dk, *xs)
    seed = dk.tensor(np.random.default_rng(0).standard_normal(out.shape), requires_grad=True)
    grads = dk.autograd.grad(out, xs, seed, create_graph=True, allow_unused=True)
    nodes = _reachable([out.grad_fn, *(g.grad_fn for g in grads if g is not None)])
    return {key_of[id(type(n).prim)] for n in nodes if id(getattr(type(n), "prim", None)) in key_of}


def test_every_differentiable_primitive_has_a_case() -> None:
    for module in pkgutil.iter_modules(dk.ops.__path__):  # register every primitive there is
        importlib.import_module(f"diffkit.ops.{module.name}")
    differentiable = {key for key, prim in REGISTRY.items() if prim.vjp is not None}
    key_of = {id(prim): key for key, prim in REGISTRY.items()}
    covered = set().union(*(_covered_keys(case, key_of) for case in CASES))
    assert not differentiable - covered, f"primitives without a case in tests/core_cases.py: " \
                                         f"{sorted(differentiable - covered)}"
    assert covered == differentiable


def test_gradcheck_names_the_input_and_index_that_disagree() -> None:
    class Wrong(dk.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g * 2.0, g * 3.0  # right only where x == 3 and y == 2

    x = dk.tensor([3.0, 1.0], dtype=dk.float64, requires_grad=True)
    y = dk.tensor([2.0, 2.0], dtype=dk.float64, requires_grad=True)
    with pytest.raises(dk.autograd.GradcheckError, match="with respect to input 1") as info:
        gradcheck(Wrong.apply, (x, y))
    assert "input element 1" in str(info.value)  # d/dy at index 1 is x[1] = 1, not 3
    assert "analytical 3" in str(info.value) and "numerical 1" in str(info.value)
    assert gradcheck(Wrong.apply, (x, y), raise_exception=False) is False


def test_gradcheck_warns_on_float32_inputs() -> None:
    x = dk.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="not a double precision"):
        gradcheck(lambda t: t * 2, (x,), eps=1e-2, atol=1e-2)
