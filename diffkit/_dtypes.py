"""Data types: thin named wrappers over numpy dtypes that print as PyTorch's do."""
from __future__ import annotations

import numpy as np


class dtype:
    """A diffkit dtype (``diffkit.float32`` ...): a name, a numpy dtype, and its kind."""

    __slots__ = ("name", "np", "is_floating_point", "is_complex", "itemsize")

    def __init__(self, name: str, np_dtype) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.is_complex = self.np.kind == "c"
        self.itemsize = self.np.itemsize

    def __repr__(self) -> str:
        return f"diffkit.{self.name}"

    def __reduce__(self):  # dtypes are singletons: copy.deepcopy keeps identity
        return (_by_name, (self.name,))


float16 = dtype("float16", np.float16)
float32 = dtype("float32", np.float32)
float64 = dtype("float64", np.float64)
complex64 = dtype("complex64", np.complex64)
complex128 = dtype("complex128", np.complex128)
uint8 = dtype("uint8", np.uint8)
uint16 = dtype("uint16", np.uint16)  # PyTorch's 'shell' dtypes: few operations, but they print and convert
uint32 = dtype("uint32", np.uint32)
uint64 = dtype("uint64", np.uint64)
int8 = dtype("int8", np.int8)
int16 = dtype("int16", np.int16)
int32 = dtype("int32", np.int32)
int64 = dtype("int64", np.int64)
bool = dtype("bool", np.bool_)  # noqa: A001 - the public name is PyTorch's

# PyTorch's aliases
half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001
cfloat, cdouble = complex64, complex128

# the names PyTorch's messages use ("result type Float can't be cast to ... Long")
SCALAR_TYPE_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double", "complex64": "ComplexFloat",
                     "complex128": "ComplexDouble", "uint8": "Byte", "int8": "Char", "int16": "Short",
                     "int32": "Int", "int64": "Long", "bool": "Bool", "uint16": "UInt16", "uint32": "UInt32",
                     "uint64": "UInt64"}


def scalar_type_name(dtype) -> str:
    """PyTorch's name of a numpy or diffkit dtype in its messages ("Long"), or the dtype's own name."""
    name = str(getattr(dtype, "name", dtype))
    return SCALAR_TYPE_NAMES.get(name, name)


# and the C++ names some others use ("masked_fill_ only supports boolean masks, but got mask with dtype long int")
C_TYPE_NAMES = {"float16": "c10::Half", "float32": "float", "float64": "double", "complex64": "c10::complex<float>",
                "complex128": "c10::complex<double>", "uint8": "unsigned char", "int8": "signed char",
                "int16": "short int", "int32": "int", "int64": "long int", "bool": "bool", "uint16": "unsigned short",
                "uint32": "unsigned int", "uint64": "unsigned long"}
# the legacy tensor types' names, as ``Tensor.type()`` gives them and ``Tensor.type(name)`` takes them
TENSOR_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
                     "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor",
                     "uint8": "ByteTensor", "bool": "BoolTensor", "uint16": "UInt16Tensor",
                     "uint32": "UInt32Tensor", "uint64": "UInt64Tensor", "complex64": "ComplexFloatTensor",
                     "complex128": "ComplexDoubleTensor"}
ALL = (float16, float32, float64, complex64, complex128, uint8, int8, int16, int32, int64, bool, uint16, uint32,
       uint64)
_FROM_NUMPY = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}


_BY_TYPE_NAME = {f"{prefix}.{tensor_type}": _BY_NAME[name] for name, tensor_type in TENSOR_TYPE_NAMES.items()
                 for prefix in ("torch", "diffkit")}


def from_type_name(name: str) -> dtype:
    """The dtype of ``'torch.LongTensor'`` (or ``'diffkit.LongTensor'``), as ``Tensor.type`` takes it."""
    try:
        return _BY_TYPE_NAME[name]
    except KeyError:
        raise ValueError(f"invalid type: {name!r}") from None


def _by_name(name: str) -> dtype:
    return _BY_NAME[name]


def from_numpy_dtype(np_dtype) -> dtype:
    """The diffkit dtype of a numpy dtype (raising TypeError for unsupported ones)."""
    try:
        return _FROM_NUMPY[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(f"diffkit does not support the numpy dtype {np_dtype!r}") from None


def to_numpy_dtype(d) -> np.dtype:
    """Accept a diffkit dtype, a numpy dtype or a Python type and return the numpy dtype. Python's
    ``float`` is float64 and ``complex`` complex128, as in PyTorch (not the default dtype)."""
    if isinstance(d, dtype):
        return d.np
    return np.dtype(d)


def as_dtype(d) -> dtype:
    """The diffkit dtype of a diffkit dtype, a numpy dtype or a Python type (``float``: float64)."""
    return d if isinstance(d, dtype) else from_numpy_dtype(to_numpy_dtype(d))


_default = float32


def get_default_dtype() -> dtype:
    return _default


def set_default_dtype(d: dtype) -> None:
    """Set the dtype that Python floats become (float32 unless changed, as in PyTorch)."""
    global _default
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d!r}")
    _default = d
