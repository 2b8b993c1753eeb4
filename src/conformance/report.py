"""Markdown reports from results files only (no torch import).

- ``render_run(doc)``: one run, written by ``conformance run`` next to its results file.
- ``write_report(docs, out_dir)``: many runs (one per release): ``README.md`` with the claim x
  release matrix and where each claim changed, and ``claims/<id>.md`` per claim.
"""
from __future__ import annotations

import os
from typing import Any, Dict, List, Tuple

from . import claims as registry
from . import verdicts as V
from .history import claim_word, observation_changes, observations, release_of, show, sort_runs

LEGEND = (
    "Legend: " + " · ".join("%s %s" % (V.SYMBOLS[k], k) for k in
                            (V.HOLDS, V.HOLDS_WITH_CAVEAT, V.OUTDATED, V.WRONG, V.FAILING, V.NOT_RUN, V.NO_SPEC))
    + ". A verdict is shown only when the claim's specs passed on that release; "
    "💥 means the release does not behave as the kit declares for it."
)


def _sections(claim: Dict[str, Any]) -> str:
    return ", ".join("§%d" % s for s in claim["sections"])


def _env_line(doc: Dict[str, Any]) -> str:
    env = doc["environment"]
    skipped = "; ".join("%s skipped: %s" % kv for kv in sorted(env.get("devices_skipped", {}).items()))
    return "torch %s · python %s · torchvision %s · devices %s%s" % (
        env["torch"], env["python"], env.get("torchvision") or "not installed",
        ", ".join(env["devices"]) or "none", (" (" + skipped + ")") if skipped else "")


# ------------------------------------------------------------------------------ one run
def render_run(doc: Dict[str, Any]) -> str:
    lines = ["# torch-conformance run: torch %s" % doc["environment"]["torch"], "",
             _env_line(doc), "", "Generated from the results file by `conformance run`; the JSON has every "
             "observation in full.", "", "| claim | note | result | what is true on this release | observed |",
             "|---|---|---|---|---|"]
    for cid, claim in doc["claims"].items():
        exp = claim.get("expectation") or {}
        obs = observations(claim)
        observed = "<br>".join("`%s`: %s" % (k.split("].", 1)[-1], show(v, 120)) for k, v in list(obs.items())[:4])
        word = claim_word(claim)
        if claim["status"] == V.FAILING:
            failed = [s for s in claim["specs"] if s["outcome"] == "failed"]
            word += ": " + "; ".join("%s [%s] %s" % (s["name"], s["device"], show(s.get("message") or "", 160))
                                     for s in failed)
        elif claim["status"] == V.NOT_RUN and claim.get("skip_reasons"):
            word += " (%s)" % "; ".join(claim["skip_reasons"])
        lines.append("| `%s` | %s | %s %s | %s | %s |" % (cid, _sections(claim), V.SYMBOLS.get(claim_word(claim), ""),
                                                         word, exp.get("truth", ""), observed))
    lines += ["", LEGEND, ""]
    return "\n".join(lines)


# ------------------------------------------------------------------------------ many runs
def _changes(runs: List[Dict[str, Any]], cid: str) -> List[Tuple[str, List[str]]]:
    """[(release, [what changed from the previous run])] for one claim."""
    out = []
    for prev, cur in zip(runs, runs[1:]):
        a, b = prev["claims"].get(cid), cur["claims"].get(cid)
        if a is None or b is None:
            continue
        what = []
        if claim_word(a) != claim_word(b):
            what.append("%s → %s" % (claim_word(a), claim_word(b)))
        changed = observation_changes(a, b)
        if changed:
            what.append("observed: " + ", ".join(sorted({k.split("].", 1)[-1] for k, _, _ in changed})))
        if what:
            out.append((release_of(cur), what))
    return out


def _runs_of_equal(runs: List[Dict[str, Any]], value_of) -> List[Tuple[str, str, Any]]:
    """Group consecutive runs with equal value_of(run): [(first release, last release, value)]."""
    groups: List[List[Any]] = []
    for run in runs:
        value = value_of(run)
        if groups and groups[-1][2] == value:
            groups[-1][1] = release_of(run)
        else:
            groups.append([release_of(run), release_of(run), value])
    return [tuple(g) for g in groups]


def _span(first: str, last: str) -> str:
    return first if first == last else "%s – %s" % (first, last)


def render_claim_page(runs: List[Dict[str, Any]], cid: str) -> str:
    record = registry.BY_ID.get(cid)
    present = [r for r in runs if cid in r["claims"]]
    any_claim = present[-1]["claims"][cid]
    lines = ["# `%s` (%s)" % (cid, _sections(any_claim)), "",
             "**The note claims** (in the kit's words): %s" % any_claim["statement"], ""]
    lines += ["## What is true, by release", "", "| releases | result | what is true | since | evidence |",
              "|---|---|---|---|---|"]

    def verdict_of(run):
        c = run["claims"][cid]
        exp = c.get("expectation") or {}
        return (claim_word(c), exp.get("truth", ""), exp.get("since") or "", exp.get("evidence", ""))

    for first, last, (word, truth, since, evidence) in _runs_of_equal(present, verdict_of):
        lines.append("| %s | %s %s | %s | %s | %s |" % (_span(first, last), V.SYMBOLS.get(word, ""), word, truth,
                                                       since, evidence))
    failing = [(release_of(r), s) for r in present for s in r["claims"][cid]["specs"] if s["outcome"] == "failed"]
    if failing:
        lines += ["", "Failing specs:", ""]
        lines += ["- torch %s, `%s` [%s]: %s" % (rel, s["name"], s["device"], show(s.get("message") or "", 300))
                  for rel, s in failing]
    keys = sorted({k for r in present for k in observations(r["claims"][cid])})
    if keys:
        lines += ["", "## Observed, by release", "",
                  "Recorded by the specs on each run; a row per value, with the releases that showed it.", ""]
        for key in keys:
            groups = _runs_of_equal(present, lambda run: observations(run["claims"][cid]).get(key))
            lines.append("- `%s`" % key)
            for first, last, value in groups:
                lines.append("  - %s: %s" % (_span(first, last), "(not run)" if value is None else "`%s`" % show(value)))
    changes = _changes(present, cid)
    lines += ["", "## Changes", ""]
    lines += ["- torch %s: %s" % (rel, "; ".join(what)) for rel, what in changes] or ["None across the releases run."]
    specs = sorted({s["id"].split("::")[0].split("/")[-1] + "::" + s["name"] for r in present for s in r["claims"][cid]["specs"]})
    lines += ["", "## Specs", ""] + (["- `%s`" % s for s in specs] or ["No spec yet."])
    if record is not None:
        lines += ["", "Observes: %s" % (record.observe or "(nothing beyond pass/fail)")]
    lines.append("")
    return "\n".join(lines)


def render_index(runs: List[Dict[str, Any]]) -> str:
    releases = [release_of(r) for r in runs]
    lines = ["# PyTorch semantics across releases, claim by claim", "",
             "Generated by `conformance report` from %d results files in `reports/results/`; do not edit by hand." % len(runs),
             "Each row is a claim of the notes (the ID links to its page), each column a torch release the kit ran.",
             "", "## Runs", "", "| release | environment | label |", "|---|---|---|"]
    for r in runs:
        lines.append("| %s | %s | %s |" % (release_of(r), _env_line(r), r.get("label") or ""))
    lines += ["", "## Claims × releases", "", LEGEND, "",
              "| claim | note | " + " | ".join(releases) + " | changed in |",
              "|---|---|" + "---|" * len(releases) + "---|"]
    ids = [c.id for c in registry.CLAIMS] + sorted({cid for r in runs for cid in r["claims"]} - set(registry.BY_ID))
    for cid in ids:
        present = [r for r in runs if cid in r["claims"]]
        if not present:
            continue
        cells = [V.SYMBOLS.get(claim_word(r["claims"][cid]), "?") if cid in r["claims"] else " " for r in runs]
        changes = "; ".join("%s (%s)" % (rel, ", ".join(w.split(":")[0] for w in what)) for rel, what in _changes(present, cid))
        lines.append("| [`%s`](claims/%s.md) | %s | %s | %s |" % (cid, cid, _sections(present[-1]["claims"][cid]),
                                                                " | ".join(cells), changes or "—"))
    lines.append("")
    return "\n".join(lines)


def write_report(docs: List[Dict[str, Any]], out_dir: str) -> List[str]:
    runs = sort_runs(docs)
    written = []
    os.makedirs(os.path.join(out_dir, "claims"), exist_ok=True)
    path = os.path.join(out_dir, "README.md")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(render_index(runs))
    written.append(path)
    ids = sorted({cid for r in runs for cid in r["claims"]})
    for cid in ids:
        path = os.path.join(out_dir, "claims", "%s.md" % cid)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(render_claim_page(runs, cid))
        written.append(path)
    return written
