"""The primitive table checks itself: for every elementwise primitive, SymPy differentiates the
primitive's SymPy counterpart, and the table's VJP and JVP rules must agree with it."""
import numpy as np
import pytest
import sympy

import diffkit  # noqa: F401 - loads every module that adds rows to the table
from diffkit.differentiation import Symbolic
from diffkit.ops._primitive import REGISTRY

PARAMS = {"clamp": {"min": 0.3, "max": 0.7}, "softplus": {"beta": 2.0, "threshold": 1.0},
          "gelu": {"approximate": "tanh"}, "elu": {"alpha": 1.5, "scale": 1.2, "input_scale": 0.8},
          "leaky_relu": {"slope": 0.1}, "hardtanh": {"low": 0.3, "high": 0.7}}
ELEMENTWISE = sorted({p.name: p for p in REGISTRY.values() if p.elementwise and p.vjp is not None
                      and p.sympy is not None}.items())


def _counterpart(prim):
    fn = prim.sympy
    return getattr(sympy, fn) if isinstance(fn, str) else fn


def test_the_check_covers_the_elementary_functions():
    names = {name for name, _ in ELEMENTWISE}
    assert {"add", "sub", "mul", "div", "pow", "exp", "log", "sin", "cos", "tan", "tanh", "sigmoid", "sqrt",
            "abs", "relu", "maximum", "where", "clamp", "asin", "acos", "atan", "log1p", "expm1"} <= names


@pytest.mark.parametrize("name,prim", ELEMENTWISE, ids=[n for n, _ in ELEMENTWISE])
def test_vjp_and_jvp_rules_agree_with_sympy(name, prim):
    rng = np.random.default_rng(sum(map(ord, name)))
    params = PARAMS.get(name, {})
    arity = len(prim.vjp)
    finish = Symbolic()._finish  # d/dx floor, sign ... = 0 almost everywhere, as the rules say
    for _ in range(4):
        values = list(rng.uniform(0.1, 0.9, arity))
        symbols = list(sympy.symbols(f"a0:{arity}", real=True))
        if name == "where":  # the condition is a boolean, not differentiated
            values[0] = symbols[0] = bool(rng.integers(2))
        expression = _counterpart(prim)(*symbols, **params)
        inputs = [np.array(v) for v in values]
        out = prim.forward(*inputs, **params)
        exact = {s: sympy.Float(float(v), 30) for s, v in zip(symbols, values) if isinstance(s, sympy.Symbol)}
        for i, rule in enumerate(prim.vjp):
            if rule is None:
                continue
            derivative = float(finish(sympy.diff(expression, symbols[i])).evalf(30, subs=exact))
            g = rng.normal()
            vjp = rule(np.array(g), out, *inputs, **params)
            jvp = prim.jvp[i](np.array(g), out, *inputs, **params)
            assert float(vjp) == pytest.approx(g * derivative, rel=1e-12, abs=1e-14), (name, i, values)
            assert float(jvp) == pytest.approx(g * derivative, rel=1e-12, abs=1e-14), (name, i, values)
