"""The ``conformance`` command: parses the command line and dispatches to ``commands``.

Exit codes (``errors``): 0 ok; 1 failing / breaking / slower; 2 unusable input or environment,
always one line on stderr (``conformance: error: ...``), never a traceback; 130 interrupted
(SIGINT); 143 terminated (SIGTERM, handled like SIGINT by every command).
"""
from __future__ import annotations

import argparse
import difflib
import os
import sys
from typing import List, Optional

from . import __version__
from .errors import UNUSABLE, UnusableInput, exit_status, sigterm_raises, stop_word


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit 2 (argparse prints the usage too)."""

    def error(self, message):
        raise UnusableInput("%s: %s" % (self.prog, message))


# options that `run` and `bench` pass through to pytest, so a typo of the kit's own is caught here
_OWN = {"run": ("--results", "--devices", "--label", "--claim", "--pack"), "bench": ("--output", "--threads", "--devices", "--smoke", "--label")}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="conformance", allow_abbrev=False,
                     description="Executable specs for the claims of a set of PyTorch study notes.",
                     epilog="Exit status: 0 ok; 1 failing, breaking or slower; 2 unusable input (one line on "
                            "stderr); 130 interrupted (SIGINT); 143 terminated (SIGTERM).")
    parser.add_argument("--version", action="version", version="torch-conformance %s" % __version__)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("claims", help="list the claims, their declared verdicts and specs")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    _pack_option(p)

    p = sub.add_parser("run", allow_abbrev=False,
                       help="run every spec against the installed torch and write a results file; "
                            "other options go to pytest (-k, -x, -rf, -p, ...)")
    p.add_argument("--results", metavar="PATH.json",
                   help="results file (default reports/local/torch-<version>.json); its page goes beside it (.md)")
    p.add_argument("--devices", metavar="LIST", help="cpu,cuda (default: all; env CONFORMANCE_DEVICES)")
    p.add_argument("--label", help="label stored in the results (e.g. the tox environment)")
    p.add_argument("--claim", action="append", metavar="ID",
                   help="run only this claim's specs (repeatable); the results are marked partial (subset)")
    _pack_option(p)

    p = sub.add_parser("report", help="the claim x release matrix and a page per claim, from results files")
    p.add_argument("results", nargs="+", metavar="RESULTS.json", help="results files (one per release)")
    p.add_argument("--out", default=os.path.join("reports", "local", "report"), metavar="DIR",
                   help="output folder (default reports/local/report; the committed one is reports)")
    _pack_option(p, "the packs whose records the pages show (answers, examples, checks); default: notes")

    p = sub.add_parser("diff", help="upgrade gate: compare CANDIDATE results with BASE (exit 0/1/2)")
    p.add_argument("base", metavar="BASE.json")
    p.add_argument("candidate", metavar="CANDIDATE.json")
    p.add_argument("--waivers", metavar="FILE", help="JSON list of {claim, reason, expires} accepting changes")
    p.add_argument("--output", metavar="FILE.md", help="also write the Markdown to FILE.md")

    p = sub.add_parser("bench", allow_abbrev=False,
                       help="time the hot paths with pytest-benchmark; other options go to pytest",
                       epilog="Other options go to pytest, e.g. -k 'harness' or --benchmark-timer MODULE.FUNC.")
    p.add_argument("--output", metavar="PATH.json",
                   help="bench file (default reports/local/bench-torch-<version>.json)")
    p.add_argument("--threads", type=int, default=1, help="torch threads, fixed for the run (default 1)")
    p.add_argument("--devices", metavar="LIST", help="cpu,cuda (default: all available)")
    p.add_argument("--smoke", action="store_true", help="run each benchmark once, untimed (proves they run)")
    p.add_argument("--label", help="label stored in the bench file")

    p = sub.add_parser("bench-report", help="table (Markdown) and plot (PNG) of bench files across releases")
    p.add_argument("bench", nargs="+", metavar="BENCH.json")
    p.add_argument("--out", default=os.path.join("reports", "local", "bench"), metavar="DIR",
                   help="output folder (default reports/local/bench; the committed one is reports/bench)")
    p.add_argument("--baseline", metavar="RELEASE", help="release the ratios refer to (default: the oldest)")

    p = sub.add_parser("bench-diff", help="compare two bench files made at different times (exit 0/1/2); "
                                          "bench-compare measures both side by side and is the gate to trust")
    p.add_argument("base", metavar="BASE.json")
    p.add_argument("candidate", metavar="CANDIDATE.json")
    p.add_argument("--threshold", type=float, default=0.2, help="relative slow-down that counts (default 0.2)")

    from . import bisect, packcmd

    bisect.add_parser(sub)
    packcmd.add_parsers(sub)
    for module in _extensions():
        before = set(sub.choices)
        module.add_parser(sub)
        for command in set(sub.choices) - before:
            _EXTENSION_COMMANDS[command] = module
    parser.commands = list(sub.choices)
    return parser


# sub-commands that live in their own modules: each has add_parser(sub) and run(args), and raises
# an UnusableInput subclass (CompareError, ExplainError) for bad input
_EXTENSION_COMMANDS = {}  # command name -> module, filled by build_parser


def _pack_option(p, what: str = "") -> None:
    p.add_argument("--pack", action="append", metavar="DIR|NAME",
                   help=what or "a claim pack: a folder, an installed pack's name, or notes (repeatable; "
                                "default: notes, or $CONFORMANCE_PACKS)")


def _extensions():
    from . import compare, explain

    return (compare, explain)


def _misspelt(command: str, rest: List[str]) -> Optional[str]:
    """A pass-through option that looks like a typo of the kit's own option (``--resutls``)."""
    own = _OWN.get(command, ())
    for arg in rest:
        name = arg.split("=", 1)[0]
        if name.startswith("--") and name not in own:
            close = difflib.get_close_matches(name, own, n=1, cutoff=0.75)
            if close:
                return "unknown option %s (did you mean %s?)" % (name, close[0])
    return None


def _dispatch(args, rest: List[str]) -> int:
    from . import commands as C

    simple = {"claims": C.cmd_claims, "report": C.cmd_report, "diff": C.cmd_diff,
              "bench-report": C.cmd_bench_report, "bench-diff": C.cmd_bench_diff}
    if args.command == "bisect":
        from . import bisect

        return bisect.run(args)
    if args.command in ("new-pack", "check-pack"):
        from . import packcmd

        return packcmd.run(args)
    if getattr(args, "pack", None):  # the packs in use, for the registry, the specs and the pages
        from . import claims as registry

        registry.use_refs(args.pack)
    if args.command == "run":
        return C.cmd_run(args, rest)
    if args.command == "bench":
        return C.cmd_bench(args, rest)
    if args.command in simple:
        return simple[args.command](args)
    module = _EXTENSION_COMMANDS.get(args.command)
    if module is not None:
        return module.run(args)
    raise UnusableInput("unknown command %s" % args.command)  # pragma: no cover - argparse rejects it first


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        if argv and argv[0] in _OWN:
            args, rest = parser.parse_known_args(argv)
            if rest and rest[0] == "--":
                rest = rest[1:]
            typo = _misspelt(args.command, rest)
            if typo:
                raise UnusableInput(typo)
        else:
            args, rest = parser.parse_args(argv), []
        if not args.command:
            raise UnusableInput("a command is required: %s (conformance --help says more)"
                                % ", ".join(sorted(parser.commands)))
        with sigterm_raises():  # SIGTERM raises Terminated, a KeyboardInterrupt: cleaned up like Ctrl-C
            return _dispatch(args, rest)
    except UnusableInput as err:
        print("conformance: error: %s" % (str(err).splitlines()[0] if str(err) else type(err).__name__), file=sys.stderr)
        return UNUSABLE
    except OSError as err:  # a file the checks could not foresee (a full disk, a race): still one line
        where = " %s" % err.filename if getattr(err, "filename", None) else ""
        print("conformance: error: cannot use%s (%s)" % (where, err.strerror or err), file=sys.stderr)
        return UNUSABLE
    except KeyboardInterrupt as err:  # Terminated (SIGTERM) included: exit 143 instead of 130
        print("conformance: %s" % stop_word(err), file=sys.stderr)
        return exit_status(err)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
