"""The symbolic method shows its work: the traced expression, the derivative, their sizes, and
what simplify= and cse= do to them."""
import numpy as np
import pytest
import sympy

import diffkit as dk
from diffkit.differentiation import Symbolic

x = sympy.Symbol("x", real=True)


def test_expression_derivative_and_their_sizes():
    symbolic = Symbolic()
    assert symbolic.sizes == {} and symbolic.expression is None
    assert symbolic.derivative(lambda x: dk.sin(x) * dk.exp(x))(1.0) == pytest.approx(np.e * (np.sin(1) + np.cos(1)))
    assert symbolic.expression == sympy.sin(x) * sympy.exp(x)
    assert symbolic.derivative_expression == sympy.exp(x) * sympy.sin(x) + sympy.exp(x) * sympy.cos(x)
    # Mul(exp(x), sin(x)): 5 tree nodes, 3 operations; its derivative Add of two such products: 11 and 7
    assert symbolic.sizes == {"expression": {"nodes": 5, "ops": 3}, "derivative": {"nodes": 11, "ops": 7}}
    assert symbolic.cost == {"derivative_nodes": 11, "count_ops": 7}


def test_simplify_shrinks_the_derivative():
    def f(x):
        return dk.sin(x) ** 2 * dk.exp(x) + dk.cos(x) ** 2 * dk.exp(x)  # = exp(x)

    plain, simplified = Symbolic(), Symbolic(simplify=True)
    assert plain.derivative(f)(0.3) == pytest.approx(simplified.derivative(f)(0.3), rel=1e-15)
    assert simplified.derivative_expression == sympy.exp(x)
    assert simplified.sizes["derivative"] == {"nodes": 2, "ops": 1}
    assert plain.sizes["derivative"]["nodes"] == 15


def test_cse_shares_the_repeated_subexpressions():
    def f(v):
        return dk.exp(v[0] * v[1]) * dk.sin(v[0] * v[1])

    plain, shared = Symbolic(), Symbolic(cse=True)
    point = np.array([0.4, 1.3])
    assert shared.grad(f)(point) == pytest.approx(plain.grad(f)(point), rel=1e-15)
    assert "cse" not in plain.sizes
    assert shared.sizes["derivative"] == plain.sizes["derivative"] == {"nodes": 42, "ops": 26}
    assert shared.sizes["cse"]["nodes"] < 0.75 * shared.sizes["derivative"]["nodes"]
    assert [str(s) for s in shared.last.symbols] == ["v0", "v1"]  # a vector argument: v0 .. v{n-1}
