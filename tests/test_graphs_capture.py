"""diffkit.graphs.capture: a replayed step does exactly what the eager step does, or refuses."""
from __future__ import annotations

import numpy as np
import pytest

import diffkit as torch
from diffkit import nn
from diffkit.graphs import codegen
from diffkit.nn import functional as F


@pytest.fixture(autouse=True, params=["compiled", "interpreted"])
def replay_mode(request, monkeypatch):
    """Every test runs on both replays: the generated function, and the loop kept for long programs."""
    if request.param == "interpreted":
        monkeypatch.setattr(codegen, "MAX_OPS", 0)
    return request.param


def _with_backward(loss_of):
    """A step that backpropagates the loss ``loss_of(*args)`` and returns it."""
    def step(*args):
        loss = loss_of(*args)
        loss.backward()
        return loss

    return step


def _model(seed: int = 0, dropout: bool = False) -> nn.Module:
    torch.manual_seed(seed)
    layers = [nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3)]
    return nn.Sequential(*layers)


def _batches(n: int, rows: int = 8) -> list[tuple]:
    rng = np.random.default_rng(1)
    return [(torch.from_numpy(rng.standard_normal((rows, 6)).astype(np.float32)),
             torch.from_numpy(rng.integers(0, 3, rows))) for _ in range(n)]


def _trainer(make_optimizer, seed: int = 0):
    model = _model(seed)
    opt = make_optimizer(model.parameters())

    def step(x, y):
        opt.zero_grad()
        logits = model(x)
        loss = F.cross_entropy(logits, y) + 0.01 * (logits * logits).mean()
        loss.backward()
        opt.step()
        return loss, logits

    return model, opt, step


OPTIMIZERS = {
    "sgd": lambda p: torch.optim.SGD(p, lr=0.1),
    "sgd-momentum-nesterov": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "adam": lambda p: torch.optim.Adam(p, lr=1e-2),
    "adamw-amsgrad": lambda p: torch.optim.AdamW(p, lr=1e-2, amsgrad=True),
    "rmsprop": lambda p: torch.optim.RMSprop(p, lr=1e-2, momentum=0.5),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_replayed_steps_match_eager_steps_bit_for_bit(name):
    eager_model, _, eager_step = _trainer(OPTIMIZERS[name])
    model, opt, step = _trainer(OPTIMIZERS[name])
    captured = torch.graphs.capture(step)
    for x, y in _batches(7):
        loss, logits = eager_step(x, y)
        got_loss, got_logits = captured(x, y)
        assert got_loss.item() == loss.item()
        np.testing.assert_array_equal(got_logits.detach().numpy(), logits.detach().numpy())
    for p, q in zip(eager_model.parameters(), model.parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())
    assert len(captured._captured) == 1  # one signature, replayed from the third call on


def test_hyperparameter_changes_between_calls_reach_the_replay():
    eager_model, eager_opt, eager_step = _trainer(OPTIMIZERS["sgd-momentum-nesterov"])
    model, opt, step = _trainer(OPTIMIZERS["sgd-momentum-nesterov"])
    schedulers = [torch.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5) for o in (eager_opt, opt)]
    captured = torch.graphs.capture(step)
    for x, y in _batches(6):
        eager_step(x, y)
        captured(x, y)
        for s in schedulers:
            s.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.05 / 8)
    for p, q in zip(eager_model.parameters(), model.parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


def test_a_new_argument_shape_is_captured_on_its_own():
    eager_model, _, eager_step = _trainer(OPTIMIZERS["adam"])
    model, _, step = _trainer(OPTIMIZERS["adam"])
    captured = torch.graphs.capture(step)
    batches = _batches(4) + _batches(4, rows=5) + _batches(2)
    for x, y in batches:
        assert captured(x, y)[0].item() == eager_step(x, y)[0].item()
    assert len(captured._captured) == 2
    for p, q in zip(eager_model.parameters(), model.parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


def test_gradients_accumulate_across_replays_without_zero_grad():
    torch.manual_seed(0)
    w = torch.randn(4, 3, requires_grad=True)
    x = torch.randn(5, 4)

    def step(x):
        loss = (x @ w).sin().sum()
        loss.backward()
        return loss

    captured = torch.graphs.capture(step)
    for _ in range(4):
        captured(x)
    expected = 4 * (x.t() @ (x @ w).detach().cos()).numpy()
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-5)


def test_in_place_writes_and_fan_in_are_replayed():
    """x feeds three consumers (gradient sums), a buffer is updated in place, a leaf is used twice."""
    torch.manual_seed(0)
    w = torch.randn(3, requires_grad=True)
    running = torch.zeros(3)

    def step(x):
        h = x * w
        loss = (h.exp() + h.sin() * w + (h * h)).sum()
        with torch.no_grad():
            running.mul_(0.5).add_(h.mean(0))
        loss.backward()
        return loss

    captured = torch.graphs.capture(step)
    inputs = [torch.randn(4, 3) for _ in range(5)]
    expected_running = np.zeros(3, np.float32)
    for x in inputs:
        w.grad = None
        loss = captured(x)
        h = x.numpy() * w.detach().numpy()
        expected_running = expected_running * 0.5 + h.mean(0)
        assert loss.item() == pytest.approx(float((np.exp(h) + np.sin(h) * w.detach().numpy() + h * h).sum()),
                                            rel=1e-5)
        grad = (x.numpy() * (np.exp(h) + np.cos(h) * w.detach().numpy() + 2 * h)).sum(0) + np.sin(h).sum(0)
        np.testing.assert_allclose(w.grad.numpy(), grad, rtol=1e-4)
    np.testing.assert_allclose(running.numpy(), expected_running, rtol=1e-5)


def test_a_replay_builds_no_graph_and_returns_fresh_tensors():
    model, _, step = _trainer(OPTIMIZERS["sgd"])
    captured = torch.graphs.capture(step)
    (x, y), = _batches(1)
    first = [captured(x, y)[0] for _ in range(4)]
    assert first[2].grad_fn is None and not first[2].requires_grad
    assert first[3]._data is not first[2]._data
    assert first[3].item() < first[0].item()  # it trains


def _compare_training(build, batches, make_optimizer=lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)):
    """Train two copies from one seed, eagerly and captured; every result, parameter and buffer must agree."""
    copies = []
    for _ in range(2):
        torch.manual_seed(0)
        model = build()
        copies.append((model, make_optimizer(model.parameters())))
    steps = []
    for model, opt in copies:
        def step(x, y, model=model, opt=opt):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y, ignore_index=0)
            loss.backward()
            opt.step()
            return loss
        steps.append(step)
    captured = torch.graphs.capture(steps[1])
    torch.manual_seed(5)
    eager_losses = [steps[0](x, y).item() for x, y in batches]
    torch.manual_seed(5)
    replayed = [captured(x, y).item() for x, y in batches]
    assert replayed == eager_losses
    (eager, _), (model, _) = copies
    for (name, a), (_, b) in zip(eager.state_dict().items(), model.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)
    return eager, model


def test_a_cnn_with_batch_norm_max_pool_and_dropout_replays_exactly():
    rng = np.random.default_rng(2)
    batches = [(torch.from_numpy(rng.standard_normal((6, 1, 8, 8)).astype(np.float32)),
                torch.from_numpy(rng.integers(0, 4, 6))) for _ in range(6)]

    def build():
        return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Dropout(0.3), nn.Flatten(), nn.Linear(64, 4))

    eager, model = _compare_training(build, batches)
    assert model[1].num_batches_tracked.item() == 6
    model.eval()
    eager.eval()
    with torch.no_grad():
        np.testing.assert_array_equal(model(batches[0][0]).numpy(), eager(batches[0][0]).numpy())


def test_embeddings_and_ignored_labels_follow_each_batch():
    """The token ids (an embedding's indices) and which labels are ignored change from batch to batch."""
    rng = np.random.default_rng(3)
    batches = []
    for i in range(6):
        labels = rng.integers(1, 5, 7)
        if i >= 3:
            labels[:2] = 0  # ignore_index=0: rows to leave out, only after the capture
        batches.append((torch.from_numpy(rng.integers(0, 20, (7, 3))), torch.from_numpy(labels)))

    def build():
        return nn.Sequential(nn.Embedding(20, 5), nn.Flatten(), nn.Linear(15, 5))

    _compare_training(build, batches, lambda p: torch.optim.Adam(p, lr=0.01))


def test_the_benchmark_mlp_replays_exactly():
    rng = np.random.default_rng(4)
    batches = [(torch.from_numpy(rng.standard_normal((8, 8)).astype(np.float32)),
                torch.from_numpy(rng.integers(1, 4, 8))) for _ in range(5)]

    def build():
        return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 4))

    _compare_training(build, batches)


def test_grad_takes_the_gradients_buffer_instead_of_a_copy():
    """A bias's summed gradient and the last node's gradients are private arrays: .grad takes them
    (they were copied: a reshape view, and a reference left in the engine's loop variables)."""
    torch.manual_seed(0)
    layer = nn.Linear(4, 3)
    captured = torch.graphs.capture(lambda x: layer(x).tanh().sum().backward())
    recorder, _, _ = captured._record((torch.randn(5, 4),))
    owned = {op.key[1].shape: op.key[2] for op in recorder.ops if op.name == "AccumulateGrad"}
    assert owned == {(3, 4): True, (3,): True}


def test_switching_a_module_to_eval_records_the_step_again():
    """model.eval() between calls: the replay of the training-mode recording would be wrong, so the
    step is recorded anew in the new modes (two eager calls), then replayed again."""
    models, steps = [], []
    for _ in range(2):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.Dropout(0.5), nn.Linear(8, 3))
        models.append(model)
        steps.append(lambda x, model=model: model(x).sum())
    captured = torch.graphs.capture(steps[1])
    x = torch.randn(5, 6)
    for mode in ("train", "train", "train", "eval", "eval", "eval", "train"):
        for model in models:
            getattr(model, mode)()
        torch.manual_seed(1)
        expected = steps[0](x).item()
        torch.manual_seed(1)
        assert captured(x).item() == expected, mode
    np.testing.assert_array_equal(models[0][1].running_mean.numpy(), models[1][1].running_mean.numpy())


LAYER_STACKS = {  # (model, input shape): layers whose wrappers compute values outside the primitive table
    "conv1d-avgpool": (lambda: nn.Sequential(nn.Conv1d(2, 3, 3), nn.AvgPool1d(2), nn.Flatten(), nn.Linear(9, 2)),
                       (4, 2, 8)),
    "layernorm-gelu": (lambda: nn.Sequential(nn.Linear(5, 6), nn.LayerNorm(6), nn.GELU(), nn.Linear(6, 2)), (4, 5)),
    "groupnorm-silu": (lambda: nn.Sequential(nn.Conv2d(1, 4, 3), nn.GroupNorm(2, 4), nn.SiLU(), nn.Flatten(),
                                             nn.Linear(64, 2)), (4, 1, 6, 6)),
    "adaptive-max-pool": (lambda: nn.Sequential(nn.Conv2d(1, 2, 3), nn.AdaptiveMaxPool2d(2), nn.Flatten(),
                                                nn.Linear(8, 2)), (4, 1, 6, 6)),
    "lstm": (lambda: nn.LSTM(3, 4, batch_first=True), (2, 5, 3)),
    "conv-transpose-upsample": (lambda: nn.Sequential(nn.ConvTranspose2d(1, 2, 2, stride=2),
                                                      nn.Upsample(scale_factor=2), nn.Flatten(), nn.Linear(512, 2)),
                                (2, 1, 4, 4)),
    "batchnorm1d-dropout": (lambda: nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.LeakyReLU(0.1),
                                                  nn.Dropout(0.2), nn.Linear(6, 2)), (5, 4)),
}


@pytest.mark.parametrize("name", LAYER_STACKS)
def test_layer_stacks_replay_exactly(name):
    build, shape = LAYER_STACKS[name]
    twins, steps = [], []
    for _ in range(2):
        torch.manual_seed(0)
        model = build()
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)
        twins.append(model)

        def step(x, model=model, opt=opt):
            opt.zero_grad()
            out = model(x)
            out = out[0] if isinstance(out, tuple) else out
            loss = F.mse_loss(out, torch.ones_like(out)) + (out * out).mean()
            loss.backward()
            opt.step()
            return loss

        steps.append(step)
    captured = torch.graphs.capture(steps[1])
    rng = np.random.default_rng(0)
    for i in range(5):
        x = torch.from_numpy(rng.standard_normal(shape).astype(np.float32))
        torch.manual_seed(i)
        expected = steps[0](x).item()
        torch.manual_seed(i)
        assert captured(x).item() == expected, i
    for (key, a), (_, b) in zip(twins[0].state_dict().items(), twins[1].state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=key)


@pytest.mark.parametrize("clip", [
    lambda params: nn.utils.clip_grad_norm_(params, 0.05),
    lambda params: nn.utils.clip_grad_norm_(params, 0.05, norm_type=float("inf")),
    lambda params: nn.utils.clip_grad_value_(params, 0.01),
])
def test_gradient_clipping_is_replayed(clip):
    twins, steps = [], []
    for _ in range(2):
        torch.manual_seed(0)
        model = _model()
        opt = torch.optim.SGD(model.parameters(), lr=0.5)
        twins.append(model)

        def step(x, y, model=model, opt=opt):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            clip(model.parameters())
            opt.step()
            return loss

        steps.append(step)
    captured = torch.graphs.capture(steps[1])
    for x, y in _batches(6):
        assert captured(x, y).item() == steps[0](x, y).item()
    for p, q in zip(twins[0].parameters(), twins[1].parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())


def test_index_assignment_without_a_gradient_is_replayed():
    """x[i] = v on a tensor computed in the step (no gradient wanted) is a raw write: replayed too."""
    w = torch.ones(4, requires_grad=True)

    def step(x):
        with torch.no_grad():
            h = x * 2
            h[1:3] = x[:2] * 10
            h[0] = -1.0
        return (h * w).sum()

    captured = torch.graphs.capture(_with_backward(step))
    for k in range(4):
        w.grad = None
        x = torch.arange(4.0) + k
        expected = x.numpy() * 2
        expected[1:3] = x.numpy()[:2] * 10
        expected[0] = -1.0
        assert captured(x).item() == pytest.approx(expected.sum())
        np.testing.assert_array_equal(w.grad.numpy(), expected)


def test_embedding_max_norm_renormalises_at_each_replay():
    rng = np.random.default_rng(5)
    batches = [(torch.from_numpy(rng.integers(0, 12, (6, 2))), torch.from_numpy(rng.integers(1, 3, 6)))
               for _ in range(5)]

    def build():
        return nn.Sequential(nn.Embedding(12, 4, max_norm=0.5), nn.Flatten(), nn.Linear(8, 3))

    _compare_training(build, batches, lambda p: torch.optim.SGD(p, lr=0.5))


def test_a_hand_written_update_with_grad_none_is_replayed():
    """micrograd's loop: p -= lr * p.grad under no_grad, then p.grad = None (else gradients would pile up)."""
    twins = []
    for _ in range(2):
        torch.manual_seed(0)
        twins.append([torch.randn(6, 4, requires_grad=True), torch.zeros(4, requires_grad=True)])

    def make(params):
        def step(x):
            loss = (x @ params[0] + params[1]).relu().mean() + 1e-3 * sum((p * p).sum() for p in params)
            loss.backward()
            with torch.no_grad():
                for p in params:
                    p -= 0.1 * p.grad
                    p.grad = None
            return loss
        return step

    eager, captured = make(twins[0]), torch.graphs.capture(make(twins[1]))
    for k in range(5):
        x = torch.randn(8, 6)
        assert captured(x).item() == eager(x).item(), k
    for p, q in zip(*twins):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
        assert q.grad is None


def test_freezing_a_layer_between_calls_records_the_step_again():
    twins, steps = [], []
    for _ in range(2):
        model, opt, step = _trainer(OPTIMIZERS["sgd"])
        twins.append(model)
        steps.append(step)
    captured = torch.graphs.capture(steps[1])
    for i, (x, y) in enumerate(_batches(8)):
        if i == 4:
            for model in twins:
                model[0].weight.requires_grad_(False)
        assert captured(x, y)[0].item() == steps[0](x, y)[0].item(), i
    for p, q in zip(twins[0].parameters(), twins[1].parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


def test_a_tensor_made_and_written_in_the_step_starts_afresh_at_each_replay():
    """zeros() made in the step is a constant of the replay; in-place writes into it must not carry over
    from one replay to the next (they did: 4, 4, 8, 12, ...)."""
    w = torch.ones(3, requires_grad=True)

    def step(x):
        acc = torch.zeros(3)
        acc.add_(x)
        acc[0] = acc[0] + 1
        loss = (acc * w).sum()
        loss.backward()
        return loss

    captured = torch.graphs.capture(step)
    x = torch.ones(3)
    assert [captured(x).item() for _ in range(5)] == [4.0] * 5


def test_one_tensor_passed_twice_is_its_own_signature():
    captured = torch.graphs.capture(lambda a, b: (a * 2 + b).sum())
    x = torch.ones(3)
    for _ in range(3):
        assert captured(x, x).item() == 9.0
    for _ in range(3):
        assert captured(torch.ones(3), torch.zeros(3)).item() == 6.0
    assert len(captured._captured) == 2


def test_contiguous_after_a_transpose_is_replayed():
    w = torch.ones(2, 3, requires_grad=True)

    def step(x):
        h = (x @ w).t().contiguous()  # a row-major copy made outside the primitive table
        return (h * h).sum()

    captured = torch.graphs.capture(_with_backward(step))
    for k in range(4):
        w.grad = None
        x = torch.full((4, 2), float(k + 1))
        assert captured(x).item() == pytest.approx(float(((x.numpy() @ np.ones((2, 3))) ** 2).sum()))
        np.testing.assert_allclose(w.grad.numpy(), 2 * x.numpy().T @ (x.numpy() @ np.ones((2, 3))))


def test_a_write_through_a_view_of_a_step_made_tensor_does_not_carry_over():
    def step(x):
        acc = torch.zeros(2, 3)
        acc.view(-1).add_(x)
        return acc.sum()

    captured = torch.graphs.capture(step)
    x = torch.ones(6)
    assert [captured(x).item() for _ in range(4)] == [6.0] * 4


def test_indexing_with_an_argument_follows_each_call():
    """table[ids] with ids an argument of the step: the index is an input of the op, not a constant."""
    table = torch.randn(10, 3, requires_grad=True)

    def step(ids):
        loss = (table[ids] ** 2).sum()
        loss.backward()
        return loss

    captured = torch.graphs.capture(step)
    for k in range(5):
        table.grad = None
        ids = torch.tensor([k, (k + 3) % 10, k])
        expected = np.zeros((10, 3), np.float32)
        np.add.at(expected, ids.numpy(), 2 * table.detach().numpy()[ids.numpy()])
        assert captured(ids).item() == pytest.approx(float((table.detach().numpy()[ids.numpy()] ** 2).sum()))
        np.testing.assert_allclose(table.grad.numpy(), expected, rtol=1e-6)
