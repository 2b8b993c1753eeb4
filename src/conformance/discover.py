"""Find which spec checks which claim by reading the spec modules (no import, no torch)."""
from __future__ import annotations

import ast
import os
from typing import Dict, List

SPECS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "specs")


def spec_files(directory: str = SPECS_DIR) -> List[str]:
    return sorted(
        os.path.join(directory, name)
        for name in os.listdir(directory)
        if name.startswith("spec_") and name.endswith(".py")
    )


def _claim_of(decorator: ast.expr):
    """The claim ID of an ``@spec("...")`` decorator, else None."""
    if not isinstance(decorator, ast.Call):
        return None
    func = decorator.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    if name != "spec" or not decorator.args:
        return None
    arg = decorator.args[0]
    value = getattr(arg, "value", getattr(arg, "s", None))  # ast.Str on Python 3.7
    return value if isinstance(value, str) else None


def specs_by_claim(directory: str = SPECS_DIR) -> Dict[str, List[str]]:
    """{claim ID: ["spec_autograd.py::test_scalar_backward", ...]}"""
    found: Dict[str, List[str]] = {}
    for path in spec_files(directory):
        with open(path, encoding="utf-8") as fh:
            tree = ast.parse(fh.read(), filename=path)
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for dec in node.decorator_list:
                    cid = _claim_of(dec)
                    if cid:
                        found.setdefault(cid, []).append("%s::%s" % (os.path.basename(path), node.name))
    return found
