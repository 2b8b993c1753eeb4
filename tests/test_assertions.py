"""Meta-tests of the spec assertion vocabulary (conformance.testing): each helper passes on a
true statement, and on a false one raises an AssertionError whose message shows the values it
compared, what was expected and where (claim, release, device)."""
import re

import pytest
import torch

from conformance import claims as registry
from conformance.testing import ClaimContext
from conformance.versions import parse_torch_version


@pytest.fixture
def claim():
    record = registry.get("reduce.max-ties")
    version = parse_torch_version("2.5.1")
    return ClaimContext(record, record.expectation_for(version), version, "cpu")


def _message(fn, *args, **kw):
    with pytest.raises(AssertionError) as info:
        fn(*args, **kw)
    text = str(info.value)
    assert "where:    claim reduce.max-ties" in text and "torch 2.5.1" in text and "device cpu" in text, text
    return text


def _seen(text):
    return re.search(r"seen:     (.*)", text).group(1)


def _expected(text):
    return re.search(r"expected: (.*)", text).group(1)


@pytest.mark.parametrize("helper, good, bad, expected_text, seen_text", [
    ("equal", ([1, 2], [1, 2]), ([1, 2], [1, 3]), "== [1, 3]", "[1, 2]"),
    ("not_equal", ([1], [2]), ([1], [1]), "!= [1]", "[1]"),
    ("is_none", (None,), (3,), "None", "3"),
    ("is_not_none", (0,), (None,), "a value, not None", "None"),
    ("is_instance", (3, int), ("3", int), "an instance of int", "'3' of type str"),
    ("less", (1, 2), (2, 2), "< 2", "2"),
    ("greater", (3, 2), (1.5, 2), "> 2", "1.5"),
    ("contains", ([1, 2], 2), ([1, 2], 5), "to contain 5", "[1, 2]"),
    ("matches", ("weights_only=True", "weights_only"), ("other", "weights_only"), "matches /weights_only/", "'other'"),
])
def test_each_helper_states_what_it_compared(claim, helper, good, bad, expected_text, seen_text):
    fn = getattr(claim, helper)
    fn(*good, "the statement")  # passes silently
    text = _message(fn, *bad, "the statement")
    assert text.startswith("the statement does not hold")
    assert _expected(text) == expected_text and _seen(text) == seen_text, text


def test_identical_shows_both_objects(claim):
    a, b = [1], [1]
    claim.identical(a, a, "same")
    text = _message(claim.identical, a, b, "same")
    assert "id %x" % id(a) in text and "id %x" % id(b) in text


def test_all_in_range_names_the_offenders(claim):
    claim.all_in_range(torch.tensor([0.1, 0.9]), 0, 1, "in (0, 1)")
    text = _message(claim.all_in_range, torch.tensor([0.5, 1.0, -2.0]), 0, 1, "in (0, 1)")
    assert _expected(text) == "every element in (0, 1)" and _seen(text) == "2 of 3 outside, e.g. [1.0, -2.0]"
    claim.all_in_range(torch.tensor([0.0, 1.0]), 0, 1, "in [0, 1]", inclusive=True)


def test_holds_and_fail_show_exactly_the_named_values(claim):
    claim.holds(1 < 2, "order", before=1, after=2)
    text = _message(claim.holds, 3 < 2, "order", before=3, after=2)
    assert _seen(text) == "after=2, before=3"
    assert _seen(_message(claim.fail, "the call returned", value=[7])) == "value=[7]"


def test_close_reports_the_largest_difference(claim):
    claim.close(torch.tensor([1.0, 2.0]), [1.0, 2.0], "values")
    text = _message(claim.close, torch.tensor([1.0, 2.5]), [1.0, 2.0], "values")
    assert "max abs diff 0.5" in _seen(text) and "rtol" in _expected(text)
    assert "shape (1,) vs (2,)" in _message(claim.close, torch.tensor([1.0]), [1.0, 2.0], "values")
    _message(claim.close, None, [1.0], "values")


def test_raises_checks_type_and_message(claim):
    with claim.raises(ValueError, match="bad", record="err"):
        raise ValueError("a bad value")
    assert claim.observations["err"] == {"type": "ValueError", "message": "a bad value"}

    def no_error():
        with claim.raises(ValueError):
            pass

    assert _seen(_message(no_error)) == "no exception was raised"

    def wrong_message():
        with claim.raises(ValueError, match="^bad"):
            raise ValueError("not bad")

    assert _seen(_message(wrong_message)) == "'not bad'"
    with pytest.raises(KeyError):  # another error type is not swallowed
        with claim.raises(ValueError):
            raise KeyError("k")


def test_no_hand_written_seen_helper_is_left(claim):
    """``check(cond, what, expected, seen)`` let a spec state a "seen" it did not compare; it is gone."""
    assert not hasattr(claim, "check")


def test_a_class_with_an_unbound_tolist_is_shown_by_name(claim):
    """torch.Tensor (the class) has a tolist attribute that needs an instance: the message names
    the class instead of crashing, so the spec fails by an assertion."""

    class Tensorish:
        def tolist(self):
            return [1]

    text = _message(claim.equal, Tensorish, int, "the type")
    assert "Tensorish" in _seen(text)
