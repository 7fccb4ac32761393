"""Elementwise primitives: arithmetic, elementary functions, comparisons.

Each row: name, numpy forward, derivative rule(s), SymPy counterpart. For elementwise
primitives the derivative rule serves both as VJP (``g`` an output gradient) and as JVP
(``g`` an input tangent), since the Jacobian is diagonal. Broadcasting is undone by the
engine (``sum_to``), never here.
"""
from __future__ import annotations

import numbers
import operator
import warnings

import numpy as np

from .._dtypes import SCALAR_TYPE_NAMES, from_numpy_dtype, get_default_dtype
from ..autograd.gradient_donation import FROM_SIZE as SPARE_FROM
from ..tensor import Tensor, _wrap
from ._primitive import defprim, function, unary, variant
from ._slopes import negated, one_minus_square, one_plus_square, over, product, sigmoid_slope, times


def _sympy(expression):
    """A SymPy counterpart built lazily (importing SymPy is slow and rarely needed)."""

    def build(*args, **params):
        import sympy

        return expression(sympy, *args, **params)

    return build


def _stable_sigmoid(x):
    x = np.asarray(x)
    if x.dtype.kind in "biu":  # PyTorch computes integers in the default float dtype (-|x| would wrap for uint8)
        x = x.astype(get_default_dtype().np)
    if x.dtype.kind == "c":
        return 1 / (1 + np.exp(-x))
    work = x.astype(np.float32) if x.dtype == np.float16 else x  # half computed in single, as PyTorch's
    e = np.exp(-np.abs(work))
    return np.where(work >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)  # float16 stays float16


_SAME_SIZE_INT = {2: np.int16, 4: np.int32, 8: np.int64}
_LARGE = 2048  # elements from which the array forms below beat numpy's one-call forms


def _large_float(x) -> bool:
    return x.__class__ is np.ndarray and x.size >= _LARGE and x.dtype.kind == "f" and x.dtype.itemsize in _SAME_SIZE_INT


def _relu(x, into=None):
    """max(x, 0) with NaN and -0.0 kept, as PyTorch: numpy's maximum returns one operand on ties,
    the second in single and double precision but the first in half, so x goes on that side. On
    large arrays against a row of zeros rather than the scalar 0: numpy's maximum has no vectorised
    loop for a scalar operand (13 us against 6.6 us at 128x256). ``into``: an array of the result's
    shape and dtype to write it to (a captured step's replay gives x itself when nothing else reads it)."""
    x_first = x.__class__ is np.ndarray and x.dtype == np.float16
    if _large_float(x) and x.ndim > 1 and x.flags.c_contiguous:
        rows = x.reshape(x.shape[0], -1)
        zeros = np.zeros(rows.shape[1], x.dtype)
        target = None if into is None else into.reshape(rows.shape)
        out = np.maximum(rows, zeros, out=target) if x_first else np.maximum(zeros, rows, out=target)
        return out.reshape(x.shape) if into is None else into
    return np.maximum(x, 0, out=into) if x_first else np.maximum(0, x, out=into)


def _relu_keeping_mask(x, into=None):
    """relu, and for large arrays a one-byte mask of the live units (-1 live, 0 dead) for the backward:
    it reads a quarter of what the saved output would be, after the large matrix products of the
    layers have pushed both out of cache, and needs two passes instead of four."""
    out = _relu(x, into)
    if not (_large_float(out) and out.flags.c_contiguous):
        return out, None
    mask = np.less_equal(out, 0).view(np.int8)  # dead units: 0 and -0.0, not NaN (PyTorch's out <= 0)
    np.subtract(mask, 1, out=mask)
    return out, mask


def _relu_grad(g, out, x, residual=None):
    """g, but 0 where out <= 0: PyTorch's threshold_backward, which lets the gradient through
    where the input was NaN, and gives 0 at dead units even for an inf or NaN g."""
    if g.__class__ is np.ndarray and out.__class__ is np.ndarray:
        if residual is not None and g.shape == residual.shape and _large_float(g):
            mask = residual.astype(_SAME_SIZE_INT[g.dtype.itemsize])  # sign-extended: all ones or zeros
            np.bitwise_and(g.view(mask.dtype), mask, out=mask)
            return mask.view(g.dtype)
        if _large_float(g) and g.shape == out.shape and g.dtype == out.dtype:
            return _pass_where_positive(g, out)
        return np.where(out <= 0, 0, g)
    return where(out <= 0, 0.0, g)


def _pass_where_positive(g: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``g`` where relu's output is not ±0, in three integer passes and one buffer (10.5 against 14 us at
    128x256 float32). ``out`` is >= 0 or NaN, so its magnitude bits are zero exactly at dead units:
    -magnitude >> (bits - 1) is then 0, elsewhere all ones, and ANDed with g's bits gives g or +0."""
    ints = _SAME_SIZE_INT[g.dtype.itemsize]
    result = np.empty(g.shape, g.dtype)  # owns its memory: .grad can take it without a copy
    mask = result.view(ints)
    np.bitwise_and(out.view(ints), np.iinfo(ints).max, out=mask)
    np.negative(mask, out=mask)
    np.right_shift(mask, 8 * g.dtype.itemsize - 1, out=mask)
    np.bitwise_and(g.view(ints), mask, out=mask)
    return result


def _sign(x):
    """-1, 0 or 1, and 0 for NaN, as PyTorch's (0 < x) - (x < 0) (numpy's sign keeps NaN, which made
    |x|' NaN at a NaN input where PyTorch's is 0)."""
    if x.__class__ is np.ndarray and x.dtype == np.bool_:  # PyTorch's sign of a bool is the bool itself
        return x.copy()
    s = np.sign(x)
    return np.nan_to_num(s, nan=0.0) if np.isnan(s).any() else s


def _no_gradient(g, out, x):
    """The derivative of a piecewise-constant function: zeros, as PyTorch's zeros_like, even for an
    inf or NaN g (g * 0 would be NaN)."""
    if isinstance(g, Tensor):
        return _wrap(np.zeros(g.shape, g._data.dtype))
    if g.__class__ is np.ndarray:
        return np.zeros(g.shape, g.dtype)
    return g * 0


def _pow_base_grad(g, x, y):
    """d(x^y)/dx = y x^(y-1), and 0 where y == 0 (not 0 * inf at x == 0), as PyTorch."""
    if isinstance(y, numbers.Number):
        return g * 0.0 if y == 0 else g * y * x ** (y - 1)
    return where(y == 0, 0.0, g * y * x ** (y - 1))


def _pow_exponent_grad(g, out, x, y):
    """d(x^y)/dy = x^y ln x, and 0 where x == 0 and y >= 0, as PyTorch; at x == 0, y < 0 it is
    inf * -inf = -inf as there. log's argument is replaced only where the result is masked, so a
    second derivative does not meet log(0) through the unselected branch."""
    if isinstance(x, numbers.Number):  # a number to a tensor's power (rpow)
        if x == 0:  # 0^y ln 0: 0 for y >= 0, -(±inf) for y < 0
            return g * where(y >= 0, 0.0, -out)
        with np.errstate(invalid="ignore"):  # a negative base: NaN, as PyTorch's log
            return g * (out * float(np.log(x)))
    masked = (x == 0) & (y >= 0)
    return g * where(masked, 0.0, out * log(where(masked, 1.0, x)))


def _share_ties(x, y):
    """Gradient share of ``x`` in max(x, y): 1/2 on a tie, 0 where it loses, else 1 -- also where
    either is NaN, where PyTorch gives the gradient to both (its masks are ==, < and >)."""
    return where(x == y, 0.5, where(x < y, 0.0, 1.0))


# ---------------------------------------------------------------------------- arithmetic
ADD = defprim("add", np.add, (lambda g, out, x, y: g, lambda g, out, x, y: g), save="none",
              sympy=operator.add, display="{0} + {1}", elementwise=True)
_MASK_HINT = "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."


def _is_bool(a) -> bool:
    return a.__class__ is np.ndarray and a.dtype.kind == "b"


def _subtract(x, y):
    """numpy's subtract, but a bool operand is refused as PyTorch does (``1 - mask`` computed an
    int64 array here; PyTorch points to ``~mask``)."""
    if _is_bool(x) or _is_bool(y):
        if _is_bool(x) and _is_bool(y):
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                               "Use the `^` or `logical_xor()` operator instead.")
        raise RuntimeError(f"Subtraction, the `-` operator, with a bool tensor is not supported. {_MASK_HINT}")
    return np.subtract(x, y)


def _negative(x):
    """numpy's negative, with PyTorch's error for a bool tensor (numpy's is a TypeError)."""
    if _is_bool(x):
        raise RuntimeError(f"Negation, the `-` operator, on a bool tensor is not supported. {_MASK_HINT}")
    return np.negative(x)


SUB = defprim("sub", _subtract, (lambda g, out, x, y: g, lambda g, out, x, y: -g), save="none",
              sympy=operator.sub, display="{0} - {1}", elementwise=True)
RSUB = variant(SUB, "RsubBackward1")


def _mul_grads(wanted: tuple, g, out, x, y):
    """Both factors' gradients on arrays. For ``x * x`` (one array twice) the product ``g * x`` is made once
    and doubled (exactly what the two gradients sum to) and sent along the first edge only: one product and
    one sum fewer, a third of the backward of ``x * x``. Large products go through ``product``, which may
    spare their fresh array (_slopes.product); small ones are the plain products."""
    large = g.__class__ is np.ndarray and g.size >= SPARE_FROM
    if x is y and wanted[0] and wanted[1] and x.__class__ is np.ndarray:
        h = product(g, x) if large else g * x  # x itself when g is a sum's seed: then not doubled in place
        return (np.add(h, h, out=h) if h.__class__ is np.ndarray and h.ndim and h is not x else h + h), None
    if not large:
        return (g * y if wanted[0] else None), (g * x if wanted[1] else None)
    if wanted[0] and wanted[1]:  # g read twice: only the second product may be written into it
        return product(g, y, last=False), product(g, x)
    return (product(g, y) if wanted[0] else None), (product(g, x) if wanted[1] else None)


MUL = defprim("mul", np.multiply, (lambda g, out, x, y: g * y, lambda g, out, x, y: g * x),
              sympy=operator.mul, display="{0} × {1}", elementwise=True, needs=((1,), (0,)), joint=_mul_grads)
DIV = defprim("div", np.true_divide,
              (lambda g, out, x, y: g / y, lambda g, out, x, y: -g * x / (y * y)),
              sympy=operator.truediv, display="{0} / {1}", elementwise=True, needs=((1,), (0, 1)))
def _power(x, y):
    """numpy's power, but integers to negative integer exponents given as a tensor as PyTorch:
    1 and -1 keep their magnitude, every other base gives 0 (numpy raises)."""
    if y.__class__ is np.ndarray and y.dtype.kind == "i" and np.result_type(x, y).kind in "iu" and (y < 0).any():
        negative = y < 0
        out = np.power(x, np.where(negative, 0, y))
        base = np.asarray(x)
        reciprocal = np.where(base == 1, 1, np.where(base == -1, 1 - 2 * (y % 2), 0))
        return np.where(negative, reciprocal, out).astype(out.dtype, copy=False)
    return np.power(x, y)


POW = defprim(
    "pow", _power,
    (lambda g, out, x, y: _pow_base_grad(g, x, y),
     lambda g, out, x, y: _pow_exponent_grad(g, out, x, y)),
    save="both", sympy=operator.pow, display="{0}^{1}", elementwise=True)
POW_TENSOR = variant(POW, "PowBackward1")
RPOW = variant(POW, "PowBackward2")
NEG = defprim("neg", _negative, lambda g, out, x: -g, save="none", sympy=operator.neg,
              display="-{0}", elementwise=True)
MAXIMUM = defprim("maximum", np.maximum,
                  (lambda g, out, x, y: g * _share_ties(x, y), lambda g, out, x, y: g * _share_ties(y, x)),
                  sympy="Max", elementwise=True)
MINIMUM = defprim("minimum", np.minimum,
                  (lambda g, out, x, y: g * _share_ties(y, x), lambda g, out, x, y: g * _share_ties(x, y)),
                  sympy="Min", elementwise=True)
WHERE = defprim("where", lambda c, x, y: np.where(c, x, y),
                (None, lambda g, out, c, x, y: where(c, g, 0.0), lambda g, out, c, x, y: where(c, 0.0, g)),
                save=(0,), sympy=_sympy(lambda sp, c, x, y: sp.Piecewise((x, c), (y, True))),
                elementwise=True)

# ---------------------------------------------------------------------------- functions
EXP = defprim("exp", np.exp, lambda g, out, x: product(g, out), save="output", sympy="exp", elementwise=True)
LOG = defprim("log", np.log, lambda g, out, x: g / x, sympy="log", display="ln {0}", elementwise=True)
LOG1P = defprim("log1p", np.log1p, lambda g, out, x: over(g, x + 1), sympy=_sympy(lambda sp, x: sp.log(1 + x)),
                node="Log1PBackward0", elementwise=True)
EXPM1 = defprim("expm1", np.expm1, lambda g, out, x: times(g, out + 1), save="output",
                sympy=_sympy(lambda sp, x: sp.exp(x) - 1), node="Expm1Backward0", elementwise=True)
SQRT = defprim("sqrt", np.sqrt, lambda g, out, x: over(g, 2 * out), save="output", sympy="sqrt",
               display="√{0}", elementwise=True)
RSQRT = defprim("rsqrt", lambda x: 1 / np.sqrt(x), lambda g, out, x: -0.5 * g * out * out * out,
                save="output", sympy=_sympy(lambda sp, x: 1 / sp.sqrt(x)), elementwise=True)
RECIPROCAL = defprim("reciprocal", lambda x: np.true_divide(1, x), lambda g, out, x: -g * out * out, save="output",
                     sympy=_sympy(lambda sp, x: 1 / x), elementwise=True)
SIN = defprim("sin", np.sin, lambda g, out, x: times(g, cos(x)), sympy="sin", display="sin {0}", elementwise=True)
COS = defprim("cos", np.cos, lambda g, out, x: times(g, negated(sin(x))), sympy="cos", display="cos {0}",
              elementwise=True)
TAN = defprim("tan", np.tan, lambda g, out, x: times(g, one_plus_square(out)), save="output", sympy="tan",
              elementwise=True)
ASIN = defprim("asin", np.arcsin, lambda g, out, x: over(g, sqrt(one_minus_square(x))), sympy="asin", elementwise=True)
ACOS = defprim("acos", np.arccos, lambda g, out, x: negated(over(g, sqrt(one_minus_square(x)))), sympy="acos",
               elementwise=True)
ATAN = defprim("atan", np.arctan, lambda g, out, x: over(g, one_plus_square(x)), sympy="atan", elementwise=True)
SINH = defprim("sinh", np.sinh, lambda g, out, x: times(g, cosh(x)), sympy="sinh", elementwise=True)
COSH = defprim("cosh", np.cosh, lambda g, out, x: times(g, sinh(x)), sympy="cosh", elementwise=True)
TANH = defprim("tanh", np.tanh, lambda g, out, x: times(g, one_minus_square(out)), save="output", sympy="tanh",
               elementwise=True)
SIGMOID = defprim("sigmoid", _stable_sigmoid, lambda g, out, x: times(g, sigmoid_slope(out)), save="output",
                  sympy=_sympy(lambda sp, x: 1 / (1 + sp.exp(-x))), display="σ({0})", elementwise=True)
RELU = defprim("relu", _relu, _relu_grad, save="output", residual=_relu_keeping_mask,
               sympy=_sympy(lambda sp, x: sp.Max(x, 0)), elementwise=True)
def _sympy_abs(sp, x):
    """Abs, or for an argument SymPy cannot prove real (acos(x - 1)) a Piecewise: SymPy
    differentiates Abs of such an argument through re/im and leaves Derivative(re(...)) that
    cannot be evaluated. diffkit's functions are real functions, so the branch form is exact."""
    x = sp.sympify(x)
    return sp.Abs(x) if x.is_extended_real else sp.Piecewise((x, x >= 0), (-x, True))


def _sympy_sign(sp, x):
    """sign, or a Piecewise of constants where SymPy cannot prove x real (it would leave
    d sign(x)/dx unevaluated)."""
    x = sp.sympify(x)
    return sp.sign(x) if x.is_extended_real else sp.Piecewise((1, x > 0), (-1, x < 0), (0, True))


ABS = defprim("abs", np.abs, lambda g, out, x: g * sign(x), sympy=_sympy(_sympy_abs), display="|{0}|",
              elementwise=True)
SIGN = defprim("sign", _sign, _no_gradient, save="none", sympy=_sympy(_sympy_sign), elementwise=True)
FLOOR = defprim("floor", np.floor, _no_gradient, save="none", sympy="floor", elementwise=True)
CEIL = defprim("ceil", np.ceil, _no_gradient, save="none", sympy="ceiling", elementwise=True)
ROUND = defprim("round", np.round, _no_gradient, save="none", elementwise=True)
TRUNC = defprim("trunc", np.trunc, _no_gradient, save="none", elementwise=True,
                sympy=_sympy(lambda sp, x: sp.Piecewise((sp.floor(x), x >= 0), (sp.ceiling(x), True))))
CLAMP = defprim(
    "clamp", lambda x, min=None, max=None: np.clip(x, min, max),
    lambda g, out, x, min=None, max=None: where(_inside(x, min, max), g, 0.0),
    sympy=_sympy(lambda sp, x, min=None, max=None: _sympy_clamp(sp, x, min, max)),
    node="ClampBackward1", elementwise=True)


def _inside(x, low, high):
    if low is None:
        return x <= high
    if high is None:
        return x >= low
    return (x >= low) & (x <= high)


def _sympy_clamp(sp, x, low, high):
    if low is not None:
        x = sp.Max(x, low)
    return x if high is None else sp.Min(x, high)


# ---------------------------------------------------------------------------- non-differentiable
def _comparison(name, forward, symbol):
    return defprim(name, forward, None, sympy=symbol, elementwise=True)


EQ = _comparison("eq", np.equal, "Eq")
NE = _comparison("ne", np.not_equal, "Ne")
LT = _comparison("lt", np.less, operator.lt)
LE = _comparison("le", np.less_equal, operator.le)
GT = _comparison("gt", np.greater, operator.gt)
GE = _comparison("ge", np.greater_equal, operator.ge)
LOGICAL_AND = _comparison("logical_and", np.logical_and, "And")
LOGICAL_OR = _comparison("logical_or", np.logical_or, "Or")
LOGICAL_XOR = _comparison("logical_xor", np.logical_xor, "Xor")
LOGICAL_NOT = _comparison("logical_not", np.logical_not, "Not")
BITWISE_AND = _comparison("bitwise_and", np.bitwise_and, "And")
BITWISE_OR = _comparison("bitwise_or", np.bitwise_or, "Or")
BITWISE_XOR = _comparison("bitwise_xor", np.bitwise_xor, "Xor")
BITWISE_NOT = _comparison("bitwise_not", np.invert, "Not")
ISNAN = _comparison("isnan", np.isnan, None)
ISINF = _comparison("isinf", np.isinf, None)
ISFINITE = _comparison("isfinite", np.isfinite, None)
def _integer_checked(forward):
    """Integer division or remainder by zero is PyTorch's RuntimeError (numpy warns and gives 0)."""
    def checked(x, y):
        if np.result_type(x, y).kind in "iu" and not np.all(y):
            raise RuntimeError("ZeroDivisionError")
        return forward(x, y)

    return checked


def _remainder(x, y):
    """PyTorch's remainder: fmod, moved by y when its sign differs from y's -- a zero keeps x's sign
    (-2.0 % 2 is -0.0; numpy's remainder gives +0.0)."""
    if np.result_type(x, y).kind != "f":
        return np.remainder(x, y)
    mod = np.fmod(x, y)
    return np.where((mod != 0) & ((np.asarray(y) < 0) != (mod < 0)), mod + y, mod)


FLOOR_DIVIDE = _comparison("floor_divide", _integer_checked(np.floor_divide), operator.floordiv)
REMAINDER = defprim("remainder", _integer_checked(_remainder),
                    # the y-gradient uses floor_divide, not floor(x / y): NaN at x = inf, as PyTorch
                    (lambda g, out, x, y: g, lambda g, out, x, y: -g * floor_divide(x, y)),
                    sympy=_sympy(lambda sp, x, y: x - y * sp.floor(x / y)), elementwise=True)
REMAINDER_TENSOR = variant(REMAINDER, "RemainderBackward1")

# ---------------------------------------------------------------------------- public functions
add, sub, mul, div, maximum, minimum = (function(p) for p in (ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM))
subtract, multiply, true_divide, divide = sub, mul, div, div
exp, log, log1p, expm1, sqrt, rsqrt, reciprocal = (
    unary(p) for p in (EXP, LOG, LOG1P, EXPM1, SQRT, RSQRT, RECIPROCAL))
sin, cos, tan, asin, acos, atan, sinh, cosh, tanh = (
    unary(p) for p in (SIN, COS, TAN, ASIN, ACOS, ATAN, SINH, COSH, TANH))
arcsin, arccos, arctan = asin, acos, atan
sigmoid, relu, abs, sign, floor, ceil, trunc, neg = (  # noqa: A001 - PyTorch's names
    unary(p) for p in (SIGMOID, RELU, ABS, SIGN, FLOOR, CEIL, TRUNC, NEG))
negative, absolute = neg, abs
eq, ne, lt, le, gt, ge = (function(p) for p in (EQ, NE, LT, LE, GT, GE))
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
logical_and, logical_or, logical_xor, logical_not = (
    function(p) for p in (LOGICAL_AND, LOGICAL_OR, LOGICAL_XOR, LOGICAL_NOT))
bitwise_and, bitwise_or, bitwise_xor, bitwise_not = (
    function(p) for p in (BITWISE_AND, BITWISE_OR, BITWISE_XOR, BITWISE_NOT))
isnan, isinf, isfinite = (unary(p) for p in (ISNAN, ISINF, ISFINITE))
floor_divide = function(FLOOR_DIVIDE)
_where = function(WHERE)
_clamp = function(CLAMP)
_round = unary(ROUND)


def pow(x, y):  # noqa: A001 - PyTorch's name
    """``x ** y`` with PyTorch's node names: PowBackward0 (tensor ** number), 1 (tensor ** tensor),
    2 (number ** tensor)."""
    from ..tensor import Tensor

    if isinstance(x, Tensor):
        if y.__class__ is int and y < 0 and x._data.dtype.kind in "iu":  # numpy would wrap y (uint8) and go on
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        prim = POW_TENSOR if isinstance(y, Tensor) else POW
    elif isinstance(y, Tensor):
        prim = RPOW
    else:
        return function(POW)(x, y)
    return _apply(prim, (x, y))


def remainder(x, y):
    """Python's ``x % y`` (the sign of ``y``); node RemainderBackward0 for tensor % number,
    RemainderBackward1 for tensor % tensor, as PyTorch names them."""
    from ..tensor import Tensor

    if isinstance(x, Tensor) or isinstance(y, Tensor):
        return _apply(REMAINDER_TENSOR if isinstance(x, Tensor) and isinstance(y, Tensor) else REMAINDER, (x, y))
    return function(REMAINDER)(x, y)


def rsub(x, y):
    """``y - x`` (PyTorch's ``rsub``, the reflected subtraction ``number - tensor``)."""
    return _apply(RSUB, (y, x))


def where(condition, x=None, y=None):
    """``x`` where ``condition`` holds, else ``y`` (a ``Piecewise`` for SymPy input)."""
    if x is None and y is None:
        from .indexing import nonzero

        return nonzero(condition, as_tuple=True)
    if isinstance(condition, Tensor) and condition._data.dtype != bool:
        _check_condition(condition._data.dtype)
    return _where(condition, x, y)


def _check_condition(dtype: np.dtype) -> None:
    """PyTorch's where takes a bool condition, and a uint8 one with a deprecation warning."""
    if dtype != np.uint8:
        name = SCALAR_TYPE_NAMES[from_numpy_dtype(dtype).name]
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype {name}")
    warnings.warn("where received a uint8 condition tensor. This behavior is deprecated and will be removed in a "
                  "future version of PyTorch. Use a boolean condition instead.", UserWarning, stacklevel=3)


def clamp(x, min=None, max=None):  # noqa: A002 - PyTorch's names
    """Limit values to ``[min, max]``; the gradient passes where the value was inside."""
    if min is None and max is None:
        raise RuntimeError("At least one of 'min' or 'max' must not be None")
    from ..tensor import Tensor

    if isinstance(min, Tensor) or isinstance(max, Tensor):
        from .pointwise import clamp_tensors

        return clamp_tensors(x, min, max)
    return _clamp(x, min=min, max=max)


clip = clamp


def round(x, decimals: int = 0):  # noqa: A001 - PyTorch's name
    return _round(x) if decimals == 0 else _round(x * 10.0**decimals) / 10.0**decimals


def square(x):
    return pow(x, 2)


def _apply(prim, args):
    from ._primitive import apply

    return apply(prim, args)
