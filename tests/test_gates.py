"""Fault injection: evidence is never lost and no gate passes on nothing (issue #12).

Each test reproduces one way a CI gate broke before: an interrupted run, an unwritable or
wrong output path, concurrent writers, corrupt inputs, a gate with nothing to compare, Markdown
that did not render. The contract: 0 ok, 1 failing/breaking/slower, 2 unusable input (one line
on stderr, no traceback), 130 interrupted; an existing file is replaced only by a complete one.
"""
import errno
import json
import os
import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance import jsonio
from conformance.cli import main

from conftest import REPO, one_line_error
from make_results import claim_entry, make_doc, spec_entry, write

TESTS = os.path.dirname(os.path.abspath(__file__))


def _good(tmp_path, name="good.json"):
    """An existing good results file and its page, as a previous run left them."""
    path = tmp_path / name
    write(path, make_doc("2.5.1", [claim_entry("optim.zero-grad")]))
    (tmp_path / name.replace(".json", ".md")).write_text("# the previous page\n")
    return path


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _conformance(*args, env=None, cwd=None, timeout=600):
    code = "import sys; from conformance.cli import main; sys.exit(main(sys.argv[1:]))"
    full_env = dict(os.environ, PYTHONPATH=TESTS + os.pathsep + os.environ.get("PYTHONPATH", ""), **(env or {}))
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd, timeout=timeout)


# ----------------------------------------------------------------------------- interruption
@pytest.mark.parametrize("at", ["collect", "spec:1", "spec:25"])
def test_sigint_leaves_the_previous_results_byte_identical(at, tmp_path):
    good = _good(tmp_path)
    before = _snapshot(tmp_path)
    proc = _conformance("run", "--devices", "cpu", "--results", str(good), "-p", "sigint_at",
                        env={"SIGINT_AT": at}, cwd=str(tmp_path))
    assert proc.returncode == 130, proc.stdout[-1500:] + proc.stderr[-1500:]
    assert "interrupted" in proc.stderr and "Traceback" not in proc.stderr
    after = _snapshot(tmp_path)
    assert after[good.name] == before[good.name] and after["good.md"] == before["good.md"]
    leftovers = set(after) - set(before)
    if at != "collect":  # specs ran: what they showed is kept apart, marked as interrupted
        assert leftovers == {"good.json.partial"}, leftovers
        partial = json.loads((tmp_path / "good.json.partial").read_text())
        assert partial["run"]["partial"] == "interrupted"
        assert "good.json.partial" in proc.stderr
    else:
        assert leftovers <= {"good.json.partial"}


def test_a_swallowed_sigint_is_still_an_interruption(tmp_path):
    """Code under test that catches KeyboardInterrupt must not turn Ctrl-C into a pass."""
    good = _good(tmp_path)
    before = _snapshot(tmp_path)
    proc = _conformance("run", "--devices", "cpu", "--results", str(good), "-p", "sigint_at",
                        "-k", "autograd", env={"SIGINT_AT": "swallow:2"}, cwd=str(tmp_path))
    assert proc.returncode == 130, proc.stdout[-1500:] + proc.stderr[-1500:]
    assert _snapshot(tmp_path)[good.name] == before[good.name]


@pytest.mark.parametrize("at", ["collect", "spec:1", "spec:25"])
def test_sigterm_is_handled_like_sigint(at, tmp_path):
    """SIGTERM (what CI runners and tox send on a time-out or cancel): exit 143, one line, the
    previous results and page byte-identical, what ran kept in PATH.partial marked terminated."""
    good = _good(tmp_path)
    before = _snapshot(tmp_path)
    proc = _conformance("run", "--devices", "cpu", "--results", str(good), "-p", "sigint_at",
                        env={"SIGINT_AT": at, "SIGINT_AT_SIGNAL": "TERM"}, cwd=str(tmp_path))
    assert proc.returncode == 143, proc.stdout[-1500:] + proc.stderr[-1500:]
    said = [ln for ln in proc.stderr.splitlines() if ln.startswith("conformance:")]
    assert len(said) == 1 and said[0].startswith("conformance: terminated (SIGTERM)"), proc.stderr[-1500:]
    assert "Traceback" not in proc.stderr
    after = _snapshot(tmp_path)
    assert after[good.name] == before[good.name] and after["good.md"] == before["good.md"]
    leftovers = set(after) - set(before)
    if at != "collect":
        assert leftovers == {"good.json.partial"}, leftovers
        partial = json.loads((tmp_path / "good.json.partial").read_text())
        assert partial["run"]["partial"] == "terminated"
        assert "good.json.partial" in said[0]
    else:
        assert leftovers <= {"good.json.partial"}


def test_sigterm_from_outside_and_swallowed(tmp_path):
    """A SIGTERM sent by another process while a spec runs; and one whose exception code under
    test swallows: both stop as terminated (143), the old file intact."""
    import signal
    import time

    good = _good(tmp_path)
    before = _snapshot(tmp_path)
    ready = tmp_path / "ready"
    code = "import sys; from conformance.cli import main; sys.exit(main(sys.argv[1:]))"
    env = dict(os.environ, PYTHONPATH=TESTS + os.pathsep + os.environ.get("PYTHONPATH", ""),
               SIGINT_AT="pause:3", SIGINT_AT_READY=str(ready))
    proc = subprocess.Popen([sys.executable, "-c", code, "run", "--devices", "cpu", "--results", str(good),
                             "-p", "sigint_at", "-k", "autograd"], cwd=str(tmp_path), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 300
        while not ready.exists() and proc.poll() is None and time.time() < deadline:
            time.sleep(0.1)
        assert ready.exists(), "the run never reached its third spec"
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, out[-1500:] + err[-1500:]
    assert _snapshot(tmp_path)[good.name] == before[good.name]
    assert json.loads((tmp_path / "good.json.partial").read_text())["run"]["partial"] == "terminated"
    (tmp_path / "good.json.partial").unlink()
    swallowed = _conformance("run", "--devices", "cpu", "--results", str(good), "-p", "sigint_at", "-k", "autograd",
                             env={"SIGINT_AT": "swallow:2", "SIGINT_AT_SIGNAL": "TERM"}, cwd=str(tmp_path))
    assert swallowed.returncode == 143, swallowed.stdout[-1500:] + swallowed.stderr[-1500:]
    assert _snapshot(tmp_path)[good.name] == before[good.name]
    assert json.loads((tmp_path / "good.json.partial").read_text())["run"]["partial"] == "terminated"


def test_sigterm_in_a_command_that_writes_no_partial(tmp_path, monkeypatch, capsys):
    """report (and diff, bench) stopped by SIGTERM: exit 143, one line, the old files as they were
    and no temporary file left."""
    import signal

    from conformance import report

    a = write(tmp_path / "a.json", make_doc("2.5.1", [claim_entry("optim.zero-grad")]))
    out = tmp_path / "out"
    out.mkdir()
    (out / "README.md").write_text("old")
    real = report.render_all

    def render_then_sigterm(docs):
        pages = real(docs)
        os.kill(os.getpid(), signal.SIGTERM)
        return pages

    monkeypatch.setattr(report, "render_all", render_then_sigterm)
    assert main(["report", a, "--out", str(out)]) == 143
    assert capsys.readouterr().err.strip() == "conformance: terminated (SIGTERM)"
    assert (out / "README.md").read_text() == "old"
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "claims"]
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # the handler does not outlive the command


# ----------------------------------------------------------------------------- output paths
def _run_rejects(argv, capsys, needle):
    assert main(argv) == 2
    err = one_line_error(capsys)
    assert needle in err, err
    return err


def test_results_path_checks_happen_before_any_spec_runs(tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    _run_rejects(["run", "--devices", "cpu", "--results", str(tmp_path / "res.md")], capsys, "must end in .json")
    _run_rejects(["run", "--devices", "cpu", "--results", str(tmp_path / "afile" / "r.json")], capsys, "is a file")
    assert "torch-conformance" not in capsys.readouterr().out  # nothing started


def test_results_in_a_folder_that_cannot_be_written(tmp_path, capsys, monkeypatch):
    """A read-only folder (root ignores modes, so the refusal is injected where the kit probes)."""
    def refuse(*a, **k):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(jsonio.tempfile, "mkstemp", refuse)
    _run_rejects(["run", "--devices", "cpu", "--results", str(tmp_path / "ro" / "r.json")], capsys, "not writable")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders; the injected refusal above covers it")
def test_results_in_a_real_read_only_folder(tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        _run_rejects(["run", "--devices", "cpu", "--results", str(ro / "r.json")], capsys, "not writable")
    finally:
        ro.chmod(0o755)


def test_full_disk_at_save_leaves_the_old_file_and_no_temp(tmp_path, capsys, monkeypatch):
    good = _good(tmp_path)
    before = _snapshot(tmp_path)

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(jsonio.os, "fsync", full)
    rc = main(["run", "--devices", "cpu", "--results", str(good), "-k", "test_scalar_backward", "-q"])
    assert rc == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("conformance: error: cannot write the results page") and "No space left" in err
    assert err.endswith("good.json is unchanged"), err
    assert _snapshot(tmp_path) == before  # old file intact, no temporary left behind


def test_diff_never_writes_over_its_inputs(tmp_path, capsys):
    a = write(tmp_path / "a.json", make_doc("2.5.1", [claim_entry("optim.zero-grad")]))
    b = write(tmp_path / "b.json", make_doc("2.6.0", [claim_entry("optim.zero-grad")]))
    before = _snapshot(tmp_path)
    _run_rejects(["diff", a, b, "--output", b], capsys, "must end in .md")
    _run_rejects(["diff", a, b, "--output", str(tmp_path)], capsys, "is a directory")
    (tmp_path / "b.md").write_text("x")
    _run_rejects(["diff", a, b, "--output", str(tmp_path / "b.md"), "--waivers", str(tmp_path / "b.md")], capsys,
                 "is one of the inputs")
    assert {k: v for k, v in _snapshot(tmp_path).items() if k != "b.md"} == before
    assert main(["diff", a, b, "--output", str(tmp_path / "new" / "deeper" / "d.md")]) == 0
    assert (tmp_path / "new" / "deeper" / "d.md").read_text().startswith("## torch-conformance diff")


def test_report_and_bench_outputs_are_checked(tmp_path, capsys, monkeypatch):
    a = write(tmp_path / "a.json", make_doc("2.5.1", [claim_entry("optim.zero-grad")]))
    (tmp_path / "afile").write_text("x")
    _run_rejects(["report", a, "--out", str(tmp_path / "afile")], capsys, "is a file")
    _run_rejects(["bench", "--devices", "cpu", "--output", str(tmp_path)], capsys, "is a directory")
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    _run_rejects(["bench-report", a, "--out", str(tmp_path / "b")], capsys, "matplotlib")
    assert not (tmp_path / "b" / "README.md").exists()


def test_defaults_never_touch_committed_folders(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    a = write(tmp_path / "a.json", make_doc("2.5.1", [claim_entry("optim.zero-grad")]))
    assert main(["report", a]) == 0
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.md"))
    assert written and all(p.startswith(os.path.join("reports", "local")) for p in written), written


# ----------------------------------------------------------------------------- no gate on nothing
def test_run_with_no_runnable_device_is_unusable(monkeypatch, capsys, tmp_path):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    _run_rejects(["run", "--devices", "cuda", "--results", str(tmp_path / "r.json")], capsys, "none of the selected devices")
    assert not (tmp_path / "r.json").exists()


def _bench_doc(ids, device="cpu"):
    return {"schema": "torch-conformance/bench", "schema_version": 1,
            "environment": {"torch": "2.5.1", "python": "3.11.7"}, "threads": 1,
            "benchmarks": [{"id": "%s[%s]" % (k, device), "path": k, "device": device, "median": 0.001, "iqr": 1e-5,
                            "q1": 0.001, "q3": 0.001, "rounds": 9} for k in ids]}


@pytest.mark.parametrize("cand", [_bench_doc([]), _bench_doc(["detach"], device="cuda")])
def test_bench_diff_with_nothing_in_common_is_unusable(cand, tmp_path, capsys):
    a = write(tmp_path / "a.json", _bench_doc(["detach"]))
    b = write(tmp_path / "b.json", cand)
    _run_rejects(["bench-diff", a, b], capsys, "share no hot path")


def test_bench_diff_says_it_compares_runs_made_at_different_times(tmp_path, capsys):
    a = write(tmp_path / "a.json", _bench_doc(["detach"]))
    assert main(["bench-diff", a, a]) == 0
    assert "different times" in capsys.readouterr().out


@pytest.mark.parametrize("side", ["base", "candidate"])
def test_a_partial_run_cannot_pass_the_gate(side, tmp_path, capsys):
    full = make_doc("2.5.1", [claim_entry("optim.zero-grad")])
    part = make_doc("2.6.0", [claim_entry("optim.zero-grad")])
    part["run"]["partial"] = "subset"
    a = write(tmp_path / "full.json", full)
    b = write(tmp_path / "part.json", part)
    argv = ["diff", b, a] if side == "base" else ["diff", a, b]
    _run_rejects(argv, capsys, "partial run (subset)")
    _run_rejects(["report", a, b], capsys, "partial run")


def test_a_subset_run_records_that_it_is_partial(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "r.json"
    assert main(["run", "--devices", "cpu", "--results", str(out), "-k", "test_scalar_backward", "-q"]) == 0
    assert json.loads(out.read_text())["run"]["partial"] == "subset"


# ----------------------------------------------------------------------------- waivers, options
@pytest.mark.parametrize("waiver, needle", [
    ({"claim": "optim.zero-grd", "reason": "r", "expires": "2027-03-31"}, "unknown claim 'optim.zero-grd' (did you mean optim.zero-grad?)"),
    ({"claim": "optim.zero-grad", "reason": "r", "expires": "20270331"}, "not a YYYY-MM-DD date"),
    ({"claim": "optim.zero-grad", "reason": "r", "expires": "2027-3-31"}, "not a YYYY-MM-DD date"),
])
def test_waivers_name_known_claims_and_strict_dates(waiver, needle, tmp_path, capsys):
    a = write(tmp_path / "a.json", make_doc("2.5.1", [claim_entry("optim.zero-grad")]))
    w = tmp_path / "w.json"
    w.write_text(json.dumps([waiver]))
    _run_rejects(["diff", a, a, "--waivers", str(w)], capsys, needle)


@pytest.mark.parametrize("argv, needle", [
    (["run", "--resutls", "x.json"], "unknown option --resutls (did you mean --results?)"),
    (["run", "--devices", "cpu", "--no-such-pytest-option"], "pytest: unrecognized arguments: --no-such-pytest-option"),
    (["bench", "--devics", "cpu"], "did you mean --devices?"),
    (["diff", "a.json"], "the following arguments are required"),
    (["no-such-command"], "invalid choice"),
])
def test_usage_errors_are_one_line_and_exit_2(argv, needle, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _run_rejects(argv, capsys, needle)


# ----------------------------------------------------------------------------- concurrent writers
def test_concurrent_writers_never_corrupt_nor_crash(tmp_path):
    path = tmp_path / "shared.json"
    writer = textwrap.dedent("""
        import sys
        sys.path.insert(0, %r)
        from make_results import claim_entry, make_doc
        from conformance.results import save
        doc = make_doc(sys.argv[1], [claim_entry("optim.zero-grad")])
        for _ in range(300):
            save(doc, %r)
    """) % (TESTS, str(path))
    reader = textwrap.dedent("""
        import json, os, sys, time
        bad = 0
        end = time.time() + 60
        while time.time() < end and not os.path.exists(%r):
            time.sleep(0.001)
        for _ in range(600):
            try:
                with open(%r) as fh:
                    json.load(fh)
            except FileNotFoundError:
                pass
            except ValueError:
                bad += 1
        print(bad)
    """) % (str(path), str(path))
    procs = [subprocess.Popen([sys.executable, "-c", writer, v], stderr=subprocess.PIPE, text=True)
             for v in ("2.5.1", "2.6.0")]
    read = subprocess.Popen([sys.executable, "-c", reader], stdout=subprocess.PIPE, text=True)
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-2000:]
    out, _ = read.communicate(timeout=300)
    assert out.strip() == "0", "readers saw corrupt JSON %s times" % out.strip()
    assert json.loads(path.read_text())["environment"]["torch"] in ("2.5.1", "2.6.0")
    assert [p.name for p in tmp_path.iterdir()] == ["shared.json"]  # no temporary left


# ----------------------------------------------------------------------------- corrupt inputs
_GOOD_TEXT = json.dumps(make_doc("2.5.1", [claim_entry("optim.zero-grad")]))


def _mangled():
    data = _GOOD_TEXT.encode()
    truncations = st.integers(0, len(data) - 1).map(lambda n: data[:n])
    flips = st.tuples(st.integers(0, len(data) - 1), st.integers(1, 255)).map(
        lambda t: data[:t[0]] + bytes([data[t[0]] ^ t[1]]) + data[t[0] + 1:])
    wrong_types = st.sampled_from(["schema", "environment", "claims", "run", "summary", "kit_version"]).flatmap(
        lambda key: st.sampled_from([None, 1, "x", [], {}]).map(
            lambda v: json.dumps(dict(json.loads(_GOOD_TEXT), **{key: v})).encode()))
    return st.one_of(truncations, flips, wrong_types, st.binary(max_size=64))


@settings(max_examples=40, suppress_health_check=list(HealthCheck), deadline=None)
@given(blob=_mangled(), reader=st.sampled_from(["diff-base", "diff-candidate", "report", "bench-diff", "waivers"]))
def test_every_reader_turns_corrupt_input_into_one_line(blob, reader, tmp_path_factory):
    folder = tmp_path_factory.mktemp("corrupt")
    good = write(folder / "good.json", json.loads(_GOOD_TEXT))
    bad = folder / "bad.json"
    bad.write_bytes(blob)
    argv = {"diff-base": ["diff", str(bad), good], "diff-candidate": ["diff", good, str(bad)],
            "report": ["report", str(bad), "--out", str(folder / "out")],
            "bench-diff": ["bench-diff", str(bad), str(bad)],
            "waivers": ["diff", good, good, "--waivers", str(bad)]}[reader]
    import io
    from contextlib import redirect_stderr, redirect_stdout

    err, out = io.StringIO(), io.StringIO()
    with redirect_stderr(err), redirect_stdout(out):
        rc = main(argv)
    text = err.getvalue().strip()
    if rc == 0:  # a flip can leave valid JSON of the right shape (e.g. another digit): then it is data
        return
    assert rc == 2, (rc, text)
    assert text.startswith("conformance: error: ") and "\n" not in text and "Traceback" not in text, text


# ----------------------------------------------------------------------------- Markdown
def test_diff_markdown_shows_values_as_they_were(tmp_path, capsys):
    from markdown_it import MarkdownIt

    nasty = "a `tick` | pipe\n\x1b[1mbold\x1b[0m ``two``"
    a = make_doc("2.5.1", [claim_entry("serialize.whole-model", specs=[spec_entry("test_x", observations={"msg": "plain"})])])
    b = make_doc("2.6.0", [claim_entry("serialize.whole-model", specs=[spec_entry("test_x", observations={"msg": nasty})])])
    out = tmp_path / "d.md"
    assert main(["diff", write(tmp_path / "a.json", a), write(tmp_path / "b.json", b), "--output", str(out)]) == 0
    html = MarkdownIt("commonmark").enable("table").render(out.read_text())
    assert "<table>" in html
    shown = "a `tick` | pipe\u240a\u241b[1mbold\u241b[0m ``two``"
    import html as htmlmod

    codes = [htmlmod.unescape(c.split("</code>")[0]) for c in html.split("<code>")[1:]]
    assert shown in codes, codes
    assert "\\u001b" not in out.read_text() and "\x1b" not in out.read_text()


def test_markdown_code_spans_round_trip():
    from markdown_it import MarkdownIt

    from conformance.md import code

    md = MarkdownIt("commonmark")
    for text in ["plain", "`", "``x``", "a ` b", " lead", "trail ", "` both `", "x|y"]:
        html = md.renderInline(code(text))
        import html as htmlmod

        assert htmlmod.unescape(html) == "<code>%s</code>" % text, (text, code(text), html)


# ----------------------------------------------------------------------------- docs
def _readme():
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as fh:
        return fh.read()


def test_readme_upgrade_recipe_installs_a_matching_torchvision():
    readme = _readme()
    recipe = readme.split("### Gating a torch upgrade in CI", 1)[1].split("```", 2)[1]
    installs = [ln for ln in recipe.splitlines() if "pip install" in ln and "torch==" in ln]
    assert installs and all("torchvision==" in ln for ln in installs), installs


def test_readme_documents_the_exit_codes():
    readme = _readme()
    for code, word in (("0", "ok"), ("1", "failing"), ("2", "unusable"), ("130", "interrupted")):
        assert "| %s |" % code in readme and word in readme.lower()


def test_tox_without_an_env_writes_outside_the_committed_matrix():
    import configparser

    ini = configparser.ConfigParser(interpolation=None)
    ini.read(os.path.join(REPO, "tox.ini"), encoding="utf-8")
    assert ini["tox"]["env_list"].split() == ["local"]
    local = ini["testenv:local"]["commands"]
    assert "reports/local/" in local and "reports/results" not in local, local
    assert "reports/results/{env_name}.json" in ini["testenv"]["commands"]  # the matrix envs, asked for by name


# ----------------------------------------------------------------------------- review findings
def test_every_sub_command_has_a_working_help(capsys):
    from conformance.cli import build_parser

    parser = build_parser()
    assert set(parser.commands) >= {"claims", "run", "report", "diff", "bench", "bench-report", "bench-diff",
                                    "bench-compare", "bench-compare-report", "explain"}
    for command in parser.commands:
        with pytest.raises(SystemExit) as info:
            main([command, "--help"])
        assert info.value.code == 0, command
        assert "usage: conformance %s" % command in capsys.readouterr().out


def test_no_command_is_one_line(capsys):
    assert main([]) == 2
    assert "a command is required" in one_line_error(capsys)


def test_diff_without_the_candidates_claims_is_coverage_lost(tmp_path, capsys):
    full = make_doc("2.5.1", [claim_entry("optim.zero-grad"), claim_entry("tensor.item")])
    fewer = make_doc("2.6.0", [claim_entry("tensor.item")])
    none = make_doc("2.6.0", [])
    a, b, c = (write(tmp_path / n, d) for n, d in (("a.json", full), ("b.json", fewer), ("c.json", none)))
    assert main(["diff", a, b]) == 1
    assert "coverage lost" in capsys.readouterr().out
    _run_rejects(["diff", a, c], capsys, "share no claim")
    _run_rejects(["diff", c, c], capsys, "share no claim")


def test_bench_diff_refuses_a_threshold_that_is_not_a_number(tmp_path, capsys):
    a = write(tmp_path / "a.json", _bench_doc(["detach"]))
    for bad in ("nan", "inf", "0", "-1"):
        _run_rejects(["bench-diff", a, a, "--threshold", bad], capsys, "--threshold must be a positive number")


@pytest.mark.parametrize("field, value", [("median", 0.0), ("iqr", -1.0), ("rounds", 0)])
def test_bench_files_with_impossible_numbers_are_unusable(field, value, tmp_path, capsys):
    doc = _bench_doc(["detach"])
    doc["benchmarks"][0][field] = value
    bad = write(tmp_path / "bad.json", doc)
    _run_rejects(["bench-report", bad, "--out", str(tmp_path / "out")], capsys, "invalid bench file")


def _compare_doc():
    row = {"id": "detach", "ratio": 1.0, "low": 0.98, "high": 1.02, "verdict": "same", "width": 0.04}
    return {"schema": "torch-conformance/bench-compare", "schema_version": 1, "base": {"torch": "2.5.1", "python": "3.11"},
            "candidate": {"torch": "2.6.0", "python": "3.11"}, "protocol": {"trials": 20, "seconds": 0.2, "seed": 0},
            "threshold": 0.05, "wall_s": 1.0, "results": [row]}


@pytest.mark.parametrize("mangle, needle", [
    (lambda d: d.pop("base"), "'base' is a required property"),
    (lambda d: d["results"][0].update(verdict="weird"), "is not one of"),
    (lambda d: d["results"][0].update(ratio=0), "ratio"),
    (lambda d: d["results"][0].update(ratio=2.0), "outside its interval"),
    (lambda d: d.update(results=[]), "results"),
])
def test_bench_compare_report_checks_what_it_reads(mangle, needle, tmp_path, capsys):
    doc = _compare_doc()
    mangle(doc)
    bad = write(tmp_path / "bad.json", doc)
    _run_rejects(["bench-compare-report", bad, "--out", str(tmp_path / "out")], capsys, needle)


def test_report_targets_are_checked_before_anything_is_replaced(tmp_path, capsys):
    a = write(tmp_path / "a.json", make_doc("2.5.1", [claim_entry("optim.zero-grad")]))
    out1 = tmp_path / "r1"
    out1.mkdir()
    (out1 / "claims").write_text("a file where the pages go")
    _run_rejects(["report", a, "--out", str(out1)], capsys, "is a file")
    out2 = tmp_path / "r2"
    (out2 / "GUIDE.md").mkdir(parents=True)
    (out2 / "README.md").write_text("old")
    _run_rejects(["report", a, "--out", str(out2)], capsys, "is a directory")
    assert (out2 / "README.md").read_text() == "old" and not (out2 / "claims").exists()


def test_run_checks_the_page_beside_the_results_first(tmp_path, capsys):
    (tmp_path / "x.md").mkdir()
    _run_rejects(["run", "--devices", "cpu", "--results", str(tmp_path / "x.json")], capsys, "is a directory")
    assert not (tmp_path / "x.json").exists()


def test_collect_only_is_not_a_pass(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    good = _good(tmp_path)
    before = good.read_bytes()
    _run_rejects(["run", "--devices", "cpu", "--results", str(good), "--collect-only", "-q"], capsys, "no spec ran")
    assert good.read_bytes() == before


def test_a_run_that_leaves_out_a_spec_module_is_partial(tmp_path, monkeypatch):
    from conformance import claims as registry

    notes = registry.PACKS[0].root
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "r.json"
    rc = main(["run", "--devices", "cpu", "--results", str(out), "-q",
               "--ignore", os.path.join(notes, "spec_data.py"), "--ignore", os.path.join(notes, "spec_autograd.py")])
    assert rc == 0
    assert json.loads(out.read_text())["run"]["partial"] == "subset"


def test_bench_honours_the_version_override(monkeypatch, capsys, tmp_path):
    """`conformance bench` judges torch by CONFORMANCE_TORCH_VERSION like `run` (it ignored it)."""
    monkeypatch.setenv("CONFORMANCE_TORCH_VERSION", "not-a-version")
    _run_rejects(["bench", "--smoke", "--devices", "cpu"], capsys, "cannot understand torch version")
    monkeypatch.setenv("CONFORMANCE_TORCH_VERSION", "2.16.0.dev20261101+cpu")
    monkeypatch.chdir(tmp_path)
    assert main(["bench", "--devices", "cpu", "-k", "detach", "--benchmark-max-time", "0.01",
                 "--benchmark-min-rounds", "1"]) == 0
    written = list((tmp_path / "reports" / "local").glob("bench-torch-*.json"))
    assert [p.name for p in written] == ["bench-torch-2.16.0.dev20261101_cpu.json"]
    doc = json.loads(written[0].read_text())
    assert doc["environment"]["torch_release"] == "2.16.0" and doc["environment"]["torch_prerelease"] is True
