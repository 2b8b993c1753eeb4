"""The reader's guide and the claim pages: coverage of the per-claim text, regeneration from
the committed results, links from every idiom to a claim with passing specs, and values shown
as they were recorded (hand-made results; no torch import)."""
import glob
import os
import re
import sys

import pytest

from conformance import claims as registry
from conformance.guide import latest_run_of, questions, render_guide, topics
from conformance.history import sort_runs
from conformance.report import render_all, render_claim_page, render_index, write_report
from conformance.results import load

from conftest import REPO
from make_results import claim_entry, make_doc, spec_entry

RESULTS = sorted(glob.glob(os.path.join(REPO, "reports", "results", "*.json")))


def test_every_claim_has_a_plain_answer_and_a_topic():
    for record in registry.CLAIMS:
        assert len(record.answer) > 40 and len(record.setting) > 40, record.id
        assert record.answer.count(". ") <= 3, "%s: the plain answer should be a sentence or two" % record.id
    in_topics = [cid for t in topics() for cid in t.claims]
    assert sorted(in_topics) == sorted(registry.ids()), "every claim in exactly one topic"
    for topic in topics():
        assert topic.idioms, topic.title
        for idiom in topic.idioms:
            assert idiom.claims and all(c in registry.BY_ID for c in idiom.claims), idiom.old
    assert len(questions()) >= 12 and all(q.claim in registry.BY_ID for q in questions())


def _read(path):
    with open(path, encoding="utf-8") as fh:
        return fh.read()


@pytest.fixture(scope="module")
def committed_runs():
    if not RESULTS:
        pytest.skip("no results files in reports/results/")
    return sort_runs([load(p) for p in RESULTS])


def test_report_regenerates_identically_from_the_committed_results(committed_runs):
    """reports/README.md, GUIDE.md and claims/*.md are what `conformance report
    reports/results/*.json` writes: nobody edited them, and they are not stale."""
    stale = []
    pages = render_all(committed_runs)
    for rel, text in sorted(pages.items()):
        path = os.path.join(REPO, "reports", rel)
        if not os.path.exists(path) or _read(path) != text:
            stale.append(rel)
    assert not stale, ("regenerate with `conformance report reports/results/*.json`; stale or missing: %s"
                       % ", ".join(stale[:8]))
    on_disk = {os.path.relpath(p, os.path.join(REPO, "reports"))
               for p in glob.glob(os.path.join(REPO, "reports", "claims", "*.md"))}
    assert on_disk <= set(pages), "pages of claims no results file has: %s" % sorted(on_disk - set(pages))


def test_every_idiom_links_to_a_claim_whose_specs_pass(committed_runs):
    guide = render_guide(committed_runs)
    for topic in topics():
        for idiom in topic.idioms:
            row = [ln for ln in guide.splitlines() if ln.startswith("| %s |" % idiom.old.replace("|", "\\|"))]
            assert len(row) == 1, idiom.old
            linked = re.findall(r"\]\(claims/([^)]+)\.md\)", row[0])
            assert linked == list(idiom.claims)
            for cid in linked:
                run = latest_run_of(committed_runs, cid)
                assert run is not None and run["claims"][cid]["status"] == "passed", (
                    "%s: idiom %s links to a claim whose specs do not pass" % (cid, idiom.old))
                page = render_claim_page(committed_runs, cid)
                assert registry.get(cid).answer in page  # the answer is one click away


def test_the_readers_questions_are_answered_in_the_guide(committed_runs):
    guide = render_guide(committed_runs)
    for q in questions():
        line = [ln for ln in guide.splitlines() if q.question in ln]
        assert len(line) == 1 and registry.get(q.claim).answer in line[0] and "(claims/%s.md)" % q.claim in line[0]
    for needle in ("zero_grad()", "torch.save(model)", "loss.data[0]", "torch.max` return on ties"):
        assert needle in guide


# ------------------------------------------------------------------------------ values as recorded
ESC_MESSAGE = "Weights only load failed. \x1b[1mdo those steps only if you trust it\x1b[0m.\n\t(1) " + "x" * 300


def _runs():
    def run(torch, grad, message, error_type="RuntimeError", ran=True, verdict="holds", key="default"):
        spec = spec_entry("test_detach", observations={"A_weight_grad": grad, "error": {"type": error_type,
                                                                                       "message": message}})
        if not ran:
            spec = spec_entry("test_detach", outcome="skipped", message="torchvision is not installed")
        claim = claim_entry("autograd.detach-blocks-gradient", status="passed" if ran else "not-run",
                            verdict=verdict, specs=[spec])
        claim["expectation"]["key"] = key
        return make_doc(torch, [claim])

    return [run("1.0.0", None, "second time"), run("1.1.0", None, "second time", ran=False),
            run("1.2.0", None, "second time"), run("1.3.0", None, "second time, reworded"),
            run("1.4.0", [0.0], ESC_MESSAGE, error_type="UnpicklingError"),
            run("1.5.0", [0.0], ESC_MESSAGE, error_type="UnpicklingError", key="other")]


def test_a_recorded_none_is_none_and_not_run_is_not_run():
    page = render_claim_page(sort_runs(_runs()), "autograd.detach-blocks-gradient")
    observed = page.split("## Observed", 1)[1]
    assert "- 1.0.0, 1.2.0 – 1.3.0: `None`" in observed, "identical values on either side of a gap: one line"
    assert "1.1.0: *not run* (torchvision is not installed)" in observed
    assert "(not run)" not in page and "nothing beyond pass/fail" not in page


def test_messages_show_control_characters_and_in_full():
    page = render_claim_page(sort_runs(_runs()), "autograd.detach-blocks-gradient")
    assert "\x1b" not in page and "\\u001b" not in page
    assert "␛[1mdo those steps" in page
    assert "<details><summary>full text</summary>" in page and "x" * 300 in page


def test_behaviour_changes_are_marked_apart_from_rewordings():
    runs = sort_runs(_runs())
    index = render_index(runs)
    row = [ln for ln in index.splitlines() if "detach-blocks-gradient" in ln][0]
    cells = [c.strip() for c in row.split("|")[1:-1]]
    assert cells[2:8] == ["✅", "·", "✅", "✅✎", "✅◆", "✅◆"]
    assert cells[8:] == ["1.4.0, 1.5.0", "1.3.0"]
    page = render_claim_page(runs, "autograd.detach-blocks-gradient")
    changes = page.split("## Changes", 1)[1]
    assert "✎ Wording only" in changes and "torch 1.3.0 (after 1.2.0)" in changes
    assert "raises `UnpicklingError` instead of `RuntimeError`" in changes
    assert "`A_weight_grad`: `None` → `[0.0]`" in changes
    assert "the kit expects other behaviour: `default` → `other`" in changes


def test_device_wording_comes_from_the_devices_that_ran():
    doc = make_doc("2.5.1", [claim_entry("reduce.max-ties", specs=[
        spec_entry("test_ties", observations={"indices": [1, 0]}),
        spec_entry("test_ties", device="cuda", outcome="skipped", message="CUDA not available (no GPU)")])])
    page = render_claim_page([doc], "reduce.max-ties")
    assert "Ran on: cpu. Never ran on: cuda (CUDA not available)." in page


def test_write_report_writes_guide_pages_and_picture(tmp_path):
    pytest.importorskip("matplotlib")
    written = write_report(_runs(), str(tmp_path))
    names = {os.path.relpath(p, str(tmp_path)) for p in written}
    assert {"README.md", "GUIDE.md", "matrix.png", os.path.join("claims", "autograd.detach-blocks-gradient.md")} <= names
    assert (tmp_path / "matrix.png").read_bytes().startswith(b"\x89PNG")
    first = (tmp_path / "matrix.png").read_bytes()
    write_report(_runs(), str(tmp_path))
    assert (tmp_path / "matrix.png").read_bytes() == first, "the picture is reproducible"


def test_without_matplotlib_the_markdown_is_written_and_the_picture_skipped(tmp_path, monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    said = []
    written = write_report(_runs(), str(tmp_path), say=said.append)
    assert (tmp_path / "README.md").exists() and not (tmp_path / "matrix.png").exists()
    assert len(said) == 1 and "matplotlib is not installed" in said[0] and "\n" not in said[0]
    assert not any(p.endswith(".png") for p in written)


@pytest.mark.parametrize("old, new, rounding", [
    (2.9802322387695312e-08, 1.4901161193847656e-08, True),  # two runs of torch 1.0.0: a reduction's order
    ({"once": 0.018681449815630913}, {"once": 0.018681447952985764}, True),
    ([0.13655954599380493, 0.5], [0.13655957579612732, 0.5], True),
    (0.5, 0.6, False), (0.0186, 0.0187, False), (1e-3, 3e-3, False),
    (8.93285445613401e-13, 0.0, False),  # optim.crossentropy's largest error, 1.1.0 -> 1.2.0: exact now
    (1, 2, False), ([0.5], [0.5, 0.5], False), ({"a": 0.5}, {"b": 0.5}, False),
    ("0.5", "0.50001", False), (None, 0.0, False),
])
def test_float_rounding_is_no_change_in_the_report_or_the_diff(old, new, rounding):
    """Two runs of one release record floats that differ in their last bits: no ◆ in the report and
    no observed change in diff; a real difference (or any change of type or structure) still is one."""
    from conformance import history, report

    assert history.float_rounding_only(old, new) is rounding
    assert (report.classify("x", old, new) is None) is rounding

    def run(value):
        spec = spec_entry("test_x", observations={"x": value})
        return claim_entry("autograd.detach-blocks-gradient", specs=[spec])

    assert (history.observation_changes(run(old), run(new)) == []) is rounding
