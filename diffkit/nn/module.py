"""``Module``: the base of every layer and model.

Assigning a ``Parameter``, a ``Module`` or a registered buffer as an attribute registers it
(in ``_parameters``, ``_modules``, ``_buffers``, in assignment order), and everything else --
``parameters()``, ``state_dict()``, ``train()``, ``to()``, ``repr`` -- walks those three
dictionaries recursively. Names, order and formats follow PyTorch, so state_dicts move
between the two libraries key for key.
"""
from __future__ import annotations

import itertools
from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterator

import numpy as np

from .. import _dtypes
from ..autograd import grad_mode
from ..graphs.recorder import refuse_write
from ..tensor import Tensor, target_dtype
from .forward_hooks import run_forward, run_pre_hooks
from .parameter import Parameter, zero_grads

_hook_ids = itertools.count()


class RemovableHandle:
    """Returned by ``register_*_hook``; ``remove()`` unregisters the hook."""

    def __init__(self, hooks: dict, key: int) -> None:
        self._hooks, self.id = hooks, key

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def add_hook(hooks: dict, hook, prepend: bool = False) -> RemovableHandle:
    """Register ``hook`` in ``hooks`` under a fresh id (first with ``prepend``): modules' and optimizers' hooks."""
    key = next(_hook_ids)
    hooks[key] = hook
    if prepend:
        items = [(key, hooks.pop(key))] + list(hooks.items())
        hooks.clear()
        hooks.update(items)
    return RemovableHandle(hooks, key)


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


def _as_array(value) -> np.ndarray:
    """Values of a state_dict: diffkit Tensors, numpy arrays, PyTorch tensors, numbers."""
    if isinstance(value, Tensor):
        return value._data
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a PyTorch tensor
        return value.detach().cpu().numpy()
    return np.asarray(value)


class Module:
    """Base class for layers and models: subclass, assign layers in ``__init__``, write ``forward``."""

    training: bool
    dump_patches = False

    def __init__(self, *args, **kwargs) -> None:
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected arguments")
        set_ = object.__setattr__
        set_(self, "training", True)
        set_(self, "_parameters", {})
        set_(self, "_buffers", {})
        set_(self, "_non_persistent_buffers_set", set())
        set_(self, "_modules", {})
        set_(self, "_forward_hooks", {})
        set_(self, "_forward_pre_hooks", {})
        set_(self, "_backward_hooks", {})
        set_(self, "_backward_pre_hooks", {})

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args, **kwargs):
        if grad_mode.state.capture is not None:  # a captured step (diffkit.graphs) notes the module's mode
            grad_mode.state.capture.note_module(self)
        if not (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks or self._backward_pre_hooks):
            return self.forward(*args, **kwargs)
        args, kwargs = run_pre_hooks(self, args, kwargs)
        gate = None
        if self._backward_hooks or self._backward_pre_hooks:
            from .backward_hooks import BackwardHookGate

            gate = BackwardHookGate(self)
            args = gate.wrap_inputs(args)
        output = run_forward(self, self.forward, args, kwargs)
        return output if gate is None else gate.wrap_outputs(output)

    # ------------------------------------------------------------------ registration
    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """A tensor that is state but not a parameter (running statistics): saved in the state_dict
        unless ``persistent=False``, moved by ``to()``, never returned by ``parameters()``."""
        self._check_entry("_buffers", name, tensor, Tensor, "buffer", "torch Tensor")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        self._check_entry("_parameters", name, param, Parameter, "parameter", "torch.nn.Parameter")
        if param is not None and param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be "
                             "created explicitly.")
        self._parameters[name] = param

    def add_module(self, name: str, module: Module | None) -> None:
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_name(name, "module", self._modules)
        self._modules[name] = module

    register_module = add_module

    def _check_entry(self, registry: str, name: str, value, cls: type, kind: str, expected: str) -> None:
        if registry not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        self._check_name(name, kind, self.__dict__[registry])
        if value is not None and not isinstance(value, cls):
            raise TypeError(f"cannot assign '{type(value).__name__}' object to {kind} '{name}' "
                            f"({expected} or None required)")

    def _check_name(self, name: str, kind: str, registry: dict) -> None:
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
        if "." in name or name == "":
            raise KeyError(f'{kind} name can\'t contain "."' if name else f'{kind} name can\'t be empty string ""')
        if hasattr(self, name) and name not in registry:
            raise KeyError(f"attribute '{name}' already exists")

    def __getattr__(self, name: str):
        d = self.__dict__  # reached only for names not in __dict__: parameters, buffers, submodules
        parameters = d.get("_parameters")
        if parameters is not None and name in parameters:  # a layer's forward reads its weights here
            return parameters[name]
        for registry in ("_buffers", "_modules"):
            if registry in d and name in d[registry]:
                return d[registry][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name: str, value) -> None:
        d = self.__dict__
        params, modules, buffers = d.get("_parameters"), d.get("_modules"), d.get("_buffers")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, keep="_parameters")
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                                "(torch.nn.Parameter or None expected)")
            params[name] = None
        elif isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, keep="_modules")
            modules[name] = value
        elif modules is not None and name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module '{name}' "
                                "(torch.nn.Module or None expected)")
            modules[name] = None
        elif buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                                "(torch.Tensor or None expected)")
            buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str, keep: str) -> None:
        """Drop ``name`` from every registry but ``keep``, where a new value replaces the old one in
        its place: ``model.fc = Linear(...)`` must not move fc to the end of a Sequential's order."""
        self.__dict__.pop(name, None)
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry != keep:
                self.__dict__[registry].pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def __delattr__(self, name: str) -> None:
        for registry in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__.get(registry, {}):
                del self.__dict__[registry][name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        names = set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules)
        return sorted(n for n in names if not n[0].isdigit())

    # ------------------------------------------------------------------ traversal
    def named_modules(self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True):
        if memo is None:
            memo = set()
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            yield from module.named_modules(memo, prefix + ("." if prefix else "") + name, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry: str, prefix: str, recurse: bool, remove_duplicate: bool = True):
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or (remove_duplicate and value in seen):
                    continue
                if remove_duplicate:
                    seen.add(value)
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
        """(name, parameter) pairs, each shared parameter once, in registration order."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def get_submodule(self, target: str) -> Module:
        module = self
        for item in target.split(".") if target else []:
            if item not in module._modules:
                raise AttributeError(f"{module._get_name()} has no attribute `{item}`")
            module = module._modules[item]
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at a dotted path (``"block.0.weight"``)."""
        return self._member(target, "_parameters", "an nn.Parameter")

    def get_buffer(self, target: str) -> Tensor:
        return self._member(target, "_buffers", "a buffer")

    def _member(self, target: str, registry: str, kind: str):
        path, _, name = target.rpartition(".")
        members = getattr(self.get_submodule(path), registry)
        if name not in members:
            raise AttributeError(f"`{name}` is not {kind}")
        return members[name]

    # ------------------------------------------------------------------ modes and gradients
    def train(self, mode: bool = True) -> Module:
        """Training mode (dropout active, batch statistics) for this module and every submodule."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: dropout off, BatchNorm uses its running statistics."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the parameters' gradients (``None``, or zeros with ``set_to_none=False``)."""
        zero_grads(self.parameters(), set_to_none)

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn`` on every submodule (children first) and on ``self``: custom initialisation."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ dtype
    def _apply(self, convert: Callable[[np.ndarray], np.ndarray]) -> Module:
        """Convert every parameter and buffer array in place (tensor objects keep their identity)."""
        for module in self.modules():
            for tensor in itertools.chain(module._parameters.values(), module._buffers.values()):
                if tensor is None:
                    continue
                tensor._data = convert(tensor._data)
                if tensor._grad is not None:
                    tensor._grad._data = convert(tensor._grad._data)
        return self

    def to(self, *args, **kwargs) -> Module:
        """``to(dtype)``, ``to('cpu')``, ``to(tensor)``: floating-point parameters and buffers change dtype."""
        target = target_dtype(args, kwargs)
        if target is None:
            return self
        if not (target.is_floating_point or target.is_complex):
            raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, but got desired "
                            f"dtype={target!r}")
        return self._apply(lambda a: a.astype(target.np) if a.dtype.kind in "fc" else a)

    def double(self) -> Module:
        return self.to(_dtypes.float64)

    def float(self) -> Module:
        return self.to(_dtypes.float32)

    def half(self) -> Module:
        return self.to(_dtypes.float16)

    def type(self, dst_type) -> Module:
        return self._apply(lambda a: a.astype(_dtypes.to_numpy_dtype(dst_type)))

    def cpu(self) -> Module:
        return self

    def cuda(self, device=None) -> Module:
        raise RuntimeError("diffkit runs on the CPU only; there is no CUDA device")

    # ------------------------------------------------------------------ state
    def _local_state(self, keep_vars: bool) -> Iterator[tuple[str, Tensor]]:
        for name, param in self._parameters.items():
            if param is not None:
                yield name, param if keep_vars else param.detach()
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent_buffers_set:
                yield name, buffer if keep_vars else buffer.detach()

    def state_dict(self, *args, destination=None, prefix: str = "", keep_vars: bool = False) -> OrderedDict:
        """Every parameter and persistent buffer by dotted name (``0.weight``, ``1.running_mean``),
        in PyTorch's order: a module's own parameters, then its buffers, then its children's."""
        if args:  # PyTorch's deprecated positional form state_dict(destination, prefix, keep_vars)
            destination, prefix, keep_vars = (list(args) + [destination, prefix, keep_vars][len(args):])[:3]
        if destination is None:
            destination = OrderedDict()
        for name, value in self._local_state(keep_vars):
            destination[prefix + name] = value
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars)
        return destination

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False) -> _IncompatibleKeys:
        """Copy values (diffkit or PyTorch tensors, arrays) into the parameters and buffers in place."""
        refuse_write("load_state_dict")
        missing, unexpected, errors = [], [], []
        for prefix, module in self.named_modules(remove_duplicate=False):
            prefix = prefix + "." if prefix else ""
            module._load_local(state_dict, prefix, missing, errors, assign)
            local = {name for name, _ in module._local_state(True)}
            for key in state_dict:
                if key.startswith(prefix):
                    head = key[len(prefix):].split(".", 1)[0]
                    if head not in module._modules and head not in local:
                        unexpected.append(key)
        if strict:
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". ")
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ". ")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors))
        return _IncompatibleKeys(missing, unexpected)

    def _load_local(self, state_dict, prefix: str, missing: list, errors: list, assign: bool) -> None:
        for name, tensor in self._local_state(True):
            key = prefix + name
            if key not in state_dict:
                missing.append(key)
                continue
            value = _as_array(state_dict[key])
            if value.shape != tensor._data.shape:
                errors.append(f"size mismatch for {key}: copying a param with shape {_shape_text(value.shape)} "
                              f"from checkpoint, the shape in current model is {_shape_text(tensor._data.shape)}.")
                continue
            with grad_mode.no_grad():
                if assign:  # the checkpoint's values themselves, dtype and memory, as PyTorch's assign
                    tensor._data = np.asarray(value)
                else:
                    tensor._data[...] = value
                tensor._version += 1

    # ------------------------------------------------------------------ hooks
    def register_forward_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """``hook(module, args, output)`` (``with_kwargs``: ``hook(module, args, kwargs, output)``) runs after
        ``forward``; a returned value replaces the output. ``always_call``: it runs even if forward raises."""
        handle = add_hook(self._forward_hooks, hook, prepend)
        self._note_hook(handle, "_forward_hooks_with_kwargs", with_kwargs)
        self._note_hook(handle, "_forward_hooks_always_called", always_call)
        return handle

    def register_forward_pre_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False) -> RemovableHandle:
        """``hook(module, args)`` runs before ``forward``; a returned value replaces the arguments
        (``with_kwargs``: ``hook(module, args, kwargs)`` returns None or ``(args, kwargs)``)."""
        handle = add_hook(self._forward_pre_hooks, hook, prepend)
        self._note_hook(handle, "_forward_pre_hooks_with_kwargs", with_kwargs)
        return handle

    def _note_hook(self, handle: RemovableHandle, registry: str, flag: bool) -> None:
        """Remember a hook's option under PyTorch's attribute name (created on first use)."""
        if flag:
            self.__dict__.setdefault(registry, {})[handle.id] = True

    def register_full_backward_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_input, grad_output)`` runs once the gradients w.r.t. the module's positional
        tensor inputs are known; a returned tuple replaces ``grad_input`` (see ``backward_hooks``)."""
        return add_hook(self._backward_hooks, hook, prepend)

    def register_full_backward_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_output)`` runs when the gradients w.r.t. the outputs arrive; a returned
        tuple replaces them."""
        return add_hook(self._backward_pre_hooks, hook, prepend)

    # ------------------------------------------------------------------ printing
    def extra_repr(self) -> str:
        """The text inside ``Name(...)``: override to show a layer's configuration."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({key}): " + _addindent(repr(module), 2) for key, module in self._modules.items()]
        lines = extra_lines + child_lines
        body = ""
        if lines:
            body = extra_lines[0] if len(extra_lines) == 1 and not child_lines else "\n  " + "\n  ".join(lines) + "\n"
        return f"{self._get_name()}({body})"


def _shape_text(shape: tuple) -> str:
    return f"torch.Size({list(shape)})"
