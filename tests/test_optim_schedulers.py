"""Learning-rate schedulers: the same lr (and momentum) sequences as PyTorch's."""
import warnings

import numpy as np
import pytest

import diffkit as dk
from diffkit import nn, optim
from diffkit.optim import lr_scheduler

torch = pytest.importorskip("torch")


def optimizers(name="SGD", **options):
    options = {"lr": 0.1, **options}
    return (getattr(optim, name)([nn.Parameter(dk.ones(1))], **options),
            getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(1))], **options))


def sequence(opt, scheduler, steps, metrics=None, key="lr"):
    values = []
    for i in range(steps):
        group = opt.param_groups[0]
        values.append(group[key][0] if key == "betas" else group[key])
        opt.step()
        scheduler.step(*([metrics[i]] if metrics is not None else []))
    return np.array(values)


SCHEDULERS = [
    ("StepLR", {"step_size": 3, "gamma": 0.5}, {}),
    ("MultiStepLR", {"milestones": [2, 5, 5, 9], "gamma": 0.3}, {}),
    ("ExponentialLR", {"gamma": 0.9}, {}),
    ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.01}, {}),
    ("LambdaLR", {"lr_lambda": lambda epoch: 1 / (1 + epoch) ** 0.5}, {}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 30}, {"momentum": 0.9}),
    ("OneCycleLR", {"max_lr": 0.5, "epochs": 3, "steps_per_epoch": 10, "anneal_strategy": "linear",
                    "three_phase": True, "pct_start": 0.25}, {"momentum": 0.9}),
]


@pytest.mark.parametrize("name,options,optimizer_options", SCHEDULERS,
                         ids=[f"{s[0]}-{i}" for i, s in enumerate(SCHEDULERS)])
def test_lr_sequence_matches_pytorch(name, options, optimizer_options):
    ours, theirs = optimizers(**optimizer_options)
    s_ours = getattr(lr_scheduler, name)(ours, **options)
    s_theirs = getattr(torch.optim.lr_scheduler, name)(theirs, **options)
    steps = 30 if name == "OneCycleLR" else 25
    np.testing.assert_allclose(sequence(ours, s_ours, steps), sequence(theirs, s_theirs, steps), rtol=1e-13, atol=0)
    assert s_ours.get_last_lr() == pytest.approx(s_theirs.get_last_lr(), rel=1e-13)


@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_one_cycle_cycles_momentum_or_beta1(name):
    options = {"momentum": 0.9} if name == "SGD" else {}
    key = "momentum" if name == "SGD" else "betas"
    ours, theirs = optimizers(name, **options)
    s_ours = lr_scheduler.OneCycleLR(ours, max_lr=0.3, total_steps=20)
    s_theirs = torch.optim.lr_scheduler.OneCycleLR(theirs, max_lr=0.3, total_steps=20)
    np.testing.assert_allclose(sequence(ours, s_ours, 20, key=key), sequence(theirs, s_theirs, 20, key=key),
                               rtol=1e-13)
    with pytest.raises(ValueError, match="momentum or beta1"):
        lr_scheduler.OneCycleLR(optimizers("Adagrad")[0], max_lr=0.1, total_steps=5)


@pytest.mark.parametrize("options", [{}, {"mode": "max", "factor": 0.5, "patience": 2, "cooldown": 1},
                                     {"threshold_mode": "abs", "threshold": 0.1, "patience": 1, "min_lr": 0.02}])
def test_reduce_on_plateau_matches_pytorch(options):
    metrics = [1.0, 0.9, 0.95, 0.95, 0.91, 0.96, 0.97, 0.89, 0.9, 0.9, 0.9, 0.95, 0.96, 0.97, 0.8, 0.85,
               0.86, 0.87, 0.88, 0.89, 0.9, 0.91, 0.92, 0.93, 0.94] * 2
    ours, theirs = optimizers()
    s_ours = lr_scheduler.ReduceLROnPlateau(ours, **options)
    s_theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs, **options)
    lrs = sequence(ours, s_ours, len(metrics), metrics)
    np.testing.assert_allclose(lrs, sequence(theirs, s_theirs, len(metrics), metrics), rtol=1e-13)
    assert len(set(lrs)) > 1
    assert s_ours.get_last_lr() == pytest.approx(s_theirs.get_last_lr())


def test_scheduler_state_dict_and_resuming():
    ours = optimizers()[0]
    scheduler = lr_scheduler.StepLR(ours, step_size=2, gamma=0.5)
    for _ in range(3):
        ours.step()
        scheduler.step()
    state = scheduler.state_dict()
    assert state["last_epoch"] == 3 and "optimizer" not in state
    resumed_optimizer = optimizers()[0]
    resumed_optimizer.load_state_dict(ours.state_dict())
    resumed = lr_scheduler.StepLR(resumed_optimizer, step_size=2, gamma=0.5, last_epoch=2)
    resumed.load_state_dict(state)
    for _ in range(4):
        for opt, s in ((ours, scheduler), (resumed_optimizer, resumed)):
            opt.step()
            s.step()
        assert resumed.get_last_lr() == scheduler.get_last_lr()
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.ExponentialLR(optimizers()[0], 0.9, last_epoch=4)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        lr_scheduler.StepLR(object(), 2)


def test_stepping_with_an_epoch_uses_the_closed_form():
    ours = optimizers()[0]
    scheduler = lr_scheduler.CosineAnnealingLR(ours, T_max=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler.step(5)
    assert ours.param_groups[0]["lr"] == pytest.approx(0.05)


def _sequential(s, opt):
    return s.SequentialLR(opt, [s.LinearLR(opt, 0.1, total_iters=4), s.ExponentialLR(opt, 0.9),
                                s.CosineAnnealingLR(opt, T_max=6)], milestones=[4, 12])


def _chained(s, opt):
    return s.ChainedScheduler([s.ConstantLR(opt, 0.5, total_iters=3), s.ExponentialLR(opt, 0.95),
                               s.MultiStepLR(opt, [5, 9], 0.5)])


BUILT = [
    ("LinearLR", lambda s, o: s.LinearLR(o, start_factor=0.25, total_iters=6), {}),
    ("LinearLR-decay", lambda s, o: s.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=10), {}),
    ("ConstantLR", lambda s, o: s.ConstantLR(o, factor=0.4, total_iters=7), {}),
    ("PolynomialLR", lambda s, o: s.PolynomialLR(o, total_iters=12, power=2.0), {}),
    ("MultiplicativeLR", lambda s, o: s.MultiplicativeLR(o, lambda epoch: 0.95 if epoch < 10 else 0.8), {}),
    ("CosineAnnealingWarmRestarts", lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=5, eta_min=0.01), {}),
    ("CosineAnnealingWarmRestarts-mult", lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2), {}),
    ("CyclicLR-triangular", lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=4, step_size_down=6),
     {"momentum": 0.9}),
    ("CyclicLR-triangular2", lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=3, mode="triangular2"),
     {"momentum": 0.9}),
    ("CyclicLR-exp_range", lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=3, mode="exp_range", gamma=0.9,
                                                   cycle_momentum=False), {}),
    ("CyclicLR-scale_fn", lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=2, scale_fn=lambda x: 0.9**x,
                                                  scale_mode="iterations"), {"momentum": 0.9}),
    ("SequentialLR", _sequential, {}),
    ("ChainedScheduler", _chained, {}),
]


@pytest.mark.parametrize("name,build,optimizer_options", BUILT, ids=[b[0] for b in BUILT])
def test_more_schedulers_match_pytorch(name, build, optimizer_options):
    ours, theirs = optimizers(**optimizer_options)
    s_ours, s_theirs = build(lr_scheduler, ours), build(torch.optim.lr_scheduler, theirs)
    assert s_ours.get_last_lr() == pytest.approx(s_theirs.get_last_lr(), rel=1e-13)
    np.testing.assert_allclose(sequence(ours, s_ours, 30), sequence(theirs, s_theirs, 30), rtol=1e-13, atol=0)
    assert s_ours.get_last_lr() == pytest.approx(s_theirs.get_last_lr(), rel=1e-13)
    if "momentum" in optimizer_options:
        assert ours.param_groups[0]["momentum"] == pytest.approx(theirs.param_groups[0]["momentum"], rel=1e-13)
    # resuming: a fresh scheduler loaded with the state_dict (through save and load) continues identically
    fresh = optimizers(**optimizer_options)[0]
    resumed = build(lr_scheduler, fresh)
    fresh.load_state_dict(ours.state_dict())
    resumed.load_state_dict(_round_trip(s_ours.state_dict()))
    np.testing.assert_allclose(sequence(fresh, resumed, 12), sequence(ours, s_ours, 12), rtol=0, atol=0)


def _round_trip(state):
    import io

    buffer = io.BytesIO()
    dk.save(state, buffer)
    buffer.seek(0)
    return dk.load(buffer)


@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_cyclic_lr_cycles_momentum_or_beta1(name):
    options = {"momentum": 0.9} if name == "SGD" else {}
    key = "momentum" if name == "SGD" else "betas"
    ours, theirs = optimizers(name, **options)
    s_ours = lr_scheduler.CyclicLR(ours, 0.01, 0.1, step_size_up=3, mode="triangular2", base_momentum=0.7)
    s_theirs = torch.optim.lr_scheduler.CyclicLR(theirs, 0.01, 0.1, step_size_up=3, mode="triangular2",
                                                 base_momentum=0.7)
    np.testing.assert_allclose(sequence(ours, s_ours, 20, key=key), sequence(theirs, s_theirs, 20, key=key),
                               rtol=1e-13)
    with pytest.raises(ValueError, match="momentum or beta1"):
        lr_scheduler.CyclicLR(optimizers("Adagrad")[0], 0.01, 0.1)


def test_warm_restarts_take_fractional_epochs_and_composites_check_their_parts():
    ours, theirs = optimizers()
    s_ours = lr_scheduler.CosineAnnealingWarmRestarts(ours, T_0=4, T_mult=2)
    s_theirs = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(theirs, T_0=4, T_mult=2)
    for epoch in np.arange(0, 20, 0.35):
        s_ours.step(float(epoch))
        s_theirs.step(float(epoch))
        assert s_ours.get_last_lr() == pytest.approx(s_theirs.get_last_lr(), rel=1e-13)
    other = optimizers()[0]
    with pytest.raises(ValueError, match="same optimizer"):
        lr_scheduler.SequentialLR(ours, [lr_scheduler.StepLR(other, 2)], [])
    with pytest.raises(ValueError, match="one more"):
        lr_scheduler.SequentialLR(ours, [lr_scheduler.StepLR(ours, 2)], [3])
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        lr_scheduler.ChainedScheduler([lr_scheduler.ReduceLROnPlateau(ours)])
    with pytest.raises(ValueError, match="between 0 and 1"):
        lr_scheduler.ConstantLR(ours, factor=2.0)


@pytest.mark.parametrize("three_phase", [False, True])
def test_one_cycle_state_dicts_load_across_diffkit_and_pytorch(three_phase):
    """The phases are PyTorch's dicts (and the strategy its _anneal_func_type): a checkpoint of either
    library's OneCycleLR resumes in the other with the same learning rates and momenta."""
    options = {"max_lr": 0.8, "total_steps": 16, "three_phase": three_phase, "anneal_strategy": "linear"}
    pairs = []
    for source, target in ((torch, dk), (dk, torch)):
        schedulers = source.optim.lr_scheduler if source is torch else lr_scheduler
        opt = source.optim.SGD([source.nn.Parameter(source.ones(1))], lr=0.1, momentum=0.9)
        scheduler = schedulers.OneCycleLR(opt, **options)
        for _ in range(5):
            opt.step()
            scheduler.step()
        ours, theirs = optimizers(momentum=0.9)
        resumed_opt = ours if target is dk else theirs
        resumed = (lr_scheduler if target is dk else torch.optim.lr_scheduler).OneCycleLR(resumed_opt, **options)
        resumed.load_state_dict(scheduler.state_dict())
        resumed_opt.load_state_dict(opt.state_dict())
        for _ in range(10):
            for o, s in ((opt, scheduler), (resumed_opt, resumed)):
                o.step()
                s.step()
            pairs.append(([g["lr"] for g in resumed_opt.param_groups], [g["lr"] for g in opt.param_groups]))
            pairs.append(([g["momentum"] for g in resumed_opt.param_groups], [g["momentum"] for g in opt.param_groups]))
    for resumed_values, original_values in pairs:
        np.testing.assert_allclose(resumed_values, original_values, rtol=1e-13)
