"""What changed between runs of the kit: shared by the report (many releases) and the diff
(two runs). Works on validated results documents only; never imports torch."""
from __future__ import annotations

import math

from dataclasses import dataclass
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


def observation_changes(a: Dict[str, Any], b: Dict[str, Any],
                        missing: Any = None) -> List[Tuple[str, Optional[Any], Optional[Any]]]:
    """(key, before, after) for each observation of two runs of a claim that differs (float
    rounding is no difference: ``float_rounding_only``), among the specs that ran on both sides
    (a spec skipped on one side is an outcome change, not a text change). A value recorded on
    one side only (a new warning, a new error) shows as ``missing`` on the other."""
    both = ran_specs(a) & ran_specs(b)
    old, new = observations(a), observations(b)
    changes = []
    for key in sorted(set(old) | set(new)):
        spec = key.split("].", 1)[0] + "]"  # "name[device]"
        before, after = old.get(key, _MISSING), new.get(key, _MISSING)
        if spec in both and before != after and not float_rounding_only(before, after):
            changes.append((key, old.get(key, missing), new.get(key, missing)))
    return changes


_MISSING = object()

# Recorded floats of one release differ between two runs in their last bits (the order of a
# parallel reduction: two runs of torch 1.0.0 recorded a parameter difference of 1.5e-08 and 3.0e-08,
# a gradient norm of 0.0186814479 and 0.0186814498). Such a difference is not a change of behaviour.
FLOAT_REL_TOL, FLOAT_ABS_TOL = 1e-5, 1e-6


def float_rounding_only(a: Any, b: Any) -> bool:
    """True if ``a`` and ``b`` have the same structure and differ only in floats, each pair within
    FLOAT_REL_TOL relative or FLOAT_ABS_TOL absolute and both zero or both not. Ints, bools,
    strings and None compare exactly."""
    if isinstance(a, float) and isinstance(b, float):
        if (a == 0.0) != (b == 0.0):  # exact against inexact (an error that became 0.0) is a change
            return False
        return math.isclose(a, b, rel_tol=FLOAT_REL_TOL, abs_tol=FLOAT_ABS_TOL)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(float_rounding_only(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(float_rounding_only(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


# ------------------------------------------------------------------------- the environment
# What else a results file records about its environment that can change a claim's behaviour:
# (key in the environment record, the name shown)
FACTORS = (("python", "Python"), ("numpy", "numpy"), ("torchvision", "torchvision"), ("pil", "PIL"),
           ("platform", "platform"))
# torchvision is paired with torch (each torch release runs with the torchvision built for it),
# so it changes on every release: it is a suspect only for the claims whose specs use it.
PAIRED = ("torchvision",)


@dataclass(frozen=True)
class EnvChange:
    """One factor of the environment that differs between two runs (besides torch)."""

    key: str
    name: str
    before: Optional[str]  # None: not installed
    after: Optional[str]

    def text(self) -> str:
        before, after = _shown(self.key, _plain(self.key, self.before), _plain(self.key, self.after))
        return "%s %s → %s" % (self.name, before, after)


def _plain(key: str, value: Any) -> Optional[str]:
    """The value compared: torchvision without its local label (``+cu102`` follows torch's build)."""
    if value is None:
        return None
    text = str(value)
    return text.split("+", 1)[0] if key == "torchvision" else text


def _shown(key: str, before: Optional[str], after: Optional[str]) -> Tuple[str, str]:
    if key == "platform" and before and after:  # 'Linux-6.18-x86_64-with-glibc2.34': only the parts that differ
        a, b = before.split("-"), after.split("-")
        n = 0
        while n < min(len(a), len(b)) - 1 and a[n] == b[n]:
            n += 1
        before, after = "-".join(a[n:]), "-".join(b[n:])
    return (before if before is not None else "not installed"), (after if after is not None else "not installed")


def environment_changes(a: Dict[str, Any], b: Dict[str, Any]) -> List[EnvChange]:
    """What else differs between the environments of two runs (documents): Python, numpy,
    torchvision, PIL, platform. A factor one of the records does not have (an older kit did not
    store it) is left out: unknown is not a change."""
    ea, eb = a["environment"], b["environment"]
    out = []
    for key, name in FACTORS:
        if key not in ea or key not in eb:
            continue
        if _plain(key, ea[key]) != _plain(key, eb[key]):
            out.append(EnvChange(key, name, ea[key], eb[key]))
    return out


def uses(claim: Dict[str, Any], key: str) -> bool:
    """Whether a claim's specs use ``key`` (a paired factor): its ID or statement names it, or a
    spec was skipped for want of it."""
    words = [claim.get("id", ""), claim.get("statement", "")] + list(claim.get("skip_reasons") or [])
    words += [s.get("message") or "" for s in claim.get("specs", []) if s.get("outcome") == "skipped"]
    return any(key in w.lower() for w in words)


def suspects(changed: List[EnvChange], claim: Optional[Dict[str, Any]]) -> List[EnvChange]:
    """The environment changes that may have caused a change of ``claim`` between the two runs:
    every unpaired one, and a paired one (torchvision) where the claim's specs use it."""
    return [c for c in changed if c.key not in PAIRED or (claim is not None and uses(claim, c.key))]


def attribution(changed: List[EnvChange], claim: Optional[Dict[str, Any]]) -> str:
    """One phrase for next to a change of ``claim``: which of the other changes of the
    environment may have caused it, and what else changed; '' when nothing else changed."""
    if not changed:
        return ""
    maybe = suspects(changed, claim)
    rest = ", ".join("%s (not used by its specs)" % c.text() for c in changed if c not in maybe)
    if not maybe:
        return "also changed: %s" % rest
    return "possibly caused by %s%s" % (", ".join(c.text() for c in maybe), "; also changed: %s" % rest if rest else "")
