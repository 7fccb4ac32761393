"""F.interpolate and nn.Upsample against PyTorch: values and input gradients in float64, for the
nearest, nearest-exact and linear modes (bilinear antialiased too) with and without align_corners,
by size and by scale factor."""
from __future__ import annotations

import numpy as np
import pytest

import diffkit as dk

torch = pytest.importorskip("torch")

CASES = [  # (input shape, keyword arguments)
    ((2, 3, 5), {"size": 8}),
    ((2, 3, 5), {"scale_factor": 2.5, "mode": "linear"}),
    ((1, 2, 7), {"size": 3, "mode": "linear", "align_corners": True}),
    ((2, 2, 4, 5), {"scale_factor": 2}),
    ((2, 2, 4, 5), {"size": (3, 7)}),
    ((2, 2, 4, 5), {"size": (7, 9), "mode": "bilinear"}),
    ((2, 2, 4, 5), {"scale_factor": (1.5, 0.5), "mode": "bilinear"}),
    ((1, 3, 4, 4), {"size": (7, 2), "mode": "bilinear", "align_corners": True}),
    ((1, 2, 5, 6), {"scale_factor": 1.7, "mode": "bilinear", "recompute_scale_factor": True}),
    ((1, 2, 3, 4, 5), {"size": (4, 3, 6), "mode": "trilinear"}),
    ((1, 2, 3, 4, 2), {"scale_factor": 2, "mode": "nearest"}),
    ((2, 3, 6, 8), {"size": (3, 4), "mode": "area"}),
    ((2, 3, 7), {"size": 4, "mode": "nearest-exact"}),
    ((1, 2, 5, 6), {"scale_factor": (1.7, 0.6), "mode": "nearest-exact"}),
    # antialias (was ignored: plain bilinear, wrong when downsampling). Outputs one pixel wide are left out:
    # PyTorch's kernel then gives every row the same value, unlike its own one-axis-at-a-time result
    ((2, 3, 11, 9), {"size": (4, 3), "mode": "bilinear", "antialias": True}),
    ((1, 2, 11, 9), {"scale_factor": (0.45, 0.3), "mode": "bilinear", "antialias": True}),
    ((1, 2, 11, 9), {"size": (3, 13), "mode": "bilinear", "antialias": True, "align_corners": True}),
    ((1, 2, 10, 12), {"scale_factor": 0.4, "mode": "bilinear", "antialias": True, "recompute_scale_factor": True}),
]


@pytest.mark.parametrize("shape, kwargs", CASES, ids=lambda c: str(c))
def test_interpolate_matches_pytorch(shape, kwargs) -> None:
    values = np.random.default_rng(len(shape) + len(kwargs)).standard_normal(shape)
    results = []
    for m in (torch, dk):
        x = m.tensor(values, requires_grad=True)
        y = m.nn.functional.interpolate(x, **kwargs)
        weights = m.tensor(np.linspace(-1.0, 2.0, int(np.prod(tuple(y.shape)))).reshape(tuple(y.shape)))
        (y * weights).sum().backward()
        results.append((y.detach().numpy(), x.grad.numpy()))
    (theirs, their_grad), (mine, my_grad) = results
    assert mine.shape == theirs.shape
    np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(my_grad, their_grad, rtol=1e-12, atol=1e-12)


def test_upsample_modules_and_their_repr() -> None:
    x = np.random.default_rng(0).standard_normal((1, 2, 3, 4))
    for build in (lambda nn: nn.Upsample(scale_factor=2, mode="bilinear"), lambda nn: nn.Upsample(size=(5, 5)),
                  lambda nn: nn.UpsamplingBilinear2d(scale_factor=2), lambda nn: nn.UpsamplingNearest2d(size=6)):
        mine, theirs = build(dk.nn), build(torch.nn)
        assert repr(mine) == repr(theirs)
        np.testing.assert_allclose(mine(dk.tensor(x)).numpy(), theirs(torch.tensor(x)).numpy(), rtol=1e-12)


def test_interpolate_refuses_what_pytorch_refuses() -> None:
    for m in (dk, torch):
        x = m.ones(1, 1, 4, 4)
        with pytest.raises(ValueError, match="either size or scale_factor"):
            m.nn.functional.interpolate(x)
        with pytest.raises(ValueError, match="only one of size or scale_factor"):
            m.nn.functional.interpolate(x, size=2, scale_factor=2)
        with pytest.raises(ValueError, match="align_corners option can only be set"):
            m.nn.functional.interpolate(x, size=2, align_corners=True)
        with pytest.raises(NotImplementedError):
            m.nn.functional.interpolate(x, size=2, mode="linear")
        with pytest.raises(RuntimeError, match=r"sizes should be greater than 0, but got input \(H: 4, W: 4\) output "
                                               r"\(H: 4, W: 0\)"):
            m.nn.functional.interpolate(x, scale_factor=(1.0, 0.2), mode="bilinear")  # 4 * 0.2 rounds down to 0
        with pytest.raises(RuntimeError, match=r"input \(W: 1\) and output \(W: 0\)"):
            m.nn.functional.interpolate(m.ones(1, 1, 1), scale_factor=0.5, recompute_scale_factor=True)
        with pytest.raises(ValueError, match="Anti-alias option is restricted to bilinear, bicubic, and lanczos modes"):
            m.nn.functional.interpolate(x, size=2, mode="nearest", antialias=True)
