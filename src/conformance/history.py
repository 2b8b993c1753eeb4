"""What changed between runs of the kit: shared by the report (many releases) and the diff
(two runs). Works on validated results documents only; never imports torch."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from . import verdicts as V
from .versions import release_key

SpecKey = Tuple[str, str]  # (spec name, device)


def release_of(doc: Dict[str, Any]) -> str:
    env = doc["environment"]
    return env.get("torch_release") or env["torch"]


def sort_runs(docs: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return sorted(docs, key=lambda d: (release_key(d["environment"]["torch"]), d["environment"]["torch"]))


def claim_word(claim: Dict[str, Any]) -> str:
    return V.display(claim["status"], claim["verdict"])


def spec_index(claim: Dict[str, Any]) -> Dict[SpecKey, Dict[str, Any]]:
    return {(s["name"], s["device"]): s for s in claim["specs"]}


def observations(claim: Dict[str, Any]) -> Dict[str, Any]:
    """Flattened observations of a claim: "spec[device].key" -> value."""
    out = {}
    for (name, device), s in sorted(spec_index(claim).items()):
        for key, value in sorted(s.get("observations", {}).items()):
            out["%s[%s].%s" % (name, device, key)] = value
    return out


def ran_specs(claim: Dict[str, Any]) -> set:
    """"name[device]" of each spec of the claim that ran (was not skipped)."""
    return {"%s[%s]" % key for key, s in spec_index(claim).items() if s["outcome"] != "skipped"}


def observation_changes(a: Dict[str, Any], b: Dict[str, Any]) -> List[Tuple[str, Optional[Any], Optional[Any]]]:
    """(key, before, after) for each observation of two runs of a claim that differs, among the
    specs that ran on both sides (a spec skipped on one side is an outcome change, not a text
    change). A value recorded on one side only (a new warning, a new error) shows as None on
    the other."""
    both = ran_specs(a) & ran_specs(b)
    old, new = observations(a), observations(b)
    changes = []
    for key in sorted(set(old) | set(new)):
        spec = key.split("].", 1)[0] + "]"  # "name[device]"
        if spec in both and old.get(key, _MISSING) != new.get(key, _MISSING):
            changes.append((key, old.get(key), new.get(key)))
    return changes


_MISSING = object()
