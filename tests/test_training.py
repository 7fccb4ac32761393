"""Training end to end: the seed's loop with ``import diffkit as torch``, micrograd's moons demo (100%),
digits MLP (>= 97% test accuracy) and CNN (>= 98%), each well under a minute, and ``diffkit train``."""
import io
import re
import runpy
import time
from pathlib import Path

import numpy as np
import pytest

import diffkit as dk
import diffkit.train as training
from diffkit.utils.progress import progress

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_the_seeds_training_loop_runs_with_import_diffkit_as_torch():
    import diffkit as torch

    torch.manual_seed(0)
    x = torch.randn(64, 3)
    t_true = (x @ torch.tensor([[1.5], [-2.0], [0.5]]) > 0).float()
    model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Dropout(0.1),
                                torch.nn.Linear(8, 1), torch.nn.Sigmoid())
    loss_fn = torch.nn.BCELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    history = []
    for _ in range(60):
        # 设置为训练模式
        model.train()
        # 梯度清零
        optimizer.zero_grad()
        # 求损失值
        y_prev = model(x)
        loss = loss_fn(y_prev, t_true)
        # 自动求导，反向传播
        loss.backward()
        # 更新参数
        optimizer.step()
        # 循环验证模型
        model.eval()
        # 不跟踪梯度计算损失
        with torch.no_grad():
            evaluation = loss_fn(model(x), t_true)
        assert evaluation.grad_fn is None
        history.append(evaluation.item())
    assert history[-1] < 0.25 * history[0]
    assert ((model(x) > 0.5).float() == t_true).float().mean().item() > 0.95


def test_micrograd_moons_demo_reaches_full_training_accuracy():
    start = time.perf_counter()
    train_moons = runpy.run_path(str(EXAMPLES / "moons.py"))["train_moons"]
    assert train_moons(verbose=False) == 1.0
    assert time.perf_counter() - start < 20


def test_fit_learns_and_reports_progress():
    x, y = dk.datasets.make_spirals(150, 3, random_state=0)
    dk.manual_seed(0)
    model = dk.nn.Sequential(dk.nn.Linear(2, 64), dk.nn.ReLU(), dk.nn.Linear(64, 3))
    loader = dk.utils.data.DataLoader(dk.utils.data.TensorDataset(x, y), batch_size=16, shuffle=True)
    history = training.fit(model, loader, dk.nn.CrossEntropyLoss(), dk.optim.Adam(model.parameters(), 0.02), 30,
                           test=(x, y), show_progress=False)
    assert [h["epoch"] for h in history] == list(range(1, 31))
    assert history[-1]["loss"] < 0.25 * history[0]["loss"] and history[-1]["test_accuracy"] > 0.9


def test_progress_bar_shows_count_rate_and_postfix():
    out = io.StringIO()
    bar = progress(range(4), desc="epoch 1/2", file=out)
    for i in bar:
        bar.set_postfix(loss=1.0 / (i + 1), acc=0.75)
    line = out.getvalue()
    assert line.count("\n") == 1 and line.startswith("epoch 1/2: 100%|") and "4/4" in line
    assert "loss=0.25, acc=0.75" in line and "it/s" in line

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    for _ in progress(range(3), file=screen, min_interval=0):
        pass
    assert screen.getvalue().count("\r") == 4 and screen.getvalue().endswith("\n")
    silent = io.StringIO()
    list(progress(range(3), file=silent, disable=True))
    assert silent.getvalue() == ""


@pytest.mark.parametrize("model,target", [("mlp", 0.97), ("cnn", 0.98)])
def test_digits_reach_their_accuracy_in_under_a_minute(model, target, capsys):
    pytest.importorskip("sklearn")
    result = training.train_digits(model, seed=0)
    assert result["test_accuracy"] >= target
    assert result["seconds"] < 60
    assert result["history"][-1]["loss"] < result["history"][0]["loss"] / 3
    assert "test accuracy" in capsys.readouterr().out


def test_cnn_is_the_issues_architecture():
    layers = [type(m).__name__ for m in training.digits_cnn()]
    assert layers == ["Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d", "Flatten", "Linear"]


def test_diffkit_train_digits_command_saves_a_checkpoint_that_loads(tmp_path, capsys):
    pytest.importorskip("sklearn")
    from diffkit.cli import main

    out = tmp_path / "digits.pt"
    assert main(["train", "digits", "--model", "cnn", "--epochs", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert "reloads with test accuracy" in printed.out
    bars = re.findall(r"epoch (\d)/2: 100%\|.*\| 45/45 \[.*\] loss=(\d+\.\d+), acc=(\d\.\d+)", printed.err)
    assert [b[0] for b in bars] == ["1", "2"]  # a progress bar per epoch with its loss and accuracy
    assert float(bars[1][1]) < float(bars[0][1]) and 0.5 < float(bars[1][2]) <= 1
    model = training.load_digits_model(str(out))
    assert not model.training and type(model[0]).__name__ == "Conv2d"
    _, (x_test, y_test) = training.digits_split(0)
    accuracy = training.evaluate(model, x_test, y_test)
    assert f"reloads with test accuracy {accuracy:.4f}" in printed.out and accuracy > 0.8
    assert np.isfinite(accuracy)
