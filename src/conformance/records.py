"""The shape of a claim record, shared by every pack (torch-free).

A claim has a stable ID, the note's section(s), a statement in the kit's own words, what its
specs must record, one or more *expectations* (a torch version range, the verdict for that
range, a key that the specs branch on where behaviour differs, what is true, and the evidence
for the range boundary), and its *reach*: the checks its specs make (``Check``: a public form,
value, shape or piece of state probed, with the spec that probes it and the breakage that shows
the probe can fail) and what they leave out (``NotChecked``, with the reason).

Evidence convention: "run: <release> <what was seen>" names a release the kit ran (its results
are under reports/results/); "docs:" names documentation or release notes, used only for
boundaries older than the oldest release the kit can install.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Tuple

from . import verdicts as V
from .versions import TorchVersion, in_range, parse_range

# What a check probes: the claimed call in another public form, other values, other shapes,
# the state an object keeps, the errors it raises; "example" is the note's own example.
CHECK_KINDS = ("example", "spelling", "values", "shapes", "state", "errors")

EVERY_RUN = "run: every release in reports/results/"


def section_label(sections) -> str:
    """How the kit cites the notes: ``§3, §9``."""
    return ", ".join("§%d" % s for s in sections)


@dataclass(frozen=True)
class Expectation:
    versions: str  # PEP 440 specifier set, e.g. ">=2.6"
    verdict: str
    truth: str  # what is true on this range, in the kit's words
    key: str = "default"  # the behaviour the specs check on this range
    since: Optional[str] = None  # the release where this range's behaviour started
    evidence: str = ""

    def __post_init__(self):
        parse_range(self.versions)
        if self.verdict not in V.VERDICTS:
            raise ValueError("unknown verdict %r" % self.verdict)

    def as_dict(self) -> dict:
        return {
            "versions": self.versions,
            "verdict": self.verdict,
            "key": self.key,
            "truth": self.truth,
            "since": self.since,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Check:
    """One thing a claim's specs probe. ``spec`` is the spec function that probes it (in the
    claim's area module), ``breakage`` the name of a breakage (``tests/breakages/``) that makes
    that spec, and no other spec of the claim, fail by an assertion. ``apis`` are the public
    names it exercises, for the guide's index (``torch.max``, ``Tensor.max``, ...)."""

    id: str  # unique within the claim, e.g. "method-form"
    kind: str  # one of CHECK_KINDS
    what: str  # in plain words, for the claim page: "Tensor.max(dim) as a method"
    spec: str  # "test_max_method_and_keyword_forms"
    breakage: str  # "tensor_max_method_returns_min"
    apis: Tuple[str, ...] = ()

    def __post_init__(self):
        if self.kind not in CHECK_KINDS:
            raise ValueError("check %r: unknown kind %r (one of %s)" % (self.id, self.kind, ", ".join(CHECK_KINDS)))

    def as_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "what": self.what, "spec": self.spec,
                "breakage": self.breakage, "apis": list(self.apis)}


@dataclass(frozen=True)
class NotChecked:
    """Something the claim's wording covers that no spec probes, and why."""

    what: str
    why: str

    def as_dict(self) -> dict:
        return {"what": self.what, "why": self.why}


@dataclass(frozen=True)
class Idiom:
    """For the guide: what the notes wrote, and what to write today (Markdown). The claim that
    carries it gives the release that changed it; ``also`` links more claim pages."""

    old: str
    today: str
    also: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Claim:
    id: str
    sections: Tuple[int, ...]
    statement: str  # the note's claim, paraphrased
    expectations: Tuple[Expectation, ...]
    observe: str = ""  # what the specs must record
    area: str = ""  # spec module that checks it
    checks: Tuple[Check, ...] = ()  # the reach of its specs
    not_checked: Tuple[NotChecked, ...] = ()  # what they leave out, with the reason
    # for readers (claim page, guide, explain): today's behaviour plainly, and the note's setting
    answer: str = ""
    setting: str = ""
    topic: str = ""  # the guide's topic (the pack's TOPICS give their order)
    idioms: Tuple[Idiom, ...] = ()
    questions: Tuple[str, ...] = ()  # readers' questions this claim's answer answers
    example: Optional[Callable[[], None]] = None  # its body is a runnable script of today's behaviour
    example_needs: Tuple[str, ...] = ()  # extra modules the example imports

    def expectation_for(self, version: TorchVersion) -> Optional[Expectation]:
        for exp in self.expectations:
            if in_range(version, exp.versions):
                return exp
        return None

    @property
    def section_label(self) -> str:
        return section_label(self.sections)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "sections": list(self.sections),
            "statement": self.statement,
            "observe": self.observe,
            "area": self.area,
            "expectations": [e.as_dict() for e in self.expectations],
            "checks": [c.as_dict() for c in self.checks],
            "not_checked": [n.as_dict() for n in self.not_checked],
            "answer": self.answer,
            "setting": self.setting,
            "topic": self.topic,
        }


def always(verdict: str, truth: str, evidence: str = "", key: str = "default") -> Tuple[Expectation, ...]:
    return (Expectation(">=1.0", verdict, truth, key=key, evidence=evidence),)


