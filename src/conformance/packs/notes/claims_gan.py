"""Claims of the notes pack: the two networks of a GAN (§15).

One record per claim: what the note says (paraphrased), what is true per release range with
its evidence, and the reach of its specs (``checks``: what they probe, each with the spec and
the breakage that shows the probe can fail; ``not_checked``: what they leave out, and why).
The specs are ``specs/spec_gan.py``; the breakages ``tests/breakages/gan.py``.
Imports nothing heavy: the CLI, report and diff read it without torch.
"""
from conformance import verdicts as V
from conformance.records import EVERY_RUN, Check, Claim, Expectation, NotChecked, always  # noqa: F401

CLAIMS = (
    Claim(
        "gan.discriminator-sigmoid", (15,),
        "A discriminator ending in Sigmoid outputs probabilities; training it, fake data should "
        "score 0 and real data 1.",
        always(V.HOLDS, "Outputs lie in (0, 1); a step on BCE with those targets lowers the score of fakes.", EVERY_RUN),
        area="gan",
    ),
    Claim(
        "gan.generator-tanh", (15,),
        "A generator ending in tanh outputs pixel values in -1..1; training it, fake data should score 1.",
        always(V.HOLDS, "Outputs lie in (-1, 1); a generator step on BCE with target 1 raises "
                "the discriminator's score of fakes.", EVERY_RUN),
        area="gan",
    ),
)
