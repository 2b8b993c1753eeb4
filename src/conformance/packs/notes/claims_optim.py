"""Claims of the notes pack: the training step: loss, zero_grad, backward, SGD with momentum (§2, §4).

One record per claim: what the note says (paraphrased), what is true per release range with
its evidence, and the reach of its specs (``checks``: what they probe, each with the spec and
the breakage that shows the probe can fail; ``not_checked``: what they leave out, and why).
The specs are ``specs/spec_optim.py``; the breakages ``tests/breakages/optim.py``.
Imports nothing heavy: the CLI, report and diff read it without torch.
"""
from conformance import verdicts as V
from conformance.records import EVERY_RUN, Check, Claim, Expectation, NotChecked, always  # noqa: F401

CLAIMS = (
    Claim(
        "optim.crossentropy", (2,),
        "nn.CrossEntropyLoss()(output, target) takes raw scores (logits) and class indices.",
        always(V.HOLDS, "It equals the mean of -log_softmax(output)[i, target[i]].", EVERY_RUN),
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
        always(V.HOLDS, "Every parameter that takes part in the loss gets a .grad of its shape.", EVERY_RUN),
        area="optim",
    ),
    Claim(
        "optim.sgd-momentum-step", (2,),
        "optimizer.step() updates the parameters; here SGD with lr=0.01, momentum=0.9.",
        always(
            V.HOLDS_WITH_CAVEAT,
            "Updates follow PyTorch's documented form b = mu*b + g, p = p - lr*b (first step "
            "b = g), which differs from the textbook (Sutskever) v = mu*v + lr*g by where lr enters.",
            EVERY_RUN,
        ),
        observe="update vs. a reference over several steps",
        area="optim",
    ),
)
