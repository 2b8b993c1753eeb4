"""Sub-commands that work on results files only (no torch import): report, diff."""
from __future__ import annotations

import glob
import os
import sys


def add_parsers(sub) -> None:
    p = sub.add_parser("report", help="build reports/README.md and per-claim pages from results files")
    p.add_argument("results", nargs="+", metavar="RESULTS.json", help="results files (one per release)")
    p.add_argument("--out", default="reports", metavar="DIR", help="output folder (default: reports)")

    p = sub.add_parser("diff", help="upgrade gate: compare CANDIDATE results with BASE (exit 0/1/2)")
    p.add_argument("base", metavar="BASE.json")
    p.add_argument("candidate", metavar="CANDIDATE.json")
    p.add_argument("--waivers", metavar="FILE", help="JSON list of {claim, reason, expires} accepting changes")
    p.add_argument("--output", metavar="FILE", help="also write the Markdown to FILE")


def _fail(message: str):
    from .cli import CLIError

    raise CLIError(message)


def cmd_report(args) -> int:
    from .report import write_report
    from .results import ResultsError, load

    paths = []
    for pattern in args.results:  # expand globs the shell left alone (e.g. on Windows)
        paths.extend(sorted(glob.glob(pattern)) if any(ch in pattern for ch in "*?[") else [pattern])
    if not paths:
        _fail("no results files match %s" % " ".join(args.results))
    try:
        docs = [load(p) for p in paths]
    except ResultsError as err:
        _fail(str(err))
    written = write_report(docs, args.out)
    print("report: %d runs -> %s (%d pages)" % (len(docs), os.path.join(args.out, "README.md"), len(written) - 1))
    return 0


def cmd_diff(args) -> int:
    from . import diff as D
    from .results import ResultsError, load

    try:
        base, cand = load(args.base), load(args.candidate)
        active, expired = D.load_waivers(args.waivers, D.today()) if args.waivers else ({}, [])
        result = D.diff(base, cand, active, expired)
    except (ResultsError, D.DiffInputError) as err:
        _fail(str(err))
    text = D.render_markdown(result)
    sys.stdout.write(text + "\n")
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    print("conformance diff: %d breaking, %d informational%s" % (
        len(result.breaking), len(result.informational),
        ", %d expired waiver(s)" % len(result.expired_waivers) if result.expired_waivers else ""), file=sys.stderr)
    return result.exit_code


def dispatch(args) -> int:
    return {"report": cmd_report, "diff": cmd_diff}[args.command](args)
