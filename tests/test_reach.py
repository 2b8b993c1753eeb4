"""Each claim's reach is written on its record and enforced: every check names a spec of its
claim and a breakage, every spec is named by a check, every breakage is named by a check, and
each check's breakage makes its spec, and no other spec of the claim, fail by an assertion (the
claim then is failing, without a verdict) — the same judgement ``conformance check-pack`` makes."""
import os

import pytest

from conformance import claims as registry
from conformance import selfcheck
from conformance.discover import specs_by_claim
from conformance.reach import api_index, net_table
from conformance.records import CHECK_KINDS

SPECS = specs_by_claim()
CHECKS = [(c.id, check) for c in registry.CLAIMS for check in c.checks]
BREAKAGES = {n: fn for p in registry.PACKS for n, fn in selfcheck.load_breakages(p).items()}


def _spec_names(claim_id):
    return sorted({ref.split("::")[1] for ref in SPECS.get(claim_id, [])})


@pytest.mark.parametrize("claim", registry.CLAIMS, ids=lambda c: c.id)
def test_reach_is_written(claim):
    assert claim.checks, "%s lists no checks" % claim.id
    ids = [c.id for c in claim.checks]
    assert len(ids) == len(set(ids)), "%s: check IDs repeat: %s" % (claim.id, ids)
    names = _spec_names(claim.id)
    unknown = [(c.id, c.spec) for c in claim.checks if c.spec not in names]
    assert not unknown, "%s: checks naming no spec of the claim: %s (its specs: %s)" % (claim.id, unknown, names)
    unlisted = sorted(set(names) - {c.spec for c in claim.checks})
    assert not unlisted, "%s: specs that no check names: %s" % (claim.id, unlisted)
    missing = [(c.id, c.breakage) for c in claim.checks if c.breakage not in BREAKAGES]
    assert not missing, "%s: checks whose breakage does not exist: %s" % (claim.id, missing)
    used = [c.breakage for c in claim.checks]
    assert len(used) == len(set(used)), "%s: each check needs a breakage of its own: %s" % (claim.id, used)
    for check in claim.checks:
        assert check.kind in CHECK_KINDS and check.what.strip(), (claim.id, check.id)
    for item in claim.not_checked:
        assert item.what.strip() and item.why.strip(), (claim.id, item)


def test_every_breakage_is_named_by_a_check():
    for pack in registry.PACKS:
        assert not selfcheck.unused_breakages(pack), "breakages of pack %s that no check names: %s" % (
            pack.name, selfcheck.unused_breakages(pack))


@pytest.mark.parametrize("claim_id,check", CHECKS, ids=["%s::%s" % (cid, c.id) for cid, c in CHECKS])
def test_check_breakage_is_caught_by_its_spec_alone(claim_id, check, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    verdict = selfcheck.check_one(claim_id, check, BREAKAGES, str(tmp_path))
    if verdict.outcome == "skipped":
        assert "cuda" in verdict.detail.lower(), verdict.detail
        pytest.skip(verdict.detail)
    assert verdict.outcome == "caught", verdict.detail

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_guide_indexes_every_api_of_every_check():
    with open(os.path.join(REPO, "reports", "GUIDE.md"), encoding="utf-8") as fh:
        guide = fh.read()
    index = guide.split("## Index of APIs", 1)[-1] if "## Index of APIs" in guide else ""
    missing = [api for api in api_index() if "`%s`" % api not in index]
    assert not missing, "APIs of the claims' checks missing from GUIDE.md's index: %s" % missing


def test_readme_states_the_size_of_the_net():
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as fh:
        readme = fh.read()
    table = "\n".join(net_table())
    assert table in readme, "README.md's table of the net is stale; it is now:\n%s" % table
