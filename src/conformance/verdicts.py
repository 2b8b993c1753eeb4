"""Verdicts (what is true of a claim) and statuses (what a run of its specs showed)."""
from __future__ import annotations

# Verdicts a claim can carry for a torch release, declared by its expectations.
HOLDS = "holds"
HOLDS_WITH_CAVEAT = "holds-with-caveat"
OUTDATED = "outdated"  # true for old releases only; the expectation says since when
WRONG = "wrong"  # never true; the expectation says what is true instead
VERDICTS = (HOLDS, HOLDS_WITH_CAVEAT, OUTDATED, WRONG)

# Statuses of a claim in one run. A claim only gets its verdict when its specs passed.
PASSED = "passed"  # every spec that ran passed: the declared verdict is confirmed
FAILING = "failing"  # a spec failed: the release does not behave as declared
NOT_RUN = "not-run"  # every spec was skipped (reasons recorded) or deselected
NO_SPEC = "no-spec"  # the registry has no spec for it yet
STATUSES = (PASSED, FAILING, NOT_RUN, NO_SPEC)

# The one order in which verdicts and statuses are listed (summaries, legends, matrix keys).
DISPLAY_ORDER = (HOLDS, HOLDS_WITH_CAVEAT, OUTDATED, WRONG, FAILING, NOT_RUN, NO_SPEC)

# How bad a verdict is, for the upgrade gate: a move to a higher rank is a regression.
VERDICT_RANK = {HOLDS: 0, HOLDS_WITH_CAVEAT: 1, OUTDATED: 2, WRONG: 3}

SYMBOLS = {
    HOLDS: "✅",
    HOLDS_WITH_CAVEAT: "⚠️",
    OUTDATED: "⌛",
    WRONG: "❌",
    FAILING: "💥",
    NOT_RUN: "·",
    NO_SPEC: "∅",
}


def display(status: str, verdict: str | None) -> str:
    """One word for a claim in one run: its verdict when confirmed, else its status."""
    if status == PASSED and verdict:
        return verdict
    return status
