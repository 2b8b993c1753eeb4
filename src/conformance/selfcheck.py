"""Prove that a pack's specs can fail: for every check of every claim, apply the check's
breakage (torch patched so that one behaviour is wrong), run the claim's specs in-process and
require that the check's spec fails by an assertion and no other spec of the claim fails.

``conformance check-pack`` runs this for a user's pack; the kit's own tests run it for the
notes pack (``tests/test_reach.py``). Imports torch (the breakages patch it).
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional

from .packs import Pack, PackError, qualify
from .records import Check


@dataclass(frozen=True)
class Verdict:
    claim: str
    check: str
    outcome: str  # "caught", "missed", "skipped"
    detail: str


def load_breakages(pack: Pack) -> Dict[str, Callable]:
    """Import the pack's ``breakages*.py`` (by path) and return {name: function} of the breakages
    they registered with ``@breakage``."""
    from . import testing

    files = {os.path.abspath(p) for p in pack.breakage_files}
    for path in sorted(files):
        name = "conformance_breakages_%s.%s" % (re.sub(r"\W", "_", pack.name), os.path.splitext(os.path.basename(path))[0])
        if name in sys.modules:
            continue
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as err:
            del sys.modules[name]
            raise PackError("%s: the breakages cannot be imported: %s: %s" % (path, type(err).__name__, err))
    found: Dict[str, Callable] = {}
    for path in sorted(files):
        for name, fn in testing.BREAKAGES.get(path, {}).items():
            if name in found and found[name] is not fn:
                raise PackError("%s: two breakages named %s (also in %s)" % (
                    path, name, found[name].__code__.co_filename))
            found[name] = fn
    return found


def run_claim(claim_id: str, out_dir: str, extra: List[str] = (), quiet: bool = False) -> Dict:
    """Run one claim's specs in-process on the CPU and return the claim's entry of the results
    (``quiet``: pytest's own output is dropped)."""
    import contextlib
    import io

    import pytest

    from .discover import spec_paths
    from .invocation import suite_argv

    out = os.path.join(out_dir, "%s.json" % re.sub(r"[^\w.-]", "_", claim_id))
    argv = suite_argv("specs", paths=spec_paths(claim_id), devices="cpu", results=out, profile="selftest",
                      extra=["-q", "-p", "no:randomly", "--conformance-claim", claim_id] + list(extra))
    with contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext():
        pytest.main(argv)
    with open(out, encoding="utf-8") as fh:
        return json.load(fh)["claims"][claim_id]


def judge(claim_id: str, check: Check, entry: Dict) -> Verdict:
    """Whether ``check``'s spec, and it alone, caught its breakage in ``entry`` (the claim's results)."""
    mine = [s for s in entry["specs"] if s["name"] == check.spec]
    if not mine:
        return Verdict(claim_id, check.id, "missed", "spec %s did not run" % check.spec)
    if all(s["outcome"] == "skipped" for s in mine):
        reasons = sorted({s["message"] or "" for s in mine})
        return Verdict(claim_id, check.id, "skipped", "%s was skipped: %s" % (check.spec, "; ".join(reasons)))
    failed = [s for s in mine if s["outcome"] == "failed"]
    if not failed:
        return Verdict(claim_id, check.id, "missed", "spec %s still passes with %s applied" % (check.spec, check.breakage))
    crashed = [s for s in failed if s["failure_kind"] != "assertion"]
    if crashed:
        return Verdict(claim_id, check.id, "missed", "spec %s crashed instead of noticing: %s" % (
            check.spec, (crashed[0]["message"] or "").splitlines()[0][:200]))
    others = sorted({s["name"] for s in entry["specs"] if s["name"] != check.spec and s["outcome"] == "failed"})
    if others:
        return Verdict(claim_id, check.id, "missed", "not caught by %s alone: %s fail too" % (check.spec, ", ".join(others)))
    if entry["verdict"] is not None:
        return Verdict(claim_id, check.id, "missed", "the claim still carries a verdict while failing")
    return Verdict(claim_id, check.id, "caught", "%s fails by an assertion" % check.spec)


def check_one(claim_id: str, check: Check, breakages: Dict[str, Callable], out_dir: str,
              quiet: bool = False) -> Verdict:
    import pytest

    fn = breakages.get(check.breakage)
    if fn is None:
        return Verdict(claim_id, check.id, "missed", "no breakage named %s in the pack" % check.breakage)
    with pytest.MonkeyPatch.context() as mp:
        fn(mp)
        entry = run_claim(claim_id, out_dir, quiet=quiet)
    return judge(claim_id, check, entry)


def check_pack(pack: Pack, say: Callable[[str], None] = print, only: Optional[List[str]] = None) -> List[Verdict]:
    """Every check of ``pack`` (of the claims ``only`` names), one line each through ``say``."""
    breakages = load_breakages(pack)
    verdicts = []
    with tempfile.TemporaryDirectory(prefix="conformance-check-") as tmp:
        for claim in pack.claims:
            if only and claim.id not in only:
                continue
            if not claim.checks:
                verdicts.append(Verdict(claim.id, "-", "missed", "the claim lists no checks"))
                say("missed   %s: lists no checks" % claim.id)
                continue
            for check in claim.checks:
                v = check_one(claim.id, check, breakages, tmp, quiet=True)
                verdicts.append(v)
                say("%-8s %s::%s  %s" % (v.outcome, claim.id, check.id, v.detail))
    return verdicts


def unused_breakages(pack: Pack, breakages: Optional[Dict[str, Callable]] = None) -> List[str]:
    """Breakages of the pack that no check names and that name no claim they break (dead code,
    or a check that was forgotten)."""
    found = breakages if breakages is not None else load_breakages(pack)
    named = {c.breakage for claim in pack.claims for c in claim.checks}
    return sorted(n for n, fn in found.items() if n not in named and not getattr(fn, "claims", ()))


def claim_wide(pack: Pack) -> List[tuple]:
    """(claim ID, breakage name) for the pack's claim-wide breakages (``fn.claims``)."""
    return [(qualify(pack.name, cid), name)
            for name, fn in sorted(load_breakages(pack).items()) for cid in getattr(fn, "claims", ())]

