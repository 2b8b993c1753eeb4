"""`conformance bisect`: the search logic with a fake probe, and the real probe machinery
(environments in the cache, the kit, the claim's run, interruption) with a fake uv and a fake
Python that writes hand-made results. No torch is installed."""
import argparse
import json
import os
import signal
import stat
import subprocess
import sys
import time

import pytest

from conformance import bisect as B
from conformance.cli import main

from conftest import REPO, one_line_error
from make_results import claim_entry, make_doc, spec_entry

TESTS = os.path.dirname(os.path.abspath(__file__))
CLAIM = "data.torchvision-mnist"
RELEASES = ["1.4.0", "1.5.0", "1.5.1", "1.6.0", "1.7.0", "1.7.1", "1.8.0", "1.8.1", "1.9.0", "1.9.1", "1.10.0"]
TABLE = [B.Pins(r, "0.%d.0" % i, "3.8", "numpy<1.24") for i, r in enumerate(RELEASES)]


def _claim(word, attempts):
    obs = {"attempts": attempts} if attempts is not None else {}
    return claim_entry(CLAIM, verdict=word, specs=[spec_entry("test_mnist", device="any", observations=obs)])


OLD, NEW = ("holds-with-caveat", 2), ("holds", None)


def _behaviour(first_new):
    """release -> (verdict, attempts): old before ``first_new``, new from it on."""
    i = RELEASES.index(first_new)
    return {r: (OLD if j < i else NEW) for j, r in enumerate(RELEASES)}


class FakeProbe:
    def __init__(self, behaviour, env=None):
        self.behaviour, self.env, self.calls = behaviour, env or {}, []

    def __call__(self, release):
        self.calls.append(release)
        word, attempts = self.behaviour[release]
        doc = make_doc(release, [_claim(word, attempts)], env=self.env.get(release))
        return B.Seen(release, doc["claims"][CLAIM], doc)


@pytest.mark.parametrize("first_new", RELEASES[1:])
def test_search_finds_every_boundary_in_few_probes(first_new):
    probe = FakeProbe(_behaviour(first_new))
    outcome = B.search(RELEASES, probe)
    assert outcome.first.release == first_new
    assert outcome.last_good.release == RELEASES[RELEASES.index(first_new) - 1]
    assert probe.calls[:2] == ["1.4.0", "1.10.0"]  # GOOD and BAD first, then binary-search order
    assert len(probe.calls) == len(set(probe.calls)) <= B.max_probes(len(RELEASES)) == 6
    assert probe.calls[2] == "1.7.1"  # the middle of 11


def test_search_with_good_and_bad_alike_finds_nothing():
    probe = FakeProbe({r: OLD for r in RELEASES})
    outcome = B.search(RELEASES, probe)
    assert outcome.first is None and probe.calls == ["1.4.0", "1.10.0"]


def test_verdict_only_ignores_observations():
    behaviour = {r: ("holds-with-caveat", 1 if r < "1.8" else 2) for r in RELEASES}  # only observations change ...
    behaviour.update({r: NEW for r in ("1.9.0", "1.9.1", "1.10.0")})  # ... then the verdict at 1.9.0
    assert B.search(RELEASES, FakeProbe(behaviour)).first.release == "1.8.0"
    assert B.search(RELEASES, FakeProbe(behaviour), verdict_only=True).first.release == "1.9.0"


def test_a_probe_unlike_both_ends_is_reported():
    behaviour = _behaviour("1.9.0")
    behaviour.update({"1.7.1": ("holds-with-caveat", 5)})
    outcome = B.search(RELEASES, FakeProbe(behaviour))
    assert [s.release for s in outcome.unlike_both] == ["1.7.1"]
    assert outcome.first.release == "1.7.1"  # the first unlike GOOD, though 1.8.1 is like GOOD again
    assert "note: 1.7.1 is unlike both 1.4.0 and 1.10.0" in B.render(outcome, CLAIM, False, 1.0)


def _args(*argv):
    ns = argparse.Namespace(claim=CLAIM, good="1.4.0", bad="1.10.0", python=None, cache=None, keep=False,
                            verdict_only=False, devices="cpu")
    for key, value in zip(("claim", "good", "bad"), argv):
        setattr(ns, key, value)
    return ns


def _fake_factory(probe):
    made = []

    def factory(claim, table, cache, work, **options):
        made.append((claim, cache, work, options))
        return probe

    factory.made = made
    return factory


def test_the_command_prints_the_first_release_and_the_evidence_line(tmp_path, capsys):
    env = {r: {"python": "3.8.18", "numpy": "1.23.5", "torchvision": v.torchvision} for r, v in zip(RELEASES, TABLE)}
    probe = FakeProbe(_behaviour("1.9.0"), env)
    args = _args()
    args.cache = str(tmp_path / "cache")
    assert B.run(args, _fake_factory(probe), TABLE) == 0
    out, err = capsys.readouterr()
    assert "the first release unlike 1.4.0 is 1.9.0 (the one before it, 1.8.1, is like 1.4.0)" in out
    assert out.splitlines()[-1] == "run: 1.9.0 holds, attempts not recorded; 1.8.1 holds-with-caveat, attempts 2"
    assert "probed %d of 11 releases (%s)" % (len(probe.calls), ", ".join(probe.calls)) in out
    assert "besides torch: possibly caused by torchvision 0.7.0 → 0.8.0" in out  # the claim's specs use it
    assert "--python X.Y" not in out  # Python did not change
    assert err.startswith("bisect: %s from 1.4.0 to 1.10.0: 11 releases, at most 6 probes" % CLAIM)
    assert "bisect: [3/6] torch 1.7.1 (between 1.4.0 and 1.10.0)" in err
    assert "\n" not in out.split("evidence for the record:\n")[1].strip()


def test_the_command_says_when_python_changed_too(tmp_path, capsys):
    env = {r: {"python": "3.8.18" if r < "1.9" else "3.10.13"} for r in RELEASES}
    args = _args()
    args.cache = str(tmp_path / "cache")
    assert B.run(args, _fake_factory(FakeProbe(_behaviour("1.9.0"), env)), TABLE) == 0
    out = capsys.readouterr().out
    assert "besides torch: possibly caused by Python 3.8.18 → 3.10.13" in out and "--python X.Y probes" in out
    assert "is 1.9.0 (the one before it, 1.8.1, is like 1.4.0)" in out


def test_the_command_with_nothing_between_good_and_bad(tmp_path, capsys):
    args = _args(CLAIM, "1.8.1", "1.9.0")
    args.cache = str(tmp_path / "cache")
    assert B.run(args, _fake_factory(FakeProbe(_behaviour("1.9.0"))), TABLE) == 0
    out = capsys.readouterr().out
    assert "is 1.9.0 (the one before it, GOOD itself)" in out
    assert "besides torch, the two environments are the same" in out


def test_good_and_bad_alike_exit_1(tmp_path, capsys):
    args = _args()
    args.cache = str(tmp_path / "cache")
    assert B.run(args, _fake_factory(FakeProbe({r: OLD for r in RELEASES})), TABLE) == 1
    assert "show the same verdict and observations" in capsys.readouterr().out


@pytest.mark.parametrize("argv, needle", [
    (["bisect", "data.torchvision-mnst", "1.4.0", "1.10.0"], "unknown claim 'data.torchvision-mnst' (did you mean data.torchvision-mnist?)"),
    (["bisect", CLAIM, "1.4.1", "1.10.0"], "GOOD: torch 1.4.1 is not in the release table (1.4 in it: 1.4.0;"),
    (["bisect", CLAIM, "1.4.0", "9.9.9"], "BAD: torch 9.9.9 is not in the release table"),
    (["bisect", CLAIM, "1.10.0", "1.4.0"], "GOOD (1.10.0) must be older than BAD (1.4.0)"),
    (["bisect", CLAIM, "1.4.0", "1.4.0"], "must be older than BAD"),
    (["bisect", CLAIM, "1.4.0", "1.10.0", "--python", "three"], "--python three: give a version such as 3.8"),
    (["bisect", CLAIM, "1.4.0"], "the following arguments are required: BAD"),
])
def test_bad_input_is_one_line_and_exit_2_before_any_work(argv, needle, tmp_path, capsys, monkeypatch):
    called = []
    monkeypatch.setattr(B, "Prober", lambda *a, **k: called.append(a) or (lambda release: None))
    monkeypatch.chdir(tmp_path)
    assert main(argv + ["--cache", str(tmp_path / "cache")]) == 2
    assert needle in one_line_error(capsys)
    assert not called and not (tmp_path / "cache").exists()


def test_the_table_is_gen_tox_s():
    table = B.load_table(os.path.join(REPO, "scripts", "gen_tox.py"))
    assert [p.torch for p in table][:3] == ["1.0.0", "1.0.1", "1.1.0"] and len(table) == 52
    rows = B.between(table, "1.4.0", "1.10.0")
    assert [p.torch for p in rows] == RELEASES
    assert rows[0].requirements() == ["torch==1.4.0", "torchvision==0.5.0", "numpy<1.24", "pillow<10", "setuptools<70"]


# ---------------------------------------------------------------- the real Prober, with fakes of uv and Python
FAKE_PYTHON = r'''#!%(python)s
"""A probe environment's python: `-m conformance.cli run ... --results OUT --label bisect-torchX`
writes hand-made results for release X from the behaviour in $FAKE_BEHAVIOUR."""
import json, os, sys, time
sys.path.insert(0, %(tests)r)
from make_results import claim_entry, make_doc, spec_entry
argv = sys.argv[1:]
out = argv[argv.index("--results") + 1]
release = argv[argv.index("--label") + 1][len("bisect-torch"):]
if os.environ.get("FAKE_HANG") == release:
    open(os.environ["FAKE_READY"], "w").write(str(os.getpid()))
    time.sleep(60)
word, attempts = json.load(open(os.environ["FAKE_BEHAVIOUR"]))[release]
obs = {"attempts": attempts} if attempts is not None else {}
claim = claim_entry("data.torchvision-mnist", verdict=word, specs=[spec_entry("test_mnist", device="any", observations=obs)])
doc = make_doc(release, [claim], env={"python": "3.8.18"})
json.dump(doc, open(out, "w"))
sys.exit(0)
'''

FAKE_UV = r'''#!/bin/sh
# a fake uv: build, venv (installs the fake python), pip install (records its arguments)
echo "$*" >> "$FAKE_UV_LOG"
case "$1" in
    build) mkdir -p "$4" && : > "$4/torch_conformance-0.1.0-py3-none-any.whl" ;;
    venv) for last in "$@"; do :; done; mkdir -p "$last/bin" && cp "$FAKE_PYTHON" "$last/bin/python" ;;
    pip) if [ -n "$FAKE_UV_HANG" ]; then echo $$ > "$FAKE_READY"; exec sleep 60; fi ;;
esac
'''


@pytest.fixture
def fakes(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    python = tmp_path / "fake-python"
    python.write_text(FAKE_PYTHON % {"python": sys.executable, "tests": TESTS})
    uv = bin_dir / "uv"
    uv.write_text(FAKE_UV)
    for f in (python, uv):
        f.chmod(f.stat().st_mode | stat.S_IEXEC)
    behaviour = tmp_path / "behaviour.json"
    behaviour.write_text(json.dumps(_behaviour("1.9.0")))
    env = {"PATH": "%s%s%s" % (bin_dir, os.pathsep, os.environ["PATH"]), "FAKE_PYTHON": str(python),
           "FAKE_BEHAVIOUR": str(behaviour), "FAKE_UV_LOG": str(tmp_path / "uv.log"),
           "FAKE_READY": str(tmp_path / "ready"), "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("PYENV_VERSION", raising=False)
    return env


def test_the_prober_makes_environments_runs_the_claim_and_frees_them(fakes, tmp_path, capsys):
    cache = tmp_path / "cache"
    assert main(["bisect", CLAIM, "1.4.0", "1.10.0", "--cache", str(cache)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[-1] == "run: 1.9.0 holds, attempts not recorded; 1.8.1 holds-with-caveat, attempts 2"
    uv = (tmp_path / "uv.log").read_text().splitlines()
    assert uv[0].startswith("build --wheel --out-dir ")
    installs = [ln for ln in uv if ln.startswith("pip install")]
    assert any("torch==1.9.0 torchvision==0.10.0 numpy<1.24 pillow<10 setuptools<70" in ln for ln in installs)
    assert [ln for ln in uv if ln.startswith("venv")][0].startswith("venv --quiet --python 3.8 ")
    assert os.listdir(str(cache / "envs")) == []  # freed after each probe (no --keep)
    kept = sorted(os.listdir(str(cache / "runs" / CLAIM)))
    assert "torch1.9.0.json" in kept and "torch1.8.1.json" in kept
    assert os.listdir(str(tmp_path / "tmp")) == []  # the work folder is gone
    assert "creating its environment: Python 3.8, torch==1.4.0 torchvision==0.5.0" in err


def test_kept_environments_are_reused(fakes, tmp_path, capsys):
    cache = tmp_path / "cache"
    argv = ["bisect", CLAIM, "1.8.1", "1.9.0", "--cache", str(cache), "--keep", "--python", "3.8"]
    assert main(argv) == 0
    assert sorted(os.listdir(str(cache / "envs"))) == ["torch1.8.1-py3.8", "torch1.9.0-py3.8"]
    capsys.readouterr()
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert err.count("reusing its environment") == 2 and "creating" not in err
    (tmp_path / "uv.log").write_text("")
    os.unlink(str(cache / "envs" / "torch1.9.0-py3.8" / B.MARKER))  # half-built: made again
    assert main(argv) == 0
    assert "creating its environment" in capsys.readouterr().err


@pytest.mark.parametrize("signame, code, where", [("SIGTERM", 143, "install"), ("SIGINT", 130, "install"),
                                                  ("SIGTERM", 143, "run")])
def test_an_interrupted_bisect_leaves_nothing_but_its_cache(signame, code, where, fakes, tmp_path):
    cache = tmp_path / "cache"
    env = dict(os.environ, PYTHONPATH=TESTS + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env["FAKE_UV_HANG" if where == "install" else "FAKE_HANG"] = "1" if where == "install" else "1.4.0"
    argv = [sys.executable, "-c", "import sys; from conformance.cli import main; sys.exit(main(sys.argv[1:]))",
            "bisect", CLAIM, "1.4.0", "1.10.0", "--cache", str(cache)]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready = tmp_path / "ready"
    try:
        deadline = time.time() + 120
        while not ready.exists() and proc.poll() is None and time.time() < deadline:
            time.sleep(0.05)
        assert ready.exists(), proc.communicate()[1][-2000:]
        time.sleep(0.2)
        child = int(ready.read_text())
        proc.send_signal(getattr(signal, signame))
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, err[-2000:]
    said = [ln for ln in err.splitlines() if ln.startswith("conformance:")]
    assert said == ["conformance: %s" % ("terminated (SIGTERM)" if code == 143 else "interrupted")], err[-2000:]
    assert "Traceback" not in err and out == ""
    with pytest.raises(OSError):  # the child it was waiting for was stopped
        for _ in range(100):
            os.kill(child, 0)
            time.sleep(0.05)
    assert os.listdir(str(cache / "envs")) == []  # the half-built environment was removed
    assert os.listdir(str(tmp_path / "tmp")) == []  # and the work folder
    assert sorted(os.listdir(str(cache))) == ["envs", "logs", "runs"]
