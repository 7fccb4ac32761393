"""utils.data: datasets, samplers, DataLoader batching, seeded shuffling, collation, random_split."""
from collections import OrderedDict, namedtuple

import numpy as np
import pytest

import diffkit as dk
from diffkit.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)

X = dk.arange(20.0).reshape(10, 2)
Y = dk.arange(10)


def epochs(loader, n=2):
    return [[batch[1].tolist() for batch in loader] for _ in range(n)]


def test_tensor_dataset_batches_in_order():
    ds = TensorDataset(X, Y)
    assert len(ds) == 10 and ds[3][1].item() == 3
    batches = list(DataLoader(ds, batch_size=4))
    assert [b[1].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert batches[0][0].shape == (4, 2) and batches[0][0].dtype is dk.float32
    assert len(DataLoader(ds, batch_size=4)) == 3 and len(DataLoader(ds, batch_size=4, drop_last=True)) == 2
    assert [b[1].tolist() for b in DataLoader(ds, batch_size=4, drop_last=True)] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    with pytest.raises(AssertionError, match="Size mismatch"):
        TensorDataset(X, dk.arange(3))


def test_shuffle_is_a_permutation_reproducible_with_a_seeded_generator():
    ds = TensorDataset(X, Y)
    first = epochs(DataLoader(ds, batch_size=3, shuffle=True, generator=dk.Generator().manual_seed(7)))
    again = epochs(DataLoader(ds, batch_size=3, shuffle=True, generator=dk.Generator().manual_seed(7)))
    assert first == again
    assert first[0] != first[1]  # a new order each epoch
    for epoch in first:
        assert sorted(i for batch in epoch for i in batch) == list(range(10))
    dk.manual_seed(3)
    seeded = epochs(DataLoader(ds, batch_size=3, shuffle=True))
    dk.manual_seed(3)
    assert epochs(DataLoader(ds, batch_size=3, shuffle=True)) == seeded


def test_fast_tensor_path_equals_sample_by_sample_collation():
    ds = TensorDataset(X, Y)
    fast = list(DataLoader(ds, batch_size=4, shuffle=True, generator=dk.Generator().manual_seed(1)))
    slow = list(DataLoader(ds, batch_size=4, shuffle=True, generator=dk.Generator().manual_seed(1),
                           collate_fn=default_collate))
    for a, b in zip(fast, slow):
        assert all(dk.equal(u, v) for u, v in zip(a, b))


class Squares(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return {"x": np.array([i, i * i], dtype=np.float32), "label": i % 2, "weight": 0.5, "name": f"n{i}"}


def test_default_collate_follows_pytorch():
    batch = next(iter(DataLoader(Squares(), batch_size=3)))
    assert batch["x"].shape == (3, 2) and batch["label"].dtype is dk.int64
    assert batch["weight"].dtype is dk.float64 and batch["name"] == ["n0", "n1", "n2"]
    Point = namedtuple("Point", "x y")
    collated = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert isinstance(collated, Point) and collated.x.tolist() == [1, 3]
    first, rest = default_collate([(1, [2, 3]), (4, [5, 6])])  # tuples become lists, fields are collated
    assert first.tolist() == [1, 4] and [t.tolist() for t in rest] == [[2, 5], [3, 6]]
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [3]])
    custom = DataLoader(Squares(), batch_size=2, collate_fn=lambda samples: len(samples))
    assert list(custom) == [2, 2, 1]
    unbatched = list(DataLoader(Squares(), batch_size=None))
    assert len(unbatched) == 5 and isinstance(unbatched[0]["x"], dk.Tensor)


def test_random_split_subset_and_concat():
    ds = TensorDataset(X, Y)
    train, test = random_split(ds, [0.7, 0.3], generator=dk.Generator().manual_seed(0))
    assert (len(train), len(test)) == (7, 3)
    assert sorted([int(s[1]) for s in train] + [int(s[1]) for s in test]) == list(range(10))
    again = random_split(ds, [7, 3], generator=dk.Generator().manual_seed(0))
    assert again[0].indices == train.indices
    assert [b[1].tolist() for b in DataLoader(Subset(ds, [9, 0, 4]), batch_size=2)] == [[9, 0], [4]]
    assert len(random_split(ds, [0.34, 0.33, 0.33])[0]) == 4
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(ds, [5, 6])
    both = ConcatDataset([ds, Subset(ds, [1])])
    assert len(both) == 11 and both[10][1].item() == 1 and both[-1][1].item() == 1
    assert len(ds + ds) == 20


def test_samplers():
    assert list(SequentialSampler(range(3))) == [0, 1, 2]
    order = list(RandomSampler(range(6), generator=dk.Generator().manual_seed(0)))
    assert sorted(order) == list(range(6))
    drawn = list(RandomSampler(range(3), replacement=True, num_samples=10, generator=dk.Generator().manual_seed(0)))
    assert len(drawn) == 10 and set(drawn) <= {0, 1, 2}
    assert list(BatchSampler(range(5), 2, drop_last=False)) == [[0, 1], [2, 3], [4]]
    loader = DataLoader(TensorDataset(X, Y), batch_sampler=BatchSampler(SequentialSampler(range(10)), 5, False))
    assert [b[1].tolist() for b in loader] == [list(range(5)), list(range(5, 10))]
    with pytest.raises(ValueError, match="mutually exclusive"):
        DataLoader(X, sampler=SequentialSampler(X), shuffle=True)


class Stream(IterableDataset):
    def __iter__(self):
        return iter(range(7))


def test_iterable_dataset():
    assert [b.tolist() for b in DataLoader(Stream(), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    with pytest.raises(ValueError, match="IterableDataset"):
        DataLoader(Stream(), shuffle=True)


def _structure(value):
    """A batch's containers, dtypes and values, comparable across diffkit and PyTorch."""
    if hasattr(value, "detach"):
        return "tensor", str(value.dtype).rsplit(".", 1)[-1], value.detach().numpy().tolist()
    if isinstance(value, dict):
        return type(value).__name__, {key: _structure(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value).__name__, [_structure(v) for v in value]
    return value


class _Samples(Dataset):
    def __init__(self, samples):
        self.samples = samples

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, i):
        return self.samples[i]


SAMPLES = {
    "tuples": lambda: [(np.arange(3.0) + i, i) for i in range(5)],
    "numpy-scalars": lambda: [np.float32(i) for i in range(5)],
    "ordered-dicts": lambda: [OrderedDict(b=np.int64(i), a=(i, 2.0 * i)) for i in range(5)],
    "namedtuples": lambda: [namedtuple("Point", "x y")(np.array([i]), float(i)) for i in range(5)],
}


@pytest.mark.parametrize("batch_size", [None, 2])
@pytest.mark.parametrize("name", SAMPLES)
def test_batches_have_pytorchs_containers_and_dtypes(name, batch_size):
    """batch_size=None converts each sample as PyTorch's default_convert: numpy scalars become tensors and
    a tuple becomes a list (PyTorch's backward-compatible rule), mapping types are kept."""
    torch = pytest.importorskip("torch")
    ours = [_structure(b) for b in DataLoader(_Samples(SAMPLES[name]()), batch_size=batch_size)]
    theirs = [_structure(b) for b in torch.utils.data.DataLoader(_Samples(SAMPLES[name]()), batch_size=batch_size)]
    assert ours == theirs


def test_tensor_dataset_without_batching_gives_lists_and_concat_sizes_are_ints():
    torch = pytest.importorskip("torch")
    ours = [_structure(b) for b in DataLoader(TensorDataset(X, Y), batch_size=None)]
    theirs = [_structure(b) for b in torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(X.numpy()), torch.tensor(Y.numpy())), batch_size=None)]
    assert ours == theirs
    sizes = ConcatDataset([range(3), range(4)]).cumulative_sizes
    assert sizes == [3, 7] and all(type(s) is int for s in sizes)


class _Stream(IterableDataset):
    def __iter__(self):
        return iter(range(5))


LOADER_ERRORS = [
    ("iterable-shuffle", lambda D, stream: D.DataLoader(stream, shuffle=True)),
    ("iterable-sampler", lambda D, stream: D.DataLoader(stream, sampler=[0, 1])),
    ("replacement-not-bool", lambda D, stream: D.RandomSampler(range(3), replacement=1)),
    ("drop_last-not-bool", lambda D, stream: D.BatchSampler(range(3), 2, 1)),
]


@pytest.mark.parametrize("name,build", LOADER_ERRORS, ids=[e[0] for e in LOADER_ERRORS])
def test_loader_and_sampler_arguments_are_checked_as_pytorch(name, build):
    torch = pytest.importorskip("torch")

    class TorchStream(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(5))

    outcomes = []
    for D, stream in ((dk.utils.data, _Stream()), (torch.utils.data, TorchStream())):
        with pytest.raises(Exception) as error:  # noqa: PT011 -- the exception is what is compared
            build(D, stream)
        outcomes.append((error.type, str(error.value)))
    assert outcomes[0] == outcomes[1]


def test_loader_keeps_pytorchs_attributes():
    torch = pytest.importorskip("torch")
    names = ("batch_size", "drop_last", "num_workers", "pin_memory", "timeout", "prefetch_factor",
             "persistent_workers", "pin_memory_device", "worker_init_fn", "multiprocessing_context")
    ours = DataLoader(TensorDataset(X), batch_size=3, pin_memory=True, timeout=2.0)
    theirs = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.zeros(10, 2)), batch_size=3,
                                         pin_memory=True, timeout=2.0)
    assert [getattr(ours, n) for n in names] == [getattr(theirs, n) for n in names]
