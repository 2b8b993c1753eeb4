"""The claim registry: every claim of the notes, as data.

A claim has a stable ID (from claims.md), the note's section(s), a statement in the kit's own
words, what its specs must record, and one or more *expectations*: a torch version range, the
verdict for that range, a key that the specs branch on where behaviour differs, what is true,
and the evidence (release run and what it showed) for the range boundary.

Evidence convention: "run: <release> <what was seen>" names a release the kit ran (its results
are under reports/results/); "docs:" names documentation or release notes, used only for
boundaries older than the oldest release the kit can install.

This module imports nothing heavy: the CLI, report and diff use it without torch.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from . import verdicts as V
from .versions import TorchVersion, in_range, parse_range


def section_label(sections) -> str:
    """How the kit cites the notes: ``§3, §9``."""
    return ", ".join("§%d" % s for s in sections)


@dataclass(frozen=True)
class Expectation:
    versions: str  # PEP 440 specifier set, e.g. ">=2.6"
    verdict: str
    truth: str  # what is true on this range, in the kit's words
    key: str = "default"  # the behaviour the specs check on this range
    since: Optional[str] = None  # the release where this range's behaviour started
    evidence: str = ""

    def __post_init__(self):
        parse_range(self.versions)
        if self.verdict not in V.VERDICTS:
            raise ValueError("unknown verdict %r" % self.verdict)

    def as_dict(self) -> dict:
        return {
            "versions": self.versions,
            "verdict": self.verdict,
            "key": self.key,
            "truth": self.truth,
            "since": self.since,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Claim:
    id: str
    sections: Tuple[int, ...]
    statement: str  # the note's claim, paraphrased
    expectations: Tuple[Expectation, ...]
    observe: str = ""  # what the specs must record
    area: str = ""  # spec module that checks it

    def expectation_for(self, version: TorchVersion) -> Optional[Expectation]:
        for exp in self.expectations:
            if in_range(version, exp.versions):
                return exp
        return None

    @property
    def section_label(self) -> str:
        return section_label(self.sections)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "sections": list(self.sections),
            "statement": self.statement,
            "observe": self.observe,
            "area": self.area,
            "expectations": [e.as_dict() for e in self.expectations],
        }


def _always(verdict: str, truth: str, evidence: str = "", key: str = "default") -> Tuple[Expectation, ...]:
    return (Expectation(">=1.0", verdict, truth, key=key, evidence=evidence),)


_ALL = "run: every release in reports/results/ (1.0.1 .. 2.15.0)"

CLAIMS: Tuple[Claim, ...] = (
    # ---------------------------------------------------------------- Variable (§1, §5, §14)
    Claim(
        "variable.wraps-tensor", (1, 14),
        "Wrapping a tensor as Variable(t) gives it autograd: .data holds the values, .grad_fn "
        "names the operation that made a result, .grad holds the gradient after backward.",
        _always(
            V.HOLDS_WITH_CAVEAT,
            "The attributes behave as described, but Variable is a deprecated shim: Variable(t) "
            "returns a plain torch.Tensor and torch.tensor(..., requires_grad=True) is the modern form.",
            evidence="run: Variable(t) is torch.Tensor on every release run; docs: 0.4.0 release "
            "notes merged Variable into Tensor",
        ),
        observe="type returned by Variable(t); grad_fn class name",
        area="variable",
    ),
    Claim(
        "variable.is-tensor", (14,),
        "A Variable is a wrapper around a tensor, and .data takes the plain tensor back out.",
        (Expectation(
            ">=1.0", V.OUTDATED,
            "Since 0.4 there is no wrapper: Variable(t) is itself a torch.Tensor. .data still "
            "returns a tensor that shares storage with it and does not require grad (prefer .detach()).",
            since="0.4.0",
            evidence="run: isinstance(Variable(t), torch.Tensor) on every release run; docs: 0.4.0 "
            "release notes ('Tensor and Variable have merged')",
        ),),
        observe="isinstance; storage sharing",
        area="variable",
    ),
    Claim(
        "variable.volatile", (5,),
        "Creating a Variable with volatile=True switches gradient computation off, and results "
        "computed from it inherit the flag.",
        (Expectation(
            ">=1.0", V.OUTDATED,
            "volatile is ignored: passing it only warns (UserWarning 'volatile was removed and now "
            "has no effect'), results require grad whenever their inputs do, and volatile=True "
            "together with requires_grad=True is refused (ValueError). torch.no_grad() replaces it.",
            since="0.4.0",
            evidence="run: 1.0.1 .. 2.15.0 warn 'volatile was removed and now has no effect. Use "
            "`with torch.no_grad():` instead.'; docs: 0.4.0 release notes deprecate volatile",
        ),),
        observe="warning category and text; requires_grad of results",
        area="variable",
    ),
    Claim(
        "autograd.no-grad-inherited", (5,),
        "The modern form of the volatile flag: whatever is computed inside torch.no_grad() does "
        "not require grad, even from inputs that do.",
        _always(V.HOLDS, "Results computed under torch.no_grad() have requires_grad=False and no grad_fn.", _ALL),
        area="variable",
    ),
    # ---------------------------------------------------------------- autograd (§1, §4, §6, §7)
    Claim(
        "autograd.scalar-backward", (1,),
        "For leaves x=1, w=2, b=3 that require grad and Y=w*x+b, calling Y.backward() with no "
        "argument gives x.grad=[2.] (and w.grad=[1.], b.grad=[1.]); x.data stays [1.].",
        _always(V.HOLDS, "As stated: dY/dx=w=2, dY/dw=x=1, dY/db=1.", _ALL),
        observe="all three grads",
        area="autograd",
    ),
    Claim(
        "autograd.backward-all-leaves", (1,),
        "One backward() call fills .grad of every leaf that requires grad, without naming them.",
        _always(V.HOLDS, "Every leaf reachable from the output that requires grad gets .grad; "
                "leaves that do not require grad keep .grad None.", _ALL),
        area="autograd",
    ),
    Claim(
        "autograd.nonscalar-needs-gradient", (1,),
        "Calling backward() with no argument on a non-scalar output is an error.",
        _always(V.HOLDS, "RuntimeError 'grad can be implicitly created only for scalar outputs'.", _ALL),
        observe="exception type and message",
        area="autograd",
    ),
    Claim(
        "autograd.vector-backward-weights", (1,),
        "For y=x*2, y.backward(v) with v=[1, 0.1, 0.01] gives x.grad=[2, 0.2, 0.02]: the argument "
        "weights each output, in general x.grad = J^T v.",
        _always(V.HOLDS, "backward(v) computes the vector-Jacobian product J^T v.", _ALL),
        area="autograd",
    ),
    Claim(
        "autograd.grads-accumulate", (4,),
        "Gradients are added into .grad by every backward pass unless they are zeroed, which "
        "spoils training.",
        _always(V.HOLDS, "After k backward passes of the same graph, .grad is k times one pass's gradient.", _ALL),
        area="autograd",
    ),
    Claim(
        "autograd.detach-blocks-gradient", (6,),
        "With z = B(A(x).detach()), z.backward() gives B's parameters gradients and A's none.",
        _always(V.HOLDS, "A's parameters keep .grad None (never zeros); B's get gradients.", _ALL),
        observe="A's .grad value (None or zeros)",
        area="autograd",
    ),
    Claim(
        "autograd.detach-inplace", (6,),
        "Calling y.detach_() before z = B(y) has the same effect as B(y.detach()).",
        _always(
            V.HOLDS_WITH_CAVEAT,
            "Same gradients for A and B, but detach_() changes y itself (grad_fn None, "
            "requires_grad False) and raises RuntimeError on a view ('Can't detach views in-place').",
            _ALL,
        ),
        observe="what happens to y itself (grad_fn, requires_grad, errors on views)",
        area="autograd",
    ),
    Claim(
        "autograd.double-backward-error", (7,),
        "A second backward through a graph whose buffers were freed raises an error "
        "(y=x**2, z=y*4, backward of z.mean() then of z.sum()).",
        _always(V.HOLDS, "RuntimeError mentioning 'backward through the graph a second time'; "
                "the wording around it grew over releases (recorded per run).", _ALL),
        observe="exception type and full message",
        area="autograd",
    ),
    Claim(
        "autograd.retain-graph", (7,),
        "backward(retain_graph=True) on the first output lets a second output backpropagate "
        "through the shared graph; the gradients add up.",
        _always(V.HOLDS, "As stated: x.grad is the sum of both outputs' gradients.", _ALL),
        area="autograd",
    ),
    Claim(
        "autograd.retain-graph-default", (7,),
        "retain_graph defaults to the value of create_graph.",
        _always(V.HOLDS, "backward(create_graph=True) keeps the graph, so a second backward works; "
                "by default it is freed.", _ALL),
        area="autograd",
    ),
    Claim(
        "autograd.retain-variables", (7,),
        "retain_variables=True is another (older) name for the same option.",
        (Expectation(
            ">=1.0", V.OUTDATED,
            "The keyword no longer exists: Tensor.backward() and torch.autograd.backward() reject "
            "it with TypeError ('unexpected keyword argument'); use retain_graph.",
            since="0.4.0",
            evidence="run: TypeError on every release run (1.0.1 .. 2.15.0); older than the kit can "
            "install: renamed to retain_graph in 0.2 (pytorch/pytorch#2107), a TypeError under 0.4 "
            "(MorvanZhou/PyTorch-Tutorial#45)",
        ),),
        observe="what passing it does today",
        area="autograd",
    ),
    Claim(
        "autograd.two-losses", (7,),
        "Two losses on one network: backward the first with retain_graph=True, then the second, "
        "then optimizer.step(); the result equals one step on the sum of the losses.",
        _always(V.HOLDS, "Gradients of both backward passes add up, so the step equals one on loss1+loss2.", _ALL),
        area="autograd",
    ),
    Claim(
        "nn.content-loss-module", (7,),
        "The style-transfer ContentLoss module: stores a detached, weighted target; its forward "
        "returns the input unchanged and keeps the loss; its backward(retain_graph=True) "
        "backpropagates the stored loss, and runs when the network backpropagates.",
        _always(
            V.HOLDS_WITH_CAVEAT,
            "The module works as a pass-through that stores its loss, and calling its backward "
            "method backpropagates it, but autograd never calls a Module's backward method: it "
            "runs only when the training loop calls it.",
            _ALL,
        ),
        area="autograd",
    ),
    # ---------------------------------------------------------------- style, shapes (§8, §9)
    Claim(
        "style.gram-matrix", (8,),
        "The Gram matrix of a CxMxN feature map, built entry by entry from channel pairs, equals "
        "F F^T with F the map reshaped to C x (M*N).",
        _always(V.HOLDS, "Both computations agree; the result is symmetric positive semi-definite.", _ALL),
        area="nn",
    ),
    Claim(
        "nn.conv-output-size", (9,),
        "A convolution's output size is (W - F + 2P)/S + 1, rounded down; with F=3, P=1, S=1 the "
        "size is unchanged.",
        (
            Expectation(
                ">=1.1", V.HOLDS,
                "Holds for Conv2d and MaxPool2d (with dilation D, F becomes D*(F-1)+1); where the "
                "formula gives less than 1 both raise RuntimeError.",
                key="too-small-raises", since="1.1",
                evidence="run: 1.1.0 and later raise RuntimeError for a Conv2d kernel larger than its "
                "(padded) input ('Kernel size can't be greater than actual input size'); 1.0.1 "
                "returns an empty output",
            ),
            Expectation(
                "<1.1", V.HOLDS_WITH_CAVEAT,
                "Holds for Conv2d and MaxPool2d (with dilation D, F becomes D*(F-1)+1) wherever it "
                "gives at least 1. An undilated Conv2d does not check a kernel larger than its padded "
                "input: it sizes the output with C's truncating division, int((W - F + 2P)/S) + 1, "
                "returning an empty output (0) or even a 1-pixel one where the formula gives 0, and "
                "raises only below 0; dilated convolutions and MaxPool2d raise RuntimeError.",
                key="unchecked-kernel",
                evidence="run: 1.0.1 gives shape (1, 1, 0, 0) for a 1x1 input and a 2x2 kernel, and "
                "(1, 1, 1, 1) with stride 2 and a 3x3 kernel on 2x2",
            ),
        ),
        area="nn",
    ),
    Claim(
        "nn.net-flatten-size", (9,),
        "In the three-block conv/ReLU/MaxPool2d(2) network ending in Linear(64*3*3, 128), 3x3 is "
        "the final feature map size, so the input must be 3x3 too.",
        _always(
            V.WRONG,
            "The convolutions keep the size but each MaxPool2d(2) halves it (rounding down), so "
            "the final map is 3x3 exactly for inputs of 24..31 pixels square; a 3x3 input fails "
            "already in the second pooling layer.",
            _ALL,
        ),
        observe="which input sizes actually work",
        area="nn",
    ),
    # ---------------------------------------------------------------- torch.max (§10)
    Claim(
        "reduce.max-dim0", (10,),
        "torch.max(a, 0) returns each column's maximum and the row index where it sits.",
        _always(V.HOLDS, "As stated.", _ALL),
        area="reduce",
    ),
    Claim(
        "reduce.max-dim1", (10,),
        "torch.max(a, 1) returns each row's maximum and its column index; [1] of it is the "
        "predicted label for rows of class scores.",
        _always(V.HOLDS, "As stated.", _ALL),
        area="reduce",
    ),
    Claim(
        "reduce.max-result-type", (10,),
        "The result is a pair (values, indices).",
        (
            Expectation(
                ">=1.1", V.HOLDS_WITH_CAVEAT,
                "It is a named tuple (torch.return_types.max) with fields .values and .indices; "
                "it still unpacks and indexes as a pair.",
                key="named", since="1.1",
                evidence="run: 1.1.0 and later return torch.return_types.max with .values/.indices; "
                "1.0.1 returns builtins.tuple",
            ),
            Expectation(
                "<1.1", V.HOLDS,
                "A plain tuple (values, indices), as the note prints it, with no .values/.indices fields.",
                key="plain",
                evidence="run: 1.0.1 returns builtins.tuple without .values or .indices",
            ),
        ),
        observe="result type name; .values/.indices fields",
        area="reduce",
    ),
    Claim(
        "reduce.max-ties", (10,),
        "(implied) The index returned is that of 'the' maximum; which one comes back when a row "
        "has several equal maxima?",
        (
            Expectation(
                ">=1.6", V.HOLDS_WITH_CAVEAT,
                "On ties the index of the first maximal value comes back (documented), on every device run.",
                key="first", since="1.6",
                evidence="run: 1.6.0 and later return [1, 0, 2] for rows whose maxima tie at [1, 2], "
                "[0, 1, 2, 3], [2, 3], and 7 for a long row; 1.5.1 returns [2, 3, 3] and 997",
            ),
            Expectation(
                "<1.6", V.HOLDS_WITH_CAVEAT,
                "On ties the CPU returns the index of the last maximal value.",
                key="last",
                evidence="run: 1.0.1 .. 1.5.1 return [2, 3, 3] and 997 (the last tied maxima)",
            ),
        ),
        observe="index on each device",
        area="reduce",
    ),
    # ---------------------------------------------------------------- scalars (§4, §11)
    Claim(
        "tensor.loss-data-index", (4, 11),
        "loss.data[0] gives the loss value as a Python number.",
        (Expectation(
            ">=1.0", V.OUTDATED,
            "A loss is a 0-dim tensor, and indexing it raises IndexError ('invalid index of a "
            "0-dim tensor. Use tensor.item() ...'); use loss.item().",
            since="0.4.0",
            evidence="run: IndexError on every release run; docs: 0.4.0 release notes (losses "
            "became 0-dim)",
        ),),
        observe="exception and message",
        area="tensor",
    ),
    Claim(
        "tensor.item", (11,),
        "loss.item() gives a Python number from a one-element tensor.",
        (
            Expectation(
                ">=1.2", V.HOLDS,
                "float for floating tensors, int for integer tensors, bool for bool tensors.",
                key="bool", since="1.2",
                evidence="run: 1.2.0 and later: torch.tensor(True) is torch.bool and .item() gives bool; "
                "1.1.0 gives int from a uint8 tensor",
            ),
            Expectation(
                "<1.2", V.HOLDS,
                "float for floating tensors, int for integer tensors; there is no bool dtype yet: "
                "torch.tensor(True) is a uint8 tensor, so .item() gives int (1).",
                key="no-bool",
                evidence="run: 1.0.1 and 1.1.0 make torch.tensor(True) torch.uint8 and .item() gives int",
            ),
        ),
        observe="type",
        area="tensor",
    ),
    Claim(
        "autograd.accumulate-tensor-keeps-graph", (11,),
        "total_loss += loss without .item() keeps every iteration's graph alive and memory "
        "grows; with .item() it does not.",
        _always(V.HOLDS, "The autograd graph reachable from the running total grows linearly with "
                "the number of iterations; with .item() the total is a float and nothing is kept.", _ALL),
        observe="growth measured",
        area="tensor",
    ),
    # ---------------------------------------------------------------- training loop (§2, §4)
    Claim(
        "optim.crossentropy", (2,),
        "nn.CrossEntropyLoss()(output, target) takes raw scores (logits) and class indices.",
        _always(V.HOLDS, "It equals the mean of -log_softmax(output)[i, target[i]].", _ALL),
        observe="value vs. a reference",
        area="optim",
    ),
    Claim(
        "optim.zero-grad", (2, 4),
        "optimizer.zero_grad() clears the gradients.",
        (
            Expectation(
                ">=2.0", V.HOLDS_WITH_CAVEAT,
                "It clears them by setting .grad to None (set_to_none=True is the default); "
                "set_to_none=False fills zeros.",
                key="none", since="2.0",
                evidence="run: 2.0.1 and later leave .grad None; 1.13.1 leaves zeros",
            ),
            Expectation(
                "<2.0", V.HOLDS,
                "It fills .grad with zeros (set_to_none=False is the default).",
                key="zeros",
                evidence="run: 1.0.1 .. 1.13.1 leave zeros",
            ),
        ),
        observe="what .grad is after it (zeros or None)",
        area="optim",
    ),
    Claim(
        "optim.backward-fills-grads", (2,),
        "loss.backward() computes the gradient of every parameter.",
        _always(V.HOLDS, "Every parameter that takes part in the loss gets a .grad of its shape.", _ALL),
        area="optim",
    ),
    Claim(
        "optim.sgd-momentum-step", (2,),
        "optimizer.step() updates the parameters; here SGD with lr=0.01, momentum=0.9.",
        _always(
            V.HOLDS_WITH_CAVEAT,
            "Updates follow PyTorch's documented form b = mu*b + g, p = p - lr*b (first step "
            "b = g), which differs from the textbook (Sutskever) v = mu*v + lr*g by where lr enters.",
            _ALL,
        ),
        observe="update vs. a reference over several steps",
        area="optim",
    ),
    # ---------------------------------------------------------------- serialization (§3)
    Claim(
        "serialize.state-dict", (3,),
        "Saving and loading only state_dict() restores the parameters and is the more flexible way.",
        (
            Expectation(
                ">=1.1", V.HOLDS,
                "Loads into a freshly built model, into another class with the same parameter "
                "names, and partially with strict=False, which returns the missing keys.",
                key="reports-keys", since="1.1",
                evidence="run: 1.1.0 and later return the missing and unexpected keys from "
                "load_state_dict; 1.0.1 returns None",
            ),
            Expectation(
                "<1.1", V.HOLDS,
                "Loads into a freshly built model, into another class with the same parameter "
                "names, and partially with strict=False; load_state_dict returns None, so nothing "
                "reports which keys were missing.",
                key="returns-none",
                evidence="run: 1.0.1 load_state_dict(..., strict=False) returns None",
            ),
        ),
        area="serialize",
    ),
    Claim(
        "serialize.whole-model", (3,),
        "torch.save(model, PATH) and then torch.load(PATH) gives the model back.",
        (
            Expectation(
                ">=2.6", V.OUTDATED,
                "Plain torch.load(PATH) refuses a pickled model: weights_only defaults to True and "
                "it raises UnpicklingError ('Weights only load failed'); torch.load(PATH, "
                "weights_only=False) still works for trusted files, and the class must be importable.",
                key="refuses", since="2.6",
                evidence="run: 2.6.0 raises UnpicklingError 'Weights only load failed'; 2.5.1 loads "
                "with a FutureWarning",
            ),
            Expectation(
                ">=2.4,<2.6", V.HOLDS_WITH_CAVEAT,
                "It works but warns (FutureWarning) that weights_only will default to True.",
                key="warns", since="2.4",
                evidence="run: 2.4.1 and 2.5.1 warn 'You are using `torch.load` with "
                "`weights_only=False`'; 2.3.1 loads silently",
            ),
            Expectation(
                "<2.4", V.HOLDS,
                "It works silently (the class must be importable at load time).",
                key="loads",
                evidence="run: 1.0.1 .. 2.3.1 load without a warning",
            ),
        ),
        observe="what plain torch.load(PATH) does (warning, exception, message)",
        area="serialize",
    ),
    # ---------------------------------------------------------------- data (§12, §13, §16)
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
        _always(V.HOLDS, "Batches of batch_size, a smaller last batch unless drop_last=True.", _ALL),
        observe="batch shapes, last batch",
        area="data",
    ),
    Claim(
        "data.dataloader-shuffle", (16,),
        "DataLoader can shuffle the order of the samples.",
        _always(V.HOLDS, "Each epoch is a permutation, reproducible with a seeded generator.", _ALL),
        area="data",
    ),
    Claim(
        "data.dataloader-workers", (16,),
        "DataLoader loads data in parallel with multiprocessing.",
        _always(V.HOLDS, "num_workers>0 yields the same batches in the same order as num_workers=0; "
                "each worker gets its own seed.", _ALL),
        area="data",
    ),
    Claim(
        "data.collate-fn", (16,),
        "collate_fn decides how a list of samples becomes a batch; the default suits most cases.",
        _always(V.HOLDS, "A custom collate_fn gets the list of samples and its return value is the batch.", _ALL),
        area="data",
    ),
    Claim(
        "data.mnist-style-dataset", (13,),
        "The note's MNIST-like Dataset loads stored tensors, returns a mode-'L' PIL image (made "
        "with Image.fromarray) and the target, applies transforms if given, and reports a "
        "hard-coded length of 60000 or 10000.",
        _always(V.HOLDS_WITH_CAVEAT, "Works, but the hard-coded length lies when the stored data "
                "is smaller: len() says 60000 and indexing past the real size raises IndexError.", _ALL),
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
    # ---------------------------------------------------------------- GAN (§15)
    Claim(
        "gan.discriminator-sigmoid", (15,),
        "A discriminator ending in Sigmoid outputs probabilities; training it, fake data should "
        "score 0 and real data 1.",
        _always(V.HOLDS, "Outputs lie in (0, 1); a step on BCE with those targets lowers the score of fakes.", _ALL),
        area="gan",
    ),
    Claim(
        "gan.generator-tanh", (15,),
        "A generator ending in tanh outputs pixel values in -1..1; training it, fake data should score 1.",
        _always(V.HOLDS, "Outputs lie in (-1, 1); a generator step on BCE with target 1 raises "
                "the discriminator's score of fakes.", _ALL),
        area="gan",
    ),
)

BY_ID: Dict[str, Claim] = {c.id: c for c in CLAIMS}
if len(BY_ID) != len(CLAIMS):  # pragma: no cover - guarded by a meta-test too
    raise RuntimeError("duplicate claim IDs in the registry")


class UnknownClaim(KeyError):
    pass


def get(claim_id: str) -> Claim:
    try:
        return BY_ID[claim_id]
    except KeyError:
        raise UnknownClaim("unknown claim ID %r" % claim_id) from None


def ids() -> List[str]:
    return [c.id for c in CLAIMS]
