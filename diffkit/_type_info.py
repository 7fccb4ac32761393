"""``finfo``/``iinfo`` and the legacy tensor types (``FloatTensor``...), which PyTorch code still uses."""
from __future__ import annotations

import numpy as np

from . import _dtypes
from .tensor import Tensor


class finfo:
    """Machine limits of a floating dtype (the default one if none), as Python floats like PyTorch's;
    a complex dtype gives those of its real part."""

    def __init__(self, type: _dtypes.dtype | None = None) -> None:  # noqa: A002 - PyTorch's name
        d = _dtypes.as_dtype(type) if type is not None else _dtypes.get_default_dtype()
        if d.np.kind not in "fc":
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                            "'torch.finfo'")
        info = np.finfo(d.np)
        self.bits = int(info.bits)
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)  # 1e-06 exactly, as PyTorch (numpy: in the dtype)
        self.dtype = info.dtype.name

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Machine limits of an integer dtype (bool has none, as in PyTorch)."""

    def __init__(self, type: _dtypes.dtype) -> None:  # noqa: A002 - PyTorch's name
        d = _dtypes.as_dtype(type)
        if d.np.kind not in "iu":
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to handle "
                            "'torch.iinfo'")
        info = np.iinfo(d.np)
        self.bits, self.min, self.max, self.dtype = int(info.bits), int(info.min), int(info.max), d.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"  # PyTorch rounds them too


class tensortype(type):
    """The metaclass of the legacy types: ``isinstance(x, FloatTensor)`` asks for a float32 Tensor."""

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype

    def __call__(cls, *args) -> Tensor:
        """``FloatTensor([1, 2])`` from data, ``FloatTensor(2, 3)`` of a shape (zero-filled), as ``Tensor``."""
        return Tensor(*args, dtype=cls.dtype)

    def __repr__(cls) -> str:
        return f"<class 'diffkit.{cls.__name__}'>"


def _legacy(name: str) -> tensortype:
    return tensortype(_dtypes.TENSOR_TYPE_NAMES[name], (), {"dtype": getattr(_dtypes, name), "__slots__": ()})


FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor, CharTensor, ByteTensor, BoolTensor = (
    _legacy(n) for n in ("float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"))
