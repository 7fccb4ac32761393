"""diffkit.save / diffkit.load: npz checkpoints that round-trip, never unpickle, and fail clearly."""
import io
import math
import os
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import diffkit as dk
from diffkit import nn, optim
from diffkit.serialization import CheckpointError


def test_round_trip_of_tensors_and_nested_containers(tmp_path):
    shared = dk.arange(3.0)
    obj = {
        "f32": dk.randn(2, 3), "f64": dk.tensor([1.5], dtype=dk.float64), "i64": dk.arange(4),
        "bool": dk.tensor([True, False]), "u8": dk.tensor([1, 2], dtype=dk.uint8), "scalar": dk.tensor(3.25),
        "param": nn.Parameter(dk.ones(2)), "grad": dk.ones(2, requires_grad=True),
        "array": np.eye(2), "nested": [shared, (shared, 1, 2.5), {"a": None, "b": True}],
        3: "int key", (1, 2): "tuple key", "floats": [math.inf, -0.0], "nan": math.nan, "dtype": dk.float64,
        "ordered": OrderedDict([("z", 1), ("a", 2)]),
    }
    path = tmp_path / "checkpoint.pt"
    dk.save(obj, path)
    back = dk.load(path)
    assert set(back) == set(obj)
    for key in ("f32", "f64", "i64", "bool", "u8", "scalar"):
        assert back[key].dtype is obj[key].dtype and dk.equal(back[key], obj[key]), key
    assert isinstance(back["param"], nn.Parameter) and back["param"].requires_grad
    assert back["grad"].requires_grad and not back["f32"].requires_grad and back["grad"].is_leaf
    np.testing.assert_array_equal(back["array"], np.eye(2))
    assert back["nested"][0] is back["nested"][1][0]  # a tensor saved twice is one tensor again
    assert back["nested"][1][1:] == (1, 2.5) and back["nested"][2] == {"a": None, "b": True}
    assert back[3] == "int key" and back[(1, 2)] == "tuple key" and back["dtype"] is dk.float64
    assert back["floats"][0] == math.inf and math.copysign(1, back["floats"][1]) == -1 and math.isnan(back["nan"])
    assert type(back["ordered"]) is OrderedDict and list(back["ordered"]) == ["z", "a"]


def test_model_and_optimizer_checkpoint_resume(tmp_path):
    dk.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(8, 3))
    opt = optim.AdamW(model.parameters(), lr=0.01)
    x, y = dk.randn(4, 1, 4, 4), dk.tensor([0, 1, 2, 1])
    for _ in range(3):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    dk.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, tmp_path / "ck.pt")
    saved = dk.load(str(tmp_path / "ck.pt"))
    clone = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(8, 3))
    clone.load_state_dict(saved["model"])
    clone_opt = optim.AdamW(clone.parameters(), lr=0.5)
    clone_opt.load_state_dict(saved["optimizer"])
    assert saved["epoch"] == 3 and clone[1].num_batches_tracked.item() == 3
    for net, o in ((model, opt), (clone, clone_opt)):
        o.zero_grad()
        nn.functional.cross_entropy(net(x), y).backward()
        o.step()
    for a, b in zip(model.state_dict().values(), clone.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_file_objects_and_atomic_replacement(tmp_path):
    buffer = io.BytesIO()
    dk.save([dk.ones(2)], buffer)
    buffer.seek(0)
    assert dk.load(buffer)[0].tolist() == [1.0, 1.0]
    path = tmp_path / "model.pt"
    dk.save({"version": 1}, path)
    with pytest.raises(TypeError, match="cannot store a set"):
        dk.save({"version": 2, "bad": {1, 2}}, path)
    assert dk.load(path) == {"version": 1}  # the failed save left the old file untouched
    dk.save({"version": 2}, path)
    assert dk.load(path) == {"version": 2}
    assert sorted(os.listdir(tmp_path)) == ["model.pt"]  # no temporary files left behind
    with pytest.raises(TypeError, match="without pickling"):
        dk.save(np.array([object()]), tmp_path / "objects.pt")


class _Trap:
    """Unpickling this would create a file: loading must never get that far."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return open, (self.marker, "w")


def test_pickles_are_refused_without_being_run(tmp_path):
    marker = tmp_path / "unpickled"
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"weights": _Trap(str(marker))}))
    with pytest.raises(CheckpointError, match=r"evil\.pt: this is a pickle file") as error:
        dk.load(path)
    assert "never unpickles" in str(error.value)
    assert not marker.exists()


def test_foreign_truncated_and_empty_files_are_named_in_the_error(tmp_path):
    good = tmp_path / "good.pt"
    dk.save({"w": dk.randn(50, 50)}, good)
    cases = {
        "truncated.pt": (good.read_bytes()[: good.stat().st_size // 2], "truncated or corrupt"),
        "empty.pt": (b"", "the file is empty"),
        "text.pt": (b"hello world", "not a diffkit checkpoint"),
    }
    for name, (content, _) in cases.items():
        (tmp_path / name).write_bytes(content)
    np.save(tmp_path / "array.npy", np.ones(3))
    cases["array.npy"] = (None, "single numpy array")
    np.savez(tmp_path / "other.npz", x=np.ones(2))
    cases["other.npz"] = (None, "not a diffkit checkpoint")
    for name, (_, message) in cases.items():
        with pytest.raises(CheckpointError, match=message) as error:
            dk.load(tmp_path / name)
        assert str(error.value).startswith(str(tmp_path / name)), name
    with pytest.raises(FileNotFoundError):
        dk.load(tmp_path / "missing.pt")


def test_a_torch_save_file_is_recognised_and_refused(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "torch.pt"
    torch.save({"w": torch.ones(2)}, path)
    with pytest.raises(CheckpointError, match="torch.save file"):
        dk.load(path)
