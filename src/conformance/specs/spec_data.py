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
        claim.check(len(ds) == 6 and len(ds[4]) == width, "len() and indexing, width %d" % width, (6, width),
                    (len(ds), len(ds[4])))
        batch = next(iter(DataLoader(ds, batch_size=4)))
        claim.check(len(batch) == width and all(tuple(b.shape) == (4,) for b in batch),
                    "a batch has one stacked tensor per tuple position", width, [tuple(b.shape) for b in batch])
        claim.close(batch[-1], [float(i * 10 + width - 1) for i in range(4)], "values of the last position")


@spec("data.dataset-protocol")
def test_missing_len_or_getitem_fails(claim):
    """§12, §16: both methods are needed: without __getitem__ indexing raises
    NotImplementedError (Dataset's own), without __len__ the default sampler cannot size it."""

    class NoGetitem(Dataset):
        def __len__(self):
            return 3

    class NoLen(Dataset):
        def __getitem__(self, i):
            return i

    with claim.raises(NotImplementedError, record="no_getitem_error"):
        NoGetitem()[0]
    with claim.raises(TypeError, record="no_len_error"):
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
    claim.check(isinstance(batch, dict), "a dict sample gives a dict batch", "dict", type(batch))
    kinds = {k: ("%s/%s" % (type(v).__name__, str(v.dtype).replace("torch.", "")) if isinstance(v, torch.Tensor)
                 else type(v).__name__) for k, v in batch.items()}
    claim.observe("collated", kinds)
    claim.observe("pair_container", type(batch["pair"]).__name__)
    claim.check(kinds["image"] == "Tensor/uint8" and tuple(batch["image"].shape) == (3, 2, 3),
                "numpy images are stacked, dtype kept", "Tensor/uint8 (3, 2, 3)", (kinds["image"], batch["image"].shape))
    claim.check(kinds["label"] == "Tensor/int64", "int labels become int64", "Tensor/int64", kinds["label"])
    claim.check(kinds["score"] == "Tensor/float64", "Python floats become float64", "Tensor/float64", kinds["score"])
    claim.check(batch["name"] == ["s0", "s1", "s2"], "strings stay a list", ["s0", "s1", "s2"], batch["name"])
    claim.check(isinstance(batch["point"], Point) and batch["point"].y.tolist() == [0, -1, -2],
                "namedtuples keep their type, fields batched", "Point(x=..., y=[0, -1, -2])", batch["point"])
    claim.check(batch["pair"][0].tolist() == [0, 1, 2] and batch["pair"][1].dtype == torch.float64,
                "tuples are batched position by position", "[0, 1, 2] and float64", batch["pair"])
    claim.check(batch["nested"]["k"].dtype == torch.float32, "numpy scalars keep their dtype", "float32",
                batch["nested"]["k"].dtype)
    claim.check(batch["flag"].tolist() in ([True, False, True], [1, 0, 1]), "bools are batched", "[T, F, T]",
                batch["flag"])


@spec("data.dataloader-batches")
def test_batches_and_the_last_partial_batch(claim):
    """§16: DataLoader reads in batches of batch_size; the last batch holds the rest unless
    drop_last=True drops it."""
    ds = Squares(n=10, width=1)
    shapes = [tuple(b[0].shape) for b in DataLoader(ds, batch_size=4)]
    claim.observe("batch_shapes", shapes)
    claim.check(shapes == [(4,), (4,), (2,)], "batch shapes for 10 samples by 4", [(4,), (4,), (2,)], shapes)
    claim.check(len(DataLoader(ds, batch_size=4)) == 3, "len(loader) counts the partial batch", 3,
                len(DataLoader(ds, batch_size=4)))
    dropped = [tuple(b[0].shape) for b in DataLoader(ds, batch_size=4, drop_last=True)]
    claim.observe("drop_last_shapes", dropped)
    claim.check(dropped == [(4,), (4,)], "drop_last=True drops the partial batch", [(4,), (4,)], dropped)
    seen = torch.cat([b[0] for b in DataLoader(ds, batch_size=3)]).tolist()
    claim.check(seen == [float(i * 10) for i in range(10)], "every sample once, in order", "0, 10, ..., 90", seen)


class Index(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i


def _epoch(loader):
    return torch.cat([b for b in loader]).tolist()


@spec("data.dataloader-shuffle")
def test_shuffle_permutes_each_epoch_reproducibly(claim):
    """§16: shuffle=True visits every sample exactly once per epoch in a new order each epoch;
    seeding reproduces the orders; without shuffle the order is the index order."""
    n = 50
    torch.manual_seed(123)
    loader = DataLoader(Index(n), batch_size=8, shuffle=True)
    first, second = _epoch(loader), _epoch(loader)
    claim.check(sorted(first) == list(range(n)) and sorted(second) == list(range(n)),
                "each epoch is a permutation", "every index once", (first, second))
    claim.check(first != second, "orders differ across epochs", "different", "identical")
    claim.check(first != list(range(n)), "a shuffled epoch is not the index order", "shuffled", first)
    torch.manual_seed(123)
    again = DataLoader(Index(n), batch_size=8, shuffle=True)
    claim.check(_epoch(again) == first and _epoch(again) == second, "the same seed gives the same orders",
                "same orders", "different")
    claim.check(_epoch(DataLoader(Index(n), batch_size=8)) == list(range(n)), "no shuffle: index order",
                "0..49", "other")


class Noisy(Dataset):
    """Each sample: its index, a random 'augmentation' draw, and the worker that made it."""

    def __len__(self):
        return 16

    def __getitem__(self, i):
        info = torch.utils.data.get_worker_info()
        return torch.tensor([float(i), torch.rand(1).item(), -1.0 if info is None else float(info.id)])


def _load(workers, seed):
    torch.manual_seed(seed)
    return [b for b in DataLoader(Noisy(), batch_size=4, num_workers=workers)]


@spec("data.dataloader-workers")
def test_worker_processes_keep_order_and_get_their_own_seeds(claim):
    """§16: num_workers=2 loads in worker processes: the batches come back in the same order as
    with num_workers=0; each worker has its own seed, so random augmentations differ between
    workers and repeat under the same torch.manual_seed."""
    serial, parallel = _load(0, 7), _load(2, 7)
    claim.check([b[:, 0].tolist() for b in parallel] == [b[:, 0].tolist() for b in serial],
                "same samples in the same batches and order", [b[:, 0].tolist() for b in serial],
                [b[:, 0].tolist() for b in parallel])
    workers = sorted({int(w) for b in parallel for w in b[:, 2].tolist()})
    claim.observe("worker_ids", workers)
    claim.check(workers == [0, 1], "two worker processes did the loading", [0, 1], workers)
    draws = {}
    for b in parallel:
        for _, r, w in b.tolist():
            draws.setdefault(int(w), []).append(r)
    claim.check(draws[0] != draws[1], "workers draw different random numbers", "different streams", draws)
    repeat = _load(2, 7)
    claim.check(all(torch.equal(a, b) for a, b in zip(parallel, repeat)), "the same seed repeats the draws",
                "identical batches", "different")


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
        batches = []
        claim.check(False, "loading with a padding collate_fn", "batches", err)
    claim.check(calls == [[3, 1], [4, 2], [5]], "collate_fn receives each list of samples", [[3, 1], [4, 2], [5]], calls)
    claim.check(batches and batches[0][0].tolist() == [[1, 2, 3], [1, 0, 0]], "its return value is the batch",
                [[1, 2, 3], [1, 0, 0]], batches[0][0].tolist() if batches else None)
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
    claim.check(img.mode == "L" and img.size == (28, 28), "a 28x28 mode-'L' PIL image", ("L", (28, 28)),
                (img.mode, img.size))
    claim.check(np.array_equal(np.asarray(img), images[2].numpy()), "pixels are the stored ones", "equal", "differ")
    claim.check(int(target) == 4, "the stored target", 4, target)

    to_tensor = NoteMNIST(path, transform=lambda im: torch.from_numpy(np.asarray(im, dtype=np.float32) / 255.0),
                          target_transform=lambda t: int(t) + 100)
    x, y = to_tensor[0]
    claim.check(isinstance(x, torch.Tensor) and float(x.max()) <= 1.0 and y == 103, "transforms are applied",
                "tensor in [0, 1], target 103", (type(x).__name__, y))

    claim.observe("len", len(ds))
    claim.check(len(ds) == 60000 and len(NoteMNIST(path, train=False)) == 10000, "the hard-coded length",
                (60000, 10000), len(ds))
    with claim.raises(IndexError, record="index_past_stored_size"):
        ds[5]


# ------------------------------------------------------------------------------------- §16


def _idx_images(images):
    return struct.pack(">IIII", 2051, len(images), 28, 28) + images.tobytes()


def _idx_labels(labels):
    return struct.pack(">II", 2049, len(labels)) + labels.tobytes()


def _write_mnist(root, compressed_only=False):
    """Raw MNIST idx files under root/MNIST/raw: 6 training and 4 test images."""
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


def _write_processed(root, data):
    """The pre-0.10 torchvision layout: (images, labels) saved with torch.save under processed/."""
    processed = os.path.join(root, "MNIST", "processed")
    os.makedirs(processed, exist_ok=True)
    for prefix, name in (("train", "training.pt"), ("t10k", "test.pt")):
        images, labels = data[prefix]
        torch.save((torch.from_numpy(images), torch.from_numpy(labels.astype(np.int64))), os.path.join(processed, name))


@spec("data.torchvision-mnist")
def test_torchvision_mnist_uses_files_already_under_root(claim, tmp_path, no_network):
    """§16: with the data already under root, MNIST(root, download=True) loads it without any
    network access. root is the folder that contains MNIST/, not the data folder itself.
    Images are mode-'L' PIL images; ToTensor gives 1x28x28 floats in [0, 1]. Before torch 1.9
    (torchvision 0.10) 'the data' meant the processed .pt files: raw idx files alone sent
    download=True to the network."""
    pytest.importorskip("torchvision", reason="torchvision is not installed")
    from torchvision import transforms
    from torchvision.datasets import MNIST

    data = _write_mnist(str(tmp_path))
    if claim.expects("processed-files"):
        with claim.raises(Exception, record="raw_only_download_error"):
            MNIST(str(tmp_path), train=True, download=True)
        claim.observe("raw_only_network_attempts", len(no_network))
        claim.check(len(no_network) > 0, "raw idx files alone are not 'already there'", "> 0 attempts", 0)
        _write_processed(str(tmp_path), data)
        del no_network[:]
    try:
        train = MNIST(str(tmp_path), train=True, download=True)
        test = MNIST(str(tmp_path), train=False, download=True)
    except Exception as err:  # a loader that went for the network fails here: that is the claim failing
        claim.check(False, "download=True with the files present loads them", "a dataset",
                    "%s: %s (network attempts: %d)" % (type(err).__name__, str(err).splitlines()[0], len(no_network)))
    claim.observe("network_attempts", len(no_network))
    claim.check(not no_network, "download=True with the files present stays offline", 0, len(no_network))
    claim.check((len(train), len(test)) == (6, 4), "sizes come from the files", (6, 4), (len(train), len(test)))
    img, label = train[1]
    claim.check(img.mode == "L" and img.size == (28, 28), "images are 28x28 mode-'L' PIL images", ("L", (28, 28)),
                (img.mode, img.size))
    claim.check(np.array_equal(np.asarray(img), data["train"][0][1]) and int(label) == int(data["train"][1][1]),
                "image and label are the stored ones", "equal", "differ")
    x, _ = MNIST(str(tmp_path), train=False, transform=transforms.ToTensor())[0]
    claim.check(tuple(x.shape) == (1, 28, 28) and x.dtype == torch.float32 and 0 <= float(x.min()) <= float(x.max()) <= 1,
                "ToTensor gives 1x28x28 float32 in [0, 1]", "(1, 28, 28) float32 in [0, 1]", (tuple(x.shape), x.dtype))
    claim.close(x[0] * 255, data["t10k"][0][0].astype(np.float64), "ToTensor scales by 1/255", rtol=1e-5, atol=1e-3)

    with claim.raises(RuntimeError, match=r"[Dd]ataset not found", record="too_deep_root_error"):
        MNIST(str(tmp_path / "MNIST"), train=True, download=False)


@spec("data.torchvision-mnist")
def test_torchvision_mnist_without_files(claim, tmp_path, no_network):
    """§16: download=False with nothing under root raises the documented 'Dataset not found'
    error. 'Already there' means the extracted files (or archives with the published MD5): with
    only gzipped archives that fail the checksum, as the spec's small ones do, download=True
    goes to the network."""
    pytest.importorskip("torchvision", reason="torchvision is not installed")
    from torchvision.datasets import MNIST

    with claim.raises(RuntimeError, match=r"[Dd]ataset not found", record="missing_error"):
        MNIST(str(tmp_path / "empty"), train=True, download=False)
    _write_mnist(str(tmp_path / "gz"), compressed_only=True)
    with claim.raises(Exception, record="gz_only_download_error"):
        MNIST(str(tmp_path / "gz"), train=True, download=True)
    claim.observe("gz_only_network_attempts", len(no_network))
    claim.check(len(no_network) > 0, "with only unverified .gz archives download=True goes to the network", "> 0 attempts",
                len(no_network))
