"""bench-compare's worker: run by each side's interpreter, it times hot paths (``hotpaths.py``)
for one trial and prints JSON. ``conformance bench-compare`` starts one per side per trial.

    python -m conformance.benchmarks.worker --probe            # what this environment offers
    python -m conformance.benchmarks.worker --measure ID       # time one hot path once (debugging)
    python -m conformance.benchmarks.worker --cpu 1            # serve: JSON lines on stdin/stdout

Serving, the worker pins itself to ``--cpu`` (before torch starts its thread pools), uses one
torch thread, says hello, then answers one JSON line per request line:

    {"cmd": "prepare", "id": ID, "seconds": T,  free the previous hot path's state (gc, malloc_trim),
     "warmup": W, "min_calls": M}               build this one's, warm up for W seconds, pick a batch size
                                                -> {"id": ID, "ready": true, "batch": k, "per_call": s}
    {"cmd": "go"}                               one untimed batch, then time batches of k calls until
                                                T seconds and at least M calls passed (the state is
                                                kept: go again)
                                                -> {"id": ID, "calls": n, "seconds": t, "cpu_seconds": c,
                                                    "nivcsw": i, "nvcsw": v, "minflt": f, "sys_seconds": s}
    {"cmd": "pin", "cpu": N}                    move every thread of this process to CPU N
                                                -> {"pinned": N}
    {"cmd": "quit"} (or end of input)

so that the coordinator can start both sides' timed windows at the same moment (a duet), and
swap the sides' cores between two windows of the same state. The warm-up is time-based (as
pyperf's warm-up value): a hot path of 20 µs gets thousands of untimed calls before its first
window, one of 30 ms a few, so that every window starts from the same warm state whatever the
previous hot path left behind. Once a hot path is built and warm, what is alive moves to the
collector's permanent generation (``gc.freeze``), so that the collection before each window is
cheap instead of the ~0.1 s a full pass over torch's objects takes (on the 2-core VM that had been
about 40% of a hot path's cost in a pair); the next prepare unfreezes it so that it can be freed.
Each worker fixes glibc's malloc thresholds at start (``steady_allocator``, protocol 4), so
that no worker's history decides whether freed tensors are faulted in again. With ``--slice-ms``
(protocol 5; bench-compare's shared mode, both sides on one core) the worker asks the scheduler
for that time slice (``sched_setattr``'s ``sched_runtime``, which Linux 6.12+ honours for normal
tasks): at the default 1.4 ms slice the two sides took turns ~14 times per 0.1 s window and
``zero_grad(set_to_none=False)`` cost ~1.5x its CPU time alone (the other side's data evicting
its own from the core's caches); at 20 ms, 3 turns per window, ~1.15x.
``nivcsw`` (involuntary context switches), ``minflt`` (page
faults) and ``sys_seconds`` are diagnostics of a window's disturbance, stored, not used.
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

PROTOCOL = 5  # 3: the hot path's state is frozen out of the garbage collector's sight between windows;
#               4: glibc's malloc thresholds are fixed (no per-process drift in how big blocks are got);
#               5: --slice-ms (the scheduler's time slice, for two workers sharing a core)
MMAP_THRESHOLD = 32 << 20  # glibc's largest: blocks below it come from the heap, not a fresh mmap per call
TRIM_THRESHOLD = 1 << 30  # free() keeps the heap's top instead of giving pages back to be faulted in again
CALIBRATE_S = 0.002  # a batch of calls lasts at least this long, so the clock's cost is negligible
WARMUP_S = 0.1  # untimed calls before a hot path's first window (at least two calls)


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


def _usage() -> dict:
    """This process's (and its finished children's) counters that say how disturbed a window was."""
    try:
        import resource
    except ImportError:
        return {}
    out = {"nivcsw": 0, "nvcsw": 0, "minflt": 0, "sys_seconds": 0.0}
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        r = resource.getrusage(who)
        out["nivcsw"] += r.ru_nivcsw
        out["nvcsw"] += r.ru_nvcsw
        out["minflt"] += r.ru_minflt
        out["sys_seconds"] += r.ru_stime
    return out


def _release_memory() -> None:
    """Give the previous hot path's freed memory back (glibc keeps freed heap pages otherwise), so
    that each hot path starts from about the same heap whatever ran before it in this worker."""
    if hasattr(gc, "unfreeze"):
        gc.unfreeze()
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


_ALLOCATOR = None  # what steady_allocator() set, for environment()


def steady_allocator():
    """Fix glibc's malloc thresholds for this process (mallopt), before anything is timed.

    By default glibc raises its mmap threshold, and with it the heap-trim threshold, each time a
    large mmapped block is freed, so whether a hot path's freed 4 MB tensors stay in the heap or
    are given back and faulted in again on the next call (hundreds of page faults per call, as
    system time) depends on what this process did before; in the all-hot-path
    A/A runs of protocol 3 that made one pair's ratio of backward_scalar(size=large) x0.71 and
    note_net_train_step's page faults per call vary 0-6000 between pairs. Fixed thresholds
    (setting them also turns the drift off) leave the same allocator behaviour in every worker.
    Returns what was set, or None where this is not glibc."""
    global _ALLOCATOR
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc
        return None
    m_trim_threshold, m_mmap_threshold = -1, -3
    ok = mallopt(m_mmap_threshold, MMAP_THRESHOLD) == 1 and mallopt(m_trim_threshold, TRIM_THRESHOLD) == 1
    _ALLOCATOR = {"malloc": "glibc", "mmap_threshold": MMAP_THRESHOLD, "trim_threshold": TRIM_THRESHOLD} if ok else None
    return _ALLOCATOR


SLICE_MAX_NS = 100 * 1000 * 1000  # the kernel's largest slice for a normal task
_SCHED_SETATTR = {"x86_64": 314, "aarch64": 274, "arm64": 274}  # syscall numbers
_SLICE = None  # what set_slice() got, for environment()


def set_slice(ms: float) -> "int | None":
    """Ask for a time slice of ``ms`` milliseconds for every thread of this process (the
    scheduler's ``sched_runtime`` of a SCHED_OTHER task; children inherit it). Returns the slice
    in ns the kernel reports back (older kernels accept the call and keep their own slice, and
    report that), or None where the call does not exist (not Linux, another architecture)."""
    global _SLICE
    import ctypes

    nr = _SCHED_SETATTR.get(platform.machine())
    if nr is None or not sys.platform.startswith("linux"):
        return None

    class Attr(ctypes.Structure):  # struct sched_attr, SCHED_ATTR_SIZE_VER1
        _fields_ = [("size", ctypes.c_uint32), ("policy", ctypes.c_uint32), ("flags", ctypes.c_uint64),
                    ("nice", ctypes.c_int32), ("priority", ctypes.c_uint32), ("runtime", ctypes.c_uint64),
                    ("deadline", ctypes.c_uint64), ("period", ctypes.c_uint64),
                    ("util_min", ctypes.c_uint32), ("util_max", ctypes.c_uint32)]

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        tids = [int(t) for t in os.listdir("/proc/self/task")]
    except OSError:
        return None
    want = max(100 * 1000, min(SLICE_MAX_NS, int(ms * 1e6)))
    got = None
    for tid in tids:
        attr = Attr(size=ctypes.sizeof(Attr), policy=0, nice=os.getpriority(os.PRIO_PROCESS, tid), runtime=want)
        if libc.syscall(nr, tid, ctypes.byref(attr), 0) != 0:
            continue  # a thread that just ended, or a kernel without the call
        back = Attr()
        if libc.syscall(nr + 1, tid, ctypes.byref(back), ctypes.sizeof(Attr), 0) == 0:  # sched_getattr
            got = int(back.runtime)
    _SLICE = got
    return got


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
            "allocator": _ALLOCATOR, "slice_ns": _SLICE, "slowdown": hotpaths.slowdowns(),
            "cases": [c["id"] for c in hotpaths.cases("cpu")]}


class Session:
    """One hot path at a time: prepare (build + warm up + calibrate), then go (timed window)."""

    def __init__(self, device: str, workdir: str):
        self.device, self.workdir = device, workdir
        self.fn, self.id, self.batch, self.seconds, self.min_calls = None, None, 1, 0.0, 1
        import torch

        self.sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
        self.by_id = None

    def prepare(self, case_id: str, seconds: float, warmup: float = WARMUP_S, min_calls: int = 1) -> dict:
        import torch

        from conformance.benchmarks import hotpaths

        if self.by_id is None:
            self.by_id = {c["id"]: c for c in hotpaths.cases(self.device)}
        self.fn, self.id, self.seconds, self.min_calls = None, case_id, seconds, max(1, int(min_calls))
        _release_memory()
        case = self.by_id.get(case_id)
        if case is None:
            return {"id": case_id, "unavailable": "no hot path %s on torch %s" % (case_id, torch.__version__)}
        torch.manual_seed(0)
        try:
            fn = hotpaths.make(case["name"], self.device, self.workdir, **case["params"])
            fn()  # first call: allocator, kernels, lazy modules
            self.sync()
            batch, calls, start = 1, 0, time.perf_counter()
            while True:  # warm up for `warmup` seconds, doubling the batch until it lasts CALIBRATE_S
                t = time.perf_counter()
                for _ in range(batch):
                    fn()
                self.sync()
                calls += batch
                took = time.perf_counter() - t
                if took < CALIBRATE_S and batch < 1 << 20:
                    batch *= 2
                elif time.perf_counter() - start >= warmup and calls >= 2:
                    break
            per_call = took / batch
        except hotpaths.Unavailable as why:
            return {"id": case_id, "unavailable": str(why)}
        except Exception as err:  # reported, not raised: the other hot paths still run
            return {"id": case_id, "error": "%s: %s" % (type(err).__name__, str(err).splitlines()[0] if str(err) else "")}
        self.fn, self.batch = fn, batch
        if hasattr(gc, "freeze"):  # Python 3.7+: later collections skip what exists now
            gc.freeze()
        return {"id": case_id, "ready": True, "batch": batch, "per_call": per_call, "warmup_calls": calls}

    def go(self) -> dict:
        fn, batch, sync, seconds, min_calls = self.fn, self.batch, self.sync, self.seconds, self.min_calls
        if fn is None:
            return {"id": self.id, "error": "go before a successful prepare"}
        calls = 0
        gc.collect()
        gc.disable()  # as timeit does
        try:
            for _ in range(batch):  # untimed: caches of a core the process may just have moved to
                fn()
            sync()
            before = _usage()
            cpu_start, start = cpu_seconds(), time.perf_counter()
            while True:
                for _ in range(batch):
                    fn()
                sync()
                calls += batch
                elapsed = time.perf_counter() - start
                if elapsed >= seconds and calls >= min_calls:
                    break
            cpu = cpu_seconds() - cpu_start
            after = _usage()
        except Exception as err:
            return {"id": self.id, "error": "%s: %s" % (type(err).__name__, str(err).splitlines()[0] if str(err) else "")}
        finally:
            gc.enable()
        reply = {"id": self.id, "calls": calls, "seconds": elapsed, "cpu_seconds": cpu}
        reply.update({k: after[k] - before[k] for k in after})
        return reply


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
    steady_allocator()
    _pin(args.cpu)
    _one_thread()
    if args.slice_ms:
        set_slice(args.slice_ms)  # after torch's threads exist; later ones inherit it
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
                reply = session.prepare(req["id"], float(req["seconds"]), float(req.get("warmup", WARMUP_S)),
                                        int(req.get("min_calls", 1)))
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
    p.add_argument("--slice-ms", type=float, help="ask the scheduler for this time slice (milliseconds)")
    p.add_argument("--device", default="cpu")
    args = p.parse_args(argv)
    if args.probe:
        try:
            import torch  # noqa: F401
        except Exception as err:  # ImportError, or a broken install raising OSError
            print(json.dumps({"error": "cannot import torch (%s: %s)" % (type(err).__name__, str(err).splitlines()[0] if str(err) else "")}))
            return 3
        steady_allocator()  # what the serving workers will set, so that the run's file records it
        try:
            env = environment()
        except ValueError as err:  # a malformed CONFORMANCE_BENCH_SLOWDOWN
            print(json.dumps({"error": str(err)}))
            return 3
        print(json.dumps(env))
        return 0
    if args.measure:
        steady_allocator()
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
