"""``gradcheck`` and ``gradgradcheck``: compare autograd's Jacobians with finite differences.

Run them in float64: with float32 the finite differences themselves carry errors of about
1e-3, which hide real mistakes (a warning says so).
"""
from __future__ import annotations

import warnings

import numpy as np

from ..tensor import Tensor, _wrap
from . import grad_mode
from .engine import grad as autograd_grad


class GradcheckError(RuntimeError):
    """A gradient disagreed with its finite-difference estimate."""


def _outputs(func, inputs) -> tuple:
    result = func(*inputs)
    return result if isinstance(result, tuple) else (result,)


def _numerical_jacobian(func, inputs, i: int, j: int, eps: float) -> np.ndarray:
    x = inputs[i]
    out_size = _outputs(func, inputs)[j].numel()
    jacobian = np.zeros((x.numel(), out_size))
    flat = x._data.reshape(-1)  # a view: perturbing it perturbs x
    with grad_mode.no_grad():
        for k in range(x.numel()):
            original = flat[k]
            flat[k] = original + eps
            plus = _outputs(func, inputs)[j]._data.astype(np.float64).reshape(-1)
            flat[k] = original - eps
            minus = _outputs(func, inputs)[j]._data.astype(np.float64).reshape(-1)
            flat[k] = original
            jacobian[k] = (plus - minus) / (2 * eps)
    return jacobian


def _analytical_jacobian(outputs, inputs, i: int, j: int) -> np.ndarray:
    out = outputs[j]
    x = inputs[i]
    jacobian = np.zeros((x.numel(), out.numel()))
    if not out.requires_grad:
        return jacobian
    for m in range(out.numel()):
        seed = np.zeros(out.shape, dtype=out._data.dtype)
        seed.reshape(-1)[m] = 1
        (g,) = autograd_grad(out, x, _wrap(seed), retain_graph=True, allow_unused=True)
        if g is not None:
            jacobian[:, m] = g._data.reshape(-1)
    return jacobian


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, **_ignored) -> bool:
    """Check ``func``'s gradients w.r.t. every input that requires grad against central differences."""
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    differentiable = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    for i in differentiable:
        if inputs[i].dtype.name != "float64":
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point. "
                          "As a result, gradcheck may fail: finite differences in float32 err by ~1e-3.",
                          stacklevel=2)
    outputs = _outputs(func, inputs)
    for j, out in enumerate(outputs):
        if not isinstance(out, Tensor) or out.dtype.name not in ("float64", "float32", "float16"):
            continue
        for i in differentiable:
            numerical = _numerical_jacobian(func, inputs, i, j, eps)
            analytical = _analytical_jacobian(outputs, inputs, i, j)
            if not np.allclose(analytical, numerical, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                difference = np.abs(analytical - numerical)
                worst = np.unravel_index(np.argmax(difference), difference.shape)
                raise GradcheckError(
                    f"Jacobian mismatch for output {j} with respect to input {i}: the largest difference "
                    f"is at input element {worst[0]} and output element {worst[1]} "
                    f"(analytical {analytical[worst]:.6g}, numerical {numerical[worst]:.6g}).\n"
                    f"numerical:{numerical}\nanalytical:{analytical}\n")
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, raise_exception: bool = True, **_ignored) -> bool:
    """Check second derivatives: gradcheck of the vector-Jacobian product of ``func``."""
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    outputs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(_wrap(rng.standard_normal(o.shape).astype(o._data.dtype)).requires_grad_()
                             for o in outputs)
    grad_outputs = grad_outputs if isinstance(grad_outputs, tuple) else (grad_outputs,)
    n = len(inputs)
    differentiable = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]

    def first_derivatives(*args):
        xs, gs = args[:n], args[n:]
        with grad_mode.enable_grad():  # the numerical Jacobian calls this under no_grad
            outs = _outputs(func, xs)
            pairs = [(o, g) for o, g in zip(outs, gs) if o.requires_grad]
            grads = autograd_grad([o for o, _ in pairs], [xs[i] for i in differentiable],
                                  [g for _, g in pairs], create_graph=True, allow_unused=True)
        return tuple(g if g is not None else _wrap(np.zeros(xs[i].shape)) for g, i in zip(grads, differentiable))

    return gradcheck(first_derivatives, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception)
