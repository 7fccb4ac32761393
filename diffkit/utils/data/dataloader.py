"""``DataLoader``: batches of a dataset, shuffled with a seeded generator, collated into tensors.

Loading happens in the calling process (``num_workers`` is accepted and ignored): numpy
arrays need no workers. A ``TensorDataset`` (or a ``Subset`` of one) is batched with one
fancy index per tensor instead of collating samples one by one.
"""
from __future__ import annotations

import collections.abc
import copy
import numbers

import numpy as np

from ..._dtypes import float64
from ...creation import tensor
from ...ops.shape import stack
from ...tensor import Tensor, _wrap
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler


def _rebuild_mapping(template, values: dict):
    """``values`` in a mapping of ``template``'s type (an OrderedDict stays one), as PyTorch does."""
    try:
        if isinstance(template, collections.abc.MutableMapping):
            clone = copy.copy(template)
            clone.update(values)
            return clone
        return type(template)(values)
    except TypeError:  # a mapping type that cannot be copied or built from a dict
        return values


def _rebuild_sequence(template, values: list):
    """``values`` in a sequence of ``template``'s type; a plain tuple becomes a list (PyTorch's
    backward-compatible rule), a namedtuple stays itself."""
    if isinstance(template, tuple):
        return type(template)(*values) if hasattr(template, "_fields") else values
    try:
        if isinstance(template, collections.abc.MutableSequence):
            clone = copy.copy(template)
            clone[:] = values
            return clone
        return type(template)(values)
    except TypeError:  # e.g. range
        return values


def _is_numeric_numpy(data) -> bool:
    return isinstance(data, (np.ndarray, np.generic)) and data.dtype.kind not in "USO"


def default_convert(data):
    """numpy arrays and scalars to tensors, recursively through containers (used when ``batch_size=None``)."""
    if _is_numeric_numpy(data):
        return _wrap(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {key: default_convert(value) for key, value in data.items()})
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def default_collate(batch):
    """Stack a list of samples into a batch, as PyTorch does: tensors and arrays are stacked, numbers
    become a tensor (floats as float64), and tuples (as lists), lists and dicts are collated field by field."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(batch, 0)
    if isinstance(elem, np.ndarray) and elem.dtype.kind not in "USO":
        return _wrap(np.stack(batch))
    if isinstance(elem, np.generic) and elem.dtype.kind not in "USO":
        return _wrap(np.array(batch))
    if isinstance(elem, bool):
        return tensor(batch)
    if isinstance(elem, numbers.Integral):
        return tensor(batch)
    if isinstance(elem, numbers.Real):
        return tensor(batch, dtype=float64)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(elem, {key: default_collate([d[key] for d in batch]) for key in elem})
    if isinstance(elem, collections.abc.Sequence):
        if not (isinstance(elem, tuple) and hasattr(elem, "_fields")) and any(len(e) != len(elem) for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return _rebuild_sequence(elem, [default_collate(list(samples)) for samples in zip(*batch)])
    raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                    f"found {type(elem)}")


class DataLoader:
    """Iterate over ``dataset`` in batches: ``for x, y in DataLoader(ds, batch_size=64, shuffle=True): ...``.

    ``shuffle`` draws a new order each epoch from ``generator`` (``diffkit.Generator().manual_seed(0)``
    for a reproducible order; by default the generator seeded by ``diffkit.manual_seed``)."""

    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool | None = None, sampler=None,
                 batch_sampler=None, num_workers: int = 0, collate_fn=None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn=None, multiprocessing_context=None,
                 generator=None, *, prefetch_factor=None, persistent_workers: bool = False,
                 pin_memory_device: str = "") -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        self.dataset, self.num_workers, self.generator = dataset, num_workers, generator
        # accepted for PyTorch's signature and kept as its attributes; loading happens in this process
        self.pin_memory, self.timeout, self.worker_init_fn = pin_memory, timeout, worker_init_fn
        self.multiprocessing_context, self.prefetch_factor = multiprocessing_context, prefetch_factor
        self.persistent_workers, self.pin_memory_device = persistent_workers, pin_memory_device
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            for name, given in (("shuffle", shuffle or None), ("sampler", sampler), ("batch_sampler", batch_sampler)):
                if given is not None:
                    raise ValueError(f"DataLoader with IterableDataset: expected unspecified {name} option, but "
                                     f"got {name}={given}")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with "
                             "drop_last")
        if sampler is None and not self._iterable:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size, self.drop_last = batch_size, drop_last
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self._default_collate = collate_fn is None
        self.collate_fn = collate_fn or (default_collate if batch_size is not None or batch_sampler is not None
                                         else default_convert)

    def __iter__(self):
        if self._iterable:
            yield from self._iterate_stream()
            return
        if self.batch_sampler is None:
            for index in self.sampler:
                yield self.collate_fn(self.dataset[index])
            return
        fast = self._default_collate and hasattr(self.dataset, "_batch")
        for indices in self.batch_sampler:
            if fast:
                yield list(self.dataset._batch(np.asarray(indices, dtype=np.int64)))
            else:
                yield self.collate_fn([self.dataset[i] for i in indices])

    def _iterate_stream(self):
        if self.batch_size is None:
            for sample in self.dataset:
                yield self.collate_fn(sample)
            return
        batch = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.batch_sampler) if self.batch_sampler is not None else len(self.sampler)
