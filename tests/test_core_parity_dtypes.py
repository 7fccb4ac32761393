"""Type promotion as PyTorch does it: Python numbers and 0-d tensors do not widen dimensioned
tensors of the same kind, integer division gives the default float, and so on."""
from __future__ import annotations

import numpy as np
import pytest

import diffkit as dk

torch = pytest.importorskip("torch")


def _operands(m) -> dict:
    return {
        "i": m.tensor([1, 2]), "f": m.tensor([1.5, 2.5]), "d": m.tensor([1.5, 2.5], dtype=m.float64),
        "b": m.tensor([True, False]), "i0": m.tensor(3), "f0": m.tensor(1.5),
        "d0": m.tensor(1.5, dtype=m.float64), "b0": m.tensor(True),
        "u8": m.tensor([1, 200], dtype=m.uint8), "i8": m.tensor([1, -3], dtype=m.int8),
        "s": m.tensor([1, 3], dtype=m.int16), "i32": m.tensor([1, 2], dtype=m.int32),
        "h": m.tensor([1.5, 2.5], dtype=m.float16),
        "z": m.tensor([3 + 4j, 1 - 1j], dtype=m.complex128), "z64": m.tensor([3 + 4j, 1 - 1j], dtype=m.complex64),
    }


EXPRESSIONS = [
    "i + f", "i + 1.5", "i + d0", "f + d0", "f + d", "f0 + d0", "d0 - f", "f0 * d", "i0 / i0",
    "i / i", "i / 2", "1 / i", "1.0 / i", "i // 2", "i * 2", "i * 2.0", "1 - i", "2.5 - i", "i % 2", "f % 2",
    "b + b", "b + 1", "b + 1.5", "b * i", "i + i0", "f + i0", "i0 + f0", "i0 + d0", "b0 + i0", "i + True",
    "m.exp(i)", "i.sqrt()", "i.sigmoid()", "i.tanh()", "i.relu()", "i.floor()", "f.floor()", "i.sign()",
    "i.round()", "i.reciprocal()", "i.rsqrt()", "i.abs()", "-i",
    "i ** 2", "i ** 0.5", "2 ** i", "2.0 ** i", "f ** i", "i ** f", "d ** f0",
    "i.sum()", "b.sum()", "f.mean()", "i.prod()", "b.prod()", "i.max()", "i.amax()", "f.argmax()",
    "f.sum(dtype=m.float64)", "i.double()", "f.long()", "f.to(m.float64)", "b.float()",
    "i == f", "i < 1.5", "m.where(b, i, f)", "m.where(b, i, 2.5)", "m.where(b, f, d0)", "m.maximum(i, f)",
    "i.clamp(0, 1)", "f.clamp(0, 1)", "m.cat([i, f])", "m.stack([i, f])", "i @ i", "d @ d",
    "i + np.float64(1.5)", "f * np.array([1.0, 2.0])", "m.tensor(np.float64(2.5))", "m.tensor(np.int64(2))",
    "m.tensor([1, 2.5])", "m.tensor([True, 2])", "m.arange(3)", "m.arange(0.5, 2)", "m.linspace(0, 1, 3)",
    "m.full((2,), 7)", "m.full((2,), 7.0)", "m.full((2,), True)", "m.zeros(2)", "m.randint(0, 3, (2,))",
    # a Python int outside the tensor's integer dtype wraps around (numpy raised OverflowError)
    "u8 + 300", "u8 * -1", "-3 + u8", "-1 - u8", "u8 // -1", "u8 % -3", "i8 + 200", "i8 * -300", "u8 & -2",
    # integers to negative exponents in a tensor: +-1 keep their magnitude, other bases give 0 (numpy raised)
    "m.tensor([2, -2, 1, -1, 0, 3, -1]) ** m.tensor([-1, -1, -3, -3, -1, -2, -2])", "2 ** m.tensor([-1, 3])",
    "i8 ** m.tensor(-1, dtype=m.int8)",
]
# floating functions of bool and small integers: the default dtype, computed in it (numpy: float16)
FLOAT_FUNCTIONS = ["sin", "cos", "tan", "asin", "atan", "sinh", "cosh", "tanh", "exp", "expm1", "log", "log1p",
                   "sqrt", "rsqrt", "reciprocal", "sigmoid"]
EXPRESSIONS += [f"m.{fn}({x})" for fn in FLOAT_FUNCTIONS for x in ("b", "u8", "i8", "s")]
EXPRESSIONS += [
    "u8 / u8", "b / b", "i8 / 2", "1 / u8", "h.sigmoid()", "h.exp()", "m.sign(b)",
    # integer and bool reductions accumulate in int64 (numpy: uint64 for uint8)
    "u8.sum()", "u8.sum(0)", "u8.prod()", "i8.sum()", "s.prod()", "b.sum(0, keepdim=True)", "i32.sum()",
    # a 0-d tensor does not widen a dimensioned one of its category; a Python float gives the default dtype
    "i32 + i0", "i0 * i32", "i8 + i0", "u8 + i0", "i32 // i0", "m.maximum(i32, i0)", "i32 + b0",
    "i32 + 1.5", "i8 * 2.5", "u8 + i8", "h + d0", "h + i", "h * 2.0", "i32 + f0", "b + i0",
    "f * 1j", "i * 1j", "m.where(b, i32, i0)",
    # the modulus of complex data is its real part's float; complex mixes with floats
    "z.abs()", "z64.abs()", "m.abs(z)", "z * f", "z64 * d", "z64 + h", "z.abs() * f",
    # complex data follows the default dtype
    "m.tensor([1 + 2j])", "m.tensor(1j)", "m.tensor([1, 2j])",
    # Python's types as dtypes: float is float64, int int64, bool bool
    "m.zeros(2, dtype=float)", "m.ones(2, dtype=int)", "m.tensor([1, 2], dtype=float)", "m.arange(3, dtype=float)",
    "f.to(float)", "f.to(dtype=int)", "i.to(bool)", "m.full((2,), 1, dtype=float)", "m.zeros(2, dtype=bool)",
    # a tensor bound of arange keeps its dtype's kind; numpy scalars in lists keep their dtype
    "m.arange(m.tensor(4))", "m.arange(m.tensor(1), 5)", "m.arange(m.tensor(4.0))", "m.tensor([np.float64(1.0)])",
    "m.tensor([np.float32(1.0), 2])", "m.tensor([np.int32(1)])", "m.tensor([1, np.float64(2.0)])",
    "m.tensor([[np.float64(1.0)], [2.0]])", "m.tensor([])", "m.tensor([np.float16(1.0), 2.0])",
    # the legacy type names
    "f.type('torch.LongTensor')", "i.type('torch.FloatTensor')", "i.type('torch.DoubleTensor')",
    "f.type('torch.IntTensor')", "i.type('torch.BoolTensor')", "f.type('torch.HalfTensor')",
]


def _evaluate(m, expression: str):
    return eval(expression, {"m": m, "np": np}, _operands(m))


@pytest.mark.filterwarnings("ignore:__array_wrap__")  # torch's, for torch tensor * ndarray
@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_result_dtype_and_values_match_torch(expression: str) -> None:
    ours, theirs = _evaluate(dk, expression), _evaluate(torch, expression)
    assert repr(ours.dtype) == repr(theirs.dtype).replace("torch", "diffkit")
    if "rand" not in expression:
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize("expression", ["i / i", "i + 1.5", "m.exp(i)", "m.tensor([1.5])", "m.zeros(2)",
                                        "m.arange(0.5, 2)", "i.sum() * 0.5", "f + 1.5", "m.sin(u8)", "u8 / u8",
                                        "m.sigmoid(b)", "m.tensor([1 + 2j])", "m.tensor(1j)", "i * 1j",
                                        "m.zeros(2, dtype=float)", "m.tensor([np.float32(1.0)])"])
def test_default_dtype_float64_matches_torch(expression: str) -> None:
    dk.set_default_dtype(dk.float64)
    torch.set_default_dtype(torch.float64)
    try:
        ours, theirs = _evaluate(dk, expression), _evaluate(torch, expression)
    finally:
        dk.set_default_dtype(dk.float32)
        torch.set_default_dtype(torch.float32)
    assert repr(ours.dtype) == repr(theirs.dtype).replace("torch", "diffkit")
    assert dk.get_default_dtype() is dk.float32


def test_integer_sums_print_and_unsigned_dtypes_exist() -> None:
    """uint8.sum() gave uint64, a numpy dtype without a diffkit dtype: its repr and .dtype raised."""
    total = dk.tensor([200, 100], dtype=dk.uint8).sum()
    assert repr(total) == "tensor(300)" and total.dtype is dk.int64
    for name in ("uint16", "uint32", "uint64"):
        ours, theirs = dk.tensor([1, 2], dtype=getattr(dk, name)), torch.tensor([1, 2], dtype=getattr(torch, name))
        assert repr(ours) == repr(theirs).replace("torch", "diffkit")
        assert ours.type() == theirs.type().replace("torch", "diffkit")


@pytest.mark.parametrize("expression", ["u8.add_(i)", "u8.mul_(m.tensor([2, 3]))", "u8.sub_(i8)"])
def test_in_place_integer_results_cast_within_their_category(expression: str) -> None:
    """PyTorch's canCast: a signed result goes into a uint8 tensor (numpy's same_kind refused it)."""
    ours, theirs = _evaluate(dk, expression), _evaluate(torch, expression)
    assert repr(ours) == repr(theirs).replace("torch", "diffkit")


def _written(m, how: str, dtype_name: str, value: int) -> list:
    t = m.zeros(2, dtype=getattr(m, dtype_name))
    if how == "fill_":
        t.fill_(value)
    elif how == "setitem":
        t[0] = value
    else:
        t.masked_fill_(m.tensor([True, False]), value)
    return t.tolist()


@pytest.mark.parametrize("how", ["fill_", "setitem", "masked_fill_"])
@pytest.mark.parametrize("dtype_name, value", [("uint8", -1), ("uint8", -255), ("uint8", 256), ("int8", 128),
                                               ("int16", 40000), ("int32", 2**31), ("int64", float("nan")),
                                               ("uint8", -1.5), ("int8", 300.0), ("int64", float("inf"))])
def test_python_numbers_written_into_integer_tensors(how, dtype_name, value) -> None:
    """Values must fit, but ints into uint8 may be -255..-1 (they wrap): else PyTorch's RuntimeError,
    not numpy's OverflowError (or ValueError for NaN)."""
    try:
        theirs = _written(torch, how, dtype_name, value)
    except RuntimeError as error:
        with pytest.raises(RuntimeError, match=str(error)):
            _written(dk, how, dtype_name, value)
        return
    assert _written(dk, how, dtype_name, value) == theirs
