"""The pytest plugin (entry point ``pytest11``): hooks and fixtures only.

Loaded automatically wherever the kit is installed, so both ``conformance run`` and a plain
``pytest`` in the repository get the ``device`` and ``claim`` fixtures. Outcomes and
observations are gathered for every spec that runs; with ``--conformance-results PATH`` the
run's document (assembled by ``results.assemble``) replaces PATH atomically at the end. A run
stopped by SIGINT or SIGTERM leaves PATH as it was and puts what it had in ``PATH.partial``
(marked ``"partial": "interrupted"`` or ``"terminated"``). ``--conformance-claim ID`` keeps
only that claim's specs (the rest are deselected, so the run is a subset).
"""
from __future__ import annotations

import os
import random
import signal
import sys
import time
from typing import Any, Dict, Optional

import pytest

from . import claims as registry
from . import devices as devmod
from . import environment
from .environment import torch_version
from .errors import Terminated
from .jsonio import atomic_write_text
from .testing import ClaimContext
from .versions import VersionError

_CTX = pytest.StashKey[ClaimContext]()  # pytest >= 7


def _register_hypothesis_profiles() -> None:
    try:
        from hypothesis import HealthCheck, settings
    except ImportError:  # pragma: no cover - hypothesis is a dependency
        return
    common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
    # ci: derandomized (same examples every run, so results of two releases compare), small.
    settings.register_profile("ci", derandomize=True, max_examples=12, database=None, print_blob=True, **common)
    # selftest: the kit's own break-torch tests only need to see a failure, not a minimal one.
    from hypothesis import Phase

    settings.register_profile("selftest", settings.get_profile("ci"),
                              phases=[Phase.explicit, Phase.reuse, Phase.generate])
    # dev: random search with more examples, for local bug hunting.
    settings.register_profile("dev", max_examples=60, **common)


_register_hypothesis_profiles()


def pytest_addoption(parser):
    group = parser.getgroup("conformance")
    group.addoption("--devices", default=None,
                    help="comma-separated devices to run specs on (cpu,cuda); default all, or $%s" % devmod.ENV_VAR)
    group.addoption("--conformance-results", default=None, metavar="PATH",
                    help="write the run's results JSON here")
    group.addoption("--conformance-label", default=None, help="a label stored in the results (e.g. tox env name)")
    group.addoption("--conformance-claim", action="append", default=None, metavar="ID",
                    help="run only the specs of this claim (repeatable)")
    group.addoption("--pack", action="append", default=None, metavar="DIR|NAME",
                    help="the claim packs whose specs run (repeatable; default: the built-in notes pack)")


def pytest_configure(config):
    refs = config.getoption("--pack")
    if refs:
        from .packs import PackError

        try:
            registry.use_refs(refs)
        except PackError as err:
            raise pytest.UsageError(str(err))
    config.addinivalue_line("markers", "conformance_claim(id): the spec checks this claim (set by @spec)")
    config.addinivalue_line("markers", "needs_devices(*names): the spec needs all these devices (parity specs)")
    try:
        selected = devmod.selection_from(config.getoption("--devices"))
    except devmod.DeviceError as err:
        raise pytest.UsageError(str(err))
    config._conformance = Session(config, selected)
    config.pluginmanager.register(config._conformance, "conformance-session")
    if config.getoption("--conformance-results"):
        config._conformance.watch_signals()
    if config.getoption("hypothesis_profile", default=None) is None:
        from hypothesis import settings

        settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_unconfigure(config):
    session = getattr(config, "_conformance", None)
    if session is not None:
        session.unwatch_signals()


def pytest_collection_finish(session):
    """Freeze what is alive after collection (torch, the spec modules) out of the garbage
    collector's reach: each full collection walks every torch object (0.3-0.5 s here), and
    hypothesis and pytest trigger several during a run."""
    import gc

    if hasattr(gc, "freeze"):
        gc.collect()
        gc.freeze()


def pytest_generate_tests(metafunc):
    if "device" not in metafunc.fixturenames:
        return
    session: Session = metafunc.config._conformance
    params = []
    for name in session.selected:
        reason = session.unavailable(name)
        marks = [pytest.mark.skip(reason=reason)] if reason else []
        params.append(pytest.param(name, id=name, marks=marks))
    metafunc.parametrize("device", params)


@pytest.fixture
def claim(request) -> ClaimContext:
    """The spec's claim: its record, the expectation for this torch, and the observation log."""
    claim_id = request.param
    record = registry.get(claim_id)
    version = torch_version()
    expectation = record.expectation_for(version)
    if expectation is None:
        pytest.skip("claim %s has no expectation for torch %s" % (claim_id, version))
    device = request.node.callspec.params.get("device") if hasattr(request.node, "callspec") else None
    ctx = ClaimContext(record, expectation, version, device)
    request.node.stash[_CTX] = ctx
    return ctx


@pytest.fixture(autouse=True)
def _seeded():
    """Every spec starts from the same RNG state."""
    random.seed(0)
    try:
        import numpy

        numpy.random.seed(0)
    except ImportError:  # pragma: no cover
        pass
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(0)
    yield


def pytest_collection_modifyitems(config, items):
    session: Session = config._conformance
    wanted = config.getoption("--conformance-claim")
    if wanted:
        keep, drop = [], []
        for item in items:
            mark = item.get_closest_marker("conformance_claim")
            (keep if mark is not None and mark.args[0] in wanted else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep
    for item in items:
        mark = item.get_closest_marker("needs_devices")
        if mark:
            missing = [n for n in mark.args if n not in session.selected or session.unavailable(n)]
            if missing:
                reasons = ["%s: %s" % (n, session.unavailable(n) or "not selected") for n in missing]
                item.add_marker(pytest.mark.skip(reason="needs %s" % "; ".join(reasons)))


class Session:
    """Collects one run's outcomes per spec; at the end writes the results file (atomically,
    and never over an existing file when the run was interrupted)."""

    def __init__(self, config, selected):
        self.config = config
        self.selected = tuple(selected)
        self._unavailable: Dict[str, Optional[str]] = {}
        self.specs: Dict[str, Dict[str, Any]] = {}
        self.started = time.time()
        self.deselected = 0
        self.stopped_by: Optional[str] = None  # "interrupted" (SIGINT, KeyboardInterrupt) or "terminated" (SIGTERM)
        self.collection_errors = 0
        self.written: Optional[str] = None  # where the results went
        self.write_error: Optional[str] = None  # one line, when they could not be written
        self._previous: Dict[int, Any] = {}

    @property
    def interrupted(self) -> bool:
        """A signal (SIGINT, SIGTERM) or a KeyboardInterrupt stopped the run."""
        return self.stopped_by is not None

    def unavailable(self, name: str) -> Optional[str]:
        if name not in self._unavailable:
            self._unavailable[name] = devmod.unavailable_reason(name)
        return self._unavailable[name]

    # -- interruption ---------------------------------------------------------------------------
    def watch_signals(self) -> None:
        """Note every SIGINT and SIGTERM, even one whose exception code under test swallows, then
        act as before: SIGINT raises KeyboardInterrupt, SIGTERM ``Terminated`` (a KeyboardInterrupt
        too, so pytest stops the same way and the results go to PATH.partial)."""
        for signum, word, fallback in ((signal.SIGINT, "interrupted", KeyboardInterrupt),
                                       (signal.SIGTERM, "terminated", Terminated)):
            try:
                previous = signal.getsignal(signum)
                signal.signal(signum, self._handler(previous, word, fallback))
                self._previous[signum] = previous
            except (ValueError, AttributeError):  # not the main thread: pytest's own handling still applies
                pass

    def _handler(self, previous, word, fallback):
        def on_signal(signum, frame):
            if self.stopped_by is None:
                self.stopped_by = word
            if callable(previous):
                previous(signum, frame)
            else:  # the default action (or none): stop the run, cleanly
                raise fallback()

        return on_signal

    def unwatch_signals(self) -> None:
        for signum, previous in self._previous.items():
            try:
                signal.signal(signum, previous if previous is not None else signal.SIG_DFL)
            except ValueError:  # pragma: no cover
                pass
        self._previous = {}

    def pytest_keyboard_interrupt(self, excinfo):
        if self.stopped_by is None:
            self.stopped_by = "terminated" if excinfo.errisinstance(Terminated) else "interrupted"

    def pytest_deselected(self, items):
        self.deselected += len(items)

    def pytest_collectreport(self, report):
        if report.failed:
            self.collection_errors += 1

    def partial(self, session, specced) -> Optional[str]:
        """Why this run does not cover the kit, or None. ``specced``: the claims that have specs;
        one of them with no spec collected (--ignore, a path, a plugin) makes the run a subset."""
        if self.interrupted:
            return self.stopped_by
        if self.collection_errors:
            return "collection-errors"
        if session is not None and (session.shouldstop or session.shouldfail):
            return "stopped"
        if self.deselected or set(specced) - {entry["claim"] for entry in self.specs.values()}:
            return "subset"
        return None

    # -- collecting -------------------------------------------------------------------------
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        mark = item.get_closest_marker("conformance_claim")
        if mark is None:
            return
        claim_id = mark.args[0]
        ctx = item.stash.get(_CTX, None)
        params = getattr(item, "callspec", None)
        device = params.params.get("device") if params else None
        needs = item.get_closest_marker("needs_devices")
        if device is None:
            device = "+".join(needs.args) if needs else "any"
        entry = self.specs.setdefault(item.nodeid, {
            "id": item.nodeid, "claim": claim_id, "name": item.originalname if hasattr(item, "originalname") else item.name,
            "device": device, "outcome": "passed", "failure_kind": None, "message": None,
            "duration_s": 0.0, "observations": {},
        })
        entry["duration_s"] = round(entry["duration_s"] + getattr(report, "duration", 0.0), 4)
        if ctx is not None:
            entry["observations"] = dict(ctx.observations)
        if report.skipped and entry["outcome"] != "failed":
            entry["outcome"] = "skipped"
            entry["message"] = _skip_reason(report)
        elif report.failed:
            entry["outcome"] = "failed"
            exc = call.excinfo
            assertion = exc is not None and (
                exc.errisinstance(AssertionError) or exc.errisinstance(pytest.fail.Exception) or _all_assertions(exc.value))
            entry["failure_kind"] = "assertion" if assertion else "error"
            entry["message"] = _one_line(exc.value if exc else report.longreprtext)
            if ctx is not None or report.when == "call":
                report.sections.append(("conformance", _reproduce(item, claim_id, device, ctx)))

    def pytest_sessionfinish(self, session):
        self._session = session

    def pytest_terminal_summary(self, terminalreporter):
        if not self.specs:
            return
        doc = self.build(getattr(self, "_session", None))
        from .summary import render_summary

        terminalreporter.section("torch-conformance")
        for line in render_summary(doc).splitlines():
            terminalreporter.write_line(line)
        path = self.config.getoption("--conformance-results")
        if not path:
            return
        from .report import render_run
        from .results import save

        target = path + ".partial" if self.interrupted else path
        page = os.path.splitext(path)[0] + ".md"
        # The page is written first and the results (what gates read) only when the page made it;
        # an interrupted run leaves both as they were and writes only PATH.partial.
        steps = [] if self.interrupted else [(page, "the results page", lambda: atomic_write_text(page, render_run(doc)))]
        steps.append((target, "results to", lambda: save(doc, target)))
        for where, what, write in steps:
            try:
                write()
            except OSError as err:
                self.write_error = "cannot write %s %s (%s); %s" % (
                    what, where, err.strerror or err,
                    "%s is unchanged" % path if os.path.exists(path) else "no results were written")
                terminalreporter.write_line("results NOT written: %s" % self.write_error)
                return
        self.written = target
        if self.interrupted:
            terminalreporter.write_line("%s: %s left as it was; partial results in %s" % (self.stopped_by, path, target))
        else:
            terminalreporter.write_line("results written to %s (report: %s)%s" % (
                path, page,
                "; partial run (%s)" % doc["run"]["partial"] if doc["run"]["partial"] else ""))

    # -- building the results document ---------------------------------------------------------
    def build(self, session=None) -> Dict[str, Any]:
        from .discover import specs_by_claim
        from .results import assemble

        try:
            version = torch_version()
        except VersionError:  # the CLI reports a bad version before running; keep building
            version = None
        specced = specs_by_claim()
        return assemble(
            self.specs.values(), environment.record(self.selected), version,
            label=self.config.getoption("--conformance-label"), started=self.started,
            args=list(self.config.invocation_params.args), hypothesis_profile=_hypothesis_profile(),
            partial=self.partial(session, specced), specced=specced)


def _hypothesis_profile() -> Optional[str]:
    try:
        from hypothesis import settings

        return settings.get_current_profile_name()
    except Exception:  # pragma: no cover
        return None


def _skip_reason(report) -> Optional[str]:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        text = str(longrepr[2])
        return text[len("Skipped: "):] if text.startswith("Skipped: ") else text
    return _one_line(longrepr)


def _all_assertions(exc: BaseException) -> bool:
    """Hypothesis may bundle several failing examples into an exception group."""
    inner = getattr(exc, "exceptions", None)
    return bool(inner) and all(isinstance(e, AssertionError) or _all_assertions(e) for e in inner)


def _one_line(value: Any) -> str:
    text = "%s: %s" % (type(value).__name__, value) if isinstance(value, BaseException) else str(value)
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    first = lines[0] if lines else ""
    return first[:500]


def _reproduce(item, claim_id: str, device: str, ctx: Optional[ClaimContext]) -> str:
    claim_rec = registry.get(claim_id)
    exp = ctx.expect if ctx else None
    lines = [
        "claim:    %s (%s) %s" % (claim_id, claim_rec.section_label, claim_rec.statement),
        "expected: %s" % (("[%s, %s] %s" % (exp.versions, exp.verdict, exp.truth)) if exp else "-"),
        "device:   %s   torch: %s" % (device, ctx.torch_version if ctx else "?"),
        "reproduce:",
        "  pip install -e .   # in a checkout of torch-conformance, next to the torch under test",
        "  conformance run --devices %s -k %s" % (device if device in ("cpu", "cuda") else "cpu", item.originalname),
    ]
    return "\n".join(lines)
