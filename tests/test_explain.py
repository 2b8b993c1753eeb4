"""conformance explain: every claim ID and prefix, the installed release or none, bad input
(no torch import needed: the release is read from package metadata)."""
import argparse
import subprocess
import sys

import pytest

from conformance import claims as registry
from conformance import explain
from conformance.specsource import spec_sources

from conftest import one_line_error


@pytest.mark.parametrize("claim_id", registry.ids())
def test_every_claim_explains_with_its_verdict_example_and_spec_source(claim_id, capsys):
    assert explain.main([claim_id, "--torch", "2.14.1"]) == 0
    out = capsys.readouterr().out
    claim = registry.get(claim_id)
    exp = claim.expectation_for(explain._parse("2.14.1"))
    assert out.startswith(claim_id + "  (notes ")
    assert "On torch 2.14.1 (--torch): %s" % exp.verdict in out
    assert "evidence:" in out and "Example (runs as written" in out
    sources = spec_sources(claim_id)
    assert sources, "every claim has a spec"
    for src in sources:
        assert "--- %s" % src.ref in out
        assert src.source.splitlines()[1].strip() in out  # the def line of the spec itself


def test_the_release_decides_what_is_true(capsys):
    explain.main(["optim.zero-grad", "--torch", "1.13.1"])
    old = capsys.readouterr().out
    explain.main(["optim.zero-grad", "--torch", "2.0.1"])
    new = capsys.readouterr().out
    assert "On torch 1.13.1 (--torch): holds\n  It fills .grad with zeros" in old
    assert "On torch 2.0.1 (--torch): holds-with-caveat" in new and "since: 2.0" in new


def test_a_prefix_lists_its_claims(capsys):
    assert explain.main(["autograd", "--torch", "2.14.1"]) == 0
    out = capsys.readouterr().out
    wanted = [c.id for c in registry.CLAIMS if c.id.startswith("autograd")]
    assert out.startswith("%d claims starting with 'autograd'" % len(wanted))
    assert all(("\n%s " % cid) in out for cid in wanted) and "variable.volatile" not in out
    assert explain.main([]) == 0 and "%d claims;" % len(registry.CLAIMS) in capsys.readouterr().out


def test_unknown_claim_or_bad_version_is_one_line_and_exit_2(capsys):
    assert explain.main(["autograd.nope"]) == 2
    assert "unknown claim ID or prefix 'autograd.nope'" in one_line_error(capsys)
    assert explain.main(["optim.zero-grad", "--torch", "two"]) == 2
    assert "cannot understand torch version" in one_line_error(capsys)
    with pytest.raises(explain.ExplainError):
        explain.run(argparse.Namespace(claim="x.y", torch=None))


def test_without_torch_every_range_is_shown(capsys, monkeypatch):
    monkeypatch.delenv(explain.TORCH_VERSION_ENV, raising=False)
    monkeypatch.setattr(explain, "installed_torch", lambda: (None, "torch is not installed in this environment"))
    assert explain.main(["serialize.whole-model"]) == 0
    out = capsys.readouterr().out
    assert "No torch to judge (torch is not installed in this environment); every release range:" in out
    for exp in registry.get("serialize.whole-model").expectations:
        assert "torch %s: %s" % (exp.versions, exp.verdict) in out


def test_the_installed_release_comes_from_metadata_or_the_override(capsys, monkeypatch):
    monkeypatch.setenv(explain.TORCH_VERSION_ENV, "2.5.1")
    explain.main(["serialize.whole-model"])
    assert "On torch 2.5.1 (CONFORMANCE_TORCH_VERSION=2.5.1): holds-with-caveat" in capsys.readouterr().out


def test_explain_does_not_import_torch():
    code = ("import sys; from conformance.explain import main; rc = main(['reduce.max-ties']); "
            "assert 'torch' not in sys.modules, 'torch was imported'; sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "reduce.max-ties" in proc.stdout
