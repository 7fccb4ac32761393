"""Reverse-mode automatic differentiation on a tape: ``grad``, ``backward``, ``Function``,
``gradcheck``, grad-mode switches, and the tape shown as an evaluation trace."""
import importlib

from . import grad_mode
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled

# public name -> (submodule, attribute); loaded on first use, because these modules import
# Tensor, which itself imports this package
_LAZY = {
    "grad": ("engine", "grad"), "backward": ("engine", "backward"),
    "Function": ("function", "Function"), "FunctionCtx": ("function", "FunctionCtx"),
    "once_differentiable": ("function", "once_differentiable"),
    "gradcheck": ("gradient_check", "gradcheck"), "gradgradcheck": ("gradient_check", "gradgradcheck"),
    "GradcheckError": ("gradient_check", "GradcheckError"),
    "Tape": ("evaluation_trace", "Tape"), "trace": ("evaluation_trace", "trace"),
    "Node": ("graph", "Node"), "AccumulateGrad": ("graph", "AccumulateGrad"),
    "detect_anomaly": ("anomaly_mode", "detect_anomaly"),
    "set_detect_anomaly": ("anomaly_mode", "set_detect_anomaly"),
}

__all__ = ["grad_mode", "enable_grad", "inference_mode", "is_grad_enabled", "no_grad", "set_grad_enabled",
           "functional", *_LAZY]


def __getattr__(name):
    if name == "functional":  # torch.autograd.functional.jacobian & co.
        return importlib.import_module(f"{__name__}.functional")
    if name not in _LAZY:
        raise AttributeError(f"module 'diffkit.autograd' has no attribute {name!r}")
    module, attribute = _LAZY[name]
    value = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
    globals()[name] = value
    return value
