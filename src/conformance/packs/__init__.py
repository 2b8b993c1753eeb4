"""Packs of claims: the built-in ``notes`` pack and the packs teams write for their own code.

A pack is a folder (or an installed distribution that names one through the entry point group
``torch_conformance.packs``) holding:

- ``pack.py``: ``NAME = "..."``, ``VERSION = "..."``, ``DESCRIPTION = "..."`` and
  ``TESTED_UP_TO = "<release>"`` (the newest torch release the pack's evidence comes from: a
  claim judged on a newer release, by an open-ended range, is *beyond its evidence*), plain
  string assignments (read with ``ast``: nothing is imported), and optionally ``RECORDS``, a
  tuple of the records modules' names in reading order (default: by file name);
- ``claims*.py``: the claim records, ``CLAIMS = (Claim(...), ...)`` (see ``conformance.records``),
  imported without torch: a records module that imports torch is refused;
- ``spec_*.py``: the specs, ``@spec("<claim id>")`` test functions taking ``claim`` (and ``device``);
- ``breakages*.py``: the breakages, ``@breakage`` functions taking pytest's ``monkeypatch`` that
  break one checked behaviour each (``conformance check-pack`` proves each one is caught).

Claim IDs are namespaced by pack: a pack's record ``load.pickle-default`` is the claim
``training:load.pickle-default`` in results, reports, diffs and waivers. The notes pack keeps
the bare IDs of ``claims.md``. A bad pack is one ``PackError`` line naming the file, the claim
and the field (exit 2). Torch-free.
"""
from __future__ import annotations

import ast
import dataclasses
import hashlib
import importlib.util
import os
import re
import sys
import traceback
from typing import List, Optional, Sequence, Tuple

from ..errors import UnusableInput
from ..records import Claim

HERE = os.path.dirname(os.path.abspath(__file__))
NOTES = "notes"
ENTRY_POINT_GROUP = "torch_conformance.packs"
ENV_VAR = "CONFORMANCE_PACKS"  # os.pathsep-separated pack folders or names; default: notes
NAME_RE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
PACK_FIELDS = ("NAME", "VERSION", "DESCRIPTION", "TESTED_UP_TO")


class PackError(UnusableInput):
    """A pack that cannot be used: one line naming the file, the claim and the field."""


@dataclasses.dataclass(frozen=True)
class Pack:
    name: str
    version: str
    description: str
    root: str  # the pack folder
    claims: Tuple[Claim, ...]  # with their full (namespaced) IDs
    tested_up_to: Optional[str] = None  # the newest release its evidence comes from
    order: Tuple[str, ...] = ()  # pack.py's RECORDS: the records modules in reading order

    @property
    def builtin(self) -> bool:
        return self.root == os.path.join(HERE, NOTES)

    def files(self, prefix: str) -> List[str]:
        return sorted(os.path.join(self.root, n) for n in os.listdir(self.root)
                      if n.startswith(prefix) and n.endswith(".py"))

    @property
    def spec_files(self) -> List[str]:
        return self.files("spec_")

    @property
    def record_files(self) -> List[str]:
        files = self.files("claims")
        rank = {name: i for i, name in enumerate(self.order)}
        return sorted(files, key=lambda p: (rank.get(os.path.splitext(os.path.basename(p))[0], len(rank)), p))

    @property
    def breakage_files(self) -> List[str]:
        return self.files("breakages")

    def digest(self) -> str:
        """sha256 over the pack's records, specs and breakages (names and bytes), so a results file
        says exactly which pack content judged the release."""
        h = hashlib.sha256()
        for path in [os.path.join(self.root, "pack.py")] + self.record_files + self.spec_files + self.breakage_files:
            with open(path, "rb") as fh:
                data = fh.read()
            h.update(os.path.basename(path).encode() + b"\0" + str(len(data)).encode() + b"\0" + data)
        return h.hexdigest()

    def as_dict(self) -> dict:
        return {"name": self.name, "version": self.version, "sha256": self.digest(), "claims": len(self.claims),
                "tested_up_to": self.tested_up_to}

    def beyond_evidence(self, expectation, version) -> Optional[str]:
        """``tested_up_to`` when ``version`` is newer and the expectation's range is open-ended
        (a range with an upper bound is a statement about releases that exist), else None."""
        if not self.tested_up_to or version is None or expectation is None or "<" in expectation.versions:
            return None
        from ..versions import parse_torch_version

        return self.tested_up_to if version.release > parse_torch_version(self.tested_up_to).release else None


def qualify(pack_name: str, claim_id: str) -> str:
    return claim_id if pack_name == NOTES else "%s:%s" % (pack_name, claim_id)


def _where(path: str, line: Optional[int]) -> str:
    return "%s:%d" % (path, line) if line else path


def _pack_fields(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            tree = ast.parse(fh.read(), filename=path)
    except FileNotFoundError:
        raise PackError("%s: not a pack (no pack.py; `conformance new-pack DIR` writes one)" % os.path.dirname(path))
    except (OSError, SyntaxError, ValueError) as err:
        raise PackError("%s: cannot be read: %s" % (path, err))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = getattr(node.value, "value", getattr(node.value, "s", None))
            if node.targets[0].id == "RECORDS":  # the records modules in reading order
                try:
                    order = ast.literal_eval(node.value)
                except ValueError:
                    order = None
                if not isinstance(order, tuple) or not all(isinstance(x, str) for x in order):
                    raise PackError("%s: field RECORDS must be a tuple of module names" % _where(path, node.lineno))
                found["RECORDS"] = order
                continue
            if node.targets[0].id in PACK_FIELDS:
                if not isinstance(value, str):
                    raise PackError("%s: field %s must be a plain string" % (_where(path, node.lineno), node.targets[0].id))
                found[node.targets[0].id] = value
    for field in ("NAME", "VERSION"):
        if not found.get(field, "").strip():
            raise PackError("%s: field %s is missing" % (path, field))
    if not NAME_RE.match(found["NAME"]):
        raise PackError("%s: field NAME %r: lower-case letters, digits, '-' and '_' (at most 40)" % (path, found["NAME"]))
    return found


def _claim_at(path: str, line: int) -> Optional[str]:
    """The ID of the Claim(...) record whose source spans ``line`` of ``path``, if any."""
    try:
        with open(path, encoding="utf-8") as fh:
            tree = ast.parse(fh.read())
    except (OSError, SyntaxError):
        return None
    best = None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Claim" and node.args:
            end = getattr(node, "end_lineno", None) or line
            if node.lineno <= line <= end:
                best = getattr(node.args[0], "value", getattr(node.args[0], "s", None))
    return best if isinstance(best, str) else None


def _import_records(path: str, module_name: str):
    had_torch = "torch" in sys.modules
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as err:  # a bad record: name the file, line, claim and what was wrong
        frames = [f for f in traceback.extract_tb(err.__traceback__) if os.path.abspath(f.filename) == os.path.abspath(path)]
        line = frames[-1].lineno if frames else getattr(err, "lineno", None)
        claim = _claim_at(path, line) if line else None
        raise PackError("%s: %s%s: %s" % (_where(path, line), "claim %s: " % claim if claim else "",
                                           type(err).__name__, err))
    if not had_torch and "torch" in sys.modules:
        raise PackError("%s: a records module must not import torch (records are read without it)" % path)
    return module


def load(root: str) -> Pack:
    """Read and validate the pack in folder ``root`` (records imported, specs not)."""
    root = os.path.abspath(root)
    if not os.path.isdir(root):
        raise PackError("%s: not a folder" % root)
    fields = _pack_fields(os.path.join(root, "pack.py"))
    name = fields["NAME"]
    if name == NOTES and root != os.path.join(HERE, NOTES):
        raise PackError("%s: field NAME: 'notes' is the built-in pack's name" % os.path.join(root, "pack.py"))
    tested = fields.get("TESTED_UP_TO")
    if tested is not None:
        from ..versions import VersionError, parse_torch_version

        try:
            parse_torch_version(tested)
        except VersionError:
            raise PackError("%s: field TESTED_UP_TO %r is not a torch release" % (os.path.join(root, "pack.py"), tested))
    pack = Pack(name, fields["VERSION"], fields.get("DESCRIPTION", ""), root, (), tested, fields.get("RECORDS", ()))
    claims: List[Claim] = []
    seen = {}
    files = pack.record_files
    if not files:
        raise PackError("%s: no claims*.py records module" % root)
    for path in files:
        stem = os.path.splitext(os.path.basename(path))[0]
        module = _import_records(path, "conformance_pack_%s.%s" % (re.sub(r"\W", "_", name), stem))
        records = getattr(module, "CLAIMS", None)
        if not isinstance(records, tuple) or not all(isinstance(c, Claim) for c in records):
            raise PackError("%s: field CLAIMS must be a tuple of Claim records" % path)
        for record in records:
            problem = _record_problem(record)
            if problem:
                raise PackError("%s: claim %s: %s" % (path, record.id, problem))
            full = qualify(name, record.id)
            if full in seen:
                raise PackError("%s: claim %s: field id: also defined in %s" % (path, record.id, seen[full]))
            seen[full] = path
            claims.append(dataclasses.replace(record, id=full) if full != record.id else record)
    return dataclasses.replace(pack, claims=tuple(claims))


def _record_problem(record: Claim) -> Optional[str]:
    if not isinstance(record.id, str) or not ID_RE.match(record.id):
        return "field id %r: lower-case letters, digits, '.', '-' and '_'" % (record.id,)
    if not record.statement or not str(record.statement).strip():
        return "field statement is empty"
    if not isinstance(record.sections, tuple) or not all(isinstance(s, int) for s in record.sections):
        return "field sections must be a tuple of integers"
    if not record.expectations:
        return "field expectations is empty"
    return None


def builtin() -> Pack:
    return load(os.path.join(HERE, NOTES))


def _installed(name: str) -> Optional[str]:
    """The folder an installed distribution advertises for pack ``name`` (entry point group
    ``torch_conformance.packs``: ``name = "module"`` or ``"module:attribute"``; the folder is the
    module's package folder, or the path the attribute holds)."""
    try:
        from importlib.metadata import entry_points
    except ImportError:  # Python 3.7
        return None
    eps = entry_points()
    group = eps.select(group=ENTRY_POINT_GROUP) if hasattr(eps, "select") else eps.get(ENTRY_POINT_GROUP, ())
    for ep in group:
        if ep.name == name:
            module_name, _, attr = ep.value.partition(":")
            spec = importlib.util.find_spec(module_name)
            if spec is None or not spec.origin:
                raise PackError("pack %s: entry point %s names no module" % (name, ep.value))
            if attr:
                module = importlib.import_module(module_name)
                return str(getattr(module, attr))
            return os.path.dirname(spec.origin)
    return None


def resolve(ref: str) -> Pack:
    """A pack from a folder path, 'notes', or the name of an installed pack."""
    if ref == NOTES:
        return builtin()
    if os.path.sep in ref or os.path.isdir(ref) or ref.startswith("."):
        return load(ref)
    folder = _installed(ref)
    if folder is None:
        raise PackError("pack %r: no such folder, and no installed pack of that name" % ref)
    return load(folder)


def from_refs(refs: Sequence[str]) -> Tuple[Pack, ...]:
    packs = []
    for ref in refs or [NOTES]:
        pack = resolve(ref)
        if any(p.name == pack.name for p in packs):
            raise PackError("pack %s given twice" % pack.name)
        packs.append(pack)
    return tuple(packs)


def refs_from_env() -> List[str]:
    value = os.environ.get(ENV_VAR, "")
    return [r for r in value.split(os.pathsep) if r] or [NOTES]
