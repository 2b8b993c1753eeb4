"""The upgrade gate: compare a candidate run with a base run (results files only).

Exit status: 0 no breaking change, 1 breaking changes, 2 unusable input (one-line reason).

Breaking: a spec that passed now fails; a claim whose verdict got worse (holds -> outdated,
...); a claim verified on the base that the candidate could not check (coverage lost).
Informational: changed observations (a new warning, a reworded message, another type name),
improved verdicts, claims or specs that only one side has, and waived breaking changes.

Attribution: what else differs between the two environments (Python, numpy, torchvision, PIL,
platform, from the results' ``environment`` records) is listed at the top, and each change says
which of it may have caused it ("possibly caused by Python 3.8.18 → 3.10.13"; torchvision only
for claims whose specs use it, since it changes with every torch release).

A waiver file (JSON list of {"claim", "reason", "expires": "YYYY-MM-DD"}) turns a claim's
breaking changes into informational ones until it expires; expired waivers are reported and
do not apply.
"""
from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional

from . import verdicts as V
from .errors import UnusableInput
from .history import EnvChange, attribution, claim_word, environment_changes, observation_changes, spec_index
from .jsonio import read_json
from .md import cell, code, value_code, value_text

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class DiffInputError(UnusableInput):
    """Unusable input; the message is one line."""


@dataclass
class Change:
    claim: str
    kind: str  # short label
    detail: str
    breaking: bool
    waived_by: Optional[str] = None
    besides: str = ""  # what else changed in the environment, and whether it may be the cause




@dataclass
class DiffResult:
    base: Dict[str, Any]
    candidate: Dict[str, Any]
    changes: List[Change] = field(default_factory=list)
    expired_waivers: List[Dict[str, str]] = field(default_factory=list)
    environment: List[EnvChange] = field(default_factory=list)  # what else changed, besides torch
    packs: List[str] = field(default_factory=list)  # packs whose records or specs differ between the runs

    @property
    def possibly_environmental(self) -> List[Change]:
        """The changes that coincide with a change of the environment that may explain them."""
        return [c for c in self.changes if c.besides.startswith("possibly")]

    @property
    def breaking(self) -> List[Change]:
        return [c for c in self.changes if c.breaking and not c.waived_by]

    @property
    def informational(self) -> List[Change]:
        return [c for c in self.changes if not c.breaking or c.waived_by]

    @property
    def exit_code(self) -> int:
        return 1 if self.breaking else 0


def check_compatible(base: Dict[str, Any], cand: Dict[str, Any]) -> set:
    """The devices both runs used; raises DiffInputError when the runs cannot be compared."""
    if base["kit_version"] != cand["kit_version"]:
        raise DiffInputError("results come from different kit versions (%s vs %s): run both with the same kit"
                             % (base["kit_version"], cand["kit_version"]))
    common = set(base["environment"]["devices"]) & set(cand["environment"]["devices"])
    if not common:
        raise DiffInputError("the runs share no device (base %s, candidate %s): nothing to compare"
                             % (base["environment"]["devices"] or "none", cand["environment"]["devices"] or "none"))
    return common


def load_waivers(path: str, today: _dt.date, known: Optional[Iterable[str]] = None):
    """(active {claim: waiver}, expired [waiver]). A waiver must name a claim in ``known`` (when
    given) and expire on a strict YYYY-MM-DD date: a misspelt one would silently never apply."""
    known = set(known) if known is not None else None
    data = read_json(path, "waiver", DiffInputError)
    if isinstance(data, dict):
        data = data.get("waivers")
    if not isinstance(data, list):
        raise DiffInputError("%s: expected a list of waivers" % path)
    active, expired = {}, []
    for i, w in enumerate(data):
        if not isinstance(w, dict) or not all(isinstance(w.get(k), str) and w.get(k) for k in ("claim", "reason", "expires")):
            raise DiffInputError("%s: waiver %d needs non-empty 'claim', 'reason' and 'expires'" % (path, i))
        if known is not None and w["claim"] not in known:
            from .claims import unknown_message

            raise DiffInputError("%s: waiver %d names %s" % (path, i, unknown_message(w["claim"], known)))
        try:
            if not _DATE.match(w["expires"]):
                raise ValueError
            expires = _dt.date.fromisoformat(w["expires"])
        except ValueError:
            raise DiffInputError("%s: waiver %d: expires %r is not a YYYY-MM-DD date" % (path, i, w["expires"])) from None
        (expired.append(w) if expires < today else active.__setitem__(w["claim"], w))
    return active, expired


def diff(base: Dict[str, Any], cand: Dict[str, Any], waivers: Optional[Dict[str, Dict[str, str]]] = None,
         expired: Optional[List[Dict[str, str]]] = None) -> DiffResult:
    common_devices = check_compatible(base, cand)
    if not set(base["claims"]) & set(cand["claims"]):  # a gate never passes on nothing
        raise DiffInputError("the runs share no claim (base %d, candidate %d): nothing to compare"
                             % (len(base["claims"]), len(cand["claims"])))
    result = DiffResult(base, cand, expired_waivers=list(expired or []), environment=environment_changes(base, cand))
    for cid in sorted(set(base["claims"]) | set(cand["claims"])):
        a, b = base["claims"].get(cid), cand["claims"].get(cid)
        if b is None:  # the candidate does not even list it: a claim the base checked is no longer checked
            lost = a["status"] == V.PASSED
            result.changes.append(Change(cid, "coverage lost" if lost else "only in base",
                                         "%s → (absent from the candidate)" % claim_word(a), lost))
            continue
        if a is None:
            result.changes.append(Change(cid, "only in candidate", claim_word(b), False))
            continue
        result.changes.extend(_claim_changes(cid, a, b, common_devices))
    result.packs = pack_changes(base, cand)
    for cid in sorted(cand["claims"]):
        beyond = cand["claims"][cid].get("beyond_evidence")
        if beyond and cand["claims"][cid]["status"] == V.PASSED:
            result.changes.append(Change(cid, "beyond evidence", "judged on torch %s; its evidence ends at %s" % (
                cand["environment"].get("torch_release", cand["environment"]["torch"]), beyond), False))
    for change in result.changes:
        change.besides = attribution(result.environment, cand["claims"].get(change.claim) or base["claims"].get(change.claim))
        if change.breaking and waivers and change.claim in waivers:
            w = waivers[change.claim]
            change.waived_by = "%s (until %s)" % (w["reason"], w["expires"])
    return result


def _packs_of(doc: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    """{name: entry}; a file from before packs ran the notes pack alone (its hash unknown)."""
    entries = doc.get("packs")
    if entries is None:
        return {"notes": {"name": "notes", "version": "?", "sha256": None}}
    return {p["name"]: p for p in entries}


def pack_changes(base: Dict[str, Any], cand: Dict[str, Any]) -> List[str]:
    """Plain sentences for every pack whose content differs between the runs."""
    a, b = _packs_of(base), _packs_of(cand)
    out = []
    for name in sorted(set(a) | set(b)):
        if name not in b:
            out.append("pack %s ran in the base only: its claims are not checked by the candidate" % name)
        elif name not in a:
            out.append("pack %s ran in the candidate only" % name)
        elif a[name]["sha256"] and b[name]["sha256"] and a[name]["sha256"] != b[name]["sha256"]:
            out.append("pack %s changed between the runs (%s, %s… → %s, %s…): its records or specs differ, so a "
                       "change below may come from the pack, not from torch" % (
                           name, a[name]["version"], a[name]["sha256"][:12], b[name]["version"], b[name]["sha256"][:12]))
    return out


def _claim_changes(cid: str, a: Dict[str, Any], b: Dict[str, Any], devices) -> List[Change]:
    out = []
    wa, wb = claim_word(a), claim_word(b)
    if wa != wb:
        if a["status"] == V.PASSED and b["status"] == V.FAILING:
            out.append(Change(cid, "now failing", "%s → %s" % (wa, wb), True))
        elif a["status"] == V.PASSED and b["status"] in (V.NOT_RUN, V.NO_SPEC):
            reasons = "; ".join(b.get("skip_reasons") or []) or "not run"
            out.append(Change(cid, "coverage lost", "%s → %s (%s)" % (wa, wb, reasons), True))
        elif a["status"] == V.PASSED and b["status"] == V.PASSED:
            worse = V.VERDICT_RANK[b["verdict"]] > V.VERDICT_RANK[a["verdict"]]
            truth = (b.get("expectation") or {}).get("truth", "")
            out.append(Change(cid, "verdict worse" if worse else "verdict better", "%s → %s: %s" % (wa, wb, truth), worse))
        else:
            out.append(Change(cid, "status", "%s → %s" % (wa, wb), False))
    sa, sb = spec_index(a), spec_index(b)
    for key in sorted(set(sa) & set(sb)):
        if key[1] not in devices and key[1] not in ("any",) and "+" not in key[1]:
            continue
        if sa[key]["outcome"] == "passed" and sb[key]["outcome"] == "failed":
            out.append(Change(cid, "spec now fails", "%s [%s]: %s" % (
                code(key[0]), key[1], value_text(sb[key].get("message") or "", 300)), True))
    for k, before, after in observation_changes(a, b):
        out.append(Change(cid, "observed", "%s: %s → %s" % (code(k), value_code(before, 300), value_code(after, 300)), False))
    return out


def render_markdown(result: DiffResult) -> str:
    be, ce = result.base["environment"], result.candidate["environment"]
    head = "## torch-conformance diff: torch %s → %s" % (value_text(be["torch"]), value_text(ce["torch"]))
    verdict = ("**%d breaking change(s)**" % len(result.breaking)) if result.breaking else "**No breaking change.**"
    lines = [head, "", verdict + " %d informational." % len(result.informational), ""]
    if result.environment:
        lines += ["**Besides torch, the environment changed**: %s. A change below that coincides with one of "
                  "these says so (*possibly caused by*): torch may not be the cause." % "; ".join(
                      value_text(c.text()) for c in result.environment), ""]
    else:
        lines += ["Besides torch, the environments are the same (Python, numpy, torchvision, PIL, platform).", ""]
    if result.packs:
        lines += ["**Packs**: %s." % "; ".join(value_text(p) for p in result.packs), ""]
    extra = bool(result.environment)
    header = ["| claim | change | detail | besides torch |", "|---|---|---|---|"] if extra else \
        ["| claim | change | detail |", "|---|---|---|"]

    def row(c: Change, kind: str) -> str:
        cells = [code(c.claim), cell(kind), cell(c.detail)] + ([cell(c.besides or "—")] if extra else [])
        return "| %s |" % " | ".join(cells)

    if result.breaking:
        lines += ["### Breaking", ""] + header
        lines += [row(c, c.kind) for c in result.breaking]
        lines.append("")
    if result.informational:
        lines += ["### Informational", ""] + header
        for c in result.informational:
            lines.append(row(c, "%s (waived: %s)" % (c.kind, c.waived_by) if c.waived_by else c.kind))
        lines.append("")
    if result.expired_waivers:
        lines += ["### Expired waivers (not applied)", ""]
        lines += ["- %s: %s (expired %s)" % (code(w["claim"]), value_text(w["reason"]), w["expires"])
                  for w in result.expired_waivers]
        lines.append("")
    return "\n".join(lines)


def today() -> _dt.date:
    fixed = os.environ.get("CONFORMANCE_TODAY")  # for reproducible tests of waiver expiry
    return _dt.date.fromisoformat(fixed) if fixed else _dt.date.today()
