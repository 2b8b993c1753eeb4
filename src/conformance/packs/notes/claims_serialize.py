"""Claims of the notes pack: saving and loading a model (§3).

One record per claim: what the note says (paraphrased), what is true per release range with
its evidence, and the reach of its specs (``checks``: what they probe, each with the spec and
the breakage that shows the probe can fail; ``not_checked``: what they leave out, and why).
The specs are ``specs/spec_serialize.py``; the breakages ``tests/breakages/serialize.py``.
Imports nothing heavy: the CLI, report and diff read it without torch.
"""
from conformance import verdicts as V
from conformance.records import EVERY_RUN, Check, Claim, Expectation, NotChecked, always  # noqa: F401

CLAIMS = (
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
)
