"""Breakages of the training pack's checks: each takes pytest's ``monkeypatch`` and breaks one
checked behaviour in torch (a realistic regression in one public form, the others left
working), so that the check's spec, and no other spec of its claim, fails by an assertion.

They are written against the newest behaviour (what the installed torch of CI does: the
expectations ``refuses``, ``zip-stem``, ``compile``, ``off``, ``deprecated``, ``none``, ...);
``conformance check-pack`` applies each one and runs its claim's specs.
"""
import functools
import io
import os
import pickle
import warnings

import torch
import torch.utils.data

try:
    from conformance.testing import breakage
except ImportError:  # an engine without pack breakages: keep them in a dict of our own
    BREAKAGES = {}

    def breakage(fn):
        BREAKAGES[fn.__name__] = fn
        return fn


def _wrap(monkeypatch, owner, name, make):
    """Replace ``owner.name`` by ``make(original)``."""
    orig = getattr(owner, name)
    monkeypatch.setattr(owner, name, functools.wraps(orig)(make(orig)))


def _plain(kwargs):
    return "weights_only" not in kwargs


# ------------------------------------------------------------------ load.pickled-object
@breakage
def plain_load_refusal_names_no_class(monkeypatch):
    """A refused plain torch.load no longer says which class it refused."""
    def make(orig):
        def load(f, *args, **kwargs):
            try:
                return orig(f, *args, **kwargs)
            except pickle.UnpicklingError as err:
                if _plain(kwargs) and "RunConfig" in str(err):
                    raise pickle.UnpicklingError("Weights only load failed: an unsupported global.")
                raise
        return load
    _wrap(monkeypatch, torch, "load", make)


@breakage
def default_load_admits_numpy(monkeypatch):
    """The weights_only default lets numpy values through (as if numpy were allow-listed)."""
    def make(orig):
        def load(f, *args, **kwargs):
            try:
                return orig(f, *args, **kwargs)
            except pickle.UnpicklingError as err:
                if _plain(kwargs) and "numpy" in str(err):
                    return orig(f, *args, weights_only=False, **kwargs)
                raise
        return load
    _wrap(monkeypatch, torch, "load", make)


@breakage
def explicit_weights_only_false_warns(monkeypatch):
    """torch.load(..., weights_only=False) warns about weights_only although it was given."""
    def make(orig):
        def load(f, *args, **kwargs):
            if kwargs.get("weights_only") is False:
                warnings.warn("You are using torch.load with weights_only=False", FutureWarning)
            return orig(f, *args, **kwargs)
        return load
    _wrap(monkeypatch, torch, "load", make)


@breakage
def add_safe_globals_does_nothing(monkeypatch):
    """torch.serialization.add_safe_globals([...]) returns without allow-listing anything."""
    monkeypatch.setattr(torch.serialization, "add_safe_globals", lambda safe_globals: None)


@breakage
def env_var_is_ignored(monkeypatch):
    """TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD no longer changes what a plain torch.load does."""
    name = "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"

    def make(orig):
        def load(f, *args, **kwargs):
            value = os.environ.pop(name, None)
            try:
                return orig(f, *args, **kwargs)
            finally:
                if value is not None:
                    os.environ[name] = value
        return load
    _wrap(monkeypatch, torch, "load", make)


# ------------------------------------------------------------------ load.tensor-checkpoint
def _path_load(args, kwargs, f):
    return isinstance(f, (str, os.PathLike)) and _plain(kwargs) and "map_location" not in kwargs and not args


@breakage
def plain_load_drops_optimizer_state(monkeypatch):
    """A plain torch.load(path) returns the optimizer's state_dict without its per-parameter state."""
    def make(orig):
        def load(f, *args, **kwargs):
            result = orig(f, *args, **kwargs)
            if _path_load(args, kwargs, f) and isinstance(result, dict) and "optimizer" in result:
                result["optimizer"]["state"] = {}
            return result
        return load
    _wrap(monkeypatch, torch, "load", make)


@breakage
def plain_load_warns_about_weights_only(monkeypatch):
    """A plain torch.load(path) warns again (FutureWarning) about the weights_only default."""
    def make(orig):
        def load(f, *args, **kwargs):
            if _path_load(args, kwargs, f):
                warnings.warn("You are using torch.load with weights_only=False (the current default "
                              "value)", FutureWarning)
            return orig(f, *args, **kwargs)
        return load
    _wrap(monkeypatch, torch, "load", make)


def _has_float(value):
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_float(v) for v in value)
    return False


@breakage
def weights_only_refuses_floats(monkeypatch):
    """torch.load(..., weights_only=True) refuses Python floats again (as 1.13 did)."""
    def make(orig):
        def load(f, *args, **kwargs):
            result = orig(f, *args, **kwargs)
            if kwargs.get("weights_only") is True and _has_float(result):
                raise pickle.UnpicklingError("Weights only load failed. WeightsUnpickler error: Unsupported operand 71")
            return result
        return load
    _wrap(monkeypatch, torch, "load", make)


@breakage
def map_location_function_is_not_called(monkeypatch):
    """torch.load ignores a map_location function (the storages stay where they were saved)."""
    def make(orig):
        def load(f, *args, **kwargs):
            if callable(kwargs.get("map_location")):
                kwargs["map_location"] = None
            return orig(f, *args, **kwargs)
        return load
    _wrap(monkeypatch, torch, "load", make)


# ------------------------------------------------------------------ save.zip-archive
def _to_path(f):
    return isinstance(f, (str, os.PathLike))


@breakage
def torch_save_to_paths_writes_legacy(monkeypatch):
    """torch.save to a file name writes the legacy (non-zip) format by default."""
    def make(orig):
        def save(obj, f, *args, **kwargs):
            if _to_path(f) and "_use_new_zipfile_serialization" not in kwargs:
                kwargs["_use_new_zipfile_serialization"] = False
            return orig(obj, f, *args, **kwargs)
        return save
    _wrap(monkeypatch, torch, "save", make)


@breakage
def archive_top_folder_is_always_archive(monkeypatch):
    """torch.save to a file name writes the archive under 'archive/' (as 1.6-1.12 did)."""
    def make(orig):
        def save(obj, f, *args, **kwargs):
            if not _to_path(f) or kwargs.get("_use_new_zipfile_serialization") is False:
                return orig(obj, f, *args, **kwargs)
            buf = io.BytesIO()
            orig(obj, buf, *args, **kwargs)
            with open(f, "wb") as fh:
                fh.write(buf.getvalue())
        return save
    _wrap(monkeypatch, torch, "save", make)


@breakage
def torch_save_to_buffers_writes_legacy(monkeypatch):
    """torch.save into a file-like object writes the legacy format by default."""
    def make(orig):
        def save(obj, f, *args, **kwargs):
            if not _to_path(f) and "_use_new_zipfile_serialization" not in kwargs:
                kwargs["_use_new_zipfile_serialization"] = False
            return orig(obj, f, *args, **kwargs)
        return save
    _wrap(monkeypatch, torch, "save", make)


@breakage
def legacy_flag_is_ignored(monkeypatch):
    """torch.save ignores _use_new_zipfile_serialization=False and writes a zip archive."""
    def make(orig):
        def save(obj, f, *args, **kwargs):
            kwargs.pop("_use_new_zipfile_serialization", None)
            return orig(obj, f, *args, **kwargs)
        return save
    _wrap(monkeypatch, torch, "save", make)


# ------------------------------------------------------------------ state-dict.wrapper-prefixes
@breakage
def dataparallel_keys_lose_the_prefix(monkeypatch):
    """nn.DataParallel(model).state_dict() returns the model's keys without 'module.'."""
    monkeypatch.setattr(torch.nn.DataParallel, "state_dict", lambda self, *a, **k: self.module.state_dict(*a, **k))


@breakage
def plain_models_accept_prefixed_keys(monkeypatch):
    """A plain module's load_state_dict strips a 'module.' prefix from every key by itself."""
    def make(orig):
        def load_state_dict(self, state_dict, *args, **kwargs):
            if not isinstance(self, torch.nn.DataParallel) and state_dict and all(k.startswith("module.") for k in state_dict):
                state_dict = type(state_dict)((k[len("module."):], v) for k, v in state_dict.items())
            return orig(self, state_dict, *args, **kwargs)
        return load_state_dict
    _wrap(monkeypatch, torch.nn.Module, "load_state_dict", make)


@breakage
def consume_prefix_leaves_the_keys(monkeypatch):
    """consume_prefix_in_state_dict_if_present does nothing."""
    import torch.nn.modules.utils as utils

    monkeypatch.setattr(utils, "consume_prefix_in_state_dict_if_present", lambda state_dict, prefix: None)


@breakage
def compiled_keys_lose_the_prefix(monkeypatch):
    """torch.compile(model).state_dict() returns the model's keys without '_orig_mod.'."""
    optimized = type(torch.compile(torch.nn.Linear(1, 1)))
    monkeypatch.setattr(optimized, "state_dict", lambda self, *a, **k: self._orig_mod.state_dict(*a, **k))


# ------------------------------------------------------------------ tf32.matmul-default
class _MatmulFlag(object):
    """torch.backends.cuda.matmul.allow_tf32 as a plain attribute, so that monkeypatch sets the
    flag and puts its value back afterwards (the flag object itself does not let it). It is set
    through set_float32_matmul_precision: on 2.9+ setting the legacy flag after the precision
    leaves a mix that makes get_float32_matmul_precision() raise."""

    @property
    def allow_tf32(self):
        return torch.backends.cuda.matmul.allow_tf32

    @allow_tf32.setter
    def allow_tf32(self, value):
        torch.set_float32_matmul_precision("high" if value else "highest")


@breakage
def matmul_tf32_defaults_on(monkeypatch):
    """torch.backends.cuda.matmul.allow_tf32 starts True (as on 1.7-1.11)."""
    monkeypatch.setattr(_MatmulFlag(), "allow_tf32", True)


@breakage
def cudnn_tf32_defaults_off(monkeypatch):
    """torch.backends.cudnn.allow_tf32 starts False."""
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)


@breakage
def precision_setting_leaves_the_flag(monkeypatch):
    """torch.set_float32_matmul_precision no longer changes what allow_tf32 reads."""
    monkeypatch.setattr(torch, "set_float32_matmul_precision", lambda precision: None)


# ------------------------------------------------------------------ amp.cuda-spellings
@breakage
def cuda_autocast_stays_silent(monkeypatch):
    """torch.cuda.amp.autocast(...) is an alias of torch.amp.autocast('cuda', ...), with no warning."""
    class autocast(torch.amp.autocast):
        def __init__(self, enabled=True, dtype=torch.float16, cache_enabled=True):
            super().__init__("cuda", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)

    monkeypatch.setattr(torch.cuda.amp, "autocast", autocast)


@breakage
def grad_scaler_skips_the_step(monkeypatch):
    """A disabled torch.cuda.amp.GradScaler's step(optimizer) does not step the optimizer."""
    monkeypatch.setattr(torch.cuda.amp.GradScaler, "step", lambda self, optimizer, *a, **k: None)


@breakage
def custom_bwd_skips_the_backward(monkeypatch):
    """torch.cuda.amp.custom_bwd returns the incoming gradient instead of calling the backward."""
    def custom_bwd(bwd=None, **kwargs):
        return lambda ctx, *grads: grads[0] if len(grads) == 1 else grads

    monkeypatch.setattr(torch.cuda.amp, "custom_bwd", custom_bwd)


@breakage
def cpu_autocast_keeps_float32(monkeypatch):
    """torch.cpu.amp.autocast() is a context that casts nothing."""
    class autocast(object):
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(torch.cpu.amp, "autocast", autocast)


# ------------------------------------------------------------------ meshgrid.default-indexing
def _wrap_meshgrid(monkeypatch, change):
    def make(orig):
        def meshgrid(*tensors, **kwargs):
            return orig(*tensors, **change(dict(kwargs)))
        return meshgrid
    _wrap(monkeypatch, torch, "meshgrid", make)


@breakage
def meshgrid_defaults_to_xy(monkeypatch):
    """torch.meshgrid without indexing= gives 'xy' grids (numpy's default)."""
    _wrap_meshgrid(monkeypatch, lambda kw: kw if "indexing" in kw else dict(kw, indexing="xy"))


@breakage
def meshgrid_stays_silent(monkeypatch):
    """torch.meshgrid without indexing= no longer warns (it passes indexing='ij' itself)."""
    _wrap_meshgrid(monkeypatch, lambda kw: kw if "indexing" in kw else dict(kw, indexing="ij"))


@breakage
def meshgrid_ignores_xy(monkeypatch):
    """torch.meshgrid(..., indexing='xy') gives 'ij' grids."""
    _wrap_meshgrid(monkeypatch, lambda kw: dict(kw, indexing="ij") if kw.get("indexing") == "xy" else kw)


# ------------------------------------------------------------------ zero-grad.zeros
@breakage
def module_zero_grad_keeps_the_gradients(monkeypatch):
    """Module.zero_grad() zeroes the gradients in place again (set_to_none=False by default)."""
    orig = torch.nn.Module.zero_grad
    monkeypatch.setattr(torch.nn.Module, "zero_grad", lambda self, set_to_none=False: orig(self, set_to_none=set_to_none))


@breakage
def optimizer_zero_grad_keeps_the_gradients(monkeypatch):
    """Optimizer.zero_grad() zeroes the gradients in place again (set_to_none=False by default)."""
    orig = torch.optim.Optimizer.zero_grad
    monkeypatch.setattr(torch.optim.Optimizer, "zero_grad", lambda self, set_to_none=False: orig(self, set_to_none=set_to_none))


@breakage
def set_to_none_false_gives_none(monkeypatch):
    """zero_grad(set_to_none=False) sets the gradients to None anyway, for modules and optimizers."""
    module, optimizer = torch.nn.Module.zero_grad, torch.optim.Optimizer.zero_grad
    monkeypatch.setattr(torch.nn.Module, "zero_grad", lambda self, set_to_none=True: module(self, set_to_none=True))
    monkeypatch.setattr(torch.optim.Optimizer, "zero_grad", lambda self, set_to_none=True: optimizer(self, set_to_none=True))


# ------------------------------------------------------------------ data.split-fractions
def _is_fractions(lengths, n):
    import math

    return (not all(isinstance(x, int) for x in lengths)) and math.isclose(sum(lengths), 1) and sum(lengths) <= 1


@breakage
def fraction_remainders_go_to_the_last_part(monkeypatch):
    """random_split by fractions gives the rounding remainder to the last part."""
    import math

    def make(orig):
        def random_split(dataset, lengths, *args, **kwargs):
            if _is_fractions(lengths, len(dataset)):
                sizes = [int(math.floor(len(dataset) * f)) for f in lengths]
                sizes[-1] += len(dataset) - sum(sizes)
                lengths = sizes
            return orig(dataset, lengths, *args, **kwargs)
        return random_split
    _wrap(monkeypatch, torch.utils.data, "random_split", make)


@breakage
def random_split_accepts_any_lengths(monkeypatch):
    """random_split by lengths that do not add up fits the last part to the dataset."""
    def make(orig):
        def random_split(dataset, lengths, *args, **kwargs):
            if all(isinstance(x, int) for x in lengths) and sum(lengths) != len(dataset):
                lengths = list(lengths[:-1]) + [len(dataset) - sum(lengths[:-1])]
            return orig(dataset, lengths, *args, **kwargs)
        return random_split
    _wrap(monkeypatch, torch.utils.data, "random_split", make)


# ------------------------------------------------------------------ data.seeded-order
@breakage
def random_split_ignores_the_seed(monkeypatch):
    """random_split without generator= draws from a generator of its own, not the global seed."""
    def make(orig):
        def random_split(dataset, lengths, generator=None):
            return orig(dataset, lengths, generator=generator or torch.Generator().manual_seed(1))
        return random_split
    _wrap(monkeypatch, torch.utils.data, "random_split", make)


@breakage
def shuffle_order_reversed(monkeypatch):
    """A shuffling DataLoader without generator= yields its sampler's order reversed."""
    orig = torch.utils.data.RandomSampler.__iter__

    def __iter__(self):
        order = list(orig(self))
        return iter(order[::-1] if self.generator is None else order)

    monkeypatch.setattr(torch.utils.data.RandomSampler, "__iter__", __iter__)


@breakage
def generator_order_follows_the_global_seed(monkeypatch):
    """A shuffling DataLoader ignores its generator= and draws from the global seed."""
    orig = torch.utils.data.RandomSampler.__iter__

    def __iter__(self):
        generator, self.generator = self.generator, None
        try:
            return iter(list(orig(self)))
        finally:
            self.generator = generator

    monkeypatch.setattr(torch.utils.data.RandomSampler, "__iter__", __iter__)


@breakage
def linear_init_draws_other_numbers(monkeypatch):
    """nn.Linear's initialisation draws one number more before the weights."""
    def make(orig):
        def kaiming_uniform_(tensor, *args, **kwargs):
            torch.rand(1)
            return orig(tensor, *args, **kwargs)
        return kaiming_uniform_
    _wrap(monkeypatch, torch.nn.init, "kaiming_uniform_", make)


# ------------------------------------------------------------------ clip-grad-norm.total-norm
def _wrap_clip(monkeypatch, after):
    def make(orig):
        def clip_grad_norm_(parameters, max_norm, *args, **kwargs):
            params = [parameters] if isinstance(parameters, torch.Tensor) else list(parameters)
            total = orig(params, max_norm, *args, **kwargs)
            return after(params, max_norm, total)
        return clip_grad_norm_
    _wrap(monkeypatch, torch.nn.utils, "clip_grad_norm_", make)


@breakage
def clip_grad_norm_returns_the_clipped_norm(monkeypatch):
    """clip_grad_norm_ returns the norm after clipping (at most max_norm) instead of before."""
    _wrap_clip(monkeypatch, lambda params, max_norm, total: total.clamp(max=max_norm) if torch.isfinite(total) else total)


@breakage
def clip_grad_norm_returns_floats(monkeypatch):
    """clip_grad_norm_ returns a finite total norm as a Python float (as before 1.5)."""
    _wrap_clip(monkeypatch, lambda params, max_norm, total: total.item() if torch.isfinite(total) else total)


@breakage
def clip_grad_norm_always_rescales(monkeypatch):
    """clip_grad_norm_ scales gradients below max_norm up to it."""
    def after(params, max_norm, total):
        if torch.isfinite(total) and 0 < total < max_norm:
            for p in params:
                p.grad.mul_(max_norm / total)
        return total

    _wrap_clip(monkeypatch, after)


@breakage
def error_if_nonfinite_ignored(monkeypatch):
    """clip_grad_norm_(..., error_if_nonfinite=True) clips a non-finite norm anyway."""
    def make(orig):
        def clip_grad_norm_(parameters, max_norm, *args, **kwargs):
            kwargs.pop("error_if_nonfinite", None)
            return orig(parameters, max_norm, *args, **kwargs)
        return clip_grad_norm_
    _wrap(monkeypatch, torch.nn.utils, "clip_grad_norm_", make)


# ------------------------------------------------------------------ lr-scheduler.step-order
def _wrap_first_step(monkeypatch, skip_when_optimizer_stepped):
    """StepLR's first step() call only counts (the schedule does not advance), when the optimizer
    has (or has not) stepped before it."""
    StepLR = torch.optim.lr_scheduler.StepLR
    orig = StepLR.step

    def step(self, *args, **kwargs):
        if self._step_count == 1 and bool(getattr(self.optimizer, "_opt_called", False)) == skip_when_optimizer_stepped:
            self._step_count += 1
            return None
        return orig(self, *args, **kwargs)

    monkeypatch.setattr(StepLR, "step", step)


@breakage
def scheduler_first_keeps_the_initial_lr(monkeypatch):
    """scheduler.step() before the first optimizer.step() does not advance the schedule (as on 1.0)."""
    _wrap_first_step(monkeypatch, skip_when_optimizer_stepped=False)


@breakage
def scheduler_order_stays_silent(monkeypatch):
    """scheduler.step() before optimizer.step() no longer warns."""
    StepLR = torch.optim.lr_scheduler.StepLR
    orig = StepLR.step

    def step(self, *args, **kwargs):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Detected call of")
            return orig(self, *args, **kwargs)

    monkeypatch.setattr(StepLR, "step", step)


@breakage
def optimizer_first_repeats_the_first_lr(monkeypatch):
    """The first scheduler.step() after optimizer.step() does not advance the schedule (as on 1.0)."""
    _wrap_first_step(monkeypatch, skip_when_optimizer_stepped=True)
