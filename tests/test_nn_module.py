"""Module, Parameter, containers, init and nn.utils: PyTorch's names, order, repr and semantics."""
import copy
import math

import numpy as np
import pytest
from nn_parity import twins

import diffkit as dk
from diffkit import nn

torch = pytest.importorskip("torch")


def zoo(m):
    """One model using most layer types, nested containers included."""
    return m.Sequential(
        m.Conv2d(1, 4, 3, padding=1), m.BatchNorm2d(4), m.ReLU(), m.MaxPool2d(2),
        m.Sequential(m.Conv2d(4, 2, 1, bias=False), m.GELU()),
        m.Flatten(), m.Dropout(0.2), m.Linear(8, 5), m.LayerNorm(5),
        m.ModuleList([m.Linear(5, 5), m.Linear(5, 5), m.Tanh()]),
        m.ModuleDict({"head": m.Linear(5, 3), "act": m.LogSoftmax(dim=1)}),
        m.LSTM(3, 2, num_layers=2, bidirectional=True), m.Embedding(6, 2, padding_idx=0), m.GRUCell(2, 3),
        m.AvgPool2d(2, 1, 1), m.AdaptiveAvgPool2d((1, 1)), m.LeakyReLU(), m.ELU(inplace=True), m.Softmax(dim=-1),
        m.ConvTranspose2d(2, 2, 3, stride=2), m.Identity(), m.BatchNorm1d(3, affine=False), m.MaxPool1d(2),
        m.GroupNorm(1, 2), m.LayerNorm(3, bias=False), m.BatchNorm2d(2, bias=False), m.Softplus(),
        m.CrossEntropyLoss(), m.RNN(2, 2, nonlinearity="relu", batch_first=True),
    )


def test_state_dict_keys_order_and_shapes_match_pytorch():
    ours, theirs = zoo(nn).state_dict(), zoo(torch.nn).state_dict()
    assert list(ours) == list(theirs)
    for key in theirs:
        assert tuple(ours[key].shape) == tuple(theirs[key].shape), key
        assert ours[key].dtype.name == str(theirs[key].dtype).split(".")[1], key
    assert ours["1.num_batches_tracked"].dtype is dk.int64


def test_repr_matches_pytorch():
    assert repr(zoo(nn)) == repr(zoo(torch.nn))
    assert repr(nn.ModuleList([nn.Linear(2, 2)] * 3 + [nn.ReLU()])) == \
        repr(torch.nn.ModuleList([torch.nn.Linear(2, 2)] * 3 + [torch.nn.ReLU()]))
    assert repr(nn.Conv2d(2, 3, (3, 5), stride=2, padding=(1, 2), dilation=2, bias=False, padding_mode="reflect")) == \
        repr(torch.nn.Conv2d(2, 3, (3, 5), stride=2, padding=(1, 2), dilation=2, bias=False, padding_mode="reflect"))
    assert repr(nn.Parameter(dk.tensor([1.0, 2.0]))) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"


def test_weights_move_to_pytorch_and_back_with_the_same_outputs():
    ours, theirs = zoo(nn)[:9], zoo(torch.nn)[:9]
    ours.eval()
    theirs.eval()
    x = np.random.default_rng(0).standard_normal((2, 1, 4, 4)).astype(np.float32)
    theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})
    np.testing.assert_allclose(ours(dk.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    fresh = zoo(nn)[:9].eval()
    assert repr(fresh.load_state_dict(theirs.state_dict())) == "<All keys matched successfully>"
    np.testing.assert_array_equal(fresh(dk.tensor(x)).detach().numpy(), ours(dk.tensor(x)).detach().numpy())


@pytest.mark.parametrize("build,fan_in", [(lambda m: m.Linear(300, 200), 300),
                                          (lambda m: m.Conv2d(8, 64, 5), 8 * 25),
                                          (lambda m: m.Conv1d(6, 40, 3, groups=2), 3 * 3)])
def test_default_initialisation_is_pytorchs_kaiming_uniform(build, fan_in):
    dk.manual_seed(0)
    layer = build(nn)
    bound = 1 / math.sqrt(fan_in)
    for p in (layer.weight, layer.bias):
        values = p.detach().numpy()
        assert np.abs(values).max() <= bound
        assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.1 if p is layer.weight else 0.35)
    torch_weight = build(torch.nn).weight.detach().numpy()
    assert layer.weight.detach().numpy().std() == pytest.approx(torch_weight.std(), rel=0.1)


def test_init_functions_follow_pytorchs_formulas():
    for args in [("linear",), ("relu",), ("tanh",), ("leaky_relu",), ("leaky_relu", 0.2), ("selu",), ("sigmoid",)]:
        assert nn.init.calculate_gain(*args) == pytest.approx(torch.nn.init.calculate_gain(*args))
    w = dk.empty(500, 400)
    assert nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu").numpy().std() == \
        pytest.approx(math.sqrt(2 / 500), rel=0.02)
    bound = math.sqrt(6 / 900)
    values = nn.init.xavier_uniform_(w).numpy()
    assert np.abs(values).max() <= bound and values.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)
    assert nn.init.xavier_normal_(w, gain=2.0).numpy().std() == pytest.approx(2 * math.sqrt(2 / 900), rel=0.02)
    values = nn.init.trunc_normal_(dk.empty(10000), std=1.0, a=-1.0, b=0.5).numpy()
    assert values.min() >= -1.0 and values.max() <= 0.5
    q = nn.init.orthogonal_(dk.empty(3, 5)).numpy()
    np.testing.assert_allclose(q @ q.T, np.eye(3), atol=1e-6)
    assert (nn.init.constant_(dk.empty(2, 2), 0.5).numpy() == 0.5).all()
    np.testing.assert_array_equal(nn.init.eye_(dk.empty(2, 3)).numpy(), np.eye(2, 3))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(dk.empty(3))


def test_each_init_function_fills_in_place_off_the_tape_with_pytorchs_distribution():
    dk.manual_seed(0)
    w = nn.Parameter(dk.empty(400, 300))
    bound = math.sqrt(2 / (1 + 0.2 ** 2)) * math.sqrt(3 / 300)  # gain(leaky_relu, 0.2) * sqrt(3 / fan_in)
    assert nn.init.kaiming_uniform_(w, a=0.2, nonlinearity="leaky_relu") is w
    assert w.grad_fn is None and w.is_leaf and w.requires_grad
    values = w.detach().numpy()
    assert np.abs(values).max() <= bound and values.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)
    default = nn.init.kaiming_uniform_(dk.empty(64, 8, 3, 3), mode="fan_out").numpy()  # fan_out = 64 * 9
    assert np.abs(default).max() == pytest.approx(math.sqrt(6 / 576), rel=1e-3)
    values = nn.init.normal_(w, mean=1.5, std=0.2).detach().numpy()
    assert values.mean() == pytest.approx(1.5, abs=2e-3) and values.std() == pytest.approx(0.2, rel=0.01)
    values = nn.init.uniform_(w, -3.0, 5.0).detach().numpy()
    assert values.min() >= -3.0 and values.max() < 5.0 and values.mean() == pytest.approx(1.0, abs=0.02)
    assert values.std() == pytest.approx(8 / math.sqrt(12), rel=0.01)
    assert nn.init.zeros_(w) is w and not w.detach().numpy().any() and w.grad_fn is None
    assert nn.init.ones_(w) is w and (w.detach().numpy() == 1).all()
    assert nn.init.constant_(w, -0.25) is w and (w.detach().numpy() == -0.25).all()
    double = nn.init.xavier_normal_(dk.empty(3, 4, dtype=dk.float64))
    assert double.dtype is dk.float64
    same = [nn.init.uniform_(dk.empty(5), generator=dk.Generator().manual_seed(1)).tolist() for _ in range(2)]
    assert same[0] == same[1]
    for name in ("kaiming_uniform_", "kaiming_normal_", "xavier_uniform_", "xavier_normal_"):
        ours, theirs = getattr(nn.init, name)(dk.empty(600, 50)), getattr(torch.nn.init, name)(torch.empty(600, 50))
        assert ours.numpy().std() == pytest.approx(theirs.numpy().std(), rel=0.03), name


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.shared = nn.Linear(2, 2)
        self.block = nn.Sequential(self.shared, nn.ReLU(), self.shared)
        self.scale = nn.Parameter(dk.ones(1))
        self.register_buffer("steps", dk.zeros(1))
        self.register_buffer("cache", dk.zeros(2), persistent=False)

    def forward(self, x):
        return self.block(x) * self.scale


def test_registration_traversal_and_modes():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == ["scale", "shared.weight", "shared.bias"]
    assert len(list(net.parameters())) == 3
    assert [n for n, _ in net.named_buffers()] == ["steps", "cache"]
    assert list(net.state_dict()) == ["scale", "steps", "shared.weight", "shared.bias", "block.0.weight",
                                      "block.0.bias", "block.2.weight", "block.2.bias"]  # shared: listed twice
    assert [n for n, _ in net.named_modules()] == ["", "shared", "block", "block.1"]
    assert [type(c).__name__ for c in net.children()] == ["Linear", "Sequential"]
    assert net.eval() is net and not any(m.training for m in net.modules())
    assert all(m.training for m in net.train().modules())
    net.get_parameter("shared.weight").requires_grad_(False)
    assert net.get_submodule("block.1").__class__ is nn.ReLU and net.get_buffer("steps").shape == (1,)
    net.requires_grad_(True)
    net(dk.ones(3, 2)).sum().backward()
    assert net.shared.weight.grad is not None
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net(dk.ones(3, 2)).sum().backward()
    net.zero_grad(set_to_none=False)
    assert all(not p.grad.numpy().any() for p in net.parameters())
    visited = []
    net.apply(lambda m: visited.append(type(m).__name__))
    assert visited == ["Linear", "Linear", "ReLU", "Sequential", "Net"]  # as PyTorch: once per parent


def test_assignment_rules():
    net = Net()
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'scale'"):
        net.scale = dk.ones(1)
    net.scale = None
    assert "scale" not in dict(net.named_parameters())
    with pytest.raises(TypeError, match="as child module"):
        net.block = 3
    net.steps = dk.ones(1) * 5
    assert net.state_dict()["steps"].item() == 5
    del net.block
    assert not hasattr(net, "block")
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'nothing'"):
        _ = net.nothing

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(dk.ones(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(1)


def test_reassigning_a_child_or_a_parameter_keeps_its_place():
    """As PyTorch: ``model.a = Linear(...)`` (transfer learning) and ``m.weight = Parameter(...)``
    (weight tying) replace in place; moving them to the end reordered a Sequential's forward."""
    from collections import OrderedDict

    results = []
    for m in (torch, dk):
        s = m.nn.Sequential(OrderedDict(a=m.nn.Linear(2, 3), b=m.nn.ReLU(), c=m.nn.Linear(3, 1)))
        s.a = m.nn.Linear(2, 3)
        lin = m.nn.Linear(2, 1)
        lin.weight = m.nn.Parameter(m.ones(1, 2))
        results.append(([name for name, _ in s.named_children()], tuple(s(m.ones(4, 2)).shape),
                        [name for name, _ in lin.named_parameters()], list(lin.state_dict())))
    assert results[1] == results[0] == (["a", "b", "c"], (4, 1), ["weight", "bias"], ["weight", "bias"])


def test_load_state_dict_reports_missing_unexpected_and_mismatched_keys():
    net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    state = net.state_dict()
    state["2.weight"] = dk.ones(1)
    del state["1.running_var"]
    with pytest.raises(RuntimeError) as error:
        net.load_state_dict(state)
    message = str(error.value)
    assert message.startswith("Error(s) in loading state_dict for Sequential:")
    assert 'Unexpected key(s) in state_dict: "2.weight".' in message
    assert 'Missing key(s) in state_dict: "1.running_var".' in message
    result = net.load_state_dict(state, strict=False)
    assert result.missing_keys == ["1.running_var"] and result.unexpected_keys == ["2.weight"]
    state = net.state_dict()
    state["0.bias"] = dk.zeros(4)
    with pytest.raises(RuntimeError, match=r"size mismatch for 0.bias: copying a param with shape "
                                           r"torch.Size\(\[4\]\) from checkpoint, the shape in current model is "
                                           r"torch.Size\(\[3\]\)"):
        net.load_state_dict(state)


def test_load_state_dict_copies_in_place_and_casts():
    net = nn.Linear(2, 2)
    weight = net.weight
    net.load_state_dict({"weight": np.eye(2), "bias": [1, 2]})
    assert net.weight is weight and weight.dtype is dk.float32
    np.testing.assert_array_equal(weight.detach().numpy(), np.eye(2))


def test_to_double_deepcopy_and_hooks():
    net = Net()
    scale = net.scale
    net.double()
    assert net.scale is scale and all(p.dtype is dk.float64 for p in net.parameters())
    assert net.steps.dtype is dk.float64
    clone = copy.deepcopy(net)
    clone.shared.weight.data.fill_(0)
    assert net.shared.weight.detach().numpy().any()
    assert clone.block[0] is clone.shared
    calls = []
    handle = net.register_forward_hook(lambda m, args, out: calls.append(out.shape) or out * 0)
    pre = net.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    out = net(dk.ones(1, 2, dtype=dk.float64))
    assert calls == [(1, 2)] and not out.detach().numpy().any()
    handle.remove()
    pre.remove()
    assert net(dk.ones(1, 2, dtype=dk.float64)).detach().numpy().any()
    with pytest.raises(TypeError, match="floating point"):
        net.to(dk.int64)


def test_float_and_to_cast_floating_parameters_and_buffers_only():
    net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    weight = net[0].weight
    assert net.to(dk.float64) is net and net[0].weight is weight and weight.dtype is dk.float64
    assert net[1].running_var.dtype is dk.float64 and net[1].num_batches_tracked.dtype is dk.int64
    assert net.float() is net and all(t.dtype is dk.float32 for t in [*net.parameters(), net[1].running_mean])
    assert net.to("cpu", dtype=dk.float64) is net and net[1].weight.dtype is dk.float64
    assert net[1].num_batches_tracked.dtype is dk.int64 and weight.is_leaf and weight.requires_grad


def test_containers():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear) and isinstance(seq[1:], nn.Sequential)
    assert [type(m).__name__ for m in seq[:2]] == ["Linear", "ReLU"]
    seq.append(nn.Sigmoid())
    del seq[1]
    assert list(seq._modules) == ["0", "1", "2"] and isinstance(seq[1], nn.Linear)
    seq.insert(1, nn.Tanh())
    assert [type(m).__name__ for m in seq] == ["Linear", "Tanh", "Linear", "Sigmoid"]
    named = nn.Sequential(__import__("collections").OrderedDict(first=nn.Linear(1, 1), act=nn.ReLU()))
    assert list(named.state_dict()) == ["first.weight", "first.bias"] and isinstance(named[1], nn.ReLU)
    layers = nn.ModuleList([nn.Linear(1, 1)])
    layers += [nn.Linear(1, 1)]
    layers.extend([nn.ReLU()])
    assert len(layers) == 3 and len(list(layers.parameters())) == 4 and isinstance(layers[-2:], nn.ModuleList)
    heads = nn.ModuleDict({"a": nn.Linear(1, 2)})
    heads["b"] = nn.Linear(1, 3)
    assert list(heads) == ["a", "b"] and "b" in heads and heads.pop("a").out_features == 2
    assert list(heads.state_dict()) == ["b.weight", "b.bias"]


def test_clip_grad_norm_and_value_match_pytorch():
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(s) * 3 for s in [(3, 4), (4,), (2, 2)]]
    for norm_type, max_norm in [(2.0, 1.0), (1.0, 2.0), (math.inf, 0.5), (2.0, 1e3)]:
        ours = [dk.tensor(g, requires_grad=True) for g in grads]
        theirs = [torch.tensor(g, requires_grad=True) for g in grads]
        for p, g in zip(ours, grads):
            p.grad = dk.tensor(g)
        for p, g in zip(theirs, grads):
            p.grad = torch.tensor(g)
        total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type)
        expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
        assert total.item() == pytest.approx(expected.item(), rel=1e-12)
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-12)
    nn.utils.clip_grad_value_(ours, 0.1)
    assert max(np.abs(p.grad.numpy()).max() for p in ours) == pytest.approx(0.1)


def test_parameters_to_vector_and_back():
    net = nn.Linear(3, 2)
    vector = nn.utils.parameters_to_vector(net.parameters())
    assert vector.shape == (8,)
    nn.utils.vector_to_parameters(dk.arange(8.0), net.parameters())
    np.testing.assert_array_equal(net.weight.detach().numpy().ravel(), np.arange(6.0))
    np.testing.assert_array_equal(net.bias.detach().numpy(), [6.0, 7.0])


def test_state_dict_of_a_model_in_float64_matches_after_twins():
    d, t = twins(zoo(nn)[:9], zoo(torch.nn)[:9])
    for (name, ours), theirs in zip(d.state_dict().items(), t.state_dict().values()):
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy(), err_msg=name)


@pytest.mark.parametrize("options", [{}, {"batch_first": True}, {"padding_value": -1.5},
                                     {"batch_first": True, "padding_side": "left", "padding_value": 2.0}])
def test_pad_sequence_matches_pytorch(options):
    from diffkit.nn.utils.rnn import pad_sequence

    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((n, 3, 2)) for n in (4, 1, 6, 6)]
    ours = [dk.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out_d, out_t = pad_sequence(ours, **options), torch.nn.utils.rnn.pad_sequence(theirs, **options)
    np.testing.assert_array_equal(out_d.detach().numpy(), out_t.detach().numpy())
    g = rng.standard_normal(tuple(out_t.shape))
    (out_d * dk.tensor(g)).sum().backward()
    (out_t * torch.tensor(g)).sum().backward()
    for d, t in zip(ours, theirs):
        np.testing.assert_array_equal(d.grad.numpy(), t.grad.numpy())
    words = [dk.tensor([3, 1, 4]), dk.tensor([1])]
    assert nn.utils.rnn.pad_sequence(words, batch_first=True).tolist() == [[3, 1, 4], [1, 0, 0]]


NAMESPACE = [("batchnorm", "_BatchNorm", lambda m: m.BatchNorm1d(3)), ("conv", "_ConvNd", lambda m: m.Conv2d(1, 1, 1)),
             ("conv", "_ConvNd", lambda m: m.ConvTranspose1d(1, 1, 1)), ("loss", "_Loss", lambda m: m.MSELoss()),
             ("loss", "_WeightedLoss", lambda m: m.NLLLoss()), ("module", "Module", lambda m: m.Linear(1, 1)),
             ("linear", "Linear", lambda m: m.Linear(1, 1)), ("container", "Sequential", lambda m: m.Sequential()),
             ("activation", "ReLU", lambda m: m.ReLU()), ("rnn", "RNNBase", lambda m: m.LSTM(1, 1)),
             ("pooling", "MaxPool2d", lambda m: m.MaxPool2d(2)), ("padding", "ZeroPad2d", lambda m: m.ZeroPad2d(1)),
             ("normalization", "LayerNorm", lambda m: m.LayerNorm(2)), ("dropout", "Dropout", lambda m: m.Dropout()),
             ("sparse", "Embedding", lambda m: m.Embedding(2, 2)), ("flatten", "Flatten", lambda m: m.Flatten()),
             ("distance", "CosineSimilarity", lambda m: m.CosineSimilarity())]


@pytest.mark.parametrize("file,name,build", NAMESPACE, ids=[f"{n[0]}.{n[1]}" for n in NAMESPACE])
def test_nn_modules_namespace_as_pytorch(file, name, build):
    import importlib

    for framework in (dk, torch):
        cls = getattr(getattr(framework.nn.modules, file), name)
        assert cls is getattr(importlib.import_module(f"{framework.__name__}.nn.modules.{file}"), name)
        assert isinstance(build(framework.nn), cls)
    assert dk.nn.modules.Linear is nn.Linear and not isinstance(nn.Linear(1, 1), nn.modules.batchnorm._BatchNorm)
    with pytest.raises(AttributeError):
        dk.nn.modules.NoSuchLayer  # noqa: B018
