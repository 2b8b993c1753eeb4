"""The harness checks itself on every timed bench run: for a few work-dominated callables, the
median that ``timed()`` (pytest-benchmark, garbage collection off as in timeit) reports agrees
with torch.utils.benchmark.Timer's within 15%, one thread each. The Timer runs right before and
right after the kit; its medians are stored beside the result (info.timer_before/after/median),
so the bench file carries the evidence.

Not part of CI: timings on a shared, busy machine say little; run it where the benchmarks run.
"""
import pytest
import torch

from conformance.benchmarks.bench_hotpaths import timed

CASES = {
    "max_over_dim": lambda: (lambda s: (lambda: torch.max(s, 1)))(torch.randn(2048, 1000)),
    "gram_product": lambda: (lambda f: (lambda: f @ f.t()))(torch.randn(64, 4096)),
    "conv_forward": lambda: (lambda c, x: (lambda: c(x)))(torch.nn.Conv2d(8, 16, 3), torch.randn(8, 8, 64, 64)),
}
TOLERANCE = 0.15


@pytest.mark.parametrize("case", sorted(CASES))
def test_harness(benchmark, case):
    if not benchmark.enabled:
        pytest.skip("timing is disabled (smoke mode): nothing to compare")
    from torch.utils.benchmark import Timer

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        fn = CASES[case]()
        timer = Timer(stmt="fn()", globals={"fn": fn}, num_threads=1)
        before = timer.blocked_autorange(min_run_time=0.5).median
        timed(benchmark, "cpu", fn, case=case)
        kit = benchmark.stats.stats.median
        after = timer.blocked_autorange(min_run_time=0.5).median
    finally:
        torch.set_num_threads(threads)
    # The Timer measures right before and right after the kit, and the reference is the mean of
    # the two: a shared machine that speeds up or slows down during the check moves both.
    ref = (before + after) / 2
    gap = abs(kit - ref) / ref
    benchmark.extra_info.update(timer_median=ref, timer_before=before, timer_after=after, agreement=round(gap, 4))
    assert gap < TOLERANCE, "kit median %.3g s vs Timer median %.3g s: %.0f%% apart" % (kit, ref, gap * 100)
