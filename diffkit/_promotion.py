"""PyTorch's type promotion, on numpy dtypes, for the cases where numpy's differs.

numpy computes floating functions of bool/int8/uint8 in float16 (PyTorch: the default dtype),
lets a 0-d array widen a dimensioned one of the same kind (``int32 + tensor(1)`` is int64 in
numpy, int32 in PyTorch), and promotes ``int64 + float16`` to float64 (PyTorch: float16). PyTorch
ranks operands in three tiers: dimensioned tensors, then 0-d tensors, then Python numbers; a
lower tier counts only when it is of a higher category (bool < integer < float < complex).
``apply`` calls this only for results other than float32 and float64, so the hot path pays one
dtype comparison.
"""
from __future__ import annotations

import numpy as np

from ._dtypes import get_default_dtype

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}
_BOOL, _INT64 = np.dtype(np.bool_), np.dtype(np.int64)


def default_complex() -> np.dtype:
    """complex64 when the default dtype is float32 (or float16), else complex128, as PyTorch."""
    return np.dtype(np.complex128 if get_default_dtype().np == np.float64 else np.complex64)


def _complex_of(d: np.dtype) -> np.dtype:
    return np.dtype(np.complex128 if d == np.float64 else np.complex64)


def can_cast(src: np.dtype, dst: np.dtype) -> bool:
    """PyTorch's canCast for in-place results: never to a lower category (float to integer, anything
    to bool); within one, any width and signedness (an int64 result into uint8 is fine; numpy's
    "same_kind" refuses it)."""
    return _CATEGORY.get(src.kind, 0) <= _CATEGORY.get(dst.kind, 3)


def promote(a: np.dtype | None, b: np.dtype | None) -> np.dtype | None:
    """PyTorch's promote_types: numpy's within a category; across categories the higher one wins
    (a float keeps its width against any integer), a float's width carrying into complex."""
    if a is None or a == b:
        return b
    if b is None:
        return a
    ca, cb = _CATEGORY[a.kind], _CATEGORY[b.kind]
    if ca == cb:
        return np.promote_types(a, b)
    high, low = (a, b) if ca > cb else (b, a)
    if high.kind == "c" and low.kind == "f":
        return np.promote_types(high, _complex_of(low))
    return high


def _combine(higher: np.dtype | None, lower: np.dtype | None) -> np.dtype | None:
    """A tier with a lower one: the lower counts only if of a higher category (c10's combine_categories)."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    ch, cl = _CATEGORY[higher.kind], _CATEGORY[lower.kind]
    if ch == 3:
        return higher
    if cl == 3:
        return _complex_of(higher) if ch == 2 else lower
    if ch == 2:
        return higher
    return promote(higher, lower) if ch == 0 or cl == 2 else higher


def scalar_dtype(value) -> np.dtype:
    """The dtype PyTorch gives a Python number (a numpy scalar keeps its own)."""
    if isinstance(value, np.generic):
        return value.dtype
    if isinstance(value, bool):
        return _BOOL
    if isinstance(value, int):
        return _INT64
    if isinstance(value, float):
        return get_default_dtype().np
    return default_complex()


def list_dtype(data, array: np.ndarray) -> np.dtype:
    """The dtype PyTorch infers for nested lists that numpy made ``array`` of: each element's own
    (a Python float the default dtype, a numpy scalar or a tensor its dtype), promoted together."""
    leaves = data if array.ndim == 1 else np.array(data, dtype=object).ravel()  # a flat list needs no object array
    result = None
    for kind in set(map(type, leaves)):  # the distinct element types, a handful
        if issubclass(kind, np.generic):
            result = promote(result, np.dtype(kind))
        elif issubclass(kind, np.ndarray):  # 0-d tensors' data inside the list
            result = promote(result, np.result_type(*{v.dtype for v in leaves if type(v) is np.ndarray}))
        elif kind in (bool, int, float, complex):
            result = promote(result, scalar_dtype(kind()))
    if result is None:  # no element: [] is the default dtype
        return get_default_dtype().np if array.dtype.kind == "f" else array.dtype
    return result


def result_type(arrays) -> np.dtype | None:
    """PyTorch's result type of operands given as arrays (tensors' data) and numbers."""
    dim = zero = wrapped = None
    for a in arrays:
        if a.__class__ is np.ndarray:
            if a.ndim:
                dim = promote(dim, a.dtype)
            else:
                zero = promote(zero, a.dtype)
        elif isinstance(a, np.generic):  # a numpy scalar operand is a Python number to PyTorch
            wrapped = promote(wrapped, scalar_dtype(a.item()))
        elif isinstance(a, (int, float, complex)):
            wrapped = promote(wrapped, scalar_dtype(a))
    return _combine(dim, _combine(zero, wrapped))


def wrapped_ints(arrays: list) -> list:
    """Python ints cast (modulo 2^bits) to the integer dtype of the result, as PyTorch casts a
    wrapped number: ``uint8 tensor - 1`` subtracts 255 and wraps around (numpy refuses)."""
    target = result_type(arrays)
    if target is None or target.kind not in "iu":
        return arrays
    return [np.array(a, dtype=np.int64).astype(target)[()] if a.__class__ is int else a for a in arrays]


_C_TYPES = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int", "int64": "int64_t"}


def written_number(value, dtype: np.dtype):
    """A Python number written into an integer tensor (fill_, masked_fill, setitem) as PyTorch converts it:
    it must fit (a float truncated, NaN and inf never), but an int into uint8 may be -255..-1 and wraps
    around. numpy raised OverflowError, or ValueError for NaN."""
    if value.__class__ not in (int, float) or dtype.kind not in "iu":
        return value
    info = np.iinfo(dtype)
    wraps = dtype == np.uint8 and value.__class__ is int
    if not (-info.max if wraps else info.min) <= value <= info.max:
        raise RuntimeError(f"value cannot be converted to type {_C_TYPES.get(dtype.name, dtype.name)} without overflow")
    return np.array(value).astype(dtype)[()] if wraps else value


def elementwise_result(prim, out: np.ndarray, arrays: list, params: dict) -> np.ndarray:
    """``out`` (numpy's result of an elementwise primitive) in PyTorch's dtype: recomputed from inputs
    cast to it when numpy computed in another precision (float16 for sin of uint8), as PyTorch does."""
    dt = out.dtype
    kind = dt.kind
    if kind == "b":  # comparisons and logic: bool in both
        return out
    for a in arrays:
        if a.__class__ is np.ndarray and a.dtype is not dt:
            break
    else:  # every tensor already of the result's dtype (int32 + 1): numpy agrees with PyTorch
        return out
    target = result_type(arrays)
    if target is None:
        return out
    if kind in "fc" and target.kind in "biu":  # a floating function of integers: the default dtype
        target = get_default_dtype().np if kind == "f" else default_complex()
    if target == out.dtype:
        return out
    # every array input in the target dtype (where's condition too: a 0/1 array selects alike)
    cast = [a.astype(target) if a.__class__ is np.ndarray and a.dtype != target else a for a in arrays]
    result = np.asarray(prim.forward(*cast, **params))
    return result if result.dtype == target else result.astype(target)
