"""Every spec can fail: break each claim's behaviour in torch and show its specs notice.

A claim's specs "notice" when the claim's status in the results file becomes ``failing``
through an assertion (the spec compared and disagreed), not through an unrelated crash.
"""
import pytest

from breakage import BREAKAGES
from conformance.discover import specs_by_claim

SPECCED = sorted(specs_by_claim())


def test_every_specced_claim_has_a_breakage():
    missing = [cid for cid in SPECCED if cid not in BREAKAGES]
    assert not missing, "claims with specs but no self-test breakage: %s" % missing


@pytest.mark.parametrize("claim_id", SPECCED)
def test_spec_fails_when_behaviour_breaks(claim_id, run_claim, monkeypatch):
    if claim_id not in BREAKAGES:
        pytest.fail("no breakage registered for %s" % claim_id)
    BREAKAGES[claim_id](monkeypatch)
    result = run_claim(claim_id)
    failed = [s for s in result["specs"] if s["outcome"] == "failed"]
    assert result["status"] == "failing", "specs of %s still pass with torch broken: %s" % (
        claim_id, [(s["name"], s["outcome"]) for s in result["specs"]])
    kinds = {s["failure_kind"] for s in failed}
    assert kinds == {"assertion"}, "%s failed by crashing, not by noticing: %s" % (
        claim_id, [(s["name"], s["message"]) for s in failed])
    assert result["verdict"] is None, "a failing claim must not carry a verdict"
