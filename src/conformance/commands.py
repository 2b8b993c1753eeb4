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

    p = sub.add_parser("bench", allow_abbrev=False,
                       help="time the hot paths with pytest-benchmark; other options go to pytest",
                       epilog="Other options go to pytest, e.g. -k 'harness' or --benchmark-timer MODULE.FUNC.")
    p.add_argument("--output", metavar="PATH", help="bench file (default reports/local/bench-torch-<version>.json)")
    p.add_argument("--threads", type=int, default=1, help="torch threads, fixed for the run (default 1)")
    p.add_argument("--devices", metavar="LIST", help="cpu,cuda (default: all available)")
    p.add_argument("--smoke", action="store_true", help="run each benchmark once, untimed (proves they run)")
    p.add_argument("--label", help="label stored in the bench file")

    p = sub.add_parser("bench-report", help="table (Markdown) and plot (PNG) of bench files across releases")
    p.add_argument("bench", nargs="+", metavar="BENCH.json")
    p.add_argument("--out", default=os.path.join("reports", "bench"), metavar="DIR")
    p.add_argument("--baseline", metavar="RELEASE", help="release the ratios refer to (default: the oldest)")

    p = sub.add_parser("bench-diff", help="speed gate: slower than --threshold beyond noise (exit 0/1/2)")
    p.add_argument("base", metavar="BASE.json")
    p.add_argument("candidate", metavar="CANDIDATE.json")
    p.add_argument("--threshold", type=float, default=0.2, help="relative slow-down that counts (default 0.2)")


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


def cmd_bench(args, pytest_args) -> int:
    import json
    import tempfile

    try:
        import torch
    except Exception as err:
        _fail("cannot import torch in this environment (%s)" % type(err).__name__)
    try:
        import pytest_benchmark  # noqa: F401
    except ImportError:
        _fail("pytest-benchmark is not installed: pip install 'torch-conformance[bench]'")
    import pytest

    from .bench import BENCH_DIR, compact, save_bench
    from .devices import DeviceError, selection_from
    from .plugin import environment
    from .versions import VersionError, parse_torch_version

    if args.threads < 1:
        _fail("--threads must be at least 1")
    try:
        version = parse_torch_version(torch.__version__)
        selection_from(args.devices)
    except (VersionError, DeviceError) as err:
        _fail(str(err))
    from .cli import local_path

    out = args.output or local_path(version.raw, "bench-")
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        raw_path = os.path.join(tmp, "raw.json")
        argv = [BENCH_DIR, "-c", os.path.join(BENCH_DIR, "pytest.ini"), "--rootdir", BENCH_DIR,
                "-p", "no:cacheprovider", "--benchmark-json", raw_path, "-q"]
        argv += ["--benchmark-disable"] if args.smoke else [
            "--benchmark-min-rounds", "7", "--benchmark-max-time", "0.5", "--benchmark-warmup", "on",
            "--benchmark-warmup-iterations", "3", "--benchmark-disable-gc",  # as timeit and torch Timer do
            "--benchmark-columns", "median,iqr,rounds"]
        if args.devices:
            argv += ["--devices", args.devices]
        rc = int(pytest.main(argv + pytest_args))
        if rc == 5:
            _fail("no benchmark was collected or selected")
        if args.smoke:  # smoke mode times nothing, so there is no bench file to write
            if rc == 0:
                print("bench smoke: every benchmark ran once (no timings recorded)")
            return rc
        if not os.path.exists(raw_path):  # pytest stopped before any benchmark finished
            return rc or 1
        with open(raw_path) as fh:
            raw = json.load(fh)
    env = environment()
    env["label"] = args.label
    save_bench(compact(raw, env, args.threads), out)
    # a failed harness check still leaves its timings (and the Timer's) in the file, as evidence
    print("bench file written to %s%s" % (out, "" if rc == 0 else " (some benchmarks failed: exit %d)" % rc))
    return rc


def cmd_bench_report(args) -> int:
    from .bench import BenchError, load, plot, render_table

    try:
        docs = [load(p) for p in args.bench]
        table = render_table(docs, args.baseline)
    except BenchError as err:
        _fail(str(err))
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "README.md"), "w", encoding="utf-8") as fh:
        fh.write(table)
    plot(docs, os.path.join(args.out, "hotpaths.png"))
    print("bench report: %d releases -> %s (table) and %s (plot)" % (
        len(docs), os.path.join(args.out, "README.md"), os.path.join(args.out, "hotpaths.png")))
    return 0


def cmd_bench_diff(args) -> int:
    from .bench import BenchError, load, render_speed_diff, speed_diff

    if args.threshold <= 0:
        _fail("--threshold must be positive")
    try:
        base, cand = load(args.base), load(args.candidate)
        slow, rows = speed_diff(base, cand, args.threshold)
    except BenchError as err:
        _fail(str(err))
    sys.stdout.write(render_speed_diff(base, cand, slow, rows, args.threshold) + "\n")
    return 1 if slow else 0


def dispatch(args, rest=()) -> int:
    if args.command == "bench":
        return cmd_bench(args, list(rest))
    return {"report": cmd_report, "diff": cmd_diff, "bench-report": cmd_bench_report,
            "bench-diff": cmd_bench_diff}[args.command](args)
