"""Loops, where, vector indexing and Python branches, through every backend."""
import numpy as np
import pytest

import diffkit as dk
from diffkit.differentiation import Forward, Numeric, Reverse, Symbolic, SymbolicBranchError

ALL = [Symbolic(), Numeric("richardson"), Reverse(), Forward()]


def babylonian_sqrt(x):
    y = x
    for _ in range(6):
        y = (y + x / y) / 2
    return y


@pytest.mark.parametrize("x", [0.5, 2.0, 4.0])
def test_babylonian_square_root_loop(x):
    values = [m.derivative(babylonian_sqrt)(x) for m in ALL]
    assert values == pytest.approx([values[2]] * 4, rel=1e-11)
    assert values[2] == pytest.approx(0.5 / np.sqrt(x), rel=1e-7)  # six iterations have converged


def test_symbolic_loop_unrolls_into_a_large_expression():
    symbolic = Symbolic()
    symbolic.derivative(babylonian_sqrt)(2.0)
    assert symbolic.cost["derivative_nodes"] > 1000  # expression swell
    compact = Symbolic(cse=True)
    assert compact.derivative(babylonian_sqrt)(2.0) == pytest.approx(0.5 / np.sqrt(2.0), rel=1e-12)
    assert compact.last.sizes["cse"]["nodes"] < symbolic.last.sizes["derivative"]["nodes"] / 5


def piecewise(x):
    return dk.where(x > 1.0, x**2, 2 * x - 1)


@pytest.mark.parametrize("x,expected", [(0.5, 2.0), (1.5, 3.0)])
def test_where_in_every_backend(x, expected):
    for method in ALL:
        assert method.derivative(piecewise)(x) == pytest.approx(expected, rel=1e-12)
    symbolic = Symbolic()
    symbolic.derivative(piecewise)(x)
    assert "Piecewise" in str(symbolic.derivative_expression)


def rosenbrock(x):
    return dk.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def test_vector_indexing_and_loops_over_elements():
    def loop(x):
        total = 0.0
        for i in range(len(x) - 1):
            total = total + x[i] * dk.exp(x[i + 1])
        return total + x[0] ** 3

    x = np.array([0.3, -0.8, 1.1, 0.5])
    for f in (rosenbrock, loop):
        expected = Reverse().grad(f)(x)
        for method in ALL:
            assert method.grad(f)(x) == pytest.approx(expected, rel=1e-11, abs=1e-11)


def branchy(x):
    if x > 0:
        return x**3
    return dk.sin(x)


@pytest.mark.parametrize("x,expected", [(2.0, 12.0), (-0.5, np.cos(-0.5))])
def test_python_if_on_concrete_values(x, expected):
    for method in (Reverse(), Forward(), Numeric("central")):
        assert method.derivative(branchy)(x) == pytest.approx(expected, rel=1e-8)


def test_symbolic_branch_raises_an_explained_error():
    with pytest.raises(SymbolicBranchError, match="diffkit.where") as info:
        Symbolic().derivative(branchy)(2.0)
    assert isinstance(info.value, TypeError)
    assert "method='reverse'" in str(info.value)

    def while_loop(x):
        while x > 1:
            x = x / 2
        return x

    def math_call(x):
        import math

        return math.sin(x)

    for f in (while_loop, math_call):
        with pytest.raises(SymbolicBranchError):
            Symbolic().derivative(f)(3.0)
    with pytest.raises(SymbolicBranchError):
        Symbolic().grad(lambda x: x[0] if x[1] > 0 else x[1])(np.array([1.0, 2.0]))


def test_forward_mode_refuses_to_drop_a_tangent():
    with pytest.raises(TypeError, match="diffkit"):
        Forward().derivative(lambda x: float(x))(1.0)
