"""bench-compare: both environments timed in one run (duet, cores swapped, paired trials).

The end-to-end test runs the real protocol on two cheap hot paths with the test-only slowdown
hook making one of them 50% slower on the candidate side (a clear margin for a few trials on
a 2-core CI runner, about 30 s); the 10% check with the default trials is a script run on the
development machine (scripts/bench_compare_checks.py), its numbers in reports/bench/compare/.
"""
import ast
import json
import math
import os
import stat
import sys

import pytest

from conformance import compare
from conformance.benchmarks import hotpaths, worker

from conftest import one_line_error

PY = sys.executable


def _main(argv):
    return compare.main(argv)


# ------------------------------------------------------------------------------ pieces
@pytest.mark.parametrize("expr, hits", [
    ("max", ["max_over_dim"]),
    ("gram and not pairs", ["gram_matrix(method=product)"]),
    ("(detach or max) and not over", ["detach"]),
    ("SIZE=small", ["backward_scalar(size=small)"]),
])
def test_keyword_expression(expr, hits):
    ids = ["max_over_dim", "gram_matrix(method=product)", "gram_matrix(method=channel-pairs)", "detach",
           "backward_scalar(size=small)"]
    match = compare.keyword_matcher(expr)
    assert [i for i in ids if match(i)] == hits


@pytest.mark.parametrize("expr", ["", "and max", "(max", "max or", "max )"])
def test_keyword_expression_malformed(expr):
    with pytest.raises(compare.CompareError):
        compare.keyword_matcher(expr)


def _sample(pair, base_core, ratio, base=1e-3):
    return {"pair": pair, "trial": 2 * pair + base_core, "base_core": base_core, "candidate_core": 1 - base_core,
            "base_cpu_s": base * 100, "base_wall_s": base * 100, "base_calls": 100,
            "candidate_cpu_s": base * ratio * 100, "candidate_wall_s": base * ratio * 100, "candidate_calls": 100}


def test_pairing_cancels_a_core_bias():
    """The candidate looks 8% faster on core 0 and 8% slower on core 1 (a core bias): each
    pair's geometric mean recovers the true ratio, and the bias is reported."""
    true = [1.10, 1.12, 1.09, 1.11, 1.10, 1.10]
    samples = []
    for pair, r in enumerate(true):
        samples += [_sample(pair, 0, r / 1.08), _sample(pair, 1, r * 1.08)]
    row = compare.summarize(samples, threshold=0.05)
    assert abs(row["ratio"] - math.sqrt(1.10 * 1.10)) < 1e-9  # the median of the six pairs' ratios
    assert abs(row["core_bias"] - 1 / 1.08) < 1e-9
    assert 1.05 < row["low"] < row["ratio"] < row["high"] < 1.13 and row["verdict"] == "slower"
    assert row["pairs"] == 6 and row["width"] == pytest.approx(row["high"] - row["low"])


@pytest.mark.parametrize("low, high, expected", [
    (1.06, 1.2, "slower"), (0.8, 0.94, "faster"), (0.96, 1.04, "same"), (1.02, 1.09, "unclear"), (0.9, 1.1, "unclear"),
])
def test_verdict_needs_the_whole_interval_beyond_the_threshold(low, high, expected):
    assert compare.verdict(low, high, 0.05) == expected


def test_slowdown_hook_is_off_unless_asked():
    assert hotpaths.slowdowns({}) == {}
    assert hotpaths.slowdowns({hotpaths.SLOWDOWN_ENV: "max_over_dim=0.1, detach=0.5"}) == {
        "max_over_dim": 0.1, "detach": 0.5}
    for bad in ("max_over_dim", "=0.1", "max_over_dim=x", "max_over_dim=-1"):
        with pytest.raises(ValueError):
            hotpaths.slowdowns({hotpaths.SLOWDOWN_ENV: bad})
    calls = []
    slowed = hotpaths._slowed(lambda: calls.append(1), 0.25)
    for _ in range(40):
        slowed()
    assert len(calls) == 50  # a quarter more work, spread evenly


def test_worker_and_hot_paths_keep_python37_syntax():
    """The worker runs under every environment's interpreter, old torch releases' included."""
    for module in (worker, hotpaths):
        with open(module.__file__.replace(".pyc", ".py"), encoding="utf-8") as fh:
            ast.parse(fh.read(), feature_version=(3, 7))


# ------------------------------------------------------------------------------ unusable input
def _script(path, body):
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def _shadowing_python(tmp_path, module, source):
    """An 'interpreter' whose environment has ``module`` replaced by ``source``."""
    fake = tmp_path / ("fake-" + module)
    (fake / module).mkdir(parents=True)
    (fake / module / "__init__.py").write_text(source)
    return _script(tmp_path / ("python-without-" + module), 'PYTHONPATH="%s" exec "%s" "$@"' % (fake, PY))


@pytest.mark.parametrize("case", ["missing", "directory", "no-torch", "no-kit", "trials-odd", "trials-few",
                                  "threshold", "threshold-zero", "output-dir", "output-under-file", "bad-k"])
def test_unusable_input_is_one_line_and_exit_2(tmp_path, capsys, case):
    out = str(tmp_path / "c.json")
    args = {
        "missing": [str(tmp_path / "nope" / "python"), PY],
        "directory": [PY, str(tmp_path)],
        "no-torch": [PY, _shadowing_python(tmp_path, "torch", "raise ImportError('no torch here')")],
        "no-kit": [_shadowing_python(tmp_path, "conformance", ""), PY],
        "trials-odd": [PY, PY, "--trials", "5"],
        "trials-few": [PY, PY, "--trials", "2"],
        "threshold": [PY, PY, "--threshold", "1.5"],
        "threshold-zero": [PY, PY, "--threshold", "0"],
        "output-dir": [PY, PY, "--output", str(tmp_path)],
        "output-under-file": [PY, PY, "--output", str(tmp_path / "c.json" / "x.json")],
        "bad-k": [PY, PY, "-k", "max and"],
    }[case]
    if case == "output-under-file":
        (tmp_path / "c.json").write_text("{}")
    elif "--output" not in args:
        args += ["--output", out]
    assert _main(["bench-compare"] + args) == 2
    err = one_line_error(capsys)
    needle = {"missing": "no such file", "directory": "not an executable", "no-torch": "cannot import torch",
              "no-kit": "kit", "trials-odd": "--trials 5", "trials-few": "--trials 2", "threshold": "--threshold 1.5",
              "threshold-zero": "--threshold 0", "output-dir": "is a directory", "output-under-file": "is a file",
              "bad-k": "-k"}[case]
    assert needle in err, err
    if case != "output-under-file":
        assert not os.path.exists(out)


def test_k_matching_nothing_and_a_broken_hook_are_unusable(tmp_path, capsys, monkeypatch):
    out = str(tmp_path / "c.json")
    assert _main(["bench-compare", PY, PY, "-k", "no_such_hot_path", "--output", out]) == 2
    assert "matches none of the hot paths" in one_line_error(capsys)
    monkeypatch.setenv(hotpaths.SLOWDOWN_ENV, "max_over_dim")
    assert _main(["bench-compare", PY, PY, "-k", "max", "--output", out]) == 2
    assert hotpaths.SLOWDOWN_ENV in one_line_error(capsys)
    assert not os.path.exists(out)


# ------------------------------------------------------------------------------ end to end
def test_a_known_slowdown_is_flagged_and_the_untouched_hot_path_is_not(tmp_path, capsys, monkeypatch):
    """Same interpreter on both sides; the hook makes max_over_dim 50% slower on the candidate
    only. gram_matrix(method=product) is the A/A control in the same run."""
    if len(compare._cores()) < 2:
        pytest.skip("the duet needs 2 CPUs")
    monkeypatch.setenv(hotpaths.SLOWDOWN_ENV, "max_over_dim=0.5")
    out = tmp_path / "sub" / "c.json"
    rc = _main(["bench-compare", PY, PY, "-k", "max_over_dim or (gram and product)", "--trials", "6",
                "--seconds", "0.1", "--output", str(out)])
    captured = capsys.readouterr()
    assert rc == 1, captured.out
    doc = json.loads(out.read_text())
    rows = {r["id"]: r for r in doc["results"]}
    slowed, control = rows["max_over_dim"], rows["gram_matrix(method=product)"]
    assert slowed["verdict"] == "slower" and 1.3 < slowed["ratio"] < 1.7, slowed
    assert control["verdict"] != "slower" and 0.9 < control["ratio"] < 1.1, control
    assert doc["injected_slowdown"] == {"max_over_dim": 0.5}
    assert doc["base"]["slowdown"] == {} and doc["candidate"]["slowdown"] == {"max_over_dim": 0.5}
    assert len(doc["loadavg_start"]) == 3 and len(doc["loadavg_end"]) == 3
    assert sorted({s["base_core"] for s in slowed["samples"]}) == doc["protocol"]["cpus"]  # cores swapped
    assert os.listdir(str(out.parent)) == ["c.json"]  # atomic write leaves no temporary file
    assert "| max_over_dim |" in captured.out and "🐢 slower" in captured.out and "Test-only slowdown" in captured.out
    assert "| width |" in captured.out
    assert "trial 2/6" in captured.err and "trial 6/6" in captured.err

    report = tmp_path / "report"
    assert _main(["bench-compare-report", str(out), "--out", str(report)]) == 0
    table = (report / "README.md").read_text()
    assert "| max_over_dim |" in table and "ratios.png" in table
    assert (report / "ratios.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
