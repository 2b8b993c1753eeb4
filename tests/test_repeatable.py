"""Two runs of the kit on the same release record the same thing: the diff shows nothing."""
import json

from conformance.cli import main


def test_second_run_of_the_same_release_diffs_clean(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for name in ("first", "second"):
        rc = main(["run", "--devices", "cpu", "--results", str(tmp_path / ("%s.json" % name)), "-q", "-p", "no:warnings"])
        assert rc == 0, "the specs must pass on the installed torch"
    capsys.readouterr()
    assert main(["diff", str(tmp_path / "first.json"), str(tmp_path / "second.json")]) == 0
    out = capsys.readouterr().out
    assert "**No breaking change.** 0 informational." in out, out
    doc = json.loads((tmp_path / "first.json").read_text())
    assert sum(bool(s["observations"]) for c in doc["claims"].values() for s in c["specs"]) > 30
