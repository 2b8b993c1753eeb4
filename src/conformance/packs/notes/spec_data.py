"""Datasets and loading (notes §12, §13, §16): the Dataset protocol, default collation,
batching, shuffling, worker processes, collate_fn, the note's MNIST-style Dataset, and
torchvision's MNIST on files the spec writes itself. Nothing touches the network.

Loading happens on the host, so these specs have no device parameter. Only the workers spec
starts worker processes (two loaders of two workers serve all its probes): they cost start-up.
"""
import collections
import gzip
import itertools
import math
import os
import pathlib
import socket
import struct

import numpy as np
import pytest
import torch
from torch.utils.data import (BatchSampler, ConcatDataset, DataLoader, Dataset, RandomSampler, Sampler,
                              SequentialSampler, Subset, SubsetRandomSampler, TensorDataset)

from conformance.testing import spec

PIXEL_RTOL, PIXEL_ATOL = 1e-5, 1e-3  # ToTensor's float32 pixels times 255 against the stored bytes

# ------------------------------------------------------------------------------- §12, §16


class Squares(Dataset):
    """Sample i is a tuple of ``width`` items derived from i."""

    def __init__(self, n=10, width=2):
        self.n, self.width = n, width

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return tuple(torch.tensor(float(i * 10 + k)) for k in range(self.width))


class Range(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return i


class Order(Sampler):
    """A sampler that yields the given indices (torch 1.0 wants a Sampler instance)."""

    def __init__(self, order):
        self.order = list(order)

    def __iter__(self):
        return iter(self.order)

    def __len__(self):
        return len(self.order)


def _raised(err):
    return "%s: %s" % (type(err).__name__, (str(err).splitlines() or [""])[0])


@spec("data.dataset-protocol")
def test_len_and_getitem_make_a_dataset(claim):
    """§12, §16: a Dataset subclass provides __len__ (its size) and __getitem__ (sample i); a
    sample may be a tuple of any length, and DataLoader batches each position."""
    for width in (1, 2, 3, 5):
        ds = Squares(n=6, width=width)
        claim.equal((len(ds), len(ds[4])), (6, width), "len() and the length of a sample, width %d" % width)
        batch = next(iter(DataLoader(ds, batch_size=4)))
        claim.equal([tuple(b.shape) for b in batch], [(4,)] * width,
                    "a batch has one stacked tensor (of 4) per tuple position, width %d" % width)
        claim.close(batch[-1], [float(i * 10 + width - 1) for i in range(4)], "values of the last position")


@spec("data.dataset-protocol")
def test_missing_len_or_getitem_fails(claim):
    """§12, §16: both methods are needed: without __getitem__ indexing raises
    NotImplementedError (Dataset's own), without __len__ the default sampler cannot size it
    (TypeError; under the registry's ``no-len-notimplemented`` and
    ``concat-negative-index-to-first`` expectations Dataset's own __len__ raised
    NotImplementedError)."""

    class NoGetitem(Dataset):
        def __len__(self):
            return 3

    class NoLen(Dataset):
        def __getitem__(self, i):
            return i

    with claim.raises(NotImplementedError, record="no_getitem_error"):
        NoGetitem()[0]
    old = claim.expects("no-len-notimplemented") or claim.expects("concat-negative-index-to-first")
    no_len = NotImplementedError if old else TypeError
    with claim.raises(no_len, record="no_len_error"):
        list(DataLoader(NoLen(), batch_size=2))


@spec("data.dataset-protocol")
def test_tensor_dataset_is_a_dataset_of_tuples(claim):
    """§12, §16: TensorDataset is the ready-made Dataset over tensors: len() is their first
    dimension, sample i is the tuple of their rows i (one tensor gives a 1-tuple, three a
    3-tuple; negative indices count from the end), DataLoader batches it position by position,
    and tensors of different first dimensions are refused."""
    images = torch.arange(5 * 2 * 3, dtype=torch.float32).reshape(5, 2, 3)
    labels = torch.tensor([3, 1, 4, 1, 5])
    flags = torch.tensor([1, 0, 1, 1, 0], dtype=torch.uint8)
    pair = TensorDataset(images, labels)
    claim.equal(len(pair), 5, "len(TensorDataset(images, labels)) is the first dimension")
    sample = pair[1]
    claim.equal((type(sample).__name__, len(sample)), ("tuple", 2), "a sample is a tuple of one row per tensor")
    claim.equal((sample[0].tolist(), int(sample[1])), (images[1].tolist(), 1), "sample 1 is (images[1], labels[1])")
    claim.equal((pair[-1][0].tolist(), int(pair[-1][1])), (images[4].tolist(), 5), "sample -1 is the last rows")
    widths = {k: len(TensorDataset(*[images, labels, flags][:k])[0]) for k in (1, 2, 3)}
    claim.observe("tuple_widths", widths)
    claim.equal(widths, {1: 1, 2: 2, 3: 3}, "a sample has one item per tensor (tensors -> items)")
    batches = [[t.tolist() for t in b] for b in DataLoader(pair, batch_size=2)]
    claim.equal(batches, [[images[i:i + 2].tolist(), labels[i:i + 2].tolist()] for i in (0, 2, 4)],
                "DataLoader batches (images, labels) by position, the last batch holding the rest")
    if claim.expects("size-mismatch-accepted"):  # 2.10.0: no size check at construction
        claim.equal(len(TensorDataset(images, labels[:4])), 5, "TensorDataset of tensors of 5 and 4 rows")
    else:
        with claim.raises(AssertionError, record="size_mismatch_error"):
            TensorDataset(images, labels[:4])


@spec("data.dataset-protocol")
def test_map_style_dataset_without_len_loads_with_a_sampler(claim):
    """§12, §16: __len__ is what the default sampler needs: a Dataset with only __getitem__ is
    still indexed, and DataLoader loads it through an explicit sampler= (batched by batch_size)
    or batch_sampler= (lists of indices)."""

    class NoLen(Dataset):
        def __getitem__(self, i):
            return i * 10

    ds = NoLen()
    claim.equal([ds[i] for i in (0, 3)], [0, 30], "indexing works without __len__")
    try:
        by_sampler = [b.tolist() for b in DataLoader(ds, batch_size=2, sampler=Order([3, 0, 2]))]
        by_batches = [b.tolist() for b in DataLoader(ds, batch_sampler=[[1, 2], [0]])]
    except Exception as err:  # a loader that sizes the dataset anyway fails here: the claim fails
        claim.fail("a Dataset without __len__ loads through sampler= and batch_sampler=", raised=_raised(err))
    claim.equal(by_sampler, [[30, 0], [20]], "sampler= gives the order, batch_size the batches")
    claim.equal(by_batches, [[10, 20], [0]], "batch_sampler= gives the batches")


@spec("data.dataset-protocol")
def test_datasets_made_of_datasets(claim):
    """§12, §16: datasets built on the protocol: ``a + b`` is a ConcatDataset (len the sum,
    indices running through a then b, negative ones from the end) and Subset(ds, indices)
    picks samples by index. Under the registry's ``concat-negative-index-to-first``
    expectation a negative index goes on to the first part."""
    a, b = Range(3), Squares(n=2, width=1)
    both = a + b
    claim.equal((type(both).__name__, len(both)), ("ConcatDataset", 5), "a + b: its type and len")
    claim.equal([plain(both[i]) for i in range(5)], [0, 1, 2, [0.0], [10.0]], "a + b runs through a, then b")
    if claim.expects("concat-negative-index-to-first"):  # -1 goes on to a, whose __getitem__ refuses it
        with claim.raises(IndexError, record="concat_negative_index_error"):
            both[-1]
    else:
        try:
            last = claim.observe("concat_last_sample", plain(both[-1]))
        except Exception as err:  # a ConcatDataset that refuses negative indices: the claim fails
            claim.fail("(a + b)[-1] gives a sample", raised=_raised(err))
        claim.equal(last, [10.0], "(a + b)[-1] is b's last sample")
    three = ConcatDataset([Range(2), Range(1), Range(2)])
    claim.equal([three[i] for i in range(len(three))], [0, 1, 0, 0, 1], "ConcatDataset of three datasets")
    sub = Subset(Range(10), [7, 2, 9])
    claim.equal((len(sub), [sub[i] for i in range(3)]), (3, [7, 2, 9]), "Subset(ds, indices): len and samples")


Point = collections.namedtuple("Point", "x y")


# What a Dataset commonly returns, one kind per entry: sample i (for i = 0, 1, 2) and what the
# default collation of those three samples must give, written as describe() text and plain values.
_NP_SCALARS = ("float64", "float32", "int64", "int32", "uint8")
_NP_ARRAYS = ("float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8")
_SPECIALS = (float("nan"), float("-inf"), -0.0)
_PRECISE = (0.1, 1.0 / 3.0, 1e300)
_BIG_INTS = (2 ** 62 + 1, -(2 ** 62) - 3, 2 ** 53 + 1)


def _kinds():
    kinds = {
        # the note's sample: a numpy image and an int label
        "note": (lambda i: (np.full((2, 3), i, dtype=np.uint8), i), "list[Tensor[uint8](3, 2, 3), Tensor[int64](3)]",
                 [[[[i] * 3] * 2 for i in range(3)], [0, 1, 2]]),
        "int": (lambda i: i, "Tensor[int64](3)", [0, 1, 2]),
        "int-big": (lambda i: _BIG_INTS[i], "Tensor[int64](3)", list(_BIG_INTS)),
        "float": (lambda i: i / 2.0, "Tensor[float64](3)", [0.0, 0.5, 1.0]),
        "float-precise": (lambda i: _PRECISE[i], "Tensor[float64](3)", list(_PRECISE)),
        "float-specials": (lambda i: _SPECIALS[i], "Tensor[float64](3)", list(_SPECIALS)),
        "bool": (lambda i: i % 2 == 0, "Tensor[bool](3)", [True, False, True]),
        "str": (lambda i: "s%d" % i, "list[str, str, str]", ["s0", "s1", "s2"]),
        "none": (lambda i: None, "error: TypeError", None),
        "tensor-0d": (lambda i: torch.tensor(i * 3), "Tensor[int64](3)", [0, 3, 6]),
        "tensor-float32": (lambda i: torch.full((2,), float(i)), "Tensor[float32](3, 2)", [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]),
        "tensor-transposed": (lambda i: (torch.arange(6.0).reshape(2, 3) + i).t(), "Tensor[float32](3, 3, 2)",
                              [[[j + i, j + 3 + i] for j in range(3)] for i in range(3)]),
        "dict": (lambda i: {"a": i, "b": "s%d" % i}, "dict{a: Tensor[int64](3), b: list[str, str, str]}",
                 {"a": [0, 1, 2], "b": ["s0", "s1", "s2"]}),
        "tuple": (lambda i: (i, i / 2.0), "list[Tensor[int64](3), Tensor[float64](3)]", [[0, 1, 2], [0.0, 0.5, 1.0]]),
        "list": (lambda i: [i, 10 + i], "list[Tensor[int64](3), Tensor[int64](3)]", [[0, 1, 2], [10, 11, 12]]),
        "namedtuple": (lambda i: Point(i, -i), "Point[Tensor[int64](3), Tensor[int64](3)]", [[0, 1, 2], [0, -1, -2]]),
        "nested": (lambda i: {"x": (np.float32(i), {"y": [torch.tensor([i, i])]})},
                   "dict{x: list[Tensor[float32](3), dict{y: list[Tensor[int64](3, 2)]}]}",
                   {"x": [[0.0, 1.0, 2.0], {"y": [[[0, 0], [1, 1], [2, 2]]]}]}),
        "np-array-bool": (lambda i: np.array([i % 2 == 0, True]), "Tensor[bool](3, 2)", [[True, True], [False, True], [True, True]]),
        "np-array-0d": (lambda i: np.array(i * 1.5), "Tensor[float64](3)", [0.0, 1.5, 3.0]),
        "np-array-empty": (lambda i: np.zeros((0,), dtype=np.float32), "Tensor[float32](3, 0)", [[], [], []]),
        "np-array-transposed": (lambda i: (np.arange(6).reshape(2, 3) + i).T, "Tensor[int64](3, 3, 2)",
                                [[[j + i, j + 3 + i] for j in range(3)] for i in range(3)]),
        "np-array-strided": (lambda i: (np.arange(6, dtype=np.int32) + i)[::2], "Tensor[int32](3, 3)",
                             [[i, i + 2, i + 4] for i in range(3)]),
        "np-array-reversed": (lambda i: np.arange(3.0)[::-1], "error: ValueError", None),  # negative strides
    }
    for dt in _NP_SCALARS:
        kinds["np-scalar-%s" % dt] = (lambda i, dt=dt: np.dtype(dt).type(i * 2), "Tensor[%s](3)" % dt, [0, 2, 4])
    for dt in _NP_ARRAYS:
        kinds["np-array-%s" % dt] = (lambda i, dt=dt: np.full((2, 3), i, dtype=dt), "Tensor[%s](3, 2, 3)" % dt,
                                     [[[i] * 3] * 2 for i in range(3)])
    return kinds


def describe(value):
    """Type structure of a collated batch: Tensor[dtype](shape), list[...], dict{k: ...}, T[...]."""
    if isinstance(value, torch.Tensor):
        return "Tensor[%s](%s)" % (str(value.dtype).replace("torch.", ""), ", ".join(str(n) for n in value.shape))
    if isinstance(value, dict):
        return "dict{%s}" % ", ".join("%s: %s" % (k, describe(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "%s[%s]" % (type(value).__name__, ", ".join(describe(v) for v in value))
    return type(value).__name__


def plain(value):
    if isinstance(value, torch.Tensor):
        return value.tolist()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def same(seen, want):
    """``seen == want`` where NaN equals NaN and -0.0 differs from 0.0."""
    if isinstance(seen, float) or isinstance(want, float):
        if not isinstance(seen, (int, float)) or not isinstance(want, (int, float)):
            return False
        if math.isnan(seen) or math.isnan(want):
            return math.isnan(seen) and math.isnan(want)
        return seen == want and math.copysign(1.0, seen) == math.copysign(1.0, want)
    if isinstance(seen, dict) and isinstance(want, dict):
        return seen.keys() == want.keys() and all(same(seen[k], want[k]) for k in want)
    if isinstance(seen, list) and isinstance(want, list):
        return len(seen) == len(want) and all(same(s, w) for s, w in zip(seen, want))
    return seen == want


class Kind(Dataset):
    def __init__(self, make, n=3):
        self.make, self.n = make, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return self.make(i)


@spec("data.getitem-types")
def test_default_collate_of_every_common_element_kind(claim):
    """§12: __getitem__ may return a numpy image and an int label (the note's sample) and much
    else: Python int/float/bool/str, numpy scalars and arrays of eight dtypes (0-d, empty,
    transposed and strided ones too; reversed ones, with negative strides, are refused with
    ValueError), tensors, dicts, tuples, lists, namedtuples, and all of
    these nested. The default collation gives tensors of the matching dtype with the batch
    dimension first and every value kept (int64 beyond 2**53, 0.1, NaN, -inf, -0.0), lists for
    strings and the same containers (tuples as lists); None is refused (TypeError). Older
    releases differ where the claim's expectations say (the registry has their releases):
    under ``namedtuple-list`` float16, int8 and bool arrays are refused, namedtuples flattened to
    lists and bools give int64; under ``bool-uint8`` Python bools give uint8 (numpy bool arrays
    bool); under ``np-float64-scalars-float32`` numpy float64 scalars give float32."""
    kinds = _kinds()
    # what older releases do instead (see the claim's expectations)
    if claim.expects("np-float64-scalars-float32"):
        kinds["np-scalar-float64"] = kinds["np-scalar-float64"][:1] + ("Tensor[float32](3)", [0.0, 2.0, 4.0])
    if claim.expects("bool-uint8"):
        kinds["bool"] = kinds["bool"][:1] + ("Tensor[uint8](3)", [1, 0, 1])
    if claim.expects("namedtuple-list"):
        kinds["bool"] = kinds["bool"][:1] + ("Tensor[int64](3)", [1, 0, 1])
        kinds["namedtuple"] = kinds["namedtuple"][:1] + ("list[Tensor[int64](3), Tensor[int64](3)]", [[0, 1, 2], [0, -1, -2]])
        kinds["np-array-float16"] = kinds["np-array-float16"][:1] + ("error: RuntimeError", None)
        kinds["np-array-int8"] = kinds["np-array-int8"][:1] + ("error: TypeError", None)
        kinds["np-array-bool"] = kinds["np-array-bool"][:1] + ("error: TypeError", None)
    seen, wrong, messages = {}, {}, {}
    for name, (make, want, values) in kinds.items():
        try:
            batch = next(iter(DataLoader(Kind(make), batch_size=3)))
            got = seen[name] = describe(batch)
            ok = got == want and same(plain(batch), values)
        except Exception as err:  # a kind the collation refuses is a finding, not a crash
            got = seen[name] = "error: %s" % type(err).__name__
            messages[name] = str(err).splitlines()[0] if str(err) else ""
            ok = got == want
        if not ok:
            wrong[name] = {"expected": want, "seen": got}
            if not got.startswith("error"):
                wrong[name]["values"] = plain(batch)
    claim.observe("collated_kinds", seen)
    if messages:
        claim.observe("collate_errors", messages)
    claim.equal(wrong, {}, "the default collation of each element kind (the kinds that differ)")


@spec("data.getitem-types")
def test_unbatched_loading_converts_each_sample(claim):
    """§12: with batch_size=None (no batching) DataLoader hands over each sample on its own,
    converted: numpy arrays and scalars become tensors of their dtype, Python numbers and
    strings stay as they are, tuples come back as lists, dicts keep their keys; len(loader) is
    len(dataset). Under the registry's ``namedtuple-list`` and ``bool-uint8`` expectations
    (before 1.2) there is no unbatched loading: batch_size=None is refused (ValueError)."""
    ds = Kind(lambda i: (np.arange(2, dtype=np.float32) + i, np.int64(i), i, "s%d" % i, {"k": np.arange(2) * i}))
    if claim.expects("namedtuple-list") or claim.expects("bool-uint8"):
        with claim.raises(ValueError, record="batch_size_none_error"):
            list(DataLoader(ds, batch_size=None))
        return
    loader = DataLoader(ds, batch_size=None)
    samples = list(loader)
    kinds = [describe(s) for s in samples]
    claim.observe("unbatched_kinds", kinds[0] if kinds else None)
    claim.equal(len(loader), 3, "len(loader) with batch_size=None is len(dataset)")
    claim.equal(kinds, ["list[Tensor[float32](2), Tensor[int64](), int, str, dict{k: Tensor[int64](2)}]"] * 3,
                "each sample converted on its own: arrays and numpy scalars to tensors, the rest kept")
    claim.equal([plain(s) for s in samples], [[[float(i), i + 1.0], i, i, "s%d" % i, {"k": [0, i]}] for i in range(3)],
                "the samples' values, in index order")


# (samples, batch_size, drop_last) -> the batch sizes DataLoader must give, in order
EDGES = [
    ((10, 4, False), [4, 4, 2]),  # not a multiple of the batch size: a smaller last batch
    ((10, 4, True), [4, 4]),  # ... dropped
    ((8, 4, False), [4, 4]),  # a multiple: drop_last changes nothing
    ((8, 4, True), [4, 4]),
    ((3, 5, False), [3]),  # batch larger than the dataset: one short batch
    ((3, 5, True), []),  # ... or nothing at all
    ((1, 4, False), [1]),  # one sample
    ((1, 1, True), [1]),
    ((0, 4, False), []),  # no samples: no batches
]


@spec("data.dataloader-batches")
def test_batches_at_the_edges(claim):
    """§16: DataLoader reads in batches of batch_size; the last batch holds the rest unless
    drop_last=True drops it. At the edges: a length that is not a multiple of the batch size
    gives a smaller last batch (dropped with drop_last=True), a batch larger than the dataset
    one short batch (none with drop_last), one sample one batch of one, no samples no batch;
    every sample comes once, in order, and len(loader) counts the batches. The same batches
    come with batch_size given positionally, through sampler= (in the sampler's order) and
    through batch_sampler=BatchSampler(...)."""
    seen, wrong = {}, {}
    for (n, size, drop), sizes in EDGES:
        loader = DataLoader(Range(n), batch_size=size, drop_last=drop)
        batches = [b.tolist() for b in loader]
        key = "n=%d batch=%d drop_last=%s" % (n, size, drop)
        seen[key] = [len(b) for b in batches]
        flat = [i for b in batches for i in b]
        if seen[key] != sizes or flat != list(range(sum(sizes))) or len(loader) != len(sizes):
            wrong[key] = {"expected": sizes, "seen": seen[key], "samples": flat, "len": len(loader)}
    claim.observe("batch_sizes", seen)
    claim.equal(wrong, {}, "batch sizes, samples and len(loader) at the edges (the cases that differ)")
    shapes = [tuple(b[0].shape) for b in DataLoader(Squares(n=10, width=1), 4)]
    claim.observe("batch_shapes", shapes)
    claim.equal(shapes, [(4,), (4,), (2,)], "batch_size given positionally: tensor batches of 4, 4 and 2")
    backwards = Order(range(9, -1, -1))
    forms = {
        "sampler": [b.tolist() for b in DataLoader(Range(10), batch_size=4, sampler=backwards)],
        "sampler drop_last": [b.tolist() for b in DataLoader(Range(10), batch_size=4, sampler=backwards, drop_last=True)],
        "batch_sampler": [b.tolist() for b in DataLoader(Range(10), batch_sampler=BatchSampler(backwards, 4, False))],
        "batch_sampler drop_last": [b.tolist() for b in DataLoader(
            Range(10), batch_sampler=BatchSampler(SequentialSampler(Range(10)), batch_size=4, drop_last=True))],
    }
    claim.observe("sampler_forms", forms)
    claim.equal(forms, {"sampler": [[9, 8, 7, 6], [5, 4, 3, 2], [1, 0]], "sampler drop_last": [[9, 8, 7, 6], [5, 4, 3, 2]],
                        "batch_sampler": [[9, 8, 7, 6], [5, 4, 3, 2], [1, 0]],
                        "batch_sampler drop_last": [[0, 1, 2, 3], [4, 5, 6, 7]]},
                "batches through sampler= and batch_sampler= (in the sampler's order)")


@spec("data.dataloader-batches")
def test_several_epochs(claim):
    """§16: a DataLoader can be iterated epoch after epoch: every epoch gives the batches of the
    first; a new iterator starts from the beginning while another one is half used (which goes
    on where it was), and an exhausted iterator stays exhausted."""
    loader = DataLoader(Range(10), batch_size=4)
    epochs = [[b.tolist() for b in loader] for _ in range(3)]
    claim.observe("epochs", epochs)
    claim.greater(len(epochs[0]), 0, "the first epoch gives batches (how many)")
    claim.equal(epochs[1:], [epochs[0]] * 2, "epochs 2 and 3 give the batches of epoch 1")
    half = iter(loader)
    first = next(half).tolist()
    fresh = [b.tolist() for b in loader]
    claim.equal(fresh, epochs[0], "a new iterator while another is half used: the batches of epoch 1")
    claim.equal([first] + [b.tolist() for b in half], epochs[0], "the half-used iterator goes on where it was")
    done = iter(loader)
    list(done)
    claim.equal(list(done), [], "an exhausted iterator stays exhausted")


def _epoch(loader):
    return [int(i) for b in loader for i in b]


@spec("data.dataloader-shuffle")
def test_shuffle_permutes_each_epoch_reproducibly(claim):
    """§16: shuffle=True visits every sample exactly once per epoch in a new order each epoch;
    seeding (torch.manual_seed) reproduces the orders; without shuffle the order is the index
    order; with drop_last=True each shuffled epoch is full batches of distinct samples."""
    n = 50
    torch.manual_seed(123)
    loader = DataLoader(Range(n), batch_size=8, shuffle=True)
    first, second = _epoch(loader), _epoch(loader)
    claim.equal(sorted(first), list(range(n)), "the first epoch is a permutation (sorted)")
    claim.equal(sorted(second), list(range(n)), "the second epoch is a permutation (sorted)")
    claim.not_equal(second, first, "orders differ across epochs (the second vs the first)")
    claim.not_equal(first, list(range(n)), "a shuffled epoch is not the index order")
    torch.manual_seed(123)
    again = DataLoader(Range(n), batch_size=8, shuffle=True)
    claim.equal([_epoch(again), _epoch(again)], [first, second], "the same seed gives the same orders")
    claim.equal(_epoch(DataLoader(Range(n), batch_size=8)), list(range(n)), "no shuffle: index order")
    torch.manual_seed(5)
    dropping = DataLoader(Range(10), batch_size=4, shuffle=True, drop_last=True)
    draws = [[b.tolist() for b in dropping] for _ in range(3)]
    claim.observe("shuffled_epochs", draws)
    claim.equal([[len(b) for b in e] for e in draws], [[4, 4]] * 3, "each shuffled epoch: two full batches (their sizes)")
    claim.equal([len({i for b in e for i in b}) for e in draws], [8] * 3, "each shuffled epoch: distinct samples (how many)")
    claim.equal(len({str(e) for e in draws}), 3, "each epoch is a new draw (different epochs of 3)")


@spec("data.dataloader-shuffle")
def test_shuffle_with_a_seeded_generator(claim):
    """§16: with generator= a seeded torch.Generator decides the shuffled orders: the same seed
    gives the same orders (epoch by epoch) whatever the global seed, another seed other
    orders, and each epoch is a new permutation. Under the registry's ``no-generator``
    expectation DataLoader has no generator= (TypeError)."""
    n = 40
    if claim.expects("no-generator"):
        with claim.raises(TypeError, record="generator_error"):
            DataLoader(Range(n), shuffle=True, generator=torch.Generator())
        return

    def orders(seed, global_seed):
        torch.manual_seed(global_seed)
        gen = torch.Generator()
        gen.manual_seed(seed)
        loader = DataLoader(Range(n), batch_size=8, shuffle=True, generator=gen)
        return [_epoch(loader), _epoch(loader)]

    base, other_global, other_seed = orders(0, 1), orders(0, 2), orders(1, 1)
    claim.observe("generator_orders", base)
    claim.equal([sorted(e) for e in base], [list(range(n))] * 2, "each epoch is a permutation (sorted)")
    claim.not_equal(base[1], base[0], "with a generator, orders differ across epochs (the second vs the first)")
    claim.equal(other_global, base, "the same generator seed gives the same orders under another global seed")
    claim.not_equal(other_seed, base, "another generator seed gives other orders")


@spec("data.dataloader-shuffle")
def test_random_samplers_as_sampler(claim):
    """§16: shuffling through sampler=: RandomSampler gives a permutation each epoch,
    SubsetRandomSampler(indices) a permutation of just those indices (a new one each epoch,
    not the given order), RandomSampler(generator=) reproduces its order (where generator=
    exists, not under the registry's ``no-generator`` expectation); sampler= with shuffle=True
    is refused (ValueError)."""
    ds = Range(10)
    torch.manual_seed(3)
    explicit = DataLoader(ds, batch_size=4, sampler=RandomSampler(ds))
    claim.equal([sorted(_epoch(explicit)) for _ in range(2)], [list(range(10))] * 2,
                "sampler=RandomSampler(ds): each epoch is a permutation (sorted)")
    indices = [9, 2, 5, 7, 0, 4, 8]
    subset = DataLoader(ds, batch_size=3, sampler=SubsetRandomSampler(indices))
    picks = [_epoch(subset) for _ in range(3)]
    claim.observe("subset_orders", picks)
    claim.equal([sorted(p) for p in picks], [sorted(indices)] * 3, "SubsetRandomSampler: each epoch the given indices (sorted)")
    claim.holds(len({str(p) for p in picks}) == 3 and indices not in picks,
                "SubsetRandomSampler: a new order each epoch, not the given one", orders=picks, indices=indices)
    if not claim.expects("no-generator"):
        def seeded():
            gen = torch.Generator()
            gen.manual_seed(11)
            return _epoch(DataLoader(ds, batch_size=4, sampler=RandomSampler(ds, generator=gen)))

        claim.equal(seeded(), seeded(), "RandomSampler(generator=) with the same seed: the same order")
    with claim.raises(ValueError, record="sampler_and_shuffle_error"):
        DataLoader(ds, sampler=RandomSampler(ds), shuffle=True)


_INIT = {"id": -1.0, "calls": 0.0}


def _record_init(worker_id):
    """worker_init_fn: runs in the worker; the samples report what it saw."""
    _INIT["id"] = float(worker_id)
    _INIT["calls"] += 1


class Noisy(Dataset):
    """Sample i: its index, a random 'augmentation' draw, the worker id from get_worker_info
    (-1 in the main process; -2 where torch < 1.2 lacks it), the loading process, what
    worker_init_fn recorded in that process (id, calls), and whether get_worker_info's
    num_workers and seed agree with the worker (1; -1 outside a worker, -2 without the API)."""

    def __len__(self):
        return 10

    def __getitem__(self, i):
        get_info = getattr(torch.utils.data, "get_worker_info", None)
        info = get_info() if get_info else None
        wid = -2.0 if get_info is None else (-1.0 if info is None else float(info.id))
        agree = -2.0 if get_info is None else (
            -1.0 if info is None else float(info.num_workers == 2 and info.seed == torch.initial_seed()))
        return torch.tensor([float(i), torch.rand(1).item(), wid, float(os.getpid()), _INIT["id"], _INIT["calls"], agree],
                            dtype=torch.float64)


def _rows(batches, columns):
    return [b[:, columns].tolist() for b in batches]


@spec("data.dataloader-workers")
def test_worker_processes_keep_order_and_get_their_own_seeds(claim):
    """§16: num_workers=2 loads in worker processes: the batches (the last one partial) come
    back in the same order as with num_workers=0; get_worker_info names each worker (id,
    num_workers, seed); worker_init_fn runs once in each worker with its id; each worker has
    its own seed, so random augmentations differ between workers and repeat under the same
    torch.manual_seed; persistent_workers=True keeps the same worker processes for every
    epoch (same batches each epoch). Two loaders of two workers serve all of it. Under the
    registry's ``no-persistent-workers`` expectation DataLoader has no persistent_workers=
    (TypeError) and under ``no-worker-info`` no get_worker_info either."""
    no_info = claim.expects("no-worker-info")
    persistent = not (no_info or claim.expects("no-persistent-workers"))
    torch.manual_seed(7)
    serial = list(DataLoader(Noisy(), batch_size=4))
    torch.manual_seed(7)
    parallel = list(DataLoader(Noisy(), batch_size=4, num_workers=2, worker_init_fn=_record_init))
    claim.equal(_rows(parallel, 0), _rows(serial, 0), "same samples in the same batches and order (2 workers vs none)")
    pids = sorted({int(p) for b in parallel for p in b[:, 3].tolist()})
    claim.observe("loading_processes", len(pids))
    claim.holds(len(pids) == 2 and os.getpid() not in pids, "two worker processes (not this one) did the loading",
                loading_pids=pids, this_pid=os.getpid())
    by_pid = {}
    for b in parallel:
        for _, draw, wid, pid, init_id, init_calls, agree in b.tolist():
            got = by_pid.setdefault(int(pid), {"ids": set(), "init": set(), "agree": set(), "draws": []})
            got["ids"].add(wid)
            got["init"].add((init_id, init_calls))
            got["agree"].add(agree)
            got["draws"].append(draw)
    workers = sorted({w for got in by_pid.values() for w in got["ids"]})
    claim.observe("worker_ids", [int(w) for w in workers])
    info = {"ids": [sorted(g["ids"]) for g in by_pid.values()], "agree": sorted({a for g in by_pid.values() for a in g["agree"]})}
    if no_info:
        claim.equal(info, {"ids": [[-2.0], [-2.0]], "agree": [-2.0]}, "no get_worker_info before 1.2 (what samples saw)")
    else:
        claim.equal(info, {"ids": [[0.0], [1.0]], "agree": [1.0]},
                    "get_worker_info in each worker: one id each (0, 1), num_workers 2 and the worker's seed")
    inits = sorted(tuple(sorted(g["init"])) for g in by_pid.values())
    claim.observe("worker_init", inits)
    claim.equal(inits, [((0.0, 1.0),), ((1.0, 1.0),)], "worker_init_fn ran once in each worker, with its id (id, calls)")
    draws = [tuple(g["draws"]) for g in by_pid.values()]
    claim.holds(len(draws) == 2 and len(set(draws)) == 2, "two workers draw different random numbers", draws_per_process=draws)
    extra = {"persistent_workers": True} if persistent else {}
    if not persistent:
        with claim.raises(TypeError, record="persistent_workers_error"):
            DataLoader(Noisy(), num_workers=2, persistent_workers=True)
    torch.manual_seed(7)
    kept = DataLoader(Noisy(), batch_size=4, num_workers=2, drop_last=True, worker_init_fn=_record_init, **extra)
    epochs = [list(kept) for _ in range(3 if persistent else 1)]
    claim.equal(_rows(epochs[0], [0, 1, 2, 4]), _rows(parallel[:2], [0, 1, 2, 4]),
                "the same seed repeats the draws (index, draw, worker id, init id; drop_last keeps 2 batches)")
    if persistent:
        claim.equal([_rows(e, 0) for e in epochs[1:]], [_rows(epochs[0], 0)] * 2, "persistent workers: each epoch the same batches")
        processes = [sorted({int(p) for b in e for p in b[:, 3].tolist()}) for e in epochs]
        claim.observe("persistent_processes_per_epoch", [len(p) for p in processes])
        claim.equal(processes[1:], [processes[0]] * 2, "persistent_workers=True: the same two processes load every epoch")
    del kept, epochs


class Sentences(Dataset):
    LENGTHS = [3, 1, 4, 2, 5]

    def __len__(self):
        return len(self.LENGTHS)

    def __getitem__(self, i):
        return torch.arange(1, self.LENGTHS[i] + 1)


class Box(object):
    """What a collate_fn may return: any object."""

    def __init__(self, samples):
        self.samples = samples


class Floats(Dataset):
    def __len__(self):
        return 3

    def __getitem__(self, i):
        return np.full((2,), i / 3.0), i / 7.0, {"name": "s%d" % i, "k": i}


@spec("data.collate-fn")
def test_custom_collate_fn_receives_the_samples_and_returns_the_batch(claim):
    """§16: collate_fn decides how a list of samples becomes a batch: here it pads sequences of
    different lengths, which the default (stacking) refuses. It receives a list of the very
    samples __getitem__ returned, in the sampler's order (the last list shorter), and whatever
    it returns (a tuple, an object, a dict, a string, None) is the batch, unchanged. Passing
    the default collation explicitly (torch.utils.data.default_collate; under the registry's
    ``private-default-collate`` expectation torch.utils.data.dataloader.default_collate, the
    public name being absent) or calling it on a list of samples gives the default batch."""
    calls = []

    def pad(samples):
        calls.append([len(s) for s in samples])
        longest = max(len(s) for s in samples)
        out = torch.zeros(len(samples), longest, dtype=torch.long)
        for row, s in enumerate(samples):
            out[row, :len(s)] = s
        return out, torch.tensor([len(s) for s in samples])

    try:
        batches = list(DataLoader(Sentences(), batch_size=2, collate_fn=pad))
    except RuntimeError as err:
        claim.fail("loading with a padding collate_fn works", raised=_raised(err))
    claim.equal(calls, [[3, 1], [4, 2], [5]], "collate_fn receives each list of samples (their lengths)")
    claim.equal(batches[0][0].tolist() if batches else None, [[1, 2, 3], [1, 0, 0]],
                "its return value is the batch (the first batch's padded tensor)")
    with claim.raises(RuntimeError, record="default_collate_ragged_error"):
        list(DataLoader(Sentences(), batch_size=2))

    items = [Box(None) for _ in range(5)]
    received = []
    list(DataLoader(Kind(lambda i: items[i], n=5), batch_size=2, sampler=Order([4, 0, 3, 1, 2]),
                    collate_fn=lambda samples: received.append(samples)))
    claim.equal([type(s).__name__ for s in received], ["list"] * 3, "collate_fn receives a list (the type of each)")
    claim.equal([[next((k for k, it in enumerate(items) if it is x), None) for x in s] for s in received], [[4, 0], [3, 1], [2]],
                "the list holds the very samples __getitem__ returned, in the sampler's order")
    made, returned = {}, {}
    for kind, make in (("object", Box), ("dict", lambda s: {"n": len(s)}), ("str", lambda s: "+".join(map(str, s))),
                       ("None", lambda s: None)):
        def collate(samples, make=make, kind=kind):
            made.setdefault(kind, []).append(make(samples))
            return made[kind][-1]

        returned[kind] = list(DataLoader(Range(3), batch_size=2, collate_fn=collate))
    claim.observe("returned_kinds", {k: [type(b).__name__ for b in v] for k, v in returned.items()})
    claim.equal({k: [a is b for a, b in zip(v, made.get(k, []))] for k, v in returned.items()},
                {k: [True, True] for k in returned}, "each batch is the very object collate_fn returned (per kind)")

    public = getattr(torch.utils.data, "default_collate", None)
    if claim.expects("private-default-collate"):
        claim.is_none(public, "no public torch.utils.data.default_collate before it was exported")
        collate = torch.utils.data.dataloader.default_collate
    else:
        collate = public
    default = next(iter(DataLoader(Floats(), batch_size=3)))
    explicit = next(iter(DataLoader(Floats(), batch_size=3, collate_fn=collate)))
    direct = collate([Floats()[i] for i in range(3)])
    forms = {name: describe(b) for name, b in (("default", default), ("explicit", explicit), ("direct", direct))}
    claim.observe("default_collate_forms", forms)
    claim.equal(forms, {name: "list[Tensor[float64](3, 2), Tensor[float64](3), dict{name: list[str, str, str], "
                              "k: Tensor[int64](3)}]" for name in forms},
                "the default collation, omitted, passed as collate_fn= and called directly (what each gives)")
    claim.holds(same(plain(explicit), plain(default)) and same(plain(direct), plain(default)),
                "... with the same values", default=plain(default), explicit=plain(explicit), direct=plain(direct))


# ------------------------------------------------------------------------------------- §13


class NoteMNIST(Dataset):
    """The §13 Dataset, in the kit's words: load (images, labels) stored with torch.save, return
    a mode-'L' PIL image plus the label, apply transforms, and report a fixed size."""

    def __init__(self, path, train=True, transform=None, target_transform=None):
        self.images, self.labels = torch.load(path)
        self.train, self.transform, self.target_transform = train, transform, target_transform

    def __getitem__(self, index):
        from PIL import Image

        img = Image.fromarray(self.images[index].numpy(), mode="L")
        target = self.labels[index]
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return 60000 if self.train else 10000


def _scaled(img):
    """A ToTensor-like transform without torchvision: HxW float32 in [0, 1]."""
    return torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0)


@spec("data.mnist-style-dataset")
def test_note_mnist_dataset_on_a_small_stored_file(claim, tmp_path):
    """§13: the note's Dataset gives mode-'L' PIL images with the stored pixels and the stored
    target (a 0-d tensor of the stored dtype), applying transforms when given; a DataLoader
    batches the transformed images and the targets, keeping their dtype (int64 or uint8). Its
    hard-coded length says 60000 even when the stored file holds 5 images, so indexing past
    the real size fails, and so does a DataLoader reaching it."""
    pytest.importorskip("PIL", reason="Pillow is not installed")
    rng = np.random.RandomState(0)
    images = torch.from_numpy(rng.randint(0, 256, size=(5, 28, 28)).astype(np.uint8))
    labels = torch.tensor([3, 1, 4, 1, 5])
    path = str(tmp_path / "training.pt")
    torch.save((images, labels), path)

    ds = NoteMNIST(path)
    try:
        with claim.warnings(record="pil_warnings"):  # only the PIL conversion: Pillow deprecates `mode`
            img, target = ds[2]
    except (TypeError, ValueError) as err:  # a stored image PIL cannot read: the claim fails
        claim.fail("indexing the dataset gives (image, target)", raised=_raised(err))
    claim.equal((img.mode, img.size), ("L", (28, 28)), "a 28x28 mode-'L' PIL image (mode, size)")
    claim.equal(np.asarray(img).tolist(), images[2].tolist(), "pixels are the stored ones")
    claim.equal((type(target).__name__, target.dim(), target.dtype, int(target)), ("Tensor", 0, torch.int64, 4),
                "the stored target: a 0-d int64 tensor (type, dim, dtype, value)")

    to_tensor = NoteMNIST(path, transform=_scaled, target_transform=lambda t: int(t) + 100)
    x, y = to_tensor[0]
    claim.is_instance(x, torch.Tensor, "the transform is applied")
    claim.all_in_range(x, 0, 1, "the transform's values (scaled to [0, 1])", inclusive=True)
    claim.equal(y, 103, "the target transform is applied")

    claim.observe("len", len(ds))
    claim.equal((len(ds), len(NoteMNIST(path, train=False))), (60000, 10000), "the hard-coded length (train, test)")
    with claim.raises(IndexError, record="index_past_stored_size"):
        ds[5]

    small = str(tmp_path / "small.pt")
    torch.save((images, labels.to(torch.uint8)), small)
    for stored, file in (("int64", path), ("uint8", small)):
        loader = DataLoader(NoteMNIST(file, transform=_scaled), batch_size=2)
        batches, stopped = [], None
        try:
            for batch in itertools.islice(loader, 4):
                batches.append(batch)
        except IndexError as err:
            stopped = err
        kinds = [describe(b) for b in batches]
        claim.observe("loader_batches_%s" % stored, kinds)
        claim.equal(kinds, ["list[Tensor[float32](2, 28, 28), Tensor[%s](2)]" % stored] * 2,
                    "a DataLoader batches images and %s targets (the batches before the stored size)" % stored)
        claim.equal([b[1].tolist() for b in batches], [[3, 1], [4, 1]], "the batched targets, %s" % stored)
        claim.is_instance(stopped, IndexError, "the DataLoader fails past the stored size (len says %d)" % len(loader))


# ------------------------------------------------------------------------------------- §16


def _idx_images(images):
    return struct.pack(">IIII", 2051, len(images), 28, 28) + images.tobytes()


def _idx_labels(labels):
    return struct.pack(">II", 2049, len(labels)) + labels.tobytes()


def _write_mnist(root, compressed_only=False, extracted_only=False, flat=False):
    """Raw MNIST idx files under root/MNIST/raw (root/raw where ``flat``, torchvision 0.2.1's
    layout), extracted and gzipped (or only one of the two): 6 training and 4 test images, the
    same ones on every call."""
    raw = os.path.join(root, "raw") if flat else os.path.join(root, "MNIST", "raw")
    os.makedirs(raw, exist_ok=True)
    rng = np.random.RandomState(1)
    data = {}
    for prefix, n in (("train", 6), ("t10k", 4)):
        images = rng.randint(0, 256, size=(n, 28, 28)).astype(np.uint8)
        labels = rng.randint(0, 10, size=n).astype(np.uint8)
        data[prefix] = (images, labels)
        for name, payload in (("%s-images-idx3-ubyte" % prefix, _idx_images(images)),
                              ("%s-labels-idx1-ubyte" % prefix, _idx_labels(labels))):
            if not extracted_only:
                with gzip.open(os.path.join(raw, name + ".gz"), "wb") as fh:
                    fh.write(payload)
            if not compressed_only:
                with open(os.path.join(raw, name), "wb") as fh:
                    fh.write(payload)
    return data


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails, and is counted."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args[1:2] or args[:1])
        raise OSError("network disabled by the spec")

    monkeypatch.setattr(socket.socket, "connect", lambda self, *a: refuse(self, *a))
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def _error_record(exc, tmp_path):
    """Type and message of an error, the run's temporary folder replaced by <tmp> (so that two
    runs of one release record the same text)."""
    return {"type": type(exc).__name__, "message": str(exc).replace(str(tmp_path), "<tmp>")}


def _network_tries(exc, attempts):
    """How many times a download that failed with ``exc`` went for the network: the refused
    connections, or 1 where it stopped at importing the HTTP library it downloads with
    (torchvision 0.9.0 imports ``requests`` before it connects; the run does not install it)."""
    if not attempts and isinstance(exc, ImportError) and getattr(exc, "name", None) == "requests":
        return 1
    return len(attempts)


def _write_processed(root, data, flat=False):
    """The older torchvision layout (expectations ``processed-files``, ``archives-unchecked``,
    ``flat-root``): (images, labels) saved with torch.save under root/MNIST/processed
    (root/processed where ``flat``)."""
    processed = os.path.join(root, "processed") if flat else os.path.join(root, "MNIST", "processed")
    os.makedirs(processed, exist_ok=True)
    for prefix, name in (("train", "training.pt"), ("t10k", "test.pt")):
        images, labels = data[prefix]
        torch.save((torch.from_numpy(images), torch.from_numpy(labels.astype(np.int64))), os.path.join(processed, name))


@spec("data.torchvision-mnist")
def test_torchvision_mnist_uses_files_already_under_root(claim, tmp_path, no_network):
    """§16: with the data already under root, MNIST(root, download=True) loads it without any
    network access, for train=True and train=False. root is the folder that contains MNIST/.
    Images are mode-'L' PIL images with the stored pixels. Under the registry's
    ``processed-files`` expectation 'the data' meant the processed .pt files: raw idx files
    alone sent download=True to the network; under ``archives-unchecked`` (older still) .gz
    archives under raw/ counted too, unchecked, while the extracted idx files alone did not;
    under ``flat-root`` (torchvision 0.2.1) root itself holds raw/ and processed/, and only
    processed/*.pt count (raw idx files and archives send download=True to the network)."""
    pytest.importorskip("torchvision", reason="torchvision is not installed")
    from torchvision.datasets import MNIST

    old_layout = not claim.expects("raw-files")
    flat = claim.expects("flat-root")
    data = _write_mnist(str(tmp_path), extracted_only=claim.expects("archives-unchecked"), flat=flat)
    if old_layout:
        with claim.raises(Exception) as raised:
            MNIST(str(tmp_path), train=True, download=True)
        tries = _network_tries(raised.value, no_network)
        claim.observe("raw_only_download_error", _error_record(raised.value, tmp_path))
        claim.observe("raw_only_network_attempts", tries)
        claim.greater(tries, 0, "raw idx files alone are not 'already there' (network attempts)")
        if claim.expects("archives-unchecked"):
            _write_mnist(str(tmp_path), compressed_only=True)  # the .gz archives (not the published ones)
        else:
            _write_processed(str(tmp_path), data, flat=flat)
        del no_network[:]
    try:
        train = MNIST(str(tmp_path), train=True, download=True)
        MNIST(str(tmp_path), train=False, download=True)
    except Exception as err:  # a loader that went for the network fails here: that is the claim failing
        claim.fail("download=True with the files present loads them", network_attempts=len(no_network), raised=_raised(err))
    claim.observe("network_attempts", len(no_network))
    claim.equal(len(no_network), 0, "download=True with the files present stays offline (network attempts)")
    claim.equal(len(train), 6, "the training size comes from the files")
    img, label = train[1]
    claim.equal((img.mode, img.size), ("L", (28, 28)), "images are 28x28 mode-'L' PIL images (mode, size)")
    claim.equal(np.asarray(img).tolist(), data["train"][0][1].tolist(), "the image is the stored one")
    claim.equal(int(label), int(data["train"][1][1]), "the label is the stored one")


@spec("data.torchvision-mnist")
def test_torchvision_mnist_without_files(claim, tmp_path, no_network):
    """§16: download=False with nothing under root raises the documented 'Dataset not found'
    error, and so does a root one level too deep (the MNIST/ folder itself). 'Already there'
    means the extracted files (or archives with the published MD5): with only gzipped archives
    that fail the checksum, as the spec's small ones do, download=True goes to the network.
    Under the registry's ``archives-unchecked`` expectation no checksum was checked: the
    archives are extracted and loaded offline. Under ``flat-root`` (torchvision 0.2.1) root
    itself holds raw/ and processed/: one level too deep is processed/, and archives under
    root/raw are never used (download=True goes to the network)."""
    pytest.importorskip("torchvision", reason="torchvision is not installed")
    from torchvision.datasets import MNIST

    flat = claim.expects("flat-root")
    with claim.raises(RuntimeError, match=r"[Dd]ataset not found", record="missing_error"):
        MNIST(str(tmp_path / "empty"), train=True, download=False)
    deep = tmp_path / "deep"
    data = _write_mnist(str(deep), extracted_only=True, flat=flat)
    if not claim.expects("raw-files"):
        _write_processed(str(deep), data, flat=flat)
    with claim.raises(RuntimeError, match=r"[Dd]ataset not found", record="too_deep_root_error"):
        MNIST(str(deep / ("processed" if flat else "MNIST")), train=True, download=False)
    claim.equal(len(no_network), 0, "download=False never goes to the network (attempts)")
    _write_mnist(str(tmp_path / "gz"), compressed_only=True, flat=flat)
    if claim.expects("archives-unchecked"):
        loaded = MNIST(str(tmp_path / "gz"), train=True, download=True)
        claim.observe("gz_only_network_attempts", len(no_network))
        claim.equal((len(loaded), len(no_network)), (6, 0),
                    "unverified .gz archives are extracted and loaded offline (samples, network attempts)")
        return
    with claim.raises(Exception) as raised:
        MNIST(str(tmp_path / "gz"), train=True, download=True)
    tries = _network_tries(raised.value, no_network)
    claim.observe("gz_only_download_error", _error_record(raised.value, tmp_path))
    claim.observe("gz_only_network_attempts", tries)
    claim.greater(tries, 0, "with only unverified .gz archives download=True goes to the network (attempts)")


@spec("data.torchvision-mnist")
def test_torchvision_mnist_dataset_state(claim, tmp_path, no_network):
    """§16: what an MNIST dataset holds, on files already under root (download=False): root
    may be a pathlib.Path as well as a str; train=True reads the training files and
    train=False the test files (their sizes and samples); ``data`` is N x 28 x 28 uint8 and
    ``targets`` int64; a sample's target is a Python int; transform and target_transform are
    applied (ToTensor gives 1x28x28 float32 in [0, 1], pixels / 255); a DataLoader batches it
    into B x 1 x 28 x 28 images and int64 targets. Under the registry's older expectations the
    files are the processed .pt ones; under ``flat-root`` (torchvision 0.2.1) they lie under
    root/processed, the dataset keeps them as train_data/train_labels, has no classes list
    and a sample's target is a 0-d int64 tensor."""
    pytest.importorskip("torchvision", reason="torchvision is not installed")
    from torchvision import transforms
    from torchvision.datasets import MNIST

    flat = claim.expects("flat-root")
    root = tmp_path / "data"
    data = _write_mnist(str(root), extracted_only=True, flat=flat)
    if not claim.expects("raw-files"):
        _write_processed(str(root), data, flat=flat)
    try:
        train = MNIST(pathlib.Path(str(root)), train=True, download=False)
        test = MNIST(str(root), train=False, download=False, transform=transforms.ToTensor(),
                     target_transform=lambda t: t + 100)
    except Exception as err:  # a root form it cannot follow fails here: the claim fails
        claim.fail("MNIST(pathlib.Path root) and MNIST(str root) load the files", raised=_raised(err))
    claim.equal(len(no_network), 0, "download=False stays offline (network attempts)")
    claim.equal((len(train), len(test)), (6, 4), "train=True reads the training files, train=False the test files (sizes)")
    images, targets = (train.train_data, train.train_labels) if flat else (train.data, train.targets)
    state = {"data": (tuple(images.shape), str(images.dtype)), "targets": (tuple(targets.shape), str(targets.dtype)),
             "classes": len(train.classes) if hasattr(train, "classes") else None}
    claim.observe("state", state)
    claim.equal(state, {"data": ((6, 28, 28), "torch.uint8"), "targets": ((6,), "torch.int64"),
                        "classes": None if flat else 10},
                "data, targets (shape, dtype) and the number of classes")
    claim.equal(targets.tolist(), data["train"][1].tolist(), "targets are the stored labels")
    _, label = train[2]
    if flat:
        claim.equal((type(label).__name__, label.dim(), int(label)), ("Tensor", 0, int(data["train"][1][2])),
                    "a sample's target is a 0-d tensor (type, dim, value)")
    else:
        claim.equal((type(label).__name__, label), ("int", int(data["train"][1][2])), "a sample's target is a Python int")
    x, y = test[0]
    y = int(y) if flat else y  # flat-root: target_transform got a 0-d tensor
    claim.equal((tuple(x.shape), x.dtype), ((1, 28, 28), torch.float32), "ToTensor gives 1x28x28 float32")
    claim.all_in_range(x, 0, 1, "ToTensor's values", inclusive=True)
    claim.close(x[0] * 255, data["t10k"][0][0].astype(np.float64), "test sample 0 is the stored one, scaled by 1/255",
                rtol=PIXEL_RTOL, atol=PIXEL_ATOL)
    claim.equal(y, int(data["t10k"][1][0]) + 100, "target_transform is applied to the target")
    images, targets = next(iter(DataLoader(test, batch_size=4)))
    claim.equal((tuple(images.shape), images.dtype, targets.dtype), ((4, 1, 28, 28), torch.float32, torch.int64),
                "a DataLoader batch: images (shape, dtype) and targets (dtype)")
