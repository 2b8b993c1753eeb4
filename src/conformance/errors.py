"""The exit-code contract every command keeps, and the error every command turns into exit 2.

| exit | meaning |
|---|---|
| 0 | ok: specs passed, no breaking change, nothing slower |
| 1 | a decision against: a spec failed, a breaking change, a hot path slower |
| 2 | unusable input or environment (one line on stderr, no traceback) |
| 130 | interrupted (SIGINT); files the run would have replaced are left as they were |
"""
from __future__ import annotations

OK = 0
FAILED = 1
UNUSABLE = 2
INTERRUPTED = 130


class UnusableInput(ValueError):
    """Input or environment the command cannot use. The message is one line; the CLI prints it
    as ``conformance: error: <message>`` and exits 2. Every module's own input error
    (results, bench, waivers, versions, devices, output paths) derives from it."""
