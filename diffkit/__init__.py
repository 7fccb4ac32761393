"""diffkit: differentiation taught, measured and used.

One function, written once with diffkit's elementary functions, is differentiated
symbolically (SymPy), numerically (finite differences) and automatically (a tape-based
reverse mode, and forward mode with dual numbers). The same autodiff engine drives a small
PyTorch-compatible stack: ``import diffkit as torch`` runs PyTorch tutorial code.
"""
from . import _allocator, _tensor_methods
from ._dtypes import (  # noqa: A004
    bool,
    cdouble,
    cfloat,
    complex64,
    complex128,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    set_default_dtype,
    short,
    uint8,
    uint16,
    uint32,
    uint64,
)
from ._size import Size
from ._tensor_str import set_printoptions
from ._type_info import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    finfo,
    iinfo,
)
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .autograd.anomaly_mode import is_anomaly_enabled
from .creation import (
    Generator,
    arange,
    as_tensor,
    bernoulli,
    default_generator,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    get_rng_state,
    initial_seed,
    linspace,
    logspace,
    manual_seed,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    seed,
    set_rng_state,
    tensor,
    zeros,
    zeros_like,
)
from .ops import *  # noqa: F401,F403 - the math, reduction, shape and indexing functions
from .ops import abs, add, all, any, clamp, div, max, maximum, min, minimum, mul, neg, pow, round, sub, sum, where  # noqa: F401
from .tensor import Tensor, device

_tensor_methods.install()
_allocator.tune()  # a training step's arrays would otherwise page-fault in again at every step

from . import autograd, backends, cuda, datasets, graphs, nn, optim, return_types, utils  # the training stack
from .determinism import (
    are_deterministic_algorithms_enabled,
    is_deterministic_algorithms_warn_only_enabled,
    use_deterministic_algorithms,
)
from .differentiation import Differentiator, compare, derivative, grad, hessian, jacobian
from .expression import parse
from .serialization import load, save
from .threads import get_num_interop_threads, get_num_threads, set_num_interop_threads, set_num_threads

__version__ = "0.1.0"


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def numel(x: Tensor) -> int:
    return x.numel()


def _values(x):
    """A tensor's array, also when it requires grad (numpy.asarray of it would refuse, as .numpy() does)."""
    import numpy

    return x._data if isinstance(x, Tensor) else numpy.asarray(x)


def allclose(a, b, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    import numpy

    # numpy returns a Python bool (``bool`` here would be diffkit.bool, the dtype)
    return numpy.allclose(_values(a), _values(b), rtol=rtol, atol=atol, equal_nan=equal_nan)


def isclose(a, b, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
    import numpy

    return tensor(numpy.isclose(_values(a), _values(b), rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(a: Tensor, b: Tensor) -> bool:
    """True when both have the same shape and the same values."""
    import numpy

    return a.shape == b.shape and numpy.array_equal(a._data, b._data)


_LAZY = ("analysis", "plots")  # the experiments and their figures: matplotlib loads only when asked


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'diffkit' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
