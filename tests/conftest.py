"""Shared fixtures of the kit's own tests (the specs' fixtures live in conformance.plugin)."""
import os

import pytest

from conformance.invocation import suite_argv

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def one_line_error(capsys) -> str:
    """The CLI's stderr, asserted to be one 'conformance: error: ...' line without a traceback."""
    err = capsys.readouterr().err.strip()
    assert err.startswith("conformance: error: ") and "\n" not in err and "Traceback" not in err, err
    return err


@pytest.fixture
def run_claim(tmp_path, monkeypatch):
    """Run one claim's specs in-process (torch stays imported, patches stay applied) and
    return that claim's entry of the results file (``selfcheck.run_claim``).

    Plain ``pytest.main``, not pytester: pytester restores ``sys.modules`` afterwards, and torch
    cannot re-import the submodules it loaded lazily (operator registration is global)."""
    from conformance.selfcheck import run_claim as run

    monkeypatch.chdir(tmp_path)
    return lambda claim_id: run(claim_id, str(tmp_path))


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
