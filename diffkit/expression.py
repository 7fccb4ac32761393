"""``diffkit.parse``: an expression string as a function that every backend can differentiate.

The string is parsed with Python's ``ast`` and *interpreted*: nothing is ever evaluated,
compiled or sympified (SymPy's ``parse_expr`` and ``sympify`` call ``eval``, so a string like
``__import__('os').system(...)`` would run). Only numbers, variable names, the constants
``pi`` and ``e``, arithmetic (``+ - * / **``, unary ``-``), one comparison (for ``where``) and
calls of diffkit's elementary functions by name are accepted; anything else -- attributes,
subscripts, lambdas, comprehensions, keywords, strings -- is a ``ParseError`` before any
part of the expression runs. Variables are the remaining names, in alphabetical order.
"""
from __future__ import annotations

import ast
import inspect
import math
import numbers
import operator
import sys
import warnings
from collections.abc import Callable

import numpy as np

from . import ops

MAX_LENGTH = 10_000
CONSTANTS = {"pi": math.pi, "e": math.e}


class ParseError(ValueError):
    """The string is not an expression diffkit accepts."""


def _elementary() -> dict[str, Callable]:
    """diffkit's differentiable elementwise functions, by name (from the primitive table)."""
    table = {}
    for name in ops.__all__:
        fn = getattr(ops, name)
        prim = getattr(fn, "primitive", None)
        if prim is not None and prim.elementwise and prim.vjp is not None:
            table[name] = fn
    table.update(where=ops.where, pow=ops.pow, square=ops.square, clamp=ops.clamp)
    return table


FUNCTIONS = _elementary()


def _arity(name: str, fn: Callable) -> tuple[int, int]:
    """How many arguments a call of ``name`` takes (checked when parsing, not when called)."""
    if name == "where":
        return 3, 3  # where(condition) alone would be numpy's nonzero, not a function of x
    parameters = inspect.signature(fn).parameters.values()
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):  # a primitive's fn(*args): its inputs
        rules = fn.primitive.vjp
        return (len(rules),) * 2 if isinstance(rules, tuple) else (1, 1)
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return sum(p.default is p.empty for p in positional), len(positional)


ARITY = {name: _arity(name, fn) for name, fn in FUNCTIONS.items()}


def _plain(value) -> bool:
    return isinstance(value, numbers.Real)


def _arithmetic(op: Callable) -> Callable:
    """An operator that computes in float64 when both sides are plain numbers, so that no
    input can build a huge integer (``9**9**9``) or divide an int by zero."""

    def apply(a, b):
        if _plain(a) and _plain(b):
            with np.errstate(all="ignore"):
                return op(np.float64(a), np.float64(b))
        return op(a, b)

    return apply


_BINARY = {ast.Add: _arithmetic(operator.add), ast.Sub: _arithmetic(operator.sub),
           ast.Mult: _arithmetic(operator.mul), ast.Div: _arithmetic(operator.truediv),
           ast.Pow: _arithmetic(operator.pow)}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_COMPARE = {ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Lt: operator.lt, ast.LtE: operator.le}


def _reject(node: ast.AST, what: str) -> ParseError:
    where = f" at column {node.col_offset + 1}" if hasattr(node, "col_offset") else ""
    return ParseError(f"{what}{where} is not allowed: an expression may only use numbers, variable names, "
                      "+ - * / **, one comparison, and calls of diffkit's elementary functions "
                      f"({', '.join(sorted(FUNCTIONS))})")


class _Builder:
    """Turns an accepted syntax tree into nested closures (the interpreter); collects variables."""

    def __init__(self) -> None:
        self.variables: set[str] = set()

    def build(self, node: ast.AST) -> Callable[[dict], object]:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise _reject(node, f"{type(node).__name__}")
        return method(node)

    def _Expression(self, node):
        return self.build(node.body)

    def _Constant(self, node):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _reject(node, f"the constant {value!r}")
        if isinstance(value, int) and not -2**63 <= value < 2**63:  # beyond int64: as the float it is
            value = float(value) if abs(value) <= sys.float_info.max else math.inf if value > 0 else -math.inf
        return lambda env: value

    def _Name(self, node):
        name = node.id
        if name in CONSTANTS:
            value = CONSTANTS[name]
            return lambda env: value
        if name in FUNCTIONS or name.startswith("_"):
            raise _reject(node, f"the name {name!r} used as a variable")
        self.variables.add(name)
        return lambda env: env[name]

    def _BinOp(self, node):
        op = _BINARY.get(type(node.op))
        if op is None:
            raise _reject(node, f"the operator {type(node.op).__name__}")
        left, right = self.build(node.left), self.build(node.right)
        return lambda env: op(left(env), right(env))

    def _UnaryOp(self, node):
        op = _UNARY.get(type(node.op))
        if op is None:
            raise _reject(node, f"the operator {type(node.op).__name__}")
        operand = self.build(node.operand)
        return lambda env: op(operand(env))

    def _Compare(self, node):
        op = _COMPARE.get(type(node.ops[0])) if len(node.ops) == 1 else None
        if op is None:
            raise _reject(node, "a chained comparison or ==, !=, in, is")
        left, right = self.build(node.left), self.build(node.comparators[0])
        return lambda env: op(left(env), right(env))

    def _Call(self, node):
        if not isinstance(node.func, ast.Name):
            raise _reject(node, "a call of something other than a function name")
        fn = FUNCTIONS.get(node.func.id)
        if fn is None:
            raise _reject(node, f"the function {node.func.id!r}")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise _reject(node, "keyword or * arguments")
        low, high = ARITY[node.func.id]
        if not low <= len(node.args) <= high:
            takes = str(low) if low == high else f"{low} to {high}"
            raise _reject(node, f"calling {node.func.id} with {len(node.args)} arguments (it takes {takes})")
        args = [self.build(a) for a in node.args]

        def call(env):
            values = [a(env) for a in args]
            if all(_plain(v) for v in values):  # as for operators: float64, so pow(1, -1) is 1.0
                with np.errstate(all="ignore"):
                    return fn(*(np.float64(v) for v in values))
            return fn(*values)

        return call


class Expression:
    """A parsed expression: call it with one value per variable (in ``.variables`` order), by
    name, or with one vector holding them all -- so ``diffkit.grad`` can differentiate it."""

    def __init__(self, source: str, evaluate: Callable[[dict], object], variables: tuple[str, ...]) -> None:
        self.source, self._evaluate, self.variables = source, evaluate, variables
        self.__name__ = "expression"

    def __call__(self, *args, **values):
        n = len(self.variables)
        if len(args) == 1 and n > 1 and not values:  # one vector of all the variables
            vector = args[0]
            if len(vector) != n:
                raise ValueError(f"{self!r} has {n} variables {self.variables}, got a vector of length {len(vector)}")
            args = tuple(vector[i] for i in range(n))
        if n == 0 and len(args) <= 1:
            args = ()
        env = dict(zip(self.variables, args))
        env.update(values)
        if len(args) > n or set(env) != set(self.variables):
            raise TypeError(f"{self!r} takes the variables {self.variables}, got {len(args)} positional "
                            f"and {sorted(values)} by name")
        return self._evaluate(env)

    def __repr__(self) -> str:
        return f"parse({self.source!r})"


def parse(source: str) -> Expression:
    """Parse an expression such as ``"sin(x)*exp(x) + x**2"`` into a function of its variables
    (alphabetical: ``.variables``); never evaluates the string."""
    if not isinstance(source, str):
        raise TypeError(f"parse takes a string, got {type(source).__name__}")
    if len(source) > MAX_LENGTH:
        raise ParseError(f"expression longer than {MAX_LENGTH} characters")
    try:
        with warnings.catch_warnings():  # Python's SyntaxWarnings ("invalid decimal literal") are not ours
            warnings.simplefilter("ignore")
            tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as error:
        where = f" (column {error.offset})" if error.offset else ""
        raise ParseError(f"not a valid expression: {error.msg}{where}") from None
    except (RecursionError, MemoryError):  # Python's own parser gives up on deep nesting
        raise ParseError("expression nested too deeply") from None
    except ValueError as error:  # null bytes, before Python 3.12
        raise ParseError(f"not a valid expression: {error}") from None
    builder = _Builder()
    try:
        evaluate = builder.build(tree)
    except RecursionError:
        raise ParseError("expression nested too deeply") from None
    return Expression(source, evaluate, tuple(sorted(builder.variables)))
