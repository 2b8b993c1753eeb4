"""What each ``conformance`` sub-command does. The CLI module only parses and dispatches.

Every command keeps the exit-code contract of ``errors``: problems with its input or
environment raise ``UnusableInput`` (one line, exit 2) *before* any work starts where they can
be known then; outputs are checked first and replaced only by complete files.
"""
from __future__ import annotations

import contextlib
import glob
import io
import json
import os
import re
import sys
import tempfile
from typing import List, Optional

from . import __version__
from . import claims as registry
from .errors import FAILED, INTERRUPTED, OK, TERMINATED, UnusableInput
from .jsonio import atomic_write_bytes, atomic_write_text, check_output_dir, check_output_file

LOCAL_DIR = os.path.join("reports", "local")  # where local runs go by default (not committed)


def local_path(torch_version: str, prefix: str = "") -> str:
    """Where a run on this machine goes by default: reports/local/ (ignored by git)."""
    safe = torch_version.replace("+", "_").replace("/", "_")
    return os.path.join(LOCAL_DIR, "%storch-%s.json" % (prefix, safe))


def _import_torch():
    try:
        import torch
    except Exception as err:  # ImportError, or a broken install raising OSError
        first = str(err).splitlines()[0] if str(err) else ""
        raise UnusableInput("cannot import torch in this environment (%s: %s); install torch first"
                            % (type(err).__name__, first)) from None
    return torch


def _isolate_caches() -> None:
    """Hypothesis keeps a cache folder; put it in the user's cache, not the current folder."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(base, "torch-conformance", "hypothesis"))


class _SessionProbe:
    """Hands the plugin's Session back to the command after pytest returns."""

    session = None

    def pytest_unconfigure(self, config):
        self.session = getattr(config, "_conformance", None)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _pytest(argv: List[str]):
    """Run pytest in-process; (exit code, plugin session). pytest's usage errors (a misspelt
    option) become one line and exit 2 instead of its usage text and exit 4."""
    import pytest

    probe = _SessionProbe()
    captured = io.StringIO()
    with contextlib.redirect_stderr(captured):
        rc = int(pytest.main(argv, plugins=[probe]))
    text = captured.getvalue()
    if rc == 4:  # ExitCode.USAGE_ERROR
        lines = [_ANSI.sub("", ln).strip() for ln in text.splitlines() if ln.strip()]
        errors = [ln.split("error:", 1)[1].strip() for ln in lines if "error:" in ln]
        raise UnusableInput("pytest: %s" % (errors[-1] if errors else (lines[-1] if lines else "usage error")))
    sys.stderr.write(text)
    return rc, probe.session


def _stopped_early(rc: int, session, what: str) -> Optional[int]:
    """INTERRUPTED (SIGINT) or TERMINATED (SIGTERM) when a signal stopped the run (after saying
    so, in one line); UnusableInput when nothing was selected; else None. Shared by run and bench."""
    if session is not None and session.interrupted:
        where = ("; partial results in %s" % session.written) if session.written else ""
        terminated = session.stopped_by == "terminated"
        print("conformance: %s; existing files left as they were%s" % (
            "terminated (SIGTERM)" if terminated else "interrupted", where), file=sys.stderr)
        return TERMINATED if terminated else INTERRUPTED
    if rc == 5:
        raise UnusableInput("no %s was collected or selected (check -k / --devices)" % what)
    return None


def _exit_of_run(rc: int, session, what: str) -> int:
    """Map pytest's exit code (and what the plugin saw) onto the kit's contract."""
    stopped = _stopped_early(rc, session, what)
    if stopped is not None:
        return stopped
    if session is not None and session.write_error:
        raise UnusableInput(session.write_error)
    if rc == 0 and session is not None and not session.specs:  # e.g. --collect-only: nothing was checked
        raise UnusableInput("no %s ran (--collect-only or a similar option?): nothing was checked or written" % what)
    if rc == 2:  # collection errors: a spec module that cannot even be imported fails the run
        print("conformance: some spec modules could not be collected (see above)", file=sys.stderr)
        return FAILED
    if rc == 3:
        print("conformance: pytest reported an internal error (see above)", file=sys.stderr)
        return FAILED
    return rc


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
        return OK
    width = max(len(r["id"]) for r in rows)
    print("%-*s  %-8s  %-40s  %s" % (width, "claim", "note", "declared verdict by torch release", "specs"))
    for c, r in zip(registry.CLAIMS, rows):
        gates = "; ".join("%s %s" % (e["versions"], e["verdict"]) for e in r["expectations"])
        spec_text = "%d" % len(r["specs"]) if r["specs"] else "no spec yet"
        print("%-*s  %-8s  %-40s  %s" % (width, r["id"], c.section_label, gates, spec_text))
    missing = sum(1 for r in rows if not r["has_spec"])
    print("%d claims, %d with specs, %d without" % (len(rows), len(rows) - missing, missing))
    return OK


# --------------------------------------------------------------------------------------- run
def _runnable_devices(option: Optional[str]):
    """The selected devices that can run here; none at all is unusable (a gate never passes on nothing)."""
    from .devices import selection_from, survey

    selected = selection_from(option)
    run, skipped = survey(selected)
    if not run:
        raise UnusableInput("none of the selected devices can run here: %s"
                            % "; ".join("%s (%s)" % kv for kv in sorted(skipped.items())))
    return run, skipped


def _check_claims(ids: Optional[List[str]]) -> List[str]:
    """The claim IDs of ``run --claim``: each known and with specs, else one line (exit 2)."""
    for cid in ids or []:
        why = registry.why_not_runnable(cid)
        if why:
            raise UnusableInput("--claim: %s" % why)
    return list(ids or [])


def cmd_run(args, pytest_args: List[str]) -> int:
    claims = _check_claims(getattr(args, "claim", None))
    _import_torch()
    from .environment import torch_version
    from .invocation import suite_argv

    version = torch_version()
    run, skipped = _runnable_devices(args.devices)
    results = args.results or local_path(version.raw)
    check_output_file(results, "--results", suffix=".json")
    check_output_file(os.path.splitext(results)[0] + ".md", "the results page beside --results", suffix=".md")
    _isolate_caches()
    print("torch-conformance %s: torch %s on %s%s -> %s" % (
        __version__, version.raw, ", ".join(run),
        "".join("; %s skipped (%s)" % kv for kv in sorted(skipped.items())), results))
    if version.prerelease:
        print("conformance: torch %s is a pre-release; judged as release %s" % (version.raw, version.release),
              file=sys.stderr)
    only, paths = [], None
    if claims:  # only the modules that hold those claims' specs are collected, then the rest deselected
        from .discover import spec_paths

        paths = sorted({path for cid in claims for path in spec_paths(cid)})
        only = [x for cid in claims for x in ("--conformance-claim", cid)]
    argv = suite_argv("specs", results=results, devices=args.devices, label=args.label, paths=paths,
                      extra=["-rfE"] + only + pytest_args)
    rc, session = _pytest(argv)
    return _exit_of_run(rc, session, "spec")


# ------------------------------------------------------------------------------- report, diff
def _expand(patterns: List[str]) -> List[str]:
    paths = []
    for pattern in patterns:  # expand globs the shell left alone (e.g. on Windows)
        paths.extend(sorted(glob.glob(pattern)) if any(ch in pattern for ch in "*?[") else [pattern])
    return paths


def _load_complete(path: str, role: str):
    """A results document that covers the whole kit; a partial one is unusable for a gate or report."""
    from .results import load, partial_reason

    doc = load(path)
    why = partial_reason(doc)
    if why:
        raise UnusableInput("%s: %s is a partial run (%s); use a complete run" % (path, role, why))
    return doc


def cmd_report(args) -> int:
    from .report import write_report

    paths = _expand(args.results)
    if not paths:
        raise UnusableInput("no results files match %s" % " ".join(args.results))
    for name in ("README.md", "GUIDE.md", "matrix.png"):
        check_output_file(os.path.join(args.out, name), "--out")
    check_output_dir(os.path.join(args.out, "claims"), "--out")
    docs = [_load_complete(p, "input") for p in paths]
    written = write_report(docs, args.out, say=lambda line: print(line, file=sys.stderr))
    pages = [p for p in written if os.path.basename(os.path.dirname(p)) == "claims"]
    print("report: %d runs -> %s, %s and %d claim pages" % (
        len(docs), os.path.join(args.out, "README.md"), os.path.join(args.out, "GUIDE.md"), len(pages)))
    return OK


def cmd_diff(args) -> int:
    from . import diff as D

    if args.output:
        check_output_file(args.output, "--output", suffix=".md", inputs=[args.base, args.candidate, args.waivers])
    base, cand = _load_complete(args.base, "base"), _load_complete(args.candidate, "candidate")
    known = set(registry.ids()) | set(base["claims"]) | set(cand["claims"])
    active, expired = D.load_waivers(args.waivers, D.today(), known) if args.waivers else ({}, [])
    result = D.diff(base, cand, active, expired)
    text = D.render_markdown(result)
    if args.output:
        atomic_write_text(args.output, text + "\n")
    sys.stdout.write(text + "\n")
    maybe = result.possibly_environmental
    print("conformance diff: %d breaking, %d informational%s%s" % (
        len(result.breaking), len(result.informational),
        ", %d expired waiver(s)" % len(result.expired_waivers) if result.expired_waivers else "",
        "; besides torch, %s changed (%d change(s) possibly caused by that)" % (
            ", ".join(c.name for c in result.environment), len(maybe)) if result.environment else ""),
        file=sys.stderr)
    return result.exit_code


# ------------------------------------------------------------------------------------ bench
def cmd_bench(args, pytest_args: List[str]) -> int:
    torch = _import_torch()
    try:
        import pytest_benchmark  # noqa: F401
    except ImportError:
        raise UnusableInput("pytest-benchmark is not installed: pip install 'torch-conformance[bench]'") from None
    from .bench import compact, save_bench
    from .environment import record, torch_version
    from .invocation import suite_argv

    if args.threads < 1:
        raise UnusableInput("--threads must be at least 1")
    version = torch_version()
    run, _ = _runnable_devices(args.devices)
    out = args.output or local_path(version.raw, "bench-")
    if not args.smoke:
        check_output_file(out, "--output", suffix=".json")
    _isolate_caches()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        raw_path = os.path.join(tmp, "raw.json")
        extra = ["--benchmark-json", raw_path, "--benchmark-storage", "file://" + tmp, "-q"]
        extra += ["--benchmark-disable"] if args.smoke else [
            "--benchmark-min-rounds", "7", "--benchmark-max-time", "0.5", "--benchmark-warmup", "on",
            "--benchmark-warmup-iterations", "3", "--benchmark-disable-gc",  # as timeit and torch Timer do
            "--benchmark-columns", "median,iqr,rounds"]
        argv = suite_argv("benchmarks", devices=args.devices, profile=None, extra=extra + pytest_args)
        rc, session = _pytest(argv)
        stopped = _stopped_early(rc, session, "benchmark")
        if stopped is not None:
            return stopped
        if args.smoke:  # smoke mode times nothing, so there is no bench file to write
            if rc == OK:
                print("bench smoke: every benchmark ran once (no timings recorded)")
            return FAILED if rc else OK
        if not os.path.exists(raw_path):  # pytest stopped before any benchmark finished
            print("conformance: no benchmark finished (pytest exit %d); no bench file written" % rc, file=sys.stderr)
            return FAILED
        with open(raw_path) as fh:
            raw = json.load(fh)
    env = record(run)
    env["label"] = args.label
    try:
        save_bench(compact(raw, env, args.threads), out)
    except OSError as err:
        raise UnusableInput("cannot write bench file %s (%s)" % (out, err.strerror or err)) from None
    # a failed harness check still leaves its timings (and the Timer's) in the file, as evidence
    print("bench file written to %s%s" % (out, "" if rc == 0 else " (some benchmarks failed: exit %d)" % rc))
    return FAILED if rc else OK


def cmd_bench_report(args) -> int:
    from .bench import load, plot_png, render_table

    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UnusableInput("bench-report draws its plot with matplotlib, which is not installed: "
                            "pip install 'torch-conformance[bench]'") from None
    for name in ("README.md", "hotpaths.png"):
        check_output_file(os.path.join(args.out, name), "--out")
    docs = [load(p) for p in _expand(args.bench)]
    if not docs:
        raise UnusableInput("no bench files match %s" % " ".join(args.bench))
    table = render_table(docs, args.baseline)
    png = plot_png(docs)  # everything is computed before the first file is replaced
    atomic_write_bytes(os.path.join(args.out, "hotpaths.png"), png)
    atomic_write_text(os.path.join(args.out, "README.md"), table)
    print("bench report: %d releases -> %s (table) and %s (plot)" % (
        len(docs), os.path.join(args.out, "README.md"), os.path.join(args.out, "hotpaths.png")))
    return OK


def cmd_bench_diff(args) -> int:
    from .bench import load, render_speed_diff, speed_diff

    if not (0 < args.threshold < float("inf")):  # also refuses nan
        raise UnusableInput("--threshold must be a positive number")
    base, cand = load(args.base), load(args.candidate)
    slow, rows = speed_diff(base, cand, args.threshold)
    sys.stdout.write(render_speed_diff(base, cand, slow, rows, args.threshold) + "\n")
    return FAILED if slow else OK


