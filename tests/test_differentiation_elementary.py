"""Every elementary function, differentiated by all four methods at several points, agrees."""
import numpy as np
import pytest

import diffkit as dk
from diffkit.differentiation import Forward, Numeric, Reverse, Symbolic

POINTS = (0.3, 0.55, 0.8)  # inside every domain (log, sqrt, asin, acos) and away from kinks
UNARY = ["exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan", "asin",
         "acos", "atan", "sinh", "cosh", "tanh", "sigmoid", "relu", "abs", "neg", "square",
         "sign", "floor", "ceil"]
ANALYTIC = ["exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan", "asin",
            "acos", "atan", "sinh", "cosh", "tanh", "sigmoid", "neg", "square"]
BINARY = {
    "add": lambda x: dk.add(x, 0.7 * x * x),
    "sub": lambda x: dk.sub(2.0, x * x),
    "mul": lambda x: dk.mul(x, dk.sin(x)),
    "div": lambda x: dk.div(dk.cos(x), 1.0 + x),
    "pow": lambda x: dk.pow(x, x),          # both base and exponent depend on x
    "pow_const": lambda x: x ** 3.5 + 2.0 ** x,
    "maximum": lambda x: dk.maximum(x * x, 0.5 * x),
    "minimum": lambda x: dk.minimum(dk.exp(x), 2.0 - x),
    "remainder": lambda x: dk.remainder(3.0 * x, 0.7),
    "where": lambda x: dk.where(x > 0.5, x ** 2, dk.sin(x)),
    "clamp": lambda x: dk.clamp(3.0 * x, 0.5, 2.0) * x,
}
METHODS = [Symbolic(), Numeric("richardson"), Reverse(), Forward()]


def _composed(name):
    fn = getattr(dk, name)
    return lambda x: fn(0.8 * x + 0.1) * x  # a chain rule and a product around every function


def _agree(f, x, rtol=1e-9):
    values = [m.derivative(f)(x) for m in METHODS]
    exact = values[2]  # reverse
    for method, value in zip(METHODS, values):
        tol = 1e-11 if method.name == "numeric" else rtol * 1e-4
        assert value == pytest.approx(exact, rel=tol, abs=tol), (method.name, values)
    return values


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("x", POINTS)
def test_unary_functions_agree_across_methods(name, x):
    _agree(_composed(name), x)


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("x", POINTS)
def test_binary_functions_agree_across_methods(name, x):
    _agree(BINARY[name], x)


@pytest.mark.parametrize("name", ANALYTIC)
def test_complex_step_on_every_analytic_function(name):
    """The numpy forward of each analytic function accepts complex input, so the complex step
    gives the derivative to rounding."""
    f = _composed(name)
    for x in POINTS:
        assert Numeric("complex-step").derivative(f)(x) == pytest.approx(Reverse().derivative(f)(x), rel=1e-14)


def test_elementary_functions_return_numbers_for_numbers_and_complex():
    assert isinstance(dk.sin(0.5), float) and dk.sin(0.5) == pytest.approx(np.sin(0.5))
    assert dk.sigmoid(0.3 + 0.2j) == pytest.approx(1 / (1 + np.exp(-(0.3 + 0.2j))))
    assert dk.tanh(np.array([0.1 + 1e-20j]))[0].imag == pytest.approx(1e-20 * (1 - np.tanh(0.1) ** 2))
    assert isinstance(dk.exp(np.array([1.0, 2.0])), np.ndarray)


def test_pointwise_derivative_over_an_array():
    x = np.linspace(0.3, 3.0, 7)
    f = lambda x: dk.sin(x) * dk.exp(x)  # noqa: E731
    expected = np.exp(x) * (np.sin(x) + np.cos(x))
    for method in METHODS:
        assert method.derivative(f)(x) == pytest.approx(expected, rel=1e-10)
