"""bench-compare's worker: run by each side's interpreter, it times hot paths (``hotpaths.py``)
for one trial and prints JSON. ``conformance bench-compare`` starts one per side per trial.

    python -m conformance.benchmarks.worker --probe            # what this environment offers
    python -m conformance.benchmarks.worker --measure ID       # time one hot path once (debugging)
    python -m conformance.benchmarks.worker --cpu 1            # serve: JSON lines on stdin/stdout

Serving, the worker pins itself to ``--cpu`` (before torch starts its thread pools), uses one
torch thread, says hello, then answers one JSON line per request line:

    {"cmd": "prepare", "id": ID, "seconds": T}  build the state, warm up, pick a batch size
                                                -> {"id": ID, "ready": true, "batch": k}
    {"cmd": "go"}                               one untimed batch, then time batches of k calls
                                                until T seconds passed (the state is kept: go again)
                                                -> {"id": ID, "calls": n, "seconds": t, "cpu_seconds": c}
    {"cmd": "pin", "cpu": N}                    move every thread of this process to CPU N
                                                -> {"pinned": N}
    {"cmd": "quit"} (or end of input)

so that the coordinator can start both sides' timed windows at the same moment (a duet), and
swap the sides' cores between two windows of the same state.
A hot path this release lacks answers {"id": ID, "unavailable": why}; one that raises answers
{"id": ID, "error": "Type: message"}. Stray output of libraries goes to stderr, never into the
protocol. Python 3.7 syntax, importable on every torch release the kit covers.
"""
from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import sys
import tempfile
import time

PROTOCOL = 1
CALIBRATE_S = 0.002  # a batch of calls lasts at least this long, so the clock's cost is negligible


def cpu_seconds() -> float:
    """CPU time of this process (all threads) and of its finished children (DataLoader workers):
    unlike the wall clock it leaves out the time the scheduler gave to other processes."""
    try:
        import resource
    except ImportError:  # not Unix: this process only
        return time.process_time()
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    return total


def definitions_hash() -> str:
    """Fingerprint of the hot-path definitions: both sides of a comparison must time the same code."""
    from conformance.benchmarks import hotpaths

    with open(hotpaths.__file__.replace(".pyc", ".py"), "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:16]


def environment() -> dict:
    import torch

    from conformance import __version__
    from conformance.benchmarks import hotpaths

    try:
        cpus = sorted(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = None
    return {"protocol": PROTOCOL, "torch": torch.__version__, "python": platform.python_version(),
            "executable": sys.executable, "kit": __version__, "definitions": definitions_hash(),
            "threads": torch.get_num_threads(), "cpus": cpus, "pid": os.getpid(),
            "slowdown": hotpaths.slowdowns(), "cases": [c["id"] for c in hotpaths.cases("cpu")]}


class Session:
    """One hot path at a time: prepare (build + warm up + calibrate), then go (timed window)."""

    def __init__(self, device: str, workdir: str):
        self.device, self.workdir = device, workdir
        self.fn, self.id, self.batch, self.seconds = None, None, 1, 0.0
        import torch

        self.sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
        self.by_id = None

    def prepare(self, case_id: str, seconds: float) -> dict:
        import torch

        from conformance.benchmarks import hotpaths

        if self.by_id is None:
            self.by_id = {c["id"]: c for c in hotpaths.cases(self.device)}
        self.fn, self.id, self.seconds = None, case_id, seconds
        gc.collect()
        case = self.by_id.get(case_id)
        if case is None:
            return {"id": case_id, "unavailable": "no hot path %s on torch %s" % (case_id, torch.__version__)}
        torch.manual_seed(0)
        try:
            fn = hotpaths.make(case["name"], self.device, self.workdir, **case["params"])
            fn()  # warm-up: allocator, kernels, lazy modules
            self.sync()
            batch = 1
            while True:  # calibrate: double the batch until it lasts CALIBRATE_S (also warms up)
                start = time.perf_counter()
                for _ in range(batch):
                    fn()
                self.sync()
                if time.perf_counter() - start >= CALIBRATE_S or batch >= 1 << 20:
                    break
                batch *= 2
        except hotpaths.Unavailable as why:
            return {"id": case_id, "unavailable": str(why)}
        except Exception as err:  # reported, not raised: the other hot paths still run
            return {"id": case_id, "error": "%s: %s" % (type(err).__name__, str(err).splitlines()[0] if str(err) else "")}
        self.fn, self.batch = fn, batch
        return {"id": case_id, "ready": True, "batch": batch}

    def go(self) -> dict:
        fn, batch, sync, seconds = self.fn, self.batch, self.sync, self.seconds
        if fn is None:
            return {"id": self.id, "error": "go before a successful prepare"}
        calls = 0
        gc.collect()
        gc.disable()  # as timeit does
        try:
            for _ in range(batch):  # untimed: caches of a core the process may just have moved to
                fn()
            sync()
            cpu_start, start = cpu_seconds(), time.perf_counter()
            while True:
                for _ in range(batch):
                    fn()
                sync()
                calls += batch
                elapsed = time.perf_counter() - start
                if elapsed >= seconds:
                    break
            cpu = cpu_seconds() - cpu_start
        except Exception as err:
            return {"id": self.id, "error": "%s: %s" % (type(err).__name__, str(err).splitlines()[0] if str(err) else "")}
        finally:
            gc.enable()
        return {"id": self.id, "calls": calls, "seconds": elapsed, "cpu_seconds": cpu}


def _protocol_stream():
    """A private copy of stdout for the protocol; fd 1 then points at stderr, so whatever a
    library prints cannot corrupt the JSON lines."""
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return out


def _pin(cpu):
    """Pin every thread of this process (pid 0 alone would be the calling thread only)."""
    if cpu is None:
        return
    try:
        tids = [int(t) for t in os.listdir("/proc/self/task")]
    except OSError:
        tids = [0]
    for tid in tids:
        try:
            os.sched_setaffinity(tid, {cpu})
        except OSError:  # a thread that just ended
            pass


def _one_thread():
    import torch

    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except (RuntimeError, AttributeError):  # already started, or not in this release
        pass


def serve(args) -> int:
    out = _protocol_stream()
    _pin(args.cpu)
    _one_thread()
    with tempfile.TemporaryDirectory(prefix="conformance-worker-") as workdir:
        session = Session(args.device, workdir)
        out.write(json.dumps({"hello": environment()}) + "\n")
        for line in sys.stdin:
            if not line.strip():
                continue
            req = json.loads(line)
            if req["cmd"] == "quit":
                break
            if req["cmd"] == "prepare":
                reply = session.prepare(req["id"], float(req["seconds"]))
            elif req["cmd"] == "go":
                reply = session.go()
            elif req["cmd"] == "pin":
                _pin(int(req["cpu"]))
                reply = {"pinned": int(req["cpu"])}
            else:
                reply = {"error": "unknown command %r" % req["cmd"]}
            out.write(json.dumps(reply) + "\n")
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m conformance.benchmarks.worker", description=__doc__.splitlines()[0])
    p.add_argument("--probe", action="store_true", help="print this environment's facts and hot paths as JSON")
    p.add_argument("--measure", metavar="ID", help="time hot path ID once and print the result as JSON")
    p.add_argument("--seconds", type=float, default=0.5, help="timed window for --measure (default 0.5)")
    p.add_argument("--cpu", type=int, help="pin to this CPU")
    p.add_argument("--device", default="cpu")
    args = p.parse_args(argv)
    if args.probe:
        try:
            import torch  # noqa: F401
        except Exception as err:  # ImportError, or a broken install raising OSError
            print(json.dumps({"error": "cannot import torch (%s: %s)" % (type(err).__name__, str(err).splitlines()[0] if str(err) else "")}))
            return 3
        try:
            env = environment()
        except ValueError as err:  # a malformed CONFORMANCE_BENCH_SLOWDOWN
            print(json.dumps({"error": str(err)}))
            return 3
        print(json.dumps(env))
        return 0
    if args.measure:
        _pin(args.cpu)
        _one_thread()
        with tempfile.TemporaryDirectory(prefix="conformance-worker-") as workdir:
            session = Session(args.device, workdir)
            reply = session.prepare(args.measure, args.seconds)
            if reply.get("ready"):
                reply = dict(session.go(), batch=reply["batch"])
        if "calls" in reply:
            reply["per_call"] = reply["seconds"] / reply["calls"]
        print(json.dumps(reply))
        return 0 if "calls" in reply else 1
    return serve(args)


if __name__ == "__main__":
    sys.exit(main())
