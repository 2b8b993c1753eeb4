"""Claims of the notes pack: Variable, volatile and no_grad (§1, §5, §14).

One record per claim: what the note says (paraphrased), what is true per release range with
its evidence, and the reach of its specs (``checks``: what they probe, each with the spec and
the breakage that shows the probe can fail; ``not_checked``: what they leave out, and why).
The specs are ``specs/spec_variable.py``; the breakages ``tests/breakages/variable.py``.
Imports nothing heavy: the CLI, report and diff read it without torch.
"""
from conformance import verdicts as V
from conformance.records import EVERY_RUN, Check, Claim, Expectation, NotChecked, always  # noqa: F401

CLAIMS = (
    Claim(
        "variable.wraps-tensor", (1, 14),
        "Wrapping a tensor as Variable(t) gives it autograd: .data holds the values, .grad_fn "
        "names the operation that made a result, .grad holds the gradient after backward.",
        always(
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
        always(V.HOLDS, "Results computed under torch.no_grad() have requires_grad=False and no grad_fn.", EVERY_RUN),
        area="variable",
    ),
)
