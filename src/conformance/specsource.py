"""The source text of the specs that check a claim, read from the spec modules (no import, no
torch), with the module-level helpers they use, so a page or a terminal can show the
executable definition of a claim."""
from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from typing import Dict, List, Optional, Set, Tuple

from .discover import _claim_of, spec_files


@dataclass(frozen=True)
class SpecSource:
    ref: str  # "spec_optim.py::test_zero_grad_clears_gradients"
    path: str
    line: int  # first line (its first decorator)
    source: str  # the spec function with its decorators
    helpers: Tuple[Tuple[str, str], ...]  # (name, source) of the module-level definitions it uses


def _span(node: ast.stmt, following: Optional[ast.stmt], n_lines: int) -> Tuple[int, int]:
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    end = getattr(node, "end_lineno", None)
    if end is None:  # Python 3.7: up to the next top-level statement
        end = (_span(following, None, n_lines)[0] - 1) if following is not None else n_lines
    return start, end


def _text(lines: List[str], start: int, end: int) -> str:
    chunk = lines[start - 1:end]
    while chunk and (not chunk[-1].strip() or chunk[-1].lstrip().startswith("#")):
        chunk.pop()
    return "\n".join(chunk) + "\n"


def _defined_names(node: ast.stmt) -> List[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def _used_names(node: ast.AST) -> Set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


_CACHE: Dict[str, Dict[str, List[SpecSource]]] = {}


def _read_module(path: str) -> Dict[str, List[SpecSource]]:
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    lines = text.splitlines()
    tree = ast.parse(text, filename=path)
    body = tree.body
    spans = {}
    defs: Dict[str, int] = {}  # name -> index of the top-level statement defining it
    for i, node in enumerate(body):
        spans[i] = _span(node, body[i + 1] if i + 1 < len(body) else None, len(lines))
        for name in _defined_names(node):
            defs[name] = i
    found: Dict[str, List[SpecSource]] = {}
    for i, node in enumerate(body):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        claim_ids = [c for c in (_claim_of(d) for d in node.decorator_list) if c]
        if not claim_ids:
            continue
        # module-level definitions the spec uses, and what those use in turn (in file order)
        needed: Set[int] = set()
        todo = [node]
        while todo:
            for name in _used_names(todo.pop()):
                j = defs.get(name)
                if j is not None and j != i and j not in needed:
                    needed.add(j)
                    todo.append(body[j])
        helpers = tuple((", ".join(_defined_names(body[j])), _text(lines, *spans[j])) for j in sorted(needed))
        src = SpecSource("%s::%s" % (os.path.basename(path), node.name), path, spans[i][0],
                         _text(lines, *spans[i]), helpers)
        for cid in claim_ids:
            found.setdefault(cid, []).append(src)
    return found


def spec_sources(claim_id: str, directory: Optional[str] = None) -> List[SpecSource]:
    """Every spec of ``claim_id``, in file order, with its source and helpers (from ``directory``,
    or the packs in use)."""
    files = spec_files(directory)
    key = "\0".join(files)
    if key not in _CACHE:
        merged: Dict[str, List[SpecSource]] = {}
        for path in files:
            for cid, srcs in _read_module(path).items():
                merged.setdefault(cid, []).extend(srcs)
        _CACHE[key] = merged
    return list(_CACHE[key].get(claim_id, []))
