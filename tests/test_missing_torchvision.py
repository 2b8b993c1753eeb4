"""Without torchvision, its specs are skipped with that reason: the claim is not-run, never passing."""
import sys


def test_torchvision_claim_is_not_run_without_torchvision(run_claim, monkeypatch):
    monkeypatch.setitem(sys.modules, "torchvision", None)  # import torchvision now raises ImportError
    result = run_claim("data.torchvision-mnist")
    assert result["status"] == "not-run" and result["verdict"] is None
    assert result["skip_reasons"] == ["torchvision is not installed"]
    assert all(s["outcome"] == "skipped" for s in result["specs"])
