"""Torch version parsing and version ranges for expectations.

Everything here works on version *strings*, so the report and diff code can use it without
importing torch.

Rules (documented in README "Version gates"):
- local labels are ignored: ``2.13.0+cpu`` and ``2.14.1+cu130`` are judged as 2.13.0 / 2.14.1;
- a pre-release, dev build or nightly is judged as the release it leads to:
  ``2.16.0.dev20261101+cpu`` and ``2.16.0rc1`` are judged as 2.16.0 (a nightly carries the
  behaviour changes of its coming release), and the results say it was a pre-release;
- a string that is not a PEP 440 version is an error with a one-line message.
"""
from __future__ import annotations

from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from .errors import UnusableInput


class VersionError(UnusableInput):
    """A torch version string or range that cannot be understood."""


@dataclass(frozen=True)
class TorchVersion:
    raw: str
    release: Version  # the release the behaviour is judged as
    prerelease: bool  # dev build, nightly or release candidate
    local: str | None  # e.g. "cpu", "cu130"

    def __str__(self) -> str:
        return self.raw


def parse_torch_version(raw: str) -> TorchVersion:
    text = str(raw).strip()
    try:
        version = Version(text)
    except InvalidVersion:
        raise VersionError(
            "cannot understand torch version %r: expected a PEP 440 version such as "
            "'2.14.1', '2.13.0+cpu' or '2.16.0.dev20261101+cpu'" % text
        ) from None
    return TorchVersion(
        raw=text,
        release=Version(version.base_version),
        prerelease=version.is_prerelease or version.is_devrelease,
        local=version.local,
    )


def parse_range(spec: str) -> SpecifierSet:
    try:
        return SpecifierSet(spec)
    except InvalidSpecifier:
        raise VersionError("invalid version range %r" % spec) from None


def in_range(version: TorchVersion | str, spec: str) -> bool:
    if not isinstance(version, TorchVersion):
        version = parse_torch_version(version)
    # prereleases=True: the release we compare is already a final one; this only keeps
    # packaging from excluding it for being "pre" in any corner case.
    return parse_range(spec).contains(version.release, prereleases=True)


def release_key(raw: str) -> Version:
    """Sort key for torch version strings (unknown strings sort first)."""
    try:
        return parse_torch_version(raw).release
    except VersionError:
        return Version("0")
