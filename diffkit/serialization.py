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
import pickletools
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
            array, requires_grad = arrays[name], node["requires_grad"] is True
            kind = _dtypes.from_numpy_dtype(array.dtype)  # TypeError for strings, records ...
            if requires_grad and not (kind.is_floating_point or kind.is_complex):
                raise ValueError(f"a {kind.name} tensor cannot require grad")
            if node.get("parameter"):
                from .nn.parameter import Parameter

                cache[name] = Parameter(_wrap(array), requires_grad=requires_grad)
            else:
                cache[name] = _wrap(array, requires_grad)
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


def _is_pickle(data: bytes) -> bool:
    """A pickle of protocol 2+ starts with PROTO (0x80); older ones are opcodes up to a final
    STOP ("."), which pickletools parses without running anything."""
    if data[:1] == b"\x80":
        return True
    if data.rstrip()[-1:] != b".":
        return False
    try:
        return any(opcode.name == "STOP" for opcode, _, _ in pickletools.genops(data))
    except Exception:  # noqa: BLE001 - any parse failure: not a pickle
        return False


def _identify(data: bytes, name: str) -> None:
    """Refuse everything that is not a zip archive, saying what it looks like."""
    if not data:
        raise CheckpointError(f"{name}: the file is empty, not a diffkit checkpoint")
    if _is_pickle(data):
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
        with zipfile.ZipFile(io.BytesIO(data)) as zipped:
            _check_members(zipped, name)
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
            if not isinstance(header, dict) or "root" not in header:
                raise CheckpointError(f"{name}: malformed checkpoint header (not a diffkit header)")
            if header.get("format") != _FORMAT:
                raise CheckpointError(f"{name}: unknown checkpoint format {header.get('format')!r}")
            version = header.get("version", 0)
            if not isinstance(version, int):
                raise CheckpointError(f"{name}: malformed checkpoint header (version {version!r})")
            if version > _VERSION:
                raise CheckpointError(f"{name}: written by a newer diffkit (format version {version!r})")
            arrays = {m: archive[m] for m in members if m != _HEADER}
    except CheckpointError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError, UnicodeDecodeError, RecursionError,
            NotImplementedError, RuntimeError) as error:  # zipfile: RuntimeError for an "encrypted" member
        raise CheckpointError(f"{name}: truncated or corrupt checkpoint ({type(error).__name__}: {error})") from None
    try:
        return _decode(header["root"], arrays, {})
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError) as error:
        raise CheckpointError(f"{name}: malformed checkpoint structure ({type(error).__name__}: {error})") from None


def _check_members(zipped: zipfile.ZipFile, name: str) -> None:
    """Refuse a member whose .npy header declares more data than the member holds: numpy would
    allocate the declared size first (a 10-byte member claiming 745 GiB is a MemoryError)."""
    for info in zipped.infolist():
        if not info.filename.endswith(".npy"):
            continue
        with zipped.open(info) as member:
            version = np.lib.format.read_magic(member)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
                np.lib.format.read_array_header_2_0
            shape, _, dtype = read_header(member, max_header_size=10_000)
        declared = int(np.prod(shape, dtype=object)) * dtype.itemsize
        if declared > info.file_size:
            raise CheckpointError(f"{name}: member {info.filename} declares {declared} bytes of data but holds "
                                  f"{info.file_size}: corrupt or forged")
