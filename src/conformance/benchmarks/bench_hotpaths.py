"""Benchmarks of the notes' hot paths (pytest-benchmark), per device.

Each benchmark times a callable made by ``timed(device, fn)``: CUDA work is synchronized
inside the timed region, the callable runs once before timing (warm-up, lazy init), and the
thread count is fixed by ``conformance bench --threads`` and stored with every result.
Sizes are chosen so the work dominates; ``small`` cases are there because overhead is the point.
"""
import inspect

import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from conformance.specs.spec_nn import NoteNet


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
    benchmark.extra_info.update(device=device, torch=torch.__version__, threads=torch.get_num_threads(), **info)
    if between is None:
        return benchmark(run)
    return benchmark.pedantic(run, setup=between, rounds=rounds, iterations=1, warmup_rounds=3)


# ----------------------------------------------------------------------------- autograd (§1)
@pytest.mark.parametrize("size", ["small", "large"])
def test_backward_scalar(benchmark, device, size):
    """Y = w*x + b then Y.backward(): the §1 scalar example, and a 1M-element version."""
    n = 1 if size == "small" else 1_000_000
    x = torch.randn(n, device=device, requires_grad=True)
    w, b = torch.randn(n, device=device, requires_grad=True), torch.randn(n, device=device, requires_grad=True)

    def step():
        (w * x + b).sum().backward()

    timed(benchmark, device, step, size=size)


@pytest.mark.parametrize("size", ["small", "large"])
def test_backward_vector(benchmark, device, size):
    """y = x*2; y.backward(v): the §1 vector example."""
    n = 3 if size == "small" else 1_000_000
    x = torch.randn(n, device=device, requires_grad=True)
    v = torch.rand(n, device=device)

    def step():
        (torch.sin(x) * 2).backward(v)

    timed(benchmark, device, step, size=size)


def _big_model(device):
    return torch.nn.Sequential(*[torch.nn.Linear(256, 256) for _ in range(40)]).to(device)


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(benchmark, device, set_to_none):
    """optimizer.zero_grad() over 80 parameter tensors, with and without set_to_none (§2, §4)."""
    if "set_to_none" not in inspect.signature(torch.optim.Optimizer.zero_grad).parameters:
        pytest.skip("zero_grad has no set_to_none on torch %s" % torch.__version__)
    model = _big_model(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    grads = [torch.ones_like(p) for p in model.parameters()]

    def step():
        for p, g in zip(model.parameters(), grads):
            p.grad = g
        opt.zero_grad(set_to_none=set_to_none)

    timed(benchmark, device, step, set_to_none=set_to_none)


def _foreach_choices():
    has = "foreach" in inspect.signature(torch.optim.SGD.__init__).parameters
    return [False, True] if has else [None]


@pytest.mark.parametrize("foreach", _foreach_choices())
def test_sgd_momentum_step(benchmark, device, foreach):
    """optimizer.step() of SGD(lr=0.01, momentum=0.9) on 80 tensors (§2): for-loop vs foreach."""
    model = _big_model(device)
    kwargs = {} if foreach is None else {"foreach": foreach}
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, **kwargs)
    for p in model.parameters():
        p.grad = torch.randn_like(p)
    timed(benchmark, device, opt.step, foreach=foreach)


def test_note_net_train_step(benchmark, device):
    """One forward + backward + SGD step of the §9 network at batch 64 (28x28 RGB inputs)."""
    net = NoteNet().to(device)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.randn(64, 3, 28, 28, device=device), torch.randint(0, 10, (64,), device=device)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(net(x), y).backward()
        opt.step()

    timed(benchmark, device, step, batch=64)


# ----------------------------------------------------------------------------- §10, §11
def test_max_over_dim(benchmark, device):
    """torch.max(scores, 1) on 4096 x 1000 class scores (§10)."""
    scores = torch.randn(4096, 1000, device=device)
    timed(benchmark, device, lambda: torch.max(scores, 1))


@pytest.mark.parametrize("mode", ["item", "tensor"])
def test_running_loss_total(benchmark, device, mode):
    """100 iterations adding a loss to a running total, with .item() or as a tensor (§11)."""
    model = torch.nn.Linear(32, 1).to(device)
    x = torch.randn(16, 32, device=device)

    def loop():
        total = 0.0
        for _ in range(100):
            loss = model(x).pow(2).mean()
            total += loss.item() if mode == "item" else loss
        return total

    timed(benchmark, device, loop, mode=mode)


# ----------------------------------------------------------------------------- §3
def test_state_dict_save_load(benchmark, device, tmp_path):
    """torch.save(model.state_dict(), PATH) and load_state_dict(torch.load(PATH)) (§3)."""
    model = _big_model(device)
    path = str(tmp_path / "sd.pt")

    def round_trip():
        torch.save(model.state_dict(), path)
        model.load_state_dict(torch.load(path))

    timed(benchmark, device, round_trip, params=sum(p.numel() for p in model.parameters()))


# ----------------------------------------------------------------------------- §16 (host only)
@pytest.mark.parametrize("workers", [0, 2])
def test_dataloader_epoch(benchmark, workers):
    """One epoch over an in-memory dataset of 4096 28x28 images, batch 64 (§16)."""
    ds = TensorDataset(torch.randn(4096, 1, 28, 28), torch.randint(0, 10, (4096,)))
    loader = DataLoader(ds, batch_size=64, shuffle=True, num_workers=workers)

    def epoch():
        n = 0
        for xb, _ in loader:
            n += xb.shape[0]
        return n

    timed(benchmark, "cpu", epoch, workers=workers)


# ----------------------------------------------------------------------------- §6, §8
@pytest.mark.parametrize("method", ["channel-pairs", "product"])
def test_gram_matrix(benchmark, device, method):
    """The §8 Gram matrix of a 32 x 64 x 64 feature map, both ways."""
    from conformance.specs.spec_nn import _gram_by_channel_pairs, _gram_by_product

    features = torch.randn(32, 64, 64, device=device)
    fn = _gram_by_channel_pairs if method == "channel-pairs" else _gram_by_product
    timed(benchmark, device, lambda: fn(features), method=method)


def test_detach(benchmark, device):
    """y.detach() on a result in a graph (§6): pure overhead, no copy."""
    x = torch.randn(1000, device=device, requires_grad=True)
    y = x * 2
    timed(benchmark, device, y.detach)
