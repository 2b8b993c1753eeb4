"""Meta-tests of report and diff on hand-made results files (no torch import needed)."""
import json
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.results import SCHEMA_VERSION, ResultsError

from conftest import one_line_error
from make_results import claim_entry, make_doc, spec_entry, write

MSG_OLD = "Trying to backward through the graph a second time"
MSG_NEW = "Trying to backward through the graph a second time (or directly access saved tensors)"


def _runs():
    """Three releases: zero-grad changes verdict at 2.0, a message changes at 2.1."""
    def run(torch, zero_verdict, message):
        return make_doc(torch, [
            claim_entry("optim.zero-grad", verdict=zero_verdict, truth="grads %s" % zero_verdict),
            claim_entry("autograd.double-backward-error", specs=[spec_entry("test_second", observations={"error": message})]),
        ])
    return [run("1.13.1", "holds", MSG_OLD), run("2.0.1", "holds-with-caveat", MSG_OLD),
            run("2.1.2", "holds-with-caveat", MSG_NEW)]


def test_report_matrix_and_claim_pages(tmp_path, capsys):
    files = [write(tmp_path / ("r%d.json" % i), d) for i, d in enumerate(_runs())]
    out = tmp_path / "out"
    assert main(["report", *reversed(files), "--out", str(out)]) == 0
    index = (out / "README.md").read_text()
    assert "| 1.13.1 | 2.0.1 | 2.1.2 | behaviour changed in | reworded in |" in index, "releases in release order"
    row = [ln for ln in index.splitlines() if "optim.zero-grad" in ln][0]
    assert "| ✅ | ⚠️◆ | ⚠️ | 2.0.1 | — |" in row, "a verdict change is a behaviour change"
    row = [ln for ln in index.splitlines() if "double-backward-error" in ln][0]
    assert "| ✅ | ✅ | ✅✎ | — | 2.1.2 |" in row, "a reworded message is not a behaviour change"
    assert "Legend" in index and "(GUIDE.md)" in index and "(matrix.png)" in index
    assert (out / "GUIDE.md").exists()
    page = (out / "claims" / "autograd.double-backward-error.md").read_text()
    assert MSG_OLD in page and MSG_NEW in page and "1.13.1 – 2.0.1" in page
    assert "torch 2.1.2 (after 2.0.1): `error`: the message was reworded" in page
    zero = (out / "claims" / "optim.zero-grad.md").read_text()
    assert "grads holds-with-caveat" in zero and "⚠️ holds-with-caveat: 2.0.1 – 2.1.2" in zero
    assert "**Today** (torch 2.1.2: ⚠️ holds-with-caveat)" in zero and "```python" in zero


def test_report_rejects_bad_files(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "torch-conformance/results", "schema_version": 1, "kit')
    assert main(["report", str(bad)]) == 2
    assert "corrupt or truncated" in one_line_error(capsys)


def _diff(tmp_path, base, cand, *extra):
    return main(["diff", write(tmp_path / "base.json", base), write(tmp_path / "cand.json", cand), *extra])


def test_same_results_have_no_changes(tmp_path, capsys):
    doc = _runs()[2]
    assert _diff(tmp_path, doc, doc) == 0
    out = capsys.readouterr().out
    assert "No breaking change." in out and "0 informational" in out


def test_changed_message_is_informational(tmp_path, capsys):
    runs = _runs()
    assert _diff(tmp_path, runs[1], runs[2]) == 0
    out = capsys.readouterr().out
    assert "### Informational" in out and MSG_OLD in out and MSG_NEW in out


def test_worse_verdict_is_breaking(tmp_path, capsys):
    runs = _runs()
    assert _diff(tmp_path, runs[0], runs[1]) == 1
    out = capsys.readouterr().out
    assert "### Breaking" in out and "verdict worse" in out and "optim.zero-grad" in out


def test_failing_spec_is_breaking(tmp_path, capsys):
    base = make_doc("2.5.1", [claim_entry("autograd.retain-graph")])
    cand = make_doc("2.6.0", [claim_entry("autograd.retain-graph", status="failing",
                                          specs=[spec_entry("test_retain-graph", "failed", message="AssertionError: x")])])
    assert _diff(tmp_path, base, cand) == 1
    out = capsys.readouterr().out
    assert "now failing" in out and "spec now fails" in out


def test_coverage_lost_is_breaking(tmp_path, capsys):
    base = make_doc("2.5.1", [claim_entry("data.torchvision-mnist")])
    lost = claim_entry("data.torchvision-mnist", status="not-run",
                       specs=[spec_entry("test_torchvision_mnist", "skipped", device="any", message="torchvision is not installed")])
    lost["skip_reasons"] = ["torchvision is not installed"]
    assert _diff(tmp_path, base, make_doc("2.6.0", [lost])) == 1
    assert "torchvision is not installed" in capsys.readouterr().out


def _waivers(tmp_path, expires):
    path = tmp_path / "waivers.json"
    path.write_text(json.dumps([{"claim": "optim.zero-grad", "reason": "we call zero_grad(set_to_none=False)",
                                 "expires": expires}]))
    return str(path)


def test_active_waiver_makes_a_breaking_change_informational(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CONFORMANCE_TODAY", "2026-11-29")
    runs = _runs()
    assert _diff(tmp_path, runs[0], runs[1], "--waivers", _waivers(tmp_path, "2027-01-31")) == 0
    assert "waived: we call zero_grad" in capsys.readouterr().out


def test_expired_waiver_is_reported_and_not_applied(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CONFORMANCE_TODAY", "2026-11-29")
    runs = _runs()
    assert _diff(tmp_path, runs[0], runs[1], "--waivers", _waivers(tmp_path, "2026-11-01")) == 1
    captured = capsys.readouterr()
    assert "Expired waivers" in captured.out and "2026-11-01" in captured.out
    assert "1 expired waiver" in captured.err


def _assert_exit_2(argv, capsys, needle):
    assert main(argv) == 2
    err = one_line_error(capsys)
    assert needle in err, err


def test_bad_inputs_exit_2_with_one_line(tmp_path, capsys):
    good = write(tmp_path / "good.json", _runs()[0])
    truncated = tmp_path / "trunc.json"
    truncated.write_text(Path(good).read_text()[:200])
    empty = tmp_path / "empty.json"
    empty.write_text("")
    listdoc = tmp_path / "list.json"
    listdoc.write_text("[1, 2]")
    future = dict(_runs()[0], schema_version=SCHEMA_VERSION + 1)
    other_kit = dict(_runs()[1], kit_version="9.9.9")
    gpu_only = make_doc("2.5.1", [claim_entry("optim.zero-grad")], devices=("cuda",))
    bad_waiver = tmp_path / "w.json"
    bad_waiver.write_text('[{"claim": "optim.zero-grad", "reason": "r", "expires": "soon"}]')
    cases = [
        (["diff", str(tmp_path / "missing.json"), good], "no such results file"),
        (["diff", good, str(truncated)], "corrupt or truncated JSON"),
        (["diff", good, str(empty)], "corrupt or truncated JSON"),
        (["diff", good, str(listdoc)], "not a results file"),
        (["diff", good, write(tmp_path / "future.json", future)], "unsupported results schema version"),
        (["diff", good, write(tmp_path / "kit.json", other_kit)], "different kit versions"),
        (["diff", good, write(tmp_path / "gpu.json", gpu_only)], "share no device"),
        (["diff", good, good, "--waivers", str(bad_waiver)], "not a YYYY-MM-DD date"),
        (["diff", good, good, "--waivers", str(tmp_path / "nope.json")], "no such waiver file"),
        (["diff", good, str(tmp_path)], "is a directory"),
    ]
    for argv, needle in cases:
        _assert_exit_2(argv, capsys, needle)


def test_schema_validation_names_the_bad_field():
    doc = _runs()[0]
    doc["claims"]["optim.zero-grad"]["status"] = "fine"
    with pytest.raises(ResultsError) as err:
        from conformance.results import validate

        validate(doc, "x.json")
    assert "claims/optim.zero-grad/status" in str(err.value)


def test_a_new_observation_is_informational_and_a_skipped_spec_is_not_a_text_change(tmp_path, capsys):
    base = make_doc("2.5.1", [
        claim_entry("serialize.whole-model", specs=[spec_entry("test_load", observations={"warnings": []})]),
        claim_entry("reduce.max-ties", specs=[spec_entry("test_ties", observations={"indices": [1, 0]}),
                                              spec_entry("test_ties", device="cuda", outcome="skipped")]),
    ])
    cand = make_doc("2.6.0", [
        claim_entry("serialize.whole-model", specs=[spec_entry("test_load", observations={
            "warnings": [], "error": {"type": "UnpicklingError", "message": "Weights only load failed"}})]),
        claim_entry("reduce.max-ties", specs=[spec_entry("test_ties", observations={"indices": [1, 0]}),
                                              spec_entry("test_ties", device="cuda", outcome="skipped")]),
    ])
    assert _diff(tmp_path, base, cand) == 0
    out = capsys.readouterr().out
    assert "(nothing) → `{\"message\": \"Weights only load failed\"" in out
    assert "max-ties" not in out
