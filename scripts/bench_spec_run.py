"""How long one whole spec run takes, against `python -c "import torch, torchvision"`.

The budget (issue 2): a run of every spec on one release (CPU, hypothesis `ci` profile) takes
at most 6x the import. Both are measured here as whole processes, median of N runs, and
written to reports/speed.json. Usage: python scripts/bench_spec_run.py [--runs N]
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

BUDGET = 6.0


def wall(cmd, env=None):
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit("command failed (%d): %s\n%s" % (proc.returncode, " ".join(cmd), proc.stderr[-2000:]))
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--output", default=os.path.join("reports", "speed.json"))
    args = parser.parse_args()
    py = sys.executable
    conformance = os.path.join(os.path.dirname(py), "conformance")
    wall([py, "-c", "import torch, torchvision"])  # warm the file cache once
    imports = [wall([py, "-c", "import torch, torchvision"]) for _ in range(args.runs)]
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, CI="true")
        for i in range(args.runs):
            runs.append(wall([conformance, "run", "--devices", "cpu", "--results", os.path.join(tmp, "r%d.json" % i),
                              "-q", "-p", "no:warnings"], env=env))
    import torch

    result = {
        "import_s": round(statistics.median(imports), 2), "spec_run_s": round(statistics.median(runs), 2),
        "ratio": round(statistics.median(runs) / statistics.median(imports), 2), "budget_ratio": BUDGET,
        "runs": args.runs, "torch": torch.__version__, "python": platform.python_version(),
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
