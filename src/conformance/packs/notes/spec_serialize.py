"""Saving and loading models (note §3): state_dict versus the whole pickled model.

Each claim's reach is split so that one spec probes one public form or one kind of state
(``tests/breakages/serialize.py`` breaks each in turn): for state_dict the note's round trip
(with strict=False, strict=True and another dtype), the buffers and nested keys a state dict
holds, the file forms and map_location, and the tensors' dtypes, values and shared storage; for
the whole model the plain torch.load of each release, the class needed at load time, the
weights_only=True refusal and its allowlist, and the state a pickled model keeps.
"""
import collections
import io
import os
import pathlib
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


class BatchNormNet(torch.nn.Module):
    """Nested modules with buffers: a Sequential holding a BatchNorm, and a ModuleList of heads."""

    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.ReLU())
        self.heads = torch.nn.ModuleList([torch.nn.Linear(3, 2), torch.nn.Linear(3, 1)])

    def forward(self, x):
        h = self.features(x)
        return torch.cat([head(h) for head in self.heads], 1)


# Module.state_dict: each module's parameters, then its buffers, then its children, in the
# order they were registered; the names are the attribute path.
BATCHNORM_NET_KEYS = [
    "features.0.weight", "features.0.bias",
    "features.1.weight", "features.1.bias", "features.1.running_mean", "features.1.running_var",
    "features.1.num_batches_tracked",
    "heads.0.weight", "heads.0.bias", "heads.1.weight", "heads.1.bias",
]
BATCHNORM_BUFFERS = ["features.1.running_mean", "features.1.running_var", "features.1.num_batches_tracked"]


def _same_parameters(claim, a, b, what):
    sa, sb = a.state_dict(), b.state_dict()
    for name, tensor in sa.items():
        claim.contains(list(sb), name, "%s: %s is there" % (what, name))
        claim.equal(sb[name].cpu().tolist(), tensor.cpu().tolist(), "%s: %s identical" % (what, name))


def _trained_batchnorm_net(device, seed):
    torch.manual_seed(seed)
    model = BatchNormNet().to(device)
    model.train()
    for _ in range(2):  # two batches: running statistics move, num_batches_tracked = 2
        model(torch.randn(5, 4, device=device))
    return model


# The expectations of serialize.state-dict, oldest first.
_SD_ERAS = ("returns-none", "reports-keys", "weights-only")


def _sd_era(claim):
    for i, key in enumerate(_SD_ERAS):
        if claim.expects(key):
            return i
    raise AssertionError("no era for %s" % claim.expect.key)


@spec("serialize.state-dict")
def test_state_dict_round_trip_and_flexible_loads(claim, device, tmp_path):
    """§3: saving only the state_dict and loading it into a freshly built model restores every
    parameter; it also loads into another class with the same parameter names, partially with
    strict=False (which reports the missing and unexpected keys), and into a float64 model
    (converted, into the model's own Parameter objects); strict=True refuses missing keys,
    unexpected keys and a shape mismatch."""
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
    smaller = TinyNet().to(device)
    report_unexpected = smaller.load_state_dict(TinyNetWithExtra().to(device).state_dict(), strict=False)
    if _sd_era(claim) >= 1:
        claim.observe("strict_false_missing", sorted(report.missing_keys))
        claim.equal(sorted(report.missing_keys), ["extra.bias", "extra.weight"], "strict=False reports the missing keys")
        claim.equal(sorted(report.unexpected_keys), [], "strict=False: no unexpected keys when the file has fewer")
        claim.equal(sorted(report_unexpected.unexpected_keys), ["extra.bias", "extra.weight"],
                    "strict=False reports the unexpected keys")
        claim.equal(sorted(report_unexpected.missing_keys), [], "strict=False: no missing keys when the file has more")
    else:
        claim.is_none(report, "load_state_dict returns None")
        claim.is_none(report_unexpected, "load_state_dict returns None (unexpected keys)")
    with claim.raises(RuntimeError, match=r"[Mm]issing key", record="strict_true_error"):
        TinyNetWithExtra().to(device).load_state_dict(torch.load(path))
    with claim.raises(RuntimeError, match=r"[Uu]nexpected key", record="strict_true_unexpected_error"):
        TinyNet().to(device).load_state_dict(TinyNetWithExtra().to(device).state_dict())
    wrong_shape = dict(model.state_dict(), **{"head.weight": torch.zeros(3, 3, device=device)})
    with claim.raises(RuntimeError, match=r"size mismatch", record="size_mismatch_error"):
        TinyNet().to(device).load_state_dict(wrong_shape)

    double = TinyNet().to(device).double()
    before = list(double.parameters())
    double.load_state_dict(torch.load(path))
    claim.equal(sorted({str(p.dtype) for p in double.parameters()}), ["torch.float64"],
                "a float32 state_dict loaded into a float64 model: the model keeps its dtype")
    claim.holds(all(a is b for a, b in zip(before, double.parameters())),
                "load_state_dict copies into the model's own Parameter objects (an optimizer built before still holds them)")
    for name, tensor in model.state_dict().items():
        claim.equal(double.state_dict()[name].cpu().tolist(), tensor.double().cpu().tolist(),
                    "float32 -> float64 load: %s converted exactly" % name)


@spec("serialize.state-dict")
def test_state_dict_holds_buffers_and_nested_keys(claim, device):
    """§3: a state_dict holds the buffers too (BatchNorm's running_mean, running_var and
    num_batches_tracked), named by the path through nested modules, parameters before buffers, in
    registration order; its tensors are the model's own (detached, sharing storage: a snapshot
    needs a copy); loading it restores the buffers."""
    model = _trained_batchnorm_net(device, 3)
    state = model.state_dict()
    claim.observe("keys", list(state))
    claim.equal(list(state), BATCHNORM_NET_KEYS, "the state_dict's keys, in order")
    claim.equal(int(state["features.1.num_batches_tracked"]), 2, "num_batches_tracked after two training batches")
    claim.equal(state["features.1.num_batches_tracked"].dtype, torch.int64, "num_batches_tracked's dtype")
    claim.holds(state["features.0.weight"].data_ptr() == model.features[0].weight.data_ptr()
                and state["features.1.running_mean"].data_ptr() == model.features[1].running_mean.data_ptr(),
                "state_dict() tensors share the model's storage (parameters and buffers)")
    claim.equal([k for k, v in state.items() if v.requires_grad], [], "state_dict() tensors that require grad")

    buf = io.BytesIO()
    torch.save(state, buf)
    buf.seek(0)
    fresh = BatchNormNet().to(device)
    fresh.load_state_dict(torch.load(buf))
    restored = fresh.state_dict()
    for name in BATCHNORM_BUFFERS:
        claim.equal(restored[name].cpu().tolist(), state[name].cpu().tolist(), "buffer %s restored" % name)


@spec("serialize.state-dict")
def test_save_and_load_file_forms_and_map_location(claim, device, tmp_path):
    """§3: the file can be a path (str or pathlib.Path), an open file object or an io.BytesIO
    (torch.save leaves a file object after what it wrote); map_location as a string, a
    torch.device, a dict or a callable (called once per storage, with its saved location); and
    weights_only=True loads a state_dict (since the release the registry names; before, the
    argument does not exist)."""
    torch.manual_seed(4)
    state = TinyNet().to(device).state_dict()
    expected = collections.OrderedDict((k, v.cpu().tolist()) for k, v in state.items())

    def same(loaded, what):
        claim.equal(collections.OrderedDict((k, v.cpu().tolist()) for k, v in loaded.items()), expected, what)

    path = str(tmp_path / "sd.pt")
    torch.save(state, path)
    same(torch.load(path), "torch.load(str path)")
    as_path = pathlib.Path(str(tmp_path)) / "sd_pathlib.pt"
    torch.save(state, as_path)
    same(torch.load(as_path), "torch.load(pathlib.Path)")
    file_path = str(tmp_path / "sd_file.pt")
    with open(file_path, "wb") as fh:
        fh.write(b"HEAD")
        torch.save(state, fh)
        written = fh.tell()
    claim.equal(written, os.path.getsize(file_path), "torch.save to a file object leaves it at the end of what it wrote")
    with open(file_path, "rb") as fh:
        claim.equal(fh.read(4), b"HEAD", "the bytes written before torch.save")
        tail = fh.read()
    same(torch.load(io.BytesIO(tail)), "torch.save into an open file, loaded from io.BytesIO")
    buf = io.BytesIO()
    torch.save(state, buf)
    claim.equal(buf.tell(), len(buf.getvalue()), "torch.save to io.BytesIO leaves it at the end")
    with open(file_path, "wb") as fh:
        torch.save(state, fh)
    with open(file_path, "rb") as fh:
        same(torch.load(fh), "torch.load(open file object)")

    forms = [("'cpu'", "cpu"), ("torch.device('cpu')", torch.device("cpu")),
             ("a dict", {"cpu": "cpu", "cuda:0": "cpu"})]
    for what, form in forms:
        buf.seek(0)
        loaded = torch.load(buf, map_location=form)
        same(loaded, "map_location=%s" % what)
        claim.equal(sorted({v.device.type for v in loaded.values()}), ["cpu"], "map_location=%s: on the CPU" % what)
    seen = []

    def remap(storage, location):
        seen.append(location)
        return storage

    buf.seek(0)
    same(torch.load(buf, map_location=remap), "map_location=a callable")
    location = "cpu" if device == "cpu" else "cuda:0"
    claim.observe("map_location_calls", seen)
    claim.equal(seen, [location] * len(state), "the callable map_location is called once per storage, with its location")

    buf.seek(0)
    if _sd_era(claim) < 2:
        with claim.raises(TypeError, record="weights_only_error"):
            torch.load(buf, weights_only=True)
        return
    try:
        loaded = torch.load(buf, weights_only=True)
    except pickle.UnpicklingError as exc:
        claim.fail("torch.load(weights_only=True) loads a plain state_dict", error=str(exc)[:300])
    same(loaded, "torch.load(weights_only=True)")


@spec("serialize.state-dict")
def test_saved_tensors_keep_dtypes_values_and_sharing(claim, device):
    """§3: what a state dict holds comes back exactly: float16, float64 and uint8 values, int64
    counters beyond 2**53, a transposed (non-contiguous) tensor with its strides, and tied
    weights and views that share storage still share it after torch.load."""
    base = torch.arange(12, dtype=torch.float32, device=device).reshape(3, 4)
    state = collections.OrderedDict([
        ("encoder.weight", base), ("decoder.weight", base), ("rows", base[1:]), ("transposed", base.t()),
        ("half", torch.tensor([0.1, 65504.0, -0.0], dtype=torch.float16, device=device)),
        ("double", torch.tensor([1.0 / 3, 1e-300, 2.0 ** 60 + 2 ** 8], dtype=torch.float64, device=device)),
        ("count", torch.tensor([2 ** 62 + 1, -(2 ** 53) - 1, 2 ** 53 + 1], dtype=torch.int64, device=device)),
        ("bytes", torch.tensor([0, 255, 7], dtype=torch.uint8, device=device)),
    ])
    buf = io.BytesIO()
    torch.save(state, buf)
    buf.seek(0)
    loaded = torch.load(buf)
    claim.equal(list(loaded), list(state), "the keys, in order")
    for name, tensor in state.items():
        claim.equal(loaded[name].dtype, tensor.dtype, "%s: dtype" % name)
        claim.equal(loaded[name].cpu().tolist(), tensor.cpu().tolist(), "%s: values" % name)
    claim.equal(str(loaded["half"][2].item()), "-0.0", "float16 -0.0 keeps its sign")
    claim.equal(loaded["transposed"].stride(), (1, 4), "the transposed tensor keeps its strides")

    loaded["encoder.weight"][0, 0] = 100.0
    loaded["encoder.weight"][1, 2] = -7.0
    claim.observe("shared_after_load", {"decoder": loaded["decoder.weight"][0, 0].item(),
                                        "rows": loaded["rows"][0, 2].item(),
                                        "transposed": loaded["transposed"][2, 1].item()})
    claim.equal(loaded["decoder.weight"][0, 0].item(), 100.0, "tied weights still share storage after torch.load")
    claim.equal([loaded["rows"][0, 2].item(), loaded["transposed"][2, 1].item()], [-7.0, -7.0],
                "a slice and a transpose of a saved tensor still view it after torch.load")


# ------------------------------------------------------------------------ the whole model
# The expectations of serialize.whole-model, oldest first.
_WM_ERAS = ("loads-no-flag", "loads", "warns", "refuses")


def _wm_era(claim):
    for i, key in enumerate(_WM_ERAS):
        if claim.expects(key):
            return i
    raise AssertionError("no era for %s" % claim.expect.key)


def _trusted(claim):
    """torch.load's arguments for a trusted pickle: weights_only=False where the argument exists."""
    return {} if claim.expects("loads-no-flag") else {"weights_only": False}


@spec("serialize.whole-model")
def test_whole_model_pickle_round_trip(claim, device, tmp_path):
    """§3: torch.save(model, PATH) then torch.load(PATH). Plain torch.load loads silently
    (expectations ``loads-no-flag``, ``loads``), warns about weights_only (``warns``) or refuses,
    weights_only=True having become the default (``refuses``); the registry says on which
    releases. torch.load(PATH, weights_only=False) still returns the model."""
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
    if not claim.expects("loads-no-flag"):
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
    with claim.raises((ModuleNotFoundError, AttributeError, ImportError), record="missing_class_error"):
        torch.load(path, **_trusted(claim))


@spec("serialize.whole-model")
def test_weights_only_load_of_a_pickled_model(claim, device):
    """§3: torch.load(f, weights_only=True) refuses a pickled model with UnpicklingError ('Weights
    only load failed'; since the release the registry names, before the argument does not
    exist); torch.serialization.add_safe_globals (from 2.4) and the safe_globals context manager
    let the allowlisted classes through (asserted where weights_only=True is the default)."""
    torch.manual_seed(5)
    model = TinyNet().to(device)
    buf = io.BytesIO()
    torch.save(model, buf)
    buf.seek(0)
    era = _wm_era(claim)
    if era == 0:
        with claim.raises(TypeError, record="weights_only_error"):
            torch.load(buf, weights_only=True)
        return
    with claim.raises(pickle.UnpicklingError, match=r"[Ww]eights only load failed", record="weights_only_true_error"):
        torch.load(buf, weights_only=True)
    serialization = torch.serialization
    claim.equal(hasattr(serialization, "add_safe_globals"), era >= 2, "torch.serialization.add_safe_globals exists")
    if era < 2:
        return
    allowed = [TinyNet, torch.nn.Linear]
    before = serialization.get_safe_globals()
    outcome = {}
    try:
        serialization.add_safe_globals(allowed)
        buf.seek(0)
        try:
            loaded = torch.load(buf, weights_only=True)
            outcome["add_safe_globals"] = type(loaded).__name__
        except pickle.UnpicklingError as exc:
            loaded, outcome["add_safe_globals"] = None, {"type": "UnpicklingError", "message": str(exc)[:300]}
    finally:
        serialization.clear_safe_globals()
        serialization.add_safe_globals(before)
    claim.observe("weights_only_with_safe_globals", outcome)
    if not claim.expects("refuses"):
        return  # 2.4 and 2.5: recorded, not asserted
    claim.identical(type(loaded), TinyNet, "weights_only=True after add_safe_globals([TinyNet, nn.Linear]) (the class)")
    _same_parameters(claim, model, loaded, "weights_only=True load with add_safe_globals")
    claim.equal(sorted(map(repr, serialization.get_safe_globals())), sorted(map(repr, before)),
                "the allowlist restored afterwards")
    buf.seek(0)
    with serialization.safe_globals(allowed):
        loaded = torch.load(buf, weights_only=True)
    claim.identical(type(loaded), TinyNet, "weights_only=True inside torch.serialization.safe_globals([...]) (the class)")


@spec("serialize.whole-model")
def test_whole_model_keeps_its_state(claim, device):
    """§3: the pickled model comes back whole, here through an io.BytesIO: its class, the
    training flag of every submodule (saved in eval mode), BatchNorm's buffers, the parameters,
    a plain attribute set on it, and the same outputs; the copy is independent of the original."""
    model = _trained_batchnorm_net(device, 6)
    model.eval()
    model.note = "kept"
    buf = io.BytesIO()
    torch.save(model, buf)
    buf.seek(0)
    loaded = torch.load(buf, **_trusted(claim))
    claim.identical(type(loaded), BatchNormNet, "the loaded model's class")
    claim.equal([m.training for m in loaded.modules()], [False] * len(list(model.modules())),
                "every submodule comes back in eval mode (its training flag)")
    claim.equal(getattr(loaded, "note", None), "kept", "a plain attribute set on the model")
    _same_parameters(claim, model, loaded, "whole-model reload (parameters and buffers)")
    x = torch.randn(3, 4, device=device)
    claim.close(loaded(x), model(x), "outputs of the loaded model (eval mode: running statistics)")
    with torch.no_grad():
        loaded.features[0].weight.add_(1.0)
    claim.holds(not torch.equal(loaded.features[0].weight, model.features[0].weight),
                "the loaded model is a copy (changing it leaves the original)")
