"""Datasets and loading (notes §12, §13, §16): the Dataset protocol, default collation,
batching, shuffling, worker processes, collate_fn, the note's MNIST-style Dataset, and
torchvision's MNIST on files the spec writes itself. Nothing touches the network.

Loading happens on the host, so these specs have no device parameter.
"""
import collections
import gzip
import os
import socket
import struct

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, Dataset

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
    (TypeError; under the registry's ``no-len-notimplemented`` expectation Dataset's own
    __len__ raised NotImplementedError)."""

    class NoGetitem(Dataset):
        def __len__(self):
            return 3

    class NoLen(Dataset):
        def __getitem__(self, i):
            return i

    with claim.raises(NotImplementedError, record="no_getitem_error"):
        NoGetitem()[0]
    no_len = TypeError if claim.expects("no-len-typeerror") else NotImplementedError
    with claim.raises(no_len, record="no_len_error"):
        list(DataLoader(NoLen(), batch_size=2))


Point = collections.namedtuple("Point", "x y")


class Mixed(Dataset):
    def __len__(self):
        return 3

    def __getitem__(self, i):
        return {
            "image": np.full((2, 3), i, dtype=np.uint8), "label": i, "score": i / 2.0, "flag": i % 2 == 0,
            "name": "s%d" % i, "pair": (i, float(i)), "point": Point(i, -i), "nested": {"k": np.float32(i)},
        }


@spec("data.getitem-types")
def test_default_collate_converts_what_getitem_returns(claim):
    """§12: __getitem__ may return a numpy image and an int label (and much else); DataLoader's
    default collation turns numbers and arrays into tensors and recurses into containers."""
    batch = next(iter(DataLoader(Mixed(), batch_size=3)))
    claim.is_instance(batch, dict, "a dict sample gives a dict batch")
    kinds = {k: ("%s/%s" % (type(v).__name__, str(v.dtype).replace("torch.", "")) if isinstance(v, torch.Tensor)
                 else type(v).__name__) for k, v in batch.items()}
    claim.observe("collated", kinds)
    claim.observe("pair_container", type(batch["pair"]).__name__)
    claim.equal((kinds["image"], tuple(batch["image"].shape)), ("Tensor/uint8", (3, 2, 3)),
                "numpy images are stacked, dtype kept")
    claim.equal(kinds["label"], "Tensor/int64", "int labels become int64")
    claim.equal(kinds["score"], "Tensor/float64", "Python floats become float64")
    claim.equal(batch["name"], ["s0", "s1", "s2"], "strings stay a list")
    if claim.expects("namedtuple-list"):
        claim.identical(type(batch["point"]), list, "a namedtuple becomes a list")
        claim.equal([t.tolist() for t in batch["point"]], [[0, 1, 2], [0, -1, -2]], "... of batched fields")
    else:
        claim.is_instance(batch["point"], Point, "namedtuples keep their type")
        claim.equal(batch["point"].y.tolist(), [0, -1, -2], "a namedtuple's fields are batched (field y)")
    claim.equal(batch["pair"][0].tolist(), [0, 1, 2], "tuples are batched position by position: the first")
    claim.equal(batch["pair"][1].dtype, torch.float64, "tuples are batched position by position: the second's dtype")
    claim.equal(batch["nested"]["k"].dtype, torch.float32, "numpy scalars keep their dtype")
    flags = batch["flag"].tolist()
    claim.holds(flags in ([True, False, True], [1, 0, 1]), "bools are batched (as bools or as 1/0)", flags=flags)


# What a Dataset commonly returns, one kind per entry: sample i (for i = 0, 1, 2) and what the
# default collation of those three samples must give, written as describe() text and plain values.
_NP_SCALARS = ("float64", "float32", "int64", "int32", "uint8")
_NP_ARRAYS = ("float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8")


def _kinds():
    kinds = {
        "int": (lambda i: i, "Tensor[int64](3)", [0, 1, 2]),
        "float": (lambda i: i / 2.0, "Tensor[float64](3)", [0.0, 0.5, 1.0]),
        "bool": (lambda i: i % 2 == 0, "Tensor[bool](3)", [True, False, True]),
        "str": (lambda i: "s%d" % i, "list[str, str, str]", ["s0", "s1", "s2"]),
        "tensor-0d": (lambda i: torch.tensor(i * 3), "Tensor[int64](3)", [0, 3, 6]),
        "tensor-float32": (lambda i: torch.full((2,), float(i)), "Tensor[float32](3, 2)", [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]),
        "dict": (lambda i: {"a": i, "b": "s%d" % i}, "dict{a: Tensor[int64](3), b: list[str, str, str]}",
                 {"a": [0, 1, 2], "b": ["s0", "s1", "s2"]}),
        "tuple": (lambda i: (i, i / 2.0), "list[Tensor[int64](3), Tensor[float64](3)]", [[0, 1, 2], [0.0, 0.5, 1.0]]),
        "list": (lambda i: [i, 10 + i], "list[Tensor[int64](3), Tensor[int64](3)]", [[0, 1, 2], [10, 11, 12]]),
        "namedtuple": (lambda i: Point(i, -i), "Point[Tensor[int64](3), Tensor[int64](3)]", [[0, 1, 2], [0, -1, -2]]),
        "nested": (lambda i: {"x": (np.float32(i), {"y": [torch.tensor([i, i])]})},
                   "dict{x: list[Tensor[float32](3), dict{y: list[Tensor[int64](3, 2)]}]}",
                   {"x": [[0.0, 1.0, 2.0], {"y": [[[0, 0], [1, 1], [2, 2]]]}]}),
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


class Kind(Dataset):
    def __init__(self, make):
        self.make = make

    def __len__(self):
        return 3

    def __getitem__(self, i):
        return self.make(i)


@spec("data.getitem-types")
def test_default_collate_of_every_common_element_kind(claim):
    """§12: whatever __getitem__ returns (Python int/float/str, numpy scalars and arrays of eight
    dtypes, tensors, dicts, tuples, lists, namedtuples, and all of these nested), the default
    collation gives tensors of the matching dtype with the batch dimension first, lists for
    strings and the same containers (tuples as lists). Older releases differ where the claim's
    expectations say (the registry has their releases): under ``namedtuple-list`` float16 and
    int8 arrays are refused, namedtuples flattened to lists and bools give int64; under
    ``bool-uint8`` bools give uint8; under ``np-float64-scalars-float32`` numpy float64 scalars
    give float32."""
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
    seen, wrong, messages = {}, {}, {}
    for name, (make, want, values) in kinds.items():
        try:
            batch = next(iter(DataLoader(Kind(make), batch_size=3)))
            got = seen[name] = describe(batch)
            ok = got == want and plain(batch) == values
        except Exception as err:  # a kind the collation refuses is a finding, not a crash
            got = seen[name] = "error: %s" % type(err).__name__
            messages[name] = str(err).splitlines()[0] if str(err) else ""
            ok = got == want
        if not ok:
            wrong[name] = {"expected": want, "seen": got}
    claim.observe("collated_kinds", seen)
    if messages:
        claim.observe("collate_errors", messages)
    claim.equal(wrong, {}, "the default collation of each element kind (the kinds that differ)")


@spec("data.dataloader-batches")
def test_batches_and_the_last_partial_batch(claim):
    """§16: DataLoader reads in batches of batch_size; the last batch holds the rest unless
    drop_last=True drops it."""
    ds = Squares(n=10, width=1)
    shapes = [tuple(b[0].shape) for b in DataLoader(ds, batch_size=4)]
    claim.observe("batch_shapes", shapes)
    claim.equal(shapes, [(4,), (4,), (2,)], "batch shapes for 10 samples by 4")
    claim.equal(len(DataLoader(ds, batch_size=4)), 3, "len(loader) counts the partial batch")
    dropped = [tuple(b[0].shape) for b in DataLoader(ds, batch_size=4, drop_last=True)]
    claim.observe("drop_last_shapes", dropped)
    claim.equal(dropped, [(4,), (4,)], "drop_last=True drops the partial batch")
    seen = torch.cat([b[0] for b in DataLoader(ds, batch_size=3)]).tolist()
    claim.equal(seen, [float(i * 10) for i in range(10)], "every sample once, in order")


class Range(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return i


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
]


@spec("data.dataloader-batches")
@pytest.mark.parametrize("workers", [0, 2])
def test_batches_at_the_edges(claim, workers):
    """§16: at the edges, with and without worker processes: a length that is not a multiple of
    the batch size gives a smaller last batch (dropped with drop_last=True), a batch larger
    than the dataset gives one short batch (none with drop_last), one sample gives one batch of
    one; every sample comes once, in order, and len(loader) counts the batches."""
    seen, wrong = {}, {}
    for (n, size, drop), sizes in EDGES:
        loader = DataLoader(Range(n), batch_size=size, drop_last=drop, num_workers=workers)
        batches = [b.tolist() for b in loader]
        key = "n=%d batch=%d drop_last=%s" % (n, size, drop)
        seen[key] = [len(b) for b in batches]
        flat = [i for b in batches for i in b]
        if seen[key] != sizes or flat != list(range(sum(sizes))) or len(loader) != len(sizes):
            wrong[key] = {"expected": sizes, "seen": seen[key], "samples": flat, "len": len(loader)}
    claim.observe("batch_sizes", seen)
    claim.equal(wrong, {}, "batch sizes, samples and len(loader) at the edges, %d workers (the cases that differ)" % workers)


@spec("data.dataloader-batches")
@pytest.mark.parametrize("workers", [0, 2])
def test_several_epochs(claim, workers):
    """§16: a DataLoader can be iterated epoch after epoch: without shuffle every epoch gives the
    same batches (the partial last one included); with shuffle and drop_last each epoch is a new
    draw of full batches of distinct samples."""
    loader = DataLoader(Range(10), batch_size=4, num_workers=workers)
    epochs = [[b.tolist() for b in loader] for _ in range(3)]
    claim.equal(epochs, [[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]] * 3, "three epochs in order, the same batches")
    torch.manual_seed(5)
    shuffled = DataLoader(Range(10), batch_size=4, shuffle=True, drop_last=True, num_workers=workers)
    draws = [[b.tolist() for b in shuffled] for _ in range(3)]
    claim.observe("shuffled_epochs", draws)
    claim.equal([[len(b) for b in e] for e in draws], [[4, 4]] * 3, "each shuffled epoch: two full batches (their sizes)")
    claim.equal([len({i for b in e for i in b}) for e in draws], [8] * 3, "each shuffled epoch: distinct samples (how many)")
    claim.equal(len({str(e) for e in draws}), 3, "each epoch is a new draw (different epochs of 3)")


def _epoch(loader):
    return torch.cat([b for b in loader]).tolist()


@spec("data.dataloader-shuffle")
def test_shuffle_permutes_each_epoch_reproducibly(claim):
    """§16: shuffle=True visits every sample exactly once per epoch in a new order each epoch;
    seeding reproduces the orders; without shuffle the order is the index order."""
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


class Noisy(Dataset):
    """Each sample: its index, a random 'augmentation' draw, the process that made it, and the
    worker id from get_worker_info (-1 in the main process; -2 where torch < 1.2 lacks it)."""

    def __len__(self):
        return 16

    def __getitem__(self, i):
        get_info = getattr(torch.utils.data, "get_worker_info", None)
        info = get_info() if get_info else None
        wid = -2.0 if get_info is None else (-1.0 if info is None else float(info.id))
        return torch.tensor([float(i), torch.rand(1).item(), wid, float(os.getpid())], dtype=torch.float64)


def _load(workers, seed):
    torch.manual_seed(seed)
    return [b for b in DataLoader(Noisy(), batch_size=4, num_workers=workers)]


@spec("data.dataloader-workers")
def test_worker_processes_keep_order_and_get_their_own_seeds(claim):
    """§16: num_workers=2 loads in worker processes: the batches come back in the same order as
    with num_workers=0; each worker has its own seed, so random augmentations differ between
    workers and repeat under the same torch.manual_seed."""
    serial, parallel = _load(0, 7), _load(2, 7)
    claim.equal([b[:, 0].tolist() for b in parallel], [b[:, 0].tolist() for b in serial],
                "same samples in the same batches and order (2 workers vs none)")
    pids = sorted({int(p) for b in parallel for p in b[:, 3].tolist()})
    claim.observe("loading_processes", len(pids))
    claim.holds(len(pids) == 2 and os.getpid() not in pids, "two worker processes (not this one) did the loading",
                loading_pids=pids, this_pid=os.getpid())
    workers = sorted({int(w) for b in parallel for w in b[:, 2].tolist()})
    claim.observe("worker_ids", workers)
    if hasattr(torch.utils.data, "get_worker_info") or claim.torch_version.release.release >= (1, 2):  # added in 1.2
        claim.equal(workers, [0, 1], "get_worker_info names the two workers")
    draws = {}
    for b in parallel:
        for _, r, _, p in b.tolist():
            draws.setdefault(int(p), []).append(r)
    claim.holds(len(draws) == 2 and len(set(map(tuple, draws.values()))) == 2,
                "two workers draw different random numbers", draws_per_process=draws)
    repeat = _load(2, 7)
    claim.equal([b[:, :3].tolist() for b in repeat], [b[:, :3].tolist() for b in parallel],
                "the same seed repeats the draws (index, draw, worker id)")


class Sentences(Dataset):
    LENGTHS = [3, 1, 4, 2, 5]

    def __len__(self):
        return len(self.LENGTHS)

    def __getitem__(self, i):
        return torch.arange(1, self.LENGTHS[i] + 1)


@spec("data.collate-fn")
def test_custom_collate_fn_receives_the_samples_and_returns_the_batch(claim):
    """§16: collate_fn decides how a list of samples becomes a batch: here it pads sequences of
    different lengths, which the default (stacking) refuses."""
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
        claim.fail("loading with a padding collate_fn works", raised="%s: %s" % (type(err).__name__, err))
    claim.equal(calls, [[3, 1], [4, 2], [5]], "collate_fn receives each list of samples (their lengths)")
    claim.equal(batches[0][0].tolist() if batches else None, [[1, 2, 3], [1, 0, 0]],
                "its return value is the batch (the first batch's padded tensor)")
    with claim.raises(RuntimeError, record="default_collate_ragged_error"):
        list(DataLoader(Sentences(), batch_size=2))


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


@spec("data.mnist-style-dataset")
def test_note_mnist_dataset_on_a_small_stored_file(claim, tmp_path):
    """§13: the note's Dataset gives mode-'L' PIL images and targets, applying transforms when
    given; its hard-coded length says 60000 even when the stored file holds 5 images, so
    indexing past the real size fails."""
    pytest.importorskip("PIL", reason="Pillow is not installed")
    rng = np.random.RandomState(0)
    images = torch.from_numpy(rng.randint(0, 256, size=(5, 28, 28)).astype(np.uint8))
    labels = torch.tensor([3, 1, 4, 1, 5])
    path = str(tmp_path / "training.pt")
    torch.save((images, labels), path)

    ds = NoteMNIST(path)
    with claim.warnings(record="pil_warnings"):  # only the PIL conversion: Pillow deprecates `mode`
        img, target = ds[2]
    claim.equal((img.mode, img.size), ("L", (28, 28)), "a 28x28 mode-'L' PIL image (mode, size)")
    claim.equal(np.asarray(img).tolist(), images[2].tolist(), "pixels are the stored ones")
    claim.equal(int(target), 4, "the stored target")

    to_tensor = NoteMNIST(path, transform=lambda im: torch.from_numpy(np.asarray(im, dtype=np.float32) / 255.0),
                          target_transform=lambda t: int(t) + 100)
    x, y = to_tensor[0]
    claim.is_instance(x, torch.Tensor, "the transform is applied")
    claim.all_in_range(x, 0, 1, "the transform's values (scaled to [0, 1])", inclusive=True)
    claim.equal(y, 103, "the target transform is applied")

    claim.observe("len", len(ds))
    claim.equal((len(ds), len(NoteMNIST(path, train=False))), (60000, 10000), "the hard-coded length (train, test)")
    with claim.raises(IndexError, record="index_past_stored_size"):
        ds[5]


# ------------------------------------------------------------------------------------- §16


def _idx_images(images):
    return struct.pack(">IIII", 2051, len(images), 28, 28) + images.tobytes()


def _idx_labels(labels):
    return struct.pack(">II", 2049, len(labels)) + labels.tobytes()


def _write_mnist(root, compressed_only=False, extracted_only=False):
    """Raw MNIST idx files under root/MNIST/raw, extracted and gzipped (or only one of the
    two): 6 training and 4 test images, the same ones on every call."""
    raw = os.path.join(root, "MNIST", "raw")
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


def _write_processed(root, data):
    """The older torchvision layout (expectation ``processed-files``): (images, labels) saved with
    torch.save under processed/."""
    processed = os.path.join(root, "MNIST", "processed")
    os.makedirs(processed, exist_ok=True)
    for prefix, name in (("train", "training.pt"), ("t10k", "test.pt")):
        images, labels = data[prefix]
        torch.save((torch.from_numpy(images), torch.from_numpy(labels.astype(np.int64))), os.path.join(processed, name))


@spec("data.torchvision-mnist")
def test_torchvision_mnist_uses_files_already_under_root(claim, tmp_path, no_network):
    """§16: with the data already under root, MNIST(root, download=True) loads it without any
    network access. root is the folder that contains MNIST/, not the data folder itself.
    Images are mode-'L' PIL images; ToTensor gives 1x28x28 floats in [0, 1]. Under the
    registry's ``processed-files`` expectation 'the data' meant the processed .pt files: raw idx
    files alone sent download=True to the network; under ``archives-unchecked`` (older still)
    .gz archives under raw/ counted too, unchecked, while the extracted idx files alone did not."""
    pytest.importorskip("torchvision", reason="torchvision is not installed")
    from torchvision import transforms
    from torchvision.datasets import MNIST

    old_layout = not claim.expects("raw-files")
    data = _write_mnist(str(tmp_path), extracted_only=claim.expects("archives-unchecked"))
    if old_layout:
        with claim.raises(Exception) as raised:
            MNIST(str(tmp_path), train=True, download=True)
        claim.observe("raw_only_download_error", _error_record(raised.value, tmp_path))
        claim.observe("raw_only_network_attempts", len(no_network))
        claim.greater(len(no_network), 0, "raw idx files alone are not 'already there' (network attempts)")
        if claim.expects("archives-unchecked"):
            _write_mnist(str(tmp_path), compressed_only=True)  # the .gz archives (not the published ones)
        else:
            _write_processed(str(tmp_path), data)
        del no_network[:]
    try:
        train = MNIST(str(tmp_path), train=True, download=True)
        test = MNIST(str(tmp_path), train=False, download=True)
    except Exception as err:  # a loader that went for the network fails here: that is the claim failing
        claim.fail("download=True with the files present loads them", network_attempts=len(no_network),
                   raised="%s: %s" % (type(err).__name__, (str(err).splitlines() or [""])[0]))
    claim.observe("network_attempts", len(no_network))
    claim.equal(len(no_network), 0, "download=True with the files present stays offline (network attempts)")
    claim.equal((len(train), len(test)), (6, 4), "sizes come from the files (train, test)")
    img, label = train[1]
    claim.equal((img.mode, img.size), ("L", (28, 28)), "images are 28x28 mode-'L' PIL images (mode, size)")
    claim.equal(np.asarray(img).tolist(), data["train"][0][1].tolist(), "the image is the stored one")
    claim.equal(int(label), int(data["train"][1][1]), "the label is the stored one")
    x, _ = MNIST(str(tmp_path), train=False, transform=transforms.ToTensor())[0]
    claim.equal((tuple(x.shape), x.dtype), ((1, 28, 28), torch.float32), "ToTensor gives 1x28x28 float32")
    claim.all_in_range(x, 0, 1, "ToTensor's values", inclusive=True)
    claim.close(x[0] * 255, data["t10k"][0][0].astype(np.float64), "ToTensor scales by 1/255", rtol=PIXEL_RTOL,
                atol=PIXEL_ATOL)

    with claim.raises(RuntimeError, match=r"[Dd]ataset not found", record="too_deep_root_error"):
        MNIST(str(tmp_path / "MNIST"), train=True, download=False)


@spec("data.torchvision-mnist")
def test_torchvision_mnist_without_files(claim, tmp_path, no_network):
    """§16: download=False with nothing under root raises the documented 'Dataset not found'
    error. 'Already there' means the extracted files (or archives with the published MD5): with
    only gzipped archives that fail the checksum, as the spec's small ones do, download=True
    goes to the network. Under the registry's ``archives-unchecked`` expectation no checksum was
    checked: the archives are extracted and loaded offline."""
    pytest.importorskip("torchvision", reason="torchvision is not installed")
    from torchvision.datasets import MNIST

    with claim.raises(RuntimeError, match=r"[Dd]ataset not found", record="missing_error"):
        MNIST(str(tmp_path / "empty"), train=True, download=False)
    _write_mnist(str(tmp_path / "gz"), compressed_only=True)
    if claim.expects("archives-unchecked"):
        loaded = MNIST(str(tmp_path / "gz"), train=True, download=True)
        claim.observe("gz_only_network_attempts", len(no_network))
        claim.equal((len(loaded), len(no_network)), (6, 0),
                    "unverified .gz archives are extracted and loaded offline (samples, network attempts)")
        return
    with claim.raises(Exception) as raised:
        MNIST(str(tmp_path / "gz"), train=True, download=True)
    claim.observe("gz_only_download_error", _error_record(raised.value, tmp_path))
    claim.observe("gz_only_network_attempts", len(no_network))
    claim.greater(len(no_network), 0, "with only unverified .gz archives download=True goes to the network (attempts)")
