"""Small datasets for teaching and tests: two moons, circles, spirals, linear regression, and digits.

The synthetic ones are generated here (scikit-learn's definitions for moons, circles and
regression; CS231n's spirals), as tensors ``(X, y)``: X in the default float dtype, class
labels int64. ``random_state`` (an int, a ``diffkit.Generator`` or a numpy Generator) makes
them reproducible; by default they draw from the generator seeded by ``diffkit.manual_seed``.
``load_digits`` needs scikit-learn, which ships the images: ``pip install 'diffkit[datasets]'``.
"""
from __future__ import annotations

import numpy as np

from . import _dtypes
from .creation import Generator, default_generator
from .tensor import Tensor, _wrap

__all__ = ["load_digits", "make_circles", "make_moons", "make_regression", "make_spirals"]


def _rng(random_state) -> np.random.Generator:
    if random_state is None:
        return default_generator.rng
    if isinstance(random_state, Generator):
        return random_state.rng
    if isinstance(random_state, np.random.Generator):
        return random_state
    return np.random.default_rng(int(random_state))


def _split_count(n_samples) -> tuple[int, int]:
    if isinstance(n_samples, (tuple, list)):
        return int(n_samples[0]), int(n_samples[1])
    return n_samples // 2, n_samples - n_samples // 2


def _finish(x: np.ndarray, y: np.ndarray, rng, shuffle: bool, noise) -> tuple[Tensor, Tensor]:
    if shuffle:
        order = rng.permutation(len(x))
        x, y = x[order], y[order]
    if noise:
        x = x + rng.normal(scale=noise, size=x.shape)
    return _wrap(x.astype(_dtypes.get_default_dtype().np)), _wrap(y.astype(np.int64))


def make_moons(n_samples=100, *, shuffle: bool = True, noise: float | None = None,
               random_state=None) -> tuple[Tensor, Tensor]:
    """Two interleaving half circles (labels 0 and 1): the micrograd demo's dataset."""
    n_out, n_in = _split_count(n_samples)
    rng = _rng(random_state)
    outer, inner = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    x = np.vstack([np.column_stack([np.cos(outer), np.sin(outer)]),
                   np.column_stack([1 - np.cos(inner), 1 - np.sin(inner) - 0.5])])
    y = np.hstack([np.zeros(n_out), np.ones(n_in)])
    return _finish(x, y, rng, shuffle, noise)


def make_circles(n_samples=100, *, shuffle: bool = True, noise: float | None = None, random_state=None,
                 factor: float = 0.8) -> tuple[Tensor, Tensor]:
    """A large circle (label 0) around a smaller one scaled by ``factor`` (label 1)."""
    if not 0 <= factor < 1:
        raise ValueError("'factor' has to be between 0 and 1.")
    n_out, n_in = _split_count(n_samples)
    rng = _rng(random_state)
    outer = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    inner = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    x = np.vstack([np.column_stack([np.cos(outer), np.sin(outer)]),
                   factor * np.column_stack([np.cos(inner), np.sin(inner)])])
    y = np.hstack([np.zeros(n_out), np.ones(n_in)])
    return _finish(x, y, rng, shuffle, noise)


def make_spirals(n_samples: int = 300, n_classes: int = 3, *, noise: float = 0.2, shuffle: bool = True,
                 random_state=None) -> tuple[Tensor, Tensor]:
    """``n_classes`` interleaved spiral arms (CS231n's toy problem); ``noise`` jitters the angle."""
    rng = _rng(random_state)
    counts = [n_samples // n_classes + (k < n_samples % n_classes) for k in range(n_classes)]
    parts, labels = [], []
    for k, n in enumerate(counts):
        radius = np.linspace(0.0, 1.0, n)
        angle = np.linspace(k * 4.0, (k + 1) * 4.0, n) + rng.normal(size=n) * noise
        parts.append(np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]))
        labels.append(np.full(n, k))
    return _finish(np.vstack(parts), np.concatenate(labels), rng, shuffle, None)


def make_regression(n_samples: int = 100, n_features: int = 100, *, n_informative: int = 10, n_targets: int = 1,
                    bias: float = 0.0, noise: float = 0.0, shuffle: bool = True, coef: bool = False,
                    random_state=None):
    """A random linear problem: y = X w + bias + noise, with only ``n_informative`` nonzero weights
    (uniform in [0, 100)). Returns (X, y), or (X, y, w) with ``coef=True``."""
    rng = _rng(random_state)
    n_informative = min(n_features, n_informative)
    x = rng.standard_normal((n_samples, n_features))
    weights = np.zeros((n_features, n_targets))
    weights[:n_informative] = 100 * rng.uniform(size=(n_informative, n_targets))
    y = x @ weights + bias
    if noise > 0.0:
        y += rng.normal(scale=noise, size=y.shape)
    if shuffle:
        rows, columns = rng.permutation(n_samples), rng.permutation(n_features)
        x, y = x[rows][:, columns], y[rows]
        weights = weights[columns]
    dtype = _dtypes.get_default_dtype().np
    result = (_wrap(x.astype(dtype)), _wrap(np.squeeze(y, axis=1).astype(dtype) if n_targets == 1 else y.astype(dtype)))
    if coef:
        return (*result, _wrap(np.squeeze(weights).astype(dtype)))
    return result


def load_digits(n_class: int = 10, *, images: bool = False) -> tuple[Tensor, Tensor]:
    """The 1,797 handwritten digits (8×8 pixels, values 0-16) that scikit-learn ships: ``(X, y)`` with
    X of shape (n, 64), or (n, 1, 8, 8) with ``images=True``; y int64 in [0, n_class)."""
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError:
        raise ImportError("diffkit.datasets.load_digits needs scikit-learn, which ships the 8x8 digits images. "
                          "Install it with:  pip install 'diffkit[datasets]'   (or: pip install scikit-learn)"
                          ) from None
    bunch = sklearn_load_digits(n_class=n_class)
    x = bunch.images.reshape(-1, 1, 8, 8) if images else bunch.data
    return _wrap(x.astype(_dtypes.get_default_dtype().np)), _wrap(bunch.target.astype(np.int64))
