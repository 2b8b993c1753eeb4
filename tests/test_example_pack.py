"""The example pack `training` (examples/training): behaviours ordinary training code relies on.
It runs and passes on the installed torch, every check's breakage is caught, and the upgrade gate
between two of its committed releases names a real boundary (exit 1), which a waiver accepts."""
import json
import os

import pytest

from conftest import REPO
from conformance import claims as registry
from conformance.cli import main

PACK = os.path.join(REPO, "examples", "training")
RESULTS = os.path.join(PACK, "results")
NOTES = registry.PACKS[0]


@pytest.fixture(autouse=True)
def restore_registry():
    yield
    registry.use([NOTES])


def test_the_example_pack_passes_on_the_installed_torch(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "training.json"
    assert main(["run", "--pack", PACK, "--devices", "cpu", "--results", str(out), "-q"]) == 0
    doc = json.loads(out.read_text())
    assert len(doc["claims"]) >= 8 and all(cid.startswith("training:") for cid in doc["claims"])
    assert all(c["status"] in ("passed", "not-run") for c in doc["claims"].values())


def test_every_check_of_the_example_pack_can_fail(capsys):
    assert main(["check-pack", PACK]) == 0
    assert " 0 missed" in capsys.readouterr().err


def test_the_gate_between_two_committed_releases_names_a_real_boundary(tmp_path, capsys, monkeypatch):
    base, cand = os.path.join(RESULTS, "torch2.5.1.json"), os.path.join(RESULTS, "torch2.6.0.json")
    assert main(["diff", base, cand]) == 1
    out = capsys.readouterr().out
    assert "training:load.pickled-object" in out and "### Breaking" in out
    waivers = tmp_path / "waivers.json"
    waivers.write_text(json.dumps([
        {"claim": cid, "reason": "we pass weights_only=False for our own checkpoints", "expires": "2099-12-31"}
        for cid in ("training:load.pickled-object", "training:load.tensor-checkpoint")]))
    assert main(["diff", base, cand, "--waivers", str(waivers)]) == 0
    assert "waived" in capsys.readouterr().out


def test_its_results_cover_at_least_six_releases():
    releases = [n for n in os.listdir(RESULTS) if n.startswith("torch") and n.endswith(".json")]
    assert len(releases) >= 6
