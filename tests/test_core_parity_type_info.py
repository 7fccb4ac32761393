"""finfo/iinfo and the legacy tensor types (FloatTensor...), against PyTorch."""
from __future__ import annotations

import pytest

import diffkit as dk

torch = pytest.importorskip("torch")

FLOATS = ["float16", "float32", "float64", "complex64"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]
LEGACY = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor", "CharTensor",
          "ByteTensor", "BoolTensor"]


@pytest.mark.parametrize("name", FLOATS)
def test_finfo_matches_torch(name: str) -> None:
    ours, theirs = dk.finfo(getattr(dk, name)), torch.finfo(getattr(torch, name))
    for attribute in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(ours, attribute) == getattr(theirs, attribute), attribute
    assert repr(ours) == repr(theirs)


def test_finfo_default_and_wrong_kinds_match_torch() -> None:
    assert dk.finfo().eps == torch.finfo().eps
    for ours, theirs in ((dk.finfo, torch.finfo), (dk.iinfo, torch.iinfo)):
        wrong = "int32" if ours is dk.finfo else "float32"
        with pytest.raises(TypeError):
            theirs(getattr(torch, wrong))
        with pytest.raises(TypeError):
            ours(getattr(dk, wrong))


@pytest.mark.parametrize("name", INTS)
def test_iinfo_matches_torch(name: str) -> None:
    ours, theirs = dk.iinfo(getattr(dk, name)), torch.iinfo(getattr(torch, name))
    assert (ours.bits, ours.min, ours.max, ours.dtype) == (theirs.bits, theirs.min, theirs.max, theirs.dtype)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("name", LEGACY)
def test_legacy_types_from_data_and_shape(name: str) -> None:
    ours, theirs = getattr(dk, name)([1, 0, 2]), getattr(torch, name)([1, 0, 2])
    assert repr(ours) == repr(theirs).replace("torch", "diffkit")
    empty, shaped = getattr(dk, name)(2, 3), getattr(torch, name)(2, 3)  # torch's values are uninitialised
    assert empty.shape == shaped.shape and repr(empty.dtype) == repr(shaped.dtype).replace("torch", "diffkit")
    assert isinstance(ours, getattr(dk, name)) and isinstance(theirs, getattr(torch, name))
    assert not isinstance(dk.ones(2, dtype=dk.complex64), getattr(dk, name))
    assert ours.type() == f"diffkit.{name}"


@pytest.mark.parametrize("spelling", ["torch.LongTensor", "diffkit.LongTensor"])
def test_type_takes_legacy_names(spelling: str) -> None:
    assert dk.arange(3.0).type(spelling).dtype is dk.int64
    with pytest.raises(ValueError, match="invalid type"):
        dk.ones(2).type("torch.FooTensor")
    with pytest.raises(ValueError, match="invalid type"):
        torch.ones(2).type("torch.FooTensor")
