"""The claim registry: every claim of the packs in use, by ID, in pack order.

The records live in their packs (``packs/notes/claims_<area>.py`` for the built-in ``notes``
pack; see ``records.py`` for their shape and ``packs`` for what a pack is). The packs in use are
the built-in one unless ``use`` (``--pack``) or ``$CONFORMANCE_PACKS`` names others. Imports nothing
heavy: the CLI, report and diff use it without torch.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

from . import packs as packmod
from .records import Check, Claim, Expectation, Idiom, NotChecked, section_label  # noqa: F401 (re-exported)

PACKS: Tuple[packmod.Pack, ...] = ()
CLAIMS: Tuple[Claim, ...] = ()
BY_ID: Dict[str, Claim] = {}
_PACK_OF: Dict[str, packmod.Pack] = {}


class UnknownClaim(KeyError):
    pass


def use(packs: Sequence[packmod.Pack]) -> None:
    """Make ``packs`` the ones in use (their claims become the registry)."""
    global PACKS, CLAIMS, BY_ID, _PACK_OF
    claims = tuple(c for p in packs for c in p.claims)
    by_id = {c.id: c for c in claims}
    if len(by_id) != len(claims):
        raise packmod.PackError("two packs define the same claim ID")
    PACKS, CLAIMS, BY_ID = tuple(packs), claims, by_id
    _PACK_OF = {c.id: p for p in packs for c in p.claims}


def use_refs(refs: Optional[Sequence[str]]) -> None:
    use(packmod.from_refs(list(refs or [])))


def pack_of(claim_id: str) -> packmod.Pack:
    return _PACK_OF[get(claim_id).id]


def resolve(claim_id: str) -> str:
    """The full ID of ``claim_id``: itself when known, else the one claim of the packs in use
    named ``<pack>:<claim_id>`` (so a pack's specs may use its short IDs); unknown: unchanged."""
    if claim_id in BY_ID or ":" in claim_id:
        return claim_id
    found = [cid for cid in BY_ID if cid.endswith(":" + claim_id)]
    return found[0] if len(found) == 1 else claim_id


def get(claim_id: str) -> Claim:
    try:
        return BY_ID[resolve(claim_id)]
    except KeyError:
        raise UnknownClaim("unknown claim ID %r" % claim_id) from None


def unknown_message(claim_id: str, known: Optional[Sequence[str]] = None, where: str = "") -> str:
    """'unknown claim 'x'<where> (did you mean y?)': the one wording of every command that takes a
    claim ID (``known``: the IDs to suggest from; default those of the packs in use)."""
    import difflib

    close = difflib.get_close_matches(claim_id, sorted(BY_ID if known is None else known), n=1)
    return "unknown claim %r%s%s" % (claim_id, where, " (did you mean %s?)" % close[0] if close else "")


def why_not_runnable(claim_id: str) -> Optional[str]:
    """Why ``claim_id`` cannot be run (unknown, or no spec names it), or None when it can."""
    from .discover import specs_by_claim

    if claim_id not in BY_ID:
        return unknown_message(claim_id)
    if claim_id not in specs_by_claim():
        return "claim %s has no spec yet: nothing to run" % claim_id
    return None


def ids() -> List[str]:
    return [c.id for c in CLAIMS]


def spec_files() -> List[str]:
    """The spec modules of every pack in use."""
    return [path for p in PACKS for path in p.spec_files]


use(packmod.from_refs(packmod.refs_from_env()))
