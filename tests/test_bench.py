"""Benchmarks: smoke run, the harness against torch.utils.benchmark, report/plot and the gate."""
import json

import pytest

from conformance.cli import main

from conftest import one_line_error
from make_results import write


def test_every_benchmark_runs_in_smoke_mode(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["bench", "--smoke", "--devices", "cpu", "-p", "no:warnings"]) == 0
    assert "every benchmark ran once" in capsys.readouterr().out


def _bench_doc(torch_version, medians, iqr=0.0001, threads=1):
    return {"schema": "torch-conformance/bench", "schema_version": 1,
            "environment": {"torch": torch_version, "torch_release": torch_version, "python": "3.11.7"},
            "threads": threads,
            "benchmarks": [{"id": "%s[cpu]" % k, "path": k, "device": "cpu", "median": v, "iqr": iqr,
                            "q1": v - iqr / 2, "q3": v + iqr / 2, "mean": v, "min": v, "rounds": 10, "info": {}}
                           for k, v in medians.items()]}


def test_bench_report_table_and_plot(tmp_path, capsys):
    a = write(tmp_path / "a.json", _bench_doc("2.5.1", {"max_over_dim": 0.004, "detach": 0.001}))
    b = write(tmp_path / "b.json", _bench_doc("2.10.0", {"max_over_dim": 0.006, "detach": 0.001}))
    out = tmp_path / "out"
    assert main(["bench-report", b, a, "--out", str(out)]) == 0
    table = (out / "README.md").read_text()
    assert "| max_over_dim | cpu | 4 ms [100 µs] | 6 ms [100 µs] ×1.50 |" in table
    png = (out / "hotpaths.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


@pytest.mark.parametrize("cand_median, iqr, expected", [
    (0.0050, 0.0001, 1),   # 25% slower, beyond noise: regression
    (0.0046, 0.0001, 0),   # 15% slower: under the threshold
    (0.0050, 0.0020, 0),   # 25% slower but within the noise of the runs
    (0.0030, 0.0001, 0),   # faster
])
def test_speed_gate(tmp_path, capsys, cand_median, iqr, expected):
    base = write(tmp_path / "base.json", _bench_doc("2.5.1", {"max_over_dim": 0.004}, iqr=iqr))
    cand = write(tmp_path / "cand.json", _bench_doc("2.6.0", {"max_over_dim": cand_median}, iqr=iqr))
    assert main(["bench-diff", base, cand]) == expected
    assert ("🐢 regression" in capsys.readouterr().out) == bool(expected)


def test_speed_gate_bad_input(tmp_path, capsys):
    good = write(tmp_path / "g.json", _bench_doc("2.5.1", {"x": 1.0}))
    other_threads = write(tmp_path / "t.json", _bench_doc("2.6.0", {"x": 1.0}, threads=4))
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema": "torch-conformance/bench"')
    for argv, needle in [(["bench-diff", good, str(broken)], "corrupt"),
                         (["bench-diff", good, str(tmp_path / "none.json")], "no such bench file"),
                         (["bench-diff", good, other_threads], "different thread counts"),
                         (["bench-report", good, "--baseline", "9.9"], "baseline release 9.9")]:
        assert main(argv) == 2
        err = one_line_error(capsys)
        assert needle in err, err


@pytest.mark.parametrize("clock, expected_rc", [(None, 0), ("clocks.double_speed", 1)])
def test_harness_check_agrees_and_catches_a_wrong_clock(tmp_path, monkeypatch, capsys, clock, expected_rc):
    """The harness check passes with the kit's clock, and fails, about 100% apart, when the kit's
    timings read double (the Timer, interleaved with it, keeps the true clock)."""
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "bench.json"
    argv = ["bench", "--devices", "cpu", "--output", str(out), "-k", "harness and gram_product", "-p", "no:warnings"]
    assert main(argv + (["--benchmark-timer", clock] if clock else [])) == expected_rc
    (check,) = json.loads(out.read_text())["benchmarks"]
    gap = check["info"]["agreement"]
    if expected_rc:
        assert 0.7 < gap < 1.3, gap
        assert "apart" in capsys.readouterr().out
    else:
        assert gap < 0.15 and check["info"]["timer_calls"] >= 150
