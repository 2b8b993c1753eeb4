"""bench-compare: a speed gate that measures both environments in one run.

    conformance bench-compare BASE_PYTHON CANDIDATE_PYTHON [-k EXPR] [--budget S] [--threshold F]
    conformance bench-compare-report reports/bench/compare/*.json --out reports/bench/compare

Two bench files made at different times compare the machine's mood as much as the releases
(the same torch 2.14.1 benchmarked twice, minutes apart: two hot paths ×1.3-1.4 "slower").
Here both sides run at once (a *duet*, Bulej et al. 2020): every pair of trials starts one fresh
worker process per side (``python -m conformance.benchmarks.worker`` under each interpreter), one
torch thread each; for every hot path, in an order shuffled per pair (randomized interleaving,
Abedi and Brecht 2017), both workers free the previous hot path's memory, build the callable and
warm it up for a fixed time (pyperf's warm-up value), then time it over the same wall-clock
windows (6 of 0.1 s by default, each holding at least two calls however long one call takes), so
both see the same interference. Each side's time is its process's CPU time by default
(``--clock wall`` for elapsed time).

Where the two sides run (``--mode``). ``shared`` (the default): both workers of a pair pinned to
the *same* core, so that the scheduler interleaves them every few milliseconds and both see the
same core at the same moment, and one such pair per core (up to SHARED_CORES) at once, so that a
round of workers measures that many pairs; each worker asks for a 20 ms time slice
(SHARED_SLICE_MS), so that the sides take turns a few times per window, not every 1.4 ms.
``duet``: each side on its own core, the cores swapped after every window, the pair's ratio the
geometric mean over both core assignments (it cancels a steady difference between the cores: on
the 2-core VM one was ~5-9% faster for a whole session).
On the 2-core VM the host's speed moves by 5-30% within 0.1-1 s and each vCPU on its own; the
duet's two sides, on different vCPUs, see different moves, and an A/A window's log ratio spread
0.05-0.48 (sd of pairs of swapped windows 0.08-0.14), where two sides sharing one vCPU spread
0.01-0.04 (sd 0.012-0.016) in the same minutes, with both vCPUs as busy
(``scripts/bench_pingpong_noise.py``; ``reports/bench/compare/checks/protocol/protocol.md``).
``alternate``: one side's window after the other's on one core, in random order.

Per hot path the estimate is the median of the pair ratios (a pair in which one side was
descheduled can be far off), with a 95% distribution-free interval over the pairs (order
statistics, as the sign test). Decided (``verdict``): ``same`` when the interval lies wholly
within 1±threshold; ``slower`` when the median is above 1+threshold and the 99% interval lies
wholly above 1 (the change is as large as the threshold, and it is not noise: the rule of asv's
and pyperf's comparisons), ``faster`` mirrored. Files before it (no ``decision`` in their
protocol) called a hot path slower only when the whole 95% interval lay above 1+threshold.

Sequential sampling within a time budget: after the initial pairs (``--trials``) every hot path
whose interval still straddles a threshold gets another pair, then those decided whose interval
is still wider than the precision target (``--max-width``, default 0.05; missing it never takes
a verdict away), one round of fresh workers after another, each hot path with more windows when
a round measures fewer of them, until none is left or the budget (``--budget``, wall-clock
seconds of the whole run) is spent; a round that would not fit measures the hot paths closest to
a decision first. A hot path still undecided then is ``inconclusive``: never a silent pass. Exit 0: nothing slower, nothing inconclusive; 1: something slower; 3: nothing
slower but something inconclusive (``--accept-inconclusive`` makes it 0); 2: unusable input
(CompareError, one line); 130: interrupted (SIGINT), 143: terminated (SIGTERM): both stop the
worker processes and write nothing, so an earlier file at ``--output`` stays as it was.

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
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from .bench import fmt_seconds
from .errors import UnusableInput
from .jsonio import atomic_write_bytes, atomic_write_text, check_output_dir, check_output_file, dumps, read_document

SCHEMA_NAME = "torch-conformance/bench-compare"
SCHEMA_VERSION = 2  # 2: sequential sampling, verdict "inconclusive"; version 1 files (fixed trials, "unclear") still read
READS_VERSIONS = (1, 2)
WORKER = "conformance.benchmarks.worker"
SLOWDOWN_ENV = "CONFORMANCE_BENCH_SLOWDOWN"  # test-only; see benchmarks/hotpaths.py
DEFAULT_TRIALS = 12  # the initial batch: 6 pairs of trials for every hot path
DEFAULT_BUDGET_S = 600.0  # wall-clock seconds for the whole run, the initial batch included
DEFAULT_SECONDS = 0.1
DEFAULT_MODE = "shared"
SHARED_CORES = 2  # the shared mode's pairs at once (one per core); more cores would mean more memory traffic
SHARED_SLICE_MS = 20.0  # the shared mode's scheduler slice (worker --slice-ms): the two sides of a pair take turns
# about every 20 ms of CPU time, ~3 times per 0.1 s window, instead of every ~1.4 ms (the kernel's default here), which
# had cost zero_grad(set_to_none=False) ~1.5x its CPU time alone (cache refills after every turn); at 20 ms ~1.15x
DEFAULT_WINDOWS = 6  # timed windows per hot path per pair of workers (a duet's cores swapped after each)
# (2 windows of 0.2 s against 6 of 0.1 s, A/A of 5 hot paths on the loaded 2-core VM: pair spread 0.07-0.28
# against 0.04-0.14, median interval width 0.46 against 0.20 from 6 pairs; startup dominates a pair's cost)
DEFAULT_WARMUP_S = 0.1
MIN_CALLS = 2  # a window holds at least this many calls, however long one call takes
MIN_DECIDE_PAIRS = 6  # no verdict from fewer pairs: the range of 5 or fewer values covers the median less than 95%
# of the time (5: 93.8%, 3: 75%); 6 is the smallest n whose range (the sign-test interval) covers it at least 95%
DEFAULT_THRESHOLD = 0.05
DEFAULT_MAX_WIDTH = 0.05  # issue 21: a hot path's interval at most 0.05 wide (±2.5%) where the budget allows
EXIT_OK, EXIT_SLOWER, EXIT_INCONCLUSIVE = 0, 1, 3
EXIT_MEANING = {EXIT_OK: "nothing slower, every hot path decided (or inconclusive ones accepted)",
                EXIT_SLOWER: "a hot path is slower", EXIT_INCONCLUSIVE: "nothing slower, but a hot path is inconclusive"}
CONFIDENCE = 0.95
SIGNIFICANCE = 0.99  # the interval that must exclude 1 for slower / faster: stricter than CONFIDENCE, as every
#                      pair is a look (the sequential phase looks up to ~40 times per hot path); with 6 or 7
#                      pairs no order statistic reaches it and the interval is the pairs' range (96.9%, 98.4%)
DECISION = ("same: the %g%% interval within 1±threshold; slower (faster): the median beyond 1+threshold "
            "(1-threshold) and the %g%% interval wholly above (below) 1" % (100 * CONFIDENCE, 100 * SIGNIFICANCE))
INTERVAL = "order statistics of the median (sign test)"  # files before it record "bootstrap": 10000 (resamples)
STATISTIC = ("median over pairs of worker processes of the candidate/base time-per-call ratio, each pair's ratio "
             "the geometric mean over its windows (a duet pair's: over both core assignments)")
SEQUENTIAL = ("initial pairs for every hot path, then one more pair at a time for the hot paths whose interval does "
              "not decide them yet (then those wider than the precision target), each with more windows when a pair "
              "measures fewer hot paths, until none is left or the time budget is spent; undecided then: inconclusive")
START = "both workers of a pair started before either is waited for, which first drawn per pair"  # files before it
#       started the base, waited for its torch import, then the candidate
SUMMARY_RESERVE_S = 2.0  # of the budget, kept for summarizing and writing after the last pair (~0.5 s for 18 hot
# paths); without it and the longest-hot-path margin, runs on the 2-core VM ended at 600.5-601 s of a 600 s budget
PROBE_TIMEOUT_S = 300
REPLY_TIMEOUT_S = 600
SIDES = ("base", "candidate")
MODE_TEXT = {"shared": "both sides sharing one core, a pair per core", "duet": "duet with cores swapped",
             "alternate": "alternating on one core"}


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
                           "verdict": {"enum": ["slower", "faster", "same", "inconclusive", "unclear"]}}}},
    },
}


def _load(path: str) -> Dict[str, Any]:
    """A bench-compare file, validated; anything unusable raises CompareError (one line)."""
    from .jsonio import read_json

    peek = read_json(path, "bench-compare", CompareError)
    version = peek.get("schema_version") if isinstance(peek, dict) else None
    doc = read_document(path, "bench-compare", SCHEMA_NAME, version if version in READS_VERSIONS else SCHEMA_VERSION,
                        SCHEMA, CompareError)
    allowed = {"slower", "faster", "same", "unclear" if version == 1 else "inconclusive"}
    for row in doc["results"]:
        if row["verdict"] not in allowed:
            raise CompareError("%s: %s: verdict %r does not exist in schema version %d" % (
                path, row["id"], row["verdict"], version))
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
    """One log ratio per pair of worker processes. A pair whose two sides shared a core in every
    window (shared, alternate): the mean log ratio of its windows. A duet pair: the mean over the
    core assignments of the mean log ratio of its windows on each (a pair of two windows, one per
    assignment: their mean), used only when it has a window on every core the run's duet pairs used."""
    by_pair: Dict[int, Dict[Any, List[float]]] = {}
    one_core: Dict[int, bool] = {}
    cores = set()
    for s in samples:
        by_pair.setdefault(s["pair"], {}).setdefault(s.get("base_core"), []).append(math.log(trial_ratio(s, clock)))
        same = s.get("base_core") == s.get("candidate_core")
        one_core[s["pair"]] = one_core.get(s["pair"], True) and same
        if not same:
            cores.add(s.get("base_core"))
    out = []
    for pair, per_core in sorted(by_pair.items()):
        if one_core[pair]:
            logs = [v for vs in per_core.values() for v in vs]
            out.append(sum(logs) / len(logs))
        elif set(per_core) == cores:
            out.append(sum(sum(v) / len(v) for v in per_core.values()) / len(per_core))
    return out


def median_interval(logs: Sequence[float], confidence: float = CONFIDENCE) -> Tuple[float, float, float]:
    """(estimate, low, high) of exp(median(logs)), the interval distribution-free: the order
    statistics x(k) and x(n+1-k) with the largest k whose coverage of the median is still at
    least ``confidence`` (P(k <= Binomial(n, 1/2) <= n-k)), the interval of the sign test. With
    6-8 pairs that is the range of the pairs; with 21, the 6th to the 16th.

    The median, not the mean: a pair in which one side was descheduled for a while can be far
    off (on the shared VM such a window cost up to 10x the CPU time per call, on one side only).
    The order statistics, not a percentile bootstrap (files that record "bootstrap"): the bootstrap's
    interval of a median of few values is too narrow. In an A/A run on the 2-core VM
    (`reports/bench/compare/checks/protocol/quiet-p4-bootstrap-aa-false-alarm.json`) 7 pairs of
    running_loss_total(mode=tensor) at 0.99-1.27 (windows 0.47-2.03: one core much slower than the
    other for a while) gave a bootstrap interval [1.052, 1.082] and a false "slower"; the sign-test
    interval of the same pairs is their range [0.988, 1.269]."""
    values = sorted(float(v) for v in logs)
    n = len(values)
    if n == 0:
        raise ValueError("no complete pair of trials")

    def comb(n_, r):  # math.comb needs Python 3.8; the kit runs on 3.7 too
        return math.factorial(n_) // (math.factorial(r) * math.factorial(n_ - r))

    alpha, k, below = 1 - confidence, 1, 0.0
    while k < (n + 1) // 2:  # narrow by one order statistic per side while the coverage stays enough
        below += comb(n, k - 1) / 2.0 ** n  # P(Binomial(n, 1/2) <= k - 1)
        if 2 * (below + comb(n, k) / 2.0 ** n) > alpha:
            break
        k += 1
    return math.exp(_median(values)), math.exp(values[k - 1]), math.exp(values[n - k])


def verdict(ratio: float, low: float, high: float, threshold: float, sig_low: float, sig_high: float) -> str:
    """same when the interval [low, high] lies within 1±threshold; slower when the median ``ratio``
    is above 1+threshold and the significance interval [sig_low, sig_high] (SIGNIFICANCE) lies
    wholly above 1; faster mirrored; else inconclusive.

    Why not "the whole interval beyond 1+threshold" (the rule before): a slowdown just over the
    threshold was then almost never called. +10% CPU time in Tensor.backward makes the backward hot
    paths x1.066-1.076 (66-76% of their time is in it); with the old rule a run called them slower
    only when the interval was under ~0.03 wide, and the three +10% runs of worker protocol 4
    flagged the large ones 1 of 3 times each. Replayed on those runs' samples, this rule flags all
    four in all three (tests/test_bench_compare.py), and on the 15 committed A/A-type runs (all
    protocols: A/A, +0% through the wrappers, one-path A/A) flags nothing slower: 95% instead of
    99% would have flagged one (aa-v2-01, worker protocol 3: before the allocator was fixed)."""
    if ratio > 1 + threshold and sig_low > 1:
        return "slower"
    if ratio < 1 - threshold and sig_high < 1:
        return "faster"
    if low >= 1 - threshold and high <= 1 + threshold:
        return "same"
    return "inconclusive"


def decided(row: Dict[str, Any]) -> bool:
    """Whether a summarized hot path has a verdict: its interval decides it, from at least
    MIN_DECIDE_PAIRS pairs."""
    return row["verdict"] not in ("inconclusive", "unclear") and row.get("pairs", MIN_DECIDE_PAIRS) >= MIN_DECIDE_PAIRS


def needs_more(row: Dict[str, Any], max_width: Optional[float] = None) -> bool:
    """Whether the sequential phase measures a hot path again: it is not decided yet, or (with a
    precision target) its interval is still wider than ``max_width``. The target only spends
    budget: a decided hot path that misses it keeps its verdict (and is listed as imprecise)."""
    return not decided(row) or (max_width is not None and row["width"] > max_width)


def distance_to_decision(row: Dict[str, Any], threshold: float) -> float:
    """How far an undecided interval is from deciding, as a fraction of its width: the least it
    must shrink (on the side or sides in the way) to lie wholly inside ±threshold, or (the median
    being beyond a bound) how far its significance interval still reaches past 1. 0 for a decided
    one. Rows without a significance interval (files before it) use the interval itself. Rounds that cannot measure every undecided hot path
    within the budget measure the closest first."""
    lo, hi, width = row["low"], row["high"], max(row["width"], 1e-12)
    sig_lo, sig_hi = row.get("sig_low", lo), row.get("sig_high", hi)
    up, down = 1 + threshold, 1 - threshold
    same = max(0.0, hi - up) + max(0.0, down - lo)
    slower = max(0.0, 1 - sig_lo) if row["ratio"] > up else math.inf
    faster = max(0.0, sig_hi - 1) if row["ratio"] < down else math.inf
    return min(same, slower, faster) / width


def why_undecided(row: Dict[str, Any], threshold: float) -> str:
    """The reason in words, e.g. 'the interval [0.981, 1.063] (width 0.082) straddles 1.05', or
    'the median is beyond 1.05 but the 99% interval [0.990, 1.120] reaches 1'."""
    lo, hi, ratio = row["low"], row["high"], row["ratio"]
    sig_lo, sig_hi = row.get("sig_low", lo), row.get("sig_high", hi)
    head = "the interval [%.3f, %.3f] (width %.3f)" % (lo, hi, hi - lo)
    over = [b for b in (1 - threshold, 1 + threshold) if lo <= b <= hi]
    if verdict(ratio, lo, hi, threshold, sig_lo, sig_hi) != "inconclusive":
        if row.get("pairs", MIN_DECIDE_PAIRS) < MIN_DECIDE_PAIRS:
            return "%s rests on %d pair(s); a verdict needs %d" % (head, row["pairs"], MIN_DECIDE_PAIRS)
        return "%s decides it" % head
    if abs(ratio - 1) > threshold:
        return "the median is beyond %g but the %g%% interval [%.3f, %.3f] reaches 1" % (
            1 + threshold if ratio > 1 else 1 - threshold, 100 * SIGNIFICANCE, sig_lo, sig_hi)
    if len(over) == 2:
        return "%s spans both %g and %g" % (head, over[0], over[1])
    return "%s straddles %g" % (head, over[0])  # the median lies within ±threshold and the interval holds it


def core_bias(samples: List[Dict[str, Any]], clock: str = "cpu") -> Optional[float]:
    """How much faster the candidate looked on the first core than on the second (geometric,
    half the log difference of each pair's mean log ratios on the two cores): what pairing the
    swapped trials cancels."""
    by_pair: Dict[int, Dict[int, List[float]]] = {}
    for s in samples:
        by_pair.setdefault(s["pair"], {}).setdefault(s["base_core"], []).append(math.log(trial_ratio(s, clock)))
    diffs = []
    for v in by_pair.values():
        if len(v) == 2:
            lo_cpu, hi_cpu = sorted(v)
            diffs.append((sum(v[lo_cpu]) / len(v[lo_cpu]) - sum(v[hi_cpu]) / len(v[hi_cpu])) / 2)
    return math.exp(sum(diffs) / len(diffs)) if diffs else None


def _median(xs: Sequence[float]) -> float:
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def summarize(samples: List[Dict[str, Any]], threshold: float, clock: str = "cpu",
              brief: bool = False) -> Dict[str, Any]:
    """A hot path's ratio, interval and verdict from its samples (``brief``: only those, for the
    sequential looks; the same numbers as the full summary)."""
    logs = pair_log_ratios(samples, clock)
    est, lo, hi = median_interval(logs)
    _, sig_lo, sig_hi = median_interval(logs, SIGNIFICANCE)
    row = {"ratio": est, "low": lo, "high": hi, "width": hi - lo, "sig_low": sig_lo, "sig_high": sig_hi,
           "verdict": verdict(est, lo, hi, threshold, sig_lo, sig_hi), "pairs": len(logs), "trials": len(samples)}
    if brief:
        return row
    other = "wall" if clock == "cpu" else "cpu"
    row.update({"base_per_call": _median([per_call(s, "base", clock) for s in samples]),
                "candidate_per_call": _median([per_call(s, "candidate", clock) for s in samples]),
                "core_bias": core_bias(samples, clock),
                "other_clock": {"clock": other, "ratio": math.exp(_median(pair_log_ratios(samples, other)))}})
    return row


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

    def __init__(self, side: str, python: str, cpu: Optional[int], slice_ms: Optional[float] = None):
        self.side = side
        self.stderr = tempfile.TemporaryFile()
        argv = ([python, "-m", WORKER] + (["--cpu", str(cpu)] if cpu is not None else [])
                + (["--slice-ms", "%g" % slice_ms] if slice_ms else []))
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
                                     env=_side_env(side), universal_newlines=True, bufsize=1)
        self.hello = None  # read by ``wait_ready``, so that both sides can start before either has imported torch

    def wait_ready(self) -> Dict[str, Any]:
        if self.hello is None:
            self.hello = self.read()["hello"]
        return self.hello

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
def _fit(todo: List[str], costs: Dict[str, float], startup: Optional[float], remaining: float,
         priority: Callable[[str], float]) -> List[str]:
    """The hot paths of the next round: all of ``todo`` when its estimated cost (worker start +
    each hot path's cost in the last round that measured it) fits in ``remaining`` seconds,
    else those closest to a decision (``priority``, smallest first) that fit; [] when none does.
    Without an estimate yet (the first round), all of them."""
    if startup is None:
        return list(todo)
    known = [c for c in costs.values()]
    default = _median(known) if known else 0.0
    chosen, total = [], startup
    for case in sorted(todo, key=lambda c: (priority(c), todo.index(c))):
        cost = costs.get(case, default)
        if total + cost <= remaining:
            chosen.append(case)
            total += cost
    return [c for c in todo if c in chosen]


MAX_WINDOW_SCALE = 8
PRECISION_LAST = 1e6  # sorts the decided-but-imprecise hot paths after every undecided one


def _cost(costs: Dict[str, Tuple[float, int]], case: str, scale: int) -> float:
    """A hot path's estimated seconds in a pair at ``scale``, from (seconds, scale) the last time
    it was measured: never less than then (its build and warm-up do not shrink with fewer
    windows), proportionally more for more windows (an upper bound: they do not grow either)."""
    took, was = costs[case]
    return took * max(1.0, scale / float(was))


def window_scale(alive: int, undecided: int) -> int:
    """How many times the initial windows a sequential pair gives each hot path it measures: about
    alive/undecided (a pair then costs about what an initial one did), from 1 to MAX_WINDOW_SCALE.
    On the 2-core VM a pair's fixed cost is ~3.5 s of worker start-up (import torch) against
    0.6 s of windows per hot path: a pair of 2 hot paths at scale 1 spent about 75% starting."""
    return max(1, min(MAX_WINDOW_SCALE, alive // max(1, undecided)))


def sequential(ids: List[str], measure_pair: Callable[..., Tuple[Dict[str, List[dict]], Dict[str, str], float, Dict[str, float]]],
               initial_pairs: int, budget_s: float, threshold: float, clock: str = "cpu",
               max_width: Optional[float] = None, progress: Callable[[str], None] = lambda msg: None,
               now: Callable[[], float] = time.monotonic, started: Optional[float] = None,
               scale_windows: bool = True, pairs_per_round: int = 1) -> Dict[str, Any]:
    """Sequential sampling within a time budget.

    Pairs of worker processes come one after another (``measure_pair(pair, ids, deadline)``
    measures ``ids`` in one fresh pair, stopping early at ``deadline`` if one is given, and returns
    (samples per id, dropped id -> why, seconds to start the workers, seconds each id took)). The
    first ``initial_pairs`` measure every hot path, whatever the budget; after that a pair
    measures only the hot paths that ``needs_more`` (not decided yet, or wider than ``max_width``;
    the undecided first), until none is left or the budget (seconds since ``started``) is spent. A pair is started only with the hot paths whose
    estimated cost fits in what is left of the budget (the closest to a decision first).

    A sequential pair that measures fewer hot paths gives each more windows (``scale``: how many
    times the initial windows, about as many as the hot paths alive per hot path measured, at most
    MAX_WINDOW_SCALE), so that starting the workers stays a small part of a pair's cost; with
    ``scale_windows`` False every pair has the initial windows. ``measure_pair`` is called with
    ``scale=`` (1 for the initial pairs); a hot path's cost at another scale is estimated by ``_cost`` (never less than
    last time, proportionally more for more windows).

    With ``pairs_per_round`` above 1 (the shared mode: one pair per core at once) each call of
    ``measure_pair`` is a round of that many pairs, and ``initial_pairs`` counts rounds.

    Returns {"samples", "dropped", "rounds", "stopped" ("decided" | "budget"), "elapsed_s",
    "pairs_started" (pairs of workers), "rounds_started"}."""
    started = now() if started is None else started
    deadline = started + budget_s - SUMMARY_RESERVE_S  # the last pair leaves time to summarize and write
    samples: Dict[str, List[dict]] = {i: [] for i in ids}
    dropped: Dict[str, str] = {}
    costs: Dict[str, Tuple[float, int]] = {}  # hot path -> (seconds, scale) when last measured
    startup: Optional[float] = None
    rounds: List[Dict[str, Any]] = []
    pair, stopped = 0, "decided"
    rows: Dict[str, Dict[str, Any]] = {}
    while True:
        alive = [i for i in ids if i not in dropped]
        if not alive:
            break
        if pair < initial_pairs:
            todo, phase = alive, "initial"
        else:
            rows = {i: _summarize_or_none(samples[i], threshold, clock) for i in alive}
            todo = [i for i in alive if rows[i] is None or needs_more(rows[i], max_width)]
            phase = "sequential"
            if not todo:
                stopped = "decided"
                break
        remaining = deadline - now()

        def priority(case, rows=rows):  # undecided ones first, closest to a decision first; then the imprecise
            row = rows.get(case)
            if row is None:
                return -1.0
            return distance_to_decision(row, threshold) if not decided(row) else PRECISION_LAST + row["width"]

        scale = 1
        if phase == "initial":  # always measured in full, whatever the budget
            chosen = todo
        else:
            chosen = []
            scale = window_scale(len(alive), len(todo)) if scale_windows else 1
            while remaining > 0:  # the largest scale (down to 1) at which some hot path still fits
                chosen = _fit(todo, {c: _cost(costs, c, scale) for c in costs}, startup, remaining, priority)
                if chosen or scale == 1:
                    break
                scale = max(1, scale // 2)
        if not chosen:
            stopped = "budget"
            break
        t0 = now()
        # within a pair a hot path starts only while the longest of those chosen would still end in time
        inner = deadline - max([_cost(costs, c, scale) for c in chosen if c in costs], default=0.0)
        new, lost, startup_s, took = measure_pair(pair, chosen, None if phase == "initial" else inner, scale=scale)
        startup = startup_s
        costs.update({c: (v, scale) for c, v in took.items()})
        for case, rows_ in new.items():
            samples[case].extend(rows_)
        dropped.update(lost)
        undecided = len(todo) if phase == "initial" else sum(1 for i in todo if rows[i] is None or not decided(rows[i]))
        rounds.append({"pair": pair, "phase": phase, "undecided": undecided, "imprecise": len(todo) - undecided,
                       "measured": len(chosen), "scale": scale,
                       "ids": sorted(chosen), "wall_s": round(now() - t0, 2),
                       "elapsed_s": round(now() - started, 1)})
        pair += 1
        elapsed = now() - started
        unit = "pair" if pairs_per_round == 1 else "round (%d pairs)" % pairs_per_round
        if phase == "initial":
            progress("%s %d of the initial %d (all %d hot paths): %.0f s of the %.0f s budget used" % (
                unit, pair, initial_pairs, len(chosen), elapsed, budget_s))
        else:
            progress("%s %d (sequential): %d of %d hot paths undecided, %d measured: %.0f s of the %.0f s budget used" % (
                unit, pair, len(todo), len(alive), len(chosen), elapsed, budget_s))
    for case in dropped:
        samples.pop(case, None)
    return {"samples": samples, "dropped": dropped, "rounds": rounds, "stopped": stopped,
            "elapsed_s": now() - started, "pairs_started": pair * pairs_per_round, "rounds_started": pair}


def _summarize_or_none(samples: List[dict], threshold: float, clock: str) -> Optional[Dict[str, Any]]:
    try:
        return summarize(samples, threshold, clock=clock, brief=True)
    except ValueError:  # no complete pair yet
        return None


class PairRunner:
    """Measures hot paths in fresh pairs of worker processes per call (``sequential``'s
    ``measure_pair``): one pair (duet, alternate) or one pair per core at once (shared)."""

    def __init__(self, pythons: Dict[str, str], mode: str, seed: int, seconds: float, windows: int = DEFAULT_WINDOWS,
                 warmup: float = DEFAULT_WARMUP_S, min_calls: int = MIN_CALLS):
        cores = _cores()
        if mode == "duet":
            if len(cores) < 2:
                raise CompareError("--mode duet needs 2 CPUs, this process may use %d; use --mode alternate" % len(cores))
            self.cpus = cores[:2]
        elif mode == "shared":
            self.cpus = cores[:SHARED_CORES] or [None]
        else:
            self.cpus = cores[:1]
        self.pythons, self.mode, self.rng = pythons, mode, random.Random(seed)
        self.seconds, self.windows, self.warmup, self.min_calls = seconds, windows, warmup, min_calls
        self.trial = {}  # id -> windows so far (the samples' "trial" numbers)
        self.slice_ms = SHARED_SLICE_MS if mode == "shared" else None
        self.slices = set()  # the time slices (ns) the workers reported (None: not settable there)

    @property
    def pairs_per_round(self) -> int:
        """Pairs of workers one call measures at once: one per core in the shared mode."""
        return len(self.cpus) if self.mode == "shared" else 1

    def __call__(self, pair: int, ids: List[str], deadline: Optional[float] = None, scale: int = 1):
        rng, mode, cpus = self.rng, self.mode, self.cpus
        windows = self.windows * max(1, int(scale))
        if mode == "duet":
            first = rng.randrange(2)
            groups = [{"base": cpus[first], "candidate": cpus[1 - first]}]
        elif mode == "shared":  # both sides of a pair on one core, one pair per core
            groups = [{side: cpu for side in SIDES} for cpu in cpus]
        else:
            groups = [{side: (cpus[0] if cpus else None) for side in SIDES}]
        samples: Dict[str, List[dict]] = {}
        dropped: Dict[str, str] = {}
        took: Dict[str, float] = {}
        pairs: List[Dict[str, Worker]] = [{} for _ in groups]
        t0 = time.monotonic()
        try:
            # All start before any is waited for: they import torch at the same time (a pair's
            # start costs one import, not two), and which one starts first is drawn per pair. The
            # worker started second had been 2-4% cheaper per call in dataloader_epoch(workers=2)
            # (less system time in forking its DataLoader workers) whichever core it ran on; it was
            # always the candidate, so every A/A showed that hot path x0.95-0.98.
            for g, side in rng.sample([(g, side) for g in range(len(groups)) for side in SIDES], 2 * len(groups)):
                pairs[g][side] = Worker(side, self.pythons[side], groups[g][side], self.slice_ms)
            for workers in pairs:
                for side in SIDES:
                    self.slices.add(workers[side].wait_ready().get("slice_ns"))
            startup = time.monotonic() - t0
            order = list(ids)
            rng.shuffle(order)
            for case in order:
                if deadline is not None and time.monotonic() >= deadline:
                    break  # the budget ran out within this pair: the rest waits for no one
                tc = time.monotonic()
                got = self._one(pairs, groups, case, rng, windows)
                if isinstance(got, str):
                    dropped[case] = got
                    continue
                samples[case] = got
                took[case] = time.monotonic() - tc
        finally:
            for workers in pairs:
                for w in workers.values():
                    w.close()
        return samples, dropped, startup, took

    def _one(self, pairs, groups, case, rng, windows):
        """The windows of one hot path in this round's pairs (samples, each with its pair's index
        in the round as ``group``), or why it cannot be compared (str). ``groups`` (each pair's
        cores) is updated in place: in a duet the cores stay swapped for the next hot path."""
        everyone = [(g, side) for g in range(len(pairs)) for side in SIDES]
        for g, side in everyone:
            pairs[g][side].send({"cmd": "prepare", "id": case, "seconds": self.seconds, "warmup": self.warmup,
                                 "min_calls": self.min_calls})
        ready = {(g, side): pairs[g][side].read() for g, side in everyone}
        bad = [(key[1], r) for key, r in ready.items() if not r.get("ready")]
        if bad:  # the side that did get ready discards its state at the next prepare
            return "%s: %s" % (bad[0][0], bad[0][1].get("unavailable") or bad[0][1].get("error"))
        out = []
        for window in range(windows):
            if window and self.mode == "duet":  # swap the cores, same processes, same state
                where = groups[0]
                where.update(base=where["candidate"], candidate=where["base"])
                for side in SIDES:
                    pairs[0][side].send({"cmd": "pin", "cpu": where[side]})
                for side in SIDES:
                    pairs[0][side].read()
            if self.mode == "alternate":
                done = {}
                for side in rng.sample(SIDES, 2):
                    pairs[0][side].send({"cmd": "go"})
                    done[(0, side)] = pairs[0][side].read()
            else:  # duet, shared: every worker's window at once
                for g, side in everyone:
                    pairs[g][side].send({"cmd": "go"})
                done = {(g, side): pairs[g][side].read() for g, side in everyone}
            bad = [(key[1], r) for key, r in done.items() if "calls" not in r]
            if bad:
                return "%s: %s" % (bad[0][0], bad[0][1].get("error"))
            for g, where in enumerate(groups):
                trial = self.trial.get(case, 0)
                self.trial[case] = trial + 1
                sample = {"trial": trial, "pair": None, "group": g, "window": window, "base_core": where["base"],
                          "candidate_core": where["candidate"]}
                for side in SIDES:
                    d = done[(g, side)]
                    sample.update({side + "_wall_s": d["seconds"], side + "_cpu_s": d["cpu_seconds"],
                                   side + "_calls": d["calls"]})
                    for k in ("nivcsw", "minflt", "sys_seconds"):
                        if k in d:
                            sample["%s_%s" % (side, k)] = d[k]
                out.append(sample)
        return out


def measure(pythons: Dict[str, str], ids: List[str], trials: int, seconds: float, mode: str, seed: int,
            progress: Callable[[str], None], budget_s: float = DEFAULT_BUDGET_S, threshold: float = DEFAULT_THRESHOLD,
            clock: str = "cpu", windows: int = DEFAULT_WINDOWS, warmup: float = DEFAULT_WARMUP_S,
            max_width: Optional[float] = None, started: Optional[float] = None) -> Tuple[Dict[str, Any], List[int]]:
    """Run the pairs (``sequential`` with real workers). Returns (its result, cpus used)."""
    runner = PairRunner(pythons, mode, seed, seconds, windows=windows, warmup=warmup)
    per_round = getattr(runner, "pairs_per_round", 1)

    def measure_pair(pair, chosen, deadline, scale=1):  # ``pair``: the round; its pairs get numbers of their own
        samples, dropped, startup, took = runner(pair, chosen, deadline, scale=scale)
        for rows in samples.values():
            for row in rows:
                row["pair"] = pair * per_round + row.pop("group", 0)
        return samples, dropped, startup, took

    rounds = -(-(trials // 2) // per_round)  # the initial pairs, rounded up to whole rounds
    result = sequential(ids, measure_pair, initial_pairs=rounds, budget_s=budget_s, threshold=threshold,
                        clock=clock, max_width=max_width, progress=progress, started=started,
                        pairs_per_round=per_round)
    result.update(initial_rounds=rounds, pairs_per_round=per_round, slice_ms=getattr(runner, "slice_ms", None),
                  slices_ns=sorted(getattr(runner, "slices", set()), key=lambda v: (v is None, v or 0)))
    return result, runner.cpus


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
    t0 = time.monotonic()
    trials, threshold, seconds = args.trials, args.threshold, args.seconds
    budget = getattr(args, "budget", DEFAULT_BUDGET_S)
    windows = getattr(args, "windows", DEFAULT_WINDOWS)
    warmup = getattr(args, "warmup", DEFAULT_WARMUP_S)
    max_width = getattr(args, "max_width", None)
    accept = getattr(args, "accept_inconclusive", False)
    if trials < 4 or trials % 2:
        raise CompareError("--trials %d: give an even number, at least 4 (two trials per pair of workers)" % trials)
    if not 0 < threshold < 1:
        raise CompareError("--threshold %g: give a fraction between 0 and 1 (0.05 is 5%%)" % threshold)
    if not 0 < seconds <= 60:
        raise CompareError("--seconds %g: give a window between 0 and 60 seconds" % seconds)
    if not (budget >= 0 and math.isfinite(budget)):
        raise CompareError("--budget %g: give the run's time budget in seconds, 0 or more" % budget)
    mode = getattr(args, "mode", DEFAULT_MODE)
    if windows < 1 or (mode == "duet" and windows % 2):
        raise CompareError("--windows %d: give %s" % (windows, "an even number, at least 2 (half the windows on each "
                                                      "core)" if mode == "duet" else "at least 1"))
    if not 0 <= warmup <= 60:
        raise CompareError("--warmup %g: give a warm-up between 0 and 60 seconds" % warmup)
    if max_width is not None and not 0 <= max_width < 1:
        raise CompareError("--max-width %g: give an interval width from 0 (none) to below 1" % max_width)
    max_width = max_width or None
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
    progress("torch %s (base) vs %s (candidate): %d hot path(s), %d initial trials, then sequential within a %.0f s "
             "budget; %s, %.2g s windows%s" % (
                 envs["base"]["torch"], envs["candidate"]["torch"], len(ids), trials, budget,
                 MODE_TEXT[mode], seconds,
                 "; TEST-ONLY SLOWDOWN of the candidate: %s" % slowdown if slowdown else ""))
    load_start, started_at = _loadavg(), time.strftime("%Y-%m-%dT%H:%M:%S%z")
    run_, cpus = measure(pythons, ids, trials, seconds, mode, args.seed, progress, budget_s=budget,
                         threshold=threshold, clock=args.clock, windows=windows, warmup=warmup, max_width=max_width,
                         started=t0)
    samples, dropped = run_["samples"], run_["dropped"]
    wall = time.monotonic() - t0
    results, not_measured = [], {}
    for case in ids:
        if case in dropped:
            continue
        row = {"id": case}
        try:
            row.update(summarize(samples.get(case, []), threshold, clock=args.clock))
        except ValueError:
            not_measured[case] = "no complete pair within the %.0f s budget" % budget
            continue
        if max_width is not None:
            row["precise"] = row["width"] <= max_width
        if not decided(row):
            row["verdict"] = "inconclusive"
            row["why"] = "%s after %d pair(s); %s" % (
                why_undecided(row, threshold), row["pairs"],
                "the %.0f s budget was spent" % budget if run_["stopped"] == "budget" else "measuring stopped")
        row["samples"] = samples[case]
        results.append(row)
    if not results:
        raise CompareError("no hot path could be measured within the %.0f s budget (%s)" % (
            budget, "; ".join("%s: %s" % kv for kv in sorted(dict(dropped, **not_measured).items()))))
    inconclusive = [r["id"] for r in results if r["verdict"] == "inconclusive"] + sorted(not_measured)
    slower = any(r["verdict"] == "slower" for r in results)
    rc = EXIT_SLOWER if slower else (EXIT_INCONCLUSIVE if inconclusive and not accept else EXIT_OK)
    doc = {
        "schema": SCHEMA_NAME, "schema_version": SCHEMA_VERSION,
        "base": _env_record(envs["base"]), "candidate": _env_record(envs["candidate"]),
        "protocol": {"mode": mode, "clock": args.clock, "trials": trials,
                     "initial_pairs": run_["initial_rounds"] * run_["pairs_per_round"],
                     "pairs_per_round": run_["pairs_per_round"], "slice_ms": run_["slice_ms"],
                     "slices_ns": run_["slices_ns"],
                     "windows": windows, "seconds": seconds, "warmup": warmup, "min_calls": MIN_CALLS,
                     "budget_s": budget, "max_width": max_width, "seed": args.seed, "cpus": cpus,
                     "threads": 1, "confidence": CONFIDENCE, "interval": INTERVAL, "statistic": STATISTIC,
                     "significance": SIGNIFICANCE, "decision": DECISION, "start": START, "sequential": SEQUENTIAL},
        "threshold": threshold, "k": args.k, "label": args.label,
        "started": started_at, "wall_s": round(wall, 1), "loadavg_start": load_start, "loadavg_end": _loadavg(),
        "injected_slowdown": slowdown or None,
        "stopped": run_["stopped"], "pairs_started": run_["pairs_started"], "rounds": run_["rounds"],
        "inconclusive": inconclusive, "not_measured": not_measured, "accept_inconclusive": bool(accept),
        "exit_status": rc,
        "results": results, "dropped": dropped, "only_one_side": one_side,
    }
    atomic_write_text(output, dumps(doc))
    doc["_output"] = output
    return doc, rc


def resummarize(doc: Dict[str, Any]) -> Dict[str, Any]:
    """``doc`` with every result recomputed from its samples by this kit's statistics (the samples
    are the measurement; the summary is a function of them)."""
    p = doc["protocol"]
    undecided = "inconclusive" if doc.get("schema_version", 1) >= 2 else "unclear"
    for row in doc["results"]:
        row.update(summarize(row["samples"], doc["threshold"], clock=p.get("clock", "cpu")))
        row.pop("why", None)
        row.pop("precise", None)
        if p.get("max_width") is not None:
            row["precise"] = row["width"] <= p["max_width"]
        if not decided(row):
            row["verdict"] = undecided
            if undecided == "inconclusive":
                row["why"] = "%s after %d pair(s)" % (why_undecided(row, doc["threshold"]), row["pairs"])
    p.pop("trim", None)
    p.pop("bootstrap", None)
    p.update(statistic=STATISTIC, confidence=CONFIDENCE, interval=INTERVAL, significance=SIGNIFICANCE, decision=DECISION)
    return doc


def _env_record(env: Dict[str, Any]) -> Dict[str, Any]:
    return {k: env.get(k) for k in ("torch", "python", "executable", "kit", "definitions", "slowdown", "protocol", "allocator")}


# ------------------------------------------------------------------------------ Markdown + plot
MARKS = {"slower": "🐢 slower", "faster": "🚀 faster", "same": "same", "inconclusive": "❔ inconclusive",
         "unclear": "unclear"}


def _load_text(load) -> str:
    return "/".join("%.2f" % x for x in load) if load else "?"


def render_markdown(doc: Dict[str, Any], heading: str = "##") -> str:
    thr = doc["threshold"]
    p = doc["protocol"]
    rows = doc["results"]
    v2 = doc.get("schema_version", 1) >= 2
    slow = [r for r in rows if r["verdict"] == "slower"]
    fast = [r for r in rows if r["verdict"] == "faster"]
    undecided = [r for r in rows if r["verdict"] in ("inconclusive", "unclear")]
    not_measured = doc.get("not_measured") or {}
    title = "%s bench-compare: torch %s → %s" % (heading, _release(doc["base"]["torch"]), _release(doc["candidate"]["torch"]))
    if doc.get("label"):
        title += " (%s)" % doc["label"]
    summary = ("**%d hot path(s) slower**" % len(slow)) if slow else "**Nothing slower**"
    if v2 and (undecided or not_measured):
        summary += ", **%d inconclusive**" % (len(undecided) + len(not_measured))
    summary += (", %d faster" % len(fast)) if fast else ""
    summary += " (%s; %d same, %d %s)." % (_rule_text(p, thr), sum(r["verdict"] == "same" for r in rows),
                                           len(undecided) + len(not_measured), "inconclusive" if v2 else "unclear")
    lines = [title, ""]
    if doc.get("injected_slowdown"):
        lines += ["> **Test-only slowdown injected into the candidate** (%s=%s): not a real comparison." % (
            SLOWDOWN_ENV, ",".join("%s=%s" % kv for kv in sorted(doc["injected_slowdown"].items()))), ""]
    lines += [summary, "",
              "| hot path | base | candidate | ratio | %d%% interval | width | pairs | |" % round(p["confidence"] * 100),
              "|---|---|---|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: -r["ratio"]):
        lines.append("| %s | %s | %s | ×%.3f | [%.3f, %.3f] | %.3f | %s | %s |" % (
            r["id"], fmt_seconds(r["base_per_call"]), fmt_seconds(r["candidate_per_call"]), r["ratio"], r["low"], r["high"],
            r["width"], r.get("pairs", "?"), MARKS[r["verdict"]]))
    if v2 and (undecided or not_measured):
        lines += ["", "**Inconclusive** (not decided within the budget; %s):" % (
            "accepted with --accept-inconclusive" if doc.get("accept_inconclusive")
            else "exit %d; rerun with a larger `--budget`, on a quieter machine, or pass `--accept-inconclusive`"
            % EXIT_INCONCLUSIVE), ""]
        for r in sorted(undecided, key=lambda r: r["id"]):
            lines.append("- `%s`: ×%.3f, %s." % (r["id"], r["ratio"], r.get("why") or why_undecided(r, thr)))
        for case, why in sorted(not_measured.items()):
            lines.append("- `%s`: %s." % (case, why))
    target = p.get("max_width")
    loose = [r for r in rows if target is not None and r["verdict"] not in ("inconclusive", "unclear")
             and r["width"] > target]
    if loose:
        lines += ["", "**Wider than the precision target %g** (decided, so the verdict stands; the budget ran out "
                  "before the interval narrowed to it):" % target, ""]
        lines += ["- `%s`: ×%.3f [%.3f, %.3f], width %.3f after %s pair(s)." % (
            r["id"], r["ratio"], r["low"], r["high"], r["width"], r.get("pairs", "?"))
            for r in sorted(loose, key=lambda r: r["id"])]
    load = doc.get("loadavg_start"), doc.get("loadavg_end")
    mode = (("both sides at once, each pinned to its own core, cores swapped %s" % (
                "after every window" if v2 else "within each pair")) if p["mode"] == "duet"
            else "both sides at once on one core, taking turns %s; %d pair(s) at once, one per core" % (
                _slice_text(p), p.get("pairs_per_round", 1)) if p["mode"] == "shared"
            else "sides alternating on one core, in random order")
    python = ("Python %s" % doc["base"]["python"] if doc["base"]["python"] == doc["candidate"]["python"]
              else "Python %s vs %s" % (doc["base"]["python"], doc["candidate"]["python"]))
    clock = "CPU" if p.get("clock", "wall") == "cpu" else "wall-clock"
    if v2:
        spent = "budget %.0f s, %s" % (p["budget_s"], "every hot path decided" if doc.get("stopped") == "decided"
                                        else "spent")
        scales = sorted({r.get("scale", 1) for r in doc.get("rounds") or []} - {1})
        more = (" (later pairs of fewer hot paths: %s times as many)" % ", ".join("%d" % k for k in scales)) if scales else ""
        which = ("the undecided ones and those wider than %g" % p["max_width"] if p.get("max_width")
                 else "the undecided ones only")
        lines += ["", "Time per call (%s time): median over trials. Ratio: candidate/base, median over the pairs of "
                  "worker processes (%s; %d windows of %s s per hot path and pair%s, after a %s s warm-up). "
                  "Sequential: %d initial pairs for every hot path, then pairs for %s; %d pairs in all. "
                  "%s, one torch thread per side; %.0f s (%s); load average %s → %s." % (
                      clock, mode, p.get("windows", 2), p["seconds"], more, p.get("warmup", "?"),
                      p.get("initial_pairs", 0), which, doc.get("pairs_started", 0), python, doc["wall_s"], spent,
                      _load_text(load[0]), _load_text(load[1]))]
    else:
        lines += ["", "Time per call (%s time): median over trials. Ratio: candidate/base, median of %d pairs "
                  "of trials (%s). %s, %s s windows, one torch thread per side; %.0f s; load average %s → %s." % (
                      clock, p["trials"] // 2, mode, python, p["seconds"], doc["wall_s"],
                      _load_text(load[0]), _load_text(load[1]))]
    if v2 and "exit_status" in doc:
        lines += ["", "Exit %d: %s." % (doc["exit_status"], EXIT_MEANING.get(doc["exit_status"], "?"))]
    busy = _busy(doc)
    if busy:
        lines += ["", "> " + busy]
    unsliced = _slice_missed(p)
    if unsliced:
        lines += ["", "> " + unsliced]
    if doc.get("dropped"):
        lines += ["", "Not compared: " + "; ".join("%s (%s)" % kv for kv in sorted(doc["dropped"].items())) + "."]
    if doc.get("only_one_side"):
        lines += ["", "Hot paths on one side only: " + ", ".join(doc["only_one_side"]) + "."]
    lines.append("")
    return "\n".join(lines)


def _slices_missed(p: Dict[str, Any]) -> Optional[List[Optional[int]]]:
    """The time slices (ns, None: not settable) a shared run's workers reported when they did not
    all get the one they asked for; None when they did, or when nothing was asked or recorded
    (files before protocol 5 record no ``slices_ns``: the ask is all there is)."""
    asked, got = p.get("slice_ms"), p.get("slices_ns")
    if p.get("mode") != "shared" or not asked or got is None or got == [int(asked * 1e6)]:
        return None
    return got


def _slice_text(p: Dict[str, Any]) -> str:
    """How the two sides of a shared pair took turns: the slice the workers asked for when every
    one of them reported it back (``slices_ns``), else what they got."""
    if not p.get("slice_ms"):
        return "as the scheduler slices"
    got = _slices_missed(p)
    if got is None:
        return "every ~%g ms (the scheduler's slice)" % p["slice_ms"]
    return "as the scheduler slices (%g ms asked; the workers reported %s)" % (
        p["slice_ms"], ", ".join("not settable" if v is None else "%g ms" % (v / 1e6) for v in got))


def _slice_missed(p: Dict[str, Any]) -> Optional[str]:
    """A note when a shared run's workers did not all get the slice they asked for (Linux before
    6.12 keeps its own, ~1-4 ms): the sides then take turns several times as often, and a hot path
    that lives in its caches pays for every turn on both sides (zero_grad(set_to_none=False) ~1.5x
    its time alone at a 1.4 ms slice on the 2-core VM, against ~1.15x at 20 ms). Both sides pay
    it: an A/A at that slice decided 18 of 18 hot paths "same", every interval within 0.049
    (reports/bench/compare/checks/protocol/p4-shared-default-slice-aa.json)."""
    if _slices_missed(p) is None:
        return None
    return ("The workers did not all get the %g ms time slice they asked for (an older kernel keeps its own): the "
            "two sides of a pair took turns more often, and a hot path that lives in its caches spends more time per "
            "call on both sides (on the kit's 2-core VM `zero_grad(set_to_none=False)` ~1.5x at a 1.4 ms slice, "
            "~1.15x at 20 ms)." % p["slice_ms"])


def _busy(doc: Dict[str, Any]) -> Optional[str]:
    """A warning when the machine had more runnable work than CPUs during the run: both sides then
    get a fraction of a core, each window is cut up by context switches, and even the CPU time per
    call varies by tens of percent (the kit's own checks: ×2 on a 2-core VM at load average 4-7)."""
    cpus = doc["protocol"].get("cpus") or []
    ncpu = os.cpu_count() or len(cpus) or 1
    own = 2 * doc["protocol"].get("pairs_per_round", 1)  # the run's own workers (shared: two per core)
    loads = [x[0] for x in (doc.get("loadavg_start"), doc.get("loadavg_end")) if x]
    if not loads or max(loads) <= max(ncpu, own):
        return None
    return ("The machine was busy: load average up to %.2f on %d CPUs. The intervals widen with the noise, so more "
            "hot paths stay inconclusive within the budget; a quieter machine or a larger `--budget` decides more."
            % (max(loads), ncpu))


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
    colors = {"slower": "tab:red", "faster": "tab:green", "same": "tab:blue", "inconclusive": "tab:gray"}
    fig, axes = plt.subplots(1, len(docs), figsize=(3.2 * len(docs) + 2.2, 0.28 * len(ids) + 1.6), sharey=True,
                             squeeze=False)
    for ax, d in zip(axes.flat, docs):
        thr = d["threshold"]
        ax.axvspan(1 - thr, 1 + thr, color="0.9", zorder=0)
        ax.axvline(1.0, color="0.5", lw=0.8, zorder=1)
        for r in d["results"]:
            y = ids.index(r["id"])
            ax.errorbar([r["ratio"]], [y], xerr=[[r["ratio"] - r["low"]], [r["high"] - r["ratio"]]], fmt="o", ms=3,
                        capsize=2, color=colors.get(r["verdict"], "tab:gray"), zorder=2)
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
    modes = {d.get("protocol", {}).get("mode", "duet") for d in docs}
    how = ("duet: both at once, each pinned to its own core with one torch thread; trials in pairs, one pair per "
           "pair of fresh worker processes, cores swapped between the two; CPU time per call")
    if modes - {"duet"}:
        how = ("both at once, one torch thread each; by the file's mode: shared, both workers of a pair pinned to one "
               "core, taking turns, a pair per core; duet, each pinned to its own core, cores swapped between the "
               "windows; alternate, one window after the other on one core; CPU time per call")
    lines = ["# Hot paths compared across torch releases (bench-compare)", "",
             "Generated by `conformance bench-compare-report` from the JSON files in this folder; do not edit by hand.",
             "Each comparison measured both releases in one run (" + how + "). Ratio: candidate/base time per call (>1 is slower), the median over the "
             "pairs, with its 95% interval (a percentile bootstrap in files that record `bootstrap`, the order "
             "statistics of the sign test in later ones); " + _report_rule(docs) + ". Files of "
             "schema version 2 sampled sequentially within a time budget (undecided hot paths measured until decided "
             "or the budget is spent: `inconclusive` then); version 1 files ran a fixed number of trials and call an "
             "undecided hot path `unclear`. Regenerate with `conformance bench-compare-report "
             "reports/bench/compare/*.json` (or `python -m conformance.compare bench-compare-report ...`).", "", "![ratios and intervals](ratios.png)", ""]
    lines += ["| file | comparison | protocol | wall | load average (start → end) | slower | faster | same | "
              "undecided |", "|---|---|---|---|---|---|---|---|---|"]
    for name, d in zip(names, docs):
        v = [r["verdict"] for r in d["results"]]
        p = d["protocol"]
        proto = ("sequential, budget %.0f s, %d pairs" % (p["budget_s"], d.get("pairs_started", 0))
                 if d.get("schema_version", 1) >= 2 else "%d trials (fixed)" % p["trials"])
        lines.append("| [%s](%s) | %s → %s%s | %s | %.0f s | %s → %s | %d | %d | %d | %d |" % (
            name, name, _release(d["base"]["torch"]), _release(d["candidate"]["torch"]),
            " (%s)" % d["label"] if d.get("label") else "", proto, d["wall_s"],
            "/".join("%.2f" % x for x in d["loadavg_start"] or []), "/".join("%.2f" % x for x in d["loadavg_end"] or []),
            v.count("slower"), v.count("faster"), v.count("same"), v.count("unclear") + v.count("inconclusive")
            + len(d.get("not_measured") or {})))
    lines.append("")
    lines += _repeat_agreement(docs, names)
    for d in docs:
        lines.append(render_markdown(d, heading="##"))
    return "\n".join(lines)


def _rule_text(p: Dict[str, Any], thr: Optional[float] = None) -> str:
    """A file's decision rule as one clause, from its protocol: files that record ``decision``
    (worker protocol 4 on) use the median rule, earlier ones the interval rule. ``thr`` None
    names "the threshold" instead of its value (a report's header, over files of any threshold)."""
    within = "±%g%%" % (thr * 100) if thr is not None else "the threshold"
    if p.get("decision"):
        beyond = "+%g%% (-%g%%)" % (thr * 100, thr * 100) if thr is not None else "the threshold"
        return ("a hot path is the same when its %d%% interval lies wholly within %s, slower (faster) when its "
                "median ratio is beyond %s and its %d%% interval lies wholly above (below) 1" % (
                    round(p["confidence"] * 100), within, beyond, round(p["significance"] * 100)))
    return ("a hot path is slower or faster only when its %d%% interval lies wholly beyond %s, the same only "
            "when it lies wholly within" % (round(p["confidence"] * 100), within))


def _report_rule(docs: List[Dict[str, Any]]) -> str:
    """The decision rule(s) of the files a report covers (``_rule_text``, the threshold shaded in
    the plot); both named when the report mixes files of either rule."""
    kinds = {bool(d["protocol"].get("decision")): d["protocol"] for d in docs}
    if len(kinds) == 1:
        (p,) = kinds.values()
        return _rule_text(p) + " (the threshold shaded in the plot)"
    return ("by the file's rule (the threshold shaded in the plot): in files that record one (worker protocol 4 "
            "on), %s; in earlier files, %s" % (_rule_text(kinds[True]), _rule_text(kinds[False])))


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
        help="speed gate: both environments' hot paths timed in one run (duet), sampled until decided or the time "
             "budget is spent (exit 0/1/3, 2 unusable input)",
        description="Time the hot paths of two environments in one run: per pair of fresh worker processes both "
                    "sides at once with one torch thread each, by default on the same core (a pair per core); "
                    "per hot path the candidate/base ratio with a 95% interval over the pairs (order statistics). "
                    "Slower (faster) when the median is beyond --threshold and the 99% interval excludes 1, same "
                    "when the 95% interval lies wholly within. After the "
                    "initial --trials, the undecided hot paths get more pairs (then those wider than --max-width), "
                    "until none is left or --budget is spent; still undecided: inconclusive. Exit 0: nothing slower or inconclusive; "
                    "1: something slower; 3: something inconclusive, nothing slower (0 with --accept-inconclusive); "
                    "2: unusable input; 130: interrupted; 143: terminated (nothing written).")
    p.add_argument("base", metavar="BASE_PYTHON", help="interpreter of the base environment (torch + the kit)")
    p.add_argument("candidate", metavar="CANDIDATE_PYTHON", help="interpreter of the candidate environment")
    p.add_argument("-k", metavar="EXPR", help="only hot paths whose id matches (words, and/or/not, as pytest -k)")
    p.add_argument("--budget", type=float, default=DEFAULT_BUDGET_S, metavar="SECONDS",
                   help="wall-clock time the whole run may take, the initial trials included (default %g s); "
                        "0: the initial trials only" % DEFAULT_BUDGET_S)
    p.add_argument("--trials", type=int, default=DEFAULT_TRIALS,
                   help="trials of the initial batch, for every hot path (even: two per pair of workers; default %d)"
                        % DEFAULT_TRIALS)
    p.add_argument("--accept-inconclusive", action="store_true",
                   help="exit 0, not 3, when hot paths stay inconclusive (they are still listed)")
    p.add_argument("--max-width", type=float, default=DEFAULT_MAX_WIDTH, metavar="W",
                   help="precision target: while the budget lasts, also measure decided hot paths whose interval "
                        "is wider than W (after the undecided ones); a decided hot path that misses it keeps its "
                        "verdict and is listed (default %g; 0: stop measuring a hot path once it is decided)"
                        % DEFAULT_MAX_WIDTH)
    p.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                   help="relative change that counts (default %g, i.e. %g percent)" % (DEFAULT_THRESHOLD, DEFAULT_THRESHOLD * 100))
    p.add_argument("--output", metavar="PATH",
                   help="JSON file (default reports/local/bench-compare-torch<base>-vs-<candidate>.json)")
    p.add_argument("--seconds", type=float, default=DEFAULT_SECONDS,
                   help="timed window per hot path, side and trial; it holds at least %d calls (default %g s)"
                        % (MIN_CALLS, DEFAULT_SECONDS))
    p.add_argument("--windows", type=int, default=DEFAULT_WINDOWS,
                   help="timed windows per hot path and pair of workers, cores swapped between them (even; "
                        "default %d)" % DEFAULT_WINDOWS)
    p.add_argument("--warmup", type=float, default=DEFAULT_WARMUP_S, metavar="SECONDS",
                   help="untimed calls before a hot path's first window in each worker (default %g s)" % DEFAULT_WARMUP_S)
    p.add_argument("--mode", choices=["shared", "duet", "alternate"], default=DEFAULT_MODE,
                   help="shared (default): both sides at once on one core, one pair per core (up to %d); duet: both "
                        "sides at once on two cores, swapped between windows; alternate: one window after the other "
                        "on one core" % SHARED_CORES)
    p.add_argument("--clock", choices=["cpu", "wall"], default="cpu",
                   help="cpu (default): CPU time of each side's process, which leaves out time the scheduler gave "
                        "to other processes; wall: elapsed time")
    p.add_argument("--seed", type=int, default=0, help="seed of the trial order (default 0)")
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
    from .errors import exit_status, sigterm_raises, stop_word

    try:
        with sigterm_raises():  # SIGTERM like Ctrl-C: the workers are stopped, nothing is written
            return run(args)
    except UnusableInput as err:
        sys.stderr.write("conformance: error: %s\n" % err)
        return 2
    except KeyboardInterrupt as err:  # Terminated (SIGTERM) included: 143 instead of 130
        sys.stderr.write("conformance: %s\n" % stop_word(err))
        return exit_status(err)


if __name__ == "__main__":
    sys.exit(main())
