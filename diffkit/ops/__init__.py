"""The primitive table, grouped: elementwise, reductions, shapes, indexing, linear algebra.

Every public function here is polymorphic (numbers, arrays, Tensors, SymPy, dual numbers).
"""
from types import ModuleType as _ModuleType

from ._primitive import Primitive, apply, defprim, function, unary, variadic, variant
from ._sums import sum_to
from .arrange import (  # noqa: F401
                          atleast_1d,
                          atleast_2d,
                          broadcast_tensors,
                          hstack,
                          meshgrid,
                          ravel,
                          repeat_interleave,
                          roll,
                          row_stack,
                          vstack,
)
from .einstein import einsum  # noqa: F401
from .elementwise import *  # noqa: F401,F403
from .elementwise import abs, clamp, maximum, minimum, mul, neg, pow, round, rsub, where  # noqa: F401
from .indexing import (  # noqa: F401
                          argwhere,
                          getitem,
                          index_select,
                          masked_fill,
                          masked_select,
                          nonzero,
                          setitem,
                          take,
)
from .linalg import (  # noqa: F401
                          addmm,
                          bmm,
                          dot,
                          ger,
                          inner,
                          matmul,
                          mm,
                          mv,
                          outer,
)
from .matrix_parts import diag, diagonal, trace, tril, triu  # noqa: F401
from .pieces import chunk, narrow, split, unbind  # noqa: F401
from .pointwise import (  # noqa: F401 - add/sub/div with alpha and rounding_mode
                          add,
                          arctan2,
                          atan2,
                          clamp_max,
                          clamp_min,
                          div,
                          divide,
                          lerp,
                          log2,
                          log10,
                          nan_to_num,
                          sub,
                          subtract,
)
from .reduction import (  # noqa: F401
                          all,
                          amax,
                          amin,
                          any,
                          argmax,
                          argmin,
                          count_nonzero,
                          logsumexp,
                          max,
                          mean,
                          min,
                          norm,
                          prod,
                          std,
                          std_mean,
                          sum,
                          var,
                          var_mean,
)
from .scan import cumprod, cumsum  # noqa: F401
from .scatter import gather, index_add, scatter, scatter_add  # noqa: F401
from .shape import (  # noqa: F401
                          broadcast_to,
                          cast,
                          cast_like,
                          cat,
                          clone,
                          concat,
                          concatenate,
                          expand,
                          expand_as,
                          flatten,
                          flip,
                          moveaxis,
                          movedim,
                          permute,
                          repeat,
                          reshape,
                          select,
                          squeeze,
                          squeeze_,
                          stack,
                          sum_to_size,
                          swapaxes,
                          swapdims,
                          t,
                          tile,
                          to_dtype,
                          transpose,
                          unflatten,
                          unsqueeze,
                          unsqueeze_,
                          view,
)
from .softmax_family import log_softmax, softmax  # noqa: F401
from .sorting import argsort, median, sort, topk, unique  # noqa: F401
from .special import erf, erfc  # noqa: F401 - torch.erf, torch.erfc

_MACHINERY = {"Primitive", "apply", "defprim", "function", "sum_to", "unary", "variadic", "variant",
              "elementwise", "indexing", "linalg", "reduction", "shape", "cast", "cast_like", "getitem",
              "setitem", "return_types"}
__all__ = sorted(name for name in dir() if not name.startswith("_") and name not in _MACHINERY
                 and not name.isupper() and (name == "special" or not isinstance(globals()[name], _ModuleType)))
# (submodules stay here, but for ``special``: diffkit.special as torch.special)
