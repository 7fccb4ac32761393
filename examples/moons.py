"""micrograd's demo with diffkit: a small MLP separates the two moons (100% training accuracy).

The same recipe as Karpathy's micrograd notebook -- 2-16-16-1 ReLU network with weights
uniform in [-1, 1], max-margin (hinge) loss plus L2 regularisation, 100 steps of full-batch
SGD with a decaying learning rate -- written as PyTorch code with ``import diffkit as torch``.

    python examples/moons.py
"""
import diffkit as torch
from diffkit import nn


def train_moons(steps: int = 100, seed: int = 0, verbose: bool = True) -> float:
    """Train on 100 noisy moons; returns the final training accuracy."""
    torch.manual_seed(seed)
    x, y = torch.datasets.make_moons(100, noise=0.1, random_state=1)
    target = (y * 2 - 1).float()  # labels -1 / +1 for the hinge loss
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))
    for p in model.parameters():
        nn.init.uniform_(p, -1.0, 1.0)  # micrograd's initialisation
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda k: 1.0 - 0.9 * k / steps)
    for step in range(steps):
        model.train()
        optimizer.zero_grad()
        scores = model(x).squeeze(1)
        loss = nn.functional.relu(1 - target * scores).mean() + 1e-4 * sum((p * p).sum() for p in model.parameters())
        loss.backward()
        optimizer.step()
        scheduler.step()
        model.eval()
        with torch.no_grad():
            accuracy = ((model(x).squeeze(1) > 0).long() == y).float().mean().item()
        if verbose and (step % 10 == 0 or step == steps - 1):
            print(f"step {step:3d}  loss {loss.item():.4f}  accuracy {accuracy:.0%}")
    return accuracy


if __name__ == "__main__":
    train_moons()
