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


def test_workflow_runs_every_matrix_release_of_tox():
    with open(os.path.join(REPO, "tox.ini")) as fh:
        tox_matrix = re.search(r"^    matrix = (.*)$", fh.read(), re.M).group(1).replace(" ", "").split(",")
    assert [env for env, _ in _workflow_jobs()][:len(tox_matrix)] == tox_matrix


def test_workflow_uses_the_python_of_each_tox_env():
    with open(os.path.join(REPO, "tox.ini")) as fh:
        pythons = dict(re.findall(r"^\[testenv:(torch[\d.]+)\]\nbase_python = python(3\.\d+)$", fh.read(), re.M))
    jobs = _workflow_jobs()
    assert jobs and all(pythons.get(env) == python for env, python in jobs), (jobs, pythons)


def test_tox_ini_is_what_gen_tox_writes():
    """tox.ini is generated from the release table: an edit by hand would drift from it."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_tox", os.path.join(REPO, "scripts", "gen_tox.py"))
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    with open(os.path.join(REPO, "tox.ini")) as fh:
        assert fh.read() == gen.render(), "run: python scripts/gen_tox.py"
