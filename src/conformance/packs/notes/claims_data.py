"""Claims of the notes pack: Dataset, DataLoader and torchvision's MNIST (§12, §13, §16).

One record per claim: what the note says (paraphrased), what is true per release range with
its evidence, and the reach of its specs (``checks``: what they probe, each with the spec and
the breakage that shows the probe can fail; ``not_checked``: what they leave out, and why).
The specs are ``specs/spec_data.py``; the breakages ``tests/breakages/data.py``.
Imports nothing heavy: the CLI, report and diff read it without torch.
"""
from conformance import verdicts as V
from conformance.records import EVERY_RUN, Check, Claim, Expectation, Idiom, NotChecked, always  # noqa: F401

# What the note was doing (the setting of a claim page), shared by several claims
DATA = ("§12 and §16 summarise how data reaches a network: a custom dataset subclasses "
         "torch.utils.data.Dataset and implements __len__ and __getitem__, and torch.utils.data.DataLoader "
         "turns it into batches, shuffles it, loads it with several processes and merges samples with "
         "collate_fn.")

# The examples: each function's body is a runnable script (claim pages, explain; tests/test_examples.py runs it)

def _dataset_protocol():
    import torch
    from torch.utils.data import DataLoader, Dataset

    class Triples(Dataset):
        def __len__(self):
            return 6

        def __getitem__(self, i):
            return torch.tensor(float(i)), i * 10, "s%d" % i  # a tuple of any length

    batch = next(iter(DataLoader(Triples(), batch_size=4)))
    assert len(batch) == 3 and batch[0].tolist() == [0.0, 1.0, 2.0, 3.0]


def _getitem_types():
    import numpy as np
    import torch
    from torch.utils.data import DataLoader, Dataset

    class Images(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return np.full((2, 2), i, dtype=np.uint8), i  # a numpy image and an int label

    images, labels = next(iter(DataLoader(Images(), batch_size=4)))
    assert images.dtype == torch.uint8 and tuple(images.shape) == (4, 2, 2)
    assert labels.dtype == torch.int64


def _dataloader_batches():
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    ds = TensorDataset(torch.arange(10.0))
    assert [len(b[0]) for b in DataLoader(ds, batch_size=4)] == [4, 4, 2]  # a smaller last batch
    assert [len(b[0]) for b in DataLoader(ds, batch_size=4, drop_last=True)] == [4, 4]


def _dataloader_shuffle():
    import torch
    from torch.utils.data import DataLoader

    torch.manual_seed(0)  # the same seed gives the same orders
    loader = DataLoader(list(range(20)), batch_size=5, shuffle=True)
    epoch1 = [i for b in loader for i in b.tolist()]
    epoch2 = [i for b in loader for i in b.tolist()]
    assert sorted(epoch1) == list(range(20)) and epoch1 != epoch2  # a new permutation each epoch


def _dataloader_workers():
    from torch.utils.data import DataLoader

    data = list(range(16))
    serial = [b.tolist() for b in DataLoader(data, batch_size=4)]
    parallel = [b.tolist() for b in DataLoader(data, batch_size=4, num_workers=2)]
    assert parallel == serial  # two worker processes, same batches in the same order


def _collate_fn():
    import torch
    from torch.utils.data import DataLoader

    sentences = [torch.arange(1, n + 1) for n in (3, 1, 4, 2)]

    def pad(samples):  # gets the list of samples, returns the batch
        out = torch.zeros(len(samples), max(len(s) for s in samples), dtype=torch.long)
        for row, s in enumerate(samples):
            out[row, :len(s)] = s
        return out

    batches = list(DataLoader(sentences, batch_size=2, collate_fn=pad))
    assert batches[0].tolist() == [[1, 2, 3], [1, 0, 0]]


def _mnist_style_dataset():
    import torch
    from PIL import Image
    from torch.utils.data import Dataset

    class SmallMNIST(Dataset):
        def __init__(self, images, labels):
            self.images, self.labels = images, labels

        def __getitem__(self, i):
            return Image.fromarray(self.images[i].numpy()), int(self.labels[i])  # uint8 HxW: mode 'L'

        def __len__(self):
            return len(self.images)  # not a hard-coded 60000

    ds = SmallMNIST(torch.zeros(5, 28, 28, dtype=torch.uint8), torch.arange(5))
    img, label = ds[2]
    assert img.mode == "L" and img.size == (28, 28) and label == 2 and len(ds) == 5


def _torchvision_mnist():
    import os
    import struct
    import tempfile

    import numpy as np
    from torchvision.datasets import MNIST

    root = tempfile.mkdtemp()  # the folder that contains MNIST/
    raw = os.path.join(root, "MNIST", "raw")
    os.makedirs(raw)
    for prefix, n in (("train", 6), ("t10k", 4)):  # the extracted idx files, as the download leaves them
        with open(os.path.join(raw, prefix + "-images-idx3-ubyte"), "wb") as fh:
            fh.write(struct.pack(">IIII", 2051, n, 28, 28) + np.zeros((n, 28, 28), np.uint8).tobytes())
        with open(os.path.join(raw, prefix + "-labels-idx1-ubyte"), "wb") as fh:
            fh.write(struct.pack(">II", 2049, n) + np.arange(n, dtype=np.uint8).tobytes())
    train = MNIST(root, train=True, download=True)  # files present: nothing is downloaded
    assert len(train) == 6


CLAIMS = (
    Claim(
        "data.dataset-protocol", (12, 16),
        "A Dataset subclass must implement __len__ and __getitem__; __getitem__ may return a "
        "tuple of any length.",
        (
            Expectation(
                ">=2.11", V.HOLDS,
                "Without __getitem__ indexing raises NotImplementedError; without __len__ a "
                "DataLoader with the default sampler raises TypeError (an explicit sampler or "
                "batch sampler does without it); ConcatDataset (a + b) counts negative indices "
                "from the end; TensorDataset refuses tensors of different lengths again.",
                key="no-len-typeerror", since="2.11.0",
                evidence="run: 2.11.0 TensorDataset(images, labels[:4]) raises AssertionError 'Size mismatch "
                "between tensors'; 2.10.0 accepts it",
            ),
            Expectation(
                ">=2.10,<2.11", V.HOLDS_WITH_CAVEAT,
                "As from 1.2, except that TensorDataset accepts tensors of different lengths without "
                "complaint (2.10.0 only): a mismatch shows up later, as an IndexError or a short sample.",
                key="size-mismatch-accepted", since="2.10.0",
                evidence="run: 2.10.0 TensorDataset(images, labels[:4]) raises nothing; 2.9.1 raises "
                "AssertionError 'Size mismatch between tensors'",
            ),
            Expectation(
                ">=1.2,<2.10", V.HOLDS,
                "Without __getitem__ indexing raises NotImplementedError; without __len__ a "
                "DataLoader with the default sampler raises TypeError (an explicit sampler or "
                "batch sampler does without it); ConcatDataset (a + b) counts negative indices "
                "from the end.",
                key="no-len-typeerror", since="1.2.0",
                evidence="run: 1.2.0 raises TypeError (\"object of type 'NoLen' has no len()\") for the "
                "default sampler of a Dataset without __len__; 1.1.0 raises NotImplementedError from "
                "Dataset.__len__",
            ),
            Expectation(
                ">=1.1,<1.2", V.HOLDS,
                "As from 1.2 (ConcatDataset counts negative indices from the end), except that without "
                "__len__ Dataset's own __len__ raises NotImplementedError when the default sampler "
                "sizes it.",
                key="no-len-notimplemented", since="1.1.0",
                evidence="run: 1.1.0 gives (a + b)[-1] as b's last sample; 1.0.1 passes -1 on to a "
                "(IndexError from a)",
            ),
            Expectation(
                "<1.1", V.HOLDS,
                "Without __getitem__ indexing raises NotImplementedError; without __len__ too: "
                "Dataset's own __len__ raises NotImplementedError when the default sampler sizes it. "
                "ConcatDataset passes a negative index on to its first part.",
                key="concat-negative-index-to-first",
                evidence="run: 1.0.0 and 1.0.1 raise NotImplementedError from Dataset.__len__ and pass "
                "(a + b)[-1] on to a",
            ),
        ),
        area="data",
        checks=(
            Check(id="subclass-tuples", kind="example",
                  what="A Dataset subclass with __len__ and __getitem__ whose samples are tuples of 1, 2, 3 "
                  "and 5 items: len(), indexing, and DataLoader batching each position",
                  spec="test_len_and_getitem_make_a_dataset", breakage="collate_batches_only_two_positions",
                  apis=("Dataset", "DataLoader")),
            Check(id="missing-methods", kind="errors",
                  what="Without __getitem__ indexing raises NotImplementedError; without __len__ the default "
                  "sampler refuses the dataset (TypeError; NotImplementedError before 1.2)",
                  spec="test_missing_len_or_getitem_fails", breakage="dataset_getitem_returns_none",
                  apis=("Dataset", "DataLoader")),
            Check(id="tensor-dataset", kind="spelling",
                  what="TensorDataset of one, two and three tensors: len(), samples as tuples of rows (negative "
                  "indices too), batched by DataLoader position by position",
                  spec="test_tensor_dataset_is_a_dataset_of_tuples", breakage="tensor_dataset_drops_the_last_tensor",
                  apis=("TensorDataset", "DataLoader")),
            Check(id="tensor-dataset-sizes", kind="errors",
                  what="TensorDataset refuses tensors of different first dimensions",
                  spec="test_tensor_dataset_is_a_dataset_of_tuples",
                  breakage="tensor_dataset_accepts_mismatched_sizes", apis=("TensorDataset",)),
            Check(id="no-len-with-sampler", kind="spelling",
                  what="A map-style Dataset with only __getitem__ is indexed, and loads through sampler= and "
                  "batch_sampler= (only the default sampler needs __len__)",
                  spec="test_map_style_dataset_without_len_loads_with_a_sampler",
                  breakage="loader_sizes_every_dataset",
                  apis=("Dataset", "DataLoader(sampler=...)", "DataLoader(batch_sampler=...)", "Sampler")),
            Check(id="composed", kind="spelling",
                  what="Datasets built on the protocol: a + b (ConcatDataset: len, indices through a then b, "
                  "negative ones from the end; passed on to a before 1.1), ConcatDataset of three, "
                  "Subset(ds, indices)",
                  spec="test_datasets_made_of_datasets", breakage="dataset_add_swaps_the_parts",
                  apis=("Dataset.__add__", "ConcatDataset", "Subset")),
        ),
        not_checked=(
            NotChecked("IterableDataset (__iter__ instead of __getitem__, from 1.2)",
                       "another protocol than the note's map-style one"),
            NotChecked("__getitems__ (batched fetching of a list of indices, 2.x)",
                       "an optional fast path; the claim is about __len__ and __getitem__"),
        ),
        answer="A Dataset needs __len__ and __getitem__, and a sample may be a tuple of any length; without "
        "__getitem__ indexing raises NotImplementedError, without __len__ the default DataLoader raises "
        "TypeError.",
        setting=DATA,
        topic='Datasets and DataLoader',
        idioms=(
            Idiom('a Dataset subclass with `__len__` and `__getitem__`',
                  'the same',
                  also=('data.getitem-types',)),
        ),
        example=_dataset_protocol,
    ),
    Claim(
        "data.getitem-types", (12,),
        "__getitem__ may return e.g. a numpy image and an int label; DataLoader turns them into tensors.",
        (
            Expectation(
                ">=1.5", V.HOLDS,
                "The default collate stacks numpy arrays and numbers into tensors with the batch "
                "dimension first, keeping numpy dtypes (int -> int64, float -> float64, bool -> bool), "
                "keeps strings as lists and recurses into dicts, tuples (given back as lists), lists "
                "and namedtuples (same type); None and numpy arrays with negative strides are refused. "
                "batch_size=None converts each sample on its own.",
                key="as-listed", since="1.5.0",
                evidence="run: 1.5.0 batches numpy float64 scalars into a float64 tensor; 1.4.0 into float32",
            ),
            Expectation(
                ">=1.2,<1.5", V.HOLDS_WITH_CAVEAT,
                "As from 1.5, except that numpy float64 scalars are batched as float32 (the default "
                "dtype): precision is lost.",
                key="np-float64-scalars-float32", since="1.2.0",
                evidence="run: 1.2.0 batches Python bools as bool, np.float64 scalars as float32 and takes "
                "batch_size=None; 1.1.0 batches bools as uint8, keeps float64 and refuses batch_size=None",
            ),
            Expectation(
                ">=1.1,<1.2", V.HOLDS,
                "As from 1.5 (numpy float64 scalars stay float64; float16, int8 and bool numpy arrays "
                "stacked with their dtype), except that Python bools are batched as uint8, and "
                "batch_size=None is refused (ValueError).",
                key="bool-uint8", since="1.1.0",
                evidence="run: 1.1.0 keeps namedtuples, stacks float16, int8 and bool arrays and batches "
                "Python bools into uint8; 1.0.1 returns a list for namedtuples, refuses those arrays and "
                "gives int64 for bools",
            ),
            Expectation(
                "<1.1", V.HOLDS_WITH_CAVEAT,
                "Numbers and numpy arrays become tensors and strings stay lists, but float16 arrays "
                "fail to stack (RuntimeError '_th_cat is not implemented for type "
                "torch.HalfTensor'), int8 arrays are refused (TypeError), Python bools become int64 "
                "and a namedtuple comes back as a plain list of batched fields; numpy bool arrays are "
                "refused (TypeError) and batch_size=None too (ValueError).",
                key="namedtuple-list",
                evidence="run: 1.0.0 and 1.0.1 batch Point(x, y) samples into a list, bools into int64, "
                "and raise for float16, int8 and bool arrays and for batch_size=None",
            ),
        ),
        observe="dtype of each converted field",
        area="data",
        checks=(
            Check(id="element-kinds", kind="example",
                  what="The note's sample (a numpy uint8 image and an int label) and thirty other element kinds "
                  "(Python numbers, bools and strings, numpy scalars and arrays, tensors, dicts, tuples, lists, "
                  "namedtuples, nested) collated by DataLoader's default: tensors with the batch dimension first, "
                  "strings as lists, containers recursed, None refused",
                  spec="test_default_collate_of_every_common_element_kind", breakage="default_collate_keeps_lists",
                  apis=("DataLoader", "Dataset")),
            Check(id="integer-dtypes", kind="values",
                  what="numpy integer arrays and scalars keep their dtype (int8 to int64, uint8), not widened to int64",
                  spec="test_default_collate_of_every_common_element_kind",
                  breakage="default_collate_widens_integers", apis=("DataLoader",)),
            Check(id="float-values", kind="values",
                  what="Python floats and numpy float64 stay float64 with their exact values (0.1, 1/3, 1e300, NaN, "
                  "-inf, -0.0)",
                  spec="test_default_collate_of_every_common_element_kind",
                  breakage="default_collate_narrows_floats", apis=("DataLoader",)),
            Check(id="big-integers", kind="values",
                  what="Python ints beyond 2**53 (2**62 + 1) are kept exactly in int64",
                  spec="test_default_collate_of_every_common_element_kind",
                  breakage="default_collate_rounds_big_integers", apis=("DataLoader",)),
            Check(id="array-layouts", kind="shapes",
                  what="numpy arrays of every layout: 0-d, empty, transposed (non-contiguous) and strided ones "
                  "collated by value; reversed ones (negative strides) refused with ValueError",
                  spec="test_default_collate_of_every_common_element_kind",
                  breakage="collate_reads_numpy_arrays_in_memory_order", apis=("DataLoader",)),
            Check(id="unbatched", kind="spelling",
                  what="batch_size=None: each sample converted on its own (numpy arrays and scalars to tensors, "
                  "Python numbers and strings kept, tuples as lists), len(loader) == len(dataset); refused "
                  "(ValueError) before 1.2",
                  spec="test_unbatched_loading_converts_each_sample", breakage="default_convert_keeps_numpy",
                  apis=("DataLoader(batch_size=None)",)),
        ),
        not_checked=(
            NotChecked("pin_memory=True batches", "pinned memory needs CUDA: no GPU in CI"),
            NotChecked("element kinds collated in worker processes",
                       "the same default collation runs there; data.dataloader-workers checks that workers give "
                       "the batches of num_workers=0, and each worker start costs time"),
            NotChecked("numpy string and object arrays, custom classes as elements",
                       "refused like None (TypeError), which is probed; the note's samples are numbers and images"),
        ),
        answer="The default collation stacks numpy arrays and numbers into tensors (int labels become int64, "
        "Python floats float64, uint8 images stay uint8) and recurses into tuples, dicts and namedtuples.",
        setting=DATA + " §12 adds that __getitem__ may return, for example, a numpy image and an int label.",
        topic='Datasets and DataLoader',
        example=_getitem_types,
    ),
    Claim(
        "data.dataloader-batches", (16,),
        "DataLoader reads the data in batches.",
        always(V.HOLDS, "Batches of batch_size, a smaller last batch unless drop_last=True.", EVERY_RUN),
        observe="batch shapes, last batch",
        area="data",
        checks=(
            Check(id="partial-last-batch", kind="example",
                  what="Batches of batch_size and a smaller last one, at the edges: uneven sizes, a batch larger "
                  "than the dataset, one sample, no samples; every sample once, in order",
                  spec="test_batches_at_the_edges", breakage="batches_always_drop_the_last",
                  apis=("DataLoader(batch_size=...)",)),
            Check(id="drop-last", kind="values",
                  what="drop_last=True drops the partial batch (only it), in DataLoader and in BatchSampler",
                  spec="test_batches_at_the_edges", breakage="drop_last_ignored",
                  apis=("DataLoader(drop_last=...)", "BatchSampler")),
            Check(id="len", kind="values",
                  what="len(loader) counts the batches with and without drop_last on uneven sizes",
                  spec="test_batches_at_the_edges", breakage="batch_sampler_len_counts_the_partial_batch",
                  apis=("DataLoader", "BatchSampler")),
            Check(id="sampler-forms", kind="spelling",
                  what="sampler= (batched in the sampler's order, with and without drop_last), "
                  "batch_sampler=BatchSampler(...), and batch_size given positionally",
                  spec="test_batches_at_the_edges", breakage="loader_ignores_its_sampler",
                  apis=("DataLoader(sampler=...)", "DataLoader(batch_sampler=...)", "BatchSampler", "SequentialSampler")),
            Check(id="epochs", kind="state",
                  what="A loader iterated for three epochs; a new iterator while another is half used (both go "
                  "on correctly); an exhausted iterator stays exhausted",
                  spec="test_several_epochs", breakage="sampler_runs_once", apis=("DataLoader", "SequentialSampler")),
            Check(id="epochs-keep-the-last", kind="state",
                  what="Every epoch gives the first epoch's batches, the partial last one included",
                  spec="test_several_epochs", breakage="later_epochs_drop_the_last", apis=("DataLoader", "BatchSampler")),
        ),
        not_checked=(
            NotChecked("batch_size=None (no batching)", "probed by data.getitem-types (each sample on its own, "
                       "len(loader) == len(dataset))"),
            NotChecked("batches from worker processes", "probed by data.dataloader-workers: two workers, an uneven "
                       "last batch and drop_last=True"),
            NotChecked("IterableDataset batching", "another protocol than the note's map-style datasets"),
        ),
        answer="DataLoader yields batches of batch_size; the last one holds the rest unless drop_last=True.",
        setting=DATA,
        topic='Datasets and DataLoader',
        idioms=(
            Idiom('`DataLoader(..., batch_size, shuffle, num_workers, collate_fn)`',
                  'the same',
                  also=('data.dataloader-shuffle', 'data.dataloader-workers', 'data.collate-fn')),
        ),
        example=_dataloader_batches,
    ),
    Claim(
        "data.dataloader-shuffle", (16,),
        "DataLoader can shuffle the order of the samples.",
        (
            Expectation(
                ">=1.6", V.HOLDS,
                "Each epoch is a permutation, reproducible with torch.manual_seed or with a seeded "
                "generator= (the generator alone decides the orders).",
                since="1.6.0",
                evidence="run: 1.6.0 takes DataLoader(generator=) and RandomSampler(generator=); 1.5.1 "
                "raises TypeError for generator=",
            ),
            Expectation(
                "<1.6", V.HOLDS,
                "Each epoch is a permutation, reproducible with torch.manual_seed; DataLoader and "
                "RandomSampler take no generator= (TypeError).",
                key="no-generator",
                evidence="run: 1.0.0 .. 1.5.1 raise TypeError for DataLoader(generator=)",
            ),
        ),
        area="data",
        checks=(
            Check(id="global-seed", kind="example",
                  what="shuffle=True: each epoch a permutation in a new order, reproduced under the same "
                  "torch.manual_seed; without shuffle the index order; with drop_last full batches of distinct samples",
                  spec="test_shuffle_permutes_each_epoch_reproducibly", breakage="global_shuffle_repeats_each_epoch",
                  apis=("DataLoader(shuffle=True)", "torch.manual_seed")),
            Check(id="generator", kind="spelling",
                  what="generator=torch.Generator() seeded: the same seed the same orders whatever the global "
                  "seed, another seed other orders (TypeError before the keyword existed)",
                  spec="test_shuffle_with_a_seeded_generator", breakage="loader_ignores_its_generator",
                  apis=("DataLoader(generator=...)", "torch.Generator")),
            Check(id="generator-epochs", kind="state",
                  what="With a generator each epoch is a new permutation (the generator's state goes on)",
                  spec="test_shuffle_with_a_seeded_generator", breakage="generator_shuffle_repeats_each_epoch",
                  apis=("DataLoader(generator=...)", "RandomSampler")),
            Check(id="random-samplers", kind="spelling",
                  what="sampler=RandomSampler(ds) and SubsetRandomSampler(indices): a permutation of (just those) "
                  "indices each epoch, a new order each time; RandomSampler(generator=) reproducible",
                  spec="test_random_samplers_as_sampler", breakage="subset_random_sampler_keeps_its_order",
                  apis=("RandomSampler", "SubsetRandomSampler", "DataLoader(sampler=...)")),
            Check(id="sampler-and-shuffle", kind="errors",
                  what="sampler= together with shuffle=True is refused (ValueError)",
                  spec="test_random_samplers_as_sampler", breakage="shuffle_and_sampler_accepted",
                  apis=("DataLoader(shuffle=True)", "DataLoader(sampler=...)")),
        ),
        not_checked=(
            NotChecked("RandomSampler(replacement=True, num_samples=) and WeightedRandomSampler",
                       "sampling with replacement is not the shuffle the note means"),
            NotChecked("DistributedSampler(shuffle=True) and set_epoch", "needs a process group"),
            NotChecked("shuffling with worker processes", "the order is drawn in the main process; the workers "
                       "claim checks that workers keep the sampler's order"),
        ),
        answer="shuffle=True visits every sample once per epoch in a new order each epoch; the same "
        "torch.manual_seed reproduces the orders.",
        setting=DATA,
        topic='Datasets and DataLoader',
        example=_dataloader_shuffle,
    ),
    Claim(
        "data.dataloader-workers", (16,),
        "DataLoader loads data in parallel with multiprocessing.",
        (
            Expectation(
                ">=1.7", V.HOLDS,
                "num_workers>0 yields the same batches in the same order as num_workers=0; each "
                "worker gets its own seed (repeatable under torch.manual_seed), get_worker_info "
                "describes it and worker_init_fn runs once in it; persistent_workers=True keeps "
                "the worker processes across epochs.",
                since="1.7.0",
                evidence="run: 1.7.0 keeps the same worker processes across epochs with "
                "persistent_workers=True; 1.6.0 raises TypeError for persistent_workers=",
            ),
            Expectation(
                ">=1.2,<1.7", V.HOLDS,
                "As from 1.7, except that there is no persistent_workers= (TypeError): every epoch "
                "starts new worker processes.",
                key="no-persistent-workers", since="1.2.0",
                evidence="run: 1.2.0 workers see get_worker_info (ids 0 and 1); 1.1.0 has none",
            ),
            Expectation(
                "<1.2", V.HOLDS,
                "Same batches in the same order, a seed of its own and worker_init_fn per worker, "
                "but no get_worker_info and no persistent_workers= (TypeError).",
                key="no-worker-info",
                evidence="run: 1.0.0 .. 1.1.0 have no torch.utils.data.get_worker_info",
            ),
        ),
        area="data",
        checks=(
            Check(id="same-batches", kind="example",
                  what="num_workers=2 gives the batches of num_workers=0 in the same order (the partial last one "
                  "included), loaded by two processes other than this one",
                  spec="test_worker_processes_keep_order_and_get_their_own_seeds",
                  breakage="worker_batches_arrive_out_of_order", apis=("DataLoader(num_workers=...)",)),
            Check(id="worker-info", kind="state",
                  what="get_worker_info in each worker: its id (0, 1), num_workers and seed; None in the main process",
                  spec="test_worker_processes_keep_order_and_get_their_own_seeds",
                  breakage="workers_report_no_worker_info", apis=("torch.utils.data.get_worker_info",)),
            Check(id="own-seeds", kind="state",
                  what="Each worker has its own seed: random augmentations differ between the workers",
                  spec="test_worker_processes_keep_order_and_get_their_own_seeds",
                  breakage="workers_share_one_seed", apis=("DataLoader(num_workers=...)", "torch.rand")),
            Check(id="seeds-repeat", kind="state",
                  what="The same torch.manual_seed repeats the workers' draws (another loader, drop_last=True)",
                  spec="test_worker_processes_keep_order_and_get_their_own_seeds",
                  breakage="worker_seeds_ignore_manual_seed",
                  apis=("DataLoader(num_workers=...)", "DataLoader(drop_last=...)", "torch.manual_seed")),
            Check(id="worker-init-fn", kind="spelling",
                  what="worker_init_fn runs once in each worker, with its id",
                  spec="test_worker_processes_keep_order_and_get_their_own_seeds",
                  breakage="worker_init_fn_ignored", apis=("DataLoader(worker_init_fn=...)",)),
            Check(id="persistent-workers", kind="state",
                  what="persistent_workers=True: the same two processes load three epochs, each epoch the same "
                  "batches (TypeError before the keyword existed)",
                  spec="test_worker_processes_keep_order_and_get_their_own_seeds",
                  breakage="persistent_workers_ignored", apis=("DataLoader(persistent_workers=...)",)),
        ),
        not_checked=(
            NotChecked("multiprocessing_context= (spawn, forkserver)",
                       "each start costs seconds; the run uses the platform's default (fork on Linux)"),
            NotChecked("timeout=, prefetch_factor=, in_order=", "timing and scheduling options the note does not mention"),
            NotChecked("an error raised in a worker", "how it surfaces is not what the note claims"),
            NotChecked("pin_memory=True with workers", "pinned memory needs CUDA: no GPU in CI"),
        ),
        answer="num_workers > 0 loads in worker processes and still yields the same batches in the same order as "
        "num_workers=0; each worker gets its own random seed.",
        setting=DATA,
        topic='Datasets and DataLoader',
        example=_dataloader_workers,
    ),
    Claim(
        "data.collate-fn", (16,),
        "collate_fn decides how a list of samples becomes a batch; the default suits most cases.",
        (
            Expectation(
                ">=1.11", V.HOLDS,
                "A custom collate_fn gets the list of samples and its return value is the batch; "
                "the default is public as torch.utils.data.default_collate.",
                since="1.11.0",
                evidence="run: 1.11.0 exports torch.utils.data.default_collate; 1.10.2 has it only as "
                "torch.utils.data.dataloader.default_collate",
            ),
            Expectation(
                "<1.11", V.HOLDS,
                "A custom collate_fn gets the list of samples and its return value is the batch; "
                "the default is reachable only as torch.utils.data.dataloader.default_collate.",
                key="private-default-collate",
                evidence="run: 1.0.0 .. 1.10.2 have no torch.utils.data.default_collate",
            ),
        ),
        area="data",
        checks=(
            Check(id="padding", kind="example",
                  what="A padding collate_fn for sequences of different lengths (which the default refuses): its "
                  "(padded tensor, lengths) is each batch",
                  spec="test_custom_collate_fn_receives_the_samples_and_returns_the_batch",
                  breakage="collate_fn_ignored", apis=("DataLoader(collate_fn=...)",)),
            Check(id="receives-a-list", kind="state",
                  what="collate_fn receives a list of the very samples __getitem__ returned, in the sampler's order, "
                  "the last list shorter",
                  spec="test_custom_collate_fn_receives_the_samples_and_returns_the_batch",
                  breakage="collate_fn_gets_a_tuple", apis=("DataLoader(collate_fn=...)",)),
            Check(id="returns-anything", kind="values",
                  what="Whatever collate_fn returns (an object, a dict, a string, None) is the batch, the very object",
                  spec="test_custom_collate_fn_receives_the_samples_and_returns_the_batch",
                  breakage="loader_copies_collate_output", apis=("DataLoader(collate_fn=...)",)),
            Check(id="explicit-default", kind="spelling",
                  what="torch.utils.data.default_collate passed as collate_fn= or called on a list of samples gives "
                  "the default batch (before 1.11: torch.utils.data.dataloader.default_collate, the public name absent)",
                  spec="test_custom_collate_fn_receives_the_samples_and_returns_the_batch",
                  breakage="public_default_collate_narrows_floats",
                  apis=("torch.utils.data.default_collate", "DataLoader(collate_fn=...)")),
        ),
        not_checked=(
            NotChecked("collate_fn with batch_size=None (called on each sample)",
                       "exists from 1.2 only; the unbatched conversion is probed by data.getitem-types"),
            NotChecked("collate_fn in worker processes", "it runs there the same way; each worker start costs time"),
        ),
        answer="collate_fn receives the list of samples of a batch and its return value is the batch, e.g. to pad "
        "sequences of different lengths, which the default refuses.",
        setting=DATA,
        topic='Datasets and DataLoader',
        example=_collate_fn,
    ),
    Claim(
        "data.mnist-style-dataset", (13,),
        "The note's MNIST-like Dataset loads stored tensors, returns a mode-'L' PIL image (made "
        "with Image.fromarray) and the target, applies transforms if given, and reports a "
        "hard-coded length of 60000 or 10000.",
        always(V.HOLDS_WITH_CAVEAT, "Works, but the hard-coded length lies when the stored data "
                "is smaller: len() says 60000 and indexing past the real size raises IndexError.", EVERY_RUN),
        observe="PIL warnings; what a hard-coded __len__ does with a smaller file",
        area="data",
        checks=(
            Check(id="mode-l", kind="example",
                  what="The note's Dataset on a 5-image file: a 28x28 mode-'L' PIL image and the target, transforms "
                  "applied, len() hard-coded to 60000/10000",
                  spec="test_note_mnist_dataset_on_a_small_stored_file", breakage="fromarray_makes_rgb",
                  apis=("Dataset", "torch.load")),
            Check(id="stored-pixels", kind="values",
                  what="The uint8 images saved with torch.save come back from torch.load with their pixels",
                  spec="test_note_mnist_dataset_on_a_small_stored_file", breakage="load_widens_uint8_tensors",
                  apis=("torch.save", "torch.load", "Tensor.numpy")),
            Check(id="target-types", kind="values",
                  what="Targets stored as int64 or uint8: a 0-d tensor of that dtype per sample, and a batch of "
                  "that dtype from a DataLoader (images transformed to float32)",
                  spec="test_note_mnist_dataset_on_a_small_stored_file", breakage="default_collate_widens_integers",
                  apis=("DataLoader", "Dataset")),
            Check(id="past-the-stored-size", kind="errors",
                  what="Indexing past the stored size raises IndexError, and so does a DataLoader the hard-coded "
                  "len() sends there",
                  spec="test_note_mnist_dataset_on_a_small_stored_file", breakage="tensor_index_past_the_end_clamps",
                  apis=("Dataset", "DataLoader")),
        ),
        not_checked=(
            NotChecked("torchvision's transforms on the note's Dataset",
                       "the spec uses its own ToTensor-like transform so the claim does not depend on torchvision; "
                       "data.torchvision-mnist probes ToTensor"),
            NotChecked("Pillow's warnings", "recorded (mode= is deprecated from Pillow 11.3), not asserted: Pillow, "
                       "not torch, decides them"),
        ),
        answer="The note's Dataset works (mode-'L' PIL images, transforms applied), but its hard-coded __len__ "
        "says 60000 even for a smaller file, and indexing past the real size raises IndexError; return "
        "len(self.images) instead.",
        setting="§13 copies an older torchvision MNIST class: it loads (images, labels) stored with torch.save under "
        "root/processed, turns each image into a PIL image with Image.fromarray(img.numpy(), mode='L'), "
        "applies transform and target_transform, and returns 60000 or 10000 from __len__.",
        topic='Datasets and DataLoader',
        idioms=(
            Idiom('a Dataset with `__len__` returning 60000 or 10000',
                  '`return len(self.images)`'),
        ),
        example=_mnist_style_dataset,
        example_needs=('PIL',),
    ),
    Claim(
        "data.torchvision-mnist", (16,),
        "torchvision.datasets.MNIST(root, download=True) with the files already under root does "
        "not download again; root is the folder above the data.",
        (
            Expectation(
                ">=1.9", V.HOLDS,
                "With the extracted raw files under root/MNIST/raw nothing is fetched; root is the "
                "folder that contains MNIST/. (Archives count only with the published MD5.)",
                key="raw-files", since="1.9.0",
                evidence="run: 1.9.0 (torchvision 0.10.0) loads the extracted raw files offline; 1.8.1 "
                "(torchvision 0.9.1) goes to the network with them",
            ),
            Expectation(
                ">=1.4,<1.9", V.HOLDS_WITH_CAVEAT,
                "'Already there' means the processed files root/MNIST/processed/training.pt and test.pt: "
                "with only the raw idx files, or .gz archives without the published MD5, download=True "
                "goes to the network. (torchvision 0.9.0, paired with torch 1.8.0, imports requests "
                "before it connects: where requests is not installed the download stops there with "
                "ModuleNotFoundError, which the specs count as going to the network.)",
                key="processed-files", since="1.4.0",
                evidence="run: 1.4.0 (torchvision 0.5.0) tries the network with the spec's unverified .gz "
                "archives; 1.3.1 (torchvision 0.4.2) extracts and loads them offline",
            ),
            Expectation(
                ">=1.0.1,<1.4", V.HOLDS_WITH_CAVEAT,
                "'Already there' means the processed files, or the .gz archives under "
                "root/MNIST/raw, which are used without any checksum (download=True extracts and "
                "processes them offline); the extracted idx files alone send download=True to the network.",
                key="archives-unchecked", since="1.0.1",
                evidence="run: 1.0.1 (torchvision 0.2.2) extracts and loads the spec's .gz archives under "
                "root/MNIST/raw offline; 1.0.0 (torchvision 0.2.1) reads only root/processed/*.pt and "
                "goes to the network with the archives",
            ),
            Expectation(
                "<1.0.1", V.HOLDS_WITH_CAVEAT,
                "torchvision 0.2.1 (the one paired with torch 1.0.0) has no MNIST/ level: root is the "
                "folder that itself holds processed/training.pt and processed/test.pt, and only those "
                "count as already there; raw idx files and .gz archives under root/raw are never used "
                "(download=True with them goes to the network). The dataset keeps train_data and "
                "train_labels (test_data, test_labels), a sample's target is a 0-d tensor, and there "
                "is no classes list.",
                key="flat-root",
                evidence="run: 1.0.0 (torchvision 0.2.1) loads root/processed/*.pt offline and goes to the "
                "network with only raw files or archives",
            ),
        ),
        area="data",
        checks=(
            Check(id="files-present", kind="example",
                  what="download=True with the files already under root loads them without any network attempt, "
                  "train=True and train=False; images are the stored mode-'L' ones",
                  spec="test_torchvision_mnist_uses_files_already_under_root",
                  breakage="mnist_download_ignores_present_files", apis=("torchvision.datasets.MNIST",)),
            Check(id="files-missing", kind="errors",
                  what="download=False with nothing under root, or with root one level too deep, raises 'Dataset "
                  "not found' offline; unverified .gz archives alone send download=True to the network",
                  spec="test_torchvision_mnist_without_files", breakage="mnist_downloads_when_files_are_missing",
                  apis=("torchvision.datasets.MNIST",)),
            Check(id="path-root", kind="spelling",
                  what="root as a pathlib.Path as well as a str",
                  spec="test_torchvision_mnist_dataset_state", breakage="vision_datasets_take_only_str_roots",
                  apis=("torchvision.datasets.MNIST",)),
            Check(id="targets-dtype", kind="values",
                  what="data is N x 28 x 28 uint8, targets int64 (the stored labels), a sample's target a Python "
                  "int, 10 classes; a DataLoader batches B x 1 x 28 x 28 float32 images and int64 targets",
                  spec="test_torchvision_mnist_dataset_state", breakage="mnist_targets_as_uint8",
                  apis=("torchvision.datasets.MNIST", "DataLoader")),
            Check(id="train-flag", kind="state",
                  what="train=True reads the training files, train=False the test files (sizes and samples)",
                  spec="test_torchvision_mnist_dataset_state", breakage="mnist_train_flag_ignored",
                  apis=("torchvision.datasets.MNIST",)),
            Check(id="transforms", kind="spelling",
                  what="transform=ToTensor() (1x28x28 float32, pixels / 255) and target_transform= are applied",
                  spec="test_torchvision_mnist_dataset_state", breakage="mnist_ignores_target_transform",
                  apis=("torchvision.datasets.MNIST", "torchvision.transforms.ToTensor")),
        ),
        not_checked=(
            NotChecked("downloading itself", "no network in the run: the specs count network attempts instead"),
            NotChecked("archives with the published MD5", "the spec's archives are small synthetic ones"),
            NotChecked("FashionMNIST, KMNIST, EMNIST", "the same class family on other files; the note uses MNIST"),
        ),
        answer="With the extracted MNIST files under root/MNIST/raw, MNIST(root, download=True) loads them and "
        "fetches nothing; root is the folder that contains MNIST/. Before torch 1.9 (torchvision 0.10) only "
        "the processed .pt files counted (and, before torchvision 0.5, unverified .gz archives).",
        setting="§16 loads MNIST with torchvision.datasets.MNIST and says download may stay True: root is the folder "
        "above the data (not the training set itself), and files already there are not downloaded again.",
        topic='Datasets and DataLoader',
        idioms=(
            Idiom('MNIST files under `root`, `MNIST(root, download=True)`',
                  'the same; root is the folder containing `MNIST/`, and the raw files under `MNIST/raw` count '
                  'as already there'),
        ),
        questions=('Does `MNIST(root, download=True)` download again when the files are there?',),
        example=_torchvision_mnist,
        example_needs=('torchvision',),
    ),
)
