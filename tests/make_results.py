"""Small hand-made results documents for the meta-tests of report and diff (no torch)."""
import copy
import json

from conformance import __version__
from conformance.results import validate


def spec_entry(name, outcome="passed", device="cpu", observations=None, message=None):
    return {"id": "spec_x.py::%s[%s]" % (name, device), "name": name, "device": device, "outcome": outcome,
            "failure_kind": "assertion" if outcome == "failed" else None, "message": message,
            "duration_s": 0.01, "observations": observations or {}}


def claim_entry(cid, status="passed", verdict="holds", specs=None, truth="true", since=None):
    return {"id": cid, "sections": [1], "statement": "a statement about %s" % cid, "status": status,
            "verdict": verdict if status == "passed" else None,
            "expectation": {"versions": ">=1.0", "verdict": verdict or "holds", "key": "default", "truth": truth,
                            "since": since, "evidence": ""},
            "devices": {"cpu": status}, "specs": specs if specs is not None else [spec_entry("test_" + cid.split(".")[-1])],
            "skip_reasons": []}


def make_doc(torch="2.5.1", claims=(), devices=("cpu",), kit=__version__, label=None, env=None):
    """A results document; ``env`` overrides or adds fields of its environment record
    (python, numpy, pil, torchvision, platform, ...)."""
    doc = {
        "schema": "torch-conformance/results", "schema_version": 1, "kit_version": kit, "label": label,
        "environment": {"torch": torch, "torch_release": torch.split("+")[0], "torch_prerelease": False,
                        "torchvision": None, "python": "3.11.7", "platform": "Linux", "cuda": None, "cudnn": None,
                        "devices": list(devices), "devices_skipped": {}},
        "run": {"args": []},
        "claims": {c["id"]: copy.deepcopy(c) for c in claims},
        "summary": {"claims": len(claims), "overall": {}, "devices": {}},
    }
    doc["environment"].update(env or {})
    return validate(doc)


def write(path, doc):
    path.write_text(json.dumps(doc))
    return str(path)
