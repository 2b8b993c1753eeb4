"""Breakages of the checks of the notes pack's optim claims (see __init__).

Each breaks one public form (a realistic regression there), leaving the others working, so
that only the spec probing that form notices."""
import functools
import importlib
import inspect

import torch
import torch.nn.functional as F

from conformance.packs.notes.breakages import _ORIG_BACKWARD, _leaves, _patch_backward

from conformance.testing import breakage


# ------------------------------------------------------------------------ cross entropy
def _patch_cross_entropy(monkeypatch, change):
    """Replace F.cross_entropy (which nn.CrossEntropyLoss calls too) by
    ``change(orig, input, target, options)``, the options bound by name."""
    orig = F.cross_entropy
    sig = inspect.signature(orig)

    @functools.wraps(orig)
    def cross_entropy(*args, **kwargs):
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        options = dict(bound.arguments)
        return change(orig, options.pop("input"), options.pop("target"), options)

    monkeypatch.setattr(F, "cross_entropy", cross_entropy)


def _patch_cross_entropy_module(monkeypatch, forward):
    orig = torch.nn.CrossEntropyLoss.forward

    @functools.wraps(orig)
    def patched(self, input, target):
        return forward(self, orig, input, target)

    monkeypatch.setattr(torch.nn.CrossEntropyLoss, "forward", patched)


@breakage
def cross_entropy_module_off_in_float32(monkeypatch):
    """nn.CrossEntropyLoss on float32 scores is 10% off (the functional form and float64 are right)."""
    def forward(self, orig, x, t):
        return orig(self, x, t) * (1.1 if x.dtype == torch.float32 else 1.0)

    _patch_cross_entropy_module(monkeypatch, forward)


@breakage
def cross_entropy_module_drops_its_weight(monkeypatch):
    """nn.CrossEntropyLoss(weight=w) forgets w; F.cross_entropy(weight=w) is right."""
    def forward(self, orig, x, t):
        options = {"ignore_index": self.ignore_index, "reduction": self.reduction}
        if hasattr(self, "label_smoothing"):
            options["label_smoothing"] = self.label_smoothing
        return F.cross_entropy(x, t, **options)

    _patch_cross_entropy_module(monkeypatch, forward)


@breakage
def cross_entropy_float64_through_float32(monkeypatch):
    """float64 scores are computed in float32 (the result cast back)."""
    def change(orig, x, t, options):
        if x.dtype != torch.float64:
            return orig(x, t, **options)
        if options.get("weight") is not None:
            options["weight"] = options["weight"].float()
        return orig(x.float(), t.float() if t.is_floating_point() else t, **options).double()

    _patch_cross_entropy(monkeypatch, change)


@breakage
def cross_entropy_sum_is_the_mean(monkeypatch):
    """reduction='sum' returns the mean."""
    def change(orig, x, t, options):
        if options.get("reduction") == "sum":
            options["reduction"] = "mean"
        return orig(x, t, **options)

    _patch_cross_entropy(monkeypatch, change)


@breakage
def cross_entropy_empty_batch_mean_is_zero(monkeypatch):
    """The mean over an empty batch is 0 instead of nan."""
    def change(orig, x, t, options):
        if x.numel() == 0 and options.get("reduction") == "mean":
            return x.new_zeros(())
        return orig(x, t, **options)

    _patch_cross_entropy(monkeypatch, change)


@breakage
def cross_entropy_ignore_index_ignored(monkeypatch):
    """An explicit ignore_index is dropped (the default -100 still works)."""
    def change(orig, x, t, options):
        options["ignore_index"] = -100
        return orig(x, t, **options)

    _patch_cross_entropy(monkeypatch, change)


@breakage
def cross_entropy_weighted_mean_over_count(monkeypatch):
    """With weight=, the mean divides by the number of samples instead of the sum of their weights."""
    def change(orig, x, t, options):
        if options.get("weight") is None or options.get("reduction") != "mean" or t.is_floating_point():
            return orig(x, t, **options)
        options["reduction"] = "sum"
        return orig(x, t, **options) / (t != options["ignore_index"]).sum()

    _patch_cross_entropy(monkeypatch, change)


@breakage
def cross_entropy_all_ignored_mean_is_zero(monkeypatch):
    """The mean over targets that are all ignored is 0 again (as before 1.13's nan)."""
    def change(orig, x, t, options):
        if (options.get("reduction") == "mean" and not t.is_floating_point() and t.numel()
                and bool((t == options["ignore_index"]).all())):
            return x.new_zeros(())
        return orig(x, t, **options)

    _patch_cross_entropy(monkeypatch, change)


@breakage
def cross_entropy_label_smoothing_ignored(monkeypatch):
    """label_smoothing= is accepted and ignored."""
    def change(orig, x, t, options):
        options["label_smoothing"] = 0.0
        return orig(x, t, **options)

    _patch_cross_entropy(monkeypatch, change)


@breakage
def cross_entropy_probability_targets_hardened(monkeypatch):
    """Class-probability targets are replaced by their most likely class."""
    def change(orig, x, t, options):
        return orig(x, t.argmax(1) if t.is_floating_point() else t, **options)

    _patch_cross_entropy(monkeypatch, change)


@breakage
def cross_entropy_spatial_mean_over_batch_only(monkeypatch):
    """For (N, C, d1, ...) scores the mean divides by N instead of the number of positions."""
    def change(orig, x, t, options):
        if x.dim() <= 2 or options.get("reduction") != "mean":
            return orig(x, t, **options)
        options["reduction"] = "sum"
        return orig(x, t, **options) / x.shape[0]

    _patch_cross_entropy(monkeypatch, change)


def _contiguous_strides(size):
    strides, step = [], 1
    for n in reversed(list(size)):
        strides.insert(0, step)
        step *= max(n, 1)
    return strides


@breakage
def cross_entropy_ignores_strides(monkeypatch):
    """Non-contiguous scores are read in memory order, as if they were contiguous."""
    def change(orig, x, t, options):
        if not x.is_contiguous():
            x = torch.as_strided(x, x.size(), _contiguous_strides(x.size()), x.storage_offset())
        return orig(x, t, **options)

    _patch_cross_entropy(monkeypatch, change)


@breakage
def cross_entropy_unbatched_unnormalised(monkeypatch):
    """An unbatched (C,) input returns -score[target], without the log-sum-exp."""
    def change(orig, x, t, options):
        return -x[t] if x.dim() == 1 else orig(x, t, **options)

    _patch_cross_entropy(monkeypatch, change)


@breakage
def cross_entropy_through_log_of_softmax(monkeypatch):
    """The loss is computed from log(softmax(x)), which underflows to -inf for large gaps."""
    def change(orig, x, t, options):
        return orig(torch.log(torch.softmax(x, 1 if x.dim() > 1 else 0)), t, **options)

    _patch_cross_entropy(monkeypatch, change)


# ------------------------------------------------------------------------ zero_grad
def _patch_optimizer_zero_grad(monkeypatch, zero_grad):
    orig = torch.optim.Optimizer.zero_grad
    default = inspect.signature(orig).parameters["set_to_none"].default

    @functools.wraps(orig)
    def patched(self, *args, **kwargs):
        flag = args[0] if args else kwargs.get("set_to_none", default)
        return zero_grad(self, orig, flag, args, kwargs, default)

    monkeypatch.setattr(torch.optim.Optimizer, "zero_grad", patched)


@breakage
def optimizer_zero_grad_default_flipped(monkeypatch):
    """optimizer.zero_grad() without an argument uses the other default (set_to_none given is right)."""
    def zero_grad(self, orig, flag, args, kwargs, default):
        if not args and "set_to_none" not in kwargs:
            return orig(self, set_to_none=not default)
        return orig(self, *args, **kwargs)

    _patch_optimizer_zero_grad(monkeypatch, zero_grad)


@breakage
def zero_grad_set_to_none_false_sets_none(monkeypatch):
    """optimizer.zero_grad(set_to_none=False) sets None, like True."""
    def zero_grad(self, orig, flag, args, kwargs, default):
        return orig(self, set_to_none=True) if flag is False else orig(self, *args, **kwargs)

    _patch_optimizer_zero_grad(monkeypatch, zero_grad)


@breakage
def optimizer_zero_grad_first_group_only(monkeypatch):
    """optimizer.zero_grad() clears the first parameter group only."""
    def zero_grad(self, orig, flag, args, kwargs, default):
        rest = self.param_groups[1:]
        del self.param_groups[1:]
        try:
            return orig(self, *args, **kwargs)
        finally:
            self.param_groups.extend(rest)

    _patch_optimizer_zero_grad(monkeypatch, zero_grad)


@breakage
def zero_grad_fills_missing_grads(monkeypatch):
    """zero_grad filling zeros also gives zeros to parameters that had no gradient."""
    def zero_grad(self, orig, flag, args, kwargs, default):
        if not flag:
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        p.grad = torch.zeros_like(p)
        return orig(self, *args, **kwargs)

    _patch_optimizer_zero_grad(monkeypatch, zero_grad)


@breakage
def module_zero_grad_skips_submodules(monkeypatch):
    """Module.zero_grad() clears the module's own parameters only, not its submodules'."""
    orig = torch.nn.Module.zero_grad
    default = inspect.signature(orig).parameters["set_to_none"].default

    @functools.wraps(orig)
    def zero_grad(self, set_to_none=default):
        for p in self.parameters(recurse=False):
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad.detach_()
                p.grad.zero_()

    monkeypatch.setattr(torch.nn.Module, "zero_grad", zero_grad)


# ------------------------------------------------------------------------ backward
@breakage
def backward_leaves_conv_weights_without_grad(monkeypatch):
    """Tensor.backward fills every gradient but that of 4-D (conv) weights."""
    def backward(self, *args, **kwargs):
        leaves = _leaves(self)
        _ORIG_BACKWARD(self, *args, **kwargs)
        for leaf in leaves:
            if leaf.dim() == 4:
                leaf.grad = None

    monkeypatch.setattr(torch.Tensor, "backward", backward)


@breakage
def autograd_backward_uses_only_the_first_tensor(monkeypatch):
    """torch.autograd.backward([l1, l2]) back-propagates l1 only (Tensor.backward, one tensor, is right)."""
    orig = torch.autograd.backward

    @functools.wraps(orig)
    def backward(tensors, grad_tensors=None, *args, **kwargs):
        if isinstance(tensors, (list, tuple)) and len(tensors) > 1:
            tensors = tensors[:1]
            if isinstance(grad_tensors, (list, tuple)):
                grad_tensors = grad_tensors[:1]
        return orig(tensors, grad_tensors, *args, **kwargs)

    monkeypatch.setattr(torch.autograd, "backward", backward)


@breakage
def autograd_grad_also_fills_grad(monkeypatch):
    """torch.autograd.grad returns the gradients and also accumulates them into .grad."""
    orig = torch.autograd.grad

    @functools.wraps(orig)
    def grad(outputs, inputs, *args, **kwargs):
        result = orig(outputs, inputs, *args, **kwargs)
        for leaf, g in zip([inputs] if isinstance(inputs, torch.Tensor) else list(inputs), result):
            if g is not None and leaf.is_leaf:
                leaf.grad = g.detach().clone() if leaf.grad is None else leaf.grad + g.detach()
        return result

    monkeypatch.setattr(torch.autograd, "grad", grad)


@breakage
def loss_backward_ignores_inputs(monkeypatch):
    """loss.backward(inputs=[...]) fills every leaf's gradient."""
    _patch_backward(monkeypatch, lambda self, gradient, retain, create, inputs, extra: (gradient, retain, create, None))


# ------------------------------------------------------------------------ SGD
def _patch_sgd_step(monkeypatch, before=None, after=None):
    """SGD.step with ``before(self)`` run first (it may return a function that undoes what it
    did) and ``after(self)`` run once the step is done."""
    orig = torch.optim.SGD.step

    @functools.wraps(orig)
    def step(self, *args, **kwargs):
        undo = before(self) if before else None
        try:
            result = orig(self, *args, **kwargs)
        finally:
            if undo:
                undo()
        if after:
            after(self)
        return result

    monkeypatch.setattr(torch.optim.SGD, "step", step)


def _override_group_settings(monkeypatch, settings):
    """Each step runs with ``settings(optimizer, index, group)`` put over the group's settings."""
    def before(self):
        saved = []
        for i, group in enumerate(self.param_groups):
            new = settings(self, i, group)
            saved.append({k: group[k] for k in new if k in group})
            group.update(new)

        def undo():
            for group, old in zip(self.param_groups, saved):
                group.update(old)

        return undo

    _patch_sgd_step(monkeypatch, before=before)


@breakage
def sgd_keeps_the_first_lr(monkeypatch):
    """SGD keeps using the lr of its first step; later changes to param_groups[i]['lr'] are ignored."""
    def settings(opt, i, group):
        first = opt.__dict__.setdefault("_breakage_first_lrs", [g["lr"] for g in opt.param_groups])
        return {"lr": first[i]}

    _override_group_settings(monkeypatch, settings)


@breakage
def sgd_float64_rounded_to_float32(monkeypatch):
    """Each step of a float64 parameter goes through float32 (the result rounded to float32)."""
    def after(self):
        with torch.no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.dtype == torch.float64:
                        p.copy_(p.float().double())

    _patch_sgd_step(monkeypatch, after=after)


@breakage
def sgd_momentum_buffer_starts_at_zero(monkeypatch):
    """The momentum buffer starts at zero instead of the first gradient: b1 = (1-dampening)*g,
    the same as PyTorch's only when dampening is 0."""
    def before(self):
        for group in self.param_groups:
            if group["momentum"] and group["dampening"]:
                for p in group["params"]:
                    if p.grad is not None and "momentum_buffer" not in self.state[p]:
                        self.state[p]["momentum_buffer"] = torch.zeros_like(p)

    _patch_sgd_step(monkeypatch, before=before)


@breakage
def sgd_nesterov_ignored(monkeypatch):
    """nesterov=True is accepted and ignored."""
    _override_group_settings(monkeypatch, lambda opt, i, group: {"nesterov": False})


@breakage
def sgd_weight_decay_ignored(monkeypatch):
    """weight_decay is accepted and ignored."""
    _override_group_settings(monkeypatch, lambda opt, i, group: {"weight_decay": 0})


@breakage
def sgd_maximize_ignored(monkeypatch):
    """maximize=True is accepted and ignored (SGD minimises)."""
    _override_group_settings(monkeypatch, lambda opt, i, group: {"maximize": False} if "maximize" in group else {})


@breakage
def sgd_uses_the_first_groups_settings(monkeypatch):
    """Every parameter group steps with the lr and momentum of the first group."""
    def settings(opt, i, group):
        first = opt.param_groups[0]
        return {"lr": first["lr"], "momentum": first["momentum"]} if i else {}

    _override_group_settings(monkeypatch, settings)


@breakage
def sgd_steps_params_without_grad(monkeypatch):
    """A parameter without a gradient is stepped as if its gradient were zero (it gets state)."""
    def before(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    p.grad = torch.zeros_like(p)

    _patch_sgd_step(monkeypatch, before=before)


@breakage
def sgd_foreach_forgets_momentum(monkeypatch):
    """The multi-tensor path (foreach=True) steps without momentum; the per-tensor path is right."""
    module = importlib.import_module("torch.optim.sgd")
    orig = module._multi_tensor_sgd

    @functools.wraps(orig)
    def multi_tensor_sgd(*args, **kwargs):
        kwargs["momentum"] = 0.0
        return orig(*args, **kwargs)

    monkeypatch.setattr(module, "_multi_tensor_sgd", multi_tensor_sgd)


@breakage
def optimizer_load_state_dict_drops_state(monkeypatch):
    """Optimizer.load_state_dict restores the hyperparameters but drops the per-parameter state
    (the momentum buffers start over)."""
    orig = torch.optim.Optimizer.load_state_dict

    @functools.wraps(orig)
    def load_state_dict(self, state_dict):
        return orig(self, dict(state_dict, state={}))

    monkeypatch.setattr(torch.optim.Optimizer, "load_state_dict", load_state_dict)
