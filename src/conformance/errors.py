"""The exit-code contract every command keeps, and the error every command turns into exit 2.

| exit | meaning |
|---|---|
| 0 | ok: specs passed, no breaking change, nothing slower |
| 1 | a decision against: a spec failed, a breaking change, a hot path slower |
| 2 | unusable input or environment (one line on stderr, no traceback) |
| 130 | interrupted (SIGINT, Ctrl-C); files the run would have replaced are left as they were, what it had is in ``PATH.partial`` marked ``"partial": "interrupted"`` |
| 143 | terminated (SIGTERM: what CI runners, tox and ``timeout`` send on a time-out or cancel); handled exactly like SIGINT, the partial results marked ``"partial": "terminated"`` |

130 and 143 are 128 + the signal's number, what a shell reports for a process the signal killed.
``conformance bench-compare`` adds 3 (nothing slower, but a hot path inconclusive); interrupted
or terminated it stops its worker processes and writes nothing (an earlier file stays as it was).
"""
from __future__ import annotations

import contextlib
import signal

OK = 0
FAILED = 1
UNUSABLE = 2
INTERRUPTED = 130
TERMINATED = 143  # 128 + SIGTERM (15)


class UnusableInput(ValueError):
    """Input or environment the command cannot use. The message is one line; the CLI prints it
    as ``conformance: error: <message>`` and exits 2. Every module's own input error
    (results, bench, waivers, versions, devices, output paths) derives from it."""


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived. A KeyboardInterrupt, so that everything that cleans up after Ctrl-C
    (pytest's interrupted-run handling, the atomic writes, the bisect's children) does the same
    for it; the CLI tells the two apart by type (exit 143 instead of 130)."""


def raise_terminated(signum=None, frame=None):
    raise Terminated("terminated (SIGTERM)")


def exit_status(err: BaseException) -> int:
    """TERMINATED for a Terminated, INTERRUPTED for any other KeyboardInterrupt."""
    return TERMINATED if isinstance(err, Terminated) else INTERRUPTED


def stop_word(err: BaseException) -> str:
    return "terminated (SIGTERM)" if isinstance(err, Terminated) else "interrupted"


@contextlib.contextmanager
def sigterm_raises():
    """While inside, SIGTERM raises ``Terminated`` where the main thread is (as SIGINT raises
    KeyboardInterrupt); the previous handler comes back afterwards. Outside the main thread
    (where handlers cannot be set) nothing changes."""
    try:
        previous = signal.signal(signal.SIGTERM, raise_terminated)
    except (ValueError, AttributeError):  # not the main thread / no SIGTERM on this platform
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
