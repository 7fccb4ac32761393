"""``Optimizer``: parameter groups, per-parameter state, ``zero_grad``, ``step``, and state_dicts.

Subclasses implement ``_update(group, param, grad, state)`` with PyTorch's exact formulas as
in-place numpy operations on the parameter's array (``out=``), so a step allocates little
and records nothing on the tape.
"""
from __future__ import annotations

import copy
import functools
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable

import numpy as np

from ..autograd import grad_mode
from ..nn.module import RemovableHandle, add_hook
from ..nn.parameter import zero_grads
from ..tensor import Tensor, _wrap


class _Required:
    def __repr__(self) -> str:
        return "<required parameter>"


required = _Required()
_LABELS = {"lr": "learning rate", "eps": "epsilon value"}


def check_nonnegative(**values: float) -> None:
    """Reject negative hyperparameters with PyTorch's messages ("Invalid learning rate: -1")."""
    for name, value in values.items():
        if value is not required and value < 0.0:
            raise ValueError(f"Invalid {_LABELS.get(name, name + ' value')}: {value}")


def check_betas(betas) -> tuple:
    """Both coefficients of the running averages in [0, 1), as PyTorch's check."""
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
    return tuple(betas)


def apply_weight_decay(p: np.ndarray, grad: np.ndarray, group: dict) -> np.ndarray:
    """L2 decay (wd·p added to the gradient), or decoupled (AdamW: p *= 1 - lr·wd) when the group says so."""
    weight_decay = group["weight_decay"]
    if not weight_decay:
        return grad
    if group.get("decoupled_weight_decay", False):
        np.multiply(p, 1 - group["lr"] * weight_decay, out=p, casting="unsafe")
        return grad
    return grad + weight_decay * p


def _with_step_hooks(step: Callable) -> Callable:
    """``step`` with the optimizer's step hooks around it, once however many overriding steps call super()."""

    @functools.wraps(step)
    def hooked(self, *rest, **kwargs):
        state = self.__dict__
        pre, post = state.get("_optimizer_step_pre_hooks"), state.get("_optimizer_step_post_hooks")
        if not (pre or post) or state.get("_in_hooked_step"):  # the common step: no hooks, no bookkeeping
            return step(self, *rest, **kwargs)
        args = (self, *rest)  # PyTorch's hooks see step's arguments with the optimizer first
        self._in_hooked_step = True
        try:
            for hook in list(pre.values() if pre else ()):
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError(f"{step} must return None or a tuple of (new_args, new_kwargs), but got "
                                           f"{result}.")
                    args, kwargs = result
            out = step(*args, **kwargs)
            for hook in list(post.values() if post else ()):
                hook(self, args, kwargs)
            return out
        finally:
            self._in_hooked_step = False

    return hooked


class Optimizer:
    """Base class: ``param_groups`` (a list of dicts with ``params`` and hyperparameters) and ``state``
    (a dict per parameter, e.g. momentum buffers)."""

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__:  # a custom optimizer's own step runs the hooks too, as in PyTorch
            cls.step = _with_step_hooks(cls.__dict__["step"])

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], defaults: dict) -> None:
        self._optimizer_step_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_step_post_hooks: OrderedDict = OrderedDict()
        self.defaults = defaults
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict] = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {params.type()}")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            text += "".join(f"    {key}: {group[key]}\n" for key in sorted(group) if key != "params")
        return text + ")"

    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters with its own hyperparameters (the defaults fill the rest)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering "
                            "of tensors in sets will change between runs. Please use a list instead.")
        params = list(params)
        named = [p for p in params if isinstance(p, tuple)]
        if named:  # from named_parameters(): (name, parameter) pairs
            if len(named) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = [name for name, _ in named]
            params = [p for _, p in named]
        param_group["params"] = params
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        for group in self.param_groups:
            if ("param_names" in param_group) != ("param_names" in group):
                kind = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {kind} to the optimizer")
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` runs before each ``step``; it may return ``(new_args, new_kwargs)``."""
        return add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` runs after each ``step``."""
        return add_hook(self._optimizer_step_post_hooks, hook)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients (``None``, or zeros with ``set_to_none=False``) before the next backward."""
        zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    @_with_step_hooks
    def step(self, closure: Callable[[], Tensor] | None = None):
        """Update every parameter that has a gradient; ``closure`` re-evaluates the loss first."""
        loss = None
        if closure is not None:
            with grad_mode.enable_grad():
                loss = closure()
        capture = grad_mode.state.capture
        if capture is None:
            self._update_all()
        else:  # a captured step (diffkit.graphs): the update is one op, replayed as it is
            if closure is not None or self._optimizer_step_pre_hooks or self._optimizer_step_post_hooks:
                from ..graphs.recorder import refuse

                raise refuse("optimizer.step with a closure or step hooks", "that Python code would not run again")
            capture.run_effect(self._update_all, ("step", self), f"{type(self).__name__}.step")
        return loss

    def _update_all(self) -> None:
        """Update every parameter that has a gradient, with the hyperparameters its group has now."""
        mode = grad_mode.state  # grad mode off, as no_grad() would, without making its object each step
        enabled, mode.enabled = mode.enabled, False
        try:
            for group in self.param_groups:
                hyper = _plain(group)
                maximize = group.get("maximize", False)
                for p in group["params"]:
                    if p._grad is None:
                        continue
                    grad = p._grad._data
                    if maximize:
                        grad = -grad
                    state = self.state.get(p)
                    fresh = state is None  # an entry only once there is state (SGD without momentum: none)
                    if fresh:
                        state = {}
                    self._update(hyper, p, grad, state)
                    if fresh and state:
                        self.state[p] = state
                    if p._vc is None:  # p._version += 1, without the property: this runs per parameter per step
                        p._count += 1
                    else:
                        p._vc[0] += 1
        finally:
            mode.enabled = enabled

    def _update(self, group: dict, param: Tensor, grad: np.ndarray, state: dict) -> None:
        raise NotImplementedError

    @staticmethod
    def _buffer(param: Tensor, fill: float = 0.0) -> Tensor:
        return _wrap(np.full_like(param._data, fill))

    @staticmethod
    def _zero_step() -> Tensor:
        """The step counter: a float32 scalar tensor, as PyTorch keeps it."""
        return _wrap(np.zeros((), dtype=np.float32))

    @staticmethod
    def _count_step(state: dict) -> float:
        step = state["step"]
        step._data += 1
        return float(step._data)

    # ------------------------------------------------------------------ state dicts
    def state_dict(self) -> dict:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}``, parameters by position."""
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: value for p, value in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore hyperparameters and state saved by ``state_dict`` (for the same parameters, in order)."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for mine, saved in zip(self.param_groups, saved_groups):
            if len(mine["params"]) != len(saved["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                                 "optimizer's group")
        by_index = {i: p for mine, saved in zip(self.param_groups, saved_groups)
                    for i, p in zip(saved["params"], mine["params"])}
        self.state = defaultdict(dict)
        for key, value in state_dict["state"].items():
            param = by_index.get(int(key))
            if param is not None:
                self.state[param] = {name: _cast_state(name, v, param) for name, v in value.items()}
        self.param_groups = [{**({"param_names": mine["param_names"]} if "param_names" in mine else {}),
                              **copy.deepcopy({k: v for k, v in saved.items() if k != "params"}),
                              "params": mine["params"]}
                             for mine, saved in zip(self.param_groups, saved_groups)]


def _plain(group: dict) -> dict:
    """The group with 0-d tensor hyperparameters (``lr=torch.tensor(0.01)``) read as floats for the numpy update;
    the group itself keeps the tensor, as PyTorch's."""
    for v in group.values():  # a loop, not any(generator): this runs per group per step
        if isinstance(v, Tensor):
            break
    else:
        return group
    return {k: float(v.item()) if isinstance(v, Tensor) else v for k, v in group.items()}


def _cast_state(name: str, value, param: Tensor):
    """A copy of a saved state value, floating tensors in the parameter's dtype (the step count stays)."""
    if isinstance(value, Tensor) or hasattr(value, "__array__") and not np.isscalar(value):
        array = np.array(value._data if isinstance(value, Tensor) else value)
        if name != "step" and array.dtype.kind == "f":
            array = array.astype(param._data.dtype)
        return _wrap(array)
    return copy.deepcopy(value)
