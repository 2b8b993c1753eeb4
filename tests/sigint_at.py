"""Test-only pytest plugin (``-p sigint_at``): sends this process a SIGINT (or, with
SIGINT_AT_SIGNAL=TERM, a SIGTERM) at a chosen point of a run, set by the environment variable
SIGINT_AT:

- ``collect``: when collection finishes, before any spec runs;
- ``spec:N``: as the N-th spec starts;
- ``swallow:N``: as the N-th spec starts, and the KeyboardInterrupt is swallowed there, as code
  under test sometimes does; the run goes on to the end;
- ``pause:N``: as the N-th spec starts, create the file named by SIGINT_AT_READY and wait (up to
  60 s) for a signal from outside, as a CI runner or tox sends one on a time-out.
"""
import os
import signal
import time

import pytest

_AT = os.environ.get("SIGINT_AT", "")
_SIGNAL = getattr(signal, "SIG" + os.environ.get("SIGINT_AT_SIGNAL", "INT"))
_count = 0


def _interrupt():
    os.kill(os.getpid(), _SIGNAL)
    time.sleep(1)  # the handler runs here; never reached without one


def pytest_collection_finish(session):
    if _AT == "collect":
        _interrupt()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    global _count
    _count += 1
    kind, _, n = _AT.partition(":")
    if n and _count == int(n):
        if kind == "spec":
            _interrupt()
        elif kind == "pause":
            with open(os.environ["SIGINT_AT_READY"], "w") as fh:
                fh.write(str(os.getpid()))
            time.sleep(60)
        elif kind == "swallow":
            try:
                _interrupt()
            except KeyboardInterrupt:
                pass
    yield
