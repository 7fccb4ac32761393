"""Attach the operations of ``diffkit.ops`` to ``Tensor`` as methods and operators.

Each op is a function whose first argument is the tensor, so it serves as a method as it
is: ``Tensor.exp = ops.exp`` makes ``x.exp()`` and ``diffkit.exp(x)`` the same code.
"""
from __future__ import annotations

import numbers

import numpy as np

from . import _dtypes, ops
from .autograd import engine
from .ops import elementwise as ew
from .ops._primitive import apply
from .tensor import Tensor, _wrap

_OPERANDS = frozenset({Tensor, float, int, bool, np.ndarray, np.float64, np.float32})


def _operand(other) -> bool:
    """Whether a Tensor operator handles ``other`` itself (else Python tries the reflected one:
    a dual number or SymPy expression knows how to combine with a Tensor)."""
    return other.__class__ in _OPERANDS or isinstance(other, (Tensor, numbers.Number, np.ndarray, np.generic, list))


def _converter(name: str, dtype):
    def convert(self) -> Tensor:
        return self.to(dtype)

    convert.__name__ = convert.__qualname__ = name
    convert.__doc__ = f"``self.to(diffkit.{dtype.name})``."
    return convert


def _binary(prim, reflected: bool = False):
    # the class lookup first: _operand's own first test, without its call for the common operands
    if reflected:
        def method(self, other):
            return apply(prim, (other, self)) if other.__class__ in _OPERANDS or _operand(other) else NotImplemented
    else:
        def method(self, other):
            return apply(prim, (self, other)) if other.__class__ in _OPERANDS or _operand(other) else NotImplemented
    return method


def _pow(self, other):
    return ew.pow(self, other) if _operand(other) else NotImplemented


def _rpow(self, other):
    return ew.pow(other, self) if _operand(other) else NotImplemented


def _rtruediv(self, other):
    return ew.mul(ew.reciprocal(self), other) if _operand(other) else NotImplemented


def _rsub(self, other):
    return ew.rsub(self, other) if _operand(other) else NotImplemented


def _matmul(self, other):
    return ops.matmul(self, other) if _operand(other) else NotImplemented


def _rmatmul(self, other):
    return ops.matmul(other, self) if _operand(other) else NotImplemented


def _inplace(op):
    def method(self, *args, **kwargs):
        return self._inplace(op, *args, **kwargs)

    method.__name__ = op.__name__ + "_"
    return method


def _fill_(self: Tensor, value) -> Tensor:
    """Every element set to ``value``: a number or a 0-d tensor (PyTorch refuses more dimensions)."""
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} dimensions.")
    return self._overwrite(value, "fill")


_OPERATORS = {
    "__add__": _binary(ew.ADD), "__radd__": _binary(ew.ADD, True),
    "__sub__": _binary(ew.SUB), "__rsub__": _rsub,
    "__mul__": _binary(ew.MUL), "__rmul__": _binary(ew.MUL, True),
    "__truediv__": _binary(ew.DIV), "__rtruediv__": _rtruediv,
    "__floordiv__": _binary(ew.FLOOR_DIVIDE), "__rfloordiv__": _binary(ew.FLOOR_DIVIDE, True),
    "__mod__": ew.remainder, "__rmod__": lambda self, other: ew.remainder(other, self),
    "__pow__": _pow, "__rpow__": _rpow, "__matmul__": _matmul, "__rmatmul__": _rmatmul,
    "__neg__": ew.neg, "__pos__": lambda self: self, "__abs__": ew.abs,
    "__eq__": _binary(ew.EQ), "__ne__": _binary(ew.NE), "__lt__": _binary(ew.LT),
    "__le__": _binary(ew.LE), "__gt__": _binary(ew.GT), "__ge__": _binary(ew.GE),
    "__and__": _binary(ew.BITWISE_AND), "__rand__": _binary(ew.BITWISE_AND, True),
    "__or__": _binary(ew.BITWISE_OR), "__ror__": _binary(ew.BITWISE_OR, True),
    "__xor__": _binary(ew.BITWISE_XOR), "__rxor__": _binary(ew.BITWISE_XOR, True),
    "__invert__": ew.bitwise_not,
    "__getitem__": ops.getitem, "__setitem__": ops.setitem,
    "__iadd__": _inplace(ops.add), "__isub__": _inplace(ops.sub),
    "__imul__": _inplace(ew.mul), "__itruediv__": _inplace(ew.div),
    # without these, x //= 2 (and %=, **=, &=, |=, ^=) rebound x to a new tensor: views and aliases kept the old values
    "__ifloordiv__": _inplace(ew.floor_divide), "__imod__": _inplace(ew.remainder), "__ipow__": _inplace(ew.pow),
    "__iand__": _inplace(ew.bitwise_and), "__ior__": _inplace(ew.bitwise_or), "__ixor__": _inplace(ew.bitwise_xor),
}

_METHODS = [
    "exp", "log", "log1p", "expm1", "erf", "erfc", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan", "asin", "acos",
    "atan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "sigmoid", "relu", "abs", "sign",
    "floor", "ceil", "trunc", "round", "neg", "negative", "clamp", "clip", "maximum", "minimum",
    "pow", "square", "mul", "multiply", "div", "divide", "true_divide", "remainder", "floor_divide",
    "eq", "ne", "lt", "le", "gt", "ge", "greater", "less", "greater_equal", "less_equal", "not_equal",
    "logical_and", "logical_or", "logical_xor", "logical_not", "isnan", "isinf", "isfinite",
    "sum", "mean", "prod", "var", "std", "max", "min", "amax", "amin", "argmax", "argmin", "all", "any",
    "logsumexp", "softmax", "log_softmax", "norm", "count_nonzero",
    "matmul", "mm", "bmm", "mv", "dot", "outer", "inner",
    "reshape", "view", "flatten", "unflatten", "squeeze", "unsqueeze", "transpose", "swapaxes",
    "swapdims", "t", "permute", "movedim", "moveaxis", "expand", "expand_as", "broadcast_to",
    "sum_to_size", "repeat", "tile", "split", "chunk", "unbind", "flip", "clone", "narrow", "select",
    "gather", "scatter", "scatter_add", "index_add", "index_select", "masked_fill", "masked_select", "nonzero",
    "cumsum", "cumprod",
    "sort", "argsort", "topk", "median", "unique",
    "tril", "triu", "diag", "diagonal", "trace",
    "atan2", "arctan2", "log2", "log10", "lerp", "nan_to_num", "clamp_min", "clamp_max",
    "addmm",
    "roll", "ravel", "repeat_interleave", "squeeze_", "unsqueeze_",
    "take", "argwhere",
]
_IN_PLACE = [  # x.tril_(...): the function without the underscore, its result written into x
    "tril_", "triu_",
    "atan2_", "log2_", "log10_", "lerp_", "nan_to_num_", "clamp_min_", "clamp_max_",
]


def _matrix_transpose(self):
    if self.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got {self.ndim}-D tensor.")
    return ops.transpose(self, -2, -1)


def _where(self, condition, other):
    """``self`` where ``condition`` holds, else ``other`` (PyTorch's method form of ``where``)."""
    return ew.where(condition, self, other)


def _view_as(self, other):
    return ops.reshape(self, other.shape)


def _new_tensor(self, data, dtype=None, requires_grad=False):
    from .creation import tensor

    return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)


def _new_factory(name):
    def method(self, *size, dtype=None, requires_grad=False):
        from . import creation

        return getattr(creation, name)(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    method.__name__ = "new_" + name
    return method


def _deepcopy(self: Tensor, memo) -> Tensor:
    """copy.deepcopy of a leaf: its values, requires_grad and a detached copy of its .grad."""
    if self.grad_fn is not None:
        raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support "
                           "the deepcopy protocol at the moment.")
    result = self.__class__.__new__(self.__class__)
    for name, value in (("_data", self._data.copy()), ("_requires_grad", self._requires_grad),
                        ("grad_fn", None), ("_count", 0), ("_vc", None), ("_view_version", None),
                        ("_hooks", None),
                        ("_grad", None if self._grad is None else self._grad.clone().detach())):
        object.__setattr__(result, name, value)
    memo[id(self)] = result
    return result


def _random_fill(sample):
    def method(self, *args, generator=None, **kwargs):
        from .creation import default_generator

        rng = (generator or default_generator).rng
        values = sample(rng, self._data.shape, *args, **kwargs)
        return self.copy_(_wrap(np.asarray(values, dtype=self._data.dtype)))  # copy_'s in-place rules

    return method


def _backward(self: Tensor, gradient=None, retain_graph=None, create_graph: bool = False, inputs=None) -> None:
    """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (see ``autograd.backward``). Installed
    here, not in tensor.py, because the engine imports tensor.py."""
    engine.backward(self, gradient, retain_graph, create_graph, inputs=inputs)


def install() -> None:
    for name, method in _OPERATORS.items():
        setattr(Tensor, name, method)
    for name in _METHODS:
        setattr(Tensor, name, getattr(ops, name))
    Tensor.add, Tensor.sub, Tensor.subtract = ops.add, ops.sub, ops.sub
    Tensor.rsub, Tensor.where = ew.rsub, _where
    Tensor.backward = _backward
    Tensor.fill_ = _fill_
    for name, op in [("add_", ops.add), ("sub_", ops.sub), ("mul_", ew.mul), ("div_", ops.div), ("pow_", ew.pow),
                     ("clamp_", ops.clamp), ("exp_", ew.exp), ("log_", ew.log), ("sqrt_", ew.sqrt),
                     ("neg_", ew.neg), ("abs_", ew.abs), ("sigmoid_", ew.sigmoid), ("tanh_", ew.tanh),
                     ("relu_", ew.relu), ("masked_fill_", ops.masked_fill), ("clip_", ops.clamp),
                     ("scatter_", ops.scatter), ("scatter_add_", ops.scatter_add), ("index_add_", ops.index_add)]:
        setattr(Tensor, name, _inplace(op))
    for name in _IN_PLACE:
        setattr(Tensor, name, _inplace(getattr(ops, name[:-1])))
    Tensor.T = property(lambda self: ops.permute(self, tuple(range(self.ndim - 1, -1, -1))))
    Tensor.mT = property(_matrix_transpose)
    Tensor.view_as = _view_as
    Tensor.type_as = lambda self, other: self.to(other.dtype)
    for name, dtype in (("byte", _dtypes.uint8), ("double", _dtypes.float64), ("float", _dtypes.float32),
                        ("half", _dtypes.float16), ("long", _dtypes.int64), ("int", _dtypes.int32),
                        ("bool", _dtypes.bool)):
        setattr(Tensor, name, _converter(name, dtype))
    Tensor.reshape_as = _view_as
    Tensor.new_tensor = _new_tensor
    Tensor.__deepcopy__ = _deepcopy
    for name in ("zeros", "ones", "empty", "full"):
        setattr(Tensor, "new_" + name, _new_factory(name))
    Tensor.uniform_ = _random_fill(lambda rng, shape, a=0.0, b=1.0: rng.uniform(a, b, shape))
    Tensor.normal_ = _random_fill(lambda rng, shape, mean=0.0, std=1.0: rng.normal(mean, std, shape))
    Tensor.bernoulli_ = _random_fill(lambda rng, shape, p=0.5: rng.random(shape) < p)
    Tensor.exponential_ = _random_fill(lambda rng, shape, lambd=1.0: rng.exponential(1 / lambd, shape))
    Tensor.random_ = _random_fill(lambda rng, shape, low=0, high=2**24: rng.integers(low, high, shape))
