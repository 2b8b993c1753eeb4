"""Claims of the notes pack: numbers out of a loss: indexing, .item(), running totals (§4, §11).

One record per claim: what the note says (paraphrased), what is true per release range with
its evidence, and the reach of its specs (``checks``: what they probe, each with the spec and
the breakage that shows the probe can fail; ``not_checked``: what they leave out, and why).
The specs are ``specs/spec_tensor.py``; the breakages ``tests/breakages/tensor.py``.
Imports nothing heavy: the CLI, report and diff read it without torch.
"""
from conformance import verdicts as V
from conformance.records import EVERY_RUN, Check, Claim, Expectation, NotChecked, always  # noqa: F401

CLAIMS = (
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
        always(V.HOLDS, "The autograd graph reachable from the running total grows linearly with "
                "the number of iterations; with .item() the total is a float and nothing is kept.", EVERY_RUN),
        observe="growth measured",
        area="tensor",
    ),
)
