"""Claims of the notes pack: torch.max over a dimension (§10).

One record per claim: what the note says (paraphrased), what is true per release range with
its evidence, and the reach of its specs (``checks``: what they probe, each with the spec and
the breakage that shows the probe can fail; ``not_checked``: what they leave out, and why).
The specs are ``specs/spec_reduce.py``; the breakages ``tests/breakages/reduce.py``.
Imports nothing heavy: the CLI, report and diff read it without torch.
"""
from conformance import verdicts as V
from conformance.records import EVERY_RUN, Check, Claim, Expectation, NotChecked, always  # noqa: F401

CLAIMS = (
    Claim(
        "reduce.max-dim0", (10,),
        "torch.max(a, 0) returns each column's maximum and the row index where it sits.",
        always(V.HOLDS, "As stated.", EVERY_RUN),
        area="reduce",
    ),
    Claim(
        "reduce.max-dim1", (10,),
        "torch.max(a, 1) returns each row's maximum and its column index; [1] of it is the "
        "predicted label for rows of class scores.",
        always(V.HOLDS, "As stated.", EVERY_RUN),
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
)
