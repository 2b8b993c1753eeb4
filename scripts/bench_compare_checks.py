#!/usr/bin/env python3
"""The checks of bench-compare itself (issues 11 and 21), run on the development machine; the
numbers go to reports/bench/compare/checks/ (one JSON per run, and checks.md summing them up).

    # A/A: the same interpreter on both sides, all hot paths, default options; nothing may be
    # flagged, and (issue 21) at least 90% of the hot paths must be decided "same"
    python scripts/bench_compare_checks.py aa --repeats 3
    # the same through the injection wrapper at +0% on both sides (what "inject" compares against)
    python scripts/bench_compare_checks.py aa --wrap Tensor.backward --repeats 3
    # a slowdown injected from OUTSIDE the kit: both sides run through a wrapper interpreter whose
    # sitecustomize patches one torch function when torch is imported, so that every call spends
    # FRACTION more CPU time in it (a busy loop on the thread's CPU clock); the base's wrapper
    # adds 0%, so the two sides differ by the injected time only
    python scripts/bench_compare_checks.py inject --target Tensor.backward --fraction 0.10 --repeats 10
    python scripts/bench_compare_checks.py inject --target Tensor.backward --fraction 0 --repeats 10
    # the second target (torch attributes below torch: optim.SGD.step is torch.optim.SGD.step):
    # both sgd_momentum_step paths spend ~97% of their time in it, the training step ~1%
    python scripts/bench_compare_checks.py inject --target optim.SGD.step --fraction 0.10 --repeats 10
    # which hot paths spend how much of their CPU time in the target (the ratio to expect)
    python scripts/bench_compare_checks.py expected --target Tensor.backward
    # the test-only hook of the kit (CONFORMANCE_BENCH_SLOWDOWN), as in issue 11
    python scripts/bench_compare_checks.py sensitivity --fraction 0.10 --repeats 10 -k max_over_dim
    # A/B: two releases' environments
    python scripts/bench_compare_checks.py ab --base /work/venvs/cmp-2.5/bin/python --candidate ... --name torch2.5-vs-2.6
    # summary of everything in the folder
    python scripts/bench_compare_checks.py summary
    # recompute the results of finished files from their samples (after a change of statistics)
    python scripts/bench_compare_checks.py resummarize reports/bench/compare/*.json

Each run is ``python -m conformance.compare bench-compare`` in its own process (what a user
runs); options after ``--`` go to it (``-- --budget 300``). The wrappers are built under
reports/local/bench-wrappers/ (not committed).
"""
from __future__ import annotations

import argparse
import functools
import glob
import json
import os
import re
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CHECKS = os.path.join(REPO, "reports", "bench", "compare", "checks")
COMPARE = os.path.join(REPO, "reports", "bench", "compare")
WRAPPERS = os.path.join(REPO, "reports", "local", "bench-wrappers")

SITECUSTOMIZE = '''"""Injected by scripts/bench_compare_checks.py: when torch is imported, make %(target)r spend
CHECK_SLOW_FRACTION more CPU time per call (a busy loop on this thread's CPU clock after the call,
for that fraction of the call's own CPU time). Fraction 0 keeps the wrapper and its clock reads,
so that a +0%% side and a +10%% side differ by the injected time only. SPENT[0] accumulates the
CPU time spent inside the target (for ``expected``)."""
import functools
import importlib.abc
import importlib.util
import os
import sys
import time

TARGET = os.environ.get("CHECK_SLOW_TARGET", "")
FRACTION = float(os.environ.get("CHECK_SLOW_FRACTION", "0") or 0)
SPENT = [0.0, 0]


def _patch(torch):
    owner_path, _, attr = TARGET.rpartition(".")
    owner = torch
    for part in filter(None, owner_path.split(".")):
        owner = getattr(owner, part)
    orig = getattr(owner, attr)
    clock = time.thread_time
    depth = [0]

    @functools.wraps(orig)
    def slowed(*args, **kwargs):
        if depth[0]:  # a nested call (the target calling itself): counted once, by the outer call
            return orig(*args, **kwargs)
        depth[0] += 1
        start = clock()
        try:
            return orig(*args, **kwargs)
        finally:
            depth[0] -= 1
            spent = clock() - start
            SPENT[0] += spent
            SPENT[1] += 1
            if FRACTION > 0:
                end = clock() + spent * FRACTION
                while clock() < end:
                    pass

    setattr(owner, attr, slowed)


class _AfterTorch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name != "torch":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec("torch")
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            _patch(module)

        spec.loader.exec_module = exec_and_patch
        return spec


if TARGET:
    sys.meta_path.insert(0, _AfterTorch())
'''

WRAPPER = '''#!/bin/sh
# %(python)s with %(target)s +%(percent)g%% CPU time (scripts/bench_compare_checks.py)
PYTHONPATH="%(site)s${PYTHONPATH:+:$PYTHONPATH}" CHECK_SLOW_TARGET="%(target)s" CHECK_SLOW_FRACTION="%(fraction)r" \\
    exec "%(python)s" "$@"
'''


def build_wrapper(python: str, target: str, fraction: float) -> str:
    """An 'interpreter' (a shell script) that runs ``python`` with ``target`` slowed by ``fraction``."""
    site = os.path.join(WRAPPERS, "site")
    os.makedirs(site, exist_ok=True)
    with open(os.path.join(site, "sitecustomize.py"), "w", encoding="utf-8") as fh:
        fh.write(SITECUSTOMIZE % {"target": target})
    path = os.path.join(WRAPPERS, "python-%s-%g" % (re.sub(r"[^A-Za-z0-9]+", "_", target), fraction * 100))
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(WRAPPER % {"python": os.path.abspath(python) if os.sep in python else python, "target": target,
                            "fraction": fraction, "percent": fraction * 100, "site": site})
    os.chmod(path, 0o755)
    return path


def one_run(python, base, candidate, out, extra, env=None):
    argv = [python, "-m", "conformance.compare", "bench-compare", base, candidate, "--output", out] + extra
    print("$ " + " ".join(argv), "   # load average %s" % " ".join("%.2f" % x for x in os.getloadavg()), flush=True)
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, universal_newlines=True)
    try:
        text, _ = proc.communicate()
    except KeyboardInterrupt:  # let bench-compare stop its workers (subprocess.run would kill it, orphaning them)
        try:  # Ctrl-C on a terminal reached it too: give it time to stop them before asking again
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGINT)
            proc.wait()
        raise
    print(text, flush=True)
    if proc.returncode not in (0, 1, 3):
        sys.exit("bench-compare failed (exit %d)" % proc.returncode)
    return proc.returncode


def _tag(target):
    return re.sub(r"[^A-Za-z0-9]+", "-", target.split(".")[-1]).strip("-").lower()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("check", choices=["aa", "inject", "expected", "sensitivity", "ab", "summary", "resummarize"])
    p.add_argument("files", nargs="*")
    p.add_argument("--python", default=os.path.join(REPO, ".venv", "bin", "python"),
                   help="interpreter for both sides of aa/inject/sensitivity (default the dev venv)")
    p.add_argument("--base")
    p.add_argument("--candidate")
    p.add_argument("--name", help="file name (ab)")
    p.add_argument("--label")
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--fraction", type=float, default=0.10)
    p.add_argument("--target", default="Tensor.backward", help="torch attribute to slow down (inject, expected)")
    p.add_argument("--wrap", metavar="TARGET", help="aa: run both sides through the +0%% wrapper of TARGET")
    p.add_argument("-k")
    p.add_argument("--trials", type=int)
    p.add_argument("--start", type=int, default=1, help="number of the first repeat (to add repeats later)")
    args, rest = p.parse_known_args()
    if rest and rest[0] == "--":
        rest = rest[1:]
    if args.check == "summary":
        return summary()
    if args.check == "resummarize":
        sys.path.insert(0, os.path.join(REPO, "src"))
        from conformance.compare import resummarize
        from conformance.jsonio import atomic_write_text

        for path in args.files:
            with open(path, encoding="utf-8") as fh:
                doc = resummarize(json.load(fh))
            atomic_write_text(path, json.dumps(doc, indent=1, sort_keys=True) + "\n")
            print("resummarized", path)
        return 0
    if args.check == "expected":
        return expected(args.python, args.target, args.k)
    extra = (["-k", args.k] if args.k else []) + (["--trials", str(args.trials)] if args.trials else []) + rest
    if args.check == "ab":
        out = os.path.join(COMPARE, args.name + ".json")
        one_run(args.python, args.base, args.candidate, out, extra + (["--label", args.label] if args.label else []))
        return 0
    os.makedirs(CHECKS, exist_ok=True)
    for i in range(args.start, args.start + args.repeats):
        env = dict(os.environ)
        env.pop("CONFORMANCE_BENCH_SLOWDOWN", None)
        base = cand = args.python
        if args.check == "aa":
            if args.wrap:
                base = cand = build_wrapper(args.python, args.wrap, 0.0)
                out = os.path.join(CHECKS, "aa-%s-wrapped-%02d.json" % (_tag(args.wrap), i))
                label = "A/A through the %s +0%% wrapper %d" % (args.wrap, i)
            else:
                out = os.path.join(CHECKS, "aa-v2-%02d.json" % i)
                label = "A/A %d" % i
        elif args.check == "inject":
            base, cand = build_wrapper(args.python, args.target, 0.0), build_wrapper(args.python, args.target, args.fraction)
            tag = "%d" % round(args.fraction * 100)
            out = os.path.join(CHECKS, "inject-%s-%s-%02d.json" % (_tag(args.target), tag, i))
            label = "%s +%s%% CPU time (wrapper) %d" % (args.target, tag, i)
        else:
            tag = "%d" % round(args.fraction * 100)
            out = os.path.join(CHECKS, "sensitivity-%s-%02d.json" % (tag, i))
            target = args.k or "max_over_dim"
            env["CONFORMANCE_BENCH_SLOWDOWN"] = "%s=%g" % (target, args.fraction)
            label = "sensitivity %s%% %d" % (tag, i)
        one_run(args.python, base, cand, out, extra + ["--label", label], env=env)
    return summary()


EXPECTED = r'''
import json, sys, tempfile, time
import sitecustomize
from conformance.benchmarks import hotpaths, worker
worker._pin(0)
worker._one_thread()
import torch
out = {}
with tempfile.TemporaryDirectory() as wd:
    for c in hotpaths.cases("cpu"):
        if MATCH and not any(w in c["id"] for w in MATCH):
            continue
        try:
            fn = hotpaths.make(c["name"], "cpu", wd, **c["params"])
        except hotpaths.Unavailable:
            continue
        for _ in range(3):
            fn()
        sitecustomize.SPENT[:] = [0.0, 0]
        n, start = 0, time.thread_time()
        while time.thread_time() - start < 0.3 or n < 3:
            fn()
            n += 1
        total = time.thread_time() - start
        out[c["id"]] = {"share": sitecustomize.SPENT[0] / total, "calls_in_target": sitecustomize.SPENT[1] / n,
                        "per_call_s": total / n}
print(json.dumps(out))
'''


def expected(python, target, k):
    """Each hot path's share of its CPU time spent in ``target`` (measured through the +0% wrapper,
    this thread's CPU clock, one process, pinned): the ratio a +F injection should give is
    1 + F x share."""
    wrapper = build_wrapper(python, target, 0.0)
    code = EXPECTED.replace("MATCH", repr(k.split() if k else []))
    proc = subprocess.run([wrapper, "-c", code], stdout=subprocess.PIPE, universal_newlines=True, check=True)
    shares = json.loads(proc.stdout.strip().splitlines()[-1])
    doc = {"target": target, "load_average": list(os.getloadavg()), "shares": shares,
           "how": "CPU time (thread clock) inside the target / CPU time of the hot path's calls, one process, pinned, "
                  "through the +0% wrapper (its clock reads included)"}
    os.makedirs(CHECKS, exist_ok=True)
    path = os.path.join(CHECKS, "expected-%s.json" % _tag(target))
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1, sort_keys=True)
    for hid, v in sorted(shares.items(), key=lambda kv: -kv[1]["share"]):
        print("%-36s share %5.1f%%  (+10%% -> x%.3f)  %.3g s per call" % (hid, 100 * v["share"], 1 + 0.1 * v["share"],
                                                                    v["per_call_s"]))
    print("written to", path)
    return 0


def _injected(path, d):
    """(kind, {hot path or target: fraction}) of a check file."""
    name = os.path.basename(path)
    m = re.match(r"inject-(.+)-(\d+)-\d+\.json$", name)
    if m:
        return "inject", {m.group(1): int(m.group(2)) / 100}
    inj = d.get("injected_slowdown") or {}
    return ("hook" if inj else "aa"), inj


@functools.lru_cache(maxsize=None)
def _expected():
    """The ``expected-*.json`` files by file-name tag ("step" for ``optim.SGD.step``), read once."""
    out = {}
    for path in glob.glob(os.path.join(CHECKS, "expected-*.json")):
        with open(path) as fh:
            d = json.load(fh)
        out[_tag(d["target"])] = d
    return out


def _shares():
    return {tag: d["shares"] for tag, d in _expected().items()}


def _named(tag):
    """The torch function a file-name tag stands for ("step": ``optim.SGD.step``); the tag itself
    when no ``expected-*.json`` names it."""
    d = _expected().get(tag)
    return d["target"] if d else tag


def summary():
    shares = _shares()
    lines = ["# bench-compare checks", "",
             "Generated by `python scripts/bench_compare_checks.py summary` from the JSON files in this folder.",
             "A/A: the same interpreter on both sides. Inject: both sides run through a wrapper interpreter "
             "(sitecustomize) that patches one torch function, the candidate's making it spend the given fraction "
             "more CPU time per call, the base's 0%. Sensitivity: the kit's test-only hook "
             "(CONFORMANCE_BENCH_SLOWDOWN). Flagged (slower): in runs of the median rule (worker column), the median "
             "ratio above 1 + threshold and the 99% interval wholly above 1; before it, the 95% interval wholly "
             "above 1 + threshold. Version 1 "
             "files ran a fixed number of trials (undecided: `unclear`); version 2 files sample sequentially "
             "within a time budget (undecided after it: `inconclusive`, exit 3).", ""]
    lines += ["| run | v | worker | hot paths | pairs (min-max) | slower | faster | same | undecided | exit | widest interval | "
              "injected | flagged (ratio [interval]) | wall | load average start → end |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for path in sorted(glob.glob(os.path.join(CHECKS, "*.json"))):
        if os.path.basename(path).startswith("expected-"):
            continue
        with open(path) as fh:
            d = json.load(fh)
        rs = d["results"]
        v = [r["verdict"] for r in rs]
        widest = max(rs, key=lambda r: r["width"])
        kind, inj = _injected(path, d)
        pairs = [r.get("pairs", d["protocol"]["trials"] // 2) for r in rs]
        flagged = [r for r in rs if r["verdict"] == "slower"]
        rc = d.get("exit_status")
        if rc is None:
            rc = 1 if flagged else 0
        lines.append("| %s | %d | %s | %d | %d-%d | %d | %d | %d | %d | %d | %.3f (%s) | %s | %s | %.0f s | %s → %s |" % (
            os.path.basename(path), d.get("schema_version", 1), _protocol(d), len(rs), min(pairs), max(pairs), v.count("slower"),
            v.count("faster"), v.count("same"), v.count("unclear") + v.count("inconclusive"), rc, widest["width"],
            widest["id"], ", ".join("%s=%g" % (_named(t) if kind == "inject" else t, f) for t, f in sorted(inj.items())) or "—",
            "; ".join("%s ×%.3f [%.3f, %.3f]" % (r["id"], r["ratio"], r["low"], r["high"]) for r in flagged) or "—",
            d["wall_s"], "/".join("%.2f" % x for x in d["loadavg_start"]), "/".join("%.2f" % x for x in d["loadavg_end"])))
    lines += criteria_table(shares)
    lines += inject_table(shares)
    lines += widths_table()
    lines += precision_budget()
    lines += trials_needed()
    lines.append("")
    os.makedirs(CHECKS, exist_ok=True)
    with open(os.path.join(CHECKS, "checks.md"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
    print("\n".join(lines))
    return 0


VALIDATION = ("aa-v2-", "inject-")  # the full default runs of issue 21 (version 2 files)
MOST = 0.5  # "spends most of its time in it": more than half its CPU time in the injected target
MIN_CALL_S = 10e-6  # the precision criterion covers hot paths whose call takes at least this long


def _validation_runs():
    runs = []
    for path in sorted(glob.glob(os.path.join(CHECKS, "*.json"))):
        name = os.path.basename(path)
        if name.startswith(VALIDATION):
            with open(path) as fh:
                d = json.load(fh)
            if d.get("schema_version", 1) >= 2:
                runs.append((name, d))
    return runs


RULE = "median rule"  # files whose protocol records "decision": slower = median beyond the threshold and the
#                       99% interval above 1, both workers of a pair started at once (compare.DECISION, START)


def _protocol(d):
    """The worker protocol, the interval and the decision rule of a run ("4, sign test, median
    rule"). Files of schema version 2 that do not record the protocol (aa-v2-01,
    inject-backward-10-01) were made with protocol 3, the first of the sequential runs
    (protocol.md); older files: "?"."""
    proto = d.get("base", {}).get("protocol")
    if proto is None and d.get("schema_version", 1) >= 2:
        proto = 3
    if proto is None:
        return "?"
    p = d.get("protocol", {})
    return "%s, %s%s%s" % (proto, "bootstrap" if "bootstrap" in p else "sign test", (", " + RULE) if p.get("decision") else "",
                           (", " + SHARED) if p.get("mode") == "shared" else "")


SHARED = "shared core"  # files of --mode shared: both sides of a pair on one core, a pair per core


def _protocol_order(label):
    """Newest first; unrecorded last."""
    if label == "?":
        return (1, 0, False, False, False)
    parts = label.split(", ")
    return (0, -int(parts[0]), SHARED not in parts, parts[1] != "sign test", RULE not in parts)


def criteria_table(shares):
    """Issue 21's done-when, criterion by criterion, over the full default runs in this folder:
    one table per worker protocol, the newest first (a change of protocol starts the count anew)."""
    runs = _validation_runs()
    lines = []
    for proto in sorted({_protocol(d) for _, d in runs}, key=_protocol_order):
        lines += _criteria([(n, d) for n, d in runs if _protocol(d) == proto], shares, proto)
    return lines


def _criteria(runs, shares, proto):
    if not runs:
        return []
    aa = [(n, d) for n, d in runs if n.startswith("aa-")]
    inj = {}
    for n, d in runs:
        if n.startswith("inject-"):
            _, what = _injected(n, d)
            inj.setdefault(list(what.items())[0], []).append((n, d))
    lines = ["", "## Issue 21's criteria over the full default runs, worker protocol %s" % (
        proto if proto != "?" else "unrecorded"), "",
             "Runs: %d A/A (`aa-v2-*`), %s (`inject-*`); each `python -m conformance.compare bench-compare BASE CAND` "
             "with default options on all hot paths. Met: **yes** / **no**." % (
                 len(aa), ", ".join("%d with %s +%g%%" % (len(v), _named(t), 100 * f) for (t, f), v in sorted(inj.items()))
                 or "no injected runs"), "",
             "| criterion | observed | met |", "|---|---|---|"]

    def row(what, observed, ok):
        lines.append("| %s | %s | %s |" % (what, observed, "**yes**" if ok else "**no**"))

    if aa:
        slower = sum(r["verdict"] == "slower" for _, d in aa for r in d["results"])
        fr = [sum(r["verdict"] == "same" for r in d["results"]) / len(d["results"]) for _, d in aa]
        row("A/A flags nothing slower", "%d hot path(s) flagged over %d runs" % (slower, len(aa)), slower == 0)
        row("A/A decides at least 90% of hot paths as same", "same: %s" % ", ".join(
            "%d/%d" % (round(f * len(d["results"])), len(d["results"])) for f, (_, d) in zip(fr, aa)), min(fr) >= 0.9)
    for (tag, fraction), docs in sorted(inj.items()):
        share, target = shares.get(tag, {}), _named(tag)
        most = sorted(h for h, v in share.items() if v["share"] > MOST)
        if fraction > 0:
            counts = ["%s %d/%d" % (h, sum(r["verdict"] == "slower" for _, d in docs for r in d["results"] if r["id"] == h),
                                    len(docs)) for h in most]
            ok = all(sum(r["verdict"] == "slower" for _, d in docs for r in d["results"] if r["id"] == h) >= 0.9 * len(docs)
                     for h in most)
            row("+%g%%: every hot path with more than half its CPU time in %s flagged in at least 9 of 10 runs"
                % (100 * fraction, target), "; ".join(counts) + (" (of %d runs, 10 asked)" % len(docs)),
                ok and len(docs) >= 10)
        else:  # an A/A through the wrappers: the same bar as the plain A/A
            fr = [sum(r["verdict"] == "same" for r in d["results"]) / len(d["results"]) for _, d in docs]
            row("+0%% in %s (an A/A through the wrappers) decides at least 90%% as same" % target, "same: %s" % ", ".join(
                "%d/%d" % (round(f * len(d["results"])), len(d["results"])) for f, (_, d) in zip(fr, docs)),
                min(fr) >= 0.9)
        others = [(n, r["id"]) for n, d in docs for r in d["results"] if r["verdict"] == "slower" and r["id"] not in most]
        row("+%g%% in %s: no %shot path flagged" % (100 * fraction, target, "other " if fraction > 0 else ""),
            "; ".join("%s in %s" % (h, n) for n, h in others) or "none in %d runs" % len(docs), not others)
        if fraction > 0 and others:  # the same, for the hot paths that never call the target
            untouched = [(n, h) for n, h in others if share.get(h, {}).get("share", 0) == 0]
            between = sorted({h for _, h in others if share.get(h, {}).get("share", 0) > 0})
            row("+%g%% in %s: no hot path that never calls it flagged (%s: %s in %s, so expected x%s, at the threshold)"
                % (100 * fraction, target, "; ".join(between), "; ".join("%.0f%%" % (100 * share[h]["share"]) for h in between),
                   target, "; ".join("%.3f" % (1 + fraction * share[h]["share"]) for h in between)),
                "; ".join("%s in %s" % (h, n) for n, h in untouched) or "none in %d runs" % len(docs), not untouched)
    wide = [(n, r["id"], r["width"]) for n, d in runs for r in d["results"]
            if r["base_per_call"] >= MIN_CALL_S and r["width"] > 0.05]
    covered = sum(1 for _, d in runs for r in d["results"] if r["base_per_call"] >= MIN_CALL_S)
    row("every hot path of at least 10 µs per call: interval at most 0.05 wide",
        "%d of %d such intervals wider (widest %.3f)" % (len(wide), covered, max([w for _, _, w in wide] or [0])),
        not wide)
    walls = [d["wall_s"] for _, d in runs]
    row("a full run takes at most 10 minutes", "wall %.0f-%.0f s" % (min(walls), max(walls)), max(walls) <= 600)
    silent = [n for n, d in runs if d.get("exit_status") == 0 and any(r["verdict"] == "inconclusive" for r in d["results"])]
    row("no run exits 0 with an undecided hot path", "exit statuses %s" % ", ".join(
        "%s" % d.get("exit_status") for _, d in runs), not silent)
    return lines


def inject_table(shares):
    """Per injected target and fraction: each hot path's verdicts over the runs, with the ratio
    to expect from its share of CPU time in the target."""
    groups = {}
    for path in sorted(glob.glob(os.path.join(CHECKS, "inject-*.json"))):
        with open(path) as fh:
            d = json.load(fh)
        _, inj = _injected(path, d)
        (target, fraction), = inj.items()
        groups.setdefault((target, fraction, _protocol(d)), []).append(d)
    lines = []
    for (tag, fraction, proto), docs in sorted(groups.items(), key=lambda kv: (kv[0][:2], _protocol_order(kv[0][2]))):
        share = shares.get(tag, {})
        lines += ["", "## Injected: %s +%g%% CPU time, worker protocol %s, %d run(s)" % (
            _named(tag), 100 * fraction, proto if proto != "?" else "unrecorded", len(docs)), "",
                  "Expected ratio: 1 + fraction × the hot path's share of CPU time in the target (`expected-%s.json`)."
                  % tag, "",
                  "| hot path | share in target | expected | ratios (min-max) | slower | same | faster | undecided | "
                  "widest interval |", "|---|---|---|---|---|---|---|---|---|"]
        ids = sorted({r["id"] for d in docs for r in d["results"]}, key=lambda i: (-share.get(i, {}).get("share", 0), i))
        for hid in ids:
            rows = [r for d in docs for r in d["results"] if r["id"] == hid]
            v = [r["verdict"] for r in rows]
            s = share.get(hid, {}).get("share")
            lines.append("| %s | %s | %s | ×%.3f-%.3f | %d | %d | %d | %d | %.3f |" % (
                hid, "%.0f%%" % (100 * s) if s is not None else "?", "×%.3f" % (1 + fraction * s) if s is not None else "?",
                min(r["ratio"] for r in rows), max(r["ratio"] for r in rows), v.count("slower"), v.count("same"),
                v.count("faster"), v.count("inconclusive") + v.count("unclear"), max(r["width"] for r in rows)))
    return lines


def widths_table():
    """Version 2 runs: interval width and pairs per hot path (issue 21: at most 0.05 for hot paths
    of at least 10 µs per call)."""
    docs = []
    for path in sorted(glob.glob(os.path.join(CHECKS, "*.json"))):
        if os.path.basename(path).startswith("expected-"):
            continue
        with open(path) as fh:
            d = json.load(fh)
        if d.get("schema_version", 1) >= 2 and len(d["results"]) > 1:
            docs.append((os.path.basename(path), d))
    if not docs:
        return []
    ids = sorted({r["id"] for _, d in docs for r in d["results"]})
    lines = ["", "## Interval widths of the version 2 runs (width / pairs)", "",
             "| hot path | per call | " + " | ".join(n.replace(".json", "") for n, _ in docs) + " |",
             "|---|---|" + "---|" * len(docs)]
    for hid in ids:
        cells, per = [], None
        for _, d in docs:
            r = [x for x in d["results"] if x["id"] == hid]
            if r:
                per = per or r[0]["base_per_call"]
                cells.append("%.3f / %d%s" % (r[0]["width"], r[0]["pairs"], "" if r[0]["verdict"] == "same"
                                               else " " + r[0]["verdict"]))
            else:
                cells.append("—")
        lines.append("| %s | %s | %s |" % (hid, "%.3g s" % per if per else "?", " | ".join(cells)))
    return lines


def precision_budget(width=0.05):
    """For each A/A with the sign-test interval: per hot path the window-to-window spread of the
    log ratio (``scripts/bench_spread.py``), and the seconds of timed windows an interval of
    ``width`` would take at that spread (the median's interval is about sqrt(pi/2) times the
    mean's: pairs = (2 * 1.96 * sqrt(pi/2) * sd_pair / width) ** 2, sd_pair = sd_window / sqrt(6);
    seconds = pairs * 6 windows * the hot path's window length). The host's noise changes from
    one run to the next, so every such run gets a column."""
    import math
    import statistics

    sys.path.insert(0, HERE)
    from bench_spread import components  # the window-to-window spread, as scripts/bench_spread.py prints it

    runs = sorted(((n, d) for n, d in _validation_runs() if n.startswith("aa-") and "sign test" in _protocol(d)),
                  key=lambda nd: nd[1]["started"])
    if not runs:
        return []
    lines = ["", "## What an interval %g wide would take on this host (A/A runs with the sign-test interval)" % width,
             "", "Per run: the window spread (sd of the log ratio) / seconds of timed windows needed (both sides at "
             "once; no worker start-up or build). The budget is 600 s for all hot paths.", "",
             "| hot path | " + " | ".join("%s (%s)" % (n.replace(".json", ""), d["started"][11:16]) for n, d in runs) + " |",
             "|---|" + "---|" * len(runs)]
    cells, totals = {}, []
    for name, d in runs:
        spread = components(os.path.join(CHECKS, name))
        total = 0.0
        for r in d["results"]:
            if r["id"] not in spread:
                continue
            sd = spread[r["id"]][0]
            pairs = (2 * 1.96 * math.sqrt(math.pi / 2) * sd / math.sqrt(6) / width) ** 2
            secs = pairs * 6 * statistics.median(smp["base_wall_s"] for smp in r["samples"])
            if r["base_per_call"] >= MIN_CALL_S:
                total += secs
            cells.setdefault(r["id"], {})[name] = "%.3f / %.0f" % (sd, secs)
        totals.append("**%.0f**" % total)
    for hid in sorted(cells):
        lines.append("| %s | %s |" % (hid, " | ".join(cells[hid].get(n, "—") for n, _ in runs)))
    lines.append("| all of at least 10 µs per call | %s |" % " | ".join(totals))
    return lines


def trials_needed():
    """How the verdicts of the fixed-trials (version 1) runs depend on the number of trials: each
    run's first k pairs, summarized as a run of 2k trials would be."""
    sys.path.insert(0, os.path.join(REPO, "src"))
    from conformance.compare import summarize

    groups = {}
    for path in sorted(glob.glob(os.path.join(CHECKS, "*.json"))):
        if os.path.basename(path).startswith("expected-"):
            continue
        with open(path) as fh:
            d = json.load(fh)
        if d.get("schema_version", 1) != 1:
            continue
        inj = d.get("injected_slowdown") or {}
        kind = "A/A (all hot paths)" if not inj else "%s %+d%%" % (
            ", ".join(sorted(inj)), round(100 * list(inj.values())[0]))
        groups.setdefault(kind, []).append(d)
    if not groups:
        return []
    lines = ["", "## Trials needed (version 1 runs)", "",
             "Each run cut to its first k pairs of trials and summarized as a run of 2k trials would be "
             "(threshold 5%): runs with a hot path flagged slower, out of all runs; for the injected "
             "slowdowns, the injected hot path only.", ""]
    ks = [2, 3, 4, 5, 6, 8, 10]
    lines += ["| runs | " + " | ".join("%d trials" % (2 * k) for k in ks) + " |", "|---|" + "---|" * len(ks)]
    for kind, docs in sorted(groups.items()):
        cells = []
        for k in ks:
            flagged = 0
            for d in docs:
                inj = d.get("injected_slowdown") or {}
                hit = False
                for r in d["results"]:
                    if inj and r["id"] not in inj:
                        continue
                    sub = [s for s in r["samples"] if s["pair"] < k]
                    if summarize(sub, d["threshold"], clock=d["protocol"].get("clock", "cpu"))["verdict"] == "slower":
                        hit = True
                flagged += hit
            cells.append("%d/%d" % (flagged, len(docs)))
        lines.append("| %s | %s |" % (kind, " | ".join(cells)))
    return lines


if __name__ == "__main__":
    sys.exit(main())
