"""Ways to break torch on purpose: the notes pack's breakages of its claims' main behaviours
(the note's examples); ``breakages_<area>.py`` hold those of the other checks.

Each takes pytest's ``monkeypatch`` and changes torch so that one checked behaviour no longer
holds; a check names it, and ``conformance check-pack`` (and the kit's tests) show the check's
spec, and no other spec of its claim, fails. Patches are surgical: they change the one behaviour and keep everything else working, so the
spec fails by an assertion (it noticed), not by an incidental crash.
"""
import contextlib

import torch

from conformance.testing import autograd_nodes, breakage


def breaks(*claim_ids):
    """Register a claim-wide breakage (by function name): it breaks the main behaviour of the
    claims named, and each of them must then fail (``tests/test_specs_can_fail.py``)."""

    def register(fn):
        fn.claims = claim_ids
        return breakage(fn)

    return register


_ORIG_BACKWARD = torch.Tensor.backward


def _leaves(t):
    """The leaf tensors (AccumulateGrad nodes) reachable from ``t``'s graph."""
    return [node.variable for node in autograd_nodes(t) if hasattr(node, "variable")]


def _patch_backward(monkeypatch, change):
    """Replace Tensor.backward by ``change(self, gradient, retain_graph, create_graph, inputs)``
    returning the (possibly altered) arguments for the real backward, or None to skip it."""

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None, **extra):
        args = change(self, gradient, retain_graph, create_graph, inputs, extra)
        if args is not None:
            return _ORIG_BACKWARD(self, *args)

    monkeypatch.setattr(torch.Tensor, "backward", backward)


# ------------------------------------------------------------------------ Variable (§1 §5 §14)
@breaks("variable.wraps-tensor")
def no_grad_fn(monkeypatch):
    monkeypatch.setattr(torch.Tensor, "grad_fn", property(lambda self: None))


@breaks("variable.is-tensor")
def data_is_a_copy(monkeypatch):
    base = torch._C.TensorBase.data
    monkeypatch.setattr(torch.Tensor, "data", property(lambda self: base.__get__(self).clone()))


@breaks("variable.volatile")
def volatile_still_works(monkeypatch):
    def variable(t, requires_grad=False, volatile=False):
        out = t.detach().clone()
        if volatile:  # the 0.3 semantics, silently
            return out
        return out.requires_grad_(requires_grad)

    monkeypatch.setattr(torch.autograd, "Variable", variable)


@breaks("autograd.no-grad-inherited")
def no_grad_does_nothing(monkeypatch):
    monkeypatch.setattr(torch, "no_grad", contextlib.nullcontext)


# ------------------------------------------------------------------------ backward (§1 §4 §7)
@breaks("autograd.scalar-backward")
def backward_halves_the_gradient(monkeypatch):
    def change(self, gradient, retain, create, inputs, extra):
        gradient = torch.ones_like(self) if gradient is None else gradient
        return gradient * 0.5, retain, create, inputs

    _patch_backward(monkeypatch, change)


@breaks("autograd.backward-all-leaves", "optim.backward-fills-grads")
def backward_forgets_one_leaf(monkeypatch):
    def backward(self, *args, **kwargs):
        leaves = _leaves(self)
        _ORIG_BACKWARD(self, *args, **kwargs)
        if leaves:
            leaves[-1].grad = None

    monkeypatch.setattr(torch.Tensor, "backward", backward)


@breaks("autograd.nonscalar-needs-gradient")
def backward_accepts_vectors(monkeypatch):
    def change(self, gradient, retain, create, inputs, extra):
        return (torch.ones_like(self) if gradient is None else gradient), retain, create, inputs

    _patch_backward(monkeypatch, change)


@breaks("autograd.vector-backward-weights")
def backward_ignores_its_gradient(monkeypatch):
    def change(self, gradient, retain, create, inputs, extra):
        return torch.ones_like(self), retain, create, inputs

    _patch_backward(monkeypatch, change)


@breaks("autograd.grads-accumulate", "autograd.two-losses")
def backward_overwrites_grads(monkeypatch):
    def change(self, gradient, retain, create, inputs, extra):
        for leaf in _leaves(self):
            leaf.grad = None
        return gradient, retain, create, inputs

    _patch_backward(monkeypatch, change)


@breaks("autograd.double-backward-error")
def backward_always_retains(monkeypatch):
    _patch_backward(monkeypatch, lambda self, g, r, c, i, e: (g, True, c, i))


@breaks("autograd.retain-graph")
def backward_never_retains(monkeypatch):
    _patch_backward(monkeypatch, lambda self, g, r, c, i, e: (g, False, c, i))


@breaks("autograd.retain-graph-default")
def retain_ignores_create_graph(monkeypatch):
    _patch_backward(monkeypatch, lambda self, g, r, c, i, e: (g, bool(r), c, i))


@breaks("autograd.retain-variables")
def retain_variables_accepted(monkeypatch):
    def change(self, gradient, retain, create, inputs, extra):
        if "retain_variables" in extra:
            retain = extra.pop("retain_variables")
        return gradient, retain, create, inputs

    _patch_backward(monkeypatch, change)


# ------------------------------------------------------------------------ detach (§6, §7)
@breaks("autograd.detach-blocks-gradient", "nn.content-loss-module")
def detach_is_identity(monkeypatch):
    monkeypatch.setattr(torch.Tensor, "detach", lambda self: self)


@breaks("autograd.detach-inplace")
def detach_inplace_does_nothing(monkeypatch):
    monkeypatch.setattr(torch.Tensor, "detach_", lambda self: self)


# ------------------------------------------------------------------------ training loop (§2 §4)
@breaks("optim.crossentropy")
def cross_entropy_off_by_ten_percent(monkeypatch):
    orig = torch.nn.functional.cross_entropy
    monkeypatch.setattr(torch.nn.functional, "cross_entropy", lambda *a, **k: orig(*a, **k) * 1.1)


@breaks("optim.zero-grad")
def zero_grad_does_nothing(monkeypatch):
    monkeypatch.setattr(torch.optim.Optimizer, "zero_grad", lambda self, set_to_none=True: None)
    monkeypatch.setattr(torch.nn.Module, "zero_grad", lambda self, set_to_none=True: None)




@breaks("optim.sgd-momentum-step")
def sgd_forgets_momentum(monkeypatch):
    orig = torch.optim.SGD.step

    def step(self, closure=None):
        for group in self.param_groups:
            group["momentum"] = 0.0
        return orig(self, closure)

    monkeypatch.setattr(torch.optim.SGD, "step", step)


# ------------------------------------------------------------------------ serialization (§3)
@breaks("serialize.state-dict")
def load_state_dict_ignores_tensors(monkeypatch):
    orig = torch.nn.Module.load_state_dict

    def load(self, state_dict, strict=True, **kw):
        return orig(self, {k: torch.zeros_like(v) for k, v in state_dict.items()}, strict=strict, **kw)

    monkeypatch.setattr(torch.nn.Module, "load_state_dict", load)


@breaks("serialize.whole-model")
def load_trusts_every_pickle(monkeypatch):
    orig = torch.load
    monkeypatch.setattr(torch, "load", lambda f, *a, **k: orig(f, *a, **dict(k, weights_only=False)))


# ------------------------------------------------------------------------ torch.max (§10)
@breaks("reduce.max-dim0", "reduce.max-dim1")
def max_returns_min(monkeypatch):
    orig_min = torch.min
    monkeypatch.setattr(torch, "max", lambda a, *args, **kw: orig_min(a, *args, **kw))


@breaks("reduce.max-result-type")
def max_returns_plain_tuple(monkeypatch):
    orig = torch.max
    monkeypatch.setattr(torch, "max", lambda a, *args, **kw: tuple(orig(a, *args, **kw)))


@breaks("reduce.max-ties")
def max_ties_pick_the_last(monkeypatch):
    orig = torch.max

    def last(a, dim=None, *args, **kw):
        if dim is None:
            return orig(a)
        r = orig(a.flip(dim), dim, *args, **kw)
        return torch.return_types.max((r.values, a.shape[dim] - 1 - r.indices))

    monkeypatch.setattr(torch, "max", last)


# ------------------------------------------------------------------------ scalars (§4 §11)
@breaks("tensor.loss-data-index")
def scalars_index_like_0_3(monkeypatch):
    orig = torch.Tensor.__getitem__
    monkeypatch.setattr(torch.Tensor, "__getitem__",
                        lambda self, idx: self if (self.dim() == 0 and idx == 0) else orig(self, idx))


@breaks("tensor.item")
def item_returns_a_tensor(monkeypatch):
    monkeypatch.setattr(torch.Tensor, "item", lambda self: self.detach().clone().reshape(()))


@breaks("autograd.accumulate-tensor-keeps-graph")
def running_totals_detach(monkeypatch):
    radd, iadd = torch.Tensor.__radd__, torch.Tensor.__iadd__
    monkeypatch.setattr(torch.Tensor, "__radd__", lambda self, other: radd(self, other).detach())
    monkeypatch.setattr(torch.Tensor, "__iadd__", lambda self, other: iadd(self.detach(), other))


# ------------------------------------------------------------------------ shapes, style (§8 §9)
@breaks("nn.conv-output-size")
def conv_pads_one_more(monkeypatch):
    orig = torch.nn.Conv2d._conv_forward

    def forward(self, x, weight, bias):
        return orig(self, torch.nn.functional.pad(x, (1, 1, 1, 1)), weight, bias)

    monkeypatch.setattr(torch.nn.Conv2d, "_conv_forward", forward)


@breaks("nn.net-flatten-size")
def pools_round_up(monkeypatch):
    orig = torch.nn.MaxPool2d.forward

    def forward(self, x):
        self.ceil_mode = True
        return orig(self, x)

    monkeypatch.setattr(torch.nn.MaxPool2d, "forward", forward)


@breaks("style.gram-matrix")
def matmul_one_percent_off(monkeypatch):
    orig = torch.Tensor.__matmul__
    monkeypatch.setattr(torch.Tensor, "__matmul__", lambda self, other: orig(self, other) * 1.01)


# ------------------------------------------------------------------------ GAN (§15)
@breaks("gan.discriminator-sigmoid")
def sigmoid_is_identity(monkeypatch):
    monkeypatch.setattr(torch.nn.Sigmoid, "forward", lambda self, x: torch.clamp(x, 1e-4, 10.0))


@breaks("gan.generator-tanh")
def tanh_is_sigmoid(monkeypatch):
    monkeypatch.setattr(torch.nn.Tanh, "forward", lambda self, x: torch.sigmoid(x))


# ------------------------------------------------------------------------ data (§12 §13 §16)
@breaks("data.dataset-protocol")
def dataset_getitem_returns_none(monkeypatch):
    monkeypatch.setattr(torch.utils.data.Dataset, "__getitem__", lambda self, i: None)


@breaks("data.getitem-types")
def default_collate_keeps_lists(monkeypatch):
    import torch.utils.data._utils.collate as collate

    monkeypatch.setattr(collate, "default_collate", lambda batch: list(batch))


@breaks("data.dataloader-batches")
def batches_always_drop_the_last(monkeypatch):
    orig = torch.utils.data.BatchSampler.__iter__

    def iterate(self):
        for batch in orig(self):
            if len(batch) == self.batch_size:
                yield batch

    monkeypatch.setattr(torch.utils.data.BatchSampler, "__iter__", iterate)


@breaks("data.dataloader-shuffle")
def shuffle_does_nothing(monkeypatch):
    monkeypatch.setattr(torch.utils.data.RandomSampler, "__iter__", lambda self: iter(range(len(self.data_source))))


@breaks("data.dataloader-workers")
def workers_report_no_worker_info(monkeypatch):
    monkeypatch.setattr(torch.utils.data, "get_worker_info", lambda: None)


@breaks("data.collate-fn")
def collate_fn_ignored(monkeypatch):
    orig = torch.utils.data.DataLoader.__init__

    def init(self, *args, **kwargs):
        kwargs.pop("collate_fn", None)
        orig(self, *args, **kwargs)

    monkeypatch.setattr(torch.utils.data.DataLoader, "__init__", init)


@breaks("data.mnist-style-dataset")
def fromarray_makes_rgb(monkeypatch):
    from PIL import Image

    orig = Image.fromarray
    monkeypatch.setattr(Image, "fromarray", lambda arr, mode=None: orig(arr).convert("RGB"))


@breaks("data.torchvision-mnist")
def mnist_never_finds_its_files(monkeypatch):
    from torchvision.datasets import MNIST

    monkeypatch.setattr(MNIST, "_check_exists", lambda self: False)


# ------------------------------------------------------------------------ breakages named by checks
# Probes at the edges name these in their record's checks (tests/test_reach.py shows each is
# caught by its spec alone).
@breakage
def default_collate_widens_integers(monkeypatch):
    """Collation gives int64 for every integer input (numpy int32/uint8 arrays lose their dtype)."""
    import torch.utils.data._utils.collate as collate

    orig = collate.default_collate

    def widen(value):
        if isinstance(value, torch.Tensor):
            return value.long() if not value.is_floating_point() and value.dtype != torch.bool else value
        if isinstance(value, dict):
            return {k: widen(v) for k, v in value.items()}
        if isinstance(value, list):
            return [widen(v) for v in value]
        return value

    monkeypatch.setattr(collate, "default_collate", lambda batch: widen(orig(batch)))


@breakage
def drop_last_ignored(monkeypatch):
    orig = torch.utils.data.BatchSampler.__iter__

    def iterate(self):
        self.drop_last = False
        return orig(self)

    monkeypatch.setattr(torch.utils.data.BatchSampler, "__iter__", iterate)


@breakage
def sampler_runs_once(monkeypatch):
    """A sampler that is exhausted after its first epoch: the second epoch is empty."""

    def once(self):
        if not hasattr(self, "_only_iterator"):
            self._only_iterator = iter(range(len(self.data_source)))
        return self._only_iterator

    monkeypatch.setattr(torch.utils.data.SequentialSampler, "__iter__", once)
