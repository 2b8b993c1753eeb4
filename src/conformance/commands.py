"""Sub-commands that work on results files only (no torch import)."""
from __future__ import annotations


def add_parsers(sub) -> None:
    """Register the results-file commands (report, diff) on the CLI."""


def dispatch(args) -> int:  # pragma: no cover - only reached for registered commands
    raise NotImplementedError(args.command)
