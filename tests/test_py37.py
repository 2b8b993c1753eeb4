"""The kit is installed into the oldest matrix environments (torch 1.0-1.3 on Python 3.7), so
every module it ships must load there: Python 3.7 syntax everywhere, checked by the parser of
this interpreter and, where a Python 3.7 is on PATH, by compiling with it."""
import ast
import os
import shutil
import subprocess

import pytest

import conformance

PACKAGE = os.path.dirname(os.path.abspath(conformance.__file__))
MODULES = sorted(os.path.join(root, name) for root, _, names in os.walk(PACKAGE)
                 for name in names if name.endswith(".py"))


def test_the_package_has_modules():
    assert len(MODULES) > 20


@pytest.mark.parametrize("path", MODULES, ids=[os.path.relpath(p, PACKAGE) for p in MODULES])
def test_module_parses_as_python_3_7(path):
    with open(path, encoding="utf-8") as fh:
        ast.parse(fh.read(), filename=path, feature_version=(3, 7))


def _python37():
    """A working Python 3.7 (a pyenv shim on PATH may exist without one), else None."""
    import glob

    candidates = [shutil.which("python3.7")] + sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.7*/bin/python3.7")))
    for exe in filter(None, candidates):
        try:
            out = subprocess.run([exe, "-c", "import sys; print(sys.version_info[:2] == (3, 7))"],
                                 capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            continue
        if out == "True":
            return exe
    return None


PY37 = _python37()


@pytest.mark.skipif(PY37 is None, reason="no working Python 3.7 here; the parser check above still runs")
def test_modules_compile_with_python_3_7(tmp_path):
    proc = subprocess.run([PY37, "-c", "import py_compile, sys\nfor p in sys.argv[1:]:\n"
                           "    py_compile.compile(p, cfile=%r, doraise=True)" % str(tmp_path / "x.pyc"), *MODULES],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
