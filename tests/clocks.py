"""Clocks for ``--benchmark-timer`` in the harness self-test (pytest-benchmark imports them by name)."""
import time


def double_speed():
    """A broken clock: it runs twice as fast as perf_counter, so every kit timing reads 2x."""
    return 2 * time.perf_counter()
