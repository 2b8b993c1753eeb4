"""The runnable example of every claim (conformance/examples.py) runs, as the text the claim
pages show, against the installed torch when that torch is in the claim's newest range."""
import warnings

import pytest

from conformance import claims as registry
from conformance.examples import all_examples
from conformance.guide import today_expectation
from conformance.versions import in_range, parse_torch_version

EXAMPLES = all_examples()


def test_every_claim_has_one_example():
    assert sorted(EXAMPLES) == sorted(registry.ids())
    for ex in EXAMPLES.values():
        assert ex.source.startswith("import ") or ex.source.startswith("from "), ex.function
        assert "assert" in ex.source, "%s shows nothing it checks" % ex.claim


@pytest.mark.parametrize("claim_id", sorted(EXAMPLES))
def test_example_runs_on_the_installed_torch(claim_id, tmp_path, monkeypatch):
    torch = pytest.importorskip("torch")
    ex = EXAMPLES[claim_id]
    for module in ex.needs:
        pytest.importorskip(module, reason="%s is not installed" % module)
    today = today_expectation(claim_id)
    version = parse_torch_version(torch.__version__)
    if not in_range(version, today.versions):
        pytest.skip("the example shows torch %s; this is %s" % (today.versions, version.raw))
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the examples check the warnings they mean to show themselves
        exec(compile(ex.source, "<example %s>" % claim_id, "exec"), {"__name__": "__example__"})


def test_an_example_that_no_longer_holds_fails():
    """The text is what runs: an example asserting the old behaviour fails on today's torch."""
    pytest.importorskip("torch")
    stale = EXAMPLES["optim.zero-grad"].source.replace("grad is None  #", "grad is not None and False  #")
    with pytest.raises(AssertionError):
        exec(compile(stale, "<stale>", "exec"), {"__name__": "__example__"})
