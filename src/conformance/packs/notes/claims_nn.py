"""Claims of the notes pack: modules and shapes: the content loss, the Gram matrix, conv output size, the §9 net (§7, §8, §9).

One record per claim: what the note says (paraphrased), what is true per release range with
its evidence, and the reach of its specs (``checks``: what they probe, each with the spec and
the breakage that shows the probe can fail; ``not_checked``: what they leave out, and why).
The specs are ``specs/spec_nn.py``; the breakages ``tests/breakages/nn.py``.
Imports nothing heavy: the CLI, report and diff read it without torch.
"""
from conformance import verdicts as V
from conformance.records import EVERY_RUN, Check, Claim, Expectation, NotChecked, always  # noqa: F401

CLAIMS = (
    Claim(
        "style.gram-matrix", (8,),
        "The Gram matrix of a CxMxN feature map, built entry by entry from channel pairs, equals "
        "F F^T with F the map reshaped to C x (M*N).",
        always(V.HOLDS, "Both computations agree; the result is symmetric positive semi-definite.", EVERY_RUN),
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
        always(
            V.WRONG,
            "The convolutions keep the size but each MaxPool2d(2) halves it (rounding down), so "
            "the final map is 3x3 exactly for inputs of 24..31 pixels square; a 3x3 input fails "
            "already in the second pooling layer.",
            EVERY_RUN,
        ),
        observe="which input sizes actually work",
        area="nn",
    ),
)
