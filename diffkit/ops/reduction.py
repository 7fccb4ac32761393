"""Reductions (sum, mean, prod, var, std, max, logsumexp, ...); the softmax family is in softmax_family.py.

Each VJP first restores the reduced dimensions of the incoming gradient (``_restore``) and
lets broadcasting spread it over the input, so every rule is one line of tensor algebra.
"""
from __future__ import annotations

import builtins
import math

import numpy as np

from .. import _dtypes, return_types
from ..tensor import Tensor, _wrap
from ._primitive import defprim, function, variant
from .elementwise import exp


def _axes(dim, ndim: int) -> tuple:
    if dim is None:
        return tuple(range(ndim))
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    bound = builtins.max(ndim, 1)
    for d in dims:
        if not -bound <= d < bound:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-bound}, {bound - 1}], but got {d})")
    return tuple(sorted(d % ndim for d in dims)) if ndim else ()


def _np_axis(dim):
    return tuple(dim) if isinstance(dim, list) else dim


def _dim_arg(x, dim):
    """PyTorch's reading of ``dim``: a list is a tuple, an empty one reduces every dimension,
    and a 0-d tensor's dim 0 or -1 reduces nothing (numpy's mean/var/std reject that axis)."""
    dim = _np_axis(dim)
    if dim == ():
        return None
    if dim is not None and np.ndim(x) == 0:
        _axes(dim, 0)  # PyTorch's IndexError beyond [-1, 0]
        return ()
    return dim


def _kept_shape(shape: tuple, dim) -> tuple:
    axes = _axes(dim, len(shape))
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def _restore(g, shape: tuple, dim, keepdim: bool):
    """Reshape a reduced gradient so that it broadcasts against the input again."""
    from .shape import reshape

    if keepdim or not shape:
        return g
    return reshape(g, _kept_shape(shape, dim))


def _count(shape: tuple, dim) -> int:
    """How many elements a reduction over ``dim`` combines into each result."""
    return math.prod(shape) if dim is None else math.prod([shape[a] for a in _axes(dim, len(shape))])


def _expand(g, shape, dim, keepdim):
    if g.__class__ is not np.ndarray and isinstance(g, np.generic):  # a 0-d array's product is a numpy scalar
        g = np.asarray(g)
    if g.__class__ is np.ndarray:  # the backward pass on arrays: a broadcast view, no dispatch
        if g.ndim == 0:  # a full reduction's gradient: broadcast_to's view without its Python (1.8 against 4.7 us)
            view = np.ndarray(shape, g.dtype, g, 0, (0,) * len(shape))
            view.flags.writeable = False
            return view
        return np.broadcast_to(g if keepdim or not shape else g.reshape(_kept_shape(shape, dim)), shape)
    from .shape import expand

    return expand(_restore(g, shape, dim, keepdim), shape)


def _accumulator(x):
    """int64 for bool and integers, as PyTorch sums and multiplies them (numpy: uint64 for uint8)."""
    return np.int64 if x.__class__ is np.ndarray and x.dtype.kind in "biu" else None


def _accumulated(ufunc: np.ufunc):
    """A sum or product (``ufunc``: add or multiply) in PyTorch's accumulator: int64 for integers, and
    float32 for float16, rounded once at the end (numpy's float16 sum over several axes rounds at every
    step). ``ufunc.reduce`` is what np.sum and np.prod call, without their 3 us of Python."""
    reduce = ufunc.reduce

    def forward(x, dim, keepdim, **_):
        if x.__class__ is np.ndarray and x.dtype == np.float16:
            return reduce(x, axis=_np_axis(dim), keepdims=keepdim, dtype=np.float32).astype(np.float16)
        return reduce(x, axis=_np_axis(dim), keepdims=keepdim, dtype=_accumulator(x))

    return forward


def _check_nonempty(name: str, x, dim) -> None:
    """PyTorch's errors for a max/min/argmax over no element (numpy's: "zero-size array ..."),
    and for argmax/argmin of booleans."""
    if name.startswith("arg") and getattr(x, "dtype", None) is _dtypes.bool:
        raise RuntimeError(f"{name}(): does not support bool input")
    shape = np.shape(x)
    if 0 not in shape:
        return
    if dim is None:
        message = f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
        if name.startswith("arg"):
            raise IndexError(message)
        raise RuntimeError(message + " Specify the reduction dim with the 'dim' argument.")
    for d in _axes(dim, len(shape)):
        if shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


SUM = defprim("sum", _accumulated(np.add),
              lambda g, out, x, dim, keepdim, shape: _expand(g, shape, dim, keepdim),
              jvp=lambda t, out, x, dim, keepdim, shape: sum(t, dim, keepdim), save="none",
              sympy=None, display="Σ {0}")
SUM_DIM = variant(SUM, "SumBackward1")
_EXACT_COUNT = {4: 1 << 24, 8: 1 << 53}  # itemsize -> n: the float holds every integer up to n exactly


def _mean_forward(x, dim, keepdim, shape):
    """numpy's mean; over no element NaN without numpy's "Mean of empty slice" warning (PyTorch is silent).
    For float32 and float64 numpy's own two steps (the pairwise sum, then the division), without its
    6 us of Python: the same numbers while the count is exact in x's dtype (numpy divides by it in float64;
    in float32 a count above 2^24 would round first)."""
    if x.__class__ is np.ndarray and x.dtype.kind == "f" and x.dtype.itemsize >= 4 and x.size:
        count = _count(x.shape, dim)
        if count <= _EXACT_COUNT[x.dtype.itemsize]:
            return np.add.reduce(x, axis=_np_axis(dim), keepdims=keepdim) / count
    if x.size:
        return np.mean(x, axis=_np_axis(dim), keepdims=keepdim)
    total = np.sum(x, axis=_np_axis(dim), keepdims=keepdim)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / _count(x.shape, dim)


def _mean_vjp(g, out, x, dim, keepdim, shape):
    """sum's gradient over the count, divided before it is spread: one division per result, not one per
    input element (over no element the spread gradient is empty, so nothing is divided by 0)."""
    count = _count(shape, dim)
    return _expand(g / count if count else g, shape, dim, keepdim)


MEAN = defprim("mean", _mean_forward, _mean_vjp,
               jvp=lambda t, out, x, dim, keepdim, shape: mean(t, dim, keepdim), save="none")
MEAN_DIM = variant(MEAN, "MeanBackward1")


def _prod_vjp(g, out, x, dim, keepdim):
    """d prod / d x_i = product of the others, computed without dividing by zero."""
    shape = x.shape
    g, out = _restore(g, shape, dim, keepdim), _restore(out, shape, dim, keepdim)
    if not isinstance(x, np.ndarray):  # Tensors (create_graph) and dual numbers
        if isinstance(x, Tensor) and not (x._data == 0).any():
            return g * out / x
        # with zeros (or values we cannot inspect), the product of the others as a graph of ops
        return g * _others_product(x, dim)
    values = x
    zeros = np.count_nonzero(values == 0)
    if not zeros:
        return g * out / x
    if dim is None and zeros > 1:  # every product of the others holds a zero: 0, even beside an inf (PyTorch)
        return np.zeros_like(values)
    axis = _np_axis(dim)
    others = np.empty_like(values)
    moved = np.moveaxis(values, axis, -1) if axis is not None else values.reshape(1, -1)
    left = np.cumprod(np.concatenate([np.ones_like(moved[..., :1]), moved[..., :-1]], -1), -1)
    right = np.flip(np.cumprod(np.concatenate([np.ones_like(moved[..., :1]),
                                               np.flip(moved, -1)[..., :-1]], -1), -1), -1)
    product = left * right
    others[...] = np.moveaxis(product, -1, axis) if axis is not None else product.reshape(values.shape)
    return g * others


def _others_product(x, dim):
    """For each element, the product of the others along ``dim``, as a graph of Tensor ops:
    row i of an n x n grid holds the slice with a 1 in place of x_i. O(n^2), so it serves only
    higher derivatives at inputs with zeros (the first derivative uses cumulative products)."""
    from .elementwise import where
    from .shape import expand, movedim, reshape, unsqueeze

    if dim is None:
        return reshape(_others_product(reshape(x, (-1,)), 0), x.shape)
    moved = movedim(x, dim, -1)
    n = moved.shape[-1]
    grid = expand(unsqueeze(moved, -2), (*moved.shape, n))
    return movedim(prod(where(np.eye(n, dtype=bool), 1.0, grid), -1), -1, dim)


def _tangent_of(vjp):
    """The JVP of a reduction whose VJP is (the restored g) × weights: the weighted sum of the
    tangent over the reduced dimensions, with the weights read off the VJP at g = 1."""

    def rule(t, out, x, **params):
        weights = vjp(out * 0 + 1, out, x, **params)
        return sum(weights * t, params["dim"], keepdim=params["keepdim"])

    return rule


PROD = defprim("prod", _accumulated(np.multiply),
               _prod_vjp,
               jvp=_tangent_of(_prod_vjp), save="both")
PROD_DIM = variant(PROD, "ProdBackward1")


def _sympy_map(name: str):
    """SymPy's ``name`` applied to every entry of an object array (for the symbolic rules below,
    whose numpy forwards compare values -- max-shifting, np.amax -- and cannot run on symbols)."""

    def apply(x):
        import sympy

        return np.frompyfunc(getattr(sympy, name), 1, 1)(x)

    return apply


_sym_exp, _sym_log, _sym_sqrt = _sympy_map("exp"), _sympy_map("log"), _sympy_map("sqrt")


def _sympy_extreme(name: str):
    """max/min over ``dim`` of an object array as SymPy's Max/Min (a Piecewise-like expression)."""

    def rule(x, dim, keepdim):
        import sympy

        pick = getattr(sympy, name)
        axes = _axes(dim, x.ndim)
        kept = tuple(d for d in range(x.ndim) if d not in axes)
        moved = np.transpose(x, kept + axes).reshape(tuple(x.shape[d] for d in kept) + (-1,))
        out = np.empty(moved.shape[:-1], dtype=object)
        for index in np.ndindex(out.shape):
            out[index] = pick(*moved[index])
        return out.reshape(_kept_shape(x.shape, dim)) if keepdim else out

    return rule


def _var_vjp(g, out, x, dim, correction, keepdim):
    n = _count(x.shape, dim)
    centred = x - mean(x, dim, keepdim=True)
    # PyTorch's 2 / (n - correction), negative past the degrees of freedom and inf at none
    factor = 2.0 / (n - correction) if n != correction else float("inf")
    return _restore(g, x.shape, dim, keepdim) * centred * factor


def _std_vjp(g, out, x, dim, correction, keepdim):
    n = _count(x.shape, dim)
    centred = x - mean(x, dim, keepdim=True)
    spread = _restore(out, x.shape, dim, keepdim) * (n - correction)  # past the degrees of freedom g / inf: 0
    from .elementwise import where

    # a constant slice has std 0: PyTorch gives it a zero gradient rather than 0/0
    return where(spread == 0, 0.0, _restore(g, x.shape, dim, keepdim) * centred / where(spread == 0, 1.0, spread))


VAR = defprim("var", lambda x, dim, correction, keepdim:
              np.var(x, axis=_np_axis(dim), ddof=correction, keepdims=keepdim), _var_vjp,
              jvp=_tangent_of(_var_vjp))
STD = defprim("std", lambda x, dim, correction, keepdim:
              np.std(x, axis=_np_axis(dim), ddof=correction, keepdims=keepdim), _std_vjp,
              jvp=_tangent_of(_std_vjp), save="both",
              sympy=lambda x, dim, correction, keepdim:
              _sym_sqrt(np.var(x, axis=_np_axis(dim), ddof=correction, keepdims=keepdim)))


def _even_share_vjp(g, out, x, dim, keepdim):
    """Gradient of max/min/amax/amin: shared evenly among the tied extreme values."""
    from .shape import cast_like

    mask = cast_like(x == _restore(out, x.shape, dim, keepdim), x)
    return _restore(g, x.shape, dim, keepdim) * mask / sum(mask, dim, keepdim=True)


AMAX = defprim("amax", lambda x, dim, keepdim: np.amax(x, axis=_np_axis(dim), keepdims=keepdim), _even_share_vjp,
               jvp=_tangent_of(_even_share_vjp), save="both", sympy=_sympy_extreme("Max"))
AMIN = defprim("amin", lambda x, dim, keepdim: np.amin(x, axis=_np_axis(dim), keepdims=keepdim), _even_share_vjp,
               jvp=_tangent_of(_even_share_vjp), save="both", sympy=_sympy_extreme("Min"))
def _whole_share_vjp(g, out, x, dim, keepdim):
    """Gradient of max()/min() of a whole tensor: shared evenly among the inputs equal to the result,
    or among the NaN inputs when the result is NaN (PyTorch's evenly_distribute_backward; amax/amin
    share none there and give NaN, also as PyTorch)."""
    xs, result = (x._data, out._data) if isinstance(x, Tensor) else (np.asarray(x), np.asarray(out))
    hit = (xs == result) | (np.isnan(xs) & np.isnan(result))
    share = (hit / np.count_nonzero(hit)).astype(xs.dtype if xs.dtype.kind in "fc" else np.float64, copy=False)
    return g * (_wrap(share) if isinstance(x, Tensor) else share)


MAX_ALL = defprim("amax", AMAX.forward, _whole_share_vjp, jvp=_tangent_of(_whole_share_vjp), save="both",
                  node="MaxBackward1", sympy=AMAX.sympy)
MIN_ALL = defprim("amin", AMIN.forward, _whole_share_vjp, jvp=_tangent_of(_whole_share_vjp), save="both",
                  node="MinBackward1", sympy=AMIN.sympy)


def _logsumexp_forward(x, dim, keepdim):
    if x.size:
        m = np.amax(x, axis=_np_axis(dim), keepdims=True)
    else:  # over no element: log(0) = -inf, as PyTorch
        m = np.zeros(_kept_shape(x.shape, dim), dtype=x.dtype)
    m = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(x - m), axis=_np_axis(dim), keepdims=True)) + m
    return out if keepdim else np.squeeze(out, axis=_axes(dim, x.ndim))


def _logsumexp_vjp(g, out, x, dim, keepdim):
    return _restore(g, x.shape, dim, keepdim) * exp(x - _restore(out, x.shape, dim, keepdim))


LOGSUMEXP = defprim("logsumexp", _logsumexp_forward, _logsumexp_vjp, jvp=_tangent_of(_logsumexp_vjp), save="both",
                    sympy=lambda x, dim, keepdim: _sym_log(np.sum(_sym_exp(x), axis=_np_axis(dim), keepdims=keepdim)))


ARGMAX = defprim("argmax", lambda x, dim, keepdim: np.argmax(x, axis=dim, keepdims=keepdim))
ARGMIN = defprim("argmin", lambda x, dim, keepdim: np.argmin(x, axis=dim, keepdims=keepdim))
ALL = defprim("all", lambda x, dim, keepdim: np.all(x, axis=_np_axis(dim), keepdims=keepdim))
ANY = defprim("any", lambda x, dim, keepdim: np.any(x, axis=_np_axis(dim), keepdims=keepdim))


def _reduce(prim, prim_dim, x, dim, keepdim, **params):
    dim = _dim_arg(x, dim)
    return function(prim if dim is None else prim_dim)(x, dim=dim, keepdim=keepdim, **params)


def _shape(x) -> tuple:
    """np.shape without its 1.8 us for a Tensor (whose .shape builds a Size)."""
    return x._data.shape if x.__class__ is Tensor else np.shape(x)


def _in_dtype(out, dtype):
    """The result in the requested ``dtype``: integers accumulate in int64 unless one is asked for."""
    return out if dtype is None else out.to(dtype)


def sum(x, dim=None, keepdim: bool = False, dtype=None):  # noqa: A001 - PyTorch's name
    """Sum over ``dim`` (an int, a tuple, or None for all); ``keepdim`` keeps reduced axes as 1."""
    if dtype is not None:
        x = x.to(dtype)
    return _in_dtype(_reduce(SUM, SUM_DIM, x, dim, keepdim, shape=_shape(x)), dtype)


def mean(x, dim=None, keepdim: bool = False, dtype=None):
    if dtype is not None:
        x = x.to(dtype)
    if getattr(x, "is_floating_point", lambda: True)() is False:
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {_dtypes.scalar_type_name(x.dtype)}")
    return _reduce(MEAN, MEAN_DIM, x, dim, keepdim, shape=_shape(x))


def prod(x, dim=None, keepdim: bool = False, dtype=None):
    if dtype is not None:
        x = x.to(dtype)
    return _in_dtype(_reduce(PROD, PROD_DIM, x, dim, keepdim), dtype)


def _correction(unbiased, correction) -> int:
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def _check_floating(x) -> None:
    if getattr(x, "is_floating_point", lambda: True)() is False:
        raise RuntimeError("std and var only support floating point and complex dtypes")


def var(x, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """Variance with Bessel's correction by default (``correction=1``), as PyTorch."""
    _check_floating(x)
    return function(VAR)(x, dim=_dim_arg(x, dim), correction=_correction(unbiased, correction), keepdim=keepdim)


def std(x, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    _check_floating(x)
    return function(STD)(x, dim=_dim_arg(x, dim), correction=_correction(unbiased, correction), keepdim=keepdim)


def var_mean(x, dim=None, unbiased=None, keepdim: bool = False, *, correction=None) -> tuple:
    """(variance, mean) over ``dim``. Two nodes here (VarBackward0, MeanBackward1) where PyTorch
    records one VarMeanBackward0; the values and gradients are the same."""
    return var(x, dim, unbiased, keepdim, correction=correction), mean(x, _np_axis(dim), keepdim)


def std_mean(x, dim=None, unbiased=None, keepdim: bool = False, *, correction=None) -> tuple:
    """(standard deviation, mean) over ``dim``."""
    return std(x, dim, unbiased, keepdim, correction=correction), mean(x, _np_axis(dim), keepdim)


def amax(x, dim=(), keepdim: bool = False):
    dim = _dim_arg(x, dim)
    _check_nonempty("amax", x, dim)
    return function(AMAX)(x, dim=dim, keepdim=keepdim)


def amin(x, dim=(), keepdim: bool = False):
    dim = _dim_arg(x, dim)
    _check_nonempty("amin", x, dim)
    return function(AMIN)(x, dim=dim, keepdim=keepdim)


def _extreme(all_prim, arg_fn, x, dim, keepdim, other):
    from .elementwise import maximum, minimum

    if other is not None or hasattr(dim, "shape"):  # max(a, b) is the elementwise maximum
        return (maximum if all_prim is MAX_ALL else minimum)(x, dim if other is None else other)
    _check_nonempty("max" if all_prim is MAX_ALL else "min", x, dim)
    if dim is None:
        return function(all_prim)(x, dim=None, keepdim=False)
    values = function(MAX_DIM if all_prim is MAX_ALL else MIN_DIM)(x, dim=dim, keepdim=keepdim)
    pair = return_types.max if all_prim is MAX_ALL else return_types.min
    return pair(values, arg_fn(x, dim, keepdim))


def max(x, dim=None, keepdim: bool = False, *, other=None):  # noqa: A001 - PyTorch's name
    """``max(x)`` the largest value; ``max(x, dim)`` a (values, indices) pair; ``max(a, b)`` elementwise."""
    return _extreme(MAX_ALL, argmax, x, dim, keepdim, other)


def min(x, dim=None, keepdim: bool = False, *, other=None):  # noqa: A001 - PyTorch's name
    return _extreme(MIN_ALL, argmin, x, dim, keepdim, other)


def _selecting_vjp(arg):
    """Gradient of ``max(x, dim)``/``min(x, dim)``: all of it goes to the index they return
    (the first extreme value), as PyTorch's MaxBackward0 does -- unlike ``amax``, which shares."""

    def rule(g, out, x, dim, keepdim):
        values = np.asarray(x._data if hasattr(x, "_data") else x)
        if not values.ndim:  # a 0-d tensor is its own extreme
            return g
        chosen = np.zeros(values.shape, dtype=values.dtype)
        np.put_along_axis(chosen, np.expand_dims(arg(values, axis=dim), dim), 1, axis=dim)
        return _restore(g, values.shape, dim, keepdim) * chosen

    return rule


MAX_DIM = defprim("max", AMAX.forward, _selecting_vjp(np.argmax), jvp=_tangent_of(_selecting_vjp(np.argmax)),
                  node="MaxBackward0", sympy=AMAX.sympy)
MIN_DIM = defprim("min", AMIN.forward, _selecting_vjp(np.argmin), jvp=_tangent_of(_selecting_vjp(np.argmin)),
                  node="MinBackward0", sympy=AMIN.sympy)


def argmax(x, dim=None, keepdim: bool = False):
    _check_nonempty("argmax", x, dim)
    return function(ARGMAX)(x, dim=dim, keepdim=keepdim)


def argmin(x, dim=None, keepdim: bool = False):
    _check_nonempty("argmin", x, dim)
    return function(ARGMIN)(x, dim=dim, keepdim=keepdim)


def all(x, dim=None, keepdim: bool = False):  # noqa: A001 - PyTorch's name
    return function(ALL)(x, dim=dim, keepdim=keepdim)


def any(x, dim=None, keepdim: bool = False):  # noqa: A001 - PyTorch's name
    return function(ANY)(x, dim=dim, keepdim=keepdim)


def logsumexp(x, dim, keepdim: bool = False):
    """log(sum(exp(x))) over ``dim``, computed without overflow."""
    return function(LOGSUMEXP)(x, dim=_dim_arg(x, dim), keepdim=keepdim)


def norm(x, p=2, dim=None, keepdim: bool = False):
    """The vector p-norm (2 by default; also 1, inf, 0 or any p) over ``dim``: one primitive
    (ops/norms.py), whose gradient at a zero vector is 0 as in PyTorch."""
    from .norms import vector_norm

    return vector_norm(x, p, dim, keepdim)


def count_nonzero(x, dim=None):
    return sum(x != 0, None if _np_axis(dim) == () else dim)
