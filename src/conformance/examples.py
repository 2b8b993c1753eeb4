"""The runnable example of a claim: the body of the function its record names (``example=``),
a self-contained script that shows the behaviour of the claim's newest expectation and asserts
it. The claim pages and ``conformance explain`` show the body text, and ``tests/test_examples.py``
executes that same text, so an example cannot go stale without a test failing. Read with
``ast`` from the records module (which imports no torch: the body imports what it needs)."""
from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from . import claims as registry


@dataclass(frozen=True)
class Example:
    claim: str
    needs: Tuple[str, ...]
    source: str  # the function body: a standalone script
    function: str
    path: str  # the records module that holds it
    line: int  # first line of the body there


_CACHE: Dict[Tuple[str, int], Example] = {}


def _read(claim_id: str, fn) -> Example:
    code = fn.__code__
    key = (code.co_filename, code.co_firstlineno)
    if key not in _CACHE:
        with open(code.co_filename, encoding="utf-8") as fh:
            text = fh.read()
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef) and node.name == fn.__name__ and node.lineno <= code.co_firstlineno + 1:
                first = node.body[0].lineno
                end = getattr(node, "end_lineno", None) or _end_37(node, lines)
                chunk = lines[first - 1:end]
                while chunk and (not chunk[-1].strip() or chunk[-1].lstrip().startswith("#")):
                    chunk.pop()
                _CACHE[key] = Example(claim_id, (), textwrap.dedent("\n".join(chunk)) + "\n", fn.__name__,
                                      code.co_filename, first)
                break
        else:  # pragma: no cover - a function always has its source
            raise ValueError("%s: no source for %s" % (code.co_filename, fn.__name__))
    return _CACHE[key]


def _end_37(node: ast.FunctionDef, lines) -> int:
    """Python 3.7 has no end_lineno: the body ends before the next line indented no deeper than the def."""
    indent = len(lines[node.lineno - 1]) - len(lines[node.lineno - 1].lstrip())
    end = node.body[-1].lineno
    for i in range(end, len(lines)):
        line = lines[i]
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        end = i + 1
    return end


def example_for(claim_id: str) -> Optional[Example]:
    record = registry.BY_ID.get(claim_id)
    if record is None or record.example is None:
        return None
    ex = _read(claim_id, record.example)
    return Example(ex.claim, tuple(record.example_needs), ex.source, ex.function, ex.path, ex.line)


def all_examples() -> Dict[str, Example]:
    found = {}
    for record in registry.CLAIMS:
        ex = example_for(record.id)
        if ex is not None:
            found[record.id] = ex
    return found
