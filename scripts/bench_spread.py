#!/usr/bin/env python3
"""Where a bench-compare file's spread comes from, per hot path: the window-to-window spread of
the log ratio within a pair of workers, and the spread between pairs that the windows do not
explain (the process-level part: what a fresh pair of workers brings with it).

    python scripts/bench_spread.py reports/bench/compare/checks/aa-v2-0[1-3].json ...

Prints a Markdown table, one column per file: "within / between" (standard deviations of the
log ratio; between = sqrt(max(0, var(pair means) - mean within-variance / windows per pair))).
"""
import json
import math
import os
import statistics
import sys


def components(path):
    with open(path) as fh:
        doc = json.load(fh)
    out = {}
    for row in doc["results"]:
        by_pair = {}
        for s in row["samples"]:
            ratio = (s["candidate_cpu_s"] / s["candidate_calls"]) / (s["base_cpu_s"] / s["base_calls"])
            by_pair.setdefault(s["pair"], {}).setdefault(s["base_core"], []).append(math.log(ratio))
        means, within, windows = [], [], []
        for per_core in by_pair.values():
            if len(per_core) < 2:
                continue
            means.append(sum(sum(v) / len(v) for v in per_core.values()) / len(per_core))
            for v in per_core.values():
                if len(v) > 1:
                    within.append(statistics.variance(v))
                    windows.append(len(v))
        if len(means) < 2 or not within:
            continue
        sd_within = math.sqrt(statistics.mean(within))
        cores = max(len(per_core) for per_core in by_pair.values())
        explained = sd_within ** 2 / (cores * statistics.mean(windows))  # windows per core, cores per pair
        out[row["id"]] = (sd_within, math.sqrt(max(0.0, statistics.variance(means) - explained)))
    return out


def main(paths):
    if not paths:
        sys.exit("give bench-compare JSON files")
    cols = [components(p) for p in paths]
    print("| hot path | " + " | ".join(os.path.basename(p).replace(".json", "") for p in paths) + " |")
    print("|---|" + "---|" * len(paths))
    for hid in sorted(set().union(*cols)):
        print("| %s | %s |" % (hid, " | ".join("%.3f / %.3f" % c[hid] if hid in c else "—" for c in cols)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
