#!/usr/bin/env python3
"""What sharing a core costs a hot path (issue 21, protocol 5): one worker's CPU time per call,
with the bench-compare worker's prepare and windows, pinned to CPU, optionally with a scheduler
time slice. Run it alone, two at once on one core, or one per core, and compare the same minutes:

    python scripts/bench_share_cost.py CPU LABEL IDS WINDOWS [SLICE_MS]
    python scripts/bench_share_cost.py 0 alone "zero_grad(set_to_none=False)" 8
    python scripts/bench_share_cost.py 0 shared-a "zero_grad(set_to_none=False)" 16 20 & \
    python scripts/bench_share_cost.py 0 shared-b "zero_grad(set_to_none=False)" 16 20; wait

Printed per hot path: the median of the windows' involuntary context switches, the median CPU
time per call, and the process's share of the CPU over the windows.
"""
import os
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    cpu, label, ids, windows = int(sys.argv[1]), sys.argv[2], sys.argv[3].split(","), int(sys.argv[4])
    os.sched_setaffinity(0, {cpu})
    import torch

    torch.set_num_threads(1)
    sys.path.insert(0, os.path.join(REPO, "src"))
    from conformance.benchmarks import worker

    worker.steady_allocator()
    if len(sys.argv) > 5:
        worker.set_slice(float(sys.argv[5]))
    session = worker.Session("cpu", tempfile.mkdtemp(prefix="share-cost-"))
    for case in ids:
        session.prepare(case, 0.1, 0.1, 2)
        rs = [session.go() for _ in range(windows)]
        per_call = sorted(r["cpu_seconds"] / r["calls"] for r in rs)
        switches = sorted(r.get("nivcsw", 0) for r in rs)
        print("%-8s %-34s nivcsw/window %3d  per call %9.1f us  cpu share %.2f" % (
            label, case, switches[len(rs) // 2], per_call[len(rs) // 2] * 1e6,
            sum(r["cpu_seconds"] for r in rs) / sum(r["seconds"] for r in rs)), flush=True)


if __name__ == "__main__":
    main()
