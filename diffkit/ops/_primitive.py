"""The primitive table's machinery.

An operation is declared once, with ``defprim``: its forward computation on numpy arrays,
one vector-Jacobian product per input (the backward rule), one Jacobian-vector product per
input (forward mode) and, for elementwise functions, its SymPy counterpart. Rules are
written with diffkit's polymorphic functions, so the same rule runs on numpy arrays during
an ordinary backward pass and on Tensors (recording a new graph) when
``create_graph=True`` -- which is what makes higher derivatives work.

``function(prim)`` turns a primitive into the public function: numbers and arrays get
numpy, Tensors get a tape node, dual numbers and SymPy expressions get their own rule.
"""
from __future__ import annotations

import numpy as np

from .._dtypes import get_default_dtype
from .._promotion import elementwise_result, wrapped_ints
from ..autograd import grad_mode
from ..autograd.graph import OVERWRITTEN, SECOND_BACKWARD_MESSAGE, Node, node_class
from ..tensor import Tensor, _wrap, shared_counter
from ._errors import inplace_message, torch_error
from ._sums import sum_to
from ._tape_record import record

_F64 = np.dtype(np.float64)
_F32 = np.dtype(np.float32)

REGISTRY: dict[str, Primitive] = {}  # node name -> primitive: the whole table, for tests and tools
_state = grad_mode.state
_EMPTY: dict = {}
_PLAIN = frozenset({np.ndarray, float, int, bool, np.float64, np.float32, np.bool_})


class Primitive:
    """One row of the primitive table."""

    __slots__ = ("name", "forward", "vjp", "jvp", "sympy", "saves_inputs", "saved_indices",
                 "saves_output", "node_class", "display", "elementwise", "promotes", "needs", "is_view", "joint",
                 "residual")

    def __init__(self, name, forward, vjp, jvp, sympy, save, node, display, elementwise,
                 promotes=True, needs=None, is_view=False, joint=None, residual=None) -> None:
        self.name = name
        self.joint = joint
        self.residual = residual
        self.promotes = promotes
        self.is_view = is_view
        self.needs = None if needs is None else _needs_table(needs)
        self.forward = forward
        self.vjp = _per_input(vjp)
        self.jvp = _per_input(jvp) if jvp is not None else (self.vjp if elementwise else None)
        self.sympy = sympy
        self.elementwise = elementwise
        self.saved_indices = save if isinstance(save, tuple) else None
        self.saves_inputs = save in ("inputs", "both") or self.saved_indices is not None
        self.saves_output = save in ("output", "both")
        self.display = display or (name + "({})")
        self.node_class = None
        if self.vjp is not None:
            self.node_class = _node_class_of(self, node or f"{name.capitalize()}Backward0")
        _register(self.node_class.__name__ if self.node_class else name, self)

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


def defprim(name: str, forward, vjp=None, *, jvp=None, sympy=None, save="inputs",
            node: str | None = None, display: str | None = None, elementwise: bool = False,
            promotes: bool = True, needs: tuple | None = None, view: bool = False, joint=None,
            residual=None) -> Primitive:
    """Declare a primitive.

    ``vjp``/``jvp`` are one rule or a tuple of rules, one per input, each called as
    ``rule(g, out, *inputs, **params)`` (or ``variadic(rule)``: ``rule(i, g, out, ...)`` for
    any number of inputs). ``save`` says whether the node keeps the inputs, the output, both,
    none, or a tuple of input positions (what is not kept arrives as ``None``). For an
    elementwise primitive the JVP rules default to the VJP rules (the derivative is a
    pointwise factor). ``vjp=None`` declares an operation that is not differentiable.
    ``sympy`` is a callable or the name of a SymPy function.

    ``needs`` (optional) says, per input, which inputs its rule reads: ``needs=((1,), (0,))`` for
    ``x * y``. Only those that the rules to be run read are then checked for in-place changes, as
    PyTorch saves only what it needs (after ``y = x * 2``, modifying ``x`` in place is fine).
    ``promotes=False`` keeps the forward's float64 result (a requested dtype conversion) instead of
    applying PyTorch's float promotion. ``view=True`` marks an operation whose result shares
    memory with its input (reshape, transpose, slicing): see ``Tensor._assign``.

    ``joint`` (optional) computes the gradients of all inputs at once, on arrays, for operations
    whose rules share most of their work (batch norm's three gradients share two reductions):
    ``joint(wanted, g, out, *inputs, **params)`` returns one gradient or ``None`` per input,
    ``wanted[i]`` saying whether input i needs one. The per-input rules still serve
    ``create_graph`` and forward mode.

    ``residual`` (optional) is the forward used when the result will be differentiated:
    ``residual(*inputs, **params)`` returns ``(out, residual)`` and the node keeps the residual for its
    rules, which receive it as ``residual=`` on arrays (JAX's custom_vjp residuals): cross entropy's
    forward has the softmax in hand, so its gradient costs one product instead of a second softmax;
    ReLU keeps a one-byte mask, a quarter of the memory its backward would read from the output.
    On Tensors (``create_graph``) the rules get ``residual=None`` and compute from the inputs.
    """
    return Primitive(name, forward, vjp, jvp, sympy, save, node, display, elementwise, promotes, needs, view,
                     joint, residual)


def _register(key: str, prim: Primitive) -> None:
    """Enter a primitive in REGISTRY under its node name. PyTorch gives a few different
    operations the same node name (``x[None]`` and ``unsqueeze``: UnsqueezeBackward0); the
    second one is entered as ``Name[primitive]`` so that every primitive stays listed."""
    REGISTRY[key if key not in REGISTRY else f"{key}[{prim.name}]"] = prim


def _needs_table(needs: tuple) -> dict:
    """For each pattern of inputs needing a gradient (bit i: input i), the input positions
    that the rules to be run read."""
    return {mask: frozenset(j for i, used in enumerate(needs) if mask >> i & 1 for j in used)
            for mask in range(1 << len(needs))}


def variant(prim: Primitive, node: str) -> Primitive:
    """The same primitive under another node name (PyTorch's ``PowBackward0/1/2``)."""
    twin = Primitive.__new__(Primitive)
    for slot in Primitive.__slots__:
        setattr(twin, slot, getattr(prim, slot))
    twin.node_class = _node_class_of(twin, node)
    _register(node, twin)
    return twin


class variadic:
    """Rules for a primitive with any number of inputs (``cat``, ``stack``): ``rule(i, g, out, *inputs)``."""

    __slots__ = ("rule",)

    def __init__(self, rule) -> None:
        self.rule = rule

    def __getitem__(self, i: int):
        rule = self.rule
        return lambda *args, **params: rule(i, *args, **params)


def _node_class_of(prim: Primitive, name: str) -> type:
    """The grad_fn class of ``prim``. Its nodes accept an offered gradient (autograd/gradient_donation.py)
    when at most one rule runs on it: the rule of a one-input primitive, or a joint rule, which orders its
    reads itself; rules run one after another would find it overwritten."""
    cls = node_class(name, PrimitiveNode)
    cls.prim = prim
    cls.donates = prim.joint is not None or (isinstance(prim.vjp, tuple) and len(prim.vjp) == 1)
    return cls


def _per_input(rules):
    if rules is None or isinstance(rules, (tuple, variadic)):
        return rules
    return (rules,)


class PrimitiveNode(Node):
    """A ``grad_fn`` made by a primitive: the saved values its rules need, and its params."""

    __slots__ = ("_s0", "_s1", "_sn", "versions", "out", "out_vc", "params", "in_shapes", "freed", "residual")
    prim: Primitive

    @property
    def saved(self) -> tuple | None:
        """The inputs the rules read (None where one is not kept), or None. Two are kept in slots, as the
        edges are (``Node.edges``): the tuple that held them was one more object for the cyclic collector."""
        n = self._sn
        return (self._s0, self._s1) if n == 2 else n

    @saved.setter
    def saved(self, saved: tuple | None) -> None:
        if saved is not None and len(saved) == 2:
            self._sn, self._s0, self._s1 = 2, saved[0], saved[1]
        else:
            self._sn, self._s0, self._s1 = None if saved is None else tuple(saved), None, None

    def _vjp(self, grad, create_graph: bool) -> tuple:
        prim = self.prim
        if self.freed:
            raise RuntimeError(SECOND_BACKWARD_MESSAGE)
        out = self.out
        if out is OVERWRITTEN or (out is not None and self.out_vc[0]):  # the output changed in place since
            raise RuntimeError(inplace_message(self, "output 0", None))
        n = self._sn
        saved = (self._s0, self._s1) if n == 2 else n  # self.saved, inlined
        n = self._en
        edges = (self._e0, self._e1) if n == 2 else (self._e0,) if n == 1 else n  # self.edges, inlined
        if saved is None:
            inputs = (None,) * len(edges)
        else:
            for x, version in zip(saved, self.versions):
                if version is not None and (x._count if x._vc is None else x._vc[0]) != version:
                    i = next(i for i, s in enumerate(saved) if s is x)
                    raise RuntimeError(inplace_message(self, f"input {i}", x, version))
            if create_graph:
                inputs = saved
            elif len(saved) == 2:  # unrolled for two: the backward's hot path
                a, b = saved
                inputs = (a._data if isinstance(a, Tensor) else a, b._data if isinstance(b, Tensor) else b)
            elif len(saved) == 3:  # linear's (x, W, None)
                a, b, c = saved
                inputs = (a._data if isinstance(a, Tensor) else a, b._data if isinstance(b, Tensor) else b,
                          c._data if isinstance(c, Tensor) else c)
            else:
                inputs = [x._data if isinstance(x, Tensor) else x for x in saved]
        if create_graph and out is not None:
            out = _wrap(out, True, self)
        params = self.params if self.residual is None else self.rule_params(not create_graph)
        return run_rules(prim, edges, self.in_shapes, params, grad, out, inputs, not create_graph)

    def rule_params(self, arrays: bool) -> dict:
        """The params the rules are called with: with the forward's residual when the rules run on arrays."""
        if self.residual is None:
            return self.params
        return {**self.params, "residual": self.residual if arrays else None}

    def _release(self) -> None:
        if self._sn is not None or self.out is not None or self.residual is not None:
            self._sn = self._s0 = self._s1 = self.out = self.residual = None
            self.freed = True

    @property
    def metadata(self) -> dict:
        return {}


def run_rules(prim: Primitive, edges: tuple, shapes, params: dict, grad, out, inputs, arrays: bool) -> list:
    """The gradient of each input whose edge is not None (None for the others), summed back to
    the input's shape: a node's backward, and a captured step's replay of it (graphs/)."""
    if prim.joint is not None and arrays:
        wanted = ((edges[0] is not None, edges[1] is not None) if len(edges) == 2
                  else tuple([edge is not None for edge in edges]))
        grads = prim.joint(wanted, grad, out, *inputs, **params)
        if shapes is not None:
            grads = [g if g is None or g.shape == shape else sum_to(g, shape) for g, shape in zip(grads, shapes)]
        return grads
    rules = prim.vjp
    grads = []
    i = 0
    for edge in edges:
        if edge is None:
            grads.append(None)
        else:
            g = rules[i](grad, out, *inputs, **params)
            if shapes is not None and g.shape != shapes[i]:
                g = sum_to(g, shapes[i])
            grads.append(g)
        i += 1
    return grads


def apply(prim: Primitive, args: tuple, params: dict = _EMPTY) -> Tensor:
    """Run a primitive on Tensors and constants; record a node when a gradient is needed."""
    if len(args) == 2:  # binary operations, unrolled
        a, b = args
        a_tensor, b_tensor = isinstance(a, Tensor), isinstance(b, Tensor)
        arrays = [a._data if a_tensor else a, b._data if b_tensor else b]
        requires_grad = (a_tensor and a._requires_grad) or (b_tensor and b._requires_grad)
    else:
        requires_grad = False
        arrays = []
        for a in args:
            if isinstance(a, Tensor):
                arrays.append(a._data)
                if a._requires_grad:
                    requires_grad = True
            else:
                arrays.append(a)
    if prim.residual is not None and requires_grad and _state.enabled:
        out, residual = computed = compute(prim, arrays, params, True)
    else:
        out = computed = compute(prim, arrays, params)
        residual = None
    if _state.capture is not None:
        _state.capture.record_forward(prim, args, params, computed)
    if requires_grad and _state.enabled and prim.node_class is not None and out.dtype.kind in "fc":
        result = record(prim, args, params, out, residual)  # integer and bool results are not differentiable
    else:
        result = _wrap(out)
    if prim.is_view:
        _share_version(result, args[0])
    return result


def compute(prim: Primitive, arrays, params: dict, residual: bool = False):
    """The forward computation on arrays, with PyTorch's result dtype: a Tensor's value, and a
    captured step's replay of it (graphs/). With ``residual``: ``(out, the primitive's residual)``."""
    forward = prim.residual if residual else prim.forward
    try:
        out = forward(*arrays, **params)
    except ValueError as error:  # numpy's complaint, reworded as PyTorch words it
        raise torch_error(error, arrays) from None
    except OverflowError:  # a Python int outside an integer tensor's dtype (uint8 - 1): wrapped, as PyTorch
        out = forward(*wrapped_ints(arrays), **params)
    if residual:
        out, kept = out
    if out.__class__ is not np.ndarray:
        out = np.asarray(out)
    dt = out.dtype
    if dt is not _F32:  # float32, the common case, is decided by one comparison
        if dt is _F64:
            if prim.promotes:
                out = _torch_float_promotion(out, arrays)
        elif prim.elementwise and prim.promotes:  # float16, complex, integers: see _promotion
            out = elementwise_result(prim, out, arrays, params)
    return (out, kept) if residual else out


def _share_version(view: Tensor, base) -> None:
    """A result that really shares its input's memory shares its version counter (PyTorch's views);
    its own count is noted when it has a history, which a later in-place change of the base outdates."""
    owner = view._data.base
    if owner is None or not isinstance(base, Tensor) or (owner is not base._data and owner is not base._data.base):
        return
    view._vc = shared_counter(base)
    if view.grad_fn is not None:
        view._view_version = view._vc[0]


def _torch_float_promotion(out: np.ndarray, arrays: list) -> np.ndarray:
    """numpy promotes to float64 where PyTorch keeps the widest float of the dimensioned
    tensors (0-d tensors count only when nothing else is a float), else the default dtype."""
    for a in arrays:
        if a.__class__ is np.ndarray and a.dtype is not _F64:
            break
    else:  # only float64 arrays and Python numbers (which never promote): numpy agrees with PyTorch
        return out
    tensors = [a for a in arrays if isinstance(a, np.ndarray)]
    for group in ([a for a in tensors if a.ndim > 0], tensors):
        # a complex input counts as its real part's float: |z| of complex128 is float64
        floats = [a.dtype.itemsize // (2 if a.dtype.kind == "c" else 1) for a in group if a.dtype.kind in "fc"]
        if floats:
            target = np.dtype(f"f{max(floats)}")
            break
    else:
        target = get_default_dtype().np
    return out if target == _F64 else out.astype(target)


# ------------------------------------------------------------------ polymorphic dispatch
def _is_sympy(value) -> bool:
    return type(value).__module__.startswith("sympy")


def dispatch_other(prim: Primitive, args: tuple, params: dict):
    """Apply a primitive to non-Tensor arguments: dual numbers and other types that
    implement ``__diffkit_apply__``, SymPy expressions, or plain numbers and arrays."""
    for a in args:
        handler = getattr(type(a), "__diffkit_apply__", None)
        if handler is not None:
            return handler(prim, args, params)
    if any(_is_sympy(a) for a in args):
        if prim.sympy is None:
            raise TypeError(f"diffkit.{prim.name} has no SymPy counterpart")
        if isinstance(prim.sympy, str):
            import sympy

            return getattr(sympy, prim.sympy)(*args, **params)
        return prim.sympy(*args, **params)
    arrays = [np.asarray(a) if isinstance(a, (list, tuple)) else a for a in args]
    out = prim.forward(*arrays, **params)
    if isinstance(out, np.ndarray) and out.ndim == 0 and not any(isinstance(a, np.ndarray) for a in arrays):
        return out[()]
    return out


_FUNCTIONS: dict = {}  # primitive -> its public function under its own name, made once


def function(prim: Primitive, name: str | None = None, doc: str | None = None):
    """The public, polymorphic function of a primitive: ``f(*args, **params)``. Made once per
    primitive (many wrappers call ``function(PRIM)(...)`` at every call)."""
    if name is None and doc is None:
        fn = _FUNCTIONS.get(prim)
        if fn is None:
            fn = _FUNCTIONS[prim] = _make_function(prim, None, None)
        return fn
    return _make_function(prim, name, doc)


def _make_function(prim: Primitive, name: str | None, doc: str | None):
    forward = prim.forward

    def fn(*args, **params):
        for a in args:
            if isinstance(a, Tensor):
                return apply(prim, args, params)
        if args[0].__class__ is np.ndarray and all(a.__class__ in _PLAIN for a in args):
            return forward(*args, **params)  # the backward pass: plain arrays, straight to numpy
        return dispatch_other(prim, args, params)

    fn.__name__ = fn.__qualname__ = name or prim.name
    fn.__doc__ = doc or f"Elementwise ``{prim.name}`` of numbers, arrays, Tensors, SymPy expressions or dual numbers."
    fn.primitive = prim
    return fn


def unary(prim: Primitive, name: str | None = None, doc: str | None = None):
    """A faster ``function`` for one-argument primitives without parameters."""

    forward = prim.forward

    def fn(x):
        if x.__class__ is np.ndarray:
            return forward(x)  # the backward pass: plain arrays, straight to numpy
        if isinstance(x, Tensor):
            return apply(prim, (x,), _EMPTY)
        return dispatch_other(prim, (x,), _EMPTY)

    fn.__name__ = fn.__qualname__ = name or prim.name
    fn.__doc__ = doc or f"Elementwise ``{prim.name}`` of numbers, arrays, Tensors, SymPy expressions or dual numbers."
    fn.primitive = prim
    return fn
