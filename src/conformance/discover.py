"""Find which spec checks which claim by reading the spec modules of the packs in use (no
import, no torch): the one reader of the ``@spec("<claim id>")`` convention."""
from __future__ import annotations

import ast
import os
from typing import Dict, List, Optional


def spec_files(directory: Optional[str] = None) -> List[str]:
    """The spec modules of ``directory``, or of every pack in use."""
    if directory is None:
        from . import claims as registry

        return registry.spec_files()
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


def specs_in(path: str) -> Dict[str, List[str]]:
    """{claim ID: ["spec_x.py::test_y", ...]} for one spec module."""
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read(), filename=path)
    found: Dict[str, List[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for dec in node.decorator_list:
                cid = _claim_of(dec)
                if cid:
                    from . import claims as registry

                    cid = registry.resolve(cid)
                    found.setdefault(cid, []).append("%s::%s" % (os.path.basename(path), node.name))
    return found


def specs_by_claim(directory: Optional[str] = None) -> Dict[str, List[str]]:
    """{claim ID: ["spec_autograd.py::test_scalar_backward", ...]} over ``directory`` or every
    pack in use."""
    found: Dict[str, List[str]] = {}
    for path in spec_files(directory):
        for cid, refs in specs_in(path).items():
            found.setdefault(cid, []).extend(refs)
    return found


def spec_paths(claim_id: str) -> List[str]:
    """The spec modules (full paths) of the packs in use that hold ``claim_id``'s specs."""
    return [path for path in spec_files() if claim_id in specs_in(path)]
