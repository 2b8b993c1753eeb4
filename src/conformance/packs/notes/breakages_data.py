"""Breakages of the checks of the notes pack's data claims (see __init__).

Each one is a realistic regression in one public form that a data check probes, everything
else working. They patch the attributes DataLoader looks up when it runs (the collate module's
functions, the samplers' methods, the worker loop), so the worker processes, forked from this
one, inherit them.
"""
import copy
import inspect
import os

import torch  # noqa: F401
import torch.utils.data._utils.collate as _collate
from torch.utils.data import dataloader as _dataloader

from conformance.testing import breakage  # noqa: F401


def _wrap_loader_init(monkeypatch, change):
    """Replace DataLoader.__init__ by one that passes ``change(kwargs)`` to the real one."""
    orig = torch.utils.data.DataLoader.__init__

    def init(self, *args, **kwargs):
        orig(self, *args, **change(dict(kwargs)))

    monkeypatch.setattr(torch.utils.data.DataLoader, "__init__", init)


def _map_tensors(value, fn):
    if isinstance(value, torch.Tensor):
        return fn(value)
    if isinstance(value, dict):
        return {k: _map_tensors(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_tensors(v, fn) for v in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(_map_tensors(v, fn) for v in value)
    return value


def _wrap_default_collate(monkeypatch, fn):
    orig = _collate.default_collate
    monkeypatch.setattr(_collate, "default_collate", lambda batch: fn(batch, orig(batch)))


# ------------------------------------------------------------------------ data.dataset-protocol
@breakage
def collate_batches_only_two_positions(monkeypatch):
    """Samples that are tuples of three or more items lose every position after the second."""
    _wrap_default_collate(monkeypatch, lambda batch, out: out[:2] if isinstance(batch[0], tuple) else out)


@breakage
def tensor_dataset_drops_the_last_tensor(monkeypatch):
    monkeypatch.setattr(torch.utils.data.TensorDataset, "__getitem__",
                        lambda self, index: tuple(t[index] for t in self.tensors[:-1]))


@breakage
def tensor_dataset_accepts_mismatched_sizes(monkeypatch):
    def init(self, *tensors):
        self.tensors = tensors

    monkeypatch.setattr(torch.utils.data.TensorDataset, "__init__", init)


@breakage
def loader_sizes_every_dataset(monkeypatch):
    """DataLoader calls len(dataset) even when a sampler or batch sampler says what to load."""
    orig = torch.utils.data.DataLoader.__init__

    def init(self, dataset, *args, **kwargs):
        len(dataset)
        orig(self, dataset, *args, **kwargs)

    monkeypatch.setattr(torch.utils.data.DataLoader, "__init__", init)


@breakage
def dataset_add_swaps_the_parts(monkeypatch):
    monkeypatch.setattr(torch.utils.data.Dataset, "__add__",
                        lambda self, other: torch.utils.data.ConcatDataset([other, self]))


# ------------------------------------------------------------------------ data.getitem-types
@breakage
def default_collate_narrows_floats(monkeypatch):
    """float64 results (Python floats, numpy float64) come back as float32."""
    _wrap_default_collate(monkeypatch, lambda batch, out: _map_tensors(
        out, lambda t: t.float() if t.dtype == torch.float64 else t))


@breakage
def default_collate_rounds_big_integers(monkeypatch):
    """int64 results go through float64 on the way: integers beyond 2**53 are rounded."""
    _wrap_default_collate(monkeypatch, lambda batch, out: _map_tensors(
        out, lambda t: t.double().long() if t.dtype == torch.int64 else t))


@breakage
def collate_reads_numpy_arrays_in_memory_order(monkeypatch):
    """Non-contiguous numpy arrays (transposed views) are read in memory order, their strides ignored."""
    import numpy as np

    def fix(batch, out):
        if isinstance(batch[0], np.ndarray) and not batch[0].flags.c_contiguous:
            return torch.stack([torch.from_numpy(np.ascontiguousarray(b.ravel(order="K"))).reshape(b.shape) for b in batch])
        return out

    _wrap_default_collate(monkeypatch, fix)


@breakage
def default_convert_keeps_numpy(monkeypatch):
    """Unbatched loading (batch_size=None) hands over numpy arrays and scalars unconverted."""
    monkeypatch.setattr(_collate, "default_convert", lambda data: data)


# ------------------------------------------------------------------------ data.dataloader-batches
@breakage
def loader_ignores_its_sampler(monkeypatch):
    def change(kwargs):
        kwargs.pop("sampler", None)
        return kwargs

    _wrap_loader_init(monkeypatch, change)


@breakage
def batch_sampler_len_counts_the_partial_batch(monkeypatch):
    """len(loader) rounds up even with drop_last=True."""
    monkeypatch.setattr(torch.utils.data.BatchSampler, "__len__",
                        lambda self: (len(self.sampler) + self.batch_size - 1) // self.batch_size)


@breakage
def later_epochs_drop_the_last(monkeypatch):
    """The batch sampler drops the partial last batch from its second epoch on."""
    orig = torch.utils.data.BatchSampler.__iter__

    def iterate(self):
        epoch = self.__dict__.get("_epochs_seen", 0)
        self._epochs_seen = epoch + 1
        for batch in orig(self):
            if epoch == 0 or len(batch) == self.batch_size:
                yield batch

    monkeypatch.setattr(torch.utils.data.BatchSampler, "__iter__", iterate)


# ------------------------------------------------------------------------ data.dataloader-shuffle
def _randperm_of(sampler, generator):
    return iter(torch.randperm(len(sampler.data_source), generator=generator).tolist())


@breakage
def global_shuffle_repeats_each_epoch(monkeypatch):
    """Without a generator, RandomSampler draws its seed once and repeats the order every epoch."""
    orig = torch.utils.data.RandomSampler.__iter__

    def iterate(self):
        if self.generator is not None or self.replacement:
            return orig(self)
        if "_fixed_seed" not in self.__dict__:
            self._fixed_seed = int(torch.empty((), dtype=torch.int64).random_().item())
        gen = torch.Generator()
        gen.manual_seed(self._fixed_seed)
        return _randperm_of(self, gen)

    monkeypatch.setattr(torch.utils.data.RandomSampler, "__iter__", iterate)


@breakage
def generator_shuffle_repeats_each_epoch(monkeypatch):
    """With a generator, RandomSampler reseeds it to its initial seed every epoch."""
    orig = torch.utils.data.RandomSampler.__iter__

    def iterate(self):
        if self.generator is not None:
            self.generator.manual_seed(self.generator.initial_seed())
        return orig(self)

    monkeypatch.setattr(torch.utils.data.RandomSampler, "__iter__", iterate)


@breakage
def loader_ignores_its_generator(monkeypatch):
    def change(kwargs):
        kwargs.pop("generator", None)
        return kwargs

    _wrap_loader_init(monkeypatch, change)


@breakage
def subset_random_sampler_keeps_its_order(monkeypatch):
    monkeypatch.setattr(torch.utils.data.SubsetRandomSampler, "__iter__", lambda self: iter(list(self.indices)))


@breakage
def shuffle_and_sampler_accepted(monkeypatch):
    """sampler= with shuffle=True is taken (the shuffle silently dropped), not refused."""
    def change(kwargs):
        if kwargs.get("sampler") is not None:
            kwargs.pop("shuffle", None)
        return kwargs

    _wrap_loader_init(monkeypatch, change)


# ------------------------------------------------------------------------ data.dataloader-workers
def _wrap_worker_loop(monkeypatch, change):
    """Replace the worker loop (run in each worker process) by one that passes its bound
    arguments through ``change(arguments)`` first."""
    orig = torch.utils.data._utils.worker._worker_loop
    signature = inspect.signature(orig)

    def loop(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        change(bound.arguments)
        return orig(*bound.args, **bound.kwargs)

    monkeypatch.setattr(torch.utils.data._utils.worker, "_worker_loop", loop)


@breakage
def worker_batches_arrive_out_of_order(monkeypatch):
    """With workers, batches come back in pairs swapped (the order of arrival, not of the sampler)."""
    iterator = _dataloader._MultiProcessingDataLoaderIter
    orig = iterator._next_data

    def next_data(self):
        held = self.__dict__.pop("_held_batch", None)
        if held is not None:
            return held
        first = orig(self)
        try:
            second = orig(self)
        except StopIteration:
            return first
        self._held_batch = first
        return second

    monkeypatch.setattr(iterator, "_next_data", next_data)


@breakage
def workers_share_one_seed(monkeypatch):
    """Every worker is seeded with the base seed, not base seed + worker id."""
    def change(arguments):
        base, init = arguments["base_seed"], arguments["init_fn"]

        def reseed(worker_id):
            torch.manual_seed(base)
            if init is not None:
                init(worker_id)

        arguments["init_fn"] = reseed

    _wrap_worker_loop(monkeypatch, change)


@breakage
def worker_seeds_ignore_manual_seed(monkeypatch):
    """The workers' base seed comes from the OS, not from torch's (seeded) generator."""
    def change(arguments):
        arguments["base_seed"] = int.from_bytes(os.urandom(7), "little")

    _wrap_worker_loop(monkeypatch, change)


@breakage
def worker_init_fn_ignored(monkeypatch):
    def change(kwargs):
        kwargs.pop("worker_init_fn", None)
        return kwargs

    _wrap_loader_init(monkeypatch, change)


@breakage
def persistent_workers_ignored(monkeypatch):
    def change(kwargs):
        if "persistent_workers" in kwargs:
            kwargs["persistent_workers"] = False
        return kwargs

    _wrap_loader_init(monkeypatch, change)


# ------------------------------------------------------------------------ data.collate-fn
@breakage
def collate_fn_gets_a_tuple(monkeypatch):
    """A custom collate_fn receives the samples as a tuple, not a list."""
    def change(kwargs):
        fn = kwargs.get("collate_fn")
        if fn is not None:
            kwargs["collate_fn"] = lambda samples: fn(tuple(samples))
        return kwargs

    _wrap_loader_init(monkeypatch, change)


@breakage
def loader_copies_collate_output(monkeypatch):
    """The batch is a (shallow) copy of what collate_fn returned, not that object."""
    iterator = _dataloader._SingleProcessDataLoaderIter
    orig = iterator._next_data
    monkeypatch.setattr(iterator, "_next_data", lambda self: copy.copy(orig(self)))


@breakage
def public_default_collate_narrows_floats(monkeypatch):
    """torch.utils.data.default_collate (the public name) gives float32 where DataLoader's gives float64."""
    orig = torch.utils.data.default_collate
    monkeypatch.setattr(torch.utils.data, "default_collate", lambda batch: _map_tensors(
        orig(batch), lambda t: t.float() if t.dtype == torch.float64 else t))


# ------------------------------------------------------------------------ data.mnist-style-dataset
@breakage
def load_widens_uint8_tensors(monkeypatch):
    """torch.load gives uint8 tensors back as int64 (the stored dtype lost)."""
    orig = torch.load
    monkeypatch.setattr(torch, "load", lambda *a, **k: _map_tensors(
        orig(*a, **k), lambda t: t.long() if t.dtype == torch.uint8 else t))


@breakage
def tensor_index_past_the_end_clamps(monkeypatch):
    """An integer index past the end gives the last row instead of raising IndexError."""
    orig = torch.Tensor.__getitem__

    def getitem(self, index):
        if isinstance(index, int) and self.dim() > 0 and index >= self.shape[0] > 0:
            index = self.shape[0] - 1
        return orig(self, index)

    monkeypatch.setattr(torch.Tensor, "__getitem__", getitem)


# ------------------------------------------------------------------------ data.torchvision-mnist
def _mnist():
    from torchvision.datasets import MNIST

    return MNIST


@breakage
def mnist_download_ignores_present_files(monkeypatch):
    """download=True fetches again although the files are there."""
    MNIST = _mnist()
    orig = MNIST.download

    def download(self):
        self._check_exists = lambda: False
        try:
            return orig(self)
        finally:
            del self._check_exists

    monkeypatch.setattr(MNIST, "download", download)


@breakage
def mnist_downloads_when_files_are_missing(monkeypatch):
    """download=False goes to the network when the files are missing (instead of 'Dataset not found')."""
    MNIST = _mnist()
    orig = MNIST.__init__

    def init(self, root, *args, **kwargs):
        kwargs["download"] = True
        orig(self, root, *args[:3], **kwargs)

    monkeypatch.setattr(MNIST, "__init__", init)


@breakage
def vision_datasets_take_only_str_roots(monkeypatch):
    """A pathlib.Path root is dropped (only str roots are kept)."""
    from torchvision.datasets.vision import VisionDataset

    orig = VisionDataset.__init__

    def init(self, root=None, *args, **kwargs):
        orig(self, root if isinstance(root, str) else None, *args, **kwargs)

    monkeypatch.setattr(VisionDataset, "__init__", init)


@breakage
def mnist_targets_as_uint8(monkeypatch):
    """The label files are read as uint8 targets, not int64."""
    import torchvision.datasets.mnist as mnist

    orig = mnist.read_label_file
    monkeypatch.setattr(mnist, "read_label_file", lambda path: orig(path).to(torch.uint8))


@breakage
def mnist_train_flag_ignored(monkeypatch):
    """train=False reads the training files too."""
    MNIST = _mnist()
    orig = MNIST.__init__

    def init(self, root, *args, **kwargs):
        if args:
            args = (True,) + tuple(args[1:])
        else:
            kwargs["train"] = True
        orig(self, root, *args, **kwargs)

    monkeypatch.setattr(MNIST, "__init__", init)


@breakage
def mnist_ignores_target_transform(monkeypatch):
    MNIST = _mnist()
    orig = MNIST.__getitem__

    def getitem(self, index):
        kept, self.target_transform = self.target_transform, None
        try:
            return orig(self, index)
        finally:
            self.target_transform = kept

    monkeypatch.setattr(MNIST, "__getitem__", getitem)
