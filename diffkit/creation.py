"""Creating tensors: from data, filled, ranges, and random (seeded by ``manual_seed``)."""
from __future__ import annotations

import numbers

import numpy as np

from . import _dtypes
from ._size import Size
from .tensor import Tensor, _wrap, as_array


class Generator:
    """A seeded source of random numbers (numpy's PCG64), as ``torch.Generator``."""

    def __init__(self, device="cpu") -> None:
        self._seed = 0
        self.rng = np.random.default_rng(0)

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed)
        self.rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        seed = int(np.random.SeedSequence().entropy % 2**63)
        self.manual_seed(seed)
        return seed

    def get_state(self) -> Tensor:
        """The generator's state as a uint8 tensor (restorable with ``set_state``)."""
        state = self.rng.bit_generator.state["state"]
        words = np.array([state["state"], state["inc"]], dtype=object)
        raw = b"".join(int(w).to_bytes(16, "little") for w in words)
        return _wrap(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, new_state: Tensor) -> Generator:
        raw = bytes(new_state._data.astype(np.uint8))
        state = self.rng.bit_generator.state
        state["state"] = {"state": int.from_bytes(raw[:16], "little"), "inc": int.from_bytes(raw[16:32], "little")}
        self.rng.bit_generator.state = state
        return self


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator: the same seed gives the same random tensors."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    return default_generator.get_state()


def set_rng_state(state: Tensor) -> None:
    default_generator.set_state(state)


def _shape(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = size[0]
    for s in size:
        if not isinstance(s, numbers.Integral):
            raise TypeError(f"size must be a tuple of ints, but got an element of type {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    return tuple(int(s) for s in size)


def _float_dtype(dtype) -> np.dtype:
    return _dtypes.to_numpy_dtype(dtype or _dtypes.get_default_dtype())


def _random_float_dtype(dtype, kernel: str) -> np.dtype:
    """rand/randn draw floats: an integer or bool dtype is PyTorch's NotImplementedError, not zeros."""
    np_dtype = _float_dtype(dtype)
    if np_dtype.kind not in "fc":
        name = _dtypes.SCALAR_TYPE_NAMES[_dtypes.from_numpy_dtype(np_dtype).name]
        raise NotImplementedError(f'"{kernel}" not implemented for \'{name}\'')
    return np_dtype


def _finish(data: np.ndarray, requires_grad: bool) -> Tensor:
    t = _wrap(data)
    if requires_grad:
        if data.dtype.kind not in "fc":  # PyTorch's factory functions word it so, capitalised
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t.requires_grad = True
    return t


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data``, its dtype inferred as PyTorch infers it."""
    return _finish(np.array(as_array(data, dtype), copy=True), requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor`` but shares memory with a numpy array when no conversion is needed."""
    if isinstance(data, Tensor) and (dtype is None or data.dtype is dtype):
        return data
    return _wrap(as_array(data, dtype))


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array``."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    _dtypes.from_numpy_dtype(array.dtype)
    return _wrap(array)


def zeros(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _finish(np.zeros(_shape(size), dtype=_float_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _finish(np.ones(_shape(size), dtype=_float_dtype(dtype)), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Zero-filled (PyTorch leaves memory uninitialised; diffkit prefers reproducible)."""
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    if dtype is None:
        dtype = as_array(fill_value).dtype
    return _finish(np.full(_shape((size,)), fill_value, dtype=_dtypes.to_numpy_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """``[start, end)`` by ``step``; integers give int64, any float gives the default dtype."""
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]  # an int tensor stays int
    if dtype is None:
        integral = all(isinstance(v, numbers.Integral) for v in values)
        dtype = _dtypes.int64 if integral else _dtypes.get_default_dtype()
    np_dtype = _dtypes.to_numpy_dtype(dtype)
    if values[2] == 0:
        raise RuntimeError("step must be nonzero")
    if (values[1] - values[0]) * values[2] < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    count = int(np.ceil((values[1] - values[0]) / values[2]))
    data = (values[0] + values[2] * np.arange(max(count, 0), dtype=np.float64)).astype(np_dtype)
    return _finish(data, requires_grad)


def linspace(start, end, steps: int, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _finish(np.linspace(start, end, steps).astype(_float_dtype(dtype)), requires_grad)


def logspace(start, end, steps: int, base: float = 10.0, dtype=None, requires_grad: bool = False) -> Tensor:
    return _finish(np.logspace(start, end, steps, base=base).astype(_float_dtype(dtype)), requires_grad)


def _rng(generator) -> np.random.Generator:
    return (generator or default_generator).rng


def rand(*size, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1)."""
    np_dtype = _random_float_dtype(dtype, "check_uniform_bounds")
    return _finish(_rng(generator).random(_shape(size)).astype(np_dtype), requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Standard normal."""
    np_dtype = _random_float_dtype(dtype, "normal_kernel_cpu")
    return _finish(_rng(generator).standard_normal(_shape(size)).astype(np_dtype), requires_grad)


def randint(low, high=None, size=None, generator=None, dtype=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """Integers in ``[low, high)``; ``randint(10, (2, 3))`` means low 0, high 10."""
    if size is None:
        low, high, size = 0, low, high
    elif high is None or not isinstance(high, numbers.Integral):
        low, high, size = 0, low, high
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    data = _rng(generator).integers(low, high, _shape((size,)))
    return _finish(data.astype(_dtypes.to_numpy_dtype(dtype or _dtypes.int64)), requires_grad)


def randperm(n: int, generator=None, dtype=None, device=None) -> Tensor:
    return _wrap(_rng(generator).permutation(n).astype(_dtypes.to_numpy_dtype(dtype or _dtypes.int64)))


def normal(mean=0.0, std=1.0, size=None, generator=None, dtype=None, requires_grad: bool = False) -> Tensor:
    """Normal samples; ``mean``/``std`` may be tensors (broadcast) or numbers with ``size``."""
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    shape = _shape((size,)) if size is not None else np.broadcast_shapes(np.shape(m), np.shape(s))
    dtype = dtype or (mean.dtype if isinstance(mean, Tensor) else std.dtype if isinstance(std, Tensor) else None)
    data = _rng(generator).normal(m, s, shape)
    return _finish(data.astype(_float_dtype(dtype)), requires_grad)


def bernoulli(p: Tensor, generator=None) -> Tensor:
    probabilities = p._data if isinstance(p, Tensor) else np.asarray(p)
    return _wrap((_rng(generator).random(probabilities.shape) < probabilities).astype(probabilities.dtype))


def multinomial(probabilities: Tensor, num_samples: int, replacement: bool = False, generator=None) -> Tensor:
    rows = np.atleast_2d(probabilities._data).astype(np.float64)
    rng = _rng(generator)
    out = np.stack([rng.choice(len(row), num_samples, replace=replacement, p=row / row.sum()) for row in rows])
    return _wrap(out.reshape(*probabilities.shape[:-1], num_samples).astype(np.int64))


def _like(factory):
    def like(input: Tensor, *args, dtype=None, requires_grad: bool = False, **kwargs) -> Tensor:
        dtype = dtype or input.dtype
        return factory(*args, input.shape, dtype=dtype, requires_grad=requires_grad, **kwargs) if args \
            else factory(input.shape, dtype=dtype, requires_grad=requires_grad, **kwargs)

    like.__name__ = factory.__name__ + "_like"
    like.__doc__ = f"``{factory.__name__}`` with the shape (and dtype) of ``input``."
    return like


zeros_like, ones_like, empty_like, rand_like, randn_like = (
    _like(f) for f in (zeros, ones, empty, rand, randn))


def full_like(input: Tensor, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    return full(input.shape, fill_value, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(input: Tensor, low, high=None, dtype=None) -> Tensor:
    """``randint_like(x, high)`` or ``randint_like(x, low, high)``: integers in the dtype of ``x``."""
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype)
