"""Helpers for the nn tests: run a diffkit module and its PyTorch twin on the same float64 inputs,
from the same weights (PyTorch's state_dict loaded, strictly, into diffkit), with the same
output gradient, and compare outputs, input gradients and parameter gradients."""
from __future__ import annotations

import numpy as np

import diffkit as dk


def _flatten(value) -> list:
    if isinstance(value, (tuple, list)):
        return [leaf for v in value for leaf in _flatten(v)]
    return [value]


def twins(dk_module: dk.nn.Module, torch_module):
    """Both modules in float64 with PyTorch's weights copied into diffkit (every key must match)."""
    torch_module = torch_module.double()
    dk_module = dk_module.double()
    dk_module.load_state_dict(torch_module.state_dict())
    return dk_module, torch_module


def run_both(dk_module, torch_module, *inputs: np.ndarray, seed: int = 0):
    """Outputs, input gradients and named parameter gradients of both modules, as numpy pairs."""
    import torch

    rng = np.random.default_rng(seed)
    d_in = [dk.tensor(a, requires_grad=a.dtype.kind == "f") for a in inputs]
    t_in = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in inputs]
    d_out, t_out = _flatten(dk_module(*d_in)), _flatten(torch_module(*t_in))
    assert len(d_out) == len(t_out)
    weights = [rng.standard_normal(tuple(t.shape)) for t in t_out]
    sum(((d * dk.tensor(w)).sum() for d, w in zip(d_out, weights))).backward()
    sum(((t * torch.tensor(w)).sum() for t, w in zip(t_out, weights))).backward()
    outputs = [(d.detach().numpy(), t.detach().numpy()) for d, t in zip(d_out, t_out)]
    input_grads = [(d.grad.numpy(), t.grad.numpy()) for d, t in zip(d_in, t_in) if t.grad is not None]
    t_params = dict(torch_module.named_parameters())
    param_grads = {name: (p.grad.numpy(), t_params[name].grad.numpy())
                   for name, p in dk_module.named_parameters() if t_params[name].grad is not None}
    return outputs, input_grads, param_grads


def assert_parity(dk_module, torch_module, *inputs: np.ndarray, rtol: float = 1e-9, atol: float = 1e-10) -> None:
    """Same outputs and gradients (float64, tight tolerances) from the same weights."""
    dk_module, torch_module = twins(dk_module, torch_module)
    outputs, input_grads, param_grads = run_both(dk_module, torch_module, *inputs)
    for i, (d, t) in enumerate(outputs):
        np.testing.assert_allclose(d, t, rtol=rtol, atol=atol, err_msg=f"output {i}")
    for i, (d, t) in enumerate(input_grads):
        np.testing.assert_allclose(d, t, rtol=rtol, atol=atol, err_msg=f"gradient of input {i}")
    assert set(param_grads) == {n for n, p in torch_module.named_parameters() if p.grad is not None}
    for name, (d, t) in param_grads.items():
        np.testing.assert_allclose(d, t, rtol=rtol, atol=atol, err_msg=f"gradient of {name}")
