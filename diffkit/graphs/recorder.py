"""Recording one eager run of a step as a flat program of numpy kernels.

While a recorder is installed (``grad_mode.state.capture``), every array computation that
diffkit's engine performs -- a primitive's forward, a node's backward rule, a gradient sum,
a leaf's gradient accumulation, an in-place write, an optimizer's update -- is noted as one
op: the callable, and where each of its inputs comes from. Everything lives in numbered
slots: the step's arguments, tensors that existed before the run (parameters, buffers:
read afresh at every replay), constants, and the outputs of earlier ops. Replaying the ops
in order on new arguments repeats the step without building a single Tensor or node.
"""
from __future__ import annotations

import functools
from operator import itemgetter

import numpy as np

from ..autograd import grad_mode
from ..tensor import Tensor, _wrap

# the kinds of a slot's source, compared between two recordings of a step
ARGUMENT, LIVE, CONSTANT, OUTPUT = "argument", "live", "constant", "output"

REFUSED = ("{what} cannot be captured: a replay repeats only diffkit's array computations, so {why}. "
           "Run this step eagerly (without diffkit.graphs.capture){instead}.")


def refuse(what: str, why: str, instead: str = "") -> RuntimeError:
    return RuntimeError(REFUSED.format(what=what, why=why, instead=instead))


def kernel(fn, inputs: tuple, name: str):
    """``fn`` on the inputs (Tensors as their arrays), now; inside a captured step also recorded as an op
    of its own, so that every replay computes it again: the array work that a wrapper does outside the
    primitive table (batch statistics, pooling winners, a dropout mask, clipping). A result of None is
    an in-place effect."""
    result = fn(*[x._data if isinstance(x, Tensor) else x for x in inputs])
    if grad_mode.state.capture is not None:
        grad_mode.state.capture.record_kernel(fn, inputs, result, name)
    return result


def refuse_data_dependent(what: str) -> None:
    """Raise, inside a captured step, for an operation whose result's shape or positions come from values."""
    if grad_mode.state.capture is not None:
        raise refuse(what, "which elements it selects depends on the values, and a replay would keep this "
                     "run's selection", "; or select with torch.where(mask, x, 0), which keeps the shape")


def refuse_write(what: str) -> None:
    """Raise, inside a captured step, for a write into a tensor that the recording cannot see."""
    if grad_mode.state.capture is not None:
        raise refuse(what, "a write into a tensor outside them would be skipped by every replay",
                     "; or do it outside the step, between calls")


class Op:
    """One recorded computation: ``fn(*slots[inputs])``, its results stored in ``outputs``."""

    __slots__ = ("fn", "inputs", "outputs", "key", "name", "unpack")

    def __init__(self, fn, inputs: tuple, outputs: tuple, key: tuple, name: str, unpack: bool) -> None:
        self.fn, self.inputs, self.outputs, self.key, self.name = fn, inputs, outputs, key, name
        self.unpack = unpack  # fn returns a sequence of the outputs, not the one output


class Recorder:
    """The slots and ops of one recording; ``sources[k]`` says where slot k's value comes from."""

    def __init__(self, arguments: list[np.ndarray]) -> None:
        self.sources: list[tuple] = []
        self.values: list = []  # the values seen while recording: keeps every array alive, so ids stay unique
        self.first_seen: dict[int, np.ndarray] = {}  # slot -> a copy of an outside array as the step first read it
        self.slot_of: dict[int, int] = {}  # id(array) -> the slot that holds it now
        self.ops: list[Op] = []
        self.modules: dict[int, tuple] = {}  # id -> (module, its .training): a replay is valid in those modes
        self.arguments = [self._new(ARGUMENT, a, i) for i, a in enumerate(arguments)]

    # ------------------------------------------------------------------ slots
    def _new(self, kind: str, value, detail=None) -> int:
        k = len(self.values)
        self.sources.append((kind, detail))
        self.values.append(value)
        if isinstance(value, np.ndarray):
            self.slot_of[id(value)] = k
            if kind in (LIVE, CONSTANT):  # later ops may write into it: compare and keep it as it was read
                self.first_seen[k] = value.copy()
        return k

    def slot(self, x) -> int:
        """The slot holding ``x``: a Tensor's array or a plain value, as an earlier op left it."""
        data = x._data if isinstance(x, Tensor) else x
        k = self.slot_of.get(id(data)) if isinstance(data, np.ndarray) else None
        if k is not None:
            return k
        if isinstance(x, Tensor):  # a tensor from before the step: parameters and buffers, read at each replay
            return self._new(LIVE, data, x)
        return self._new(CONSTANT, x)

    # ------------------------------------------------------------------ ops
    def record(self, fn, inputs, outputs, key: tuple, name: str) -> None:
        """Note ``outputs = fn(*inputs)``: a tuple when ``fn`` returns one, else its one value."""
        ins = tuple(self.slot(x) for x in inputs)
        unpack = isinstance(outputs, (tuple, list))
        outs = tuple(self._new(OUTPUT, o, len(self.ops)) for o in (outputs if unpack else (outputs,)))
        self.ops.append(Op(fn, ins, outs, key, name, unpack))

    def effect(self, fn, inputs, key: tuple, name: str) -> None:
        """Note a computation that changes state in place and returns nothing."""
        self.record(fn, inputs, (), key, name)  # no outputs

    def note_module(self, module) -> None:
        if module._forward_pre_hooks or module._forward_hooks:
            raise refuse(f"a forward hook of {type(module).__name__}", "Python code around a forward would not run "
                         "again")
        self.modules.setdefault(id(module), (module, module.training))

    # ------------------------------------------------------------------ what the engine records
    def _split(self, params: dict) -> tuple:
        """Where params hold arrays computed by recorded ops or given as arguments (batch norm's statistics,
        an index tensor, also inside an index tuple): ``(places, the other params)``, each place a
        ``(name, position in the tuple or None)``. Those arrays are inputs of the op, read from their
        slots at each replay; the other params are fixed."""
        places, arrays = [], []
        static = params
        for k, v in params.items():
            parts = v if isinstance(v, tuple) else (v,)
            for i, part in enumerate(parts):
                if isinstance(part, np.ndarray) and id(part) in self.slot_of:
                    places.append((k, i if isinstance(v, tuple) else None))
                    arrays.append(part)
        if places:
            static = dict(params)
            for k, i in places:  # placeholders, so that the op's key holds no values
                static[k] = None if i is None else static[k][:i] + (None,) + static[k][i + 1:]
        return tuple(places), tuple(arrays), static

    def record_forward(self, prim, args: tuple, params: dict, out) -> None:
        """A primitive's forward; ``out`` is ``(result, residual)`` when it kept a residual for its backward."""
        from ..ops._primitive import compute

        places, arrays, static = self._split(params)
        n = len(args)
        residual = isinstance(out, tuple)

        def forward(*values):
            if not places:
                return compute(prim, values, static, residual)
            return compute(prim, values[:n], _filled(static, places, values[n:]), residual)

        self.record(forward, (*args, *arrays), out, ("forward", prim, static, places, residual), prim.name)

    def record_backward(self, node, grad, grads: list) -> None:
        """A primitive node's backward rules, run on ``grad``, its saved output and inputs: one op per
        gradient, each calling its rule directly where the recording allows (no params read from slots,
        no broadcast to undo), so that a replay spends no Python on the node around them."""
        prim, shapes, params = node.prim, node.in_shapes, node.rule_params(True)
        wanted = tuple(i for i, edge in enumerate(node.edges) if edge is not None)
        places, arrays, static = self._split(params)
        saved = node.saved if node.saved is not None else (None,) * len(node.edges)
        inputs, name = (grad, node.out, *saved, *arrays), type(node).__name__
        if prim.joint is not None:
            self.record(_joint(prim, node.edges, wanted, shapes, static, places), inputs, itemgetter(*wanted)(grads),
                        ("backward", prim, static, places, shapes, wanted), name)
            return
        for i in wanted:
            rule = _rule(prim.vjp[i], static, places, len(saved), None if shapes is None else shapes[i])
            self.record(rule, inputs, grads[i], ("backward", prim, static, places, shapes, (i,)), name)

    def record_write(self, target: Tensor, source) -> None:
        """An in-place write into ``target`` (``copy_``, ``add_``, ``x[i] = v``...)."""
        self.effect(_write, (target, source), ("write",), "write")

    def record_grad(self, tensor: Tensor, value: Tensor | None) -> None:
        """``tensor.grad = value`` (None, or a tensor whose array each replay assigns afresh)."""
        inputs = () if value is None else (value,)
        self.effect(functools.partial(_assign_grad, tensor), inputs, ("grad =", tensor, value is None), "grad =")

    def record_kernel(self, fn, inputs: tuple, outputs, name: str) -> None:
        """An array computation done outside the primitive table (see ``kernel``); None: no outputs."""
        if isinstance(fn, functools.partial):
            key = ("kernel", fn.func, fn.args, fn.keywords)
        elif not hasattr(fn, "__code__"):  # a numpy function
            key = ("kernel", fn)
        else:
            key = ("kernel", fn.__code__, tuple(c.cell_contents for c in fn.__closure__ or ()))
        self.record(fn, inputs, () if outputs is None else outputs, key, name)

    def run_effect(self, fn, key: tuple, name: str) -> None:
        """Run ``fn()`` now, unrecorded inside (it is one op of its own), and record it as an effect."""
        state = grad_mode.state
        state.capture = None
        try:
            fn()
        finally:
            state.capture = self
        self.effect(fn, (), key, name)


def _rule(rule, static: dict, places: tuple, n: int, shape: tuple | None):
    """One input's backward rule as an op ``fn(g, out, *saved inputs, *arrays of params)``."""
    from ..ops._sums import sum_to_array

    if not places and shape is None:
        return functools.partial(rule, **static) if static else rule

    def gradient(g, out, *inputs):
        params = _filled(static, places, inputs[n:]) if places else static
        result = rule(g, out, *inputs[:n], **params)
        return result if shape is None or result.shape == shape else sum_to_array(result, shape)

    return gradient


def _joint(prim, edges: tuple, wanted: tuple, shapes, static: dict, places: tuple):
    """The op of a primitive whose rules run together (``defprim(joint=...)``): the wanted gradients."""
    from ..ops._primitive import run_rules

    pattern = tuple(None if edge is None else True for edge in edges)  # the pattern, not the graph
    pick = itemgetter(*wanted)
    n = len(edges)

    def backward(g, out, *inputs):
        params = _filled(static, places, inputs[n:]) if places else static
        return pick(run_rules(prim, pattern, shapes, params, g, out, inputs[:n], True))

    return backward


def _filled(static: dict, places: tuple, arrays: tuple) -> dict:
    """The params with this run's arrays in their places."""
    params = dict(static)
    for (k, i), a in zip(places, arrays):
        params[k] = a if i is None else params[k][:i] + (a,) + params[k][i + 1:]
    return params


def _write(target: np.ndarray, source) -> None:
    np.copyto(target, source, casting="unsafe")


def _assign_grad(tensor: Tensor, value: np.ndarray | None = None) -> None:
    tensor._grad = None if value is None else _wrap(value)
