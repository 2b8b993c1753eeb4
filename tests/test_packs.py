"""Claim packs: a team's own pack, made by `new-pack`, runs, proves it can fail, reports,
explains and gates, without any edit to the kit; bad packs are one line and exit 2."""
import json
import os
import sys

import pytest

from conftest import one_line_error
from conformance import claims as registry
from conformance.cli import main
from conformance.packs import PackError, load

NOTES = registry.PACKS[0]


@pytest.fixture
def restore_registry():
    yield
    registry.use([NOTES])


@pytest.fixture
def new_pack(tmp_path, monkeypatch, restore_registry):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "ourpack"
    assert main(["new-pack", str(folder)]) == 0
    return folder


def test_new_pack_runs_checks_reports_and_explains(new_pack, tmp_path, capsys):
    files = sorted(os.listdir(str(new_pack)))
    assert files == ["README.md", "breakages.py", "claims.py", "pack.py", "spec_ourpack.py"]
    out = tmp_path / "r.json"
    assert main(["run", "--pack", str(new_pack), "--devices", "cpu", "--results", str(out), "-q"]) == 0
    doc = json.loads(out.read_text())
    assert list(doc["claims"]) == ["ourpack:softmax.sums-to-one"]
    assert doc["claims"]["ourpack:softmax.sums-to-one"]["verdict"] == "holds"
    assert [p["name"] for p in doc["packs"]] == ["ourpack"] and len(doc["packs"][0]["sha256"]) == 64
    capsys.readouterr()
    assert main(["check-pack", str(new_pack)]) == 0
    assert "2 caught, 0 missed" in capsys.readouterr().err
    assert main(["report", str(out), "--pack", str(new_pack), "--out", str(tmp_path / "rep")]) == 0
    page = (tmp_path / "rep" / "claims" / "ourpack:softmax.sums-to-one.md").read_text()
    assert "**Checked** (2)" in page and "nn.Softmax(dim=-1)" in page
    capsys.readouterr()
    assert main(["explain", "--pack", str(new_pack), "ourpack:softmax.sums-to-one"]) == 0
    assert "Rows sum to 1" in capsys.readouterr().out


def test_check_pack_fails_when_a_spec_cannot_notice(new_pack, capsys):
    spec = new_pack / "spec_ourpack.py"
    spec.write_text(spec.read_text().replace('claim.less(worst, 1e-5, "largest |row sum - 1| of nn.Softmax',
                                             'claim.less(0.0, 1e-5, "largest |row sum - 1| of nn.Softmax'))
    assert main(["check-pack", str(new_pack)]) == 1
    captured = capsys.readouterr()
    assert "missed   ourpack:softmax.sums-to-one::module" in captured.out


def test_check_pack_names_an_unknown_claim_as_run_does(new_pack, capsys):
    assert main(["check-pack", str(new_pack), "--claim", "ourpack:softmax.sums-to-on"]) == 2
    assert one_line_error(capsys) == ("conformance: error: --claim: unknown claim 'ourpack:softmax.sums-to-on' in the "
                                      "packs given (did you mean ourpack:softmax.sums-to-one?)")


def test_diff_says_a_pack_changed(new_pack, tmp_path, capsys):
    base, cand = tmp_path / "a.json", tmp_path / "b.json"
    assert main(["run", "--pack", str(new_pack), "--devices", "cpu", "--results", str(base), "-q"]) == 0
    (new_pack / "claims.py").write_text((new_pack / "claims.py").read_text().replace("within float rounding", "within rounding"))
    assert main(["run", "--pack", str(new_pack), "--devices", "cpu", "--results", str(cand), "-q"]) == 0
    capsys.readouterr()
    assert main(["diff", str(base), str(cand)]) == 0
    assert "pack ourpack changed between the runs" in capsys.readouterr().out


@pytest.mark.parametrize("edit,needle", [
    (("V.HOLDS,", "'fine',"), "claims.py:"),
    (('">=1.0"', '">=one"'), "claims.py:"),
    (('"softmax.sums-to-one", ()', '"Softmax Sums", ()'), "claim Softmax Sums: field id"),
])
def test_a_bad_record_is_one_line_naming_file_claim_and_field(new_pack, edit, needle, capsys):
    path = new_pack / "claims.py"
    path.write_text(path.read_text().replace(*edit))
    assert main(["claims", "--pack", str(new_pack)]) == 2
    assert needle in one_line_error(capsys)


def test_a_record_module_that_imports_torch_is_refused(new_pack, tmp_path):
    import subprocess

    path = new_pack / "claims.py"
    path.write_text(path.read_text().replace("from conformance import verdicts as V",
                                             "import torch  # noqa\nfrom conformance import verdicts as V"))
    proc = subprocess.run([sys.executable, "-m", "conformance.cli", "claims", "--pack", str(new_pack)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert proc.returncode == 2 and "must not import torch" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("content,needle", [
    ('VERSION = "1"\n', "field NAME is missing"),
    ('NAME = "Bad Name"\nVERSION = "1"\n', "field NAME"),
    ('NAME = "notes"\nVERSION = "1"\n', "built-in pack's name"),
    ('NAME = "x"\nVERSION = "1"\nTESTED_UP_TO = "soon"\n', "TESTED_UP_TO"),
])
def test_a_bad_pack_file_is_refused(tmp_path, content, needle):
    (tmp_path / "pack.py").write_text(content)
    (tmp_path / "claims.py").write_text("CLAIMS = ()\n")
    with pytest.raises(PackError, match=needle):
        load(str(tmp_path))


def test_not_a_pack(tmp_path, capsys, restore_registry):
    assert main(["run", "--pack", str(tmp_path), "--devices", "cpu"]) == 2
    assert "not a pack" in one_line_error(capsys)


def test_new_pack_refuses_a_folder_in_use(tmp_path, capsys):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    assert main(["new-pack", str(tmp_path / "x")]) == 2
    assert "not an empty folder" in one_line_error(capsys)


def test_beyond_evidence_is_said(new_pack, tmp_path, monkeypatch, capsys):
    pack_py = new_pack / "pack.py"
    pack_py.write_text(pack_py.read_text().replace('TESTED_UP_TO = "', 'TESTED_UP_TO = "1.0.0"  # was "'))
    out = tmp_path / "r.json"
    assert main(["run", "--pack", str(new_pack), "--devices", "cpu", "--results", str(out), "-q"]) == 0
    claim = json.loads(out.read_text())["claims"]["ourpack:softmax.sums-to-one"]
    assert claim["beyond_evidence"] == "1.0.0" and claim["verdict"] == "holds"
    assert "beyond evidence: 1 claim(s)" in capsys.readouterr().out
    assert main(["explain", "--pack", str(new_pack), "ourpack:softmax.sums-to-one"]) == 0
    assert "beyond its evidence" in capsys.readouterr().out


def test_adding_a_claim_to_the_notes_pack_touches_three_files(tmp_path, monkeypatch, capsys, restore_registry):
    """Its record, its spec and its breakage: a copy of the notes pack (renamed) gets a claim in
    claims_reduce.py, spec_reduce.py and breakages_reduce.py and runs, explains and checks it."""
    import shutil

    copy = tmp_path / "notescopy"
    shutil.copytree(NOTES.root, str(copy), ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    (copy / "pack.py").write_text((copy / "pack.py").read_text().replace('NAME = "notes"', 'NAME = "notescopy"'))
    with open(str(copy / "claims_reduce.py"), "a") as fh:
        fh.write('''
CLAIMS = CLAIMS + (
    Claim("reduce.min-dim1", (10,), "torch.min(a, 1) gives each row's minimum and its column.",
          always(V.HOLDS, "As stated.", "run: the release this test runs on"), area="reduce",
          checks=(Check("function", "spelling", "torch.min(a, 1) values and indices", "test_min_dim1",
                        "min_returns_max", apis=("torch.min",)),)),
)
''')
    with open(str(copy / "spec_reduce.py"), "a") as fh:
        fh.write('''

@spec("notescopy:reduce.min-dim1")
def test_min_dim1(claim, device):
    values, indices = torch.min(torch.tensor([[3.0, 1.0, 2.0]], device=device), 1)
    claim.equal((values.cpu().tolist(), indices.cpu().tolist()), ([1.0], [1]), "torch.min over dim 1")
''')
    with open(str(copy / "breakages_reduce.py"), "a") as fh:
        fh.write('''

_MIN = torch.min


@breakage
def min_returns_max(monkeypatch):
    monkeypatch.setattr(torch, "min", lambda *a, **k: torch.max(*a, **k) if len(a) > 1 else _MIN(*a, **k))
''')
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "r.json"
    assert main(["run", "--pack", str(copy), "--devices", "cpu", "--claim", "notescopy:reduce.min-dim1",
                 "--results", str(out), "-q"]) == 0
    assert json.loads(out.read_text())["claims"]["notescopy:reduce.min-dim1"]["verdict"] == "holds"
    capsys.readouterr()
    assert main(["check-pack", str(copy), "--claim", "notescopy:reduce.min-dim1"]) == 0
    assert "1 caught, 0 missed" in capsys.readouterr().err
    assert main(["explain", "--pack", str(copy), "notescopy:reduce.min-dim1"]) == 0


def _install(site, module, entry, pack_src=None):
    """A distribution 'installed' in folder ``site`` (put on sys.path): its dist-info names the
    entry point ``entry`` in the group torch_conformance.packs; ``pack_src`` is copied as the
    package ``module``."""
    import shutil

    if pack_src is not None:
        shutil.copytree(str(pack_src), str(site / module))
        (site / module / "__init__.py").write_text("")
    info = site / ("%s-1.0.dist-info" % module)
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: %s\nVersion: 1.0\n" % module)
    (info / "entry_points.txt").write_text("[torch_conformance.packs]\n%s\n" % entry)


@pytest.mark.skipif(sys.version_info < (3, 8), reason="importlib.metadata (entry points) is Python 3.8+")
@pytest.mark.parametrize("form", ["module", "module:attribute"])
def test_an_installed_pack_is_found_by_its_name(new_pack, tmp_path, monkeypatch, capsys, form):
    """A team ships its pack as a distribution: ``--pack ourpack`` (a name, no folder of that
    name here) finds it through the entry point, by its package folder or an attribute naming one."""
    site = tmp_path / "site"
    site.mkdir()
    if form == "module":
        _install(site, "team_claims", "ourpack = team_claims", pack_src=new_pack)
    else:
        (site / "team_where.py").write_text("PACK = %r\n" % str(new_pack))
        _install(site, "team_where", "ourpack = team_where:PACK")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.chdir(site)  # no folder named ourpack here: the name must go through the entry point
    out = tmp_path / "installed.json"
    assert main(["run", "--pack", "ourpack", "--devices", "cpu", "--results", str(out), "-q"]) == 0
    assert json.loads(out.read_text())["claims"]["ourpack:softmax.sums-to-one"]["verdict"] == "holds"
    capsys.readouterr()
    assert main(["explain", "--pack", "ourpack", "ourpack:softmax.sums-to-one"]) == 0
    assert "Rows sum to 1" in capsys.readouterr().out


@pytest.mark.skipif(sys.version_info < (3, 8), reason="importlib.metadata (entry points) is Python 3.8+")
def test_an_entry_point_naming_no_module_is_one_line(tmp_path, monkeypatch, capsys, restore_registry):
    site = tmp_path / "site"
    site.mkdir()
    _install(site, "team_gone", "gonepack = team_gone_missing")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.chdir(site)
    assert main(["claims", "--pack", "gonepack"]) == 2
    assert "entry point team_gone_missing names no module" in one_line_error(capsys)
    assert main(["claims", "--pack", "nosuchpack"]) == 2
    assert "no installed pack of that name" in one_line_error(capsys)
