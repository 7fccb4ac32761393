"""Module.register_full_backward_hook and register_full_backward_pre_hook against PyTorch: what the hooks
receive (grad_input per positional argument, grad_output per output), when they run, and how returned
values replace the gradients."""
import numpy as np
import pytest
from nn_parity import twins

import diffkit as dk
from diffkit import nn

torch = pytest.importorskip("torch")
rng = np.random.default_rng(0)
X = rng.standard_normal((4, 3))


def _numpy(grads):
    return [None if g is None else g.detach().numpy().copy() for g in grads]


def _assert_same(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


class Two:
    """A module of two tensor arguments and a float, returning two tensors."""

    def __new__(cls, m):
        class Mixer(m.Module):
            def __init__(self):
                super().__init__()
                self.lin = m.Linear(3, 3)

            def forward(self, a, b, scale):
                return self.lin(a) * b * scale, (a * b).sum(1)

        return Mixer()


def hooked(m, build, hook_kind, replace=None):
    """``build(m)`` with the hooks of ``hook_kind``, which log what they receive into the returned list."""
    net = build(m)
    calls = []
    if hook_kind in ("full", "both"):
        def hook(module, grad_input, grad_output):
            calls.append(("full", _numpy(grad_input), _numpy(grad_output)))
            if replace is not None:
                return tuple(None if g is None else g * replace for g in grad_input)
        net.register_full_backward_hook(hook)
    if hook_kind in ("pre", "both"):
        def pre_hook(module, grad_output):
            calls.append(("pre", _numpy(grad_output)))
            return tuple(g * 2 for g in grad_output) if replace is not None else None
        net.register_full_backward_pre_hook(pre_hook)
    return net, calls


@pytest.mark.parametrize("hook_kind", ["full", "pre", "both"])
@pytest.mark.parametrize("replace", [None, 3.0])
@pytest.mark.parametrize("input_requires_grad", [True, False])
def test_linear_hooks_receive_and_replace_as_pytorch(hook_kind, replace, input_requires_grad):
    (ours, calls_d), (theirs, calls_t) = (hooked(m, lambda m: m.Linear(3, 2), hook_kind, replace)
                                          for m in (nn, torch.nn))
    ours, theirs = twins(ours, theirs)
    x_d, x_t = dk.tensor(X, requires_grad=input_requires_grad), torch.tensor(X, requires_grad=input_requires_grad)
    g = rng.standard_normal((4, 2))
    ((ours(x_d) ** 2) * dk.tensor(g)).sum().backward()
    ((theirs(x_t) ** 2) * torch.tensor(g)).sum().backward()
    assert [c[0] for c in calls_d] == [c[0] for c in calls_t]
    for c_d, c_t in zip(calls_d, calls_t):
        for a, b in zip(c_d[1:], c_t[1:]):
            _assert_same(a, b)
    if input_requires_grad:
        np.testing.assert_allclose(x_d.grad.numpy(), x_t.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-12)


def test_several_arguments_and_outputs_inside_a_model():
    calls = {"d": [], "t": []}
    nets = []
    for key, m in (("d", nn), ("t", torch.nn)):
        mixer = Two(m)
        mixer.register_full_backward_hook(lambda mod, gi, go, key=key: calls[key].append((_numpy(gi), _numpy(go))))
        nets.append(mixer)
    ours, theirs = twins(*nets)
    b = rng.standard_normal((4, 3))
    a_d, b_d = dk.tensor(X, requires_grad=True), dk.tensor(b)
    a_t, b_t = torch.tensor(X, requires_grad=True), torch.tensor(b)
    for net, a, bb in ((ours, a_d, b_d), (theirs, a_t, b_t)):
        y, s = net(a.tanh(), bb, 0.5)
        (y.sum() + (s * s).sum()).backward()
    assert len(calls["d"]) == len(calls["t"]) == 1
    (gi_d, go_d), (gi_t, go_t) = calls["d"][0], calls["t"][0]
    assert len(gi_d) == 3 and not gi_d[1].any() and gi_d[2] is None  # zeros for a tensor without gradient
    _assert_same(gi_d, gi_t)
    _assert_same(go_d, go_t)
    np.testing.assert_allclose(a_d.grad.numpy(), a_t.grad.numpy(), rtol=1e-12)


def test_hooks_in_a_sequential_run_from_the_last_layer_and_can_be_removed():
    order = []
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    handles = [layer.register_full_backward_hook(lambda mod, gi, go, i=i: order.append(i))
               for i, layer in enumerate(model)]
    model(dk.tensor(X).float()).sum().backward()
    assert order == [2, 1, 0]
    for handle in handles:
        handle.remove()
    model(dk.tensor(X).float()).sum().backward()
    assert order == [2, 1, 0]
    with pytest.raises(RuntimeError, match="invalid number of grad_input"):
        model[2].register_full_backward_hook(lambda mod, gi, go: (None, None))
        model(dk.tensor(X, dtype=dk.float32, requires_grad=True)).sum().backward()


def test_create_graph_passes_through_the_hooks_as_pytorch():
    results = []
    for m in (nn, torch.nn):
        lin = m.Linear(3, 1)
        seen = []
        lin.register_full_backward_hook(lambda mod, gi, go, seen=seen: seen.append(gi[0].requires_grad))
        results.append((lin, seen))
    ours, theirs = twins(results[0][0], results[1][0])
    second = []
    for lin, framework in ((ours, dk), (theirs, torch)):
        x = framework.tensor(X, requires_grad=True)
        (grad,) = framework.autograd.grad((lin(x) ** 3).sum(), x, create_graph=True)
        second.append(framework.autograd.grad(grad.sum(), x)[0].numpy())
    assert results[0][1] == results[1][1] == [True, False]  # the double backward runs the hook again
    np.testing.assert_allclose(second[0], second[1], rtol=1e-12)
