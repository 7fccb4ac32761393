"""nn.functional: erf's accuracy, gradcheck and gradgradcheck (float64) of the nn primitives in their
harder configurations, every loss against PyTorch, and numerical stability at ±1000."""
import math

import numpy as np
import pytest

import diffkit as dk
from diffkit.autograd import gradcheck, gradgradcheck
from diffkit.nn import functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional
rng = np.random.default_rng(0)


def leaf(*shape, low=None, high=None):
    values = rng.standard_normal(shape) if low is None else rng.uniform(low, high, shape)
    return dk.tensor(values, dtype=dk.float64, requires_grad=True)


# ---------------------------------------------------------------------------- erf
def test_erf_matches_math_erf_to_rounding():
    x = np.concatenate([np.linspace(-7, 7, 20001), [0.0, 1e-300, -1e-8, 0.5, -0.5, 4.0, -4.0, 30.0]])
    ours = dk.erf(x)
    expected = np.array([math.erf(v) for v in x])
    np.testing.assert_allclose(ours, expected, rtol=5e-16, atol=1e-300)
    tail = np.linspace(0.5, 26, 2001)
    np.testing.assert_allclose(dk.erfc(tail), [math.erfc(v) for v in tail], rtol=2e-15)
    assert dk.erf(0.5) == pytest.approx(math.erf(0.5), rel=1e-16)
    assert dk.erf(dk.tensor([0.5])).dtype is dk.float32
    assert np.isnan(dk.erf(np.nan)) and dk.erf(np.inf) == 1.0 and dk.erfc(-np.inf) == 2.0


def test_erf_is_differentiable_twice_and_symbolic():
    x = leaf(5)
    assert gradcheck(dk.erf, (x,)) and gradgradcheck(dk.erf, (x,)) and gradgradcheck(dk.erfc, (x,))
    sympy = pytest.importorskip("sympy")
    assert dk.erf(sympy.Symbol("x")) == sympy.erf(sympy.Symbol("x"))


# ---------------------------------------------------------------------------- gradcheck table
CLASSES = dk.tensor([0, 2, -100, 1])
SOFT = dk.tensor(np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0], [0.1, 0.1, 0.8], [0.0, 0.5, 0.5]]))
WEIGHT = dk.tensor([0.5, 2.0, 1.5], dtype=dk.float64)
CASES = [
    ("conv2d-groups-stride-dilation", lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2),
                                                                 groups=2), ((1, 4, 5, 5), (2, 2, 2, 2), (2,))),
    ("conv1d", lambda x, w: F.conv1d(x, w, stride=2, padding=2), ((2, 2, 5), (3, 2, 3))),
    ("conv_transpose2d", lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
     ((1, 2, 3, 2), (2, 1, 3, 2), (1,))),
    ("max_pool2d-overlapping-ceil", lambda x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True), ((1, 2, 5, 4),)),
    ("max_pool1d-dilated", lambda x: F.max_pool1d(x, 2, 1, dilation=2), ((2, 1, 6),)),
    ("avg_pool2d-exclude-padding", lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
     ((1, 2, 5, 4),)),
    ("adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (2, 3)), ((1, 2, 5, 4),)),
    ("batch_norm-training", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
     ((3, 2, 2, 2), (2,), (2,))),
    ("batch_norm-eval", lambda x, w, b: F.batch_norm(x, dk.tensor([0.2, -0.1]), dk.tensor([1.5, 0.7]), w, b),
     ((3, 2, 2), (2,), (2,))),
    ("layer_norm", lambda x, w, b: F.layer_norm(x, (2, 3), w, b), ((2, 2, 3), (2, 3), (2, 3))),
    ("group_norm", lambda x, w, b: F.group_norm(x, 2, w, b), ((2, 4, 3), (4,), (4,))),
    ("cross_entropy-weight-ignore-smoothing", lambda x: F.cross_entropy(x, CLASSES, weight=WEIGHT,
                                                                        label_smoothing=0.2), ((4, 3),)),
    ("cross_entropy-probabilities", lambda x: F.cross_entropy(x, SOFT, reduction="sum", label_smoothing=0.1),
     ((4, 3),)),
    ("cross_entropy-spatial-none", lambda x: F.cross_entropy(x, dk.tensor([[0, 1], [2, 2]]), reduction="none"),
     ((2, 3, 2),)),
    ("nll_loss-weight", lambda x: F.nll_loss(x, CLASSES, weight=WEIGHT), ((4, 3),)),
    ("bce_with_logits-pos_weight", lambda x, y: F.binary_cross_entropy_with_logits(
        x, y, pos_weight=dk.tensor([1.0, 3.0, 0.5], dtype=dk.float64)), ((4, 3), (4, 3))),
    ("softplus-beta-threshold", lambda x: F.softplus(x * 3, beta=2.0, threshold=4.0), ((3, 4),)),
    ("selu", F.selu, ((3, 4),)),
    ("celu", lambda x: F.celu(x, 0.5), ((3, 4),)),
    ("mish", F.mish, ((3, 4),)),
    ("embedding-repeated", lambda w: F.embedding(dk.tensor([[1, 0], [3, 1]]), w), ((4, 3),)),
    ("pad-reflect", lambda x: F.pad(x, (2, 1, 1, 0), mode="reflect"), ((1, 1, 3, 4),)),
    ("pad-constant-crop", lambda x: F.pad(x, (1, -1, 0, 2), value=0.5), ((2, 3, 4),)),
    ("linear-3d", lambda x, w, b: F.linear(x, w, b), ((2, 3, 4), (2, 4), (2,))),
    ("bilinear", lambda x1, x2, w, b: F.bilinear(x1, x2, w, b), ((2, 3), (2, 2), (4, 3, 2), (4,))),
    ("huber", lambda x, y: F.huber_loss(x * 2, y, delta=0.7), ((3, 4), (3, 4))),
    ("smooth_l1", lambda x, y: F.smooth_l1_loss(x * 2, y, beta=0.5), ((3, 4), (3, 4))),
    ("kl_div", lambda x: F.kl_div(F.log_softmax(x, 1), SOFT, reduction="batchmean"), ((4, 3),)),
    ("triplet_margin_loss-swap", lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=2.0, swap=True),
     ((4, 3), (4, 3), (4, 3))),
    ("cosine_embedding_loss", lambda x, y: F.cosine_embedding_loss(x, y, dk.tensor([1, -1, 1]), margin=-0.5),
     ((3, 4), (3, 4))),
    ("normalize-cosine", lambda x, y: F.normalize(x) + F.cosine_similarity(x, y).unsqueeze(1),
     ((3, 4), (3, 4))),
]


@pytest.mark.parametrize("name,f,shapes", CASES, ids=[c[0] for c in CASES])
def test_gradcheck_and_gradgradcheck(name, f, shapes):
    inputs = tuple(leaf(*s) for s in shapes)
    assert gradcheck(f, inputs)
    assert gradgradcheck(f, inputs)


def test_binary_cross_entropy_gradients_in_input_and_target():
    p, y = leaf(3, 4, low=0.05, high=0.95), leaf(3, 4, low=0.0, high=1.0)
    w = dk.tensor(rng.uniform(0.5, 2, (3, 4)))
    f = lambda p, y: F.binary_cross_entropy(p, y, weight=w)  # noqa: E731
    assert gradcheck(f, (p, y)) and gradgradcheck(f, (p, y))


# ---------------------------------------------------------------------------- losses against PyTorch
def _pair(value):
    if isinstance(value, np.ndarray):
        return dk.tensor(value), torch.tensor(value)
    return value, value


LOSSES = [
    ("mse_loss", (4, 3), lambda: rng.standard_normal((4, 3)), {}),
    ("l1_loss", (4, 3), lambda: rng.standard_normal((4, 3)), {}),
    ("huber_loss", (4, 3), lambda: 2 * rng.standard_normal((4, 3)), {"delta": 0.5}),
    ("smooth_l1_loss", (4, 3), lambda: 2 * rng.standard_normal((4, 3)), {"beta": 0.5}),
    ("cross_entropy", (5, 4), lambda: np.array([0, 3, 1, -100, 2]), {"weight": np.array([1.0, 2.0, 0.5, 1.0]),
                                                                     "label_smoothing": 0.15}),
    ("cross_entropy", (5, 4, 2), lambda: rng.integers(0, 4, (5, 2)), {"ignore_index": 1}),
    ("cross_entropy", (4,), lambda: np.array(2), {}),
    ("cross_entropy", (5, 4), lambda: np.array([0, 3, 1, 3, 2]), {"ignore_index": 3}),  # a class (padding) ignored
    ("cross_entropy", (5, 4), lambda: np.array([0, 3, 1, 0, 2]), {"ignore_index": 0}),
    ("cross_entropy", (5, 4), lambda: rng.dirichlet(np.ones(4), 5), {"weight": np.array([1.0, 2.0, 0.5, 1.0])}),
    ("nll_loss", (5, 4), lambda: np.array([0, 3, 1, 3, 2]), {"weight": np.array([1.0, 2.0, 0.5, 1.0])}),
    ("nll_loss", (5, 4), lambda: np.array([0, 3, 1, 3, 2]), {"ignore_index": 3}),
    ("binary_cross_entropy", "probabilities", lambda: rng.uniform(0, 1, (4, 3)), {"weight": rng.uniform(size=3)}),
    ("binary_cross_entropy_with_logits", (4, 3), lambda: rng.uniform(0, 1, (4, 3)),
     {"pos_weight": np.array([2.0, 0.5, 1.0]), "weight": rng.uniform(size=(4, 3))}),
    ("kl_div", "log-probabilities", lambda: rng.dirichlet(np.ones(3), 4), {}),
    ("kl_div", "log-probabilities", lambda: np.log(rng.dirichlet(np.ones(3), 4)), {"log_target": True}),
]


@pytest.mark.filterwarnings("ignore:reduction. 'mean'")
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name,shape,target,options", LOSSES, ids=[f"{loss[0]}-{i}" for i, loss in enumerate(LOSSES)])
def test_loss_matches_pytorch(name, shape, target, options, reduction):
    if shape == "probabilities":
        x = rng.uniform(0.02, 0.98, (4, 3))
    elif shape == "log-probabilities":
        x = np.log(rng.dirichlet(np.ones(3), 4))
    else:
        x = rng.standard_normal(shape)
    t = target()
    xd, xt = dk.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    float_target = t.dtype.kind == "f" and name != "cross_entropy"
    td, tt = dk.tensor(t, requires_grad=float_target), torch.tensor(t, requires_grad=float_target)
    kw_d = {k: _pair(v)[0] for k, v in options.items()}
    kw_t = {k: _pair(v)[1] for k, v in options.items()}
    ours = getattr(F, name)(xd, td, reduction=reduction, **kw_d)
    theirs = getattr(TF, name)(xt, tt, reduction=reduction, **kw_t)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12, atol=1e-14)
    g = rng.standard_normal(tuple(theirs.shape))
    (ours * dk.tensor(g)).sum().backward()
    (theirs * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-13)
    if float_target:
        np.testing.assert_allclose(td.grad.numpy(), tt.grad.numpy(), rtol=1e-10, atol=1e-13)


def test_loss_modules_keep_weights_as_buffers():
    loss = dk.nn.CrossEntropyLoss(weight=dk.tensor([1.0, 2.0]), label_smoothing=0.1)
    assert list(loss.state_dict()) == list(torch.nn.CrossEntropyLoss(weight=torch.ones(2)).state_dict())
    assert repr(loss) == "CrossEntropyLoss()"
    assert list(dk.nn.BCEWithLogitsLoss(pos_weight=dk.ones(2)).state_dict()) == ["pos_weight"]
    with pytest.warns(UserWarning, match="size_average and reduce"):
        assert dk.nn.MSELoss(size_average=False).reduction == "sum"


# ---------------------------------------------------------------------------- stability and errors
def test_cross_entropy_is_exact_at_thousand_logits():
    x = dk.tensor([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0]], requires_grad=True)
    loss = F.cross_entropy(x, dk.tensor([1, 1]), reduction="none")
    np.testing.assert_array_equal(loss.detach().numpy(), [2000.0, 0.0])
    loss.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1.0, -1.0, 0.0], [0.0, 0.0, 0.0]])
    assert np.isfinite(F.nll_loss(F.log_softmax(x, 1), dk.tensor([1, 1])).item())


@pytest.mark.parametrize("options", [{}, {"ignore_index": 2}, {"label_smoothing": 0.1}, {"weight": [1.0, 2.0, 3.0]}])
@pytest.mark.parametrize("name", ["cross_entropy", "nll_loss"])
def test_a_batch_whose_targets_are_all_ignored_has_nan_loss_and_zero_gradient(name, options):
    if name == "nll_loss" and "label_smoothing" in options:
        return
    target = [options.get("ignore_index", -100)] * 4
    x = rng.standard_normal((4, 3))
    xd, xt = dk.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    kw_d = {k: dk.tensor(v, dtype=dk.float64) if k == "weight" else v for k, v in options.items()}
    kw_t = {k: torch.tensor(v, dtype=torch.float64) if k == "weight" else v for k, v in options.items()}
    ours, theirs = getattr(F, name)(xd, dk.tensor(target), **kw_d), getattr(TF, name)(xt, torch.tensor(target), **kw_t)
    assert np.isnan(ours.item()) and np.isnan(theirs.item())
    ours.backward()
    theirs.backward()
    np.testing.assert_array_equal(xd.grad.numpy(), xt.grad.numpy())
    np.testing.assert_array_equal(xd.grad.numpy(), np.zeros((4, 3)))


def test_binary_losses_are_finite_at_the_extremes():
    x = dk.tensor([1000.0, -1000.0, 1000.0, -1000.0], requires_grad=True)
    y = dk.tensor([0.0, 1.0, 1.0, 0.0])
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    np.testing.assert_array_equal(loss.detach().numpy(), [1000.0, 1000.0, 0.0, 0.0])
    loss.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, -1.0, 0.0, 0.0])
    p = dk.tensor([0.0, 1.0, 0.5], requires_grad=True)
    loss = F.binary_cross_entropy(p, dk.tensor([1.0, 0.0, 1.0]), reduction="none")
    np.testing.assert_allclose(loss.detach().numpy(), [100.0, 100.0, math.log(2)], rtol=1e-6)  # logs clamped
    loss.sum().backward()
    assert np.isfinite(p.grad.numpy()).all()
    assert np.isfinite(F.softplus(dk.tensor([1000.0, -1000.0])).numpy()).all()


def test_loss_errors_are_pytorchs():
    with pytest.raises(IndexError, match="Target 5 is out of bounds"):
        F.cross_entropy(dk.zeros(2, 3), dk.tensor([0, 5]))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(dk.tensor([1.5]), dk.tensor([1.0]))
    with pytest.raises(ValueError, match=r"Target size \(diffkit.Size\(\[2\]\)\) must be the same as input size"):
        F.binary_cross_entropy_with_logits(dk.zeros(3), dk.zeros(2))
    with pytest.raises(ValueError, match="is not a valid value for reduction"):
        F.mse_loss(dk.zeros(2), dk.zeros(2), reduction="average")


LOSS_ERRORS = [
    ("int32-class-indices", lambda m: m.nn.functional.cross_entropy(m.zeros(4, 3), m.zeros(4, dtype=m.int32))),
    ("int32-indices-over-positions", lambda m: m.nn.functional.cross_entropy(m.zeros(4, 3, 2),
                                                                             m.zeros(4, 2, dtype=m.int32))),
    ("float-indices", lambda m: m.nn.functional.nll_loss(m.zeros(2, 3), m.tensor([0.0, 1.0]))),
    ("bool-indices", lambda m: m.nn.functional.nll_loss(m.zeros(2, 3), m.tensor([True, False]))),
    ("integer-probabilities", lambda m: m.nn.functional.cross_entropy(m.zeros(4, 3), m.zeros(4, 3, dtype=m.int64))),
    ("weight-too-short", lambda m: m.nn.functional.cross_entropy(m.zeros(4, 3), m.zeros(4, dtype=m.int64),
                                                                 weight=m.ones(2))),
    ("weight-too-long", lambda m: m.nn.functional.nll_loss(m.zeros(4, 3), m.zeros(4, dtype=m.int64),
                                                           weight=m.ones(4))),
    ("weight-not-a-vector", lambda m: m.nn.functional.cross_entropy(m.zeros(4, 3), m.zeros(4, dtype=m.int64),
                                                                    weight=m.ones(1, 3), label_smoothing=0.1)),
    ("weight-for-probabilities", lambda m: m.nn.functional.cross_entropy(m.zeros(4, 3), m.ones(4, 3) / 3,
                                                                         weight=m.ones(2))),
    ("label-smoothing-above-1", lambda m: m.nn.functional.cross_entropy(m.zeros(4, 3), m.zeros(4, dtype=m.int64),
                                                                        label_smoothing=1.5)),
    ("0d-target-for-a-batch", lambda m: m.nn.functional.cross_entropy(m.zeros(4, 3), m.tensor(1))),
    ("huber-delta-0", lambda m: m.nn.functional.huber_loss(m.zeros(2), m.ones(2), delta=0.0)),
    ("smooth-l1-negative-beta", lambda m: m.nn.functional.smooth_l1_loss(m.zeros(2), m.ones(2), beta=-0.5)),
]


@pytest.mark.parametrize("name,build", LOSS_ERRORS, ids=[e[0] for e in LOSS_ERRORS])
def test_loss_argument_errors_are_pytorchs(name, build):
    """The same exception and message as PyTorch, where diffkit used to compute (an int32 target, a
    weight of the wrong length, delta <= 0, beta < 0) or raise something else."""
    outcomes = []
    for m in (dk, torch):
        with pytest.raises(Exception) as error:  # noqa: PT011 -- the exception is what is compared
            build(m)
        outcomes.append((error.type, str(error.value)))
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_weighted_regression_losses_match_pytorch(name, reduction):
    """Weighted mse and l1 average as Σ w loss / Σ w (the mean of w loss before), huber as a plain mean."""
    x, y, w = rng.standard_normal((4, 3)), rng.standard_normal((4, 3)), rng.uniform(0.5, 2.0, (4, 3))
    results = []
    for m in (dk, torch):
        xi, wi = m.tensor(x, requires_grad=True), m.tensor(w, requires_grad=True)
        out = getattr(m.nn.functional, name)(xi, m.tensor(y), reduction=reduction, weight=wi)
        out.sum().backward()
        results.append((out.detach().numpy(), xi.grad.numpy(), wi.grad.numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
    for m in (dk, torch):
        with pytest.raises(ValueError, match="Weights and input must have the same size."):
            getattr(m.nn.functional, name)(m.zeros(4, 3), m.zeros(4, 3), weight=m.ones(3))


def test_probability_targets_refuse_an_ignore_index_as_pytorch():
    for m in (dk, torch):
        with pytest.raises(RuntimeError, match="ignore_index is not supported for floating point target"):
            m.nn.functional.cross_entropy(m.zeros(4, 3), m.ones(4, 3) / 3, ignore_index=1)


def test_uint8_class_indices_are_accepted_as_in_pytorch():
    x = rng.standard_normal((4, 3))
    target = np.array([0, 2, 1, 2], dtype=np.uint8)
    ours = F.cross_entropy(dk.tensor(x), dk.tensor(target), label_smoothing=0.1)
    theirs = TF.cross_entropy(torch.tensor(x), torch.tensor(target), label_smoothing=0.1)
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-12)


ACTIVATIONS = [("relu", {}), ("relu6", {}), ("leaky_relu", {"negative_slope": 0.2}), ("elu", {"alpha": 0.5}),
               ("selu", {}), ("celu", {"alpha": 1.5}), ("hardtanh", {"min_val": -0.5, "max_val": 2.0}), ("silu", {}),
               ("mish", {}), ("gelu", {"approximate": "tanh"}), ("softplus", {"beta": 2.0}), ("softsign", {}),
               ("sigmoid", {}), ("tanh", {}), ("softmax", {"dim": 0}), ("log_softmax", {"dim": -1, "dtype": None}),
               ("logsigmoid", {}), ("softmin", {"dim": 1}), ("hardswish", {}), ("hardsigmoid", {})]


INPLACE = {"relu", "relu6", "leaky_relu", "elu", "selu", "celu", "hardtanh", "silu", "mish", "hardswish",
           "hardsigmoid"}


@pytest.mark.parametrize("name,options", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_functional_activations_take_pytorchs_arguments(name, options):
    x = rng.standard_normal((3, 4)) * 3
    xd, xt = dk.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours, theirs = getattr(F, name)(input=xd, **options), getattr(TF, name)(input=xt, **options)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12, atol=1e-15)
    g = rng.standard_normal((3, 4))
    (ours * dk.tensor(g)).sum().backward()
    (theirs * torch.tensor(g)).sum().backward()
    rtol = 1e-7 if name == "hardsigmoid" else 1e-12  # PyTorch's CPU backward multiplies by 1.0f / 6.0f, a float32
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=rtol, atol=1e-15)
    if name in INPLACE:
        hidden = xd * 1.0
        result = getattr(F, name)(hidden, inplace=True, **options)
        assert result is hidden
        np.testing.assert_array_equal(hidden.detach().numpy(), ours.detach().numpy())


def test_softmax_without_dim_takes_pytorchs_implicit_dim():
    for shape in [(5,), (3, 4), (2, 3, 4), (2, 2, 3, 4)]:
        x = rng.standard_normal(shape)
        for f, tf in [(F.softmax, TF.softmax), (F.log_softmax, TF.log_softmax)]:
            with pytest.warns(UserWarning, match="Implicit dimension choice"):
                ours = f(dk.tensor(x))
            with pytest.warns(UserWarning):
                theirs = tf(torch.tensor(x))
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_functional_extras():
    assert F.one_hot(dk.tensor([0, 2]), 4).tolist() == [[1, 0, 0, 0], [0, 0, 1, 0]]
    values, indices = F.max_pool2d(dk.tensor(np.arange(16.0).reshape(1, 1, 4, 4)), 2, return_indices=True)
    assert indices.tolist() == [[[[5, 7], [13, 15]]]] and values.tolist() == [[[[5.0, 7.0], [13.0, 15.0]]]]
    assert F.dropout(dk.ones(3), 0.5, training=False).tolist() == [1.0, 1.0, 1.0]
    assert F.logsigmoid(dk.tensor([-1000.0])).item() == -1000.0


MARGIN_LOSSES = [
    ("margin_ranking_loss", [(6,), (6,)], lambda r: r.choice([-1.0, 1.0], 6), {"margin": 0.3}),
    ("margin_ranking_loss", [(6,), (6,)], lambda r: r.choice([-1.0, 1.0], 6), {}),
    ("cosine_embedding_loss", [(5, 4), (5, 4)], lambda r: r.choice([-1, 1], 5), {"margin": 0.2}),
    ("cosine_embedding_loss", [(4,), (4,)], lambda r: np.array(-1), {"margin": -0.9}),
    ("triplet_margin_loss", [(5, 4), (5, 4), (5, 4)], None, {"margin": 2.0}),
    ("triplet_margin_loss", [(5, 4), (5, 4), (5, 4)], None, {"p": 1, "eps": 1e-3, "swap": True, "margin": 3.0}),
    ("triplet_margin_loss", [(4,), (4,), (4,)], None, {"margin": 5.0}),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name,shapes,target,options", MARGIN_LOSSES,
                         ids=[f"{loss[0]}-{i}" for i, loss in enumerate(MARGIN_LOSSES)])
def test_margin_losses_match_pytorch(name, shapes, target, options, reduction):
    # data of its own, so that the margin is active whatever ran before (a shared generator made it order-dependent)
    r = np.random.default_rng(MARGIN_LOSSES.index((name, shapes, target, options)))
    arrays = [r.standard_normal(shape) for shape in shapes]
    ours = [dk.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    extra = () if target is None else (target(r),)
    loss_d = getattr(F, name)(*ours, *(dk.tensor(t) for t in extra), reduction=reduction, **options)
    loss_t = getattr(TF, name)(*theirs, *(torch.tensor(t) for t in extra), reduction=reduction, **options)
    np.testing.assert_allclose(loss_d.detach().numpy(), loss_t.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert loss_t.detach().numpy().any()  # the margin is active somewhere
    g = r.standard_normal(tuple(loss_t.shape))
    (loss_d * dk.tensor(g)).sum().backward()
    (loss_t * torch.tensor(g)).sum().backward()
    for d, t in zip(ours, theirs):
        np.testing.assert_allclose(d.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-13)
    module = {"margin_ranking_loss": "MarginRankingLoss", "cosine_embedding_loss": "CosineEmbeddingLoss",
              "triplet_margin_loss": "TripletMarginLoss"}[name]
    by_module = getattr(dk.nn, module)(reduction=reduction, **options)(*ours, *(dk.tensor(t) for t in extra))
    np.testing.assert_array_equal(by_module.detach().numpy(), loss_d.detach().numpy())


def test_distance_functions_match_pytorch_with_zero_vectors():
    x = np.vstack([rng.standard_normal((3, 4)), np.zeros((1, 4))])
    y = np.vstack([rng.standard_normal((2, 4)), x[2:3], np.zeros((1, 4))])
    for f, options in [("pairwise_distance", {}), ("pairwise_distance", {"p": 3.0, "keepdim": True}),
                       ("cosine_similarity", {}), ("cosine_similarity", {"dim": 0})]:
        xd, xt = dk.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ours, theirs = getattr(F, f)(xd, dk.tensor(y), **options), getattr(TF, f)(xt, torch.tensor(y), **options)
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12, atol=1e-14)
        ours.sum().backward()
        theirs.sum().backward()
        np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-13)
