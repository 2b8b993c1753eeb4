"""A minimal, runnable example per claim: what to write on today's torch.

Each function's *body* is the example: a self-contained script that imports what it needs,
shows the behaviour of the claim's newest expectation (the release range that includes
today's torch) and asserts it. The claim pages and ``conformance explain`` embed the body
text, and ``tests/test_examples.py`` executes that same text against the installed torch, so
an example cannot go stale without a test failing.

This module is read, not imported, by the report (``example_for`` parses it with ``ast``), and
nothing here imports torch at module level. The examples run on the CPU and touch no network;
files go to a fresh temporary folder.
"""
from __future__ import annotations

import ast
import os
import textwrap
from dataclasses import dataclass
from typing import Callable, Dict, Optional, Tuple

HERE = os.path.abspath(__file__)


def example(claim_id: str, needs: Tuple[str, ...] = ()) -> Callable:
    """Mark a function as the example of ``claim_id``; ``needs`` names extra modules it imports
    (the test skips it, with that reason, when one is missing)."""

    def wrap(fn: Callable) -> Callable:
        return fn

    return wrap


# ------------------------------------------------------------------------ Variable (§1, §5, §14)
@example("variable.wraps-tensor")
def _variable_wraps_tensor():
    import torch
    from torch.autograd import Variable

    v = Variable(torch.tensor([1.0, 2.0, 3.0]), requires_grad=True)  # still accepted: a shim
    assert type(v) is torch.Tensor
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)  # what to write today
    y = x * 3
    assert type(y.grad_fn).__name__.startswith("Mul")  # e.g. MulBackward0
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0, 3.0]


@example("variable.is-tensor")
def _variable_is_tensor():
    import torch
    from torch.autograd import Variable

    v = Variable(torch.arange(4.0), requires_grad=True)
    assert isinstance(v, torch.Tensor)  # no wrapper: it is the tensor
    values = v.detach()  # preferred to v.data: same storage, no grad
    assert values.data_ptr() == v.data_ptr() and not values.requires_grad
    assert v.data.data_ptr() == v.data_ptr()  # .data shares storage too, but hides writes from autograd


@example("variable.volatile")
def _variable_volatile():
    import warnings

    import torch
    from torch.autograd import Variable

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Variable(torch.ones(3), volatile=True)  # does nothing but warn
    assert any("volatile" in str(w.message) for w in caught)

    x = torch.ones(3, requires_grad=True)
    with torch.no_grad():  # what to write instead
        y = x * 2
    assert not y.requires_grad


@example("autograd.no-grad-inherited")
def _no_grad_inherited():
    import torch

    x = torch.randn(4, requires_grad=True)
    with torch.no_grad():
        y = x * 2
        z = (y + x).sum()
    assert not y.requires_grad and y.grad_fn is None and not z.requires_grad
    assert (x * 2).requires_grad  # outside the block, recording resumes


# ------------------------------------------------------------------------ autograd (§1, §4, §6, §7)
@example("autograd.scalar-backward")
def _scalar_backward():
    import torch

    x = torch.tensor([1.0], requires_grad=True)
    w = torch.tensor([2.0], requires_grad=True)
    b = torch.tensor([3.0], requires_grad=True)
    y = w * x + b
    y.backward()  # no argument needed: y is a scalar
    assert (x.grad.item(), w.grad.item(), b.grad.item()) == (2.0, 1.0, 1.0)
    assert x.detach().item() == 1.0  # the values are untouched (x.data works too)


@example("autograd.backward-all-leaves")
def _backward_all_leaves():
    import torch

    a = torch.tensor([0.5, -1.0], requires_grad=True)
    b = torch.tensor([2.0, 3.0], requires_grad=True)
    k = torch.tensor([4.0, 5.0])  # does not require grad
    ((a * b).sum() + (k * a).sum()).backward()  # one call, no leaf named
    assert a.grad.tolist() == [6.0, 8.0] and b.grad.tolist() == [0.5, -1.0]
    assert k.grad is None


@example("autograd.nonscalar-needs-gradient")
def _nonscalar_needs_gradient():
    import torch

    x = torch.randn(3, requires_grad=True)
    y = x * 2
    try:
        y.backward()
    except RuntimeError as err:
        assert "only for scalar outputs" in str(err)
    else:
        raise AssertionError("backward() on a vector should fail")
    y.sum().backward()  # or y.backward(torch.ones_like(y))
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


@example("autograd.vector-backward-weights")
def _vector_backward_weights():
    import torch

    x = torch.randn(3, requires_grad=True)
    y = x * 2
    y.backward(torch.tensor([1.0, 0.1, 0.01]))  # x.grad = J^T v
    assert torch.allclose(x.grad, torch.tensor([2.0, 0.2, 0.02]))


@example("autograd.grads-accumulate")
def _grads_accumulate():
    import torch

    w = torch.tensor([1.0, -2.0], requires_grad=True)
    x = torch.tensor([3.0, 1.0])
    for _ in range(3):
        (w * x).sum().backward()
    assert w.grad.tolist() == [9.0, 3.0]  # three passes added up
    w.grad = None  # what optimizer.zero_grad() does today
    (w * x).sum().backward()
    assert w.grad.tolist() == [3.0, 1.0]


@example("autograd.detach-blocks-gradient")
def _detach_blocks_gradient():
    import torch

    A, B = torch.nn.Linear(4, 3), torch.nn.Linear(3, 2)
    x = torch.randn(5, 4)
    z = B(A(x).detach()).sum()
    z.backward()
    assert A.weight.grad is None  # None, not zeros
    assert B.weight.grad is not None


@example("autograd.detach-inplace")
def _detach_inplace():
    import torch

    A, B = torch.nn.Linear(4, 3), torch.nn.Linear(3, 2)
    x = torch.randn(5, 4)
    y = A(x)
    y.detach_()  # changes y itself
    assert y.grad_fn is None and not y.requires_grad
    B(y).sum().backward()
    assert A.weight.grad is None and B.weight.grad is not None
    try:
        A(x)[0].detach_()  # a view cannot be detached in place
    except RuntimeError as err:
        assert "view" in str(err).lower()
    else:
        raise AssertionError("detach_() on a view should fail")


@example("autograd.double-backward-error")
def _double_backward_error():
    import torch

    x = torch.randn(1, 4, requires_grad=True)
    z = (x ** 2) * 4
    out1, out2 = z.mean(), z.sum()
    out1.backward()  # frees what the graph saved
    try:
        out2.backward()
    except RuntimeError as err:
        assert "backward through the graph a second time" in str(err)
    else:
        raise AssertionError("the second backward should fail")


@example("autograd.retain-graph")
def _retain_graph():
    import torch

    x = torch.randn(1, 4, requires_grad=True)
    z = (x ** 2) * 4
    out1, out2 = z.mean(), z.sum()
    out1.backward(retain_graph=True)  # keep the graph for the second output
    out2.backward()
    assert torch.allclose(x.grad, 10 * x.detach())  # 2x + 8x: the gradients add up


@example("autograd.retain-graph-default")
def _retain_graph_default():
    import torch

    x = torch.randn(1, 4, requires_grad=True)
    z = (x ** 2) * 4
    z.mean().backward(create_graph=True)  # retain_graph follows create_graph: kept
    z.sum().backward()  # so a second backward works

    y = (x ** 2) * 4
    y.mean().backward()  # both left alone: the graph is freed
    try:
        y.sum().backward()
    except RuntimeError as err:
        assert "second time" in str(err)
    else:
        raise AssertionError("the graph should have been freed")


@example("autograd.retain-variables")
def _retain_variables():
    import torch

    x = torch.randn(1, 4, requires_grad=True)
    out = ((x ** 2) * 4).mean()
    try:
        out.backward(retain_variables=True)  # the old spelling
    except TypeError as err:
        assert "retain_variables" in str(err)
    else:
        raise AssertionError("retain_variables should be rejected")
    out.backward(retain_graph=True)  # the name to use


@example("autograd.two-losses")
def _two_losses():
    import torch

    torch.manual_seed(0)
    trunk, head1, head2 = torch.nn.Linear(4, 6), torch.nn.Linear(6, 1), torch.nn.Linear(6, 2)
    params = list(trunk.parameters()) + list(head1.parameters()) + list(head2.parameters())
    x = torch.randn(8, 4)

    h = torch.tanh(trunk(x))
    loss1, loss2 = head1(h).pow(2).mean(), head2(h).abs().mean()
    loss1.backward(retain_graph=True)  # loss2 needs the shared part of the graph again
    loss2.backward()
    two_passes = [p.grad.clone() for p in params]

    for p in params:
        p.grad = None
    h = torch.tanh(trunk(x))
    (head1(h).pow(2).mean() + head2(h).abs().mean()).backward()  # one pass on the sum
    assert all(torch.allclose(g, p.grad) for g, p in zip(two_passes, params))  # so optimizer.step() agrees too


@example("nn.content-loss-module")
def _content_loss_module():
    import torch

    class ContentLoss(torch.nn.Module):
        def __init__(self, target, weight):
            super().__init__()
            self.target = target.detach() * weight  # a constant: no graph behind it
            self.weight = weight
            self.criterion = torch.nn.MSELoss()
            self.calls = 0

        def forward(self, x):
            self.loss = self.criterion(x * self.weight, self.target)
            return x  # passes its input through

        def backward(self, retain_graph=True):
            self.calls += 1
            self.loss.backward(retain_graph=retain_graph)
            return self.loss

    layer = ContentLoss(torch.rand(1, 4, 8, 8), weight=0.5)
    image = torch.rand(1, 4, 8, 8, requires_grad=True)
    out = layer(image * 2)
    layer.backward()  # runs because the training loop calls it
    assert image.grad is not None and layer.calls == 1
    out.sum().backward()  # autograd never calls a Module's backward method
    assert layer.calls == 1


# ------------------------------------------------------------------------ style, shapes (§8, §9)
@example("style.gram-matrix")
def _gram_matrix():
    import torch

    features = torch.randn(3, 5, 4, dtype=torch.float64)  # C x M x N
    C = features.shape[0]
    by_pairs = torch.tensor([[(features[i] * features[j]).sum().item() for j in range(C)] for i in range(C)],
                            dtype=torch.float64)
    F = features.reshape(C, -1)  # C x (M*N)
    assert torch.allclose(F @ F.t(), by_pairs)


@example("nn.conv-output-size")
def _conv_output_size():
    import torch

    def out_size(w, f, p, s):
        return (w - f + 2 * p) // s + 1

    x = torch.randn(1, 1, 28, 28)
    assert torch.nn.Conv2d(1, 1, 3, 1, 1)(x).shape[-1] == out_size(28, 3, 1, 1) == 28  # size kept
    assert torch.nn.Conv2d(1, 1, 5, 2, 0)(x).shape[-1] == out_size(28, 5, 0, 2) == 12  # rounded down
    assert torch.nn.MaxPool2d(2)(x).shape[-1] == out_size(28, 2, 0, 2) == 14


@example("nn.net-flatten-size")
def _net_flatten_size():
    import torch

    def block(cin, cout):
        return torch.nn.Sequential(torch.nn.Conv2d(cin, cout, 3, 1, 1), torch.nn.ReLU(), torch.nn.MaxPool2d(2))

    features = torch.nn.Sequential(block(3, 32), block(32, 64), block(64, 64))
    assert features(torch.randn(1, 3, 28, 28)).shape[-2:] == (3, 3)  # 28 -> 14 -> 7 -> 3
    assert features(torch.randn(1, 3, 24, 24)).shape[-2:] == (3, 3)  # 24 .. 31 all end at 3x3
    try:
        features(torch.randn(1, 3, 3, 3))  # the note's 3x3 input
    except RuntimeError:
        pass
    else:
        raise AssertionError("a 3x3 input cannot pass three 2x2 pools")


# ------------------------------------------------------------------------ torch.max (§10)
@example("reduce.max-dim0")
def _max_dim0():
    import torch

    a = torch.tensor([[1.0, 9.0], [5.0, 2.0], [3.0, 4.0]])
    values, indices = torch.max(a, 0)  # one result per column
    assert values.tolist() == [5.0, 9.0] and indices.tolist() == [1, 0]  # row of each maximum


@example("reduce.max-dim1")
def _max_dim1():
    import torch

    scores = torch.tensor([[0.3856, -0.7356, 0.0876], [0.9246, -0.9074, 0.4152], [0.7600, 1.1790, -0.8748]])
    pred = torch.max(scores, 1)[1]  # column of each row's maximum: the predicted label
    assert pred.tolist() == [0, 0, 1]
    assert torch.equal(pred, scores.argmax(1))  # the same, said directly


@example("reduce.max-result-type")
def _max_result_type():
    import torch

    result = torch.max(torch.tensor([[1.0, 5.0], [7.0, 2.0]]), 1)
    assert type(result).__module__ == "torch.return_types"  # a named tuple, torch.return_types.max
    assert result.values.tolist() == [5.0, 7.0] and result.indices.tolist() == [1, 0]
    values, indices = result  # it still unpacks as a pair
    assert indices is result[1]


@example("reduce.max-ties")
def _max_ties():
    import torch

    a = torch.tensor([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [0.0, 0.0, 5.0, 5.0]])
    assert torch.max(a, 1).indices.tolist() == [1, 0, 2]  # the first of the tied maxima


# ------------------------------------------------------------------------ scalars (§4, §11)
@example("tensor.loss-data-index")
def _loss_data_index():
    import torch

    loss = torch.nn.functional.mse_loss(torch.randn(4, 3), torch.zeros(4, 3))
    assert loss.dim() == 0  # a loss is a 0-dim tensor
    try:
        loss.data[0]
    except IndexError as err:
        assert "item()" in str(err)
    else:
        raise AssertionError("indexing a 0-dim loss should fail")
    assert isinstance(loss.item(), float)  # what to write today


@example("tensor.item")
def _item():
    import torch

    assert type(torch.tensor(2.5).item()) is float
    assert type(torch.tensor(3).item()) is int
    assert type(torch.tensor(True).item()) is bool
    assert torch.tensor([2.5]).item() == 2.5  # any one-element tensor


@example("autograd.accumulate-tensor-keeps-graph")
def _accumulate_tensor_keeps_graph():
    import torch

    model = torch.nn.Linear(3, 1)
    total = 0.0
    for i in range(10):
        loss = model(torch.full((2, 3), float(i))).pow(2).mean()
        total += loss  # a tensor: every iteration's graph stays reachable from total
    assert isinstance(total, torch.Tensor) and total.grad_fn is not None

    total = 0.0
    for i in range(10):
        loss = model(torch.full((2, 3), float(i))).pow(2).mean()
        total += loss.item()  # a float: nothing is kept
    assert isinstance(total, float)


# ------------------------------------------------------------------------ training loop (§2, §4)
@example("optim.crossentropy")
def _crossentropy():
    import torch

    logits = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])  # raw scores, no softmax
    target = torch.tensor([0, 1])  # class indices
    loss = torch.nn.CrossEntropyLoss()(logits, target)
    by_hand = -torch.log_softmax(logits, 1)[torch.arange(2), target].mean()
    assert torch.allclose(loss, by_hand)


@example("optim.zero-grad")
def _zero_grad():
    import torch

    model = torch.nn.Linear(3, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    model(torch.randn(4, 3)).sum().backward()
    opt.zero_grad()
    assert model.weight.grad is None  # None (zeros before 2.0)

    model(torch.randn(4, 3)).sum().backward()
    opt.zero_grad(set_to_none=False)  # zeros, when asked for
    assert model.weight.grad is not None and not model.weight.grad.any()


@example("optim.backward-fills-grads")
def _backward_fills_grads():
    import torch

    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    loss = torch.nn.CrossEntropyLoss()(net(torch.randn(5, 3)), torch.tensor([0, 1, 1, 0, 1]))
    loss.backward()
    assert all(p.grad is not None and p.grad.shape == p.shape for p in net.parameters())


@example("optim.sgd-momentum-step")
def _sgd_momentum_step():
    import torch

    p = torch.tensor([1.0], requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.01, momentum=0.9)
    expected, buf = 1.0, None
    for _ in range(3):
        opt.zero_grad()
        (p ** 2 / 2).sum().backward()  # gradient g = p
        g = expected
        buf = g if buf is None else 0.9 * buf + g  # b = mu*b + g (first step: b = g)
        expected -= 0.01 * buf  # p = p - lr*b
        opt.step()
    assert abs(p.item() - expected) < 1e-6


# ------------------------------------------------------------------------ serialization (§3)
@example("serialize.state-dict")
def _state_dict():
    import os
    import tempfile

    import torch

    model = torch.nn.Linear(4, 2)
    path = os.path.join(tempfile.mkdtemp(), "weights.pt")
    torch.save(model.state_dict(), path)
    fresh = torch.nn.Linear(4, 2)  # build the model, then load the weights into it
    fresh.load_state_dict(torch.load(path))
    assert torch.equal(fresh.weight, model.weight)


@example("serialize.whole-model")
def _whole_model():
    import os
    import pickle
    import tempfile

    import torch

    model = torch.nn.Linear(4, 2)
    path = os.path.join(tempfile.mkdtemp(), "model.pt")
    torch.save(model, path)  # saving still works
    try:
        torch.load(path)  # weights_only=True by default: refused
    except pickle.UnpicklingError as err:
        assert "Weights only load failed" in str(err)
    else:
        raise AssertionError("plain torch.load of a pickled model should be refused")
    loaded = torch.load(path, weights_only=False)  # only for files you trust
    assert isinstance(loaded, torch.nn.Linear)


# ------------------------------------------------------------------------ data (§12, §13, §16)
@example("data.dataset-protocol")
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


@example("data.getitem-types")
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


@example("data.dataloader-batches")
def _dataloader_batches():
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    ds = TensorDataset(torch.arange(10.0))
    assert [len(b[0]) for b in DataLoader(ds, batch_size=4)] == [4, 4, 2]  # a smaller last batch
    assert [len(b[0]) for b in DataLoader(ds, batch_size=4, drop_last=True)] == [4, 4]


@example("data.dataloader-shuffle")
def _dataloader_shuffle():
    import torch
    from torch.utils.data import DataLoader

    torch.manual_seed(0)  # the same seed gives the same orders
    loader = DataLoader(list(range(20)), batch_size=5, shuffle=True)
    epoch1 = [i for b in loader for i in b.tolist()]
    epoch2 = [i for b in loader for i in b.tolist()]
    assert sorted(epoch1) == list(range(20)) and epoch1 != epoch2  # a new permutation each epoch


@example("data.dataloader-workers")
def _dataloader_workers():
    from torch.utils.data import DataLoader

    data = list(range(16))
    serial = [b.tolist() for b in DataLoader(data, batch_size=4)]
    parallel = [b.tolist() for b in DataLoader(data, batch_size=4, num_workers=2)]
    assert parallel == serial  # two worker processes, same batches in the same order


@example("data.collate-fn")
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


@example("data.mnist-style-dataset", needs=("PIL",))
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


@example("data.torchvision-mnist", needs=("torchvision",))
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


# ------------------------------------------------------------------------ GAN (§15)
@example("gan.discriminator-sigmoid")
def _discriminator_sigmoid():
    import torch

    D = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.LeakyReLU(0.2), torch.nn.Linear(16, 1),
                            torch.nn.Sigmoid())
    scores = D(torch.randn(64, 4) * 3)
    assert ((scores > 0) & (scores < 1)).all()  # probabilities
    real, fake = torch.randn(8, 4) + 2, torch.randn(8, 4) - 2
    bce = torch.nn.BCELoss()
    d_loss = bce(D(real), torch.ones(8, 1)) + bce(D(fake), torch.zeros(8, 1))  # real -> 1, fake -> 0
    d_loss.backward()


@example("gan.generator-tanh")
def _generator_tanh():
    import torch

    G = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 4), torch.nn.Tanh())
    D = torch.nn.Sequential(torch.nn.Linear(4, 1), torch.nn.Sigmoid())
    pixels = G(torch.randn(256, 2) * 3)
    assert ((pixels > -1) & (pixels < 1)).all()  # pixel values in (-1, 1)
    g_loss = torch.nn.BCELoss()(D(pixels), torch.ones(256, 1))  # the generator wants its fakes scored 1
    g_loss.backward()


# ------------------------------------------------------------------------ reading this module
@dataclass(frozen=True)
class Example:
    claim: str
    needs: Tuple[str, ...]
    source: str  # the function body: a standalone script
    function: str
    line: int  # first line of the body in this file


def _const(node: ast.expr):
    return getattr(node, "value", getattr(node, "s", None))  # ast.Str on Python 3.7


def _read(path: str = HERE) -> Dict[str, Example]:
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    lines = text.splitlines()
    tree = ast.parse(text, filename=path)
    found: Dict[str, Example] = {}
    body_nodes = tree.body
    for index, node in enumerate(body_nodes):
        if not isinstance(node, ast.FunctionDef):
            continue
        for dec in node.decorator_list:
            if not (isinstance(dec, ast.Call) and getattr(dec.func, "id", None) == "example"):
                continue
            claim = _const(dec.args[0])
            needs: Tuple[str, ...] = ()
            for kw in dec.keywords:
                if kw.arg == "needs":
                    needs = tuple(_const(e) for e in kw.value.elts)
            first = node.body[0].lineno
            end = getattr(node, "end_lineno", None)
            if end is None:  # Python 3.7: up to the next top-level statement
                nxt = body_nodes[index + 1] if index + 1 < len(body_nodes) else None
                end = (min([nxt.lineno] + [d.lineno for d in getattr(nxt, "decorator_list", [])]) - 1
                       if nxt else len(lines))
            chunk = lines[first - 1:end]
            while chunk and (not chunk[-1].strip() or chunk[-1].lstrip().startswith("#")):
                chunk.pop()
            found[claim] = Example(claim, needs, textwrap.dedent("\n".join(chunk)) + "\n", node.name, first)
    return found


_CACHE: Dict[str, Example] = {}


def all_examples() -> Dict[str, Example]:
    if not _CACHE:
        _CACHE.update(_read())
    return dict(_CACHE)


def example_for(claim_id: str) -> Optional[Example]:
    return all_examples().get(claim_id)
