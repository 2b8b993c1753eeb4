"""The one place that builds pytest's argument list for the kit's two suites: the specs
(``conformance run``, and the kit's own tests that run specs in-process) and the benchmarks
(``conformance bench``). Both run with their own ini file and rootdir, so the current folder's
pytest configuration never changes what the installed kit does."""
from __future__ import annotations

import os
from typing import Iterable, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
SUITES = {"specs": os.path.join(HERE, "specs.ini"), "benchmarks": os.path.join(HERE, "benchmarks", "pytest.ini")}


def _spec_roots() -> List[str]:
    from . import claims as registry

    return [p.root for p in registry.PACKS]


def suite_argv(suite: str, *, results: Optional[str] = None, devices: Optional[str] = None,
                label: Optional[str] = None, profile: Optional[str] = "ci", quiet_header: bool = True,
                extra: Iterable[str] = (), paths: Optional[Iterable[str]] = None) -> List[str]:
    """pytest arguments for ``suite`` ("specs" or "benchmarks"); ``extra`` (the user's options)
    come last so they win. ``profile`` None leaves the hypothesis profile to the caller; ``paths``
    narrows collection to some files of the suite."""
    ini = SUITES[suite]
    roots = _spec_roots() if suite == "specs" else [os.path.dirname(ini)]
    rootdir = roots[0] if len(roots) == 1 else os.path.commonpath(roots)
    extra = list(extra)
    argv = list(paths or roots) + ["-c", ini, "--rootdir", rootdir, "-p", "no:cacheprovider"]
    if quiet_header:
        argv.append("--no-header")  # the kit prints its own; no plugin banners (benchmark, hypothesis)
    if suite == "specs":
        argv += ["-p", "no:benchmark"]  # specs time nothing; keeps .benchmarks/ out of the user's folder
        # each pack's spec modules under a name of their own: two packs may both have spec_x.py,
        # and nothing is put on sys.path
        argv += ["--import-mode=importlib"]
        from . import claims as registry

        for pack in registry.PACKS:
            if not pack.builtin or len(registry.PACKS) > 1:
                argv += ["--pack", pack.root]
    if results:
        argv += ["--conformance-results", results]
    if devices:
        argv += ["--devices", devices]
    if label:
        argv += ["--conformance-label", label]
    if profile and not any(a.startswith("--hypothesis-profile") for a in extra):
        argv += ["--hypothesis-profile", profile]
    return argv + extra
