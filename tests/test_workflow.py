"""The CI workflow that fans the matrix out: valid for actionlint, and in step with tox.ini."""
import os
import platform
import re
import shutil
import subprocess
import sys

import pytest

from conftest import REPO

WORKFLOW = os.path.join(REPO, ".github", "workflows", "matrix.yml")


def _actionlint():
    here = os.path.join(os.path.dirname(sys.executable), "actionlint")
    return here if os.path.exists(here) else shutil.which("actionlint")


@pytest.mark.skipif(not (sys.platform == "linux" and platform.machine() == "x86_64"),
                    reason="the actionlint wheel used here exists for Linux x86_64 only")
def test_workflow_passes_actionlint():
    tool = _actionlint()
    assert tool, "actionlint is missing: it comes with pip install -e '.[test]'"
    proc = subprocess.run([tool, WORKFLOW], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _workflow_jobs():
    with open(WORKFLOW) as fh:
        return re.findall(r"\{env: (torch[\d.]+), python: \"(3\.\d+)\"", fh.read())


def _tox_label(label):
    with open(os.path.join(REPO, "tox.ini")) as fh:
        return re.search(r"^    %s = (.*)$" % label, fh.read(), re.M).group(1).replace(" ", "").split(",")


def test_workflow_runs_every_matrix_release_of_tox():
    tox_matrix = _tox_label("matrix")
    assert [env for env, _ in _workflow_jobs()][:len(tox_matrix)] == tox_matrix


def test_workflow_runs_every_release_of_tox_once():
    every = _tox_label("matrix") + _tox_label("old") + _tox_label("oldest")
    jobs = [env for env, _ in _workflow_jobs()]
    assert sorted(jobs) == sorted(every) and len(set(jobs)) == len(jobs) == 52
    with open(WORKFLOW) as fh:
        text = fh.read()
    newest = _gen_tox().RELEASES[-2:]  # the gate of the report job: the two newest releases
    assert "conformance diff reports/results/torch%s.json reports/results/torch%s.json" % (
        newest[0][0], newest[1][0]) in text


# the torch releases on PyPI that install on these Pythons (issue #22): every one has an environment
PYPI_RELEASES = """1.0.0 1.0.1 1.1.0 1.2.0 1.3.0 1.3.1 1.4.0 1.5.0 1.5.1 1.6.0 1.7.0 1.7.1 1.8.0 1.8.1 1.9.0 1.9.1
    1.10.0 1.10.1 1.10.2 1.11.0 1.12.0 1.12.1 1.13.0 1.13.1 2.0.0 2.0.1 2.1.0 2.1.1 2.1.2 2.2.0 2.2.1 2.2.2 2.3.0
    2.3.1 2.4.0 2.4.1 2.5.0 2.5.1 2.6.0 2.7.0 2.7.1 2.8.0 2.9.0 2.9.1 2.10.0 2.11.0 2.12.0 2.12.1 2.13.0 2.14.0
    2.14.1 2.15.0""".split()


def _gen_tox():
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_tox", os.path.join(REPO, "scripts", "gen_tox.py"))
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    return gen


def test_the_release_table_has_every_release_with_its_torchvision():
    gen = _gen_tox()
    releases = [row[0] for row in gen.RELEASES]
    assert releases == PYPI_RELEASES, "every PyPI release, oldest first, once"
    by_minor = {}
    for torch, vision, python, extra in gen.RELEASES:
        assert vision, "torch %s has no torchvision" % torch
        by_minor.setdefault(gen.minor_of(torch), set()).add((python, extra))
    # the releases of one minor share its Python and extra pins: only torch and torchvision differ
    assert all(len(rows) == 1 for rows in by_minor.values()), {m: r for m, r in by_minor.items() if len(r) > 1}
    visions = [row[1] for row in gen.RELEASES]
    assert len(set(visions)) == len(visions)  # torchvision pins its torch: one each


def test_every_release_env_writes_its_results_file_named_by_release():
    import configparser

    ini = configparser.ConfigParser(interpolation=None)
    ini.read(os.path.join(REPO, "tox.ini"), encoding="utf-8")
    for release in PYPI_RELEASES:
        section = ini["testenv:torch%s" % release]
        assert "torch==%s" % release in section["deps"].split()
    bench = _tox_label("bench")
    assert bench and all(re.match(r"^bench\d+\.\d+$", b) for b in bench)  # one per minor


def test_results_files_map_a_release_to_its_file_either_naming(tmp_path):
    """reports/results/: torch1.4.0.json (by release) and the older torch1.4.json (by minor)."""
    import json

    import pytest

    from conformance.results import ResultsError, results_files

    def put(name, release):
        (tmp_path / name).write_text(json.dumps({"environment": {"torch_release": release}}))

    put("torch1.4.json", "1.4.0")
    put("torch1.5.json", "1.5.1")
    put("torch1.5.0.json", "1.5.0")
    put("torch2.11-cuda.json", "2.11.0")  # a CUDA run: not one of the matrix's files
    (tmp_path / "torch1.5.0.md").write_text("page")
    assert results_files(str(tmp_path)) == {
        "1.4.0": str(tmp_path / "torch1.4.json"), "1.5.0": str(tmp_path / "torch1.5.0.json"),
        "1.5.1": str(tmp_path / "torch1.5.json")}
    put("torch1.4.0.json", "1.4.0")  # the new name of the same release wins over the old one
    assert results_files(str(tmp_path))["1.4.0"] == str(tmp_path / "torch1.4.0.json")
    put("torch1.6.0.json", "1.6.1")
    with pytest.raises(ResultsError, match="holds torch 1.6.1, not 1.6.0"):
        results_files(str(tmp_path))


def test_workflow_uses_the_python_of_each_tox_env():
    with open(os.path.join(REPO, "tox.ini")) as fh:
        pythons = dict(re.findall(r"^\[testenv:(torch[\d.]+)\]\nbase_python = python(3\.\d+)$", fh.read(), re.M))
    jobs = _workflow_jobs()
    assert jobs and all(pythons.get(env) == python for env, python in jobs), (jobs, pythons)


def test_tox_ini_is_what_gen_tox_writes():
    """tox.ini is generated from the release table: an edit by hand would drift from it."""
    gen = _gen_tox()
    with open(os.path.join(REPO, "tox.ini")) as fh:
        assert fh.read() == gen.render(), "run: python scripts/gen_tox.py"
