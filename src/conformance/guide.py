"""The reader's guide (``reports/GUIDE.md``): the notes' old idioms, what to write today, since
which release, grouped by topic, with links to the claim pages; and a list of readers'
questions answered in one sentence each.

The idioms and questions are data here; every answer sentence comes from ``answers.py``, every
release from the registry (``claims.py``) and every verdict from the results files, so the guide
is regenerated with the report (``conformance report``) and never edited by hand.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from . import claims as registry
from . import verdicts as V
from .answers import ANSWERS
from .history import claim_word, release_of
from .md import cell, code
from .reach import api_index
from .versions import parse_torch_version


@dataclass(frozen=True)
class Idiom:
    old: str  # what the notes wrote (Markdown)
    today: str  # what to write on today's torch (Markdown)
    claims: Tuple[str, ...]  # the first one's registry gives the release that changed it


@dataclass(frozen=True)
class Topic:
    title: str
    claims: Tuple[str, ...]  # every claim of the topic, in reading order
    idioms: Tuple[Idiom, ...]


@dataclass(frozen=True)
class Question:
    question: str
    claim: str  # whose plain answer answers it


TOPICS: Tuple[Topic, ...] = (
    Topic("Variable, volatile and no_grad",
          ("variable.wraps-tensor", "variable.is-tensor", "variable.volatile", "autograd.no-grad-inherited"),
          (Idiom("`Variable(torch.Tensor([1]), requires_grad=True)`", "`torch.tensor([1.0], requires_grad=True)`",
                 ("variable.is-tensor", "variable.wraps-tensor")),
           Idiom("`inputs.data` to get the tensor out of a Variable",
                 "nothing to unwrap; `inputs.detach()` for a copy cut off from autograd", ("variable.is-tensor",)),
           Idiom("`Variable(x, volatile=True)` for inference", "`with torch.no_grad():` around the computation",
                 ("variable.volatile", "autograd.no-grad-inherited")))),
    Topic("Numbers out of a loss",
          ("tensor.loss-data-index", "tensor.item", "autograd.accumulate-tensor-keeps-graph"),
          (Idiom("`loss.data[0]`", "`loss.item()`", ("tensor.loss-data-index", "tensor.item")),
           Idiom("`total_loss += loss`", "`total_loss += loss.item()`",
                 ("autograd.accumulate-tensor-keeps-graph", "tensor.item")))),
    Topic("Calling backward",
          ("autograd.scalar-backward", "autograd.backward-all-leaves", "autograd.nonscalar-needs-gradient",
           "autograd.vector-backward-weights", "autograd.grads-accumulate"),
          (Idiom("`Y.backward()` on a scalar, then `x.grad`", "the same", ("autograd.scalar-backward",
                                                                           "autograd.backward-all-leaves")),
           Idiom("`y.backward(torch.FloatTensor([1, 0.1, 0.01]))` on a vector",
                 "`y.backward(torch.tensor([1, 0.1, 0.01]))`, or `y.sum().backward()` for plain gradients",
                 ("autograd.vector-backward-weights", "autograd.nonscalar-needs-gradient")))),
    Topic("Calling backward twice: retain_graph",
          ("autograd.double-backward-error", "autograd.retain-graph", "autograd.retain-graph-default",
           "autograd.retain-variables", "autograd.two-losses", "nn.content-loss-module"),
          (Idiom("`output1.backward(); output2.backward()` on one graph",
                 "`output1.backward(retain_graph=True)` first, or one `(output1 + output2).backward()`",
                 ("autograd.double-backward-error", "autograd.retain-graph")),
           Idiom("`backward(retain_variables=True)`", "`backward(retain_graph=True)`",
                 ("autograd.retain-variables", "autograd.retain-graph-default")),
           Idiom("`loss1.backward(retain_graph=True); loss2.backward(); optimizer.step()`",
                 "the same, or `(loss1 + loss2).backward()`", ("autograd.two-losses",)),
           Idiom("a `backward(self, retain_graph=True)` method on a loss Module",
                 "call it yourself, or return the loss and backpropagate it: autograd never calls it",
                 ("nn.content-loss-module",)))),
    Topic("Stopping gradients: detach",
          ("autograd.detach-blocks-gradient", "autograd.detach-inplace"),
          (Idiom("`z = B(y.detach())`", "the same", ("autograd.detach-blocks-gradient",)),
           Idiom("`y.detach_()` then `z = B(y)`", "`y.detach()` (detach_ changes y and fails on views)",
                 ("autograd.detach-inplace",)))),
    Topic("One training step: loss, zero_grad, backward, step",
          ("optim.crossentropy", "optim.zero-grad", "optim.backward-fills-grads", "optim.sgd-momentum-step"),
          (Idiom("`optimizer.zero_grad()` (leaves zeros)",
                 "the same call; `.grad` is None afterwards; `zero_grad(set_to_none=False)` for zeros",
                 ("optim.zero-grad", "autograd.grads-accumulate")),
           Idiom("`nn.CrossEntropyLoss()(output, target)` on raw scores", "the same", ("optim.crossentropy",)),
           Idiom("`loss.backward(); optimizer.step()` with `SGD(lr=0.01, momentum=0.9)`", "the same",
                 ("optim.backward-fills-grads", "optim.sgd-momentum-step")))),
    Topic("Saving and loading models",
          ("serialize.state-dict", "serialize.whole-model"),
          (Idiom("`torch.save(model, PATH)` then `model = torch.load(PATH)`",
                 "`torch.save(model.state_dict(), PATH)` and `model.load_state_dict(torch.load(PATH))`; "
                 "for a whole pickled model you trust, `torch.load(PATH, weights_only=False)`",
                 ("serialize.whole-model", "serialize.state-dict")),
           Idiom("`model.load_state_dict(torch.load(PATH))`", "the same", ("serialize.state-dict",)))),
    Topic("torch.max over a dimension",
          ("reduce.max-dim0", "reduce.max-dim1", "reduce.max-result-type", "reduce.max-ties"),
          (Idiom("`torch.max(a, 1)[1]` as the predicted label", "the same, or `a.argmax(1)`",
                 ("reduce.max-dim1", "reduce.max-dim0")),
           Idiom("the result printed as a pair `(values, indices)`", "`result.values`, `result.indices` (still a pair)",
                 ("reduce.max-result-type",)),
           Idiom("'the index of the maximum' when maxima tie", "expect the first tied index",
                 ("reduce.max-ties",)))),
    Topic("Layer shapes and Gram matrices",
          ("nn.conv-output-size", "nn.net-flatten-size", "style.gram-matrix"),
          (Idiom("`H = (W - F + 2P)/S + 1`", "the same, rounded down", ("nn.conv-output-size",)),
           Idiom("`Linear(64*3*3, 128)` after three conv+pool blocks 'so the input is 3x3'",
                 "inputs of 24..31 pixels square (28x28 MNIST)", ("nn.net-flatten-size",)),
           Idiom("the Gram matrix from channel pairs", "`F @ F.t()` with `F = features.reshape(C, -1)`",
                 ("style.gram-matrix",)))),
    Topic("Datasets and DataLoader",
          ("data.dataset-protocol", "data.getitem-types", "data.dataloader-batches", "data.dataloader-shuffle",
           "data.dataloader-workers", "data.collate-fn", "data.mnist-style-dataset", "data.torchvision-mnist"),
          (Idiom("MNIST files under `root`, `MNIST(root, download=True)`",
                 "the same; root is the folder containing `MNIST/`, and the raw files under `MNIST/raw` "
                 "count as already there", ("data.torchvision-mnist",)),
           Idiom("a Dataset with `__len__` returning 60000 or 10000", "`return len(self.images)`",
                 ("data.mnist-style-dataset",)),
           Idiom("a Dataset subclass with `__len__` and `__getitem__`", "the same",
                 ("data.dataset-protocol", "data.getitem-types")),
           Idiom("`DataLoader(..., batch_size, shuffle, num_workers, collate_fn)`", "the same",
                 ("data.dataloader-batches", "data.dataloader-shuffle", "data.dataloader-workers",
                  "data.collate-fn")))),
    Topic("GAN output layers",
          ("gan.discriminator-sigmoid", "gan.generator-tanh"),
          (Idiom("discriminator ending in `Sigmoid`, fakes scored 0", "the same",
                 ("gan.discriminator-sigmoid",)),
           Idiom("generator ending in `tanh`, its fakes scored 1", "the same", ("gan.generator-tanh",)))),
)

QUESTIONS: Tuple[Question, ...] = (
    Question("What does `zero_grad()` leave in `.grad` today?", "optim.zero-grad"),
    Question("Can I still `torch.save(model)` and `torch.load` it?", "serialize.whole-model"),
    Question("Does `loss.data[0]` still work?", "tensor.loss-data-index"),
    Question("Which index does `torch.max` return on ties?", "reduce.max-ties"),
    Question("Do I still need `Variable`?", "variable.wraps-tensor"),
    Question("What replaced `volatile=True`?", "variable.volatile"),
    Question("Is `retain_variables=True` still accepted?", "autograd.retain-variables"),
    Question("How do I backpropagate two outputs of one graph?", "autograd.retain-graph"),
    Question("Does `total_loss += loss` keep memory alive?", "autograd.accumulate-tensor-keeps-graph"),
    Question("Does `MNIST(root, download=True)` download again when the files are there?",
             "data.torchvision-mnist"),
    Question("Which input size fits the §9 network's `Linear(64*3*3, 128)`?", "nn.net-flatten-size"),
    Question("Does autograd call a Module's own `backward` method?", "nn.content-loss-module"),
)


# ------------------------------------------------------------------------------ release facts
def today_expectation(claim_id: str) -> Optional[registry.Expectation]:
    """The claim's expectation for the newest torch (the range with no upper bound)."""
    return registry.get(claim_id).expectation_for(parse_torch_version("9999"))


def changed_in(claim_id: str, oldest_run: Optional[str] = None) -> str:
    """The release(s) where the claim's behaviour changed, from the registry: the newest first,
    e.g. '2.6 (earlier: 2.4)'; releases older than ``oldest_run`` are marked as such."""
    claim = registry.get(claim_id)
    today = today_expectation(claim_id)
    releases = [e.since for e in claim.expectations if e.since]
    newest = today.since if today is not None and today.since else None
    if newest is None:
        return "unchanged"
    text = newest
    if oldest_run and parse_torch_version(newest).release < parse_torch_version(oldest_run).release:
        text += " (before the oldest release run; release notes)"
    earlier = [r for r in releases if r != newest]
    if earlier:
        text += " (earlier: %s)" % ", ".join(earlier)
    return text


def latest_run_of(runs: List[Dict[str, Any]], claim_id: str) -> Optional[Dict[str, Any]]:
    """The newest run in which the claim's specs ran (passed or failing)."""
    for run in reversed(runs):
        c = run["claims"].get(claim_id)
        if c is not None and c["status"] in (V.PASSED, V.FAILING):
            return run
    return None


def verdict_today(runs: List[Dict[str, Any]], claim_id: str) -> str:
    """'⌛ outdated' on the newest run, or '✅ holds (2.14.1)' when the newest run did not run it."""
    run = latest_run_of(runs, claim_id)
    if run is None:
        return "· not-run"
    word = claim_word(run["claims"][claim_id])
    text = "%s %s" % (V.SYMBOLS.get(word, ""), word)
    if runs and run is not runs[-1]:
        text += " (on %s)" % release_of(run)
    return text


def _link(claim_id: str, prefix: str = "claims/") -> str:
    return "[`%s`](%s%s.md)" % (claim_id, prefix, claim_id)


def _sections(claim_ids) -> str:
    secs = sorted({s for cid in claim_ids for s in registry.get(cid).sections})
    return registry.section_label(secs)


def render_guide(runs: List[Dict[str, Any]]) -> str:
    releases = [release_of(r) for r in runs]
    oldest, newest = (releases[0], releases[-1]) if releases else (None, None)
    lines = [
        "# The notes' idioms on today's torch",
        "",
        "Generated by `conformance report` from %d results files (torch %s – %s) in `reports/results/`; "
        "do not edit by hand." % (len(runs), oldest, newest),
        "",
        "The notes were written for torch 0.3/0.4. This guide takes their idioms one by one: what to write on "
        "today's torch (%s, the newest release run), the release that changed it, and the claim pages, where "
        "each claim has a plain answer, a runnable example (executed by the kit's tests), the verdict on every "
        "release and the specs that check it. The full matrix is in [README.md](README.md)." % newest,
        "",
        "Verdicts grade the note's claim: %s." % " · ".join("%s %s" % (V.SYMBOLS[k], k) for k in V.VERDICTS),
        "",
        "## Questions",
        "",
    ]
    for q in QUESTIONS:
        lines.append("- **%s** %s %s" % (q.question, ANSWERS[q.claim].today, _link(q.claim)))
    lines += ["", "Looking for an API? The [index](#index-of-apis) below maps each API name to its claims.",
              "", "## Idioms, by topic", ""]
    lines += ["- [%s](#%s)" % (t.title, _anchor(t.title)) for t in TOPICS]
    for topic in TOPICS:
        lines += ["", "### %s" % topic.title, "", "Notes: %s. Claims: %s." % (
            _sections(topic.claims), " · ".join(_link(c) for c in topic.claims)), "",
                  "| the notes wrote | write today | changed in | verdict today | claim pages |",
                  "|---|---|---|---|---|"]
        for idiom in topic.idioms:
            gate = idiom.claims[0]
            lines.append("| %s | %s | %s | %s | %s |" % (
                cell(idiom.old), cell(idiom.today), changed_in(gate, oldest), verdict_today(runs, gate),
                " ".join(_link(c) for c in idiom.claims)))
    lines += [""] + _api_index_section()
    return "\n".join(lines)


def _api_index_section() -> List[str]:
    """``## Index of APIs``: every API a claim's checks exercise -> the claims, with what is checked."""
    lines = ["## Index of APIs", "",
             "Every public name that a claim's specs exercise, with the claims whose verdict covers it and what is "
             "checked there (each claim page lists all its checks, and what is not checked).", "",
             "| API | claim | checked |", "|---|---|---|"]
    for api, uses in api_index().items():
        by_claim: Dict[str, List[str]] = {}
        for cid, check_id in uses:
            by_claim.setdefault(cid, []).append(check_id)
        first = True
        for cid, check_ids in by_claim.items():
            checks = {c.id: c for c in registry.get(cid).checks}
            what = "; ".join(checks[i].what for i in check_ids)
            lines.append("| %s | %s | %s |" % (code(api) if first else "", _link(cid), cell(what)))
            first = False
    return lines + [""]


def _anchor(title: str) -> str:
    """GitHub's heading anchor: lower case, spaces to hyphens, punctuation dropped."""
    out = []
    for ch in title.lower():
        if ch.isalnum() or ch in "-_":
            out.append(ch)
        elif ch == " ":
            out.append("-")
    return "".join(out)


def topic_of(claim_id: str) -> Optional[Topic]:
    for topic in TOPICS:
        if claim_id in topic.claims:
            return topic
    return None
