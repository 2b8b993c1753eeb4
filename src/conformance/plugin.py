"""The pytest plugin (entry point ``pytest11``): devices, claims, observations, results.

Loaded automatically wherever the kit is installed, so both ``conformance run`` and a plain
``pytest`` in the repository get the ``device`` and ``claim`` fixtures. Results are gathered
for every spec that runs and written when ``--conformance-results PATH`` is given.
"""
from __future__ import annotations

import os
import platform
import random
import sys
import time
from typing import Any, Dict, List, Optional

import pytest

from . import __version__
from . import claims as registry
from . import devices as devmod
from . import verdicts as V
from .testing import ClaimContext

TORCH_VERSION_ENV = "CONFORMANCE_TORCH_VERSION"  # judge torch as this version (debugging gates)

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


def pytest_configure(config):
    config.addinivalue_line("markers", "conformance_claim(id): the spec checks this claim (set by @spec)")
    config.addinivalue_line("markers", "needs_devices(*names): the spec needs all these devices (parity specs)")
    try:
        selected = devmod.selection_from(config.getoption("--devices"))
    except devmod.DeviceError as err:
        raise pytest.UsageError(str(err))
    config._conformance = Session(config, selected)
    config.pluginmanager.register(config._conformance, "conformance-session")
    if config.getoption("hypothesis_profile", default=None) is None:
        from hypothesis import settings

        settings.load_profile("ci" if os.environ.get("CI") else "dev")


def torch_version():
    import torch

    from .versions import parse_torch_version

    return parse_torch_version(os.environ.get(TORCH_VERSION_ENV) or torch.__version__)


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
    for item in items:
        mark = item.get_closest_marker("needs_devices")
        if mark:
            missing = [n for n in mark.args if n not in session.selected or session.unavailable(n)]
            if missing:
                reasons = ["%s: %s" % (n, session.unavailable(n) or "not selected") for n in missing]
                item.add_marker(pytest.mark.skip(reason="needs %s" % "; ".join(reasons)))


class Session:
    """Collects one run's outcomes per spec and writes the results file."""

    def __init__(self, config, selected):
        self.config = config
        self.selected = tuple(selected)
        self._unavailable: Dict[str, Optional[str]] = {}
        self.specs: Dict[str, Dict[str, Any]] = {}
        self.started = time.time()

    def unavailable(self, name: str) -> Optional[str]:
        if name not in self._unavailable:
            self._unavailable[name] = devmod.unavailable_reason(name)
        return self._unavailable[name]

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

    def pytest_terminal_summary(self, terminalreporter):
        if not self.specs:
            return
        doc = self.build()
        from .summary import render_summary

        terminalreporter.section("torch-conformance")
        for line in render_summary(doc).splitlines():
            terminalreporter.write_line(line)
        path = self.config.getoption("--conformance-results")
        if path:
            from .results import save

            from .report import render_run

            save(doc, path)
            page = os.path.splitext(path)[0] + ".md"
            with open(page, "w", encoding="utf-8") as fh:
                fh.write(render_run(doc))
            terminalreporter.write_line("results written to %s (report: %s)" % (path, page))

    # -- building the results document ---------------------------------------------------------
    def build(self) -> Dict[str, Any]:
        from .discover import specs_by_claim

        inventory = specs_by_claim()
        env = environment(self)
        try:
            version = torch_version()
        except Exception:  # the CLI reports a bad version before running; keep building
            version = None
        by_claim: Dict[str, List[dict]] = {}
        for entry in self.specs.values():
            by_claim.setdefault(entry["claim"], []).append({k: v for k, v in entry.items() if k != "claim"})
        claims_out = {}
        for record in registry.CLAIMS:
            specs = sorted(by_claim.get(record.id, []), key=lambda s: s["id"])
            expectation = record.expectation_for(version) if version else None
            status = _status(specs, has_spec=record.id in inventory)
            devices = {}
            for dev in sorted({s["device"] for s in specs}):
                devices[dev] = _status([s for s in specs if s["device"] == dev], has_spec=True)
            claims_out[record.id] = {
                "id": record.id,
                "sections": list(record.sections),
                "statement": record.statement,
                "status": status,
                "verdict": expectation.verdict if (status == V.PASSED and expectation) else None,
                "expectation": expectation.as_dict() if expectation else None,
                "devices": devices,
                "specs": specs,
                "skip_reasons": sorted({s["message"] for s in specs if s["outcome"] == "skipped" and s["message"]}),
            }
        return {
            "schema": "torch-conformance/results",
            "schema_version": 1,
            "kit_version": __version__,
            "label": self.config.getoption("--conformance-label"),
            "environment": env,
            "run": {
                "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
                "duration_s": round(time.time() - self.started, 2),
                "args": [str(a) for a in self.config.invocation_params.args],
                "hypothesis_profile": _hypothesis_profile(),
            },
            "claims": claims_out,
            "summary": _summary(claims_out),
        }


def _hypothesis_profile() -> Optional[str]:
    try:
        from hypothesis import settings

        return settings.get_current_profile_name()
    except Exception:  # pragma: no cover
        return None


def _status(specs: List[dict], has_spec: bool) -> str:
    if not has_spec:
        return V.NO_SPEC
    outcomes = {s["outcome"] for s in specs}
    if "failed" in outcomes:
        return V.FAILING
    if "passed" in outcomes:
        return V.PASSED
    return V.NOT_RUN


def _summary(claims_out: Dict[str, dict]) -> Dict[str, Any]:
    overall: Dict[str, int] = {}
    per_device: Dict[str, Dict[str, int]] = {}
    for c in claims_out.values():
        word = V.display(c["status"], c["verdict"])
        overall[word] = overall.get(word, 0) + 1
        for dev, status in c["devices"].items():
            dword = V.display(status, c["verdict"] if status == V.PASSED else None)
            per_device.setdefault(dev, {})
            per_device[dev][dword] = per_device[dev].get(dword, 0) + 1
    return {"claims": len(claims_out), "overall": overall, "devices": per_device}


def environment(session: Optional[Session] = None) -> Dict[str, Any]:
    import torch

    from .versions import VersionError, parse_torch_version

    try:
        tv = parse_torch_version(os.environ.get(TORCH_VERSION_ENV) or torch.__version__)
        release, pre = str(tv.release), tv.prerelease
    except VersionError:
        release, pre = "unknown", False
    try:
        import torchvision

        vision = torchvision.__version__
    except Exception:  # not installed, or fails to import next to this torch
        vision = None
    cudnn = None
    try:
        if torch.backends.cudnn.is_available():
            cudnn = torch.backends.cudnn.version()
    except Exception:  # pragma: no cover
        cudnn = None
    run_devices, skipped = [], {}
    if session is not None:
        run_devices = [d for d in session.selected if not session.unavailable(d)]
        skipped = {d: session.unavailable(d) for d in session.selected if session.unavailable(d)}
    env = {
        "torch": torch.__version__,
        "torch_release": release,
        "torch_prerelease": pre,
        "torchvision": vision,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cuda": getattr(torch.version, "cuda", None),
        "cudnn": cudnn,
        "devices": run_devices,
        "devices_skipped": skipped,
        "threads": torch.get_num_threads(),
    }
    if run_devices and "cuda" in run_devices:
        env["gpu"] = torch.cuda.get_device_name(0)
    for mod in ("numpy", "PIL", "hypothesis", "pytest"):
        try:
            env[mod.lower()] = __import__(mod).__version__
        except Exception:
            env[mod.lower()] = None
    return env


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
