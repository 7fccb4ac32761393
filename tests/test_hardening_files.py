"""diffkit.load under attack and accident: truncated, bit-flipped, random and foreign files
always give a CheckpointError naming the file (or, for a flip that leaves the data intact, the
checkpoint), never another exception, never a hang, and never unpickle -- a pickle whose
__reduce__ would create a file is refused in every container it can hide in. diffkit.save
replaces a checkpoint atomically: an interrupted or killed save leaves the old one intact."""
from __future__ import annotations

import io
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import diffkit as dk
from diffkit.serialization import CheckpointError

EXAMPLES = 60  # per fuzz property (README: "What is tested")
FUZZ = settings(max_examples=EXAMPLES, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _checkpoint() -> bytes:
    model = dk.nn.Sequential(dk.nn.Linear(3, 4), dk.nn.BatchNorm1d(4))
    buffer = io.BytesIO()
    dk.save({"model": model.state_dict(), "step": 7, "name": "run", "shape": (3, 4)}, buffer)
    return buffer.getvalue()


GOOD = _checkpoint()


def _load(tmp_path: Path, data: bytes, name: str = "model.pt"):
    path = tmp_path / name
    path.write_bytes(data)
    return dk.load(path)


@FUZZ
@given(length=st.integers(0, len(GOOD) - 1))
def test_a_truncated_checkpoint_is_an_error_naming_the_file(tmp_path, length) -> None:
    with pytest.raises(CheckpointError, match="model.pt: "):
        _load(tmp_path, GOOD[:length])


@FUZZ
@given(bit=st.integers(0, 8 * len(GOOD) - 1))
def test_a_flipped_bit_is_an_error_or_harmless(tmp_path, bit) -> None:
    data = bytearray(GOOD)
    data[bit // 8] ^= 1 << (bit % 8)
    try:
        loaded = _load(tmp_path, bytes(data))
    except CheckpointError as error:
        assert "model.pt: " in str(error)
        return
    expected = dk.load(io.BytesIO(GOOD))  # a flip in a field numpy ignores: the very same checkpoint
    assert (loaded["step"], loaded["name"], loaded["shape"]) == (7, "run", (3, 4))
    assert list(loaded["model"]) == list(expected["model"])
    for key, value in expected["model"].items():
        assert loaded["model"][key].dtype == value.dtype
        np.testing.assert_array_equal(loaded["model"][key].numpy(), value.numpy())


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), st.binary(max_size=300).map(lambda b: b"PK\x03\x04" + b)))
def test_random_bytes_are_an_error_naming_the_file(tmp_path, data) -> None:
    with pytest.raises(CheckpointError, match="model.pt: "):
        _load(tmp_path, data)


# ---------------------------------------------------------------- pickles, wherever they hide
class Evil:
    """Unpickling this creates the file ``marker``: proof that code ran."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return open, (self.marker, "w")


def _npy_with_pickle(obj) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.array([obj, 1], dtype=object), allow_pickle=True)
    return buffer.getvalue()


def _zip(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, payload in members.items():
            z.writestr(name, payload)
    return buffer.getvalue()


def _with_member_replaced(member: str, payload: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(GOOD))
    return _zip({n: payload if n == member else source.read(n) for n in source.namelist()})


CONTAINERS = {
    "pickle": (lambda evil: pickle.dumps({"weights": evil}), "this is a pickle file"),
    "pickle protocol 0": (lambda evil: pickle.dumps(evil, protocol=0), "this is a pickle file"),
    "npy with objects": (_npy_with_pickle, "single numpy array"),
    "npz with objects": (lambda evil: _zip({"a.npy": _npy_with_pickle(evil)}), "not a diffkit checkpoint"),
    "checkpoint member with objects": (lambda evil: _with_member_replaced("a0.npy", _npy_with_pickle(evil)),
                                       "truncated or corrupt checkpoint"),
    "torch.save layout": (lambda evil: _zip({"archive/data.pkl": pickle.dumps(evil), "archive/version": b"3"}),
                          "torch.save file"),
}


@pytest.mark.parametrize("container", CONTAINERS)
def test_a_malicious_pickle_never_runs(tmp_path, container) -> None:
    marker = tmp_path / "pwned"
    make, says = CONTAINERS[container]
    with pytest.raises(CheckpointError, match=f"model.pt: .*{says}"):
        _load(tmp_path, make(Evil(str(marker))))
    assert not marker.exists()
    with pytest.raises(CheckpointError):  # the same bytes from an open file
        dk.load(io.BytesIO(make(Evil(str(marker)))))
    assert not marker.exists()
    pickle.loads(pickle.dumps(Evil(str(marker))))  # the control: unpickling does run it
    assert marker.exists()


def test_a_real_torch_save_file_is_refused(tmp_path) -> None:
    torch = pytest.importorskip("torch")
    torch.save({"w": torch.ones(2)}, tmp_path / "model.pt")
    with pytest.raises(CheckpointError, match="model.pt: this looks like a torch.save file"):
        dk.load(tmp_path / "model.pt")


# ---------------------------------------------------------------- atomic saves
def _leftovers(directory: Path) -> list:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("fault", ["while writing", "at the rename"])
def test_an_interrupted_save_leaves_the_previous_checkpoint(tmp_path, monkeypatch, fault) -> None:
    path = tmp_path / "model.pt"
    dk.save({"step": 1, "w": dk.ones(3)}, path)

    def half_then_interrupt(handle, **arrays):
        handle.write(b"PK\x03\x04 half a checkpoint")
        raise KeyboardInterrupt

    def failing_rename(source, target):
        raise OSError("disk full")

    if fault == "while writing":
        monkeypatch.setattr("diffkit.serialization.np.savez", half_then_interrupt)
    else:
        monkeypatch.setattr("diffkit.serialization.os.replace", failing_rename)
    with pytest.raises((KeyboardInterrupt, OSError)):
        dk.save({"step": 2, "w": dk.zeros(3)}, path)
    monkeypatch.undo()
    old = dk.load(path)
    assert old["step"] == 1 and old["w"].tolist() == [1.0, 1.0, 1.0]
    assert _leftovers(tmp_path) == []  # the temporary file is removed too


def test_a_killed_save_leaves_the_previous_checkpoint(tmp_path) -> None:
    """SIGKILL in the middle of writing a large checkpoint: no cleanup code runs at all."""
    path = tmp_path / "model.pt"
    script = textwrap.dedent(f"""
        import sys, time
        import numpy as np
        import diffkit as dk
        dk.save({{"step": 1}}, {str(path)!r})
        real = np.savez
        def slow(handle, **arrays):
            handle.write(b"PK\\x03\\x04" + bytes(100_000))
            handle.flush()
            print("half", flush=True)
            time.sleep(60)
        np.savez = slow
        dk.save({{"step": 2, "w": dk.zeros(1000, 1000)}}, {str(path)!r})
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "half"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(30)
    assert dk.load(path) == {"step": 1}
    assert all(name.startswith(".model.pt.") for name in _leftovers(tmp_path))  # a hidden temporary at most
