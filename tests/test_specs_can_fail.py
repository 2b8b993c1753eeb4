"""Claim-wide breakages: each breaks a claim's main behaviour, and the claim must then be
failing through an assertion, without a verdict (the checks' own breakages are in test_reach)."""
import pytest

from conformance import claims as registry
from conformance import selfcheck

WIDE = [pair for pack in registry.PACKS for pair in selfcheck.claim_wide(pack)]
FNS = {n: fn for pack in registry.PACKS for n, fn in selfcheck.load_breakages(pack).items()}


def test_every_claim_has_a_claim_wide_breakage():
    missing = sorted(set(registry.ids()) - {cid for cid, _ in WIDE})
    assert not missing, "claims without a claim-wide breakage: %s" % missing


@pytest.mark.parametrize("claim_id,name", WIDE, ids=["%s-%s" % p for p in WIDE])
def test_claim_fails_when_its_behaviour_breaks(claim_id, name, run_claim, monkeypatch):
    FNS[name](monkeypatch)
    result = run_claim(claim_id)
    failed = [s for s in result["specs"] if s["outcome"] == "failed"]
    assert result["status"] == "failing", "specs of %s still pass with %s: %s" % (
        claim_id, name, [(s["name"], s["outcome"]) for s in result["specs"]])
    assert {s["failure_kind"] for s in failed} == {"assertion"}, "%s failed by crashing, not by noticing: %s" % (
        claim_id, [(s["name"], s["message"]) for s in failed])
    assert result["verdict"] is None, "a failing claim must not carry a verdict"
