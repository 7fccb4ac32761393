"""The expression API: diffkit's elementary functions, ``where``, ``sum`` and ``stack`` take
numbers, arrays (float and complex), Tensors, SymPy expressions and dual numbers, and return
the same kind of value -- so one ``def f(x)`` serves every backend."""
import cmath

import numpy as np
import pytest
import sympy

import diffkit as dk
from diffkit.differentiation import Dual

X = sympy.Symbol("x", real=True)
# name: (numpy's value, SymPy's counterpart, the derivative), checked at x = 0.7
FUNCTIONS = {
    "sin": (np.sin, sympy.sin, np.cos),
    "exp": (np.exp, sympy.exp, np.exp),
    "log": (np.log, sympy.log, lambda x: 1 / x),
    "sqrt": (np.sqrt, sympy.sqrt, lambda x: 0.5 / np.sqrt(x)),
    "tanh": (np.tanh, sympy.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "sigmoid": (lambda x: 1 / (1 + np.exp(-x)), lambda x: 1 / (1 + sympy.exp(-x)),
                lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2),
    "abs": (np.abs, sympy.Abs, np.sign),
}
@pytest.mark.parametrize("name", FUNCTIONS)
def test_a_python_number_bare_or_in_a_dual_gives_float64(name):
    value, _, derivative = FUNCTIONS[name]
    result = getattr(dk, name)(0.7)
    assert isinstance(result, float) and np.asarray(result).dtype == np.float64
    assert result == pytest.approx(value(0.7), rel=1e-15)
    dual = getattr(dk, name)(Dual(0.7, 1.0))
    assert isinstance(dual, Dual)
    assert dual.value == pytest.approx(value(0.7), rel=1e-15) and dual.tangent == pytest.approx(derivative(0.7))


@pytest.mark.parametrize("name", FUNCTIONS)
def test_arrays_complex_numbers_tensors_sympy_and_duals(name):
    value, counterpart, derivative = FUNCTIONS[name]
    fn = getattr(dk, name)
    points = np.array([0.7, 1.9])
    out = fn(points)
    assert isinstance(out, np.ndarray) and out.dtype == np.float64 and out == pytest.approx(value(points), rel=1e-15)
    z = 0.7 + 0.2j  # complex in, complex out (abs: the modulus)
    expected = abs(z) if name == "abs" else getattr(cmath, name)(z) if hasattr(cmath, name) else value(np.complex128(z))
    assert fn(z) == pytest.approx(expected, rel=1e-15)
    assert isinstance(fn(np.array([z])), np.ndarray) and fn(np.array([z]))[0] == pytest.approx(fn(z), rel=1e-15)
    t = dk.tensor(points, dtype=dk.float64, requires_grad=True)
    y = fn(t)
    assert isinstance(y, dk.Tensor) and y.grad_fn is not None
    dk.sum(y).backward()
    assert t.grad.numpy() == pytest.approx(derivative(points), rel=1e-14)
    symbolic = fn(X)
    assert isinstance(symbolic, sympy.Expr) and sympy.simplify(symbolic - counterpart(X)) == 0
    dual = fn(Dual(points, np.ones(2)))
    assert isinstance(dual, Dual)
    assert dual.value == pytest.approx(value(points), rel=1e-15)
    assert dual.tangent == pytest.approx(derivative(points), rel=1e-14)


def test_where_for_every_kind_of_value():
    assert dk.where(0.3 > 0.5, 1.0, 2.0) == 2.0
    assert dk.where(np.array([True, False]), np.array([1.0, 2.0]), 0.0).tolist() == [1.0, 0.0]
    t = dk.tensor([0.5, 2.0], dtype=dk.float64, requires_grad=True)
    dk.sum(dk.where(t > 1, t**2, dk.sin(t))).backward()
    assert t.grad.numpy() == pytest.approx([np.cos(0.5), 4.0])
    assert dk.where(X > 0, X**2, dk.sin(X)) == sympy.Piecewise((X**2, X > 0), (sympy.sin(X), True))
    d = Dual(2.0, 1.0)
    assert dk.where(d > 1, d * d, -d).tangent == 4.0


def test_sum_and_stack_for_numbers_arrays_tensors_and_duals():
    assert dk.sum(np.array([1.0, 2.5])) == 3.5
    assert dk.stack([1.0, 2.5]).tolist() == [1.0, 2.5]
    t = dk.tensor([0.5, 2.0], dtype=dk.float64, requires_grad=True)
    stacked = dk.stack([t[1], t[0] * t[1]])
    assert isinstance(stacked, dk.Tensor) and stacked.grad_fn is not None
    dk.sum(stacked).backward()
    assert t.grad.tolist() == [2.0, 1.5]
    d = dk.stack([Dual(1.0, 1.0), Dual(2.0, 0.0)])
    assert d.value.tolist() == [1.0, 2.0] and d.tangent.tolist() == [1.0, 0.0]
    assert dk.sum(d).tangent == 1.0
    assert dk.sum([X, X**2]) == X + X**2


def test_stack_of_sympy_expressions():
    stacked = dk.stack([X, X**2])
    assert list(np.asarray(stacked, dtype=object).reshape(-1)) == [X, X**2]
