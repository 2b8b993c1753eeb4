"""Meta-tests of the claim registry and the spec inventory (no torch needed for most)."""
import ast
import os
import re

import pytest
from packaging.version import Version

from conformance import claims as registry
from conformance import verdicts as V
from conformance.discover import spec_files, specs_by_claim
from conformance.versions import in_range, parse_range, parse_torch_version

from conftest import REPO

CLAIMS_MD = os.path.join(REPO, "..", "shared", "claims.md")


def _claims_md_rows():
    rows = {}
    with open(CLAIMS_MD, encoding="utf-8") as fh:
        for line in fh:
            m = re.match(r"\|\s*`([a-z]+\.[a-z0-9-]+)`\s*\|\s*([\d, ]+)\s*\|", line)
            if m:
                rows[m.group(1)] = tuple(int(s) for s in m.group(2).replace(" ", "").split(","))
    return rows


INVENTORY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "claims_inventory.txt")


def _inventory_rows():
    rows = {}
    with open(INVENTORY, encoding="utf-8") as fh:
        for line in fh:
            if line.strip() and not line.startswith("#"):
                cid, sections = line.split()
                rows[cid] = tuple(int(s) for s in sections.split(","))
    return rows


def test_every_claim_of_the_inventory_is_in_the_notes_pack_with_its_sections():
    """claims.md's 43 claims are all there, with their sections (a claim added to the notes pack
    later is its own record, spec and breakage: nothing to change here)."""
    rows = _inventory_rows()
    have = {c.id: c.sections for c in registry.PACKS[0].claims}
    assert {cid: have.get(cid) for cid in rows} == rows


@pytest.mark.skipif(not os.path.exists(CLAIMS_MD), reason="../shared/claims.md is not beside this checkout; "
                    "the registry is still checked against tests/claims_inventory.txt")
def test_inventory_copy_matches_claims_md():
    assert _inventory_rows() == _claims_md_rows()


def test_registry_ids_are_unique():
    ids = registry.ids()
    assert len(ids) == len(set(ids)) >= len(_inventory_rows())


# Every claim must have exactly one expectation for every release the kit can meet.
PROBE_VERSIONS = ["1.0.1", "1.1.0", "1.2.0", "1.3.1", "1.4.0", "1.13.1", "2.0.0", "2.3.1", "2.4.0", "2.5.1", "2.6.0", "2.14.1",
                  "2.16.0.dev20261101+cpu", "3.0.0"]


@pytest.mark.parametrize("claim", registry.CLAIMS, ids=lambda c: c.id)
def test_expectations_cover_every_release_exactly_once(claim):
    for raw in PROBE_VERSIONS:
        version = parse_torch_version(raw)
        matching = [e for e in claim.expectations if in_range(version, e.versions)]
        assert len(matching) == 1, "%s: %d expectations match torch %s" % (claim.id, len(matching), raw)


@pytest.mark.parametrize("claim", registry.CLAIMS, ids=lambda c: c.id)
def test_claim_records_are_complete(claim):
    assert claim.statement and claim.sections and claim.area
    for exp in claim.expectations:
        assert exp.verdict in V.VERDICTS and exp.truth
        if exp.verdict == V.OUTDATED:
            assert exp.since, "an outdated verdict must say since when"
        if exp.since:
            Version(exp.since)
        if exp.verdict != V.HOLDS or len(claim.expectations) > 1:
            assert exp.evidence, "%s: a gate or non-holding verdict needs evidence" % claim.id


def test_specs_only_name_registered_claims():
    unknown = set(specs_by_claim()) - set(registry.ids())
    assert not unknown


def test_every_spec_cites_its_note_section():
    """Specs read like the note: each @spec function has a docstring citing §N."""
    for path in spec_files():
        with open(path, encoding="utf-8") as fh:
            tree = ast.parse(fh.read())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and any(
                    isinstance(d, ast.Call) and getattr(d.func, "id", None) == "spec" for d in node.decorator_list):
                doc = ast.get_docstring(node) or ""
                assert re.search(r"§\d", doc), "%s::%s has no docstring citing §N" % (os.path.basename(path), node.name)


def test_static_inventory_matches_what_pytest_collects(collect_specs):
    """`conformance claims` reads decorators without importing; pytest must agree."""
    collected = {}
    for item in collect_specs():
        mark = item.get_closest_marker("conformance_claim")
        assert mark is not None, "%s has no claim" % item.nodeid
        assert mark.args[0] in item.nodeid, "test ID %s does not carry its claim ID" % item.nodeid
        collected.setdefault(mark.args[0], set()).add(item.originalname)
    static = {cid: {ref.split("::")[1] for ref in refs} for cid, refs in specs_by_claim().items()}
    assert collected == static


# ---------------------------------------------------------------- the registry against the runs
RESULTS_DIR = os.path.join(REPO, "reports", "results")


def _runs():
    """release -> {claim id: status} for every committed results file of the matrix: named by
    release (torch1.4.0.json) or, the older naming, by minor (torch1.4.json); see
    ``conformance.results.results_files``."""
    import json

    from conformance.results import results_files

    runs = {}
    for release, path in results_files(RESULTS_DIR).items():
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
        runs[release] = {cid: c["status"] for cid, c in doc["claims"].items()}
    return runs


def _run_part(evidence):
    """The text of the 'run:' evidence (up to a 'docs:' part), or ''."""
    m = re.search(r"\brun:(.*?)(?:\bdocs:|$)", evidence, re.S)
    return m.group(1) if m else ""


def _releases_named(text):
    """X.Y.Z versions in the text, leaving out torchvision's ('torchvision 0.10.1 .. 0.9.1')."""
    text = re.sub(r"torchvision [\d.]+( \.\. [\d.]+)?", "", text)
    return re.findall(r"(?<![\w.])(\d+\.\d+\.\d+)(?![\w.])", text)


@pytest.mark.parametrize("claim", registry.CLAIMS, ids=lambda c: c.id)
def test_run_evidence_names_releases_with_results(claim):
    """Every release a `run:` evidence names has its results file in reports/results/."""
    runs = _runs()
    for exp in claim.expectations:
        named = _releases_named(_run_part(exp.evidence))
        missing = sorted(set(named) - set(runs), key=Version)
        assert not missing, "%s (%s): evidence names %s, no results file for them" % (claim.id, exp.versions, missing)


def _boundaries(claim):
    found = set()
    for exp in claim.expectations:
        for spec in parse_range(exp.versions):
            found.add(Version(spec.version))
    return sorted(found)


@pytest.mark.parametrize("claim", [c for c in registry.CLAIMS if len(c.expectations) > 1], ids=lambda c: c.id)
def test_every_boundary_inside_the_matrix_has_passing_runs_on_both_sides(claim):
    """A gate inside the range of releases run must be pinned by runs: the newest release run
    below it and the oldest at or above it both exist and passed this claim's specs (each with
    the expectation of its own side)."""
    runs = _runs()
    releases = sorted((Version(r) for r in runs), key=lambda v: v)
    assert releases, "no results files in reports/results/"
    for boundary in _boundaries(claim):
        if not releases[0] < boundary <= releases[-1]:
            continue
        below = max(r for r in releases if r < boundary)
        above = min(r for r in releases if r >= boundary)
        for side in (below, above):
            status = runs[str(side)].get(claim.id)
            assert status == "passed", "%s: boundary %s, run of %s has status %s" % (claim.id, boundary, side, status)


def test_the_notes_pack_says_how_far_its_evidence_goes():
    """TESTED_UP_TO is the newest release with committed results: a newer torch is judged beyond
    the evidence until it is run and committed."""
    from conformance.results import results_files
    from conformance.versions import parse_torch_version

    files = results_files(os.path.join(REPO, "reports", "results"))
    if not files:
        pytest.skip("no results files")
    newest = max(files, key=lambda r: parse_torch_version(r).release)
    assert registry.PACKS[0].tested_up_to == newest


@pytest.mark.parametrize("claim", [c for c in registry.CLAIMS if len(c.expectations) > 1], ids=lambda c: c.id)
def test_every_since_is_exact_with_evidence_from_both_sides(claim):
    """A range's `since` is the first release run at or above its lower bound (no release in
    between was skipped), and its evidence names that release and the one before it."""
    runs = _runs()
    releases = sorted(Version(r) for r in runs)
    assert releases, "no results files in reports/results/"
    for exp in claim.expectations:
        lows = [Version(s.version) for s in parse_range(exp.versions) if s.operator == ">="]
        if not exp.since or not lows or not releases[0] < lows[0] <= releases[-1]:
            continue
        first = min(r for r in releases if r >= lows[0])
        before = max(r for r in releases if r < lows[0])
        assert Version(exp.since) == first, "%s %s: since %s, but the first release run in the range is %s" % (
            claim.id, exp.versions, exp.since, first)
        named = set(_releases_named(exp.evidence))
        assert {str(first), str(before)} <= named, "%s %s: the evidence must name %s and %s (names %s)" % (
            claim.id, exp.versions, first, before, sorted(named))
