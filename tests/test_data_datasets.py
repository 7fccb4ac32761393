"""diffkit.datasets: the synthetic datasets' definitions, and digits through scikit-learn."""
import builtins

import numpy as np
import pytest

import diffkit as dk
from diffkit import datasets


def test_make_moons_is_two_half_circles():
    x, y = datasets.make_moons(200, shuffle=False)
    assert x.shape == (200, 2) and x.dtype is dk.float32 and y.dtype is dk.int64
    a, b = x.numpy()[:100], x.numpy()[100:]
    np.testing.assert_allclose(np.hypot(a[:, 0], a[:, 1]), 1.0, rtol=1e-6)
    np.testing.assert_allclose(np.hypot(b[:, 0] - 1, b[:, 1] - 0.5), 1.0, rtol=1e-6)
    assert y.tolist() == [0] * 100 + [1] * 100
    noisy, labels = datasets.make_moons((30, 20), noise=0.1, random_state=0)
    assert np.bincount(labels.numpy()).tolist() == [30, 20]
    again, _ = datasets.make_moons((30, 20), noise=0.1, random_state=0)
    assert dk.equal(noisy, again)


def test_make_circles_and_spirals():
    x, y = datasets.make_circles(100, factor=0.5, shuffle=False)
    radius = np.hypot(*x.numpy().T)
    np.testing.assert_allclose(radius[y.numpy() == 0], 1.0, rtol=1e-6)
    np.testing.assert_allclose(radius[y.numpy() == 1], 0.5, rtol=1e-6)
    with pytest.raises(ValueError, match="factor"):
        datasets.make_circles(factor=1.5)
    x, y = datasets.make_spirals(301, 3, random_state=1)
    assert x.shape == (301, 2) and np.bincount(y.numpy()).tolist() == [101, 100, 100]
    assert np.hypot(*x.numpy().T).max() <= 1.0 + 1e-6


def test_make_regression_is_linear_with_sparse_coefficients():
    x, y, w = datasets.make_regression(50, 8, n_informative=3, bias=2.0, coef=True, random_state=0)
    assert x.shape == (50, 8) and y.shape == (50,) and (w.numpy() != 0).sum() == 3
    np.testing.assert_allclose(y.numpy(), x.numpy() @ w.numpy() + 2.0, rtol=1e-4, atol=1e-3)
    _, noisy = datasets.make_regression(50, 8, noise=1.0, random_state=0)
    assert noisy.shape == (50,)


def test_load_digits():
    pytest.importorskip("sklearn")
    x, y = datasets.load_digits()
    assert x.shape == (1797, 64) and y.shape == (1797,) and 0 <= x.numpy().min() and x.numpy().max() == 16
    images, _ = datasets.load_digits(n_class=3, images=True)
    assert images.shape[1:] == (1, 8, 8)


def test_load_digits_without_scikit_learn_says_how_to_install_it(monkeypatch):
    real_import = builtins.__import__

    def without_sklearn(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError("No module named 'sklearn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_sklearn)
    with pytest.raises(ImportError, match=r"pip install 'diffkit\[datasets\]'"):
        datasets.load_digits()
