"""The short human summary of one results document (no torch import)."""
from __future__ import annotations

from typing import Any, Dict

from . import verdicts as V



ROW_MEANING = {
    "any": "any: claims checked by specs that use no device (datasets, registries, messages)",
    "pair": "parity specs that compare the two devices, run only where both are present",
}


def _counts(counts: Dict[str, int]) -> str:
    return ", ".join("%d %s" % (counts[k], k) for k in V.DISPLAY_ORDER if counts.get(k))


def render_summary(doc: Dict[str, Any]) -> str:
    env = doc["environment"]
    s = doc["summary"]
    lines = [
        "torch %s (python %s) on %s%s" % (
            env["torch"], env["python"], ", ".join(env["devices"]) or "no device",
            "; skipped: " + "; ".join("%s (%s)" % kv for kv in sorted(env.get("devices_skipped", {}).items()))
            if env.get("devices_skipped") else ""),
        "%d claims: %s" % (s["claims"], _counts(s["overall"])),
    ]
    for dev, counts in sorted(s["devices"].items()):
        lines.append("  %-10s %s" % (dev, _counts(counts)))
    rows = set(s["devices"])
    if rows & {"any"} or any("+" in r for r in rows):
        lines.append("  (%s)" % "; ".join(
            ([ROW_MEANING["any"]] if "any" in rows else [])
            + ["%s: %s" % (r, ROW_MEANING["pair"]) for r in sorted(rows) if "+" in r]))
    beyond = sorted({c["beyond_evidence"] for c in doc["claims"].values() if c.get("beyond_evidence")})
    if beyond:
        n = sum(1 for c in doc["claims"].values() if c.get("beyond_evidence"))
        lines.append("beyond evidence: %d claim(s) judged on torch %s, newer than the newest release their "
                     "evidence comes from (%s): a verdict there is the specs' word alone" % (
                         n, env.get("torch_release", env["torch"]), ", ".join(beyond)))
    failing = [c for c in doc["claims"].values() if c["status"] == V.FAILING]
    for c in failing:
        bad = [sp for sp in c["specs"] if sp["outcome"] == "failed"]
        lines.append("FAILING %s: %s" % (c["id"], "; ".join("%s [%s] %s" % (b["name"], b["device"], b["message"] or "") for b in bad)))
    return "\n".join(lines)
