"""bench-compare: a speed gate that measures both environments in one run.

    conformance bench-compare BASE_PYTHON CANDIDATE_PYTHON [-k EXPR] [--trials N] [--threshold F]
    conformance bench-compare-report reports/bench/compare/*.json --out reports/bench/compare

Two bench files made at different times compare the machine's mood as much as the releases
(the same torch 2.14.1 benchmarked twice, minutes apart: two hot paths ×1.3-1.4 "slower").
Here both sides run at once, a *duet* (Bulej et al. 2020): every trial starts one worker
process per side (``python -m conformance.benchmarks.worker`` under each interpreter), each
pinned to its own core with one torch thread; for every hot path, in an order shuffled per
trial (randomized interleaving, Abedi and Brecht 2017), both workers build and warm up the
callable, then time it over the same wall-clock window, so both see the same interference.
Trials come in pairs: one pair of fresh worker processes times each hot path twice, swapping
the two sides' cores in between, and the geometric mean of the two candidate/base ratios
cancels a steady difference between the cores (on this 2-core VM one core was ~5-9% faster
than the other for a whole session). Each side's time is its process's CPU time by default
(``--clock wall`` for elapsed time): on a shared machine the scheduler's gifts to other
processes stay out of it.

Per hot path the estimate is the median of the pair ratios (a pair in which one side was
descheduled can be far off), with a 95% bootstrap interval over the pairs. Verdict: ``slower`` when the interval lies wholly above 1+threshold,
``faster`` when wholly below 1-threshold, ``same`` when wholly inside, else ``unclear``.
Exit 0: nothing slower; 1: something slower; 2: unusable input (CompareError, one line).

``--mode alternate`` runs the two sides' windows one after the other on one core, in random
order, for hosts with a single core; it is noisier.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import zlib
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from .bench import fmt_seconds
from .errors import UnusableInput
from .jsonio import atomic_write_bytes, atomic_write_text, check_output_dir, check_output_file, dumps, read_document

SCHEMA_NAME = "torch-conformance/bench-compare"
SCHEMA_VERSION = 1
WORKER = "conformance.benchmarks.worker"
SLOWDOWN_ENV = "CONFORMANCE_BENCH_SLOWDOWN"  # test-only; see benchmarks/hotpaths.py
DEFAULT_TRIALS = 20
DEFAULT_SECONDS = 0.2
DEFAULT_THRESHOLD = 0.05
CONFIDENCE = 0.95
BOOTSTRAP = 10000
STATISTIC = ("median over pairs of trials of the candidate/base time-per-call ratio, each pair's ratio the "
             "geometric mean of its two trials (both core assignments)")
PROBE_TIMEOUT_S = 300
REPLY_TIMEOUT_S = 600
SIDES = ("base", "candidate")


class CompareError(UnusableInput):
    """Unusable input (missing interpreter, no torch or kit, -k matching nothing, bad numbers,
    unwritable output): the CLI prints the one-line message and exits 2."""


# ------------------------------------------------------------------------------ files
def _check_output(path: str, what: str = "--output") -> str:
    """Prove before any work that ``path`` can receive a file (the run takes minutes)."""
    return check_output_file(path, what, suffix=".json")


_SIDE = {"type": "object", "required": ["torch", "python"],
         "properties": {"torch": {"type": "string"}, "python": {"type": "string"}}}
_POSITIVE = {"type": "number", "exclusiveMinimum": 0}
SCHEMA: Dict[str, Any] = {
    "type": "object",
    "required": ["schema", "schema_version", "base", "candidate", "protocol", "threshold", "results", "wall_s"],
    "properties": {
        "base": _SIDE, "candidate": _SIDE, "threshold": _POSITIVE, "wall_s": {"type": "number"},
        "label": {"type": ["string", "null"]},
        "protocol": {"type": "object", "required": ["trials", "seconds", "seed"]},
        "loadavg_start": {"type": ["array", "null"]}, "loadavg_end": {"type": ["array", "null"]},
        "results": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["id", "ratio", "low", "high", "verdict", "width"],
            "properties": {"id": {"type": "string"}, "ratio": _POSITIVE, "low": _POSITIVE, "high": _POSITIVE,
                           "width": {"type": "number", "minimum": 0},
                           "verdict": {"enum": ["slower", "faster", "same", "unclear"]}}}},
    },
}


def _load(path: str) -> Dict[str, Any]:
    """A bench-compare file, validated; anything unusable raises CompareError (one line)."""
    doc = read_document(path, "bench-compare", SCHEMA_NAME, SCHEMA_VERSION, SCHEMA, CompareError)
    for row in doc["results"]:
        if not row["low"] <= row["ratio"] <= row["high"]:
            raise CompareError("%s: %s: ratio %g lies outside its interval [%g, %g]" % (
                path, row["id"], row["ratio"], row["low"], row["high"]))
    return doc


# ------------------------------------------------------------------------------ -k
_TOKEN = re.compile(r"\s*(\(|\)|[^\s()]+)")


def keyword_matcher(expr: str) -> Callable[[str], bool]:
    """pytest-style -k: words match as case-insensitive substrings of the hot path's id,
    combined with and / or / not and parentheses. Raises CompareError when malformed."""
    tokens = _TOKEN.findall(expr or "")
    if not tokens:
        raise CompareError("-k: empty expression")
    pos = [0]

    def peek():
        return tokens[pos[0]] if pos[0] < len(tokens) else None

    def take():
        pos[0] += 1
        return tokens[pos[0] - 1]

    def parse_or():
        left = parse_and()
        while peek() == "or":
            take()
            right = parse_and()
            left = (lambda a, b: lambda s: a(s) or b(s))(left, right)
        return left

    def parse_and():
        left = parse_not()
        while peek() == "and":
            take()
            right = parse_not()
            left = (lambda a, b: lambda s: a(s) and b(s))(left, right)
        return left

    def parse_not():
        if peek() == "not":
            take()
            inner = parse_not()
            return lambda s: not inner(s)
        tok = peek()
        if tok is None or tok in (")", "and", "or"):
            raise CompareError("-k %r: expected a word at position %d" % (expr, pos[0] + 1))
        take()
        if tok == "(":
            inner = parse_or()
            if peek() != ")":
                raise CompareError("-k %r: missing ')'" % expr)
            take()
            return inner
        word = tok.lower()
        return lambda s: word in s.lower()

    match = parse_or()
    if peek() is not None:
        raise CompareError("-k %r: unexpected %r" % (expr, peek()))
    return match


# ------------------------------------------------------------------------------ statistics
def per_call(sample: Dict[str, Any], side: str, clock: str) -> float:
    return sample["%s_%s_s" % (side, clock)] / sample["%s_calls" % side]


def trial_ratio(sample: Dict[str, Any], clock: str = "cpu") -> float:
    """candidate/base time per call in one trial."""
    return per_call(sample, "candidate", clock) / per_call(sample, "base", clock)


def pair_log_ratios(samples: List[Dict[str, Any]], clock: str = "cpu") -> List[float]:
    """Mean log ratio of each pair of trials with swapped cores (both present)."""
    by_pair: Dict[int, List[float]] = {}
    for s in samples:
        by_pair.setdefault(s["pair"], []).append(math.log(trial_ratio(s, clock)))
    return [sum(v) / len(v) for _, v in sorted(by_pair.items()) if len(v) == 2]


def bootstrap_interval(logs: Sequence[float], seed: int = 0, confidence: float = CONFIDENCE,
                       resamples: int = BOOTSTRAP) -> Tuple[float, float, float]:
    """(estimate, low, high) of exp(median(logs)): percentile bootstrap over the pairs.

    The median, not the mean: a pair in which one side was descheduled for a while can be far
    off (on the shared VM such a window cost up to 10x the CPU time per call, on one side only),
    and a resample may hold it several times. Chosen on the first ten 10%-slowdown runs (mean,
    20%-trimmed mean, Hodges-Lehmann: 9 of 10 flagged, the lowest interval bound 0.963, 1.009,
    1.049; median: 10 of 10, 1.052) and checked on runs made afterwards."""
    import numpy as np

    values = np.asarray(logs, dtype=float)
    if values.size == 0:
        raise ValueError("no complete pair of trials")
    rng = np.random.RandomState(seed)
    medians = np.median(values[rng.randint(0, values.size, size=(resamples, values.size))], axis=1)
    tail = (1 - confidence) / 2 * 100
    lo, hi = np.percentile(medians, [tail, 100 - tail])
    return math.exp(float(np.median(values))), math.exp(lo), math.exp(hi)


def verdict(low: float, high: float, threshold: float) -> str:
    if low > 1 + threshold:
        return "slower"
    if high < 1 - threshold:
        return "faster"
    if low >= 1 - threshold and high <= 1 + threshold:
        return "same"
    return "unclear"


def core_bias(samples: List[Dict[str, Any]], clock: str = "cpu") -> Optional[float]:
    """How much faster the candidate looked on the first core than on the second (geometric,
    half the log difference of paired trials): what pairing the swapped trials cancels."""
    by_pair: Dict[int, Dict[int, float]] = {}
    for s in samples:
        by_pair.setdefault(s["pair"], {})[s["base_core"]] = math.log(trial_ratio(s, clock))
    diffs = []
    for v in by_pair.values():
        if len(v) == 2:
            lo_cpu, hi_cpu = sorted(v)
            diffs.append((v[lo_cpu] - v[hi_cpu]) / 2)
    return math.exp(sum(diffs) / len(diffs)) if diffs else None


def _median(xs: Sequence[float]) -> float:
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def summarize(samples: List[Dict[str, Any]], threshold: float, clock: str = "cpu", seed: int = 0) -> Dict[str, Any]:
    logs = pair_log_ratios(samples, clock)
    est, lo, hi = bootstrap_interval(logs, seed=seed)
    other = "wall" if clock == "cpu" else "cpu"
    return {"ratio": est, "low": lo, "high": hi, "width": hi - lo, "verdict": verdict(lo, hi, threshold),
            "pairs": len(logs), "trials": len(samples),
            "base_per_call": _median([per_call(s, "base", clock) for s in samples]),
            "candidate_per_call": _median([per_call(s, "candidate", clock) for s in samples]),
            "core_bias": core_bias(samples, clock),
            "other_clock": {"clock": other, "ratio": bootstrap_interval(pair_log_ratios(samples, other), seed=seed)[0]}}


# ------------------------------------------------------------------------------ workers
def _side_env(side: str) -> Dict[str, str]:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[var] = "1"
    env.setdefault("PYTHONHASHSEED", "0")
    if side != "candidate":  # the test-only slowdown only ever applies to the candidate
        env.pop(SLOWDOWN_ENV, None)
    return env


def _check_interpreter(python: str, side: str) -> None:
    what = "%s interpreter %s" % (side, python)
    if not os.path.exists(python):
        raise CompareError("%s: no such file" % what)
    if os.path.isdir(python) or not os.access(python, os.X_OK):
        raise CompareError("%s: not an executable file" % what)


def probe_all(pythons: Dict[str, str]) -> Dict[str, Dict[str, Any]]:
    """Both sides' facts, probed at the same time (each imports torch: seconds)."""
    for side in SIDES:
        _check_interpreter(pythons[side], side)
    procs = {}
    try:
        for side in SIDES:
            try:
                procs[side] = subprocess.Popen([pythons[side], "-m", WORKER, "--probe"], stdin=subprocess.DEVNULL,
                                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_side_env(side))
            except OSError as err:
                raise CompareError("%s interpreter %s: cannot run it (%s)"
                                   % (side, pythons[side], err.strerror or err)) from None
        return {side: probe(pythons[side], side, procs[side]) for side in SIDES}
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for stream in (proc.stdout, proc.stderr):
                if not stream.closed:
                    stream.close()


def probe(python: str, side: str, proc: "subprocess.Popen") -> Dict[str, Any]:
    """The worker's facts about ``python``'s environment; CompareError if it cannot serve."""
    what = "%s interpreter %s" % (side, python)
    try:
        out, err = proc.communicate(timeout=PROBE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise CompareError("%s: no answer within %d s" % (what, PROBE_TIMEOUT_S)) from None
    out = out.decode("utf-8", "replace").strip()
    err = err.decode("utf-8", "replace").strip()
    try:
        doc = json.loads(out.splitlines()[-1]) if out else None
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        last = err.splitlines()[-1] if err else "exit status %d" % proc.returncode
        if "No module named" in err and "conformance" in err:
            raise CompareError("%s: the torch-conformance kit (with its bench-compare worker) is not installed "
                               "there: pip install -e '<checkout>[bench]' (%s)" % (what, last))
        raise CompareError("%s: the bench-compare worker failed (%s)" % (what, last))
    if "error" in doc:
        raise CompareError("%s: %s" % (what, doc["error"]))
    from .benchmarks.worker import PROTOCOL

    if doc.get("protocol") != PROTOCOL:
        raise CompareError("%s: its kit speaks worker protocol %r, this one %r; install the same kit in both"
                           % (what, doc.get("protocol"), PROTOCOL))
    return doc


class Worker:
    """One side's worker process for one trial, spoken to in JSON lines."""

    def __init__(self, side: str, python: str, cpu: Optional[int]):
        self.side = side
        self.stderr = tempfile.TemporaryFile()
        argv = [python, "-m", WORKER] + (["--cpu", str(cpu)] if cpu is not None else [])
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
                                     env=_side_env(side), universal_newlines=True, bufsize=1)
        self.hello = self.read()["hello"]

    def send(self, req: Dict[str, Any]) -> None:
        try:
            self.proc.stdin.write(json.dumps(req) + "\n")
            self.proc.stdin.flush()
        except OSError:
            self._died()

    def read(self) -> Dict[str, Any]:
        line = self.proc.stdout.readline()
        if not line:
            self._died()
        return json.loads(line)

    def _died(self):
        self.proc.wait()
        self.stderr.seek(0)
        lines = self.stderr.read().decode("utf-8", "replace").strip().splitlines()
        raise CompareError("the %s worker stopped (exit status %s): %s" % (
            self.side, self.proc.returncode, lines[-1] if lines else "no message"))

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.send({"cmd": "quit"})
                self.proc.wait(timeout=30)
            except (CompareError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout, self.stderr):
            try:
                stream.close()
            except OSError:
                pass


def _cores() -> List[int]:
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:
        return []


# ------------------------------------------------------------------------------ the run
def measure(pythons: Dict[str, str], ids: List[str], trials: int, seconds: float, mode: str, seed: int,
            progress: Callable[[str], None]) -> Tuple[Dict[str, List[dict]], Dict[str, str], List[int]]:
    """Run the trials. Returns (samples per hot path, dropped hot paths -> why, cpus used).

    Trials come in pairs, one pair per pair of fresh worker processes: for each hot path (in an
    order shuffled per pair) both workers build and warm up its state, time a window together,
    swap cores, and time a second window together. The pair is the unit of the statistics."""
    cores = _cores()
    if mode == "duet":
        if len(cores) < 2:
            raise CompareError("--mode duet needs 2 CPUs, this process may use %d; use --mode alternate" % len(cores))
        cpus = cores[:2]
    else:
        cpus = cores[:1]
    rng = random.Random(seed)
    samples: Dict[str, List[dict]] = {i: [] for i in ids}
    dropped: Dict[str, str] = {}
    started = time.monotonic()
    pairs = trials // 2
    for pair in range(pairs):
        if mode == "duet":
            first = rng.randrange(2)
            where = {"base": cpus[first], "candidate": cpus[1 - first]}
        else:
            where = {side: (cpus[0] if cpus else None) for side in SIDES}
        workers: Dict[str, Worker] = {}
        try:
            for side in SIDES:  # started back to back: they import torch at the same time
                workers[side] = Worker(side, pythons[side], where[side])
            order = [i for i in ids if i not in dropped]
            rng.shuffle(order)
            for case in order:
                for side in SIDES:
                    workers[side].send({"cmd": "prepare", "id": case, "seconds": seconds})
                ready = {side: workers[side].read() for side in SIDES}
                bad = [(side, r) for side, r in ready.items() if not r.get("ready")]
                if bad:
                    dropped[case] = "%s: %s" % (bad[0][0], bad[0][1].get("unavailable") or bad[0][1].get("error"))
                    continue  # the side that did get ready discards its state at the next prepare
                for half in range(2):
                    if half and mode == "duet":  # swap the cores, same processes, same state
                        where = {"base": where["candidate"], "candidate": where["base"]}
                        for side in SIDES:
                            workers[side].send({"cmd": "pin", "cpu": where[side]})
                        for side in SIDES:
                            workers[side].read()
                    if mode == "duet":
                        for side in SIDES:
                            workers[side].send({"cmd": "go"})
                        done = {side: workers[side].read() for side in SIDES}
                    else:
                        done = {}
                        for side in rng.sample(SIDES, 2):
                            workers[side].send({"cmd": "go"})
                            done[side] = workers[side].read()
                    bad = [(side, r) for side, r in done.items() if "calls" not in r]
                    if bad:
                        dropped[case] = "%s: %s" % (bad[0][0], bad[0][1].get("error"))
                        break
                    sample = {"trial": 2 * pair + half, "pair": pair, "base_core": where["base"],
                              "candidate_core": where["candidate"]}
                    for side in SIDES:
                        sample.update({side + "_wall_s": done[side]["seconds"], side + "_cpu_s": done[side]["cpu_seconds"],
                                       side + "_calls": done[side]["calls"]})
                    samples[case].append(sample)
        finally:
            for w in workers.values():
                w.close()
        elapsed = time.monotonic() - started
        progress("trial %d/%d done (one pair of worker processes, cores swapped): %.0f s so far, about %.0f s to go"
                 % (2 * pair + 2, 2 * pairs, elapsed, elapsed / (pair + 1) * (pairs - pair - 1)))
    for case in dropped:
        samples.pop(case, None)
    return samples, dropped, cpus


def _loadavg() -> Optional[List[float]]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _release(version: str) -> str:
    return version.split("+")[0]


def default_output(base_torch: str, cand_torch: str) -> str:
    safe = lambda v: _release(v).replace("/", "_")  # noqa: E731
    return os.path.join("reports", "local", "bench-compare-torch%s-vs-%s.json" % (safe(base_torch), safe(cand_torch)))


def compare(args, progress: Callable[[str], None]) -> Tuple[Dict[str, Any], int]:
    trials, threshold, seconds = args.trials, args.threshold, args.seconds
    if trials < 4 or trials % 2:
        raise CompareError("--trials %d: give an even number, at least 4 (trials are paired with cores swapped)" % trials)
    if not 0 < threshold < 1:
        raise CompareError("--threshold %g: give a fraction between 0 and 1 (0.05 is 5%%)" % threshold)
    if not 0 < seconds <= 60:
        raise CompareError("--seconds %g: give a window between 0 and 60 seconds" % seconds)
    match = keyword_matcher(args.k) if args.k is not None else (lambda s: True)
    if args.output:
        _check_output(args.output)
    pythons = {"base": args.base, "candidate": args.candidate}
    envs = probe_all(pythons)
    if envs["base"]["definitions"] != envs["candidate"]["definitions"]:
        raise CompareError("the two environments define the hot paths differently (kit %s vs %s, definitions %s vs %s); "
                           "install the same kit in both" % (envs["base"]["kit"], envs["candidate"]["kit"],
                                                            envs["base"]["definitions"], envs["candidate"]["definitions"]))
    both = [c for c in envs["base"]["cases"] if c in envs["candidate"]["cases"]]
    one_side = sorted(set(envs["base"]["cases"]) ^ set(envs["candidate"]["cases"]))
    ids = [c for c in both if match(c)]
    if not ids:
        raise CompareError("-k %r matches none of the hot paths both sides have (%s)" % (args.k, ", ".join(both)))
    output = args.output or default_output(envs["base"]["torch"], envs["candidate"]["torch"])
    _check_output(output)
    slowdown = envs["candidate"].get("slowdown") or {}
    progress("torch %s (base) vs %s (candidate): %d hot path(s), %d trials, %s, %.2g s windows%s" % (
        envs["base"]["torch"], envs["candidate"]["torch"], len(ids), trials,
        "duet with cores swapped" if args.mode == "duet" else "alternating on one core", seconds,
        "; TEST-ONLY SLOWDOWN of the candidate: %s" % slowdown if slowdown else ""))
    load_start, t0, started_at = _loadavg(), time.monotonic(), time.strftime("%Y-%m-%dT%H:%M:%S%z")
    samples, dropped, cpus = measure(pythons, ids, trials, seconds, args.mode, args.seed, progress)
    wall = time.monotonic() - t0
    results = []
    for case in ids:
        if case not in samples:
            continue
        row = {"id": case}
        try:
            row.update(summarize(samples[case], threshold, clock=args.clock, seed=_seed(args.seed, case)))
        except ValueError as err:
            dropped[case] = str(err)
            continue
        row["samples"] = samples[case]
        results.append(row)
    doc = {
        "schema": SCHEMA_NAME, "schema_version": SCHEMA_VERSION,
        "base": _env_record(envs["base"]), "candidate": _env_record(envs["candidate"]),
        "protocol": {"mode": args.mode, "clock": args.clock, "trials": trials, "seconds": seconds, "seed": args.seed, "cpus": cpus,
                     "threads": 1, "confidence": CONFIDENCE, "bootstrap": BOOTSTRAP,
                     "statistic": STATISTIC},
        "threshold": threshold, "k": args.k, "label": args.label,
        "started": started_at, "wall_s": round(wall, 1), "loadavg_start": load_start, "loadavg_end": _loadavg(),
        "injected_slowdown": slowdown or None,
        "results": results, "dropped": dropped, "only_one_side": one_side,
    }
    atomic_write_text(output, dumps(doc))
    doc["_output"] = output
    return doc, (1 if any(r["verdict"] == "slower" for r in results) else 0)


def _seed(seed: int, case: str) -> int:
    """The bootstrap's seed for one hot path: the run's seed and the hot path's id."""
    return (seed + zlib.crc32(case.encode("utf-8"))) % (2 ** 32)


def resummarize(doc: Dict[str, Any]) -> Dict[str, Any]:
    """``doc`` with every result recomputed from its samples by this kit's statistics (the samples
    are the measurement; the summary is a function of them)."""
    p = doc["protocol"]
    for row in doc["results"]:
        row.update(summarize(row["samples"], doc["threshold"], clock=p.get("clock", "cpu"), seed=_seed(p["seed"], row["id"])))
    p.pop("trim", None)
    p.update(statistic=STATISTIC, confidence=CONFIDENCE, bootstrap=BOOTSTRAP)
    return doc


def _env_record(env: Dict[str, Any]) -> Dict[str, Any]:
    return {k: env.get(k) for k in ("torch", "python", "executable", "kit", "definitions", "slowdown")}


# ------------------------------------------------------------------------------ Markdown + plot
MARKS = {"slower": "🐢 slower", "faster": "🚀 faster", "same": "same", "unclear": "unclear"}


def render_markdown(doc: Dict[str, Any], heading: str = "##") -> str:
    thr = doc["threshold"]
    p = doc["protocol"]
    rows = doc["results"]
    slow = [r for r in rows if r["verdict"] == "slower"]
    fast = [r for r in rows if r["verdict"] == "faster"]
    title = "%s bench-compare: torch %s → %s" % (heading, _release(doc["base"]["torch"]), _release(doc["candidate"]["torch"]))
    if doc.get("label"):
        title += " (%s)" % doc["label"]
    summary = ("**%d hot path(s) slower**" % len(slow)) if slow else "**Nothing slower**"
    summary += (", %d faster" % len(fast)) if fast else ""
    summary += (" (a hot path is slower or faster only when its %d%% interval lies wholly beyond ±%g%%; "
                "%d same, %d unclear)." % (round(p["confidence"] * 100), thr * 100,
                                           sum(r["verdict"] == "same" for r in rows),
                                           sum(r["verdict"] == "unclear" for r in rows)))
    lines = [title, ""]
    if doc.get("injected_slowdown"):
        lines += ["> **Test-only slowdown injected into the candidate** (%s=%s): not a real comparison." % (
            SLOWDOWN_ENV, ",".join("%s=%s" % kv for kv in sorted(doc["injected_slowdown"].items()))), ""]
    lines += [summary, "",
              "| hot path | base | candidate | ratio | %d%% interval | width | |" % round(p["confidence"] * 100),
              "|---|---|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: -r["ratio"]):
        lines.append("| %s | %s | %s | ×%.3f | [%.3f, %.3f] | %.3f | %s |" % (
            r["id"], fmt_seconds(r["base_per_call"]), fmt_seconds(r["candidate_per_call"]), r["ratio"], r["low"], r["high"],
            r["width"], MARKS[r["verdict"]]))
    load = doc.get("loadavg_start"), doc.get("loadavg_end")
    lines += ["", "Time per call (%s time): median over trials. Ratio: candidate/base, median of %d pairs "
              "of trials (%s). %s, %s s windows, one torch thread per side; %.0f s; load average %s → %s." % (
                  "CPU" if p.get("clock", "wall") == "cpu" else "wall-clock", p["trials"] // 2,
                  "both sides at once, each pinned to its own core, cores swapped within each pair"
                  if p["mode"] == "duet" else "sides alternating on one core, in random order",
                  "Python %s" % doc["base"]["python"] if doc["base"]["python"] == doc["candidate"]["python"]
                  else "Python %s vs %s" % (doc["base"]["python"], doc["candidate"]["python"]),
                  p["seconds"], doc["wall_s"],
                  "/".join("%.2f" % x for x in load[0]) if load[0] else "?",
                  "/".join("%.2f" % x for x in load[1]) if load[1] else "?")]
    if doc.get("dropped"):
        lines += ["", "Not compared: " + "; ".join("%s (%s)" % kv for kv in sorted(doc["dropped"].items())) + "."]
    if doc.get("only_one_side"):
        lines += ["", "Hot paths on one side only: " + ", ".join(doc["only_one_side"]) + "."]
    lines.append("")
    return "\n".join(lines)


def _doc_key(doc: Dict[str, Any]):
    def rel(v):
        return tuple(int(x) if x.isdigit() else 0 for x in re.split(r"[.]", _release(v))[:3])

    return rel(doc["base"]["torch"]), rel(doc["candidate"]["torch"]), doc.get("started") or ""


def plot(docs: List[Dict[str, Any]], path: str) -> None:
    """One panel per comparison: each hot path's ratio with its interval (log scale), the
    threshold band shaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.lines  # noqa: F401
    import matplotlib.pyplot as plt
    import matplotlib.ticker  # noqa: F401

    ids = sorted({r["id"] for d in docs for r in d["results"]})
    colors = {"slower": "tab:red", "faster": "tab:green", "same": "tab:blue", "unclear": "tab:gray"}
    fig, axes = plt.subplots(1, len(docs), figsize=(3.2 * len(docs) + 2.2, 0.28 * len(ids) + 1.6), sharey=True,
                             squeeze=False)
    for ax, d in zip(axes.flat, docs):
        thr = d["threshold"]
        ax.axvspan(1 - thr, 1 + thr, color="0.9", zorder=0)
        ax.axvline(1.0, color="0.5", lw=0.8, zorder=1)
        for r in d["results"]:
            y = ids.index(r["id"])
            ax.errorbar([r["ratio"]], [y], xerr=[[r["ratio"] - r["low"]], [r["high"] - r["ratio"]]], fmt="o", ms=3,
                        capsize=2, color=colors[r["verdict"]], zorder=2)
        ax.set_xscale("log")
        lo = min([r["low"] for r in d["results"]] + [1 - thr]) / 1.05
        hi = max([r["high"] for r in d["results"]] + [1 + thr]) * 1.05
        ax.set_xlim(lo, hi)
        ticks = [t for t in (0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.25, 1.5, 2, 3, 5, 10) if lo <= t <= hi]
        if len(ticks) > 7:
            ticks = [t for t in ticks if t not in (0.95, 1.05, 0.7, 1.25)]
        ax.xaxis.set_major_locator(matplotlib.ticker.FixedLocator(ticks))
        ax.xaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
        ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        ax.set_title("torch %s → %s%s" % (_release(d["base"]["torch"]), _release(d["candidate"]["torch"]),
                                          " (%s)" % d["label"] if d.get("label") else ""), fontsize=8)
        ax.set_xlabel("candidate / base time per call", fontsize=7)
        ax.tick_params(labelsize=6)
        ax.grid(axis="x", which="both", color="0.85", lw=0.5)
    axes.flat[0].set_yticks(range(len(ids)))
    axes.flat[0].set_yticklabels(ids, fontsize=6)
    axes.flat[0].invert_yaxis()
    handles = [matplotlib.lines.Line2D([], [], color=c, marker="o", ls="", ms=4, label=v) for v, c in colors.items()]
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=7, frameon=False)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())


def render_report(docs: List[Dict[str, Any]], names: List[str]) -> str:
    lines = ["# Hot paths compared across torch releases (bench-compare)", "",
             "Generated by `conformance bench-compare-report` from the JSON files in this folder; do not edit by hand.",
             "Each comparison measured both releases in one run (duet: both at once, each pinned to its own core with "
             "one torch thread; trials in pairs, one pair per pair of fresh worker processes, cores swapped between "
             "the two; CPU time per call). Ratio: candidate/base time per call (>1 is slower), the median over the "
             "pairs, with its 95% bootstrap interval; a hot path is slower or faster only when the interval lies "
             "wholly beyond the threshold (shaded in the plot). Regenerate with `conformance bench-compare-report "
             "reports/bench/compare/*.json` (or `python -m conformance.compare bench-compare-report ...`).", "", "![ratios and intervals](ratios.png)", ""]
    lines += ["| file | comparison | trials | wall | load average (start → end) | slower | faster | same | unclear |",
              "|---|---|---|---|---|---|---|---|---|"]
    for name, d in zip(names, docs):
        v = [r["verdict"] for r in d["results"]]
        lines.append("| [%s](%s) | %s → %s%s | %d | %.0f s | %s → %s | %d | %d | %d | %d |" % (
            name, name, _release(d["base"]["torch"]), _release(d["candidate"]["torch"]),
            " (%s)" % d["label"] if d.get("label") else "", d["protocol"]["trials"], d["wall_s"],
            "/".join("%.2f" % x for x in d["loadavg_start"] or []), "/".join("%.2f" % x for x in d["loadavg_end"] or []),
            v.count("slower"), v.count("faster"), v.count("same"), v.count("unclear")))
    lines.append("")
    lines += _repeat_agreement(docs, names)
    for d in docs:
        lines.append(render_markdown(d, heading="##"))
    return "\n".join(lines)


def _repeat_agreement(docs: List[Dict[str, Any]], names: List[str]) -> List[str]:
    """For a pair of releases compared more than once: how far apart the runs' ratios are."""
    groups: Dict[Tuple[str, str], List[int]] = {}
    for i, d in enumerate(docs):
        groups.setdefault((_release(d["base"]["torch"]), _release(d["candidate"]["torch"])), []).append(i)
    lines = []
    for (base, cand), idx in sorted(groups.items()):
        if len(idx) < 2:
            continue
        first, second = docs[idx[0]], docs[idx[1]]
        b = {r["id"]: r for r in second["results"]}
        rows = [(r["id"], r["ratio"], b[r["id"]]["ratio"]) for r in first["results"] if r["id"] in b]
        if not rows:  # the two runs compared different hot paths: nothing to say about repeatability
            continue
        apart = [abs(y / x - 1) for _, x, y in rows]
        lines += ["## Repeatability: torch %s → %s measured twice" % (base, cand), "",
                  "%s and %s: the ratios of %d hot paths are a median %.1f%% and at most %.1f%% apart "
                  "(%d of %d within ±5%%)." % (names[idx[0]], names[idx[1]], len(rows), 100 * _median(apart),
                                               100 * max(apart), sum(a <= 0.05 for a in apart), len(rows)), "",
                  "| hot path | ratio, first run | ratio, second run | apart |", "|---|---|---|---|"]
        for (hid, x, y), a in sorted(zip(rows, apart), key=lambda t: -t[1]):
            lines.append("| %s | ×%.3f | ×%.3f | %.1f%% |" % (hid, x, y, 100 * a))
        lines.append("")
    return lines


# ------------------------------------------------------------------------------ CLI
def add_parser(subparsers) -> None:
    """Add ``bench-compare`` and ``bench-compare-report`` to an argparse subparsers object."""
    p = subparsers.add_parser(
        "bench-compare", allow_abbrev=False,
        help="speed gate: both environments' hot paths timed in one run (duet), ratio + interval (exit 0/1/2)",
        description="Time the hot paths of two environments in one run: per trial both sides at once, each on its "
                    "own core with one torch thread, cores swapped every trial; per hot path the candidate/base "
                    "ratio with a bootstrap interval. Slower/faster only when the interval lies wholly beyond "
                    "--threshold. Exit 0: nothing slower; 1: something slower; 2: unusable input.")
    p.add_argument("base", metavar="BASE_PYTHON", help="interpreter of the base environment (torch + the kit)")
    p.add_argument("candidate", metavar="CANDIDATE_PYTHON", help="interpreter of the candidate environment")
    p.add_argument("-k", metavar="EXPR", help="only hot paths whose id matches (words, and/or/not, as pytest -k)")
    p.add_argument("--trials", type=int, default=DEFAULT_TRIALS,
                   help="trials (even: pairs with cores swapped; default %d)" % DEFAULT_TRIALS)
    p.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                   help="relative change that counts (default %g, i.e. %g percent)" % (DEFAULT_THRESHOLD, DEFAULT_THRESHOLD * 100))
    p.add_argument("--output", metavar="PATH",
                   help="JSON file (default reports/local/bench-compare-torch<base>-vs-<candidate>.json)")
    p.add_argument("--seconds", type=float, default=DEFAULT_SECONDS,
                   help="timed window per hot path, side and trial (default %g s)" % DEFAULT_SECONDS)
    p.add_argument("--mode", choices=["duet", "alternate"], default="duet",
                   help="duet (default): both sides at once on two cores; alternate: one after the other on one core")
    p.add_argument("--clock", choices=["cpu", "wall"], default="cpu",
                   help="cpu (default): CPU time of each side's process, which leaves out time the scheduler gave "
                        "to other processes; wall: elapsed time")
    p.add_argument("--seed", type=int, default=0, help="seed of the trial order and the bootstrap (default 0)")
    p.add_argument("--label", help="label stored in the JSON file and shown in reports")
    p.set_defaults(compare_command="bench-compare")

    p = subparsers.add_parser("bench-compare-report", allow_abbrev=False,
                              help="Markdown table and plot (PNG) of bench-compare files")
    p.add_argument("files", nargs="+", metavar="COMPARE.json")
    p.add_argument("--out", default=os.path.join("reports", "local", "bench-compare"), metavar="DIR",
                   help="folder for README.md and ratios.png (default reports/local/bench-compare; "
                        "the committed one is reports/bench/compare)")
    p.set_defaults(compare_command="bench-compare-report")


def _progress(msg: str) -> None:
    sys.stderr.write("bench-compare: %s\n" % msg)
    sys.stderr.flush()


def run(args) -> int:
    """Run the sub-command ``add_parser`` added; CompareError for unusable input."""
    if getattr(args, "compare_command", None) == "bench-compare-report":
        return run_report(args)
    doc, rc = compare(args, _progress)
    sys.stdout.write(render_markdown(doc))
    _progress("written to %s" % doc["_output"])
    return rc


def run_report(args) -> int:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise CompareError("bench-compare-report draws its plot with matplotlib, which is not installed: "
                           "pip install 'torch-conformance[bench]'") from None
    docs = [_load(f) for f in args.files]
    check_output_dir(args.out, "--out")
    pairs = sorted(zip(docs, args.files), key=lambda dp: _doc_key(dp[0]))
    docs = [d for d, _ in pairs]
    names = [os.path.relpath(os.path.abspath(f), os.path.abspath(args.out)) for _, f in pairs]
    plot(docs, os.path.join(args.out, "ratios.png"))
    atomic_write_text(os.path.join(args.out, "README.md"), render_report(docs, names))
    print("bench-compare report: %d comparisons -> %s, %s" % (
        len(docs), os.path.join(args.out, "README.md"), os.path.join(args.out, "ratios.png")))
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    """``python -m conformance.compare ...``: the same sub-commands without the kit's CLI."""
    parser = argparse.ArgumentParser(prog="python -m conformance.compare")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return run(args)
    except UnusableInput as err:
        sys.stderr.write("conformance: error: %s\n" % err)
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("conformance: interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
