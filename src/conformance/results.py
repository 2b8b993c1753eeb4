"""The results file: one JSON document per run (one torch release, its devices).

Versioned by ``schema_version`` and validated (jsonschema) whenever it is read, so report and
diff never work on a file they do not understand. Nothing here imports torch.
"""
from __future__ import annotations

import json
import os
import re
import time
from typing import Any, Dict, Iterable, List, Optional

import jsonschema

from . import __version__
from . import claims as registry
from . import verdicts as V
from .errors import UnusableInput
from .jsonio import read_json, write_json

SCHEMA_NAME = "torch-conformance/results"
SCHEMA_VERSION = 1


PARTIAL_REASONS = ("subset", "stopped", "interrupted", "terminated", "collection-errors")


class ResultsError(UnusableInput):
    """A results file that cannot be used; the message is one line."""


_OBSERVATION = {}  # any JSON value

_SPEC = {
    "type": "object",
    "required": ["id", "name", "device", "outcome"],
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "device": {"type": "string"},
        "outcome": {"enum": ["passed", "failed", "skipped"]},
        "failure_kind": {"enum": [None, "assertion", "error"]},
        "message": {"type": ["string", "null"]},
        "duration_s": {"type": "number"},
        "observations": {"type": "object", "additionalProperties": _OBSERVATION},
    },
}

_CLAIM = {
    "type": "object",
    "required": ["id", "sections", "statement", "status", "verdict", "expectation", "devices", "specs"],
    "properties": {
        "id": {"type": "string"},
        "sections": {"type": "array", "items": {"type": "integer"}},
        "statement": {"type": "string"},
        "status": {"enum": list(V.STATUSES)},
        "verdict": {"enum": list(V.VERDICTS) + [None]},
        "expectation": {"type": ["object", "null"]},
        "devices": {"type": "object", "additionalProperties": {"enum": list(V.STATUSES)}},
        "specs": {"type": "array", "items": _SPEC},
        "skip_reasons": {"type": "array", "items": {"type": "string"}},
        "beyond_evidence": {"type": ["string", "null"]},
    },
}

SCHEMA: Dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["schema", "schema_version", "kit_version", "environment", "run", "claims", "summary"],
    "properties": {
        "schema": {"const": SCHEMA_NAME},
        "schema_version": {"const": SCHEMA_VERSION},
        "kit_version": {"type": "string"},
        "label": {"type": ["string", "null"]},
        "environment": {
            "type": "object",
            "required": ["torch", "torch_release", "python", "platform", "devices"],
            "properties": {
                "torch": {"type": "string"},
                "torch_release": {"type": "string"},
                "torch_prerelease": {"type": "boolean"},
                "torchvision": {"type": ["string", "null"]},
                "python": {"type": "string"},
                "platform": {"type": "string"},
                "cuda": {"type": ["string", "null"]},
                "cudnn": {"type": ["string", "integer", "null"]},
                "devices": {"type": "array", "items": {"type": "string"}},
                "devices_skipped": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
        "run": {"type": "object", "properties": {
            # why the run does not cover every spec: "subset" (-k/deselected), "stopped" (-x,
            # --maxfail), "interrupted" (SIGINT), "terminated" (SIGTERM), "collection-errors";
            # null/absent: complete
            "partial": {"enum": [None] + list(PARTIAL_REASONS)},
        }},
        # the claim packs that ran, each with a hash of its records, specs and breakages
        # (absent in files of kits before packs: the notes pack alone)
        "packs": {"type": "array", "items": {
            "type": "object", "required": ["name", "version", "sha256"],
            "properties": {"name": {"type": "string"}, "version": {"type": "string"},
                           "sha256": {"type": "string"}, "claims": {"type": "integer"},
                           "tested_up_to": {"type": ["string", "null"]}}}},
        "claims": {"type": "object", "additionalProperties": _CLAIM},
        "summary": {"type": "object"},
    },
}


def validate(doc: Any, source: str = "results") -> Dict[str, Any]:
    if not isinstance(doc, dict):
        raise ResultsError("%s: not a results file (top level is %s, not an object)" % (source, type(doc).__name__))
    if doc.get("schema") != SCHEMA_NAME:
        raise ResultsError("%s: not a torch-conformance results file (schema %r)" % (source, doc.get("schema")))
    if doc.get("schema_version") != SCHEMA_VERSION:
        raise ResultsError(
            "%s: unsupported results schema version %r (this kit reads version %d)"
            % (source, doc.get("schema_version"), SCHEMA_VERSION)
        )
    try:
        jsonschema.validate(doc, SCHEMA)
    except jsonschema.ValidationError as err:
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        raise ResultsError("%s: invalid results at %s: %s" % (source, where, err.message.splitlines()[0])) from None
    for cid, claim in doc["claims"].items():
        if claim["id"] != cid:
            raise ResultsError("%s: claim stored under %r says its ID is %r" % (source, cid, claim["id"]))
    return doc


def load(path: str) -> Dict[str, Any]:
    return validate(read_json(path, "results", ResultsError), path)


def save(doc: Dict[str, Any], path: str) -> None:
    """Validate, then replace ``path`` atomically (an interrupted save leaves the old file)."""
    validate(doc, path)
    write_json(path, doc)


def partial_reason(doc: Dict[str, Any]) -> Optional[str]:
    """Why a results document does not cover the whole kit, or None when it does."""
    return (doc.get("run") or {}).get("partial")


# ------------------------------------------------------------------------ files by release
_NAME = re.compile(r"^torch(\d+\.\d+(?:\.\d+)?)\.json$")


def results_name(release: str) -> str:
    """The matrix's name for a release's results file: torch1.4.0.json (the tox env + .json)."""
    return "torch%s.json" % release


def results_files(directory: str) -> Dict[str, str]:
    """{torch release: path} of the matrix's results files in ``directory``. A file is named by
    its release (``torch1.4.0.json``) or, as before every release had its own environment, by
    its minor (``torch1.4.json``, holding whichever release of 1.4 that run had). A file named by
    release must hold that release, one named by minor a release of that minor (ResultsError
    otherwise); where both name one release, the file named by release wins. Other files
    (``torch2.11-cuda.json``) are left out."""
    found: Dict[str, str] = {}
    by_minor: Dict[str, str] = {}
    for name in sorted(os.listdir(directory)):
        m = _NAME.match(name)
        if not m:
            continue
        path = os.path.join(directory, name)
        try:
            with open(path, encoding="utf-8") as fh:
                release = json.load(fh)["environment"]["torch_release"]
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise ResultsError("%s: cannot read its torch release (%s)" % (path, err)) from None
        named = m.group(1)
        if named.count(".") == 2:
            if release != named:
                raise ResultsError("%s: holds torch %s, not %s" % (path, release, named))
            found[release] = path
        else:
            if ".".join(release.split(".")[:2]) != named:
                raise ResultsError("%s: holds torch %s, not a %s release" % (path, release, named))
            by_minor[release] = path
    for release, path in by_minor.items():
        found.setdefault(release, path)
    return found


# ------------------------------------------------------------------------ assembling a run
def claim_status(specs: Iterable[Dict[str, Any]], has_spec: bool) -> str:
    """A claim's status from its specs' outcomes: any failure fails it; one pass passes it."""
    if not has_spec:
        return V.NO_SPEC
    outcomes = {s["outcome"] for s in specs}
    if "failed" in outcomes:
        return V.FAILING
    if "passed" in outcomes:
        return V.PASSED
    return V.NOT_RUN


def summarize(claims_out: Dict[str, Dict[str, Any]]) -> Dict[str, Any]:
    overall: Dict[str, int] = {}
    per_device: Dict[str, Dict[str, int]] = {}
    for c in claims_out.values():
        word = V.display(c["status"], c["verdict"])
        overall[word] = overall.get(word, 0) + 1
        for dev, status in c["devices"].items():
            dword = V.display(status, c["verdict"] if status == V.PASSED else None)
            per_device.setdefault(dev, {})
            per_device[dev][dword] = per_device[dev].get(dword, 0) + 1
    return {"claims": len(claims_out), "overall": overall, "devices": per_device}


def assemble(spec_entries: Iterable[Dict[str, Any]], environment: Dict[str, Any], version, *,
             label: Optional[str], started: float, args: List[str], hypothesis_profile: Optional[str],
             partial: Optional[str] = None, specced: Iterable[str] = ()) -> Dict[str, Any]:
    """The results document of one run: every claim of the registry with its status, verdict
    (only when its specs passed), the expectation for ``version``, status per device and specs.
    ``spec_entries`` carry a "claim" key; ``specced`` names the claims that have specs."""
    specced = set(specced)
    by_claim: Dict[str, List[dict]] = {}
    for entry in spec_entries:
        by_claim.setdefault(entry["claim"], []).append({k: v for k, v in entry.items() if k != "claim"})
    claims_out = {}
    for record in registry.CLAIMS:
        specs = sorted(by_claim.get(record.id, []), key=lambda s: s["id"])
        expectation = record.expectation_for(version) if version else None
        status = claim_status(specs, has_spec=record.id in specced)
        devices = {dev: claim_status([s for s in specs if s["device"] == dev], has_spec=True)
                   for dev in sorted({s["device"] for s in specs})}
        claims_out[record.id] = {
            "id": record.id,
            "sections": list(record.sections),
            "statement": record.statement,
            "status": status,
            "verdict": expectation.verdict if (status == V.PASSED and expectation) else None,
            "expectation": expectation.as_dict() if expectation else None,
            "devices": devices,
            "specs": specs,
            "skip_reasons": sorted({s["message"] for s in specs if s["outcome"] == "skipped" and s["message"]}),
            # the newest release the claim's evidence comes from, when this release is newer
            "beyond_evidence": registry.pack_of(record.id).beyond_evidence(expectation, version),
        }
    return {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "kit_version": __version__,
        "label": label,
        "environment": environment,
        "run": {
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
            "duration_s": round(time.time() - started, 2),
            "args": [str(a) for a in args],
            "hypothesis_profile": hypothesis_profile,
            "partial": partial,
        },
        "packs": [p.as_dict() for p in registry.PACKS],
        "claims": claims_out,
        "summary": summarize(claims_out),
    }
