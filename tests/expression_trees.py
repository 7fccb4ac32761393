"""Hypothesis strategies for random differentiable programs built from the primitive table.

A ``Problem`` is an expression tree over a few variables of mutually broadcastable shapes,
reduced to a scalar, together with a point. Its ``repr`` is the expression as one would write
it (``sum(w * log(0.45*x0 + 1.2) * sin(x1))``), so a failing example shrinks to a line a reader
can paste. Every argument is kept inside its function's domain, away from kinks and poles: each
node knows the interval its values lie in (inputs lie in [0.5, 1.5]), and where that interval
is not inside the next function's safe interval, an affine map ``a*e + b`` (a <= 1, rounded
constants) moves it there. The maps are made of primitives (mul, add) and so are tested too.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import diffkit as dk

F = dk.nn.functional
INPUTS = (0.5, 1.5)
ANY = (-4.0, 4.0)
# name -> (function, safe interval for its argument, interior critical points of the function)
UNARY = {
    "exp": (dk.exp, (-2, 2), ()), "log": (dk.log, (0.2, 5), ()), "log1p": (dk.log1p, (-0.5, 4), ()),
    "expm1": (dk.expm1, (-2, 2), ()), "sqrt": (dk.sqrt, (0.2, 5), ()), "rsqrt": (dk.rsqrt, (0.2, 5), ()),
    "reciprocal": (dk.reciprocal, (0.3, 4), ()), "sin": (dk.sin, (-3, 3), (-math.pi / 2, math.pi / 2)),
    "cos": (dk.cos, (-3, 3), (0.0,)), "tan": (dk.tan, (-1.2, 1.2), ()), "asin": (dk.asin, (-0.8, 0.8), ()),
    "acos": (dk.acos, (-0.8, 0.8), ()), "atan": (dk.atan, (-4, 4), ()), "sinh": (dk.sinh, (-2, 2), ()),
    "cosh": (dk.cosh, (-2, 2), (0.0,)), "tanh": (dk.tanh, (-3, 3), ()), "sigmoid": (dk.sigmoid, (-4, 4), ()),
    "erf": (dk.erf, (-2, 2), ()), "erfc": (dk.erfc, (-2, 2), ()), "neg": (dk.neg, ANY, ()),
    "abs": (dk.abs, (-4, -0.2), ()), "relu": (dk.relu, (0.2, 4), ()), "softplus": (F.softplus, (-3, 3), ()),
    "gelu": (F.gelu, (-3, 3), (-0.7517916,)), "silu": (F.silu, (-3, 3), (-1.2784645,)),
    "elu": (F.elu, (-3, -0.2), ()), "cube": (lambda x: x ** 3, (-1.5, 1.5), ()),
    "pow2.5": (lambda x: x ** 2.5, (0.3, 3), ()), "rpow": (lambda x: 2.0 ** x, (-2, 2), ()),
}
# name -> (function, safe intervals of its two arguments)
BINARY = {
    "add": (dk.add, (ANY, ANY)), "sub": (dk.sub, (ANY, ANY)), "mul": (dk.mul, (ANY, ANY)),
    "div": (dk.div, (ANY, (0.3, 4))), "pow": (dk.pow, ((0.3, 3), (-2, 2))), "where": (None, (ANY, ANY)),
}
INFIX = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}
# the scalar a problem's result is reduced to: name -> fn(output, weights)
REDUCTIONS = {
    "sum": lambda y, w: dk.sum(y * w),
    "logsumexp": lambda y, w: dk.logsumexp(dk.reshape(y * w, (-1,)), 0),
    "softmax": lambda y, w: dk.sum(dk.softmax(dk.reshape(y, (-1,)), 0) * w.reshape(-1)),
    "mean": lambda y, w: dk.mean(dk.sin(y * w)),
}


def checkerboard(shape: tuple) -> np.ndarray:
    """The fixed condition of ``where`` nodes (a constant, so no kink)."""
    return np.indices(shape).sum(0) % 2 == 0 if shape else np.array(True)


class Expr:
    """A node: ``range`` bounds its values at every point of the input box."""

    range: tuple[float, float]
    size: int = 1

    def __call__(self, xs: list):
        raise NotImplementedError


@dataclass(frozen=True, repr=False)
class Var(Expr):
    index: int
    range: tuple = INPUTS

    def __call__(self, xs):
        return xs[self.index]

    def __repr__(self) -> str:
        return f"x{self.index}"


@dataclass(frozen=True, repr=False)
class Affine(Expr):
    """a*e + b: moves a child's values into the next function's safe interval."""

    child: Expr
    a: float
    b: float
    range: tuple = (0.0, 0.0)

    def __call__(self, xs):
        y = self.child(xs)
        return (y if self.a == 1 else self.a * y) + self.b

    def __repr__(self) -> str:
        scaled = repr(self.child) if self.a == 1 else f"{self.a:g}*{self.child!r}"
        return f"({scaled} {'-' if self.b < 0 else '+'} {abs(self.b):g})" if self.b else f"({scaled})"


@dataclass(frozen=True, repr=False)
class Call(Expr):
    name: str
    args: tuple
    range: tuple = (0.0, 0.0)

    def __call__(self, xs):
        values = [a(xs) for a in self.args]
        if self.name == "where":
            shape = np.broadcast_shapes(*(np.shape(v) for v in values))
            return dk.where(checkerboard(shape), *values)
        fn = UNARY[self.name][0] if self.name in UNARY else BINARY[self.name][0]
        return fn(*values)

    @property
    def size(self) -> int:
        return 1 + sum(a.size for a in self.args)

    def __repr__(self) -> str:
        if self.name in INFIX:
            return f"({self.args[0]!r} {INFIX[self.name]} {self.args[1]!r})"
        if self.name == "where":
            return f"where(checkerboard, {self.args[0]!r}, {self.args[1]!r})"
        return f"{self.name}({', '.join(map(repr, self.args))})"


def _round_down(a: float) -> float:
    """a to two significant digits, never above a (so the mapped interval only shrinks)."""
    unit = 10.0 ** (math.floor(math.log10(a)) - 1)
    return math.floor(a / unit) * unit


def fit(e: Expr, safe: tuple) -> Expr:
    """e, or an affine map of e whose values lie inside ``safe``."""
    lo, hi = e.range
    s_lo, s_hi = safe
    if s_lo <= lo and hi <= s_hi:
        return e
    a = 1.0 if hi == lo else min(1.0, _round_down(0.9 * (s_hi - s_lo) / (hi - lo)))
    b = round((s_lo + s_hi) / 2 - a * (lo + hi) / 2, 2)
    mapped = (a * lo + b, a * hi + b)
    assert s_lo - 0.01 <= mapped[0] and mapped[1] <= s_hi + 0.01, (e, safe, mapped)
    return Affine(e, a, b, mapped)


def _image(fn, lo: float, hi: float, critical: tuple) -> tuple:
    points = [lo, hi, *(c for c in critical if lo < c < hi)]
    values = [float(fn(np.float64(p))) for p in points]
    return min(values), max(values)


def unary(name: str, child: Expr) -> Expr:
    fn, safe, critical = UNARY[name]
    arg = fit(child, safe)
    return Call(name, (arg,), _image(fn, *arg.range, critical))


def binary(name: str, left: Expr, right: Expr) -> Expr:
    fn, safes = BINARY[name]
    args = (fit(left, safes[0]), fit(right, safes[1]))
    (a_lo, a_hi), (b_lo, b_hi) = args[0].range, args[1].range
    if name == "where":
        return Call(name, args, (min(a_lo, b_lo), max(a_hi, b_hi)))
    corners = [float(fn(np.float64(a), np.float64(b))) for a in (a_lo, a_hi) for b in (b_lo, b_hi)]
    return Call(name, args, (min(corners), max(corners)))  # each op is monotone in each argument here


def trees(variables: int, max_leaves: int) -> st.SearchStrategy[Expr]:
    leaves = st.builds(Var, st.integers(0, variables - 1))
    return st.recursive(leaves, lambda children: st.one_of(
        st.builds(unary, st.sampled_from(sorted(UNARY)), children),
        st.builds(binary, st.sampled_from(sorted(BINARY)), children, children)), max_leaves=max_leaves)


class Problem:
    """f(v) = reduction(w * expression(x0, x1 ...)) where v holds every variable's entries, flat.
    (A plain class: hypothesis prints it with this repr, and backends cache it by identity.)"""

    def __init__(self, expression: Expr, reduction: str, shapes: tuple, point: np.ndarray) -> None:
        self.expression, self.reduction, self.shapes, self.point = expression, reduction, shapes, point

    def __repr__(self) -> str:
        variables = ", ".join(f"x{i}: {list(s)}" for i, s in enumerate(self.shapes))
        return (f"Problem({self.reduction}(w * {self.expression!r}) with {variables}; "
                f"v = {np.array2string(self.point, precision=17, separator=', ')})")

    @property
    def weights(self) -> np.ndarray:
        shape = np.broadcast_shapes(*self.shapes)
        return np.linspace(-1.0, 1.5, max(int(np.prod(shape)), 1)).reshape(shape)

    def __call__(self, v):
        """The scalar function of the flat vector v, written once for every backend."""
        xs, start = [], 0
        for shape in self.shapes:
            size = int(np.prod(shape))
            xs.append(dk.reshape(v[start:start + size], shape))
            start += size
        y = self.expression(xs)
        shape = np.broadcast_shapes(*self.shapes)
        if np.shape(y) != shape:  # the tree used only some variables: its value broadcasts
            y = y + np.zeros(shape)
        return REDUCTIONS[self.reduction](y, self.weights)


@st.composite
def problems(draw, max_leaves: int = 6, max_dims: int = 2, max_side: int = 2, max_variables: int = 3) -> Problem:
    count = draw(st.integers(1, max_variables))
    broadcastable = hnp.mutually_broadcastable_shapes(num_shapes=count, max_dims=max_dims, max_side=max_side)
    shapes = draw(broadcastable).input_shapes
    expression = draw(trees(count, max_leaves))
    size = sum(int(np.prod(s)) for s in shapes)
    point = draw(hnp.arrays(np.float64, size, elements=st.floats(*INPUTS, allow_subnormal=False)))
    return Problem(expression, draw(st.sampled_from(sorted(REDUCTIONS))), shapes, point)
