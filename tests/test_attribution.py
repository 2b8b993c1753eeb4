"""Attribution: diff and report say what else changed between two environments (Python, numpy,
torchvision, PIL, platform) next to each change, and mark a change that coincides with one of
them as "possibly caused by" it (issue #22). Hand-made results, no torch."""
import os

import pytest

from conformance.cli import main
from conformance.history import attribution, environment_changes, suspects

from conftest import REPO
from make_results import claim_entry, make_doc, spec_entry, write

OLD_MSG = {"type": "TypeError", "message": "backward() got an unexpected keyword argument 'retain_variables'"}
NEW_MSG = {"type": "TypeError", "message": "Tensor.backward() got an unexpected keyword argument 'retain_variables'"}
ENV_12 = {"python": "3.8.18", "numpy": "1.23.5", "pil": "9.5.0", "torchvision": "0.13.1+cu102",
          "platform": "Linux-6.18.44-x86_64-with-glibc2.34"}
ENV_13 = {"python": "3.10.13", "numpy": "1.26.4", "pil": "12.3.0", "torchvision": "0.14.1+cu117",
          "platform": "Linux-6.18.44-x86_64-with-glibc2.36"}


def _pair(env_a, env_b, msg_b=NEW_MSG, mnist_b=2):
    def doc(torch, env, msg, attempts):
        return make_doc(torch, [
            claim_entry("autograd.retain-variables", specs=[spec_entry("test_gone", observations={"tensor_backward": msg})]),
            claim_entry("data.torchvision-mnist", specs=[spec_entry("test_mnist", device="any",
                                                                    observations={"attempts": attempts})]),
        ], env=env)
    return doc("1.12.1", env_a, OLD_MSG, 1), doc("1.13.1", env_b, msg_b, mnist_b)


def test_environment_changes_name_each_factor_and_leave_out_unknowns():
    a, b = _pair(ENV_12, ENV_13)
    found = environment_changes(a, b)
    assert [c.text() for c in found] == [
        "Python 3.8.18 → 3.10.13", "numpy 1.23.5 → 1.26.4", "torchvision 0.13.1 → 0.14.1", "PIL 9.5.0 → 12.3.0",
        "platform glibc2.34 → glibc2.36"]
    older = dict(ENV_12)
    del older["numpy"]  # an older kit's record without numpy: unknown, not a change
    assert "numpy" not in [c.key for c in environment_changes(*_pair(older, ENV_13))]
    same_build = dict(ENV_12, torchvision="0.13.1+cpu")  # only the local label differs: the same release
    assert environment_changes(*_pair(ENV_12, same_build)) == []
    gone = environment_changes(*_pair(ENV_12, dict(ENV_12, torchvision=None)))
    assert [c.text() for c in gone] == ["torchvision 0.13.1 → not installed"]


def test_torchvision_is_a_suspect_only_where_the_specs_use_it():
    a, b = _pair(dict(ENV_12), dict(ENV_12, torchvision="0.14.1+cu117"))
    env = environment_changes(a, b)
    assert suspects(env, b["claims"]["data.torchvision-mnist"]) == env
    assert suspects(env, b["claims"]["autograd.retain-variables"]) == []
    assert attribution(env, b["claims"]["autograd.retain-variables"]) == \
        "also changed: torchvision 0.13.1 → 0.14.1 (not used by its specs)"
    assert attribution([], b["claims"]["autograd.retain-variables"]) == ""


def _diff(tmp_path, a, b, capsys):
    rc = main(["diff", write(tmp_path / "a.json", a), write(tmp_path / "b.json", b)])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def test_diff_says_python_and_numpy_changed_and_marks_the_change(tmp_path, capsys):
    rc, out, err = _diff(tmp_path, *_pair(ENV_12, ENV_13, mnist_b=1), capsys)
    assert rc == 0
    assert "**Besides torch, the environment changed**: Python 3.8.18 → 3.10.13; numpy 1.23.5 → 1.26.4;" in out
    row = [ln for ln in out.splitlines() if "retain-variables" in ln][0]
    assert row.endswith("| possibly caused by Python 3.8.18 → 3.10.13, numpy 1.23.5 → 1.26.4, PIL 9.5.0 → 12.3.0, "
                        "platform glibc2.34 → glibc2.36; also changed: torchvision 0.13.1 → 0.14.1 "
                        "(not used by its specs) |"), row
    assert "| claim | change | detail | besides torch |" in out
    assert "besides torch, Python, numpy, torchvision, PIL, platform changed (1 change(s) possibly caused by that)" in err


def test_diff_with_only_torchvision_changed_blames_it_for_the_mnist_claim_only(tmp_path, capsys):
    a, b = _pair(ENV_12, dict(ENV_12, torchvision="0.14.1+cu117"))
    rc, out, _ = _diff(tmp_path, a, b, capsys)
    assert rc == 0
    mnist = [ln for ln in out.splitlines() if "torchvision-mnist" in ln][0]
    assert mnist.endswith("| possibly caused by torchvision 0.13.1 → 0.14.1 |"), mnist
    other = [ln for ln in out.splitlines() if "retain-variables" in ln][0]
    assert "possibly" not in other and "also changed: torchvision 0.13.1 → 0.14.1" in other


def test_diff_of_equal_environments_says_so(tmp_path, capsys):
    rc, out, err = _diff(tmp_path, *_pair(ENV_12, ENV_12), capsys)
    assert rc == 0 and "Besides torch, the environments are the same" in out
    assert "| claim | change | detail |" in out and "besides torch |" not in out and "besides" not in err


def test_report_lists_what_else_changed_next_to_each_change(tmp_path, capsys):
    a, b = _pair(ENV_12, ENV_13)
    c = make_doc("2.0.1", [claim_entry("autograd.retain-variables", specs=[
        spec_entry("test_gone", observations={"tensor_backward": NEW_MSG})]), claim_entry("data.torchvision-mnist", specs=[
            spec_entry("test_mnist", device="any", observations={"attempts": 3})])],
        env=dict(ENV_13, torchvision="0.15.2"))
    out = tmp_path / "out"
    files = [write(tmp_path / ("%d.json" % i), d) for i, d in enumerate((a, b, c))]
    assert main(["report", *files, "--out", str(out)]) == 0
    index = (out / "README.md").read_text()
    assert "## What else changed between runs" in index
    assert ("| 1.13.1 | 1.12.1 | Python 3.8.18 → 3.10.13; numpy 1.23.5 → 1.26.4; PIL 9.5.0 → 12.3.0; "
            "platform glibc2.34 → glibc2.36 |") in index
    assert "2.0.1 | 1.13.1" not in index  # only torchvision changed there: it changes with every release
    row = [ln for ln in index.splitlines() if "retain-variables.md" in ln][0]
    assert row.endswith("| — | 1.13.1 (possibly caused by Python, numpy, PIL, platform) |"), row
    mnist = [ln for ln in index.splitlines() if "torchvision-mnist.md" in ln][0]
    assert ("1.13.1 (possibly caused by Python, numpy, torchvision, PIL, platform), "
            "2.0.1 (possibly caused by torchvision) | — |") in mnist, mnist
    page = (out / "claims" / "autograd.retain-variables.md").read_text()
    assert ("- torch 1.13.1 (after 1.12.1): `tensor_backward`: the `TypeError` message was reworded — *possibly caused "
            "by Python 3.8.18 → 3.10.13, numpy 1.23.5 → 1.26.4") in page


@pytest.mark.parametrize("base, cand", [("torch1.12", "torch1.13"), ("torch1.12.1", "torch1.13.1")])
def test_the_committed_1_12_to_1_13_diff_says_python_changed(base, cand, tmp_path, capsys):
    """The issue's case: the retain_variables message changed with Python 3.10, not torch."""
    folder = os.path.join(REPO, "reports", "results")
    a, b = (os.path.join(folder, name + ".json") for name in (base, cand))
    if not (os.path.exists(a) and os.path.exists(b)):
        pytest.skip("no committed results named %s/%s" % (base, cand))
    assert main(["diff", a, b]) == 0
    out = capsys.readouterr().out
    assert "Python 3.8.18 → 3.10.13" in out and "numpy 1.23.5 → 1.26.4" in out
    row = [ln for ln in out.splitlines() if "autograd.retain-variables" in ln]
    assert row and all("possibly caused by Python 3.8.18 → 3.10.13" in ln for ln in row), row
