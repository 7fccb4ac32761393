"""Layers at their edges against PyTorch: empty batches, bad arguments (the same exception and
wording, not a numpy error or a silently wrong shape) and old checkpoints."""
import numpy as np
import pytest

import diffkit as dk

torch = pytest.importorskip("torch")


def _outcome(framework, build):
    """The output's shape, or the exception's type and first line."""
    try:
        return tuple(build(framework).shape)
    except Exception as error:  # noqa: BLE001 -- the exception is what is compared
        message = str(error).splitlines()[0].replace(f"{framework.__name__}.Size", "Size")  # each names its own
        return type(error).__name__, message


EMPTY_BATCHES = [
    ("conv2d", lambda m: m.nn.Conv2d(4, 6, 3)),
    ("conv2d-groups", lambda m: m.nn.Conv2d(4, 6, 3, groups=2)),
    ("conv_transpose2d-groups", lambda m: m.nn.ConvTranspose2d(4, 6, 3, stride=2, groups=2)),
    ("batch_norm2d", lambda m: m.nn.BatchNorm2d(4)),
    ("group_norm", lambda m: m.nn.GroupNorm(2, 4)),
]


@pytest.mark.parametrize("name,build", EMPTY_BATCHES, ids=[e[0] for e in EMPTY_BATCHES])
def test_an_empty_batch_gives_an_empty_output_and_zero_parameter_gradients(name, build):
    results = []
    for m in (dk, torch):
        layer = build(m)
        x = m.zeros(0, 4, 5, 5, requires_grad=True)
        y = layer(x)
        y.sum().backward()
        grads = [p.grad.numpy() for p in layer.parameters()]
        buffers = [b.numpy().copy() for b in layer.buffers()]
        results.append((tuple(y.shape), tuple(x.grad.shape), grads, buffers))
    (shape, x_shape, grads, buffers), (t_shape, t_x_shape, t_grads, t_buffers) = results
    assert shape == t_shape and x_shape == t_x_shape
    for ours, theirs in zip(grads + buffers, t_grads + t_buffers, strict=True):
        np.testing.assert_array_equal(ours, theirs)  # zeros; running statistics untouched, one batch counted


ARGUMENT_ERRORS = [
    ("conv-stride-0", lambda m: m.nn.functional.conv2d(m.zeros(1, 3, 5, 5), m.zeros(4, 3, 3, 3), stride=(1, 0))),
    ("conv-negative-padding", lambda m: m.nn.functional.conv1d(m.zeros(1, 3, 5), m.zeros(4, 3, 3), padding=-1)),
    ("conv-dilation-0", lambda m: m.nn.functional.conv2d(m.zeros(2, 3, 5, 5), m.zeros(4, 3, 3, 3), dilation=0)),
    ("conv-kernel-larger-than-input", lambda m: m.nn.functional.conv2d(m.zeros(1, 3, 6, 6), m.zeros(4, 3, 3, 3),
                                                                       dilation=3, padding=(1, 0))),
    ("conv-bias-size", lambda m: m.nn.functional.conv2d(m.zeros(1, 3, 5, 5), m.zeros(4, 3, 3, 3), m.zeros(3))),
    ("conv_transpose-output-padding", lambda m: m.nn.functional.conv_transpose2d(
        m.zeros(1, 3, 4, 4), m.zeros(3, 2, 3, 3), stride=(2, 3), output_padding=(1, 3))),
    ("conv_transpose1d-output-padding", lambda m: m.nn.functional.conv_transpose1d(
        m.zeros(1, 3, 4), m.zeros(3, 2, 3), stride=2, output_padding=2)),
    ("conv_transpose-output-padding-under-dilation", lambda m: m.nn.functional.conv_transpose2d(
        m.zeros(1, 3, 4, 4), m.zeros(3, 2, 3, 3), output_padding=1, dilation=2)),
    ("conv_transpose-channels", lambda m: m.nn.functional.conv_transpose2d(m.zeros(1, 3, 4, 4),
                                                                           m.zeros(4, 2, 3, 3))),
    ("conv_transpose-bias-size", lambda m: m.nn.functional.conv_transpose2d(m.zeros(1, 3, 4, 4),
                                                                            m.zeros(3, 2, 3, 3), m.zeros(3))),
    ("max_pool-stride-0", lambda m: m.nn.functional.max_pool2d(m.zeros(1, 2, 6, 6), 2, stride=0)),
    ("max_pool-kernel-0", lambda m: m.nn.functional.max_pool2d(m.zeros(1, 2, 6, 6), 0, stride=1)),
    ("max_pool-dilation-0", lambda m: m.nn.functional.max_pool2d(m.zeros(1, 2, 6, 6), 2, dilation=(1, 0))),
    ("max_pool-padding-over-half", lambda m: m.nn.functional.max_pool2d(m.zeros(1, 2, 6, 6), (2, 3),
                                                                        padding=(1, 2))),
    ("max_pool-negative-padding", lambda m: m.nn.functional.max_pool2d(m.zeros(1, 2, 6, 6), 2, padding=-1)),
    ("max_pool-output-too-small", lambda m: m.nn.functional.max_pool2d(m.zeros(1, 3, 6, 6), 7)),
    ("avg_pool-divisor-0", lambda m: m.nn.functional.avg_pool2d(m.zeros(1, 2, 6, 6), 2, divisor_override=0)),
    ("avg_pool-kernel-0", lambda m: m.nn.functional.avg_pool3d(m.zeros(1, 2, 4, 4, 4), 0, stride=1)),
    ("batch_norm-channels", lambda m: m.nn.BatchNorm2d(4)(m.zeros(2, 3, 2, 2))),
    ("batch_norm-weight-size", lambda m: m.nn.functional.batch_norm(m.zeros(2, 3), m.zeros(3), m.ones(3),
                                                                    weight=m.ones(4))),
    ("group_norm-channels", lambda m: m.nn.GroupNorm(2, 4)(m.zeros(2, 3, 6, 6))),
    ("group_norm-functional-channels", lambda m: m.nn.functional.group_norm(m.zeros(2, 3, 6), 2)),
    ("group_norm-construction", lambda m: m.nn.GroupNorm(2, 3)),
    ("lstm_cell-batch-of-cell-state", lambda m: m.nn.LSTMCell(3, 4)(m.zeros(2, 3), (m.zeros(2, 4), m.zeros(3, 4)))),
    ("lstm_cell-hidden-size", lambda m: m.nn.LSTMCell(3, 4)(m.zeros(2, 3), (m.zeros(2, 5), m.zeros(2, 4)))),
    ("gru_cell-input-size", lambda m: m.nn.GRUCell(3, 4)(m.zeros(2, 2))),
    ("gru_cell-3d-input", lambda m: m.nn.GRUCell(3, 4)(m.zeros(2, 3, 1))),
    ("rnn_cell-1d-state-for-a-batch", lambda m: m.nn.RNNCell(3, 4)(m.zeros(2, 3), m.zeros(4))),
    ("lstm-cell-state-size", lambda m: m.nn.LSTM(3, 4)(m.zeros(5, 2, 3), (m.zeros(1, 2, 4), m.zeros(1, 3, 4)))),
    ("lstm-unbatched-3d-states", lambda m: m.nn.LSTM(3, 4)(m.zeros(5, 3), (m.zeros(1, 2, 4), m.zeros(1, 2, 4)))),
    ("rnn-unbatched-3d-state", lambda m: m.nn.RNN(3, 4)(m.zeros(5, 3), m.zeros(1, 1, 4))),
    ("gru-empty-sequence", lambda m: m.nn.GRU(3, 4, batch_first=True)(m.zeros(2, 0, 3))),
    ("prelu-channels", lambda m: m.nn.PReLU(3)(m.zeros(2, 4))),
    ("prelu-per-channel-on-1d", lambda m: m.nn.PReLU(3)(m.zeros(3))),
    ("prelu-0d", lambda m: m.nn.PReLU()(m.zeros(()))),
    ("linear-0d", lambda m: m.nn.functional.linear(m.zeros(()), m.zeros(2, 1))),
    ("bilinear-batch", lambda m: m.nn.Bilinear(2, 3, 4)(m.zeros(5, 2), m.zeros(4, 3))),
    ("bilinear-features", lambda m: m.nn.Bilinear(2, 3, 4)(m.zeros(5, 2), m.zeros(5, 4))),
    ("pad-reflect-1d-input", lambda m: m.nn.functional.pad(m.zeros(5), (1, 2), mode="reflect")),
    ("pad-replicate-last-dim-of-4d", lambda m: m.nn.functional.pad(m.zeros(2, 3, 5, 6), (1, 1), mode="replicate")),
    ("pad-circular-4-dims", lambda m: m.nn.functional.pad(m.zeros(2, 3, 5, 6), (1,) * 8, mode="circular")),
    ("pad-circular-wraps-twice", lambda m: m.nn.functional.pad(m.zeros(2, 3, 5, 6), (1, 1, 1, 6), mode="circular")),
    ("pad-circular-wraps-once", lambda m: m.nn.functional.pad(m.zeros(2, 3, 5, 6), (1, 1, 1, 5), mode="circular")),
    ("pad-reflect-too-wide", lambda m: m.nn.functional.pad(m.zeros(2, 3, 5, 6), (1, 1, 5, 1), mode="reflect")),
    ("conv_transpose-output-size-too-small", lambda m: m.nn.ConvTranspose2d(3, 2, 3, stride=2)(m.zeros(1, 3, 4, 4),
                                                                                          output_size=(8, 8))),
    ("conv_transpose-output-size-too-large", lambda m: m.nn.ConvTranspose1d(3, 2, 3, dilation=3)(m.zeros(1, 3, 4),
                                                                                            output_size=(11,))),
    ("conv_transpose-output-size-length", lambda m: m.nn.ConvTranspose2d(3, 2, 3, stride=2)(m.zeros(1, 3, 4, 4),
                                                                                        output_size=(10,))),
    ("conv_transpose-output-size-unbatched", lambda m: m.nn.ConvTranspose2d(3, 2, 3, stride=2)(m.zeros(3, 4, 4),
                                                                                           output_size=(1, 10, 9))),
    ("one_hot-negative-class", lambda m: m.nn.functional.one_hot(m.tensor([0, -1]), 3)),
    ("pad-unknown-mode", lambda m: m.nn.functional.pad(m.zeros(2, 3, 5, 6), (1, 1), mode="wrap")),
]


@pytest.mark.parametrize("name,build", ARGUMENT_ERRORS, ids=[e[0] for e in ARGUMENT_ERRORS])
def test_bad_arguments_raise_pytorchs_error_or_none_when_pytorch_accepts(name, build):
    assert _outcome(dk, build) == _outcome(torch, build)  # or the same output shape, where PyTorch accepts


def test_batch_norm_loads_a_checkpoint_without_num_batches_tracked():
    """PyTorch fills in num_batches_tracked for checkpoints older than BatchNorm's version 2 (and for
    dicts without that version): the module keeps its count. With the version saying 2, it is missing."""
    for m in (dk, torch):
        net = m.nn.Sequential(m.nn.Linear(3, 3), m.nn.BatchNorm1d(3))
        net[1].num_batches_tracked.fill_(4)
        old = {k: v for k, v in m.nn.Sequential(m.nn.Linear(3, 3), m.nn.BatchNorm1d(3)).state_dict().items()
               if not k.endswith("num_batches_tracked")}
        result = net.load_state_dict(old)
        assert result.missing_keys == [] and result.unexpected_keys == []
        assert net[1].num_batches_tracked.item() == 4
    versioned = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.BatchNorm1d(3)).state_dict()
    del versioned["1.num_batches_tracked"]
    with pytest.raises(RuntimeError, match='Missing key.*"1.num_batches_tracked"'):
        dk.nn.Sequential(dk.nn.Linear(3, 3), dk.nn.BatchNorm1d(3)).load_state_dict(versioned)
