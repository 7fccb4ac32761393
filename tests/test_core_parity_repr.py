"""Printing parity with PyTorch: repr and str of many tensors, string for string, after
replacing ``torch`` by ``diffkit`` in PyTorch's output."""
from __future__ import annotations

import numpy as np
import pytest

import diffkit as dk

torch = pytest.importorskip("torch")

SPECIAL = [np.nan, np.inf, -np.inf, -0.0, 0.0]


def _values(rng, shape: tuple, kind: str) -> np.ndarray:
    """Random values of one character: tiny, huge, integral, mixed scales, with specials."""
    if kind == "bool":
        return rng.random(shape) < 0.5
    if kind == "int64":
        return rng.integers(-(10 ** rng.integers(1, 12)), 10 ** rng.integers(1, 12), shape)
    scale = 10.0 ** rng.integers(-12, 13)
    style = rng.integers(5)
    if style == 0:  # integral values
        values = np.round(rng.standard_normal(shape) * min(scale, 1e6))
    elif style == 1:  # values spanning many orders of magnitude
        values = rng.standard_normal(shape) * 10.0 ** rng.uniform(-6, 6, shape)
    else:
        values = rng.standard_normal(shape) * scale
    if values.size and rng.random() < 0.3:  # nan, inf, negative zero
        flat = values.reshape(-1)
        picks = rng.integers(0, flat.size, rng.integers(1, 4))
        flat[picks] = rng.choice(SPECIAL, picks.size)
    return values.astype(kind)


def _shape(rng) -> tuple:
    if rng.random() < 0.1:  # big enough to be summarised with "..."
        return [(1001,), (40, 30), (11, 11, 11), (2, 600), (3, 400, 1)][rng.integers(5)]
    return tuple(int(s) for s in rng.integers(0, 6, rng.integers(0, 5)))


def _pair(values: np.ndarray, autograd: str):
    """The same tensor in both libraries; ``autograd`` adds requires_grad or a grad_fn."""
    ours, theirs = dk.tensor(values), torch.tensor(values)
    if autograd != "none" and values.dtype.kind == "f":
        ours.requires_grad_()
        theirs.requires_grad_()
        if autograd == "grad_fn":
            ours, theirs = ours * 1, theirs * 1
    return ours, theirs


def _assert_prints_alike(ours, theirs) -> None:
    for show in (repr, str):
        assert show(ours) == show(theirs).replace("torch", "diffkit")


@pytest.mark.parametrize("block", range(8))
def test_random_tensors_print_as_torch(block: int) -> None:
    rng = np.random.default_rng(block)
    for _ in range(60):
        kind = ["float32", "float64", "int64", "bool"][rng.integers(4)]
        values = _values(rng, _shape(rng), kind)
        _assert_prints_alike(*_pair(values, ["none", "requires_grad", "grad_fn"][rng.integers(3)]))


EDGE_CASES = {
    "0-d float": np.array(3.5, dtype=np.float32),
    "0-d negative zero": np.array(-0.0, dtype=np.float32),
    "negative zeros": np.array([-0.0, 0.0, 1.0], dtype=np.float32),
    "0-d int": np.array(7),
    "0-d bool": np.array(True),
    "0-d nan": np.array(np.nan, dtype=np.float32),
    "integral floats": np.array([1.0, 4.0, 7.0, 10.0], dtype=np.float32),
    "tiny": np.array([1e-5, 1.0], dtype=np.float32),
    "below 1e-4": np.array([0.00012, 1.5], dtype=np.float32),
    "huge": np.array([1e10, 1.0], dtype=np.float32),
    "ratio 1000": np.array([1.0, 1000.0], dtype=np.float32),
    "ratio over 1000": np.array([1.0, 1001.0], dtype=np.float32),
    "specials": np.array([np.nan, 1.0, np.inf, -np.inf], dtype=np.float32),
    "only nan": np.array([np.nan, np.nan], dtype=np.float32),
    "float64 extremes": np.array([1e-300, 1e300]),
    "int64 large": np.array([2 ** 60, -3]),
    "empty": np.zeros((0,), dtype=np.float32),
    "empty 2-d": np.zeros((0, 3), dtype=np.float32),
    "empty 3-d float64": np.zeros((2, 0, 3)),
    "empty int": np.zeros((0,), dtype=np.int64),
    "empty bool": np.zeros((0,), dtype=bool),
    "summarised vector": np.arange(2000, dtype=np.float32) / 7,
    "summarised matrix": np.arange(1200).reshape(40, 30),
    "summarised cube": np.linspace(-1, 1, 1331, dtype=np.float32).reshape(11, 11, 11),
    "wide rows": np.linspace(-100, 100, 90, dtype=np.float32).reshape(3, 30),
    "float64 wraps its dtype": np.linspace(-3, 3, 60).reshape(3, 4, 5),
}


@pytest.mark.parametrize("autograd", ["none", "requires_grad", "grad_fn"])
@pytest.mark.parametrize("name", list(EDGE_CASES))
def test_edge_cases_print_as_torch(name: str, autograd: str) -> None:
    _assert_prints_alike(*_pair(EDGE_CASES[name], autograd))


def test_default_dtype_float64_moves_the_dtype_suffix() -> None:
    dk.set_default_dtype(dk.float64)
    torch.set_default_dtype(torch.float64)
    try:
        for values in (np.array([1.5, 2.0]), np.array([1.5, 2.0], dtype=np.float32), np.array(2.0)):
            _assert_prints_alike(dk.tensor(values), torch.tensor(values))
        _assert_prints_alike(dk.tensor([1.25, 3.0]), torch.tensor([1.25, 3.0]))
    finally:
        dk.set_default_dtype(dk.float32)
        torch.set_default_dtype(torch.float32)


def test_sizes_dtypes_and_grad_fns_print_as_torch() -> None:
    x = dk.ones(2, 3, requires_grad=True)
    assert repr(x.shape) == str(x.size()) == "diffkit.Size([2, 3])"
    assert repr(dk.Size([])) == "diffkit.Size([])"
    assert [repr(d) for d in (dk.float32, dk.float64, dk.int64, dk.bool)] == \
        ["diffkit.float32", "diffkit.float64", "diffkit.int64", "diffkit.bool"]
    assert repr((x ** 2).sum()).endswith("grad_fn=<SumBackward0>)")
    assert repr(x.grad_fn) == "None"


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_tensors_print_as_pytorch_prints_them(dtype) -> None:
    """Printing a complex tensor raised TypeError; now real and imaginary parts are formatted apart."""
    rng = np.random.default_rng(5)
    for values in ([1 + 2j], [1.5 + 2j, 3 - 1j], [0.1 + 1e-5j, 100 + 0j], 2 + 3j, [complex("nan+1j"), -0.0 - 0.0j],
                   rng.standard_normal((3, 4)) + 1j * rng.standard_normal((3, 4)), np.arange(30) * (1 + 1j)):
        theirs = repr(torch.tensor(values, dtype=getattr(torch, dtype))).replace("torch.", "diffkit.")
        assert repr(dk.tensor(values, dtype=getattr(dk, dtype))) == theirs


@pytest.mark.parametrize("reduce", ["max", "min"])
def test_max_and_min_along_a_dim_print_as_torch_return_types(reduce: str) -> None:
    data = [[1.0, 5.0, -2.0], [3.0, 2.0, 7.0]]
    for dim, keepdim in [(0, False), (1, True)]:
        ours = getattr(dk.tensor(data, requires_grad=True), reduce)(dim, keepdim)
        theirs = getattr(torch.tensor(data, requires_grad=True), reduce)(dim, keepdim)
        assert repr(ours) == repr(theirs).replace("torch", "diffkit")
        assert type(ours).__name__ == reduce and ours.values is ours[0] and ours.indices is ours[1]
