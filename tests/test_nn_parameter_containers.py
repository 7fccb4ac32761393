"""ParameterList and ParameterDict against PyTorch: registration, state_dict keys, parameters(), repr,
list/dict behaviour, and training through them."""
from collections import OrderedDict

import numpy as np
import pytest

import diffkit as dk
from diffkit import nn

torch = pytest.importorskip("torch")


def holder(m, framework):
    class Holder(m.Module):
        def __init__(self):
            super().__init__()
            self.weights = m.ParameterList([m.Parameter(framework.ones(2, 3)), framework.zeros(3)])
            self.table = m.ParameterDict({"scale": framework.full((3,), 2.0), "bias": m.Parameter(framework.ones(3))})
            self.tail = m.Linear(3, 1)

        def forward(self, x):
            for w in self.weights:
                x = x @ w if w.ndim == 2 else x + w
            return self.tail(x * self.table["scale"] + self.table["bias"])

    return Holder()


def test_registered_like_pytorch():
    ours, theirs = holder(nn, dk), holder(torch.nn, torch)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert repr(ours) == repr(theirs).replace("torch.", "diffkit.")
    assert all(isinstance(p, nn.Parameter) for p in ours.weights) and isinstance(ours.table["scale"], nn.Parameter)
    assert repr(nn.ParameterList()) == repr(torch.nn.ParameterList())
    assert repr(nn.ParameterDict()) == repr(torch.nn.ParameterDict())
    ours.double()
    assert ours.weights[0].dtype is dk.float64 and ours.table["bias"].dtype is dk.float64


def test_gradients_and_state_dict_round_trip_with_pytorch():
    ours, theirs = holder(nn, dk), holder(torch.nn, torch)
    ours.load_state_dict(theirs.state_dict())
    x = np.random.default_rng(0).standard_normal((4, 2)).astype(np.float32)
    ours(dk.tensor(x)).sum().backward()
    theirs(torch.tensor(x)).sum().backward()
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-6, err_msg=name)


def test_list_behaviour():
    for m, framework in ((nn, dk), (torch.nn, torch)):
        params = m.ParameterList([framework.ones(1)])
        params.append(framework.ones(2))
        params += [framework.ones(3)]
        params.extend([m.Parameter(framework.ones(4))])
        params[0] = framework.zeros(5)
        assert [p.shape[0] for p in params] == [5, 2, 3, 4] and len(params) == 4
        assert [p.shape[0] for p in params[1:3]] == [2, 3] and params[-1].shape[0] == 4
        assert isinstance(params[0], m.Parameter)
        with pytest.raises(IndexError):
            params[4]
        with pytest.raises(TypeError, match="iterable"):
            params.extend(framework.ones(2))
        with pytest.raises(RuntimeError, match="should not be called"):
            params(1)


def test_dict_behaviour_and_order():
    for m, framework in ((nn, dk), (torch.nn, torch)):
        table = m.ParameterDict({"b": framework.ones(1), "a": framework.ones(2)})
        assert list(table) == ["a", "b"]  # a plain dict is sorted
        table.update(OrderedDict([("d", framework.ones(3)), ("c", framework.ones(4))]))
        table.update([("e", framework.ones(5))])
        assert list(table.keys()) == ["a", "b", "d", "c", "e"] and len(table) == 5
        assert table.pop("d").shape[0] == 3 and "d" not in table
        assert table.get("zz") is None and table.setdefault("f", framework.ones(6)).shape[0] == 6
        assert table.popitem()[0] == "f"
        assert list((table | m.ParameterDict({"z": framework.ones(1)})).keys()) == ["a", "b", "c", "e", "z"]
        del table["a"]
        assert [k for k, _ in table.items()] == ["b", "c", "e"] and list(dict(table.state_dict())) == ["b", "c", "e"]
        table.clear()
        assert len(table) == 0 and list(table.parameters()) == []
        with pytest.raises(TypeError, match="not a string"):
            table[1] = framework.ones(1)
