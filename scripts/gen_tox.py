"""Write tox.ini from the release table below (one environment per torch release on PyPI that
installs here: 52, from 1.0.0 to 2.15.0).

Pins: each torch release and the torchvision built for it (torchvision pins its torch exactly
from 0.3 on; every pair below was resolved with ``uv pip compile`` for its Python); extra pins
are what that release needs to import and run (numpy<2 before torch 2.3; a Pillow old
torchvision accepts; setuptools<70 where torch.utils.benchmark still imports pkg_resources),
the same for every release of a minor. Run: python scripts/gen_tox.py

The table is also read by ``conformance bisect`` (``conformance.bisect.load_table``): keep it
a plain literal.
"""
import os

# (torch, torchvision or None, python, extra pins), oldest first
RELEASES = [
    ("1.0.0", "0.2.1", "3.7", "numpy<1.22 pillow<7"),
    ("1.0.1", "0.2.2", "3.7", "numpy<1.22 pillow<7"),
    ("1.1.0", "0.3.0", "3.7", "numpy<1.22 pillow<7"),
    ("1.2.0", "0.4.0", "3.7", "numpy<1.22 pillow<7"),
    ("1.3.0", "0.4.1", "3.7", "numpy<1.22 pillow<7"),
    ("1.3.1", "0.4.2", "3.7", "numpy<1.22 pillow<7"),
    ("1.4.0", "0.5.0", "3.8", "numpy<1.24 pillow<10 setuptools<70"),
    ("1.5.0", "0.6.0", "3.8", "numpy<1.24 pillow<10 setuptools<70"),
    ("1.5.1", "0.6.1", "3.8", "numpy<1.24 pillow<10 setuptools<70"),
    ("1.6.0", "0.7.0", "3.8", "numpy<1.24 pillow<10 setuptools<70"),
    ("1.7.0", "0.8.1", "3.8", "numpy<1.24 pillow<10 setuptools<70"),
    ("1.7.1", "0.8.2", "3.8", "numpy<1.24 pillow<10 setuptools<70"),
    ("1.8.0", "0.9.0", "3.8", "numpy<1.24 pillow<10 setuptools<70"),
    ("1.8.1", "0.9.1", "3.8", "numpy<1.24 pillow<10 setuptools<70"),
    ("1.9.0", "0.10.0", "3.8", "numpy<1.24 pillow<10 setuptools<70"),
    ("1.9.1", "0.10.1", "3.8", "numpy<1.24 pillow<10 setuptools<70"),
    ("1.10.0", "0.11.1", "3.8", "numpy<1.24 pillow<10 setuptools<70"),
    ("1.10.1", "0.11.2", "3.8", "numpy<1.24 pillow<10 setuptools<70"),
    ("1.10.2", "0.11.3", "3.8", "numpy<1.24 pillow<10 setuptools<70"),
    ("1.11.0", "0.12.0", "3.8", "numpy<1.24 pillow<10 setuptools<70"),
    ("1.12.0", "0.13.0", "3.8", "numpy<1.24 pillow<10 setuptools<70"),
    ("1.12.1", "0.13.1", "3.8", "numpy<1.24 pillow<10 setuptools<70"),
    ("1.13.0", "0.14.0", "3.10", "numpy<2 setuptools<70"),
    ("1.13.1", "0.14.1", "3.10", "numpy<2 setuptools<70"),
    ("2.0.0", "0.15.1", "3.11", "numpy<2 setuptools<70"),
    ("2.0.1", "0.15.2", "3.11", "numpy<2 setuptools<70"),
    ("2.1.0", "0.16.0", "3.11", "numpy<2 setuptools<70"),
    ("2.1.1", "0.16.1", "3.11", "numpy<2 setuptools<70"),
    ("2.1.2", "0.16.2", "3.11", "numpy<2 setuptools<70"),
    ("2.2.0", "0.17.0", "3.11", "numpy<2 setuptools<70"),
    ("2.2.1", "0.17.1", "3.11", "numpy<2 setuptools<70"),
    ("2.2.2", "0.17.2", "3.11", "numpy<2 setuptools<70"),
    ("2.3.0", "0.18.0", "3.11", ""),
    ("2.3.1", "0.18.1", "3.11", ""),
    ("2.4.0", "0.19.0", "3.11", ""),
    ("2.4.1", "0.19.1", "3.11", ""),
    ("2.5.0", "0.20.0", "3.11", ""),
    ("2.5.1", "0.20.1", "3.11", ""),
    ("2.6.0", "0.21.0", "3.11", ""),
    ("2.7.0", "0.22.0", "3.11", ""),
    ("2.7.1", "0.22.1", "3.11", ""),
    ("2.8.0", "0.23.0", "3.11", ""),
    ("2.9.0", "0.24.0", "3.11", ""),
    ("2.9.1", "0.24.1", "3.11", ""),
    ("2.10.0", "0.25.0", "3.11", ""),
    ("2.11.0", "0.26.0", "3.11", ""),
    ("2.12.0", "0.27.0", "3.11", ""),
    ("2.12.1", "0.27.1", "3.11", ""),
    ("2.13.0", "0.28.0", "3.11", ""),
    ("2.14.0", "0.29.0", "3.11", ""),
    ("2.14.1", "0.29.1", "3.11", ""),
    ("2.15.0", "0.29.2", "3.11", ""),
]


def minor_of(release):
    return ".".join(release.split(".")[:2])


def _key(release):
    return tuple(int(p) for p in release.split("."))


def latest_of_each_minor():
    """{minor: its newest release in the table} (the bench environments use those pins)."""
    out = {}
    for row in RELEASES:
        minor = minor_of(row[0])
        if minor not in out or _key(row[0]) > _key(out[minor]):
            out[minor] = row[0]
    return out


# said in tox.ini above the release's environment (by release)
NOTES = {
    "1.13.0": "torchvision 0.14.0 has wheels up to Python 3.10, not 3.11",
    "1.13.1": "torchvision 0.14.1 has wheels up to Python 3.10, not 3.11",
    "2.13.0": "PyPI's build of torch 2.13.0, with which torchvision 0.28.0 imports (uv does not read the\n"
            "# pip config that adds /opt/wheels here: torchvision did not import beside its CPU build of 2.13.0)",
    "2.15.0": "torchvision 0.29.2 accepts torch 2.14 and 2.15",
}
LABELS = {"3.11": "matrix", "3.10": "matrix", "3.8": "old", "3.7": "oldest"}

HEADER = """\
# One environment per torch release on PyPI that installs here (52: 1.0.0 .. 2.15.0, every
# patch release), named by release (torch1.0.0 .. torch2.15.0), each writing
# reports/results/<env>.json. `tox` alone runs the fast local one (into the ignored
# reports/local/, never the committed matrix); `tox -m matrix` runs 1.13.0 .. 2.15.0
# (1.13.x on Python 3.10, the newest Python torchvision 0.14 has wheels for; the rest on
# 3.11), `tox -m old` 1.4.0 .. 1.12.1 on Python 3.8, `tox -m oldest` 1.0.0 .. 1.3.1 on
# Python 3.7 (missing interpreters are skipped, not failed). Every release runs with its
# torchvision. `tox -m bench` times the hot paths of the matrix minors (benchX.Y has the pins of
# X.Y's newest release). scripts/matrix.sh runs them one at a time and frees each one's disk.
# Environments are made and filled by uv (tox-uv; tox installs it itself when missing): the 30
# newest-patch releases took 1156 s with uv and 2242 s with pip from empty caches, one release
# 12-24 s with uv's cache warm (pip's stays empty behind this machine's registry proxy: 47-118 s).
# `tox -x testenv.runner=virtualenv` goes back to pip (its results diff clean against uv's).
# uv reads no pip configuration (pip.conf, PIP_*): set UV_* (UV_INDEX_URL, UV_CACHE_DIR) instead.
# Generated by scripts/gen_tox.py from its release table: edit it there.
[tox]
requires =
    tox>=4.56
    tox-uv>=1.25
env_list = local
skip_missing_interpreters = true
labels =
"""

BASE = """
[testenv]
package = wheel
wheel_build_env = .pkg
# the bench extra (pytest-benchmark, matplotlib) everywhere: the same install serves both jobs
extras = bench
pass_env = CONFORMANCE_*, PIP_*, UV_*, PYENV_VERSION
set_env =
    PIP_DISABLE_PIP_VERSION_CHECK = 1
    PYTHONHASHSEED = 0
commands =
    conformance run --results {tox_root}/reports/results/{env_name}.json --label {env_name} {posargs}

[testenv:local]
description = the kit against torch 2.14.1 + torchvision 0.29.1 (the pins of the dev venv)
base_python = python3.11
deps =
    torch==2.14.1
    torchvision==0.29.1
# a local run is not part of the committed matrix: it goes to the ignored reports/local/
commands =
    conformance run --results {tox_root}/reports/local/{env_name}.json --label {env_name} {posargs}
"""

# virtualenv 20.27 dropped Python 3.7: newer ones seed a pip that crashes there (used only with
# the pip-based runner: tox -x testenv.runner=virtualenv)
PY37_VIRTUALENV = "virtualenv_spec = virtualenv<20.27"


def render() -> str:
    parts = [HEADER]
    for label in ("matrix", "old", "oldest"):
        envs = ["torch%s" % r[0] for r in RELEASES if LABELS[r[2]] == label]
        parts.append("    %s = %s\n" % (label, ", ".join(envs)))
    latest = latest_of_each_minor()
    bench_minors = [m for m, rel in latest.items() if LABELS[_row(rel)[2]] == "matrix"]
    parts.append("    bench = %s\n" % ", ".join("bench%s" % m for m in bench_minors))
    parts.append(BASE)
    for torch, vision, python, extra in RELEASES:
        minor = minor_of(torch)
        deps = ["torch==%s" % torch] + (["torchvision==%s" % vision] if vision else []) + extra.split()
        own = [PY37_VIRTUALENV] if python == "3.7" else []
        lines = [""] + (["# " + NOTES[torch]] if torch in NOTES else []) + ["[testenv:torch%s]" % torch, "base_python = python%s" % python] + own + ["deps ="]
        lines += ["    %s" % d for d in deps]
        parts.append("\n".join(lines) + "\n")
        if latest[minor] == torch:
            # the same pins, timing the hot paths instead of running the specs (tox keeps one
            # environment per name, so this is a second install of the release); one per minor
            parts.append("\n".join([
                "", "[testenv:bench%s]" % minor, "base_python = python%s" % python] + own + [
                "deps = {[testenv:torch%s]deps}" % torch,
                "commands = conformance bench --output {tox_root}/reports/bench/torch%s.json --label torch%s {posargs}"
                % (minor, minor)]) + "\n")
    return "".join(parts)


def _row(release):
    return next(r for r in RELEASES if r[0] == release)


if __name__ == "__main__":
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tox.ini")
    with open(path, "w") as fh:
        fh.write(render())
