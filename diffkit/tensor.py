"""``Tensor``: a numpy array plus what autograd needs (``requires_grad``, ``grad``, ``grad_fn``).

Math and shape methods are attached from ``diffkit.ops`` (``_tensor_methods.py``), so each
operation is written once and serves ``x.exp()`` and ``diffkit.exp(x)`` alike. This file
holds construction, attributes, conversions, Python protocols and in-place semantics.
"""
from __future__ import annotations

import numbers
import weakref

import numpy as np

from . import _dtypes
from ._device import CPU, device
from ._promotion import can_cast, default_complex, list_dtype, written_number
from ._removable_handle import _RemovableHandle
from ._size import Size
from ._tensor_str import tensor_repr
from .autograd import grad_mode
from .autograd.graph import OVERWRITTEN

_new = object.__new__




def _wrap(data: np.ndarray, requires_grad: bool = False, grad_fn=None) -> Tensor:
    """Fast internal constructor: no checks, no copies."""
    t = _new(Tensor)
    t._data = data
    t._requires_grad = requires_grad
    t.grad_fn = grad_fn
    t._grad = None
    t._count = 0
    t._vc = None
    t._view_version = None
    t._hooks = None
    return t


_INFERRED = (np.ndarray, np.generic, list, tuple)  # data whose integer dtype is kept (lists': see list_dtype)


def as_array(data, dtype=None) -> np.ndarray:
    """Convert user data (numbers, nested lists, arrays, tensors) to an array with PyTorch's
    dtype inference: Python floats become the default dtype, ints int64, bools bool."""
    np_dtype = None if dtype is None else _dtypes.to_numpy_dtype(dtype)
    if isinstance(data, Tensor):
        array = data._data
    elif isinstance(data, np.ndarray):
        array = data
    elif isinstance(data, (list, tuple)):
        if any(isinstance(d, Tensor) for d in data):  # one-element tensors only, read as numbers (PyTorch)
            if any(isinstance(d, Tensor) and d._data.size != 1 for d in data):
                raise ValueError("only one element tensors can be converted to Python scalars")
            data = [d._data.reshape(()) if isinstance(d, Tensor) else d for d in data]
        array = np.array(data)
        if np_dtype is None and (array.dtype.kind in "fc" or array.dtype.kind == "i" and array.dtype != np.int64):
            array = array.astype(list_dtype(data, array), copy=False)
    elif isinstance(data, np.generic):  # a numpy scalar keeps its dtype, as in PyTorch
        array = np.asarray(data)
    elif isinstance(data, (bool, np.bool_)):
        array = np.array(data, dtype=np.bool_)
    elif isinstance(data, numbers.Integral):
        array = np.array(data, dtype=np.int64)
    elif isinstance(data, numbers.Real):  # straight to the dtype asked for: no float32 rounding on the way
        array = np.array(data, dtype=np_dtype if np_dtype is not None else _dtypes.get_default_dtype().np)
    elif isinstance(data, numbers.Complex):
        array = np.array(data, dtype=np_dtype if np_dtype is not None else default_complex())
    else:
        array = np.asarray(data)
    if array.dtype.kind in "OUS":
        raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    if array.dtype.kind == "i" and array.dtype != np.int64 and not isinstance(data, _INFERRED):
        array = array.astype(np.int64)
    if np_dtype is not None and array.dtype != np_dtype:
        array = array.astype(np_dtype)
    return array


def target_dtype(args: tuple, kwargs: dict):
    """The dtype that ``to(dtype)``, ``to('cpu')`` or ``to(other_tensor)`` asks for (None: keep it);
    devices are validated (only the CPU exists). Shared by ``Tensor.to`` and ``Module.to``."""
    target = kwargs.get("dtype")
    if target is not None:
        target = _dtypes.as_dtype(target)
    for arg in (*args, kwargs.get("device")):
        if isinstance(arg, (_dtypes.dtype, type)):  # a Python type too: to(float) is float64
            target = _dtypes.as_dtype(arg)
        elif isinstance(arg, Tensor):
            target = arg.dtype
        elif arg is not None:
            device(arg)
    return target


class Tensor:
    """A multi-dimensional array that can record the operations applied to it."""

    # the version counter: _count, or once the memory is shared (views, detach) the one-item list _vc that all
    # sharers hold; _view_version: a view's count when its grad_fn was recorded, so a stale history is refused
    __slots__ = ("_data", "_requires_grad", "_grad", "grad_fn", "_count", "_vc", "_view_version", "_hooks",
                 "__weakref__")
    __array_ufunc__ = None  # numpy defers to Tensor's reflected operators: ndarray + Tensor -> Tensor

    def __init__(self, *args, dtype=None, requires_grad: bool = False) -> None:
        """``Tensor([1, 2])`` copies data; ``Tensor(2, 3)`` and ``Tensor(t.size())`` make a
        zero-filled tensor of that shape (PyTorch leaves it uninitialised)."""
        np_dtype = _dtypes.to_numpy_dtype(dtype or _dtypes.get_default_dtype())
        if len(args) == 1 and not isinstance(args[0], (Size, numbers.Integral)):
            data = np.array(as_array(args[0]), dtype=np_dtype)
        else:
            shape = tuple(args[0]) if len(args) == 1 and isinstance(args[0], Size) else args
            if not all(isinstance(s, numbers.Integral) for s in shape):
                raise TypeError(f"Tensor() takes data or a shape of ints, got {args!r}")
            data = np.zeros(shape if shape else (0,), dtype=np_dtype)
        self._data = data
        self._requires_grad = False
        self.grad_fn = None
        self._grad = None
        self._count = 0
        self._vc = None
        self._view_version = None
        self._hooks = None
        if requires_grad:
            self.requires_grad = True

    # ----------------------------------------------------------------- attributes
    @property
    def data(self) -> Tensor:
        """The same storage, detached from the graph (as ``torch.Tensor.data``)."""
        return _wrap(self._data)

    @data.setter
    def data(self, value) -> None:
        if grad_mode.state.capture is not None:
            from .graphs.recorder import refuse_write

            refuse_write("Tensor.data = ...")
        self._data = value._data if isinstance(value, Tensor) else as_array(value)

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self.grad_fn is not None and not value:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self) -> Tensor | None:
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got {type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"assigned grad has data of a different size: {value.shape} "
                                   f"for a tensor of size {self.shape}")
        self._grad = value
        if grad_mode.state.capture is not None:  # a captured step (diffkit.graphs) assigns it at each replay
            grad_mode.state.capture.record_grad(self, value)

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        return Size(self._data.shape) if dim is None else self._data.shape[dim]

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    @property
    def dtype(self) -> _dtypes.dtype:
        return _dtypes.from_numpy_dtype(self._data.dtype)

    @property
    def device(self) -> device:
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    def element_size(self) -> int:
        return self._data.itemsize

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_contiguous(self) -> bool:
        return self._data.flags.c_contiguous

    def stride(self, dim: int | None = None):
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[dim]

    # ----------------------------------------------------------------- conversions
    def item(self):
        if grad_mode.state.capture is not None:
            _refuse_readout("Tensor.item()")
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        if grad_mode.state.capture is not None:
            _refuse_readout("Tensor.tolist()")
        return self._data.tolist()

    def numpy(self, force: bool = False) -> np.ndarray:
        if grad_mode.state.capture is not None:
            _refuse_readout("Tensor.numpy()")
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        if self._requires_grad:  # np.array(t) is t.numpy(), as in PyTorch
            self.numpy()
        return self._data if dtype is None else self._data.astype(dtype)

    def detach(self) -> Tensor:
        """A tensor sharing this one's storage and version counter, cut from the graph: an in-place
        change through it is seen by the nodes that saved this tensor, as in PyTorch."""
        t = _wrap(self._data)
        t._vc = shared_counter(self)
        return t

    @property
    def _version(self) -> int:
        """In-place changes so far to this memory, through this tensor, its views or detach()."""
        vc = self._vc
        return self._count if vc is None else vc[0]

    @_version.setter
    def _version(self, value: int) -> None:
        if self._vc is None:
            self._count = value
        else:
            self._vc[0] = value

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self._requires_grad = False
        return self

    def cpu(self) -> Tensor:
        return self

    def cuda(self, *args, **kwargs):
        raise RuntimeError("diffkit runs on the CPU only; there is no CUDA device")

    def to(self, *args, **kwargs) -> Tensor:
        """``to(dtype)``, ``to('cpu')``, ``to(other_tensor)``: a converted tensor (self if nothing changes)."""
        target = target_dtype(args, kwargs)
        if target is None or target.np == self._data.dtype:
            return self
        from .ops.shape import to_dtype

        return to_dtype(self, target)

    def type(self, dtype=None):
        """The legacy type's name (``'diffkit.FloatTensor'``), or a conversion to a dtype or such a name."""
        if dtype is None:
            return f"diffkit.{_dtypes.TENSOR_TYPE_NAMES.get(self._data.dtype.name, 'Tensor')}"
        return self.to(_dtypes.from_type_name(dtype) if isinstance(dtype, str) else dtype)

    def contiguous(self) -> Tensor:
        """Self when already laid out row-major, else a row-major copy (``CloneBackward0``)."""
        if self._data.flags.c_contiguous:
            return self
        from .graphs.recorder import kernel
        from .ops.shape import clone

        result = clone(self)  # clone keeps the layout (as PyTorch's); contiguous asks for row-major
        result._data = kernel(np.ascontiguousarray, (result,), "contiguous")  # laid out again at each replay
        return result

    # ----------------------------------------------------------------- autograd
    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            self.grad_fn.register_hook(hook)
        else:
            self._hooks = [*(self._hooks or ()), hook]
        return _RemovableHandle(self, hook)

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self.retains_grad:
            return
        ref = weakref.ref(self)  # a strong reference would make a cycle tensor -> node -> tensor

        def store(grad):
            tensor = ref()
            if tensor is not None:
                tensor._grad = grad if tensor._grad is None else tensor._grad + grad
            return None

        store.retains_grad = True
        self.grad_fn.register_hook(store)

    @property
    def retains_grad(self) -> bool:
        hooks = self.grad_fn.hooks if self.grad_fn is not None else None
        return any(getattr(h, "retains_grad", False) for h in hooks or ())

    # ----------------------------------------------------------------- in place
    def _check_inplace(self) -> None:
        if self._requires_grad and self.grad_fn is None and grad_mode.state.enabled:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")

    def _assign(self, result: Tensor) -> Tensor:
        """Make this tensor hold ``result`` in place: its values, and its history."""
        data = result._data
        if data.shape != self._data.shape:
            raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the "
                               f"broadcast shape {list(data.shape)}")
        if not can_cast(data.dtype, self._data.dtype):
            names = _dtypes.SCALAR_TYPE_NAMES
            raise RuntimeError(f"result type {names[_dtypes.from_numpy_dtype(data.dtype).name]} can't be cast "
                               f"to the desired output type {names[self.dtype.name]}")
        old = self.grad_fn
        node = result.grad_fn
        if node is not None and grad_mode.state.enabled:
            _check_not_a_view(old)
            _save_value_before(self, node)
        if old is not None and getattr(old, "out", None) is self._data:
            old.out = OVERWRITTEN  # its saved output is about to change: backward through it must fail
        try:
            np.copyto(self._data, data, casting="unsafe")
            if grad_mode.state.capture is not None:
                grad_mode.state.capture.record_write(self, data)
        except ValueError as error:
            raise RuntimeError(
                "unsupported operation: more than one element of the written-to tensor refers to "
                "a single memory location. Please clone() the tensor before performing the "
                "operation.") from error
        self._version += 1
        if result.grad_fn is not None:
            self.grad_fn = result.grad_fn
            self._requires_grad = True
        return self

    def _inplace(self, op, *args, **kwargs) -> Tensor:
        self._check_inplace()
        return self._assign(op(self, *args, **kwargs))

    def zero_(self) -> Tensor:
        return self._overwrite(0, "zero")

    def copy_(self, source) -> Tensor:
        return self._overwrite(source if isinstance(source, Tensor) else Tensor(source), "copy")

    def _overwrite(self, value, how: str) -> Tensor:
        """fill_/zero_/copy_: recorded (the old values get a zero gradient) when a gradient is
        needed; otherwise a plain write."""
        self._check_inplace()
        source = isinstance(value, Tensor)
        if grad_mode.state.enabled and (self._requires_grad or (source and value._requires_grad)):
            from .ops.indexing import overwrite

            return self._assign(overwrite(self, value, how))
        if how == "copy":
            from .ops.shape import expand

            return self._assign(expand(value.to(self.dtype), self.shape))
        self._data[...] = value._data if source else written_number(value, self._data.dtype)
        if grad_mode.state.capture is not None:
            grad_mode.state.capture.record_write(self, value if source else self._data.copy())
        self._version += 1
        return self

    # ----------------------------------------------------------------- Python protocols
    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __contains__(self, element) -> bool:
        return bool((self._data == (element._data if isinstance(element, Tensor) else element)).any())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        if grad_mode.state.capture is not None:
            _refuse_readout("bool(tensor) (an if or while on a tensor)")
        return bool(self._data.reshape(()))

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __complex__(self) -> complex:
        return complex(self.item())

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        """A 0-d tensor formats as its number (``f"loss {loss}"`` prints ``loss 0.5``), as PyTorch."""
        if self._data.ndim == 0:
            return format(self.item(), spec)
        return object.__format__(self, spec)  # str(self); a format spec is a TypeError


def _refuse_readout(what: str):
    from .graphs.recorder import refuse

    raise refuse(what, "a value read out of a tensor is this run's, and would stay fixed in every replay",
                 "; or return the tensor from the step and read it after the call")


def _check_not_a_view(grad_fn) -> None:
    """Views share their base's version counter, but diffkit does not replay a view's history onto
    its base (PyTorch's as_strided replay), so an in-place change through a view would leave the
    base's history stale and give wrong gradients silently. Refuse it while recording instead."""
    prim = getattr(grad_fn, "prim", None)
    if prim is not None and prim.is_view:
        raise RuntimeError(
            f"diffkit cannot record an in-place operation on a view (this tensor was made by "
            f"{type(grad_fn).__name__} and shares memory with its input): its input's gradient would be "
            "wrong. Use an out-of-place operation (y = y * 2), index assignment on the base "
            "tensor (base[1:] = ...), or modify a clone().")


def shared_counter(tensor: Tensor) -> list:
    """The tensor's version counter as a list that views and detach() can share: made on first need,
    so that the tensors that never share memory (most) carry a plain int."""
    if tensor._vc is None:
        tensor._vc = [tensor._count]
    return tensor._vc


def _save_value_before(tensor: Tensor, node) -> None:
    """The node of an in-place operation that saved its own input (``y.mul_(x)`` keeps ``y``)
    must see the value from before the operation: give it a copy, as PyTorch does."""
    saved = getattr(node, "saved", None)
    if saved and any(s is tensor and v is not None for s, v in zip(saved, node.versions)):
        before = _wrap(tensor._data.copy(), tensor._requires_grad, tensor.grad_fn)
        before._version = tensor._version
        node.saved = tuple(before if s is tensor else s for s in saved)
