"""How long one whole spec run takes, against `python -c "import torch, torchvision"`.

The budget (issue 19): a run of every spec on one release (CPU, hypothesis `ci` profile) takes
at most 1.5x the import. The two are measured side by side as whole processes, alternating
(import, run, import, run, ...) so a host that drifts between fast and slow phases moves both
alike; the ratio is the median of the pairs' ratios. Written to reports/speed.json.
Usage: python scripts/bench_spec_run.py [--pairs N] [--output PATH]
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

BUDGET = 1.5


def wall(cmd, env=None):
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, universal_newlines=True, env=env)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit("command failed (%d): %s\n%s" % (proc.returncode, " ".join(cmd), proc.stderr[-2000:]))
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--output", default=os.path.join("reports", "speed.json"))
    args = parser.parse_args()
    py = sys.executable
    conformance = os.path.join(os.path.dirname(py), "conformance")
    importing = [py, "-c", "import torch, torchvision"]
    wall(importing)  # warm the file cache once
    pairs = []
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, CI="true")
        run = [conformance, "run", "--devices", "cpu", "--results", os.path.join(tmp, "r.json"), "-q", "-p", "no:warnings"]
        wall(run, env=env)  # warm once: first-use caches (hypothesis, pyc) are not the steady state
        for _ in range(args.pairs):
            pairs.append((wall(importing), wall(run, env=env)))
    import torch

    ratios = [r / i for i, r in pairs]
    result = {
        "import_s": round(statistics.median(i for i, _ in pairs), 2),
        "spec_run_s": round(statistics.median(r for _, r in pairs), 2),
        "ratio": round(statistics.median(ratios), 2), "ratios": [round(x, 2) for x in ratios],
        "budget_ratio": BUDGET, "pairs": args.pairs, "protocol": "alternating import/run, median of pair ratios",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "torch": torch.__version__, "python": platform.python_version(),
        "cores": os.cpu_count(), "measured": time.strftime("%Y-%m-%d"),
    }
    os.makedirs(os.path.dirname(args.output) or ".", exist_ok=True)
    with open(args.output, "w") as fh:
        json.dump(result, fh, indent=1)
        fh.write("\n")
    print(json.dumps(result))
    return 0 if result["ratio"] <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
