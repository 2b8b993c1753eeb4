"""The ``conformance`` command: a thin layer over the modules that do the work.

Every usage or input error ends in one line on stderr (``conformance: error: ...``) and exit
status 2; a traceback from here is a bug.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import List, Optional

from . import __version__
from . import claims as registry

HERE = os.path.dirname(os.path.abspath(__file__))
SPECS_DIR = os.path.join(HERE, "specs")


class CLIError(Exception):
    """Ends the command with a one-line message and exit status 2."""


# ------------------------------------------------------------------------------------ claims
def cmd_claims(args) -> int:
    from .discover import specs_by_claim

    specs = specs_by_claim()
    rows = []
    for c in registry.CLAIMS:
        d = c.as_dict()
        d["specs"] = specs.get(c.id, [])
        d["has_spec"] = bool(d["specs"])
        rows.append(d)
    if args.json:
        json.dump({"kit_version": __version__, "claims": rows}, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    width = max(len(r["id"]) for r in rows)
    print("%-*s  %-8s  %-40s  %s" % (width, "claim", "note", "declared verdict by torch release", "specs"))
    for r in rows:
        gates = "; ".join("%s %s" % (e["versions"], e["verdict"]) for e in r["expectations"])
        spec_text = "%d" % len(r["specs"]) if r["specs"] else "no spec yet"
        print("%-*s  %-8s  %-40s  %s" % (width, r["id"], ",".join("§%d" % s for s in r["sections"]), gates, spec_text))
    missing = sum(1 for r in rows if not r["has_spec"])
    print("%d claims, %d with specs, %d without" % (len(rows), len(rows) - missing, missing))
    return 0


# --------------------------------------------------------------------------------------- run
def local_path(torch_version: str, prefix: str = "") -> str:
    """Where a run on this machine goes by default: reports/local/ (not committed)."""
    safe = torch_version.replace("+", "_").replace("/", "_")
    return os.path.join("reports", "local", "%storch-%s.json" % (prefix, safe))


def cmd_run(args, pytest_args: List[str]) -> int:
    try:
        import torch
    except Exception as err:  # ImportError, or a broken install raising OSError
        raise CLIError("cannot import torch in this environment (%s: %s); install torch first"
                       % (type(err).__name__, str(err).splitlines()[0] if str(err) else ""))
    from .devices import DeviceError, selection_from
    from .plugin import TORCH_VERSION_ENV
    from .versions import VersionError, parse_torch_version

    try:
        version = parse_torch_version(os.environ.get(TORCH_VERSION_ENV) or torch.__version__)
        selection_from(args.devices)
    except (VersionError, DeviceError) as err:
        raise CLIError(str(err))
    results = args.results or local_path(version.raw)
    if os.path.isdir(results):
        raise CLIError("--results %s is a directory; give a file path" % results)
    import pytest

    argv = [SPECS_DIR, "-c", os.path.join(SPECS_DIR, "pytest.ini"), "--rootdir", SPECS_DIR,
            "-p", "no:cacheprovider", "--conformance-results", results, "-rfE"]
    if args.devices:
        argv += ["--devices", args.devices]
    if args.label:
        argv += ["--conformance-label", args.label]
    if not any(a.startswith("--hypothesis-profile") for a in pytest_args):
        argv += ["--hypothesis-profile", "ci"]
    if version.prerelease:
        print("conformance: torch %s is a pre-release; judged as release %s" % (version.raw, version.release),
              file=sys.stderr)
    rc = int(pytest.main(argv + pytest_args))
    if rc == 5:
        print("conformance: error: no spec was collected or selected (check -k/--devices)", file=sys.stderr)
        return 1
    return rc


# -------------------------------------------------------------------------------------- main
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="conformance", allow_abbrev=False,
        description="Executable specs for the claims of a set of PyTorch study notes.")
    parser.add_argument("--version", action="version", version="torch-conformance %s" % __version__)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("claims", help="list the claims, their declared verdicts and specs")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = sub.add_parser("run", allow_abbrev=False,
                       help="run every spec against the installed torch and write a results file; "
                            "other options go to pytest (-k, -x, -rf, -p, ...)")
    p.add_argument("--results", metavar="PATH", help="results file (default reports/local/torch-<version>.json)")
    p.add_argument("--devices", metavar="LIST", help="cpu,cuda (default: all; env CONFORMANCE_DEVICES)")
    p.add_argument("--label", help="label stored in the results (e.g. the tox environment)")

    from . import commands

    commands.add_parsers(sub)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if argv and argv[0] in ("run", "bench"):
        args, rest = parser.parse_known_args(argv)
        if rest and rest[0] == "--":
            rest = rest[1:]
    else:
        args, rest = parser.parse_args(argv), []
    if not args.command:
        parser.print_help()
        return 2
    try:
        if args.command == "claims":
            return cmd_claims(args)
        if args.command == "run":
            return cmd_run(args, rest)
        from . import commands

        return commands.dispatch(args, rest)
    except CLIError as err:
        print("conformance: error: %s" % err, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("conformance: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
