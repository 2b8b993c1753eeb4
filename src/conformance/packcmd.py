"""``conformance new-pack DIR``: a new claim pack with one claim, its specs and breakages, that
passes on the installed torch; ``conformance check-pack DIR``: prove every check of a pack can
fail (each breakage caught by its spec alone)."""
from __future__ import annotations

import argparse
import os
import re
import sys
from typing import List, Optional

from .errors import FAILED, OK, UnusableInput
from .jsonio import atomic_write_text


def add_parsers(sub) -> None:
    p = sub.add_parser("new-pack", help="write a new claim pack (one claim, its specs and breakages) into DIR")
    p.add_argument("folder", metavar="DIR", help="a new or empty folder")
    p.add_argument("--name", help="the pack's name (default: the folder's name)")
    p = sub.add_parser("check-pack", help="prove a pack's specs can fail: each check's breakage must be caught "
                                          "by its spec alone (exit 0 all caught, 1 not)")
    p.add_argument("folders", nargs="+", metavar="DIR|NAME", help="pack folders (or installed pack names, or notes)")
    p.add_argument("--claim", action="append", metavar="ID", help="only this claim's checks (repeatable)")


def run(args: argparse.Namespace) -> int:
    if args.command == "new-pack":
        return new_pack(args.folder, args.name)
    return check_packs(args.folders, args.claim)


# ------------------------------------------------------------------------------ new-pack
PACK_PY = '''NAME = "{name}"
VERSION = "0.1.0"
DESCRIPTION = "Behaviours of torch that our code relies on."
# The newest torch release this pack's evidence comes from: on a newer one an open-ended range
# is reported as beyond its evidence until you run it there and move this on.
TESTED_UP_TO = "{release}"
'''

CLAIMS_PY = '''"""The pack's claims: what our code relies on, and what is true per torch release.

A record: an ID (namespaced as "{name}:<id>" in results), what the code relies on, one
Expectation per release range (verdict, what is true, a key the specs branch on, since when,
and the evidence: a release you ran and what it showed), and its reach: the checks its specs
make (each with the spec that makes it and the breakage that shows it can fail) and what they
leave out. Read without torch: do not import it here.
"""
from conformance import verdicts as V
from conformance.records import Check, Claim, Expectation, NotChecked  # noqa: F401

CLAIMS = (
    Claim(
        "softmax.sums-to-one", (),
        "softmax over the last dimension gives rows that are probabilities: each row sums to 1 and "
        "no entry is negative, in the function, method and module forms.",
        (Expectation(">=1.0", V.HOLDS, "Rows sum to 1 within float rounding; entries lie in [0, 1].",
                     evidence="run: {release} (the release this pack was made on)"),),
        observe="the largest deviation of a row sum from 1",
        area="{name}",
        checks=(
            Check("function", "spelling", "torch.softmax(x, dim=-1) on float32 and float64 rows",
                  "test_softmax_function_rows_sum_to_one", "softmax_function_off_by_one_percent",
                  apis=("torch.softmax",)),
            Check("module", "spelling", "nn.Softmax(dim=-1) as a module, including large logits",
                  "test_softmax_module_rows_sum_to_one", "softmax_module_forgets_to_normalise",
                  apis=("nn.Softmax",)),
        ),
        not_checked=(
            NotChecked("CUDA", "the example runs on the CPU; add the device fixture to run it on every device"),
        ),
    ),
)
'''

SPEC_PY = '''"""Specs of the {name} pack: each takes the claim (its expectation for the torch under test)
and asserts with the claim's vocabulary, so a failure says what was expected and seen."""
import torch

from conformance.testing import spec

ROWS = [[0.0, 1.0, 2.0], [-3.0, 0.5, 8.0], [1e-3, 1e-3, 1e-3]]


@spec("{name}:softmax.sums-to-one")
def test_softmax_function_rows_sum_to_one(claim):
    for dtype in (torch.float32, torch.float64):
        p = torch.softmax(torch.tensor(ROWS, dtype=dtype), dim=-1)
        worst = claim.observe("deviation_%s" % str(dtype).split(".")[-1], float((p.sum(-1) - 1).abs().max()))
        claim.less(worst, 1e-5, "largest |row sum - 1| of torch.softmax (%s)" % dtype)
        claim.all_in_range(p, 0.0, 1.0, "softmax entries", inclusive=True)


@spec("{name}:softmax.sums-to-one")
def test_softmax_module_rows_sum_to_one(claim):
    p = torch.nn.Softmax(dim=-1)(torch.tensor(ROWS + [[1000.0, 0.0, -1000.0]]))
    worst = claim.observe("deviation_module", float((p.sum(-1) - 1).abs().max()))
    claim.less(worst, 1e-5, "largest |row sum - 1| of nn.Softmax, large logits included")
'''

BREAKAGES_PY = '''"""Breakages: each breaks one checked behaviour in torch (through pytest's monkeypatch), so
that `conformance check-pack` shows the check's spec, and no other, notices."""
import torch

from conformance.testing import breakage

_SOFTMAX = torch.softmax


@breakage
def softmax_function_off_by_one_percent(monkeypatch):
    monkeypatch.setattr(torch, "softmax", lambda x, dim, **kw: _SOFTMAX(x, dim, **kw) * 1.01)


@breakage
def softmax_module_forgets_to_normalise(monkeypatch):
    monkeypatch.setattr(torch.nn.Softmax, "forward", lambda self, x: torch.exp(x))
'''

README_MD = '''# The {name} claim pack

Behaviours of torch that our code relies on, checked by torch-conformance on every release we
run. Files: `pack.py` (name, version), `claims.py` (the records), `spec_*.py` (the specs),
`breakages.py` (one breakage per check).

```sh
conformance run --pack {folder} --results {name}-torch.json      # judge the installed torch
conformance check-pack {folder}                                  # every check can fail
conformance explain --pack {folder} {name}:softmax.sums-to-one
conformance report --pack {folder} {name}-*.json --out report
conformance diff base.json candidate.json --waivers waivers.json  # the upgrade gate
```
'''


def new_pack(folder: str, name: str = None) -> int:
    from .explain import installed_torch
    from .packs import NAME_RE, NOTES

    folder = os.path.abspath(folder)
    name = name or re.sub(r"[^a-z0-9_-]", "-", os.path.basename(folder).lower()).strip("-") or "mypack"
    if not NAME_RE.match(name) or name == NOTES:
        raise UnusableInput("--name %r: lower-case letters, digits, '-' and '_', starting with a letter, not 'notes'" % name)
    if os.path.exists(folder) and (not os.path.isdir(folder) or os.listdir(folder)):
        raise UnusableInput("%s: exists and is not an empty folder; new-pack writes only into a new one" % folder)
    version, _origin = installed_torch()
    release = str(version.release) if version is not None else "2.15.0"
    os.makedirs(folder, exist_ok=True)
    files = {"pack.py": PACK_PY, "claims.py": CLAIMS_PY, "spec_%s.py" % name.replace("-", "_"): SPEC_PY,
             "breakages.py": BREAKAGES_PY, "README.md": README_MD}
    for rel, template in files.items():
        atomic_write_text(os.path.join(folder, rel), template.format(name=name, release=release, folder=folder))
    print("wrote pack %s in %s: %s" % (name, folder, ", ".join(sorted(files))))
    print("next: conformance run --pack %s   and   conformance check-pack %s" % (folder, folder))
    return OK


# ------------------------------------------------------------------------------ check-pack
def check_packs(refs: List[str], only: Optional[List[str]] = None) -> int:
    from . import claims as registry
    from . import selfcheck
    from .commands import _import_torch

    registry.use_refs(refs)
    unknown = [cid for cid in only or [] if cid not in registry.BY_ID]
    if unknown:
        raise UnusableInput("--claim: %s" % registry.unknown_message(unknown[0], where=" in the packs given"))
    _import_torch()
    missed = skipped = caught = 0
    for pack in registry.PACKS:
        print("pack %s %s (%s)" % (pack.name, pack.version, pack.root))
        verdicts = selfcheck.check_pack(pack, only=only)
        caught += sum(v.outcome == "caught" for v in verdicts)
        skipped += sum(v.outcome == "skipped" for v in verdicts)
        missed += sum(v.outcome == "missed" for v in verdicts)
        for name in ([] if only else selfcheck.unused_breakages(pack)):
            print("unused   breakage %s: no check names it" % name)
            missed += 1
    print("check-pack: %d caught, %d missed, %d skipped" % (caught, missed, skipped), file=sys.stderr)
    return OK if caught and not missed else FAILED
