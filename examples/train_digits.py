"""Train an MLP and a small CNN on scikit-learn's 8x8 digits, save checkpoints and load them back.

Needs scikit-learn (``pip install 'diffkit[datasets]'``). The same as ``diffkit train digits``.

    python examples/train_digits.py
"""
from diffkit.train import digits_split, evaluate, load_digits_model, train_digits

if __name__ == "__main__":
    for model in ("mlp", "cnn"):
        result = train_digits(model, checkpoint=f"digits-{model}.pt")
        _, (x_test, y_test) = digits_split()
        reloaded = evaluate(load_digits_model(f"digits-{model}.pt"), x_test, y_test)
        print(f"{model}: test accuracy {result['test_accuracy']:.2%} in {result['seconds']:.1f}s "
              f"(checkpoint reloads at {reloaded:.2%})")
