"""Notebook 07: the seed's third part -- layers, a model, a loss and an optimizer, trained on
scikit-learn's 8x8 digits with the seed's loop, with curves and a confusion matrix."""

CELLS = [
    ("md", """
# 07 · Training a model

The last part of the tutorial puts the pieces together. A neural network is built from
**layers**, each turning an input tensor into an output tensor; layers make a **model**; a
**loss function** measures how wrong the model is; an **optimizer** changes the parameters to
make the loss smaller, using the gradients that reverse mode computes. Everything below runs on
diffkit's own tape — the engine of notebooks 02 to 06 — with PyTorch's names, so it reads as
PyTorch code:

1. load and preprocess a dataset (`utils.data`, `datasets`);
2. define a loss function (`nn.CrossEntropyLoss()` for classification);
3. define the optimization method (`optim`);
4. loop: train, then evaluate.
"""),
    ("code", """
import diffkit as torch
from diffkit import nn, optim, plots
from diffkit.train import digits_split
from diffkit.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
(x_train, y_train), (x_test, y_test) = digits_split(seed=0)  # 8x8 images scaled to [0, 1]
print(x_train.shape, y_train.shape, x_test.shape)
print(y_train[:12])
"""),
    ("md", """
The data: 1,797 handwritten digits from scikit-learn, 8 × 8 pixels each, split at random into
1,438 training and 359 test images. A `DataLoader` serves the training set in shuffled
mini-batches of 32.

The model: flatten the image to 64 numbers, a hidden layer of 128 units with a ReLU, and 10
outputs — one score (logit) per digit. `CrossEntropyLoss` applies a log-softmax to the scores and
takes the negative log-probability of the right class; Adam adapts a step size per parameter.
"""),
    ("code", """
loader = DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True,
                    generator=torch.Generator().manual_seed(0))
model = nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
loss_fn = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=1e-3)
print(model)
print(sum(p.numel() for p in model.parameters()), "parameters")
"""),
    ("md", """
## The training loop

Exactly the tutorial's loop. In training mode, for each batch: clear the gradients left by the
previous step, compute the predictions and the loss, let `loss.backward()` fill every
parameter's `.grad` (one backward pass over the tape, however many parameters there are), and
let the optimizer take a step. After each epoch, switch to evaluation mode and measure the test
set under `no_grad()`, so that no tape is recorded.
"""),
    ("code", """
history = []
for epoch in range(1, 21):
    model.train()                       # training mode
    total, seen, correct = 0.0, 0, 0
    for x, y in loader:
        optimizer.zero_grad()           # clear the gradients
        logits = model(x)               # predictions
        loss = loss_fn(logits, y)       # the loss
        loss.backward()                 # automatic differentiation, back through the tape
        optimizer.step()                # update the parameters
        total += loss.item() * len(y)
        seen += len(y)
        correct += (logits.argmax(dim=1) == y).sum().item()

    model.eval()                        # evaluation mode
    with torch.no_grad():               # no tape while measuring
        test_logits = model(x_test)
        test_loss = loss_fn(test_logits, y_test).item()
        test_accuracy = (test_logits.argmax(dim=1) == y_test).float().mean().item()
    history.append({"epoch": epoch, "loss": total / seen, "test_loss": test_loss,
                    "train_accuracy": correct / seen, "test_accuracy": test_accuracy})
    if epoch % 5 == 0:
        print(f"epoch {epoch:2}  loss {total / seen:.4f}  test loss {test_loss:.4f}  "
              f"train accuracy {correct / seen:.3f}  test accuracy {test_accuracy:.3f}")
""", ("varies",)),
    ("code", """
print("test accuracy above 95%:", history[-1]["test_accuracy"] > 0.95)
print("loss fell tenfold:", history[-1]["loss"] < history[0]["loss"] / 10)
"""),
    ("md", """
## Curves and confusion matrix

The training loss keeps falling; the test loss flattens once the model has learned what
generalises. The confusion matrix counts, for each true digit (row), what the model predicted
(column): the diagonal holds the correct answers, and the few entries off it show which digits
look alike to the model.
"""),
    ("code", """
predicted = test_logits.argmax(dim=1).numpy()
confusion = plots.confusion_matrix(predicted, y_test.numpy(), 10)
plots.plot_training(history, confusion, title="A 64-128-10 network on the 8×8 digits");
"""),
    ("md", """
## Saving and loading

`state_dict()` holds every parameter by name; `torch.save` and `torch.load` write and read it,
and a fresh model of the same shape gives the same predictions after `load_state_dict`. From
the command line, `diffkit train digits` trains a larger network (or, with `--model cnn`, a
small convolutional one) the same way and saves a checkpoint.
"""),
    ("code", """
import tempfile
from pathlib import Path

with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "digits.pt"
    torch.save(model.state_dict(), path)
    copy = nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    copy.load_state_dict(torch.load(path))
copy.eval()
with torch.no_grad():
    print("same predictions:", bool((copy(x_test).argmax(dim=1) == test_logits.argmax(dim=1)).all()))
"""),
]
