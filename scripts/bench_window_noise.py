#!/usr/bin/env python3
"""How much one process's CPU time per call varies from one timed window to the next on this
host, with nothing compared (issue 21's "where does the noise come from"):

    python scripts/bench_window_noise.py CPU IDS WINDOWS SECONDS
    # e.g. both cores at once, as in a duet:
    python scripts/bench_window_noise.py 0 "max_over_dim,zero_grad(set_to_none=False)" 20 0.1 &
    python scripts/bench_window_noise.py 1 "max_over_dim,zero_grad(set_to_none=False)" 20 0.1; wait

For each hot path: the bench-compare worker's prepare (build, warm up, batch size), then WINDOWS
windows of SECONDS, each timing batches of calls on the process CPU clock. Printed: the spread
(1.4826 x median absolute deviation of the logs, i.e. a relative spread) across windows of the
window's time per call, of the median batch, of the first-quartile batch and of the fastest
batch. A spread of 0.10 means a window's figure is typically 10% off the next one's.
"""
import gc
import math
import os
import statistics
import sys
import tempfile
import time


def spread(logs):
    m = statistics.median(logs)
    return 1.4826 * statistics.median([abs(v - m) for v in logs])


def main():
    cpu, ids, windows, seconds = int(sys.argv[1]), sys.argv[2].split(","), int(sys.argv[3]), float(sys.argv[4])
    os.sched_setaffinity(0, {cpu})
    import torch

    torch.set_num_threads(1)
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src"))
    from conformance.benchmarks import worker

    session = worker.Session("cpu", tempfile.mkdtemp(prefix="window-noise-"))
    for case in ids:
        session.prepare(case, seconds, 0.1, 2)
        fn, batch = session.fn, session.batch
        total, median, q1, fastest, counts = [], [], [], [], []
        for _ in range(windows):
            gc.disable()
            times, calls, c0, t0 = [], 0, time.process_time(), time.perf_counter()
            while time.perf_counter() - t0 < seconds or calls < 2:
                a = time.process_time()
                for _ in range(batch):
                    fn()
                times.append((time.process_time() - a) / batch)
                calls += batch
            gc.enable()
            total.append(math.log((time.process_time() - c0) / calls))
            times.sort()
            median.append(math.log(statistics.median(times)))
            q1.append(math.log(times[len(times) // 4]))
            fastest.append(math.log(times[0]))
            counts.append(len(times))
        print("cpu%d %-34s batches/window %3d  spread: window %.3f  median batch %.3f  q1 batch %.3f  fastest %.3f"
              % (cpu, case, statistics.median(counts), spread(total), spread(median), spread(q1), spread(fastest)),
              flush=True)


if __name__ == "__main__":
    main()
