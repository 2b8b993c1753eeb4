"""What a claim's verdict covers, for readers: the claim page's "Checked" and "Not checked"
lists (from the record's ``checks`` and ``not_checked``) and the guide's index from API names
to the claims and checks that exercise them. Torch-free."""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from . import claims as registry
from .md import code

KIND_WORDS = {
    "example": "the note's example",
    "spelling": "public forms",
    "values": "values and dtypes",
    "shapes": "shapes and views",
    "state": "state and repeated use",
    "errors": "errors",
}


def reach_section(record: Optional[registry.Claim]) -> List[str]:
    """``## What the verdict covers`` for one claim page."""
    lines = ["## What the verdict covers", ""]
    if record is None or not record.checks:
        return lines + ["No list of checks for this claim: its verdict covers only what its specs below do.", ""]
    lines += ["A verdict is given only when every check below passed on that release. Each check names the spec "
              "that makes it and has a breakage in the kit's self-tests (torch patched so that this behaviour "
              "alone is wrong) that this spec, and no other spec of the claim, catches.", ""]
    lines += ["**Checked** (%d):" % len(record.checks), ""]
    for kind in KIND_WORDS:
        mine = [c for c in record.checks if c.kind == kind]
        if mine:
            lines.append("- *%s*:" % KIND_WORDS[kind])
            lines += ["  - %s (%s)" % (c.what, code(c.spec)) for c in mine]
    lines.append("")
    if record.not_checked:
        lines += ["**Not checked** (%d):" % len(record.not_checked), ""]
        lines += ["- %s: %s" % (n.what, n.why) for n in record.not_checked]
    else:
        lines += ["**Not checked**: nothing listed."]
    return lines + [""]


def api_index() -> Dict[str, List[Tuple[str, str]]]:
    """{API name: [(claim ID, check ID), ...]} over every check of every claim, sorted by name."""
    index: Dict[str, List[Tuple[str, str]]] = {}
    for record in registry.CLAIMS:
        for check in record.checks:
            for api in check.apis:
                index.setdefault(api, []).append((record.id, check.id))
    return {api: index[api] for api in sorted(index, key=lambda a: (a.lower(), a))}


def net_table() -> List[str]:
    """The size of the net, per area of the notes pack and in all (README shows this table)."""
    head = ["area", "claims", "checks"] + list(KIND_WORDS) + ["breakages", "not checked"]
    rows: Dict[str, List[int]] = {}
    breaks: Dict[str, set] = {}
    for record in registry.CLAIMS:
        row = rows.setdefault(record.area, [0] * (len(head) - 2))
        row[0] += 1
        row[1] += len(record.checks)
        for check in record.checks:
            row[2 + list(KIND_WORDS).index(check.kind)] += 1
        row[-1] += len(record.not_checked)
        breaks.setdefault(record.area, set()).update((record.id, c.breakage) for c in record.checks)
    lines = ["| %s |" % " | ".join(head), "|%s" % ("---|" * len(head))]
    total = [0] * (len(head) - 1)
    for area, row in rows.items():
        cells = row[:-1] + [len(breaks[area]), row[-1]]
        total = [a + b for a, b in zip(total, cells)]
        lines.append("| %s | %s |" % (area, " | ".join(str(n) for n in cells)))
    lines.append("| **all** | %s |" % " | ".join("**%d**" % n for n in total))
    return lines
