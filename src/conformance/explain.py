"""``conformance explain CLAIM``: what a claim of the notes means, for the installed torch.

    conformance explain optim.zero-grad        one claim: the note's claim in the kit's words, its
                                               setting, what is true on this release and since when,
                                               the evidence, a runnable example, the specs' source
    conformance explain autograd               every claim whose ID starts with the prefix
    conformance explain optim.zero-grad --torch 1.13    as judged for another release

Nothing here imports torch: the installed release is read from the package metadata
(``CONFORMANCE_TORCH_VERSION`` overrides it, as for ``conformance run``), and the specs are read
as files. Without torch every release range is shown. Bad input raises :class:`ExplainError`
(one line); ``python -m conformance.explain`` prints it as ``conformance: error: ...`` and exits 2.
"""
from __future__ import annotations

import argparse
import os
import sys
import textwrap
from typing import List, Optional, Tuple

from . import claims as registry
from .environment import TORCH_VERSION_ENV
from .errors import UnusableInput
from .versions import TorchVersion, VersionError, parse_torch_version

WIDTH = 100


class ExplainError(UnusableInput):
    """Unusable input (unknown claim, bad version); the message is one line."""


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "explain", help="what a claim means and what is true on the installed torch, with its specs' source",
        description="Explain a claim for the installed torch (or --torch VERSION); a prefix lists the "
                    "claims that start with it.")
    p.add_argument("claim", nargs="?", default="", metavar="CLAIM|PREFIX",
                   help="a claim ID (optim.zero-grad) or a prefix (autograd); none: list every claim")
    p.add_argument("--torch", metavar="VERSION", help="judge as this torch release instead of the installed one")
    p.add_argument("--pack", action="append", metavar="DIR|NAME", help="explain the claims of this pack (repeatable)")
    return p


# ------------------------------------------------------------------------------ the release
def installed_torch() -> Tuple[Optional[TorchVersion], str]:
    """(version or None, where it came from), without importing torch."""
    forced = os.environ.get(TORCH_VERSION_ENV)
    if forced:
        return _parse(forced), "%s=%s" % (TORCH_VERSION_ENV, forced)
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # Python 3.7
        try:
            from importlib_metadata import PackageNotFoundError, version  # type: ignore
        except ImportError:
            return None, "cannot read package metadata"
    try:
        raw = version("torch")
    except PackageNotFoundError:
        return None, "torch is not installed in this environment"
    return _parse(raw), "installed"


def _parse(raw: str) -> TorchVersion:
    try:
        return parse_torch_version(raw)
    except VersionError as err:
        raise ExplainError(str(err)) from None


# ------------------------------------------------------------------------------ text
def _wrap(text: str, indent: str = "  ") -> List[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent) or [indent.rstrip()]


def _code(text: str, indent: str = "    ") -> List[str]:
    return [(indent + line) if line.strip() else "" for line in text.rstrip("\n").split("\n")]


def matches(query: str) -> List[registry.Claim]:
    if query in registry.BY_ID:
        return [registry.BY_ID[query]]
    return [c for c in registry.CLAIMS if c.id.startswith(query)]


def _short_verdict(claim: registry.Claim, version: Optional[TorchVersion]) -> str:
    if version is None:
        return "; ".join("%s %s" % (e.versions, e.verdict) for e in claim.expectations)
    exp = claim.expectation_for(version)
    return exp.verdict if exp else "no expectation"


def render_list(claims: List[registry.Claim], version: Optional[TorchVersion], origin: str, query: str) -> str:
    head = ("torch %s (%s)" % (version.raw, origin)) if version else "no torch: %s; verdicts by release range" % origin
    lines = ["%d claims%s; %s:" % (len(claims), (" starting with %r" % query) if query else "", head), ""]
    width = max(len(c.id) for c in claims)
    vwidth = max(len(_short_verdict(c, version)) for c in claims)
    for c in claims:
        lines.append("%-*s  %-8s  %-*s  %s" % (width, c.id, c.section_label.replace(", ", ","), vwidth,
                                               _short_verdict(c, version), _first_sentence(c.statement)))
    lines += ["", "conformance explain CLAIM  shows one claim in full."]
    return "\n".join(lines) + "\n"


def shown_path(path: str) -> str:
    """A spec module's path as a reader finds it: relative to the checkout (the notes pack) or
    the current folder, else as it is."""
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for base in (repo, os.getcwd()):
        rel = os.path.relpath(path, base)
        if not rel.startswith(".."):
            return rel
    return path


def _first_sentence(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def render_claim(claim: registry.Claim, version: Optional[TorchVersion], origin: str) -> str:
    from .examples import example_for
    from .guide import today_expectation, topic_of
    from .specsource import spec_sources

    topic = topic_of(claim.id)
    pack = registry.pack_of(claim.id)
    where = ("notes %s" % claim.section_label) if pack.builtin else "pack %s %s" % (pack.name, pack.version)
    lines = ["%s  (%s%s)" % (claim.id, where, ("; topic: %s" % topic.title) if topic else ""), ""]
    lines += ["The note claims (in the kit's words):" if pack.builtin else "The claim:"] + _wrap(claim.statement)
    if claim.setting:
        lines += ["The note's setting:" if pack.builtin else "Its setting:"] + _wrap(claim.setting)
    lines.append("")
    exp = claim.expectation_for(version) if version else None
    if version is not None and exp is not None:
        judged = version.raw if str(version.release) == version.raw else "%s, judged as %s" % (version.raw, version.release)
        lines += ["On torch %s (%s): %s" % (judged, origin, exp.verdict)] + _wrap(exp.truth)
        lines += _wrap("since: %s" % (exp.since or "no earlier change recorded (range %s)" % exp.versions))
        lines += _wrap("evidence: %s" % (exp.evidence or "none recorded"))
        beyond = registry.pack_of(claim.id).beyond_evidence(exp, version)
        if beyond:
            lines += _wrap("beyond its evidence: the newest release this claim's evidence comes from is %s; torch %s "
                           "is newer, so this verdict is the specs' word alone until a run there is recorded"
                           % (beyond, version.release))
        others = [e for e in claim.expectations if e is not exp]
        if others:
            lines += ["", "Other release ranges:"]
    else:
        why = ("torch %s has no expectation in the registry" % version.raw) if version is not None else origin
        lines += ["No torch to judge (%s); every release range:" % why]
        others = list(claim.expectations)
    for e in others:
        lines += ["  torch %s: %s%s" % (e.versions, e.verdict, (" (since %s)" % e.since) if e.since else "")]
        lines += _wrap(e.truth, "    ") + _wrap("evidence: %s" % (e.evidence or "none recorded"), "    ")
    if claim.answer:
        today = today_expectation(claim.id)
        lines += ["", "Today (torch %s):" % (today.versions if today else "newest")] + _wrap(claim.answer)
    ex = example_for(claim.id)
    if ex is not None:
        today = today_expectation(claim.id)
        lines += ["", "Example (runs as written on torch %s%s; from %s, %s):" % (
            today.versions if today else "any", (", needs %s" % ", ".join(ex.needs)) if ex.needs else "",
            shown_path(ex.path), ex.function), ""]
        lines += _code(ex.source)
    sources = spec_sources(claim.id)
    lines += ["", "Specs that check it (%d):" % len(sources)]
    for src in sources:
        rel = shown_path(src.path)
        lines += ["", "--- %s (%s, line %d)" % (src.ref, rel, src.line)] + _code(src.source)
        for name, text in src.helpers:
            lines += ["", "    # helper: %s" % name] + _code(text)
    page = os.path.join("reports", "claims", "%s.md" % claim.id)
    if os.path.exists(page):
        lines += ["", "Every release run, with what each observed: %s" % page]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------ command
def run(args, out=None) -> int:
    out = out or sys.stdout
    query = (args.claim or "").strip()
    if args.torch:
        version, origin = _parse(args.torch), "--torch"
    else:
        version, origin = installed_torch()
    found = matches(query)
    if not found:
        raise ExplainError("unknown claim ID or prefix %r (conformance claims lists them)" % query)
    if query in registry.BY_ID or len(found) == 1:
        out.write(render_claim(found[0], version, origin))
    else:
        out.write(render_list(found, version, origin, query))
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="conformance", allow_abbrev=False)
    sub = parser.add_subparsers(dest="command")
    add_parser(sub)
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] != "explain":
        argv = ["explain"] + argv
    args = parser.parse_args(argv)
    try:
        return run(args)
    except ExplainError as err:
        print("conformance: error: %s" % err, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("conformance: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
