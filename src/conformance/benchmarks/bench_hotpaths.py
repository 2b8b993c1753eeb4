"""Benchmarks of the notes' hot paths (pytest-benchmark), per device.

The workloads are defined once, in ``hotpaths.py`` (bench-compare's worker times the same
callables). Each benchmark times a callable made by ``timed(device, fn)``: CUDA work is
synchronized inside the timed region, the callable runs once before timing (warm-up, lazy
init), and the thread count is fixed by ``conformance bench --threads`` and stored with every
result. Sizes are chosen so the work dominates; ``small`` cases are there because overhead is
the point.
"""
import pytest
import torch

from conformance.benchmarks import hotpaths


def timed(benchmark, device, fn, between=None, rounds=None, **info):
    """Warm up, then time ``fn`` with a CUDA sync inside the timed region.

    ``between`` (with ``rounds``) runs untimed before every timed call, one call per round:
    the harness check puts the reference timer there, so both sample the same moments.
    """
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)

    def run():
        out = fn()
        sync()
        return out

    run()  # warm-up: allocator, kernels, lazy modules
    info = dict(hotpaths.info_of(fn), **info)
    benchmark.extra_info.update(device=device, torch=torch.__version__, threads=torch.get_num_threads(), **info)
    if between is None:
        return benchmark(run)
    return benchmark.pedantic(run, setup=between, rounds=rounds, iterations=1, warmup_rounds=3)


def hot(benchmark, device, tmp_path, name, **params):
    """Time hot path ``name`` (defined in hotpaths.py) with ``params``."""
    try:
        fn = hotpaths.make(name, device, str(tmp_path), **params)
    except hotpaths.Unavailable as why:
        pytest.skip(str(why))
    timed(benchmark, device, fn, **params)


def values(name, param):
    return hotpaths.param_values(name, param)


# ----------------------------------------------------------------------------- autograd (§1)
@pytest.mark.parametrize("size", values("backward_scalar", "size"))
def test_backward_scalar(benchmark, device, tmp_path, size):
    hot(benchmark, device, tmp_path, "backward_scalar", size=size)


@pytest.mark.parametrize("size", values("backward_vector", "size"))
def test_backward_vector(benchmark, device, tmp_path, size):
    hot(benchmark, device, tmp_path, "backward_vector", size=size)


@pytest.mark.parametrize("set_to_none", values("zero_grad", "set_to_none"))
def test_zero_grad(benchmark, device, tmp_path, set_to_none):
    hot(benchmark, device, tmp_path, "zero_grad", set_to_none=set_to_none)


@pytest.mark.parametrize("foreach", values("sgd_momentum_step", "foreach"))
def test_sgd_momentum_step(benchmark, device, tmp_path, foreach):
    hot(benchmark, device, tmp_path, "sgd_momentum_step", foreach=foreach)


def test_note_net_train_step(benchmark, device, tmp_path):
    hot(benchmark, device, tmp_path, "note_net_train_step")


# ----------------------------------------------------------------------------- §10, §11
def test_max_over_dim(benchmark, device, tmp_path):
    hot(benchmark, device, tmp_path, "max_over_dim")


@pytest.mark.parametrize("mode", values("running_loss_total", "mode"))
def test_running_loss_total(benchmark, device, tmp_path, mode):
    hot(benchmark, device, tmp_path, "running_loss_total", mode=mode)


# ----------------------------------------------------------------------------- §3
def test_state_dict_save_load(benchmark, device, tmp_path):
    hot(benchmark, device, tmp_path, "state_dict_save_load")


# ----------------------------------------------------------------------------- §16 (host only)
@pytest.mark.parametrize("workers", values("dataloader_epoch", "workers"))
def test_dataloader_epoch(benchmark, tmp_path, workers):
    hot(benchmark, "cpu", tmp_path, "dataloader_epoch", workers=workers)


# ----------------------------------------------------------------------------- §6, §8
@pytest.mark.parametrize("method", values("gram_matrix", "method"))
def test_gram_matrix(benchmark, device, tmp_path, method):
    hot(benchmark, device, tmp_path, "gram_matrix", method=method)


def test_detach(benchmark, device, tmp_path):
    hot(benchmark, device, tmp_path, "detach")
