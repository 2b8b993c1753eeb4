"""The claim registry: every claim of the built-in ``notes`` pack, by ID.

The records live with their area in ``packs/notes/<area>.py`` (see ``records.py`` for their
shape); this module puts them in one order and looks them up. It imports nothing heavy: the
CLI, report and diff use it without torch.
"""
from __future__ import annotations

from typing import Dict, List, Tuple

from .packs.notes import AREAS
from .records import Check, Claim, Expectation, NotChecked, section_label  # noqa: F401 (re-exported)

CLAIMS: Tuple[Claim, ...] = tuple(claim for _, module in AREAS for claim in module.CLAIMS)

BY_ID: Dict[str, Claim] = {c.id: c for c in CLAIMS}
if len(BY_ID) != len(CLAIMS):  # pragma: no cover - guarded by a meta-test too
    raise RuntimeError("duplicate claim IDs in the registry")


class UnknownClaim(KeyError):
    pass


def get(claim_id: str) -> Claim:
    try:
        return BY_ID[claim_id]
    except KeyError:
        raise UnknownClaim("unknown claim ID %r" % claim_id) from None


def ids() -> List[str]:
    return [c.id for c in CLAIMS]
