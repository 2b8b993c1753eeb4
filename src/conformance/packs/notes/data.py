"""Claims of the notes pack: Dataset, DataLoader and torchvision's MNIST (§12, §13, §16).

One record per claim: what the note says (paraphrased), what is true per release range with
its evidence, and the reach of its specs (``checks``: what they probe, each with the spec and
the breakage that shows the probe can fail; ``not_checked``: what they leave out, and why).
The specs are ``specs/spec_data.py``; the breakages ``tests/breakages/data.py``.
Imports nothing heavy: the CLI, report and diff read it without torch.
"""
from conformance import verdicts as V
from conformance.records import EVERY_RUN, Check, Claim, Expectation, NotChecked, always  # noqa: F401

CLAIMS = (
    Claim(
        "data.dataset-protocol", (12, 16),
        "A Dataset subclass must implement __len__ and __getitem__; __getitem__ may return a "
        "tuple of any length.",
        (
            Expectation(
                ">=1.2", V.HOLDS,
                "Without __getitem__ indexing raises NotImplementedError; without __len__ a "
                "DataLoader with the default sampler raises TypeError.",
                key="no-len-typeerror", since="1.2",
                evidence="run: 1.2.0 and later raise TypeError (\"object of type 'NoLen' has no len()\"); "
                "1.1.0 raises NotImplementedError",
            ),
            Expectation(
                "<1.2", V.HOLDS,
                "Without __getitem__ indexing raises NotImplementedError; without __len__ too: "
                "Dataset's own __len__ raises NotImplementedError when the default sampler sizes it.",
                key="no-len-notimplemented",
                evidence="run: 1.0.1 and 1.1.0 raise NotImplementedError from Dataset.__len__",
            ),
        ),
        area="data",
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
                "and namedtuples (same type).",
                key="as-listed", since="1.5",
                evidence="run: 1.5.1 and later keep numpy float64 scalars float64; 1.4.0 gives float32",
            ),
            Expectation(
                ">=1.2,<1.5", V.HOLDS_WITH_CAVEAT,
                "As from 1.5, except that numpy float64 scalars are batched as float32 (the default "
                "dtype): precision is lost.",
                key="np-float64-scalars-float32", since="1.2",
                evidence="run: 1.2.0 .. 1.4.0 batch np.float64 scalars into a float32 tensor; 1.1.0 "
                "keeps float64 and batches Python bools as uint8, 1.2.0 as bool",
            ),
            Expectation(
                ">=1.1,<1.2", V.HOLDS,
                "As from 1.5 (numpy float64 scalars stay float64), except that there is no bool "
                "dtype: Python bools are batched as uint8.",
                key="bool-uint8", since="1.1",
                evidence="run: 1.1.0 batches Python bools into uint8 and keeps namedtuples; 1.0.1 "
                "returns a list for them",
            ),
            Expectation(
                "<1.1", V.HOLDS_WITH_CAVEAT,
                "Numbers and numpy arrays become tensors and strings stay lists, but float16 arrays "
                "fail to stack (RuntimeError '_th_cat is not implemented for type "
                "torch.HalfTensor'), int8 arrays are refused (TypeError), Python bools become int64 "
                "and a namedtuple comes back as a plain list of batched fields.",
                key="namedtuple-list",
                evidence="run: 1.0.1 batches Point(x, y) samples into a list, bools into int64, and "
                "raises for float16 and int8 arrays",
            ),
        ),
        observe="dtype of each converted field",
        area="data",
    ),
    Claim(
        "data.dataloader-batches", (16,),
        "DataLoader reads the data in batches.",
        always(V.HOLDS, "Batches of batch_size, a smaller last batch unless drop_last=True.", EVERY_RUN),
        observe="batch shapes, last batch",
        area="data",
    ),
    Claim(
        "data.dataloader-shuffle", (16,),
        "DataLoader can shuffle the order of the samples.",
        always(V.HOLDS, "Each epoch is a permutation, reproducible with a seeded generator.", EVERY_RUN),
        area="data",
    ),
    Claim(
        "data.dataloader-workers", (16,),
        "DataLoader loads data in parallel with multiprocessing.",
        always(V.HOLDS, "num_workers>0 yields the same batches in the same order as num_workers=0; "
                "each worker gets its own seed.", EVERY_RUN),
        area="data",
    ),
    Claim(
        "data.collate-fn", (16,),
        "collate_fn decides how a list of samples becomes a batch; the default suits most cases.",
        always(V.HOLDS, "A custom collate_fn gets the list of samples and its return value is the batch.", EVERY_RUN),
        area="data",
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
                key="raw-files", since="1.9",
                evidence="run: 1.9.1 (torchvision 0.10.1) and later load the raw files offline; 1.8.1 "
                "(torchvision 0.9.1) goes to the network with them",
            ),
            Expectation(
                ">=1.4,<1.9", V.HOLDS_WITH_CAVEAT,
                "'Already there' means the processed files root/MNIST/processed/training.pt and test.pt: "
                "with only the raw idx files download=True goes to the network.",
                key="processed-files", since="1.4",
                evidence="run: 1.4.0 .. 1.8.1 (torchvision 0.5.0 .. 0.9.1) try the network with only the raw "
                "files present and load offline from processed/*.pt; 1.3.1 (torchvision 0.4.2) "
                "loads unverified .gz archives offline",
            ),
            Expectation(
                "<1.4", V.HOLDS_WITH_CAVEAT,
                "'Already there' means the processed files, or the .gz archives under "
                "root/MNIST/raw, which are used without any checksum (download=True extracts and "
                "processes them offline); the extracted idx files alone send download=True to the network.",
                key="archives-unchecked",
                evidence="run: 1.0.1 .. 1.3.1 (torchvision 0.2.2 .. 0.4.2) load the spec's .gz archives "
                "offline and try the network with only the extracted idx files",
            ),
        ),
        area="data",
    ),
)
