"""Optimizers against PyTorch: 25 steps from identical weights and data give the same loss trajectory
(to 1e-9 in float64); param_groups, state, state_dict, add_param_group and closures behave as PyTorch's."""
import numpy as np
import pytest
from nn_parity import twins

import diffkit as dk
from diffkit import nn, optim

torch = pytest.importorskip("torch")
rng = np.random.default_rng(0)
X, Y = rng.standard_normal((32, 5)), rng.integers(0, 3, 32)


def model(m):
    return m.Sequential(m.Linear(5, 8), m.Tanh(), m.Linear(8, 3))


def trajectory(net, opt, framework, steps=25, scheduler=None):
    functional = dk.nn.functional if framework is dk else torch.nn.functional
    x, y = framework.tensor(X), framework.tensor(Y)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        if scheduler is not None:
            scheduler.step()
        losses.append(loss.item())
    return np.array(losses)


CONFIGS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.5, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True, "eps": 1e-6}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.9, "centered": True, "weight_decay": 0.01}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.01, "initial_accumulator_value": 0.1}),
    ("NAdam", {"lr": 0.01}),
    ("NAdam", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1, "momentum_decay": 0.01}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
    ("RAdam", {"lr": 0.01}),
    ("RAdam", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1}),  # both branches: ρ_t > 5 from step 6
    ("RAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("Adamax", {"lr": 0.01}),
    ("Adamax", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1, "eps": 1e-4}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-5, "weight_decay": 0.1}),
]


@pytest.mark.parametrize("name,options", CONFIGS, ids=[f"{c[0]}-{i}" for i, c in enumerate(CONFIGS)])
def test_25_steps_match_pytorch(name, options):
    ours, theirs = twins(model(nn), model(torch.nn))
    losses = trajectory(ours, getattr(optim, name)(ours.parameters(), **options), dk)
    expected = trajectory(theirs, getattr(torch.optim, name)(theirs.parameters(), **options), torch)
    np.testing.assert_allclose(losses, expected, rtol=0, atol=1e-9)
    assert abs(losses[-1] - losses[0]) > 1e-3  # the optimizer did move
    for (key, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-9, atol=1e-11, err_msg=key)


def test_param_groups_with_their_own_hyperparameters():
    ours, theirs = twins(model(nn), model(torch.nn))
    groups = lambda net: [{"params": net[0].parameters(), "lr": 0.5}, {"params": net[2].parameters()}]  # noqa: E731
    opt_d = optim.SGD(groups(ours), lr=0.05, momentum=0.9)
    opt_t = torch.optim.SGD(groups(theirs), lr=0.05, momentum=0.9)
    assert [g["lr"] for g in opt_d.param_groups] == [0.5, 0.05]
    assert sorted(opt_d.param_groups[1]) == sorted(opt_t.param_groups[1])
    np.testing.assert_allclose(trajectory(ours, opt_d, dk, 10), trajectory(theirs, opt_t, torch, 10), atol=1e-9)


def test_add_param_group_and_its_errors():
    a, b = nn.Parameter(dk.ones(2)), nn.Parameter(dk.ones(3))
    opt = optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert opt.param_groups[1]["lr"] == 0.01 and opt.param_groups[1]["betas"] == (0.9, 0.999)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.SGD(a, lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([a * 2], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optim.Adam([a], lr=-1)
    with pytest.raises(ValueError, match="Nesterov"):
        optim.SGD([a], lr=0.1, nesterov=True)


def test_step_with_closure_and_parameters_without_gradients():
    w = nn.Parameter(dk.tensor([3.0]))
    frozen = nn.Parameter(dk.tensor([1.0]))
    opt = optim.SGD([w, frozen], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 9.0
    assert w.item() == 1.5 and frozen.item() == 1.0 and frozen not in opt.state


def test_state_dict_round_trip_continues_identically():
    ours = twins(model(nn), model(torch.nn))[0]
    opt = optim.Adam(ours.parameters(), lr=0.01, amsgrad=True)
    trajectory(ours, opt, dk, 5)
    state = opt.state_dict()
    assert sorted(state) == ["param_groups", "state"]
    assert state["param_groups"][0]["params"] == [0, 1, 2, 3]
    assert sorted(state["state"][0]) == ["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"]
    assert state["state"][0]["step"].item() == 5.0
    saved_weights = ours.state_dict()
    copy_net = model(nn).double()
    copy_net.load_state_dict(saved_weights)
    copy_opt = optim.Adam(copy_net.parameters(), lr=0.5)
    copy_opt.load_state_dict(dk.load(_save(state)))
    assert copy_opt.param_groups[0]["lr"] == 0.01
    continued = trajectory(ours, opt, dk, 5)
    np.testing.assert_array_equal(trajectory(copy_net, copy_opt, dk, 5), continued)


def test_state_dict_loads_into_pytorch():
    ours, theirs = twins(model(nn), model(torch.nn))
    opt = optim.SGD(ours.parameters(), lr=0.1, momentum=0.9)
    trajectory(ours, opt, dk, 3)
    state = opt.state_dict()
    torch_opt = torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9)
    theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})
    torch_opt.load_state_dict({"param_groups": state["param_groups"],
                               "state": {k: {n: torch.from_numpy(v.numpy().copy()) for n, v in s.items()}
                                         for k, s in state["state"].items()}})
    np.testing.assert_allclose(trajectory(theirs, torch_opt, torch, 5), trajectory(ours, opt, dk, 5), atol=1e-6)


def _save(state):
    import io

    buffer = io.BytesIO()
    dk.save(state, buffer)
    buffer.seek(0)
    return buffer


def test_updates_are_in_place_and_off_the_tape():
    w = nn.Parameter(dk.ones(3))
    array = w._data
    opt = optim.RMSprop([w], lr=0.1, momentum=0.5)
    (w * w).sum().backward()
    opt.step()
    assert w._data is array and w.grad_fn is None and w.is_leaf
    opt.zero_grad(set_to_none=False)
    assert w.grad.tolist() == [0.0, 0.0, 0.0]
    assert "Parameter Group 0" in repr(opt) and "lr: 0.1" in repr(opt)


def test_named_parameters_are_accepted_and_their_names_kept():
    ours, theirs = twins(model(nn), model(torch.nn))
    opt_d = optim.Adam(ours.named_parameters(), lr=0.01)
    opt_t = torch.optim.Adam(theirs.named_parameters(), lr=0.01)
    assert opt_d.param_groups[0]["param_names"] == opt_t.param_groups[0]["param_names"] == ["0.weight", "0.bias",
                                                                                             "2.weight", "2.bias"]
    np.testing.assert_allclose(trajectory(ours, opt_d, dk, 8), trajectory(theirs, opt_t, torch, 8), atol=1e-9)
    saved_d, saved_t = opt_d.state_dict()["param_groups"], opt_t.state_dict()["param_groups"]
    assert list(saved_d[0]) == list(saved_t[0]) and saved_d == saved_t
    assert repr(opt_d) == repr(opt_t)
    fresh = optim.Adam(model(nn).named_parameters())
    fresh.load_state_dict(opt_d.state_dict())
    assert fresh.param_groups[0]["param_names"] == saved_d[0]["param_names"]
    with pytest.raises(ValueError, match="with/without names"):
        opt_d.add_param_group({"params": [nn.Parameter(dk.ones(1))]})
    with pytest.raises(ValueError, match="Some param names are missing"):
        optim.SGD([("a", nn.Parameter(dk.ones(1))), nn.Parameter(dk.ones(1))], lr=0.1)


@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_a_tensor_learning_rate_steps_and_is_scheduled_in_place(name):
    ours, theirs = twins(model(nn), model(torch.nn))
    opt_d = getattr(optim, name)(ours.parameters(), lr=dk.tensor(0.05))
    opt_t = getattr(torch.optim, name)(theirs.parameters(), lr=torch.tensor(0.05))
    s_d = optim.lr_scheduler.StepLR(opt_d, 3, 0.5)
    s_t = torch.optim.lr_scheduler.StepLR(opt_t, 3, 0.5)
    np.testing.assert_allclose(trajectory(ours, opt_d, dk, 10, s_d), trajectory(theirs, opt_t, torch, 10, s_t),
                               atol=1e-7)
    assert isinstance(opt_d.param_groups[0]["lr"], dk.Tensor)
    assert opt_d.param_groups[0]["lr"].item() == opt_t.param_groups[0]["lr"].item()
    assert repr(opt_d) == repr(opt_t)


def test_sgd_without_momentum_keeps_no_state():
    ours, theirs = twins(model(nn), model(torch.nn))
    opt_d, opt_t = optim.SGD(ours.parameters(), lr=0.1), torch.optim.SGD(theirs.parameters(), lr=0.1)
    trajectory(ours, opt_d, dk, 2)
    trajectory(theirs, opt_t, torch, 2)
    assert dict(opt_d.state) == dict(opt_t.state) == {}
    assert opt_d.state_dict()["state"] == {}


@pytest.mark.parametrize("name,options", [("SGD", {}), ("SGD", {"momentum": 0.9, "nesterov": True}), ("Adam", {}),
                                          ("AdamW", {}), ("RMSprop", {}), ("Adagrad", {}), ("NAdam", {}),
                                          ("RAdam", {}), ("Adamax", {}), ("Adadelta", {})])
def test_repr_and_defaults_are_pytorch_s(name, options):
    ours, theirs = model(nn), model(torch.nn)
    groups = lambda net: [{"params": net[0].parameters()}, {"params": net[2].parameters(), "lr": 0.5}]  # noqa: E731
    opt_d = getattr(optim, name)(groups(ours), **options)
    opt_t = getattr(torch.optim, name)(groups(theirs), **options)
    assert repr(opt_d) == repr(opt_t)
    assert {k: (v, type(v)) for k, v in opt_d.defaults.items()} == {k: (v, type(v)) for k, v in opt_t.defaults.items()}


@pytest.mark.parametrize("name", ["NAdam", "RAdam", "Adamax", "Adadelta"])
def test_new_optimizers_state_matches_pytorch(name):
    ours, theirs = twins(model(nn), model(torch.nn))
    opt_d, opt_t = getattr(optim, name)(ours.parameters()), getattr(torch.optim, name)(theirs.parameters())
    trajectory(ours, opt_d, dk, 9)
    trajectory(theirs, opt_t, torch, 9)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        mine, their = opt_d.state[p], opt_t.state[q]
        assert list(mine) == list(their)
        for key in mine:
            assert mine[key].dtype == getattr(dk, str(their[key].dtype).split(".")[1]), key
            np.testing.assert_allclose(mine[key].numpy(), their[key].numpy(), rtol=1e-9, atol=1e-12, err_msg=key)
    with pytest.raises(ValueError, match="Invalid"):
        getattr(optim, name)(ours.parameters(), lr=-1.0)


def _step_hook_log(m):
    log = []
    p = m.nn.Parameter(m.ones(2))
    opt = m.optim.Adam([p], lr=0.1)
    pre = opt.register_step_pre_hook(lambda o, args, kwargs: log.append(("pre", len(args), args[0] is o)))
    opt.register_step_post_hook(lambda o, args, kwargs: log.append(("post", round(float(p.detach().sum()), 6))))
    p.grad = m.ones(2)
    opt.step()
    pre.remove()
    opt.step()

    class Custom(m.optim.Optimizer):  # a custom optimizer's own step runs the hooks too
        def __init__(self, params):
            super().__init__(params, {"lr": 0.1})

        def step(self, closure=None):
            log.append("custom step")

    q = m.nn.Parameter(m.ones(1))
    q.grad = m.ones(1)
    custom = Custom([q])
    custom.register_step_pre_hook(lambda o, args, kwargs: log.append("custom pre"))
    custom.step()
    replaced = m.optim.SGD([q], lr=0.1)  # a pre-hook may replace step's arguments: here, add a closure
    replaced.register_step_pre_hook(lambda o, args, kwargs: (args, {"closure": lambda: log.append("closure")}))
    replaced.step()
    bad = m.optim.SGD([q], lr=0.1)
    bad.register_step_pre_hook(lambda o, args, kwargs: 5)
    with pytest.raises(RuntimeError, match=r"must return None or a tuple of \(new_args, new_kwargs\), but got 5."):
        bad.step()
    return log


def test_step_hooks_run_around_step_as_pytorchs():
    assert _step_hook_log(dk) == _step_hook_log(torch) == [
        ("pre", 1, True), ("post", 1.8), ("post", 1.6), "custom pre", "custom step", "closure"]
