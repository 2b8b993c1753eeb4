"""The notes' hot paths, defined once: pytest-benchmark (``bench_hotpaths.py``, run by
``conformance bench``) and the bench-compare worker (``worker.py``) time the same callables.

``make(name, device, workdir, **params)`` builds the state of one hot path (model, tensors,
optimizer) and returns the callable to time; ``HOT_PATHS[name]`` lists its parameters.
A hot path's id is ``name(k=v,...)`` with the parameters sorted, as in bench files' ``path``.
The notes' models (the §9 network, the §8 Gram matrix, the §11 running total) come from
``conformance.models``, the code the specs check.

Test-only hook: ``CONFORMANCE_BENCH_SLOWDOWN="ID=FRACTION[,ID=FRACTION]"`` (ID a hot path's id
or name) makes ``make`` wrap that callable so that it repeats the whole call for that fraction
of the calls (0.10: every tenth call runs twice), i.e. it does that fraction more work on
average. The kit's tests use it to check that bench-compare detects a known slowdown; it is
never set in a normal run, and the worker reports it when it is.

Importable on every release the kit covers (Python 3.7 syntax, torch 1.x); torch is imported
lazily so that listing the hot paths needs only the kit.
"""
from __future__ import annotations

import inspect
import os
from typing import Any, Callable, Dict, List, Optional

SLOWDOWN_ENV = "CONFORMANCE_BENCH_SLOWDOWN"


class Unavailable(Exception):
    """This hot path does not exist on this torch release (the reason is the message)."""


def hot_path_id(name: str, params: Dict[str, Any]) -> str:
    label = ",".join("%s=%s" % kv for kv in sorted(params.items()))
    return name + (("(" + label + ")") if label else "")


# ----------------------------------------------------------------------------- autograd (§1)
def backward_scalar(device, workdir, size):
    """Y = w*x + b then Y.backward(): the §1 scalar example, and a 1M-element version."""
    import torch

    n = 1 if size == "small" else 1000000
    x = torch.randn(n, device=device, requires_grad=True)
    w, b = torch.randn(n, device=device, requires_grad=True), torch.randn(n, device=device, requires_grad=True)

    def step():
        (w * x + b).sum().backward()

    return step


def backward_vector(device, workdir, size):
    """y = sin(x)*2; y.backward(v): the §1 vector example."""
    import torch

    n = 3 if size == "small" else 1000000
    x = torch.randn(n, device=device, requires_grad=True)
    v = torch.rand(n, device=device)

    def step():
        (torch.sin(x) * 2).backward(v)

    return step


def _big_model(device):
    import torch

    return torch.nn.Sequential(*[torch.nn.Linear(256, 256) for _ in range(40)]).to(device)


def zero_grad(device, workdir, set_to_none):
    """optimizer.zero_grad() over 80 parameter tensors, with and without set_to_none (§2, §4)."""
    import torch

    if "set_to_none" not in inspect.signature(torch.optim.Optimizer.zero_grad).parameters:
        raise Unavailable("zero_grad has no set_to_none on torch %s" % torch.__version__)
    model = _big_model(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    grads = [torch.ones_like(p) for p in model.parameters()]

    def step():
        for p, g in zip(model.parameters(), grads):
            p.grad = g
        opt.zero_grad(set_to_none=set_to_none)

    return step


def _foreach_choices() -> List[Any]:
    import torch

    has = "foreach" in inspect.signature(torch.optim.SGD.__init__).parameters
    return [False, True] if has else [None]


def sgd_momentum_step(device, workdir, foreach):
    """optimizer.step() of SGD(lr=0.01, momentum=0.9) on 80 tensors (§2): for-loop vs foreach."""
    import torch

    if foreach not in _foreach_choices():
        raise Unavailable("SGD has no foreach=%s on torch %s" % (foreach, torch.__version__))
    model = _big_model(device)
    kwargs = {} if foreach is None else {"foreach": foreach}
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, **kwargs)
    for p in model.parameters():
        p.grad = torch.randn_like(p)
    return opt.step


def note_net_train_step(device, workdir):
    """One forward + backward + SGD step of the §9 network at batch 64 (28x28 RGB inputs)."""
    import torch

    from conformance.models import NoteNet

    net = NoteNet().to(device)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.randn(64, 3, 28, 28, device=device), torch.randint(0, 10, (64,), device=device)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(net(x), y).backward()
        opt.step()

    step.info = {"batch": 64}
    return step


# ----------------------------------------------------------------------------- §10, §11
def max_over_dim(device, workdir):
    """torch.max(scores, 1) on 4096 x 1000 class scores (§10)."""
    import torch

    scores = torch.randn(4096, 1000, device=device)

    def step():
        return torch.max(scores, 1)

    return step


def running_loss_total(device, workdir, mode):
    """100 iterations adding a loss to a running total, with .item() or as a tensor (§11)."""
    import torch

    from conformance.models import running_loss_total as total_of

    model = torch.nn.Linear(32, 1).to(device)
    batches = [torch.randn(16, 32, device=device)] * 100

    def loop():
        return total_of(model, batches, mode == "item")

    return loop


# ----------------------------------------------------------------------------- §3
def state_dict_save_load(device, workdir):
    """torch.save(model.state_dict(), PATH) and load_state_dict(torch.load(PATH)) (§3)."""
    import torch

    model = _big_model(device)
    path = os.path.join(workdir, "sd.pt")

    def round_trip():
        torch.save(model.state_dict(), path)
        model.load_state_dict(torch.load(path))

    round_trip.info = {"params": sum(p.numel() for p in model.parameters())}
    return round_trip


# ----------------------------------------------------------------------------- §16 (host only)
def dataloader_epoch(device, workdir, workers):
    """One epoch over an in-memory dataset of 4096 28x28 images, batch 64 (§16)."""
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    if device != "cpu":
        raise Unavailable("the DataLoader epoch runs on the host only")
    ds = TensorDataset(torch.randn(4096, 1, 28, 28), torch.randint(0, 10, (4096,)))
    loader = DataLoader(ds, batch_size=64, shuffle=True, num_workers=workers)

    def epoch():
        n = 0
        for xb, _ in loader:
            n += xb.shape[0]
        return n

    return epoch


# ----------------------------------------------------------------------------- §6, §8
def gram_matrix(device, workdir, method):
    """The §8 Gram matrix of a 32 x 64 x 64 feature map, both ways."""
    import torch

    from conformance.models import gram_by_channel_pairs, gram_by_product

    features = torch.randn(32, 64, 64, device=device)
    fn = gram_by_channel_pairs if method == "channel-pairs" else gram_by_product

    def step():
        return fn(features)

    return step


def detach(device, workdir):
    """y.detach() on a result in a graph (§6): pure overhead, no copy."""
    import torch

    x = torch.randn(1000, device=device, requires_grad=True)
    y = x * 2
    return y.detach


# name -> (factory, {parameter: values}); a callable value is computed from the installed torch
HOT_PATHS = {
    "backward_scalar": (backward_scalar, {"size": ["small", "large"]}),
    "backward_vector": (backward_vector, {"size": ["small", "large"]}),
    "zero_grad": (zero_grad, {"set_to_none": [True, False]}),
    "sgd_momentum_step": (sgd_momentum_step, {"foreach": _foreach_choices}),
    "note_net_train_step": (note_net_train_step, {}),
    "max_over_dim": (max_over_dim, {}),
    "running_loss_total": (running_loss_total, {"mode": ["item", "tensor"]}),
    "state_dict_save_load": (state_dict_save_load, {}),
    "dataloader_epoch": (dataloader_epoch, {"workers": [0, 2]}),
    "gram_matrix": (gram_matrix, {"method": ["channel-pairs", "product"]}),
    "detach": (detach, {}),
}
HOST_ONLY = {"dataloader_epoch"}


def param_values(name: str, param: str) -> List[Any]:
    values = HOT_PATHS[name][1][param]
    return values() if callable(values) else list(values)


def cases(device: str = "cpu") -> List[Dict[str, Any]]:
    """Every (name, params) of this torch release for ``device``: [{"id", "name", "params"}]."""
    out = []
    for name in sorted(HOT_PATHS):
        if device != "cpu" and name in HOST_ONLY:
            continue
        combos = [{}]
        for param in sorted(HOT_PATHS[name][1]):
            combos = [dict(c, **{param: v}) for c in combos for v in param_values(name, param)]
        for params in combos:
            out.append({"id": hot_path_id(name, params), "name": name, "params": params})
    return out


def slowdowns(environ=None) -> Dict[str, float]:
    """The test-only slowdowns requested by CONFORMANCE_BENCH_SLOWDOWN ({} in a normal run)."""
    raw = (os.environ if environ is None else environ).get(SLOWDOWN_ENV, "").strip()
    out = {}
    for item in filter(None, (s.strip() for s in raw.split(","))):
        key, sep, value = item.rpartition("=")
        try:
            fraction = float(value)
        except ValueError:
            fraction = -1.0
        if not sep or not key or not 0 <= fraction <= 10:
            raise ValueError("%s: expected ID=FRACTION[,ID=FRACTION] with 0 <= FRACTION <= 10, got %r"
                             % (SLOWDOWN_ENV, item))
        out[key] = fraction
    return out


def _slowed(fn: Callable[[], Any], fraction: float) -> Callable[[], Any]:
    """``fn`` that runs a second time on ``fraction`` of the calls, spread evenly."""
    state = {"owed": 0.0}

    def slowed():
        out = fn()
        state["owed"] += fraction
        while state["owed"] >= 1.0:
            state["owed"] -= 1.0
            fn()
        return out

    slowed.info = dict(getattr(fn, "info", {}), slowdown=fraction)
    return slowed


def make(name: str, device: str, workdir: str, **params) -> Callable[[], Any]:
    """The callable of hot path ``name`` with ``params`` on ``device`` (state built, not yet run).
    Raises Unavailable when this torch release lacks it. Any state files go to ``workdir``."""
    factory = HOT_PATHS[name][0]
    fn = factory(device, workdir, **params)
    wanted = slowdowns()
    fraction = wanted.get(hot_path_id(name, params), wanted.get(name))
    return _slowed(fn, fraction) if fraction else fn


def info_of(fn: Callable[[], Any]) -> Dict[str, Any]:
    """Extra facts a hot path stores with its result (e.g. the batch size), if any."""
    return dict(getattr(fn, "info", {}))


def describe(name: str) -> Optional[str]:
    doc = HOT_PATHS[name][0].__doc__
    return doc.strip().splitlines()[0] if doc else None
