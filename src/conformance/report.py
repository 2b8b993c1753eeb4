"""Markdown reports from results files only (no torch import).

- ``render_run(doc)``: one run, written by ``conformance run`` next to its results file.
- ``write_report(docs, out_dir)``: many runs (one per release): ``README.md`` (the claim x
  release matrix, where behaviour changed and where only a message was reworded, each change
  with what else changed in the environment and "possibly caused by" where that may explain it),
  ``GUIDE.md`` (the notes' idioms, what to write today: see guide.py), ``claims/<id>.md`` per
  claim (a plain answer, a runnable example, the verdicts, the spec source, every value
  observed) and ``matrix.png`` (the matrix as a picture; skipped, with one line on stderr,
  when matplotlib is missing).

Values are shown as they were recorded: a recorded ``None`` is ``None``; a value the spec did
not record on a release (another branch ran) is "not recorded"; a spec that did not run is
"not run" with the reason. Control characters are made visible (ESC as ␛), long texts are cut
on the line and given in full in a collapsible block.
"""
from __future__ import annotations

import io
import json
import os
import re
import sys
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from . import claims as registry
from . import verdicts as V
from .history import (attribution, claim_word, environment_changes, float_rounding_only, observation_changes,
                      observations, release_of, sort_runs, spec_index, suspects)
from .jsonio import atomic_write_bytes, atomic_write_text
from .md import cell, code, visible
from .reach import reach_section

LEGEND = (
    "Legend: " + " · ".join("%s %s" % (V.SYMBOLS[k], k) for k in V.DISPLAY_ORDER)
    + ". A verdict is shown only when the claim's specs passed on that release; "
    "💥 means the release does not behave as the kit declares for it."
)
BEHAVIOUR_MARK = "◆"
WORDING_MARK = "✎"
MARKS = ("%s behaviour changed on this release (a verdict, an error type, a value, an error or warning that "
         "appears or goes away); %s only the wording of a message changed. Both compare with the previous "
         "release on which the claim's specs ran." % (BEHAVIOUR_MARK, WORDING_MARK))
SHORT = 160  # characters of a value shown on its line; the rest in a collapsible block


# ------------------------------------------------------------------------------ text helpers
def fenced(text: str, lang: str = "") -> List[str]:
    """A fenced code block (the fence longer than any backtick run inside)."""
    runs = [len(r) for r in re.findall("`{3,}", text)]
    fence = "`" * max([3] + [r + 1 for r in runs])
    return [fence + lang] + text.rstrip("\n").split("\n") + [fence]


def details(summary: str, body: List[str], indent: str = "") -> List[str]:
    """A collapsible block (GitHub renders Markdown inside it after a blank line)."""
    return [indent + line if line else "" for line in
            ["<details><summary>%s</summary>" % summary, ""] + body + ["", "</details>"]]


def describe(value: Any, quote: bool = True) -> Tuple[str, str]:
    """(one line, full text) of a recorded value. Errors read 'Type: message', warnings
    'Category: message', strings are quoted (unless ``quote`` is False), other values are JSON;
    None is None."""
    if value is None:
        return "None", "None"
    if isinstance(value, dict) and set(value) == {"type", "message"}:
        full = "%s: %s" % (value["type"], value["message"])
    elif (isinstance(value, list) and value
          and all(isinstance(w, dict) and set(w) == {"category", "message"} for w in value)):
        full = "\n".join("%s: %s" % (w["category"], w["message"]) for w in value)
    elif isinstance(value, str):
        full = ('"%s"' % value) if quote else value
    else:
        full = json.dumps(value, ensure_ascii=False, sort_keys=True)
    full = visible(full, keep_lines=True)
    line = " ".join(full.split())
    if len(line) > SHORT:
        line = line[:SHORT] + "…"
    return line, full


def _env_line(doc: Dict[str, Any]) -> str:
    env = doc["environment"]
    skipped = "; ".join("%s skipped: %s" % kv for kv in sorted(env.get("devices_skipped", {}).items()))
    return "torch %s · python %s · torchvision %s · devices %s%s" % (
        env["torch"], env["python"], env.get("torchvision") or "not installed",
        ", ".join(env["devices"]) or "none", (" (" + skipped + ")") if skipped else "")


def _sections(claim: Dict[str, Any]) -> str:
    return registry.section_label(claim["sections"])


# ------------------------------------------------------------------------------ one run
def render_run(doc: Dict[str, Any]) -> str:
    lines = ["# torch-conformance run: torch %s" % doc["environment"]["torch"], "",
             _env_line(doc), "", "Generated from the results file by `conformance run`; the JSON has every "
             "observation in full.", "", "| claim | note | result | what is true on this release | observed |",
             "|---|---|---|---|---|"]
    for cid, claim in doc["claims"].items():
        exp = claim.get("expectation") or {}
        obs = observations(claim)
        observed = "<br>".join("%s: %s" % (code(k.split("].", 1)[-1]), code(describe(v)[0][:120]))
                               for k, v in list(obs.items())[:4])
        word = claim_word(claim)
        if claim["status"] == V.FAILING:
            failed = [s for s in claim["specs"] if s["outcome"] == "failed"]
            word += ": " + "; ".join("%s [%s] %s" % (s["name"], s["device"], describe(s.get("message") or "", quote=False)[0])
                                     for s in failed)
        elif claim["status"] == V.NOT_RUN and claim.get("skip_reasons"):
            word += " (%s)" % "; ".join(claim["skip_reasons"])
        lines.append("| `%s` | %s | %s %s | %s | %s |" % (cid, _sections(claim), V.SYMBOLS.get(claim_word(claim), ""),
                                                         cell(word), cell(exp.get("truth", "")), cell(observed)))
    lines += ["", LEGEND, ""]
    return "\n".join(lines)


# ------------------------------------------------------------------------------ changes
@dataclass(frozen=True)
class Change:
    release: str
    previous: str  # the previous release on which the claim's specs ran
    kind: str  # "behaviour" or "wording"
    what: str  # Markdown
    besides: str = ""  # what else changed in the environment between the two runs ('' nothing)
    suspects: Tuple[str, ...] = ()  # names of those changes that may have caused it (Python, numpy, ...)


def _ran(claim: Optional[Dict[str, Any]]) -> bool:
    return claim is not None and claim["status"] in (V.PASSED, V.FAILING)


def _is_error(v: Any) -> bool:
    return isinstance(v, dict) and set(v) == {"type", "message"}


def _is_warnings(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(w, dict) and set(w) == {"category", "message"} for w in v)


_MESSAGE_KEY = re.compile(r"error|message|warning", re.I)
_MISSING = object()


def classify(key: str, old: Any, new: Any) -> Optional[Tuple[str, str]]:
    """(kind, description) of one observation that differs between two runs, or None if equal.
    A missing value (the spec did not record it) is ``_MISSING``, distinct from a recorded None."""
    if old == new and (old is _MISSING) == (new is _MISSING):
        return None
    if float_rounding_only(old, new):
        return None
    name = code(key)
    if old is _MISSING or new is _MISSING:
        there = new if old is _MISSING else old
        if _is_error(there):
            what = "raises %s now" if old is _MISSING else "no longer raises %s"
            return "behaviour", "%s: %s" % (name, what % code(there["type"]))
        shown = describe(there)[0]
        shown = shown if len(shown) <= 60 else shown[:60] + "…"
        if old is _MISSING:
            return "behaviour", "%s now recorded: %s" % (name, code(shown))
        return "behaviour", "%s no longer recorded (was %s)" % (name, code(shown))
    if _is_error(old) and _is_error(new):
        if old["type"] != new["type"]:
            return "behaviour", "%s raises %s instead of %s" % (name, code(new["type"]), code(old["type"]))
        return "wording", "%s: the %s message was reworded" % (name, code(new["type"]))
    if (old is None) != (new is None) and (_is_error(old) or _is_error(new)):
        if new is None:
            return "behaviour", "%s: no error any more (was %s)" % (name, code(old["type"]))
        return "behaviour", "%s: raises %s now" % (name, code(new["type"]))
    if _is_warnings(old) and _is_warnings(new):
        cats_old, cats_new = [w["category"] for w in old], [w["category"] for w in new]
        if cats_old != cats_new:
            return "behaviour", "%s: %s → %s" % (name, code(", ".join(cats_old) or "no warning"),
                                                 code(", ".join(cats_new) or "no warning"))
        return "wording", "%s: the warning text was reworded" % name
    if isinstance(old, str) and isinstance(new, str) and _MESSAGE_KEY.search(key):
        return "wording", "%s: the message was reworded" % name
    return "behaviour", "%s: %s → %s" % (name, code(describe(old)[0]), code(describe(new)[0]))


def changes(runs: List[Dict[str, Any]], cid: str) -> List[Change]:
    """What changed for one claim between consecutive releases on which its specs ran."""
    out: List[Change] = []
    ran = [r for r in runs if _ran(r["claims"].get(cid))]
    for prev, cur in zip(ran, ran[1:]):
        a, b = prev["claims"][cid], cur["claims"][cid]
        rel, prel = release_of(cur), release_of(prev)
        env = environment_changes(prev, cur)
        note = dict(besides=attribution(env, b), suspects=tuple(c.name for c in suspects(env, b)))
        if claim_word(a) != claim_word(b):
            out.append(Change(rel, prel, "behaviour", "verdict %s → %s" % (claim_word(a), claim_word(b)), **note))
        ea, eb = a.get("expectation") or {}, b.get("expectation") or {}
        if claim_word(a) == claim_word(b) and ea.get("key") != eb.get("key"):
            out.append(Change(rel, prel, "behaviour", "the kit expects other behaviour: %s → %s"
                              % (code(str(ea.get("key"))), code(str(eb.get("key")))), **note))
        for key, before, after in observation_changes(a, b, missing=_MISSING):
            found = classify(key.split("].", 1)[-1], before, after)
            if found:
                out.append(Change(rel, prel, found[0], found[1], **note))
    return out


def _change_marks(runs: List[Dict[str, Any]], cid: str) -> Dict[str, str]:
    """release -> the mark of its change ('◆' behaviour, '✎' wording only)."""
    marks: Dict[str, str] = {}
    for ch in changes(runs, cid):
        if ch.kind == "behaviour":
            marks[ch.release] = BEHAVIOUR_MARK
        else:
            marks.setdefault(ch.release, WORDING_MARK)
    return marks


# ------------------------------------------------------------------------------ spans of runs
def _spans(runs: List[Dict[str, Any]], indices: Sequence[int]) -> str:
    """'1.4.0 – 1.8.1, 2.0.1' for run indices (consecutive indices merge into a span)."""
    parts: List[List[int]] = []
    for i in sorted(indices):
        if parts and parts[-1][1] == i - 1:
            parts[-1][1] = i
        else:
            parts.append([i, i])
    return ", ".join(release_of(runs[a]) if a == b else "%s – %s" % (release_of(runs[a]), release_of(runs[b]))
                     for a, b in parts)


def _group(runs: List[Dict[str, Any]], value_of: Callable[[Dict[str, Any]], Any]) -> List[Tuple[Any, List[int]]]:
    """[(value, [run indices])] in order of first appearance; equal values merge even when
    other values lie between them."""
    groups: List[Tuple[Any, List[int]]] = []
    keys: Dict[str, int] = {}
    for i, run in enumerate(runs):
        value = value_of(run)
        k = json.dumps(value, sort_keys=True, default=str)
        if k not in keys:
            keys[k] = len(groups)
            groups.append((value, []))
        groups[keys[k]][1].append(i)
    return groups


def _short_reason(reason: str) -> str:
    return reason.split(" (", 1)[0].strip()


# ------------------------------------------------------------------------------ claim page
def _example_block(cid: str) -> List[str]:
    from .examples import example_for
    from .explain import shown_path
    from .guide import today_expectation

    ex = example_for(cid)
    if ex is None:
        return []
    today = today_expectation(cid)
    rng = today.versions if today is not None else "any release"
    needs = (" (needs %s)" % ", ".join(ex.needs)) if ex.needs else ""
    return ["### Example", "",
            "For torch %s%s. The kit's tests run this text as it stands against the installed torch "
            "(`tests/test_examples.py`; source `%s`, `%s`)." % (rng, needs, shown_path(ex.path), ex.function),
            ""] + fenced(ex.source, "python") + [""]


def _answer_block(runs: List[Dict[str, Any]], cid: str) -> List[str]:
    from .guide import _anchor, changed_in, latest_run_of, today_expectation, topic_of

    record = registry.BY_ID.get(cid)
    if record is None or not record.answer:
        return []
    answer = record
    lines = []
    run = latest_run_of(runs, cid)
    if run is not None:
        word = claim_word(run["claims"][cid])
        lines.append("**Today** (torch %s: %s %s): %s" % (release_of(run), V.SYMBOLS.get(word, ""), word,
                                                          answer.answer))
    else:
        lines.append("**Today**: %s" % answer.answer)
    lines.append("")
    today = today_expectation(cid)
    oldest = release_of(runs[0]) if runs else None
    if today is not None and today.since:
        older = [e for e in record.expectations if e is not today]
        before = " ".join("On torch %s: %s" % (e.versions, e.truth) for e in older)
        lines += ["**Changed in %s.** %s" % (changed_in(cid, oldest), before or "Before that the note's form held."), ""]
    else:
        lines += ["**Changed in**: no release; the same on every release run.", ""]
    topic = topic_of(cid)
    lines += ["**The note's setting.** %s" % answer.setting, ""]
    if topic is not None:
        lines += ["Topic in the guide: [%s](../GUIDE.md#%s)." % (topic.title, _anchor(topic.title)), ""]
    return lines


def _observation_state(run: Dict[str, Any], cid: str, key: str) -> Tuple[str, Any]:
    """('value', v) | ('missing', why) | ('not-run', reason) for one observation in one run."""
    claim = run["claims"].get(cid)
    spec_key = key.split("].", 1)[0] + "]"
    name, device = spec_key[:-1].split("[", 1)
    spec = spec_index(claim).get((name, device)) if claim else None
    if spec is None:
        return "not-run", "no such spec in this run"
    if spec["outcome"] == "skipped":
        return "not-run", _short_reason(spec.get("message") or "skipped")
    obs = spec.get("observations", {})
    field = key.split("].", 1)[1]
    if field in obs:
        return "value", obs[field]
    if spec["outcome"] == "failed":
        return "missing", "the spec failed before recording it"
    return "missing", "the spec ran and did not record it on this release"


def _observed_section(runs: List[Dict[str, Any]], cid: str) -> List[str]:
    present = [r for r in runs if cid in r["claims"]]
    keys = sorted({k for r in present for k in observations(r["claims"][cid])})
    if not keys:
        return []
    lines = ["## Observed, by release", "",
             "What the specs recorded on each release, one line per distinct value with the releases that "
             "showed it. `None` is a recorded None; *not recorded* means the spec ran but did not record the "
             "value on that release (another branch of the spec ran); *not run* means the spec did not run.", ""]
    for key in keys:
        spec_key, field = key.split("].", 1)
        name, device = spec_key.split("[", 1)
        lines.append("- %s [%s] · %s" % (code(name), device, code(field)))
        for (state, value), idx in _group(runs, lambda run: _observation_state(run, cid, key)):
            when = _spans(runs, idx)
            if state == "value":
                line, full = describe(value)
                lines.append("  - %s: %s" % (when, code(line)))
                if line != " ".join(full.split()) or "\n" in full:
                    lines += details("full text", fenced(full, "text"), indent="    ")
            elif state == "missing":
                lines.append("  - %s: *not recorded* (%s)" % (when, value))
            else:
                lines.append("  - %s: *not run* (%s)" % (when, value))
    return lines + [""]


def _verdict_section(runs: List[Dict[str, Any]], cid: str) -> List[str]:
    present = [i for i, r in enumerate(runs) if cid in r["claims"]]
    lines = ["## What is true, by release", "",
             "| torch range | releases run, by result | what is true | since | evidence |", "|---|---|---|---|---|"]

    def expectation(run):
        c = run["claims"].get(cid)
        return (c.get("expectation") or {}) if c else None

    for exp, idx in _group(runs, expectation):
        idx = [i for i in idx if i in present]
        if exp is None or not idx:
            continue
        by_word = _group([runs[i] for i in idx], lambda run: claim_word(run["claims"][cid]))
        results = []
        for word, sub in by_word:
            text = "%s %s: %s" % (V.SYMBOLS.get(word, ""), word, _spans(runs, [idx[j] for j in sub]))
            if word == V.NOT_RUN:
                reasons = sorted({_short_reason(r) for j in sub for r in runs[idx[j]]["claims"][cid].get("skip_reasons", [])
                                  if not r.startswith("CUDA") and not r.startswith("needs cuda")})
                if reasons:
                    text += " (%s)" % "; ".join(reasons)
            results.append(text)
        lines.append("| %s | %s | %s | %s | %s |" % (
            cell(exp.get("versions") or "any"), "<br>".join(cell(t) for t in results), cell(exp.get("truth", "")),
            cell(exp.get("since") or ""), cell(exp.get("evidence", ""))))
    lines += ["", _devices_line(runs, cid), ""]
    failing = [(release_of(r), s) for r in runs if cid in r["claims"]
               for s in r["claims"][cid]["specs"] if s["outcome"] == "failed"]
    if failing:
        lines += ["Failing specs:", ""]
        for rel, s in failing:
            line, full = describe(s.get("message") or "", quote=False)
            lines.append("- torch %s, %s [%s]: %s" % (rel, code(s["name"]), s["device"], code(line)))
            if line != " ".join(full.split()) or "\n" in full:
                lines += details("full message", fenced(full, "text"), indent="  ")
        lines.append("")
    return lines


def _devices_line(runs: List[Dict[str, Any]], cid: str) -> str:
    ran, skipped = set(), {}
    for r in runs:
        c = r["claims"].get(cid)
        for s in (c or {}).get("specs", []):
            if s["outcome"] == "skipped":
                skipped.setdefault(s["device"], set()).add(_short_reason(s.get("message") or "skipped"))
            else:
                ran.add(s["device"])
    names = {"any": "the host (no device parameter)"}
    parts = ["Ran on: %s." % (", ".join(names.get(d, d) for d in sorted(ran)) or "nothing")]
    never = {d: why for d, why in skipped.items() if d not in ran}
    if never:
        parts.append("Never ran on: %s." % "; ".join("%s (%s)" % (names.get(d, d), "; ".join(sorted(why)))
                                                     for d, why in sorted(never.items())))
    return " ".join(parts)


def _spec_section(cid: str, runs: List[Dict[str, Any]]) -> List[str]:
    from .specsource import spec_sources

    sources = spec_sources(cid)
    if not sources:
        names = sorted({s["name"] for r in runs if cid in r["claims"] for s in r["claims"][cid]["specs"]})
        return ["## Specs", ""] + (["- %s" % code(n) for n in names] or ["No spec yet."]) + [""]
    lines = ["## Specs", "",
             "The specs that check this claim, as they stand in its pack; `claim.expects(...)` "
             "picks the behaviour declared for the release under test, `claim.observe(...)` records the values "
             "shown above.", ""]
    for src in sources:
        lines += ["### %s" % code(src.ref), ""] + fenced(src.source, "python") + [""]
        if src.helpers:
            body: List[str] = []
            for _name, text in src.helpers:
                body += fenced(text, "python") + [""]
            lines += details("helpers it uses: %s" % ", ".join(n for n, _ in src.helpers), body[:-1]) + [""]
    return lines


def _changes_section(runs: List[Dict[str, Any]], cid: str) -> List[str]:
    found = changes(runs, cid)
    lines = ["## Changes", ""]
    for kind, title, mark in (("behaviour", "Behaviour", BEHAVIOUR_MARK), ("wording", "Wording only", WORDING_MARK)):
        items: Dict[Tuple[str, str, str], List[str]] = {}
        for ch in found:
            if ch.kind == kind:
                items.setdefault((ch.release, ch.previous, ch.besides), []).append(ch.what)
        if items:
            lines.append("%s %s:" % (mark, title))
            lines.append("")
            lines += ["- torch %s (after %s): %s%s" % (rel, prev, "; ".join(what), " — *%s*" % besides if besides else "")
                      for (rel, prev, besides), what in items.items()]
            lines.append("")
    if len(lines) == 2:
        lines += ["None across the releases run.", ""]
    return lines


def render_claim_page(runs: List[Dict[str, Any]], cid: str) -> str:
    record = registry.BY_ID.get(cid)
    present = [r for r in runs if cid in r["claims"]]
    any_claim = present[-1]["claims"][cid]
    lines = ["# %s (%s)" % (code(cid), _sections(any_claim)), "",
             "[Guide](../GUIDE.md) · [all claims](../README.md)", ""]
    lines += _answer_block(runs, cid)
    lines += ["**The note claims** (in the kit's words): %s" % any_claim["statement"], ""]
    if record is not None and record.observe:
        lines += ["The specs record: %s." % record.observe, ""]
    lines += _example_block(cid)
    lines += _verdict_section(runs, cid)
    lines += reach_section(record)
    lines += _spec_section(cid, runs)
    lines += _observed_section(runs, cid)
    lines += _changes_section(runs, cid)
    return "\n".join(lines).rstrip("\n") + "\n"


# ------------------------------------------------------------------------------ index
def _claim_ids(runs: List[Dict[str, Any]]) -> List[str]:
    ids = [c.id for c in registry.CLAIMS] + sorted({cid for r in runs for cid in r["claims"]} - set(registry.BY_ID))
    return [cid for cid in ids if any(cid in r["claims"] for r in runs)]


def render_index(runs: List[Dict[str, Any]]) -> str:
    releases = [release_of(r) for r in runs]
    lines = ["# PyTorch semantics across releases, claim by claim", "",
             "Generated by `conformance report` from %d results files in `reports/results/`; do not edit by hand." % len(runs),
             "Each row is a claim of the notes (the ID links to its page), each column a torch release the kit ran.",
             "Looking for what an idiom of the notes means today? Start with the [guide](GUIDE.md).",
             "", "## Runs", "", "| release | environment | label |", "|---|---|---|"]
    for r in runs:
        lines.append("| %s | %s | %s |" % (release_of(r), cell(_env_line(r)), cell(r.get("label") or "")))
    lines += _environment_section(runs)
    lines += ["", "## Claims × releases", "", LEGEND, "", MARKS, "", ATTRIBUTION, "",
              "![The claim × release matrix as a picture](matrix.png)", "",
              "| claim | note | " + " | ".join(releases) + " | behaviour changed in | reworded in |",
              "|---|---|" + "---|" * len(releases) + "---|---|"]
    for cid in _claim_ids(runs):
        present = [r for r in runs if cid in r["claims"]]
        marks = _change_marks(runs, cid)
        cells = [(V.SYMBOLS.get(claim_word(r["claims"][cid]), "?") + marks.get(release_of(r), ""))
                 if cid in r["claims"] else " " for r in runs]
        found = changes(runs, cid)
        behaviour = sorted({c.release for c in found if c.kind == "behaviour"}, key=releases.index)
        wording = sorted({c.release for c in found if c.kind == "wording"} - set(behaviour), key=releases.index)
        causes = {c.release: c.suspects for c in found if c.suspects}
        listed = [", ".join(r + (" (possibly caused by %s)" % ", ".join(causes[r]) if r in causes else "") for r in rels)
                  for rels in (behaviour, wording)]
        lines.append("| [`%s`](claims/%s.md) | %s | %s | %s | %s |" % (
            cid, cid, _sections(present[-1]["claims"][cid]), " | ".join(cells),
            cell(listed[0]) or "—", cell(listed[1]) or "—"))
    lines.append("")
    return "\n".join(lines)


ATTRIBUTION = ("Where the environment changed besides torch between a release and the one before it (see "
               "*What else changed between runs*), a change there says *possibly caused by* Python, numpy, PIL "
               "or the platform, and by torchvision for the claims whose specs use it (it changes with every "
               "torch release).")


def _environment_section(runs: List[Dict[str, Any]]) -> List[str]:
    """Which consecutive runs differ in more than torch: Python, numpy, torchvision, PIL, platform."""
    rows = []
    for prev, cur in zip(runs, runs[1:]):
        env = [c for c in environment_changes(prev, cur) if c.key != "torchvision"]
        if env:
            rows.append("| %s | %s | %s |" % (release_of(cur), release_of(prev), cell("; ".join(c.text() for c in env))))
    lines = ["", "## What else changed between runs", ""]
    if not rows:
        return lines + ["Besides torch and its torchvision, every run had the same environment (Python, numpy, "
                        "PIL, platform)."]
    return lines + ["Besides torch and its torchvision (which changes with every release): a change of a claim on one "
                    "of these releases may come from the environment as well as from torch.", "",
                    "| release | after | what else changed |", "|---|---|---|"] + rows


# ------------------------------------------------------------------------------ picture
COLOURS = {V.HOLDS: "#4caf50", V.HOLDS_WITH_CAVEAT: "#ffc107", V.OUTDATED: "#90a4ae", V.WRONG: "#e53935",
           V.FAILING: "#6a1b9a", V.NOT_RUN: "#e0e0e0", V.NO_SPEC: "#ffffff"}


def draw_matrix(runs: List[Dict[str, Any]], path: str) -> bool:
    """The claim x release matrix as a PNG: one cell per claim and release, coloured by verdict,
    ◆ where behaviour changed. False (nothing written) when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.patches import Patch, Rectangle
    except ImportError:
        return False
    ids = _claim_ids(runs)
    releases = [release_of(r) for r in runs]
    fig_w, fig_h = 3.2 + 0.42 * len(releases), 1.6 + 0.24 * len(ids)
    fig, ax = plt.subplots(figsize=(fig_w, fig_h), dpi=110)
    for row, cid in enumerate(ids):
        marks = _change_marks(runs, cid)
        for col, run in enumerate(runs):
            claim = run["claims"].get(cid)
            word = claim_word(claim) if claim else None
            colour = COLOURS.get(word, "#ffffff") if word else "#ffffff"
            ax.add_patch(Rectangle((col, row), 1, 1, facecolor=colour, edgecolor="#bdbdbd", linewidth=0.5))
            if word == V.NOT_RUN:
                ax.text(col + 0.5, row + 0.5, "·", ha="center", va="center", fontsize=8, color="#616161")
            if marks.get(release_of(run)) == BEHAVIOUR_MARK:
                ax.plot([col + 0.08], [row + 0.5], marker="D", markersize=3.2, color="black")
    ax.set_xlim(0, len(releases))
    ax.set_ylim(len(ids), 0)
    ax.set_xticks([i + 0.5 for i in range(len(releases))])
    ax.set_xticklabels(releases, rotation=90, fontsize=7)
    ax.set_yticks([i + 0.5 for i in range(len(ids))])
    ax.set_yticklabels(ids, fontsize=7)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    handles = [Patch(facecolor=COLOURS[k], edgecolor="#bdbdbd", label=k) for k in V.DISPLAY_ORDER if k != V.NO_SPEC]
    handles.append(plt.Line2D([], [], marker="D", color="black", linestyle="none", markersize=4,
                              label="behaviour changed"))
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, fontsize=7, frameon=False)
    ax.set_title("Claims of the notes × torch releases", fontsize=9, pad=34)
    fig.tight_layout()
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", metadata={"Software": None})
    finally:
        plt.close(fig)
    atomic_write_bytes(path, buffer.getvalue())
    return True


# ------------------------------------------------------------------------------ writing
def render_all(docs: List[Dict[str, Any]]) -> Dict[str, str]:
    """Every Markdown file of the report: {path relative to the output folder: text}."""
    from .guide import render_guide

    runs = sort_runs(docs)
    pages = {"README.md": render_index(runs), "GUIDE.md": render_guide(runs)}
    for cid in sorted({cid for r in runs for cid in r["claims"]}):
        pages[os.path.join("claims", "%s.md" % cid)] = render_claim_page(runs, cid)
    return pages


def write_report(docs: List[Dict[str, Any]], out_dir: str,
                 say: Optional[Callable[[str], None]] = None) -> List[str]:
    """Write README.md, GUIDE.md, claims/*.md and matrix.png under ``out_dir``; returns the paths
    written. Without matplotlib the picture is skipped and ``say`` (default: stderr) gets one line."""
    os.makedirs(os.path.join(out_dir, "claims"), exist_ok=True)
    written = []
    for rel, text in render_all(docs).items():
        path = os.path.join(out_dir, rel)
        atomic_write_text(path, text)
        written.append(path)
    picture = os.path.join(out_dir, "matrix.png")
    if draw_matrix(sort_runs(docs), picture):
        written.append(picture)
    else:
        message = "report: matplotlib is not installed; the matrix picture (%s) was skipped" % picture
        if say is None:
            print(message, file=sys.stderr)
        else:
            say(message)
    return written
