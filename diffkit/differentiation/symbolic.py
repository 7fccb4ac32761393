"""Symbolic differentiation: trace f with SymPy symbols, differentiate, compile with lambdify.

f runs once on a ``SymbolicArray`` (a symbol ``x``, or ``x0 .. x{n-1}`` for a vector); the
result is an ordinary SymPy expression, which SymPy differentiates and ``lambdify`` turns
into a numpy function. The expressions and their sizes stay visible: the derivative of a
product of n factors has n terms, and nested products swell -- the "expression swell" that
``cse=True`` (common subexpressions) and ``simplify=True`` fight.
"""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .base import Differentiator, as_point, as_result
from .symbolic_array import SymbolicArray, expression_of


@dataclass
class Compiled:
    """One traced and differentiated function, ready to evaluate."""

    kind: str
    symbols: list
    expression: object           # f traced: a SymPy expression (or an object array)
    derivative: object           # the derivative: an expression, or nested lists of them
    function: Callable           # the derivative, lambdified for numpy
    sizes: dict = field(default_factory=dict)


def size(expressions) -> dict:
    """Node count (every node of the expression trees) and SymPy's ``count_ops``."""
    import sympy

    items = [sympy.sympify(e) for e in np.asarray(expressions, dtype=object).reshape(-1)]
    return {"nodes": sum(1 for e in items for _ in sympy.preorder_traversal(e)),
            "ops": int(sum(sympy.count_ops(e) for e in items))}


def _parameter_name(f: Callable) -> str:
    try:
        parameters = list(inspect.signature(f).parameters)
    except (TypeError, ValueError):
        return "x"
    return parameters[0] if parameters and parameters[0].isidentifier() else "x"


def _names(f: Callable, n: int | None) -> list[str] | str:
    """Symbol names: f's own variable names if it has them (``parse``), else x or x0..x{n-1}."""
    variables = list(getattr(f, "variables", ()))
    if n is None:
        return variables[0] if len(variables) == 1 else _parameter_name(f)
    if len(variables) == n:
        return variables
    base = _parameter_name(f)
    return [f"{base}{i}" for i in range(n)]


@functools.cache
def _step():
    """Heaviside printed as ``numpy.heaviside(x, 0.5)``. SymPy's printer rewrites Heaviside as a
    Piecewise, and when x holds a Max of four or more terms (the derivative of ``amax``) the
    conditions nest further Piecewise whose ``select(..., default=nan)`` numpy refuses as a condition."""
    import sympy

    class heaviside(sympy.Function):  # noqa: N801 - numpy's name, as printed
        def _numpycode(self, printer) -> str:
            return f"{printer._module_format('numpy.heaviside')}({printer._print(self.args[0])}, 0.5)"

    return heaviside


def _for_numpy(derivative):
    """The derivative (an expression or nested lists of them) ready for ``lambdify``."""
    if isinstance(derivative, list):
        return [_for_numpy(d) for d in derivative]
    import sympy

    # SymPy's complex infinity (x/0) has no numpy name (lambdify raised KeyError 'ComplexInfinity'):
    # its value, like 0/0, is undefined
    return sympy.sympify(derivative).replace(sympy.Heaviside, lambda x, *h0: _step()(x)).subs(sympy.zoo, sympy.nan)


class Symbolic(Differentiator):
    """Differentiation with SymPy (``simplify``: simplify the derivative; ``cse``: compile it with
    common subexpressions eliminated)."""

    name = "symbolic"

    def __init__(self, simplify: bool = False, cse: bool = False) -> None:
        super().__init__()
        self.simplify, self.cse = simplify, cse
        self.last: Compiled | None = None
        self._cache: dict = {}

    # ------------------------------------------------------------------ what the last call used
    @property
    def expression(self):
        """The traced expression of f at the last call."""
        return None if self.last is None else self.last.expression

    @property
    def derivative_expression(self):
        """The derivative (gradient, Jacobian, Hessian) expression of the last call."""
        return None if self.last is None else self.last.derivative

    @property
    def sizes(self) -> dict:
        """Sizes ({"nodes", "ops"}) of the last call's ``expression``, ``derivative`` and, with
        ``cse=True``, of the derivative after common-subexpression elimination."""
        return {} if self.last is None else self.last.sizes

    # ------------------------------------------------------------------ tracing and differentiating
    def trace(self, f: Callable, n: int | None = None):
        """(symbols, expression): f run on symbols (one scalar symbol when n is None)."""
        x = SymbolicArray.symbols(_names(f, n))
        symbols = [x.expression()] if n is None else list(x.array)
        return symbols, expression_of(f(x))

    def compile(self, f: Callable, kind: str, n: int | None = None) -> Compiled:
        """Trace, differentiate and lambdify f once per (kind, number of inputs)."""
        key = (f, kind, n)
        if key not in self._cache:
            self._cache[key] = self._compile(f, kind, n)
        self.last = self._cache[key]
        self.cost = {"derivative_nodes": self.last.sizes["derivative"]["nodes"],
                     "count_ops": self.last.sizes["derivative"]["ops"]}
        return self.last

    def _compile(self, f: Callable, kind: str, n: int | None) -> Compiled:
        import sympy

        symbols, expression = self.trace(f, n)
        if kind != "jacobian" and isinstance(expression, np.ndarray):
            raise ValueError(f"{kind} needs f to return a single number; use jacobian for a vector result")
        if kind == "derivative":
            derivative = self._finish(sympy.diff(expression, symbols[0]))
        elif kind == "grad":
            derivative = [self._finish(sympy.diff(expression, s)) for s in symbols]
        elif kind == "jacobian":
            outputs = np.asarray(expression, dtype=object)
            rows = [[self._finish(sympy.diff(e, s)) for s in symbols] for e in outputs.reshape(-1)]
            derivative = rows[0] if outputs.ndim == 0 else np.array(rows, dtype=object).reshape(
                outputs.shape + (len(symbols),)).tolist()
        else:
            gradient = [sympy.diff(expression, s) for s in symbols]
            derivative = [[None] * len(symbols) for _ in symbols]
            for i, g in enumerate(gradient):
                for j in range(i, len(symbols)):
                    derivative[i][j] = derivative[j][i] = self._finish(sympy.diff(g, symbols[j]))
        arguments = symbols if n is None else [symbols]
        function = sympy.lambdify(arguments, _for_numpy(derivative), modules="numpy", cse=self.cse)
        sizes = {"expression": size(expression), "derivative": size(derivative)}
        if self.cse:
            replacements, reduced = sympy.cse(np.asarray(derivative, dtype=object).reshape(-1).tolist())
            sizes["cse"] = size([value for _, value in replacements] + reduced)
        return Compiled(kind, symbols, expression, derivative, function, sizes)

    def _finish(self, expression):
        import sympy

        # derivatives of sign, floor, ceiling, Heaviside: zero almost everywhere, as the table's rules say
        expression = expression.replace(sympy.DiracDelta, lambda *args: sympy.S.Zero).replace(
            lambda e: isinstance(e, sympy.Derivative) and e.expr.func in (sympy.floor, sympy.ceiling),
            lambda e: sympy.S.Zero).replace(lambda e: isinstance(e, sympy.Subs), lambda e: e.doit())
        return sympy.simplify(expression) if self.simplify else expression

    # ------------------------------------------------------------------ evaluating
    def derivative_at(self, f: Callable, x):
        x = as_point(x)
        value = self.compile(f, "derivative").function(x[()])
        return as_result(np.broadcast_to(np.asarray(value, dtype=x.dtype), x.shape))

    def _at(self, f: Callable, kind: str, x: np.ndarray) -> np.ndarray:
        compiled = self.compile(f, kind, x.size)
        return np.array(compiled.function(x), dtype=x.dtype)

    def grad_at(self, f: Callable, x: np.ndarray) -> np.ndarray:
        return self._at(f, "grad", x)

    def jacobian_at(self, f: Callable, x: np.ndarray) -> np.ndarray:
        return self._at(f, "jacobian", x)

    def hessian_at(self, f: Callable, x: np.ndarray) -> np.ndarray:
        return self._at(f, "hessian", x)

    def reference(self, f: Callable, kind: str, x, digits: int = 50):
        """The derivative at x evaluated with mpmath at ``digits`` significant digits (x taken
        exactly as the float it is): an object array of SymPy Floats."""
        import sympy

        x = as_point(x)
        compiled = self.compile(f, kind, None if kind == "derivative" else x.size)
        values = np.atleast_1d(x).tolist()
        exact = {s: sympy.Float(v, digits) for s, v in zip(compiled.symbols, values)}
        derivative = np.asarray(compiled.derivative, dtype=object)
        return np.vectorize(lambda e: sympy.sympify(e).evalf(digits, subs=exact), otypes=[object])(derivative)
