"""``diffkit.save`` / ``diffkit.load``: checkpoints in numpy's npz format, never pickled.

A checkpoint holds tensors, arrays, numbers, strings, None, and dicts (ordered or not, any
scalar keys), lists and tuples of them -- a module's or an optimizer's state_dict, or a dict
of several. Each array is one ``.npy`` member of the zip; the structure is a JSON document in
the member ``__diffkit__``. Loading uses ``allow_pickle=False`` throughout, so a checkpoint
cannot run code; a pickle (``torch.save``, ``pickle.dump``), a truncated or a foreign file
gets an error that names the file and says what it is. Saving to a path writes a temporary
file next to it and renames it into place, so an interrupted save never leaves half a file.
"""
from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from collections import OrderedDict
from typing import Any

import numpy as np

from . import _dtypes
from .tensor import Tensor, _wrap

_HEADER = "__diffkit__"
_FORMAT = "diffkit-checkpoint"
_VERSION = 1


class CheckpointError(ValueError):
    """A file that is not a readable diffkit checkpoint."""


# ---------------------------------------------------------------------------- encoding
class _Encoder:
    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self.names: dict[int, str] = {}  # id(tensor) -> array name: a tensor saved twice is stored once

    def _store(self, key: int, array: np.ndarray) -> str:
        if key not in self.names:
            if array.dtype.kind in "OV":
                raise TypeError(f"diffkit.save cannot store arrays of dtype {array.dtype} without pickling")
            name = f"a{len(self.arrays)}"
            self.arrays[name] = array if array.flags.c_contiguous else array.copy()
            self.names[key] = name
        return self.names[key]

    def encode(self, obj: Any):
        if obj is None or isinstance(obj, (bool, int, float, str)):
            return obj
        if isinstance(obj, Tensor):
            from .nn.parameter import Parameter

            return {"$tensor": self._store(id(obj), obj._data), "requires_grad": obj.requires_grad,
                    "parameter": isinstance(obj, Parameter)}
        if isinstance(obj, np.ndarray):
            return {"$ndarray": self._store(id(obj), obj)}
        if isinstance(obj, np.generic):
            return obj.item()
        if isinstance(obj, _dtypes.dtype):
            return {"$dtype": obj.name}
        if isinstance(obj, dict):
            return {"$dict": [[self.encode(k), self.encode(v)] for k, v in obj.items()],
                    "ordered": isinstance(obj, OrderedDict)}
        if isinstance(obj, list):
            return {"$list": [self.encode(v) for v in obj]}
        if isinstance(obj, tuple):
            return {"$tuple": [self.encode(v) for v in obj]}
        raise TypeError(f"diffkit.save cannot store a {type(obj).__name__}: checkpoints hold tensors, arrays, "
                        "numbers, strings, None, and dicts, lists and tuples of them (nothing is pickled)")


def _decode(node, arrays, cache: dict):
    if not isinstance(node, dict):
        return node
    if "$tensor" in node:
        name = node["$tensor"]
        if name not in cache:
            if node.get("parameter"):
                from .nn.parameter import Parameter

                cache[name] = Parameter(_wrap(arrays[name]), requires_grad=node["requires_grad"])
            else:
                cache[name] = _wrap(arrays[name], bool(node["requires_grad"]))
        return cache[name]
    if "$ndarray" in node:
        return arrays[node["$ndarray"]]
    if "$dtype" in node:
        return _dtypes._by_name(node["$dtype"])
    if "$dict" in node:
        pairs = [(_hashable(_decode(k, arrays, cache)), _decode(v, arrays, cache)) for k, v in node["$dict"]]
        return OrderedDict(pairs) if node.get("ordered") else dict(pairs)
    if "$list" in node:
        return [_decode(v, arrays, cache) for v in node["$list"]]
    if "$tuple" in node:
        return tuple(_decode(v, arrays, cache) for v in node["$tuple"])
    raise ValueError(f"unknown entry {sorted(node)}")


def _hashable(key):
    return tuple(_hashable(k) for k in key) if isinstance(key, list) else key


# ---------------------------------------------------------------------------- save
def save(obj: Any, f, pickle_module=None, pickle_protocol=None, _use_new_zipfile_serialization: bool = True) -> None:
    """Write ``obj`` (tensors, state_dicts, nested dicts/lists of them) to the path or binary file ``f``."""
    encoder = _Encoder()
    header = json.dumps({"format": _FORMAT, "version": _VERSION, "root": encoder.encode(obj)})
    arrays = {_HEADER: np.frombuffer(header.encode("utf-8"), dtype=np.uint8), **encoder.arrays}
    if hasattr(f, "write"):
        np.savez(f, **arrays)
        return
    path = os.fspath(f)
    directory = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            np.savez(handle, **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it private; give it an ordinary file's mode
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---------------------------------------------------------------------------- load
def _describe(f) -> str:
    if hasattr(f, "write") or hasattr(f, "read"):
        return getattr(f, "name", None) or f"<{type(f).__name__}>"
    return os.fspath(f)


def _read_all(f) -> bytes:
    if hasattr(f, "read"):
        return f.read()
    with open(os.fspath(f), "rb") as handle:
        return handle.read()


def _identify(data: bytes, name: str) -> None:
    """Refuse everything that is not a zip archive, saying what it looks like."""
    if not data:
        raise CheckpointError(f"{name}: the file is empty, not a diffkit checkpoint")
    if data[:1] == b"\x80" or data[:1] in (b"(", b"]", b"}") and data.rstrip()[-1:] == b".":
        raise CheckpointError(f"{name}: this is a pickle file (written by pickle or an old torch.save); diffkit.load "
                              "never unpickles, because unpickling can run arbitrary code. Re-save it as a "
                              "state_dict with diffkit.save, or convert it with numpy.")
    if data[:6] == b"\x93NUMPY":
        raise CheckpointError(f"{name}: this is a single numpy array (.npy), not a diffkit checkpoint; "
                              "read it with numpy.load")
    if data[:2] != b"PK":
        raise CheckpointError(f"{name}: not a diffkit checkpoint (unrecognised format, starts with {data[:8]!r})")


def load(f, map_location=None, pickle_module=None, *, weights_only: bool | None = None, mmap=None, **kwargs) -> Any:
    """Read a checkpoint written by ``save``. ``map_location`` is accepted for compatibility (CPU only)."""
    name = _describe(f)
    data = _read_all(f)
    _identify(data, name)
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            members = archive.files
            if _HEADER not in members:
                if any(m.endswith("data") or m.endswith(".pkl") for m in zipfile.ZipFile(io.BytesIO(data)).namelist()):
                    raise CheckpointError(f"{name}: this looks like a torch.save file (pickled data inside a zip); "
                                          "diffkit.load never unpickles. In PyTorch, save a state_dict's tensors as "
                                          "numpy arrays, or load it there and save again with diffkit.save.")
                raise CheckpointError(f"{name}: a zip/npz file but not a diffkit checkpoint "
                                      f"(no {_HEADER} entry; members: {members[:5]})")
            header = json.loads(bytes(archive[_HEADER]).decode("utf-8"))
            if header.get("format") != _FORMAT:
                raise CheckpointError(f"{name}: unknown checkpoint format {header.get('format')!r}")
            if header.get("version", 0) > _VERSION:
                raise CheckpointError(f"{name}: written by a newer diffkit (format version {header['version']})")
            arrays = {m: archive[m] for m in members if m != _HEADER}
    except CheckpointError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError, UnicodeDecodeError) as error:
        raise CheckpointError(f"{name}: truncated or corrupt checkpoint ({type(error).__name__}: {error})") from None
    return _decode(header["root"], arrays, {})
