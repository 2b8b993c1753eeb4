"""The results file: one JSON document per run (one torch release, its devices).

Versioned by ``schema_version`` and validated (jsonschema) whenever it is read, so report and
diff never work on a file they do not understand. Nothing here imports torch.
"""
from __future__ import annotations

import json
import os
from typing import Any, Dict

import jsonschema

from . import verdicts as V
from .jsonio import read_json

SCHEMA_NAME = "torch-conformance/results"
SCHEMA_VERSION = 1


class ResultsError(ValueError):
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
        "run": {"type": "object"},
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
    validate(doc, path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1, sort_keys=True, ensure_ascii=False)
        fh.write("\n")
    os.replace(tmp, path)
