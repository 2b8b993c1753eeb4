"""Shared fixtures of the kit's own tests (the specs' fixtures live in conformance.plugin)."""
import json
import os

import pytest

from conformance.discover import SPECS_DIR, specs_by_claim
from conformance.invocation import suite_argv

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def one_line_error(capsys) -> str:
    """The CLI's stderr, asserted to be one 'conformance: error: ...' line without a traceback."""
    err = capsys.readouterr().err.strip()
    assert err.startswith("conformance: error: ") and "\n" not in err and "Traceback" not in err, err
    return err


class _OnlyClaim:
    """Inner-run plugin: keep the specs of one claim, on the CPU."""

    def __init__(self, claim_id):
        self.claim_id = claim_id

    def pytest_collection_modifyitems(self, config, items):
        keep, drop = [], []
        for item in items:
            mark = item.get_closest_marker("conformance_claim")
            (keep if mark and mark.args[0] == self.claim_id else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture
def run_claim(tmp_path, monkeypatch):
    """Run one claim's specs in-process (torch stays imported, patches stay applied) and
    return that claim's entry of the results file.

    Plain ``pytest.main``, not pytester: pytester restores ``sys.modules`` afterwards, and torch
    cannot re-import the submodules it loaded lazily (operator registration is global)."""
    monkeypatch.chdir(tmp_path)

    def run(claim_id):
        files = sorted({os.path.join(SPECS_DIR, ref.split("::")[0]) for ref in specs_by_claim()[claim_id]})
        out = tmp_path / ("%s.json" % claim_id)
        pytest.main(suite_argv("specs", paths=files, devices="cpu", results=str(out), profile="selftest",
                                extra=["-q", "-p", "no:randomly"]), plugins=[_OnlyClaim(claim_id)])
        with open(str(out)) as fh:
            return json.load(fh)["claims"][claim_id]

    return run


class _Collector:
    def __init__(self):
        self.items = []

    def pytest_collection_finish(self, session):
        self.items = list(session.items)


@pytest.fixture
def collect_specs(tmp_path, monkeypatch):
    """Collect (not run) every spec, in-process, and return the items."""
    monkeypatch.chdir(tmp_path)

    def collect(*extra):
        collector = _Collector()
        rc = pytest.main(suite_argv("specs", profile=None, extra=["--collect-only", "-q", *extra]), plugins=[collector])
        assert rc == 0, "collecting the specs failed (exit %s)" % rc
        return collector.items

    return collect
