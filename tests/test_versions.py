"""Version parsing and ranges: local builds, nightlies, release candidates, garbage."""
import pytest

from conformance.versions import VersionError, in_range, parse_torch_version, release_key


@pytest.mark.parametrize("raw, release, pre, local", [
    ("2.14.1", "2.14.1", False, None),
    ("2.13.0+cpu", "2.13.0", False, "cpu"),
    ("2.14.1+cu130", "2.14.1", False, "cu130"),
    ("2.16.0.dev20261101+cpu", "2.16.0", True, "cpu"),
    ("2.16.0rc1", "2.16.0", True, None),
    ("1.0.1.post2", "1.0.1", False, None),
])
def test_parse(raw, release, pre, local):
    v = parse_torch_version(raw)
    assert (str(v.release), v.prerelease, v.local) == (release, pre, local)


@pytest.mark.parametrize("raw", ["", "latest", "2.x", "nightly-2026-11-01", "2.16.0-dev+cpu+cu"])
def test_garbage_is_a_one_line_error(raw):
    with pytest.raises(VersionError) as err:
        parse_torch_version(raw)
    assert "\n" not in str(err.value) and "torch version" in str(err.value)


def test_a_nightly_is_judged_as_the_release_it_leads_to():
    nightly = "2.16.0.dev20261101+cpu"
    assert in_range(nightly, ">=2.16")
    assert not in_range(nightly, "<2.16")
    assert in_range("2.6.0+cu124", ">=2.6") and not in_range("2.5.1+cu124", ">=2.6")


def test_release_key_sorts_numerically_and_puts_garbage_first():
    raw = ["2.10.0", "2.9.1", "1.13.1", "???", "2.16.0.dev20261101+cpu"]
    assert sorted(raw, key=release_key) == ["???", "1.13.1", "2.9.1", "2.10.0", "2.16.0.dev20261101+cpu"]


def test_invalid_range_is_an_error():
    with pytest.raises(VersionError):
        in_range("2.0.0", ">>2")
