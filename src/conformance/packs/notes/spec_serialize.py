"""Saving and loading models (note §3): state_dict versus the whole pickled model."""
import inspect
import pickle
import sys
import types

import torch

from conformance.testing import spec


class TinyNet(torch.nn.Module):
    """Importable at load time (module-level class in an installed module)."""

    def __init__(self):
        super().__init__()
        self.body = torch.nn.Linear(4, 3)
        self.head = torch.nn.Linear(3, 2)

    def forward(self, x):
        return self.head(torch.relu(self.body(x)))


class TinyNetWithExtra(TinyNet):
    def __init__(self):
        super().__init__()
        self.extra = torch.nn.Linear(2, 2)


class SameNamesOtherClass(torch.nn.Module):
    """A different class with the same parameter names and shapes."""

    def __init__(self):
        super().__init__()
        self.body = torch.nn.Linear(4, 3)
        self.head = torch.nn.Linear(3, 2)


def _same_parameters(claim, a, b, what):
    sa, sb = a.state_dict(), b.state_dict()
    for name, tensor in sa.items():
        claim.contains(list(sb), name, "%s: %s is there" % (what, name))
        claim.equal(sb[name].cpu().tolist(), tensor.cpu().tolist(), "%s: %s identical" % (what, name))


@spec("serialize.state-dict")
def test_state_dict_round_trip_and_flexible_loads(claim, device, tmp_path):
    """§3: saving only the state_dict and loading it into a freshly built model restores every
    parameter; it also loads into another class with the same parameter names, and partially
    with strict=False (the flexibility the note mentions)."""
    torch.manual_seed(1)
    model = TinyNet().to(device)
    path = str(tmp_path / "weights.pt")
    torch.save(model.state_dict(), path)
    fresh = TinyNet().to(device)
    fresh.load_state_dict(torch.load(path))
    _same_parameters(claim, model, fresh, "fresh model")
    x = torch.randn(2, 4, device=device)
    claim.close(fresh(x), model(x), "outputs of the reloaded model")

    other = SameNamesOtherClass().to(device)
    other.load_state_dict(torch.load(path))
    _same_parameters(claim, model, other, "other class, same names")

    bigger = TinyNetWithExtra().to(device)
    extra_before = {k: v.clone() for k, v in bigger.extra.state_dict().items()}
    report = bigger.load_state_dict(torch.load(path), strict=False)
    _same_parameters(claim, model, bigger, "partial load")
    for k, v in extra_before.items():
        claim.equal(bigger.extra.state_dict()[k].cpu().tolist(), v.cpu().tolist(),
                    "strict=False leaves extra.%s (the file lacks it) as it was" % k)
    claim.observe("strict_false_returns", type(report).__name__)
    if claim.expects("reports-keys"):
        claim.observe("strict_false_missing", sorted(report.missing_keys))
        claim.equal(sorted(report.missing_keys), ["extra.bias", "extra.weight"], "strict=False reports the missing keys")
    else:
        claim.is_none(report, "load_state_dict returns None")
    with claim.raises(RuntimeError, match=r"[Mm]issing key", record="strict_true_error"):
        TinyNetWithExtra().load_state_dict(torch.load(path))


def _has_weights_only():
    return "weights_only" in inspect.signature(torch.load).parameters


@spec("serialize.whole-model")
def test_whole_model_pickle_round_trip(claim, device, tmp_path):
    """§3: torch.save(model, PATH) then torch.load(PATH). Plain torch.load loads silently
    (expectation ``loads``), warns about weights_only (``warns``) or refuses, weights_only=True
    having become the default (``refuses``); the registry says on which releases.
    torch.load(PATH, weights_only=False) still returns the model."""
    torch.manual_seed(2)
    model = TinyNet().to(device)
    path = str(tmp_path / "model.pt")
    torch.save(model, path)
    if claim.expects("refuses"):
        with claim.warnings(record="plain_load_warnings"):
            with claim.raises(pickle.UnpicklingError, match=r"[Ww]eights only load failed", record="plain_load_error"):
                torch.load(path)
    else:
        with claim.warnings(record="plain_load_warnings") as caught:
            loaded = torch.load(path)
        about = [w for w in caught if "weights_only" in str(w.message)]
        if claim.expects("warns"):
            claim.holds(about and all(issubclass(w.category, FutureWarning) for w in about),
                        "plain torch.load warns about weights_only, with FutureWarnings",
                        warnings=["%s: %s" % (w.category.__name__, w.message) for w in caught])
        else:
            claim.equal([str(w.message) for w in about], [], "plain torch.load loads silently (warnings about weights_only)")
        claim.is_instance(loaded, TinyNet, "torch.load returns the model")
    if _has_weights_only():
        loaded = torch.load(path, weights_only=False)
        claim.identical(type(loaded), TinyNet, "torch.load(weights_only=False) returns the model (its class)")
        _same_parameters(claim, model, loaded, "whole-model reload")


@spec("serialize.whole-model")
def test_whole_model_needs_its_class_at_load_time(claim, device, tmp_path):
    """§3 (its cost): a pickled model stores a reference to its class, not its code; loading
    where the class cannot be imported fails."""
    module = types.ModuleType("conformance_vanishing_module")

    class Vanishing(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(2, 2)

    Vanishing.__module__ = module.__name__
    Vanishing.__qualname__ = "Vanishing"
    module.Vanishing = Vanishing
    sys.modules[module.__name__] = module
    path = str(tmp_path / "vanishing.pt")
    try:
        torch.save(Vanishing().to(device), path)
    finally:
        del sys.modules[module.__name__]
    kwargs = {"weights_only": False} if _has_weights_only() else {}
    with claim.raises((ModuleNotFoundError, AttributeError, ImportError), record="missing_class_error"):
        torch.load(path, **kwargs)
