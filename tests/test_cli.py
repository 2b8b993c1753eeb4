"""The CLI: claims listing, run, and one-line errors for bad input (never a traceback)."""
import json
import os
import subprocess
import sys

import pytest

from conformance import claims as registry
from conformance.cli import main
from conformance.discover import specs_by_claim

from conftest import one_line_error


def test_claims_json_lists_every_id_with_its_specs(capsys):
    assert main(["claims", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    ids = [c["id"] for c in doc["claims"]]
    assert ids == registry.ids()
    specced = specs_by_claim()
    for c in doc["claims"]:
        assert c["has_spec"] == (c["id"] in specced)
        assert c["expectations"] and c["sections"]


def test_claims_table_marks_claims_without_specs(capsys):
    assert main(["claims"]) == 0
    out = capsys.readouterr().out
    for cid in registry.ids():
        assert cid in out
    missing = [cid for cid in registry.ids() if cid not in specs_by_claim()]
    assert ("%d without" % len(missing)) in out


@pytest.mark.parametrize("argv, needle", [
    (["run", "--devices", "tpu"], "unknown device"),
    (["run", "--devices", ","], "unknown device"),
])
def test_run_rejects_bad_devices(argv, needle, capsys):
    assert main(argv) == 2
    assert needle in one_line_error(capsys)


def test_run_rejects_an_unparseable_torch_version(monkeypatch, capsys):
    monkeypatch.setenv("CONFORMANCE_TORCH_VERSION", "nightly-of-some-sort")
    assert main(["run"]) == 2
    assert "cannot understand torch version" in one_line_error(capsys)


def test_run_judges_a_nightly_as_its_coming_release(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("CONFORMANCE_TORCH_VERSION", "2.16.0.dev20261101+cpu")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "r.json"
    rc = main(["run", "--devices", "cpu", "--results", str(out), "-k", "test_scalar_backward", "-q"])
    assert rc == 0
    doc = json.loads(out.read_text())
    assert doc["environment"]["torch_release"] == "2.16.0" and doc["environment"]["torch_prerelease"] is True
    scalar = doc["claims"]["autograd.scalar-backward"]
    assert scalar["status"] == "passed" and scalar["verdict"] == "holds"
    assert scalar["specs"][0]["observations"]["grads"] == {"x": [2.0], "w": [1.0], "b": [1.0]}
    assert doc["claims"]["autograd.retain-graph"]["status"] == "not-run"
    assert "pre-release" in capsys.readouterr().err


def test_run_selecting_nothing_fails(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    rc = main(["run", "--devices", "cpu", "--results", str(tmp_path / "r.json"), "-k", "no_such_spec_anywhere", "-q"])
    assert rc == 2  # unusable input: a selection that matches nothing checks nothing
    assert "no spec was collected" in one_line_error(capsys)
    assert not (tmp_path / "r.json").exists()


def test_run_results_path_that_is_a_directory(tmp_path, capsys):
    assert main(["run", "--results", str(tmp_path)]) == 2
    assert "is a directory" in one_line_error(capsys)


def _cli(*args, env=None, cwd=None):
    code = "import sys; from conformance.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})), cwd=cwd, timeout=600)


def test_run_without_torch_is_a_one_line_error():
    code = ("import sys; sys.modules['torch'] = None; from conformance.cli import main; "
            "sys.exit(main(['run']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.startswith("conformance: error: cannot import torch") and proc.stderr.count("\n") == 1


def test_run_end_to_end_in_a_fresh_process(tmp_path):
    """What a user types: exit 0, a summary, and the results file at its default path."""
    proc = _cli("run", "--devices", "cpu", "-k", "test_scalar_backward or test_one_backward_fills", cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "torch-conformance" in proc.stdout and "claims:" in proc.stdout
    written = list((tmp_path / "reports" / "local").glob("torch-*.json"))
    assert len(written) == 1
    assert "Traceback" not in proc.stderr
    # the run leaves nothing else in the user's folder (no .hypothesis/, .benchmarks/, caches) ...
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    stem = os.path.join("reports", "local", written[0].stem)
    assert left == ["reports", os.path.join("reports", "local"), stem + ".json", stem + ".md"], left
    # ... and its output is the kit's own: no plugin banners
    assert "benchmark:" not in proc.stdout and "hypothesis profile" not in proc.stdout
    assert proc.stdout.startswith("torch-conformance ")


def test_run_exits_nonzero_when_a_spec_fails(tmp_path, monkeypatch, capsys):
    import torch

    monkeypatch.setattr(torch.Tensor, "detach", lambda self: self)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "r.json"
    rc = main(["run", "--devices", "cpu", "--results", str(out), "-k", "test_detach_stops_gradient", "-q"])
    assert rc == 1
    doc = json.loads(out.read_text())
    claim = doc["claims"]["autograd.detach-blocks-gradient"]
    assert claim["status"] == "failing" and claim["verdict"] is None
    assert "FAILING autograd.detach-blocks-gradient" in capsys.readouterr().out


def test_run_claim_runs_only_that_claims_specs(tmp_path, monkeypatch):
    """`run --claim ID` (what bisect runs in each probe): that claim's specs only, a subset run."""
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "r.json"
    assert main(["run", "--devices", "cpu", "--results", str(out), "--claim", "tensor.item", "-q"]) == 0
    doc = json.loads(out.read_text())
    ran = {cid for cid, c in doc["claims"].items() if c["specs"]}
    assert ran == {"tensor.item"} and doc["claims"]["tensor.item"]["status"] == "passed"
    assert doc["run"]["partial"] == "subset"


@pytest.mark.parametrize("claim, needle", [("tensor.itme", "--claim: unknown claim 'tensor.itme' (did you mean tensor.item?)")])
def test_run_claim_rejects_an_unknown_claim(claim, needle, tmp_path, capsys):
    assert main(["run", "--claim", claim, "--results", str(tmp_path / "r.json")]) == 2
    assert needle in one_line_error(capsys)
    assert not (tmp_path / "r.json").exists()


def test_the_exit_codes_are_documented_where_the_code_is():
    from conformance import errors

    for code, word in ((0, "ok"), (1, "failed"), (2, "unusable"), (130, "SIGINT"), (143, "SIGTERM")):
        assert "| %d |" % code in errors.__doc__ and word in errors.__doc__
    assert (errors.INTERRUPTED, errors.TERMINATED) == (130, 143)
