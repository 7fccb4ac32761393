"""Training end to end: the seed's loop, written once, and the digits models it trains.

``fit`` is exactly the loop of the seed's third part -- ``model.train()``,
``optimizer.zero_grad()``, ``loss = loss_fn(model(x), y)``, ``loss.backward()``,
``optimizer.step()``, then ``model.eval()`` and ``with no_grad():`` to measure -- with a
progress bar showing loss and accuracy. ``train_digits`` trains an MLP or a small CNN on
scikit-learn's 8x8 digits and saves a checkpoint (``diffkit train digits`` on the command line).
"""
from __future__ import annotations

import argparse
import textwrap
import time
from collections.abc import Callable

import numpy as np

from . import datasets, nn, optim
from .autograd import no_grad
from .creation import Generator, manual_seed
from .serialization import load, save
from .tensor import Tensor, _wrap
from .utils.data import DataLoader, TensorDataset
from .utils.progress import progress


def accuracy(logits: Tensor, labels: Tensor) -> float:
    """Fraction of rows whose largest logit is at the label."""
    return float((logits._data.argmax(axis=1) == labels._data).mean())


def evaluate(model: nn.Module, x: Tensor, y: Tensor, batch_size: int = 512) -> float:
    """Accuracy of ``model`` in eval mode, without recording a graph."""
    model.eval()
    with no_grad():
        logits = np.concatenate([model(x[i:i + batch_size])._data for i in range(0, len(x), batch_size)])
    return float((logits.argmax(axis=1) == y._data).mean())


def fit(model: nn.Module, loader: DataLoader, loss_fn: Callable, optimizer: optim.Optimizer, epochs: int, *,
        test: tuple[Tensor, Tensor] | None = None, scheduler=None, show_progress: bool = True) -> list[dict]:
    """Train for ``epochs``; returns one record per epoch (loss, train and test accuracy, seconds)."""
    history = []
    for epoch in range(epochs):
        start = time.perf_counter()
        model.train()
        total_loss, correct, seen = 0.0, 0, 0
        bar = progress(loader, desc=f"epoch {epoch + 1}/{epochs}", disable=not show_progress)
        for x, y in bar:
            optimizer.zero_grad()
            logits = model(x)
            loss = loss_fn(logits, y)
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * len(y)
            correct += int((logits._data.argmax(axis=1) == y._data).sum())
            seen += len(y)
            bar.set_postfix(loss=total_loss / seen, acc=correct / seen)
        if scheduler is not None:
            scheduler.step()
        record = {"epoch": epoch + 1, "loss": total_loss / seen, "train_accuracy": correct / seen}
        if test is not None:
            record["test_accuracy"] = evaluate(model, *test)
        record["seconds"] = time.perf_counter() - start
        if show_progress and test is not None:
            print(f"  test accuracy {record['test_accuracy']:.4f}")
        history.append(record)
    return history


# ---------------------------------------------------------------------------- digits
def digits_mlp() -> nn.Module:
    """64 pixels -> 512 -> 10 classes, with dropout (1,437 training images are few for 38k weights)."""
    return nn.Sequential(nn.Flatten(), nn.Dropout(0.1), nn.Linear(64, 512), nn.ReLU(), nn.Dropout(0.4),
                         nn.Linear(512, 10))


def digits_cnn() -> nn.Module:
    """Conv2d - BatchNorm - ReLU - MaxPool - Linear on 1x8x8 images."""
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(32 * 4 * 4, 10))


MODELS = {"mlp": digits_mlp, "cnn": digits_cnn}


def digits_split(seed: int = 0, test_fraction: float = 0.2):
    """(x_train, y_train), (x_test, y_test): images (N, 1, 8, 8) scaled to [0, 1], a seeded random split."""
    x, y = datasets.load_digits(images=True)
    x = _wrap(x._data / 16.0)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = int(round(test_fraction * len(y)))
    test, train = order[:n_test], order[n_test:]
    return (x[train], y[train]), (x[test], y[test])


def train_digits(model: str = "mlp", epochs: int | None = None, batch_size: int = 32, lr: float = 2e-3,
                 seed: int = 0, checkpoint: str | None = None, show_progress: bool = True) -> dict:
    """Train the digits MLP or CNN (AdamW, cosine-annealed learning rate); returns the model, its history
    and the final test accuracy."""
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}: choose one of {sorted(MODELS)}")
    manual_seed(seed)
    (x_train, y_train), test = digits_split(seed)
    net = MODELS[model]()
    epochs = epochs if epochs is not None else {"mlp": 40, "cnn": 20}[model]
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=batch_size, shuffle=True,
                        generator=Generator().manual_seed(seed))
    optimizer = optim.AdamW(net.parameters(), lr=lr, weight_decay=0.01)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs)
    start = time.perf_counter()
    history = fit(net, loader, nn.CrossEntropyLoss(), optimizer, epochs, test=test, scheduler=scheduler,
                  show_progress=show_progress)
    result = {"model": net, "history": history, "test_accuracy": history[-1]["test_accuracy"],
              "seconds": time.perf_counter() - start}
    if checkpoint is not None:
        save({"model": model, "state_dict": net.state_dict(), "optimizer": optimizer.state_dict(),
              "epochs": epochs, "test_accuracy": result["test_accuracy"]}, checkpoint)
    return result


def load_digits_model(checkpoint: str) -> nn.Module:
    """Rebuild a model saved by ``train_digits`` (``diffkit train digits --out ...``)."""
    saved = load(checkpoint)
    net = MODELS[saved["model"]]()
    net.load_state_dict(saved["state_dict"])
    return net.eval()


# ---------------------------------------------------------------------------- command line
def add_command(commands) -> None:
    """``diffkit train digits [--model mlp|cnn] [--epochs N] [--out PATH]``."""
    parser = commands.add_parser(
        "train", help="train a model end to end (digits: an MLP or a small CNN)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=textwrap.fill(
            "Train a classifier on the 8x8 digits (1797 images, 10 classes; 20% held out for testing) with "
            "the seed's loop -- forward, loss, backward, step --, print the test accuracy, save a checkpoint "
            "and check that it reloads to the same accuracy.", 78)
        + "\n\nexamples:\n  diffkit train digits\n  diffkit train digits --model cnn --epochs 5 --out cnn.pt")
    parser.add_argument("dataset", choices=["digits"], help="what to train on")
    parser.add_argument("--model", choices=sorted(MODELS), default="mlp",
                        help="mlp: 64-512-10 with ReLU and dropout; cnn: conv-batchnorm-relu-maxpool-linear "
                        "(default: mlp)")
    parser.add_argument("--epochs", type=int, default=None, help="passes over the training set "
                        "(default: 40 (mlp), 20 (cnn))")
    parser.add_argument("--batch-size", type=int, default=32, help="examples per step (default: 32)")
    parser.add_argument("--lr", type=float, default=2e-3,
                        help="AdamW's peak learning rate, cosine-annealed (default: 0.002)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split, the weights and the shuffling "
                        "(default: 0)")
    parser.add_argument("--out", default=None, help="checkpoint path (default: digits-<model>.pt)")
    parser.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    out = args.out or f"digits-{args.model}.pt"
    result = train_digits(args.model, args.epochs, args.batch_size, args.lr, args.seed, checkpoint=out)
    reloaded = load_digits_model(out)
    _, (x_test, y_test) = digits_split(args.seed)
    check = evaluate(reloaded, x_test, y_test)
    print(f"{args.model}: test accuracy {result['test_accuracy']:.4f} after {len(result['history'])} epochs "
          f"in {result['seconds']:.1f}s; checkpoint {out} reloads with test accuracy {check:.4f}")
    return 0
