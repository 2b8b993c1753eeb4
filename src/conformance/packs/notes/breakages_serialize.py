"""Breakages of the checks of the notes pack's serialize claims (see __init__).

Each breaks one public form (a realistic regression there), leaving the others working, so
that only the spec probing that form notices."""
import collections
import functools
import inspect
import pickle

import torch

from conformance.testing import breakage


# ------------------------------------------------------------------------ Module.state_dict / load_state_dict
def _load_hiding(monkeypatch, attribute):
    """Module._load_from_state_dict loads nothing into ``attribute`` (``_parameters`` or
    ``_buffers``), silently: the skipped keys are reported neither missing nor unexpected."""
    orig = torch.nn.Module._load_from_state_dict

    @functools.wraps(orig)
    def load(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs):
        hidden = self.__dict__[attribute]
        self.__dict__[attribute] = collections.OrderedDict()
        try:
            orig(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
        finally:
            self.__dict__[attribute] = hidden
        names = {prefix + name for name in hidden}
        unexpected_keys[:] = [k for k in unexpected_keys if k not in names]

    monkeypatch.setattr(torch.nn.Module, "_load_from_state_dict", load)


@breakage
def load_state_dict_skips_parameters(monkeypatch):
    """load_state_dict restores the buffers but leaves the parameters as they were."""
    _load_hiding(monkeypatch, "_parameters")


@breakage
def load_state_dict_skips_buffers(monkeypatch):
    """load_state_dict restores the parameters but leaves the buffers (running statistics) as they were."""
    _load_hiding(monkeypatch, "_buffers")


def _patch_load_state_dict(monkeypatch, load):
    orig = torch.nn.Module.load_state_dict

    @functools.wraps(orig)
    def patched(self, state_dict, *args, **kwargs):
        return load(self, orig, state_dict, args, kwargs)

    monkeypatch.setattr(torch.nn.Module, "load_state_dict", patched)


@breakage
def load_state_dict_reports_no_keys(monkeypatch):
    """load_state_dict(strict=False) loads but returns empty missing and unexpected key lists."""
    def load(self, orig, state_dict, args, kwargs):
        result = orig(self, state_dict, *args, **kwargs)
        if result is not None:
            del result.missing_keys[:]
            del result.unexpected_keys[:]
        return result

    _patch_load_state_dict(monkeypatch, load)


@breakage
def strict_load_accepts_missing_keys(monkeypatch):
    """strict=True behaves like strict=False: missing and unexpected keys pass silently."""
    def load(self, orig, state_dict, args, kwargs):
        kwargs.pop("strict", None)
        return orig(self, state_dict, False, *args[1:], **kwargs)

    _patch_load_state_dict(monkeypatch, load)


@breakage
def load_state_dict_replaces_parameters(monkeypatch):
    """load_state_dict puts new Parameters (of the state_dict's dtype) in place of the model's own."""
    def load(self, orig, state_dict, args, kwargs):
        result = orig(self, state_dict, *args, **kwargs)
        for name, _ in list(self.named_parameters()):
            if name in state_dict:
                owner_name, _, leaf = name.rpartition(".")
                owner = self.get_submodule(owner_name) if owner_name else self
                setattr(owner, leaf, torch.nn.Parameter(state_dict[name].detach().clone()))
        return result

    _patch_load_state_dict(monkeypatch, load)


def _patch_top_level_state_dict(monkeypatch, change):
    """Module.state_dict with ``change(ordered_dict)`` applied to the result of a top-level call."""
    orig = torch.nn.Module.state_dict

    @functools.wraps(orig)
    def state_dict(self, *args, **kwargs):
        result = orig(self, *args, **kwargs)
        if args or kwargs.get("prefix") or kwargs.get("destination") is not None:
            return result  # a submodule's part of a bigger state_dict
        changed = change(result)
        changed._metadata = getattr(result, "_metadata", None)
        return changed

    monkeypatch.setattr(torch.nn.Module, "state_dict", state_dict)


@breakage
def state_dict_keys_sorted(monkeypatch):
    """state_dict() returns its keys sorted by name instead of in registration order."""
    _patch_top_level_state_dict(monkeypatch, lambda sd: collections.OrderedDict(sorted(sd.items())))


@breakage
def state_dict_returns_copies(monkeypatch):
    """state_dict() returns copies of the tensors instead of the model's own."""
    _patch_top_level_state_dict(monkeypatch, lambda sd: collections.OrderedDict((k, v.clone()) for k, v in sd.items()))


# ------------------------------------------------------------------------ torch.save / torch.load
def _patch_load(monkeypatch, load):
    """torch.load replaced by ``load(orig, f, kwargs)`` (map_location bound by name)."""
    orig = torch.load

    @functools.wraps(orig)
    def patched(f, *args, **kwargs):
        if args:
            kwargs["map_location"] = args[0]
            args = args[1:]
        return load(orig, f, args, kwargs)

    monkeypatch.setattr(torch, "load", patched)


def _map_tensors(value, change):
    if isinstance(value, torch.Tensor):
        return change(value)
    if isinstance(value, dict):
        return type(value)((k, _map_tensors(v, change)) for k, v in value.items())
    return value


@breakage
def torch_save_rewinds_file_objects(monkeypatch):
    """torch.save to a file object leaves it at position 0 instead of after what it wrote."""
    orig = torch.save

    @functools.wraps(orig)
    def save(obj, f, *args, **kwargs):
        result = orig(obj, f, *args, **kwargs)
        if hasattr(f, "seek"):
            f.seek(0)
        return result

    monkeypatch.setattr(torch, "save", save)


@breakage
def map_location_callable_ignored(monkeypatch):
    """A callable map_location is never called (the storages stay where they were saved)."""
    def load(orig, f, args, kwargs):
        if callable(kwargs.get("map_location")):
            kwargs["map_location"] = None
        return orig(f, *args, **kwargs)

    _patch_load(monkeypatch, load)


@breakage
def weights_only_refuses_state_dicts(monkeypatch):
    """An explicit weights_only=True refuses even a plain state_dict."""
    def load(orig, f, args, kwargs):
        if kwargs.get("weights_only") is True:
            raise pickle.UnpicklingError("Weights only load failed (breakage: every global refused)")
        return orig(f, *args, **kwargs)

    _patch_load(monkeypatch, load)


@breakage
def torch_load_int64_through_float64(monkeypatch):
    """int64 tensors come back through float64 (values beyond 2**53 rounded)."""
    def load(orig, f, args, kwargs):
        return _map_tensors(orig(f, *args, **kwargs),
                            lambda t: t.double().long() if t.dtype == torch.int64 else t)

    _patch_load(monkeypatch, load)


@breakage
def torch_load_unshares_views(monkeypatch):
    """Tensors that shared storage when saved come back as separate copies."""
    def load(orig, f, args, kwargs):
        return _map_tensors(orig(f, *args, **kwargs), lambda t: t.clone())

    _patch_load(monkeypatch, load)


# ------------------------------------------------------------------------ the whole model
@breakage
def torch_load_defaults_to_weights_only_false(monkeypatch):
    """Plain torch.load (weights_only not given) unpickles anything, as before 2.6; explicit
    weights_only=True and weights_only=False are right."""
    def load(orig, f, args, kwargs):
        if "weights_only" in inspect.signature(orig).parameters:
            kwargs.setdefault("weights_only", False)
        return orig(f, *args, **kwargs)

    _patch_load(monkeypatch, load)


@breakage
def torch_load_swallows_missing_classes(monkeypatch):
    """torch.load of a model whose class cannot be imported returns None instead of raising."""
    def load(orig, f, args, kwargs):
        try:
            return orig(f, *args, **kwargs)
        except (ImportError, AttributeError):
            return None

    _patch_load(monkeypatch, load)


@breakage
def weights_only_true_loads_anything(monkeypatch):
    """An explicit weights_only=True unpickles anything, like weights_only=False."""
    def load(orig, f, args, kwargs):
        if kwargs.get("weights_only") is True:
            kwargs["weights_only"] = False
        return orig(f, *args, **kwargs)

    _patch_load(monkeypatch, load)


@breakage
def safe_globals_allowlist_ignored(monkeypatch):
    """weights_only=True ignores what torch.serialization.add_safe_globals / safe_globals allowed."""
    import torch._weights_only_unpickler as unpickler

    monkeypatch.setattr(unpickler, "_get_user_allowed_globals", lambda: {})


@breakage
def unpickled_modules_come_back_training(monkeypatch):
    """An unpickled module comes back in training mode, whatever mode it was saved in."""
    orig = torch.nn.Module.__setstate__

    @functools.wraps(orig)
    def setstate(self, state):
        orig(self, state)
        self.training = True

    monkeypatch.setattr(torch.nn.Module, "__setstate__", setstate)
