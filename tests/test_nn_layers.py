"""Every layer against PyTorch: from identical float64 weights, the same outputs, input gradients
and weight gradients (to ~1e-10); convolution and pooling vectorised (no Python loop over pixels)."""
import gc
import sys

import numpy as np
import pytest
from nn_parity import assert_parity, run_both, twins

import diffkit as dk
from diffkit import nn

torch = pytest.importorskip("torch")
tnn = torch.nn
rng = np.random.default_rng(0)


def normal(*shape):
    return rng.standard_normal(shape)


LAYERS = [
    ("Linear", lambda m: m.Linear(5, 4), (3, 5)),
    ("Linear-3d-input", lambda m: m.Linear(5, 4), (2, 3, 5)),
    ("Linear-no-bias", lambda m: m.Linear(5, 4, bias=False), (3, 5)),
    ("Bilinear", lambda m: m.Bilinear(3, 4, 2), (5, 3), (5, 4)),
    ("Conv1d", lambda m: m.Conv1d(3, 4, 3, stride=2, padding=1), (2, 3, 9)),
    ("Conv2d", lambda m: m.Conv2d(3, 4, 3, padding=1), (2, 3, 6, 5)),
    ("Conv2d-stride-dilation", lambda m: m.Conv2d(2, 3, (3, 2), stride=(2, 1), dilation=(1, 2), padding=(2, 1)),
     (2, 2, 9, 8)),
    ("Conv2d-groups-no-bias", lambda m: m.Conv2d(4, 6, 3, groups=2, bias=False), (2, 4, 5, 5)),
    ("Conv2d-same", lambda m: m.Conv2d(2, 3, 4, padding="same"), (1, 2, 6, 6)),
    ("Conv2d-reflect", lambda m: m.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"), (1, 2, 5, 5)),
    ("Conv2d-circular", lambda m: m.Conv2d(2, 3, 3, padding=2, padding_mode="circular"), (1, 2, 5, 5)),
    ("Conv2d-unbatched", lambda m: m.Conv2d(2, 3, 3), (2, 5, 5)),
    ("ConvTranspose2d", lambda m: m.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1), (2, 3, 4, 4)),
    ("ConvTranspose1d-groups", lambda m: m.ConvTranspose1d(4, 6, 3, groups=2, stride=2), (2, 4, 5)),
    # output_padding of the stride or more (allowed below the dilation): positions no input window reaches
    ("ConvTranspose2d-output-padding-over-stride", lambda m: m.ConvTranspose2d(2, 2, 3, stride=(3, 1), padding=(2, 0),
                                                                              dilation=(1, 2), output_padding=(2, 1)),
     (2, 2, 6, 5)),
    ("ConvTranspose1d-output-padding-under-dilation", lambda m: m.ConvTranspose1d(4, 4, 3, dilation=3, groups=2,
                                                                                 output_padding=2), (2, 4, 7)),
    ("MaxPool2d", lambda m: m.MaxPool2d(2), (2, 3, 6, 6)),
    ("MaxPool2d-overlap-ceil", lambda m: m.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), (2, 2, 7, 6)),
    ("MaxPool1d", lambda m: m.MaxPool1d(3, 2), (2, 3, 9)),
    ("AvgPool2d", lambda m: m.AvgPool2d(2), (2, 3, 6, 6)),
    ("AvgPool2d-pad-exclude", lambda m: m.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False), (2, 2, 7, 6)),
    ("AvgPool1d", lambda m: m.AvgPool1d(3, 2, 1), (2, 3, 9)),
    ("AdaptiveAvgPool2d", lambda m: m.AdaptiveAvgPool2d((3, 2)), (2, 3, 7, 5)),
    ("AdaptiveAvgPool2d-global", lambda m: m.AdaptiveAvgPool2d(1), (2, 3, 4, 4)),
    ("AdaptiveAvgPool2d-None-keeps-a-size", lambda m: m.AdaptiveAvgPool2d((None, 2)), (2, 3, 5, 7)),
    ("AdaptiveAvgPool1d", lambda m: m.AdaptiveAvgPool1d(4), (2, 3, 10)),
    ("AdaptiveMaxPool2d", lambda m: m.AdaptiveMaxPool2d((3, 2)), (2, 3, 7, 5)),
    ("AdaptiveMaxPool2d-unbatched", lambda m: m.AdaptiveMaxPool2d(4), (3, 6, 9)),
    ("AdaptiveMaxPool1d-upsampling", lambda m: m.AdaptiveMaxPool1d(7), (2, 3, 4)),
    ("AdaptiveMaxPool3d-None-keeps-a-size", lambda m: m.AdaptiveMaxPool3d((2, None, 3)), (1, 2, 5, 4, 7)),
    ("LayerNorm", lambda m: m.LayerNorm((3, 4)), (2, 3, 4)),
    ("LayerNorm-no-affine", lambda m: m.LayerNorm(4, elementwise_affine=False), (5, 4)),
    # over every dimension: the axes start at 0 like batch norm's, which they were taken for
    ("LayerNorm-whole-1d-input", lambda m: m.LayerNorm(5), (5,)),
    ("LayerNorm-whole-input", lambda m: m.LayerNorm((2, 3)), (2, 3)),
    ("GroupNorm", lambda m: m.GroupNorm(2, 4), (3, 4, 5)),
    ("Flatten", lambda m: m.Flatten(), (2, 3, 4)),
    ("Unflatten", lambda m: m.Unflatten(1, (2, 3)), (4, 6)),
    ("Identity", lambda m: m.Identity(), (2, 3)),
    ("ReLU", lambda m: m.ReLU(), (4, 5)),
    ("LeakyReLU", lambda m: m.LeakyReLU(0.2), (4, 5)),
    ("ELU", lambda m: m.ELU(0.5), (4, 5)),
    ("SELU", lambda m: m.SELU(), (4, 5)),
    ("CELU", lambda m: m.CELU(1.5), (4, 5)),
    ("GELU", lambda m: m.GELU(), (4, 5)),
    ("GELU-tanh", lambda m: m.GELU("tanh"), (4, 5)),
    ("SiLU", lambda m: m.SiLU(), (4, 5)),
    ("Mish", lambda m: m.Mish(), (4, 5)),
    ("Sigmoid", lambda m: m.Sigmoid(), (4, 5)),
    ("Tanh", lambda m: m.Tanh(), (4, 5)),
    ("Softplus", lambda m: m.Softplus(2.0, 1.0), (4, 5)),
    ("Softsign", lambda m: m.Softsign(), (4, 5)),
    ("Hardtanh", lambda m: m.Hardtanh(-0.5, 0.7), (4, 5)),
    ("ReLU6", lambda m: m.ReLU6(), (4, 5)),
    ("PReLU", lambda m: m.PReLU(3), (4, 3, 2)),
    ("Softmax", lambda m: m.Softmax(dim=1), (4, 5)),
    ("LogSoftmax", lambda m: m.LogSoftmax(dim=-1), (2, 4, 5)),
    ("Sequential", lambda m: m.Sequential(m.Linear(4, 6), m.Tanh(), m.Linear(6, 2)), (3, 4)),
    ("LogSigmoid", lambda m: m.LogSigmoid(), (4, 5)),
    ("Softmin", lambda m: m.Softmin(dim=1), (4, 5)),
    ("Hardswish", lambda m: m.Hardswish(), (4, 5)),
    ("Hardsigmoid", lambda m: m.Hardsigmoid(), (4, 5)),
    ("ZeroPad2d", lambda m: m.ZeroPad2d((1, 2, 0, 3)), (2, 3, 4, 5)),
    ("ZeroPad1d-crop", lambda m: m.ZeroPad1d((2, -1)), (2, 3, 4)),
    ("ZeroPad3d", lambda m: m.ZeroPad3d(1), (1, 2, 3, 2, 2)),
    ("ConstantPad2d", lambda m: m.ConstantPad2d(2, 3.5), (2, 3, 4)),
    ("ConstantPad1d", lambda m: m.ConstantPad1d((0, 3), -1.0), (2, 4)),
    ("ConstantPad3d", lambda m: m.ConstantPad3d((1, 0, 0, 1, 2, 0), 0.5), (1, 1, 2, 3, 2)),
    ("CosineSimilarity", lambda m: m.CosineSimilarity(), (4, 5), (4, 5)),
    ("CosineSimilarity-dim-broadcast", lambda m: m.CosineSimilarity(dim=-1, eps=1e-6), (3, 4, 5), (4, 5)),
    ("PairwiseDistance", lambda m: m.PairwiseDistance(), (4, 5), (4, 5)),
    ("PairwiseDistance-p1-keepdim", lambda m: m.PairwiseDistance(p=1.0, eps=1e-3, keepdim=True), (4, 5), (4, 5)),
    ("PairwiseDistance-inf-unbatched", lambda m: m.PairwiseDistance(p=float("inf")), (5,), (5,)),
]


@pytest.mark.filterwarnings("ignore:Using padding=.same.")
@pytest.mark.parametrize("layer", LAYERS, ids=[layer[0] for layer in LAYERS])
def test_layer_matches_pytorch(layer):
    name, build, *shapes = layer
    inputs = [normal(*shape) * (3 if "ReLU" in name or "tanh" in name.lower() else 1) for shape in shapes]
    assert_parity(build(nn), build(tnn), *inputs, **_TOLERANCE.get(name, {}))


# PyTorch's CPU Hardsigmoid backward multiplies by 1.0f / 6.0f, a float32: its gradient is off by ~3e-8 relative
_TOLERANCE = {"Hardsigmoid": {"rtol": 1e-7}}


def test_activations_of_a_grid_straddling_their_kinks():
    x = np.linspace(-25, 25, 101)[None, :]
    for build in (lambda m: m.Softplus(), lambda m: m.ELU(), lambda m: m.GELU(), lambda m: m.SiLU(),
                  lambda m: m.Hardswish(), lambda m: m.Hardsigmoid()):  # their kinks at ±3 are on the grid
        assert_parity(build(nn), build(tnn), x, **_TOLERANCE.get(type(build(nn)).__name__, {}))


KINKS = [  # (layer, points): each layer's limits hit exactly, and infinities
    (lambda m: m.Hardtanh(), [-2.0, -1.0, 0.0, 1.0, 2.0]),
    (lambda m: m.Hardtanh(-0.5, 0.75), [-0.5, -0.25, 0.75, 1.0]),
    (lambda m: m.ReLU6(), [-1.0, 0.0, 3.0, 6.0, 7.0, np.inf]),
    (lambda m: m.Hardsigmoid(), [-np.inf, -3.0, 0.0, 3.0, np.inf]),
    (lambda m: m.Hardswish(), [-np.inf, -3.0, -1.0, 3.0, 4.0, np.inf]),  # at -inf the value is NaN (-inf * 0)
    (lambda m: m.PReLU(), [-1.0, -0.0, 0.0, 2.0]),
]


@pytest.mark.parametrize("build,points", KINKS, ids=["Hardtanh", "Hardtanh-limits", "ReLU6", "Hardsigmoid", "Hardswish",
                                                     "PReLU"])
def test_piecewise_activations_take_pytorchs_gradient_at_their_kinks(build, points):
    """PyTorch's backward formulas: no gradient at hardtanh's (and relu6's) limits (clamp's was 1 there),
    hardswish's 0 at -inf and 1 at +inf (a composition gave NaN), PReLU's weight as the slope at 0 (it took 1)."""
    ours, theirs = twins(build(nn), build(tnn))
    outputs, input_grads, param_grads = run_both(ours, theirs, np.array(points))
    for d, t in [*outputs, *input_grads, *param_grads.values()]:
        np.testing.assert_allclose(d, t, rtol=1e-7, atol=0)  # Hardsigmoid: PyTorch's 1/6 is a float32


RECURRENT = [
    ("RNN", lambda m: m.RNN(3, 4), (5, 2, 3)),
    ("RNN-relu-2-layers", lambda m: m.RNN(3, 4, num_layers=2, nonlinearity="relu"), (5, 2, 3)),
    ("LSTM-batch-first", lambda m: m.LSTM(3, 4, batch_first=True), (2, 5, 3)),
    ("LSTM-bidirectional-2-layers", lambda m: m.LSTM(3, 4, num_layers=2, bidirectional=True), (5, 2, 3)),
    ("GRU", lambda m: m.GRU(3, 4), (5, 2, 3)),
    ("GRU-bidirectional-batch-first", lambda m: m.GRU(3, 4, bidirectional=True, batch_first=True), (2, 5, 3)),
    ("GRU-unbatched-no-bias", lambda m: m.GRU(3, 4, bias=False), (5, 3)),
    ("RNNCell", lambda m: m.RNNCell(3, 4), (2, 3)),
    ("LSTMCell", lambda m: m.LSTMCell(3, 4), (2, 3)),
    ("GRUCell", lambda m: m.GRUCell(3, 4), (2, 3)),
]


@pytest.mark.parametrize("name,build,shape", RECURRENT, ids=[r[0] for r in RECURRENT])
def test_recurrent_layer_matches_pytorch(name, build, shape):
    assert_parity(build(nn), build(tnn), normal(*shape))


def _lstm_with_state(m):
    class WithState(m.Module):
        def __init__(self):
            super().__init__()
            self.lstm = m.LSTM(3, 4, num_layers=2)

        def forward(self, x, h, c):
            return self.lstm(x, (h, c))

    return WithState()


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_recurrent_dropout_between_layers_is_on_in_train_and_off_in_eval(cls):
    d, t = twins(getattr(nn, cls)(3, 4, num_layers=2, dropout=0.5), getattr(tnn, cls)(3, 4, num_layers=2, dropout=0.5))
    x = normal(5, 2, 3)
    first, second = d(dk.tensor(x))[0], d(dk.tensor(x))[0]
    assert not dk.equal(first, second)
    d.eval()
    t.eval()
    outputs, _, _ = run_both(d, t, x)
    for a, b in outputs:
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-10)


def test_lstm_from_a_given_state():
    assert_parity(_lstm_with_state(nn), _lstm_with_state(tnn), normal(5, 2, 3), normal(2, 2, 4), normal(2, 2, 4))


@pytest.mark.parametrize("cls", ["BatchNorm1d", "BatchNorm2d"])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm_training_steps_and_running_statistics(cls, momentum):
    shape = (6, 3) if cls == "BatchNorm1d" else (4, 3, 5, 5)
    d, t = twins(getattr(nn, cls)(3, momentum=momentum), getattr(tnn, cls)(3, momentum=momentum))
    for step in range(3):
        x = normal(*shape) * (step + 1) + step
        outputs, input_grads, param_grads = run_both(d, t, x, seed=step)
        for a, b in [*outputs, *input_grads, *param_grads.values()]:
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-10)
    for name, buffer in t.named_buffers():
        np.testing.assert_allclose(d.get_buffer(name).numpy(), buffer.numpy(), rtol=1e-12, err_msg=name)
    d.eval()
    t.eval()
    x = normal(*shape)
    outputs, input_grads, param_grads = run_both(d, t, x)
    for a, b in [*outputs, *input_grads, *param_grads.values()]:
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("dims,output_size", [(1, 4), (2, (3, 5)), (3, 2)])
def test_adaptive_max_pool_indices_and_ties_match_pytorch(dims, output_size):
    """The indices PyTorch returns (per plane), and with ties (integers as floats) the first maximum wins."""
    x = np.floor(normal(2, 3, *(7,) * dims) * 1.5)
    ours = getattr(nn, f"AdaptiveMaxPool{dims}d")(output_size, return_indices=True)
    theirs = getattr(tnn, f"AdaptiveMaxPool{dims}d")(output_size, return_indices=True)
    outputs, input_grads, _ = run_both(ours, theirs, x)
    for d, t in [*outputs, *input_grads]:
        np.testing.assert_array_equal(d, t)


def test_batchnorm3d_without_running_stats_uses_batch_statistics_in_eval():
    d, t = twins(nn.BatchNorm3d(2, track_running_stats=False), tnn.BatchNorm3d(2, track_running_stats=False))
    d.eval()
    t.eval()
    x = normal(2, 2, 3, 3, 3)
    np.testing.assert_allclose(d(dk.tensor(x)).detach().numpy(), t(torch.tensor(x)).detach().numpy(), atol=1e-12)
    assert list(d.state_dict()) == list(t.state_dict()) == ["weight", "bias"]


def test_embedding_with_padding_index_and_repeated_indices():
    d, t = twins(nn.Embedding(7, 3, padding_idx=2), tnn.Embedding(7, 3, padding_idx=2))
    idx = np.array([[0, 2, 5], [2, 5, 5]])
    out_d, out_t = d(dk.tensor(idx)), t(torch.tensor(idx))
    g = normal(2, 3, 3)
    (out_d * dk.tensor(g)).sum().backward()
    (out_t * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(out_d.detach().numpy(), out_t.detach().numpy())
    np.testing.assert_allclose(d.weight.grad.numpy(), t.weight.grad.numpy())
    assert not d.weight.grad.numpy()[2].any()
    assert not nn.Embedding(4, 2, padding_idx=1).weight.detach().numpy()[1].any()


def test_embedding_scales_gradients_by_frequency_and_rejects_negative_indices():
    d, t = twins(nn.Embedding(5, 2, scale_grad_by_freq=True), tnn.Embedding(5, 2, scale_grad_by_freq=True))
    idx = np.array([1, 1, 1, 2])
    d(dk.tensor(idx)).sum().backward()
    t(torch.tensor(idx)).sum().backward()
    np.testing.assert_allclose(d.weight.grad.numpy(), t.weight.grad.numpy())  # row 1: 3 uses / 3
    assert d.weight.grad.numpy()[1].tolist() == [1.0, 1.0]
    for m in (dk, torch):
        with pytest.raises(IndexError, match="index out of range"):
            m.nn.Embedding(5, 2)(m.tensor([-1]))


def test_dropout_is_off_in_eval_and_scales_in_train():
    layer = nn.Dropout(0.25)
    x = dk.ones(400, 500)
    layer.eval()
    assert layer(x) is x
    layer.train()
    dk.manual_seed(0)
    y = layer(x).numpy()
    kept = y != 0
    assert abs(kept.mean() - 0.75) < 0.01
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    channels = nn.Dropout2d(0.5)(dk.ones(8, 16, 3, 3)).numpy()
    assert all(len(np.unique(plane)) == 1 for plane in channels.reshape(-1, 9))


def _python_events(f, size: int) -> int:
    """Python and C function calls made by a forward and backward pass on (2, 3, size[, size]) inputs."""
    x = dk.randn(*(2, 3) + (size,) * f.dims, requires_grad=True)
    count = [0]

    def profiler(frame, event, arg):
        count[0] += 1

    previous = sys.getprofile()
    gc.disable()
    sys.setprofile(profiler)
    try:
        f(x).sum().backward()
    finally:
        sys.setprofile(previous)
        gc.enable()
    return count[0]


def _spatial(dims):
    def wrap(f):
        f.dims = dims
        return f
    return wrap


F = nn.functional
WEIGHT_2D, WEIGHT_1D = dk.randn(4, 3, 3, 3, requires_grad=True), dk.randn(6, 1, 3, requires_grad=True)
SPATIAL = {
    "conv2d": _spatial(2)(lambda x: F.conv2d(x, WEIGHT_2D, padding=1, stride=2, dilation=2)),
    "conv1d-groups": _spatial(1)(lambda x: F.conv1d(x, WEIGHT_1D, groups=3, padding=1)),
    "conv_transpose2d": _spatial(2)(lambda x: F.conv_transpose2d(x, WEIGHT_2D.transpose(0, 1), stride=2)),
    "max_pool2d": _spatial(2)(lambda x: F.max_pool2d(x, 3, 2, 1)),
    "max_pool1d": _spatial(1)(lambda x: F.max_pool1d(x, 2)),
    "avg_pool2d": _spatial(2)(lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False)),
    "adaptive_avg_pool2d": _spatial(2)(lambda x: F.adaptive_avg_pool2d(x, 4)),
    "adaptive_max_pool2d": _spatial(2)(lambda x: F.adaptive_max_pool2d(x, 5)),
    "conv-bn-relu-pool": _spatial(2)(lambda x: F.max_pool2d(F.relu(F.batch_norm(F.conv2d(x, WEIGHT_2D), None, None,
                                                                                training=True)), 2)),
}


@pytest.mark.parametrize("name", SPATIAL)
def test_convolution_and_pooling_do_not_loop_over_pixels(name):
    """The number of Python-level calls does not grow with the image: 8x8 and 64x64 (64 times the pixels,
    3,600 more per channel) make the same calls, but for a few dozen where a kernel picks its form by
    size (ReLU's array forms from 2,048 elements): a loop over pixels would add thousands."""
    f = SPATIAL[name]
    _python_events(f, 8)  # warm-up: first-call caches
    small, large = _python_events(f, 8), _python_events(f, 64)
    assert small > 0 and abs(large - small) <= 40


@pytest.mark.parametrize("build", [lambda m: m.LogSigmoid(), lambda m: m.Softmin(), lambda m: m.Softmin(0),
                                   lambda m: m.Hardswish(inplace=True), lambda m: m.Hardsigmoid(),
                                   lambda m: m.ZeroPad2d(2), lambda m: m.ZeroPad1d((1, 2)), lambda m: m.ZeroPad3d(1),
                                   lambda m: m.ConstantPad2d(1, 3.5), lambda m: m.ConstantPad1d((1, 2), 0),
                                   lambda m: m.ConstantPad3d(1, 1.0), lambda m: m.CosineSimilarity(dim=0),
                                   lambda m: m.PairwiseDistance(p=1), lambda m: m.CosineEmbeddingLoss(margin=0.5),
                                   lambda m: m.MarginRankingLoss(), lambda m: m.TripletMarginLoss(swap=True)])
def test_new_layers_repr_and_attributes_are_pytorch_s(build):
    ours, theirs = build(nn), build(tnn)
    assert repr(ours) == repr(theirs)
    for name in ("padding", "value", "dim", "eps", "norm", "keepdim", "margin", "p", "swap", "reduction"):
        if hasattr(theirs, name):
            assert getattr(ours, name) == getattr(theirs, name), name
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []
