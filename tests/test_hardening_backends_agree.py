"""Property: on random programs built from the primitive table (expression_trees.py), the four
differentiators agree -- reverse, forward, symbolic and numeric (Richardson) on gradients;
reverse-over-reverse, forward-over-forward and symbolic on Hessians. A failure shrinks to a
short expression with its shapes and point."""
from __future__ import annotations

import numpy as np
import pytest
from expression_trees import BINARY, REDUCTIONS, UNARY, problems
from hypothesis import HealthCheck, given, settings

from diffkit.differentiation import Forward, Numeric, Reverse, Symbolic

GRADIENT_EXAMPLES = 150
HESSIAN_EXAMPLES = 60
EXAMPLES = GRADIENT_EXAMPLES + HESSIAN_EXAMPLES  # what CI runs (README: "What is tested")
SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
# numpy.select in lambdified Piecewise evaluates every branch, also outside its domain: quiet,
# since a NaN that reached a result would fail the comparisons anyway
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")


def _close(actual, expected, rtol: float, label: str, problem) -> None:
    """Equal up to rtol relative to the largest entry (entries near zero are not singled out)."""
    scale = max(float(np.max(np.abs(expected), initial=0.0)), 1e-3)
    error = float(np.max(np.abs(np.asarray(actual) - expected), initial=0.0))
    assert error <= rtol * scale, f"{label}: error {error:.3g} (scale {scale:.3g}) on {problem!r}\n" \
                                  f"{label}: {actual}\nreverse: {expected}"


@settings(max_examples=GRADIENT_EXAMPLES, **SETTINGS)
@given(problems(max_leaves=8))
def test_gradients_agree_across_the_four_methods(problem) -> None:
    x = problem.point
    expected = Reverse().grad(problem)(x)
    assert expected.shape == x.shape and np.isfinite(expected).all(), problem
    _close(Forward().grad(problem)(x), expected, 1e-12, "forward", problem)
    _close(Symbolic().grad(problem)(x), expected, 1e-10, "symbolic", problem)
    # Richardson from h = 0.02 (not its default 0.125|x|): the domains keep arguments 0.2 from any
    # kink, and an amplified coarse step straddling one can fool its error estimate
    with np.errstate(all="ignore"):  # coarse steps may leave a domain; Richardson discards them
        numeric = Numeric("richardson", h=0.02).grad(problem)(x)
    _close(numeric, expected, 1e-7, "numeric", problem)


@settings(max_examples=HESSIAN_EXAMPLES, **SETTINGS)
@given(problems(max_leaves=4, max_dims=1, max_variables=2))
def test_second_derivatives_agree(problem) -> None:
    x = problem.point
    expected = Reverse().hessian(problem)(x)  # reverse over reverse: create_graph=True
    assert expected.shape == (x.size, x.size)
    _close(Symbolic().hessian(problem)(x), expected, 1e-9, "symbolic", problem)
    _close(Forward().hessian(problem)(x), expected, 1e-10, "forward", problem)


def test_the_trees_draw_from_the_table() -> None:
    """The strategies name every elementwise function of the table with a domain we can keep to
    (the rest -- kinks, steps, integer ops -- are covered by the broadcasting properties)."""
    from diffkit.ops._primitive import REGISTRY

    smooth = {"exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan", "asin", "acos",
              "atan", "sinh", "cosh", "tanh", "sigmoid", "erf", "erfc", "neg", "abs", "relu", "softplus", "gelu",
              "silu", "elu"}
    table = {p.name for p in REGISTRY.values() if p.elementwise and p.vjp is not None}
    assert smooth <= table and smooth <= set(UNARY)
    assert {"add", "sub", "mul", "div", "pow", "where"} <= table & set(BINARY)
    assert set(REDUCTIONS) == {"sum", "logsumexp", "softmax", "mean"}
