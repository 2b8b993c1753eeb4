#!/usr/bin/env python3
"""Issue 21, the order of the two sides: how wide is the spread of an A/A ratio per window when
the two sides run at once on two cores (the duet) against taking turns on one core in short
slices (ping-pong), with the same core-seconds?

    python scripts/bench_pingpong_noise.py IDS [--windows 40] [--seconds 0.1] [--slice 0.01]

Per hot path (the bench-compare worker's prepare: build, warm up, batch size), one after the
other, each arrangement for WINDOWS windows, in an order that alternates between arrangements:

- duet: side A on core 0 and side B on core 1, timing the same wall-clock window of SECONDS,
  the cores swapped after every window (as bench-compare does);
- ping-pong: A and B pinned to the same core, taking turns of SLICE seconds (a token passed
  through a pipe), a window being SECONDS of each side; two such pairs at once, one per core,
  so that both cores are as busy as in the duet.

Printed: the spread (1.4826 x MAD of the logs) and the standard deviation of the window's log
ratio B/A (A/A: both the same interpreter, so the true ratio is 1), and the median ratio.
"""
from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def spread(logs):
    m = statistics.median(logs)
    return 1.4826 * statistics.median([abs(v - m) for v in logs])


def _timed(fn, batch, seconds, min_calls):
    """Batches of calls for ``seconds`` of wall clock and at least ``min_calls``: (CPU s, calls)."""
    calls, c0, t0 = 0, time.process_time(), time.perf_counter()
    while time.perf_counter() - t0 < seconds or calls < min_calls:
        for _ in range(batch):
            fn()
        calls += batch
    return time.process_time() - c0, calls


def _units_of_two(logs):
    """Consecutive log ratios averaged two by two (a duet's: one window per core assignment)."""
    return [(logs[i] + logs[i + 1]) / 2 for i in range(0, len(logs) - 1, 2)]


def _child(case, cpu, ctl, peer_in, peer_out, seconds):
    os.sched_setaffinity(0, {cpu})
    import gc

    import torch

    torch.set_num_threads(1)
    sys.path.insert(0, os.path.join(REPO, "src"))
    from conformance.benchmarks import worker

    session = worker.Session("cpu", tempfile.mkdtemp(prefix="pingpong-"))
    session.prepare(case, seconds, 0.1, 2)
    fn, batch = session.fn, session.batch
    ctl.send("ready")
    while True:
        msg = ctl.recv()
        if msg is None:
            return
        kind, arg = msg
        if kind == "pin":
            os.sched_setaffinity(0, {arg})
            ctl.send("ok")
        elif kind == "window":  # a duet window: time calls for `arg` seconds of wall clock
            gc.disable()
            got = _timed(fn, batch, arg, 2)
            gc.enable()
            ctl.send(got)
        elif kind == "turns":  # ping-pong: `arg` = (slices, slice_s, first)
            slices, slice_s, first = arg
            out = []
            gc.disable()
            for i in range(slices):
                if not (first and i == 0):
                    peer_in.recv()
                out.append(_timed(fn, batch, slice_s, 1))
                peer_out.send(1)
            if first:
                peer_in.recv()  # the peer's last turn
            gc.enable()
            ctl.send(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ids")
    ap.add_argument("--windows", type=int, default=40)
    ap.add_argument("--seconds", type=float, default=0.1)
    ap.add_argument("--slice", type=float, default=0.01)
    args = ap.parse_args()
    ctx = mp.get_context("spawn")
    per_window = max(1, int(round(args.seconds / args.slice)))
    for case in args.ids.split(","):
        # four workers: a0, b0 on core 0; a1, b1 on core 1 (the duet uses a0 and b1)
        procs, ctl = {}, {}
        ab0_a, ab0_b = ctx.Pipe(duplex=False)
        ba0_a, ba0_b = ctx.Pipe(duplex=False)
        ab1_a, ab1_b = ctx.Pipe(duplex=False)
        ba1_a, ba1_b = ctx.Pipe(duplex=False)
        wiring = {"a0": (0, ba0_a, ab0_b), "b0": (0, ab0_a, ba0_b), "a1": (1, ba1_a, ab1_b), "b1": (1, ab1_a, ba1_b)}
        for name, (cpu, pin, pout) in wiring.items():
            parent, child = ctx.Pipe()
            p = ctx.Process(target=_child, args=(case, cpu, child, pin, pout, args.seconds), daemon=True)
            p.start()
            procs[name], ctl[name] = p, parent
        for name in procs:  # prepared one after the other would be fairer; all at once is what a run does
            assert ctl[name].recv() == "ready"
        duet, pong, pong_by, shared = [], [], {"0": [], "1": []}, []
        swap = False
        for w in range(args.windows):
            # duet window: a0 on one core, b1 on the other, swapped every window
            ca, cb = (1, 0) if swap else (0, 1)
            ctl["a0"].send(("pin", ca)); ctl["b1"].send(("pin", cb))
            ctl["a0"].recv(); ctl["b1"].recv()
            ctl["a0"].send(("window", args.seconds)); ctl["b1"].send(("window", args.seconds))
            (ta, na), (tb, nb) = ctl["a0"].recv(), ctl["b1"].recv()
            duet.append(math.log((tb / nb) / (ta / na)))
            ctl["a0"].send(("pin", 0)); ctl["b1"].send(("pin", 1))
            ctl["a0"].recv(); ctl["b1"].recv()
            swap = not swap
            # ping-pong window: both pairs at once, who starts alternating
            first_a = w % 2 == 0
            for c in "01":
                ctl["a" + c].send(("turns", (per_window, args.slice, first_a)))
                ctl["b" + c].send(("turns", (per_window, args.slice, not first_a)))
            for c in "01":
                ra, rb = ctl["a" + c].recv(), ctl["b" + c].recv()
                ta, na = sum(t for t, _ in ra), sum(n for _, n in ra)
                tb, nb = sum(t for t, _ in rb), sum(n for _, n in rb)
                pong.append(math.log((tb / nb) / (ta / na)))
                pong_by[c].append(pong[-1])
            # shared: both sides of a pair run at once on its core, the scheduler interleaving them;
            # twice the wall time, so that each side gets about SECONDS of CPU time
            for name in procs:
                ctl[name].send(("window", 2 * args.seconds))
            got = {name: ctl[name].recv() for name in procs}
            for c in "01":
                (ta, na), (tb, nb) = got["a" + c], got["b" + c]
                shared.append(math.log((tb / nb) / (ta / na)))
        for name in procs:
            ctl[name].send(None)
        for p in procs.values():
            p.join(10)
        # the duet's ratio as bench-compare forms it (the geometric mean over both core assignments), and
        # units of the same size for the others
        for label, logs in (("duet", duet), ("duet, core pairs", _units_of_two(duet)),
                            ("ping-pong %gs" % args.slice, pong), ("ping-pong, 2 win", _units_of_two(pong)),
                            ("ping-pong core 0", pong_by["0"]), ("ping-pong core 1", pong_by["1"]),
                            ("shared (scheduler)", shared), ("shared, 2 win", _units_of_two(shared))):
            print("%-34s %-16s windows %3d  spread %.3f  sd %.3f  median x%.3f" % (
                case, label, len(logs), spread(logs), statistics.pstdev(logs), math.exp(statistics.median(logs))),
                flush=True)


if __name__ == "__main__":
    main()
