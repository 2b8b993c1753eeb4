"""Specs of the training pack: behaviours ordinary training code relies on (checkpoints, wrapped
models' keys, precision defaults, AMP spellings, the loop's helpers, seeded data order).

Each spec branches on the expectation its claim declares for the torch under test
(``claim.expects(key)``), records what it saw (``claim.observe``, ``claim.raises(record=)``,
``claim.warnings(record=)``) and asserts with the claim's vocabulary. Nothing here needs a GPU:
the CUDA spellings and flags are exercised on CPU (where they disable themselves or are plain
settings). Python 3.7 compatible: the oldest releases run on it.
"""
import argparse
import io
import os
import pickle
import re
import sys
import zipfile
from contextlib import contextmanager

import pytest
import torch
import torch.utils.data  # torch 1.0 does not import it with torch

from conformance.testing import spec

REFUSED = r"[Ww]eights only load failed"


def _texts(caught, *words):
    """'Category: message' of the caught warnings whose message contains every word."""
    return ["%s: %s" % (w.category.__name__, w.message) for w in caught
            if all(word in str(w.message) for word in words)]


def _record_warnings(claim, key, caught):
    """Record the caught warnings without the C++ source position torch appends to some
    ('(Triggered internally at .../TensorShape.cpp:3190.)'), which moves with every release."""
    claim.observe(key, [{"category": w.category.__name__,
                         "message": re.sub(r"\s*\(Triggered internally at [^)]*\)", "", str(w.message))}
                        for w in caught])


def _categories(caught, *words):
    return [w.category for w in caught if all(word in str(w.message) for word in words)]


def _weights_only_warnings(claim, caught, what):
    """On 2.4-2.5 (expectation ``warns``) a torch.load without weights_only= warns (FutureWarning)
    that its default will become True; on every other release it says nothing about it."""
    about = _texts(caught, "weights_only")
    if claim.expects("warns"):
        claim.holds(about and all(issubclass(c, FutureWarning) for c in _categories(caught, "weights_only")),
                    "%s warns about weights_only, with FutureWarnings" % what, warnings=about)
    else:
        claim.equal(about, [], "%s: warnings about weights_only" % what)


# ------------------------------------------------------------------ load.pickled-object
class RunConfig(object):
    """A training script's own settings object, pickled into its checkpoints (module level, so
    it can be imported at load time)."""

    def __init__(self, lr, epochs):
        self.lr = lr
        self.epochs = epochs

    def __eq__(self, other):
        return type(other) is RunConfig and vars(other) == vars(self)

    def __ne__(self, other):  # Python 2 style pickles aside, 3.7 derives it; kept explicit
        return not self == other

    def __repr__(self):
        return "RunConfig(lr=%r, epochs=%r)" % (self.lr, self.epochs)


def _object_checkpoint():
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    return {"model": model.state_dict(), "config": RunConfig(0.05, 7),
            "args": argparse.Namespace(batch_size=32, seed=1)}


def _same_objects(claim, loaded, saved, what):
    claim.equal(sorted(loaded), sorted(saved), "%s: the checkpoint's keys" % what)
    claim.equal(loaded["config"], saved["config"], "%s: the RunConfig object" % what)
    claim.is_instance(loaded["args"], argparse.Namespace, "%s: the argparse.Namespace" % what)
    claim.equal(vars(loaded["args"]), vars(saved["args"]), "%s: the Namespace's fields" % what)
    for name, tensor in saved["model"].items():
        claim.equal(loaded["model"][name].tolist(), tensor.tolist(), "%s: model.%s" % (what, name))


@spec("training:load.pickled-object")
def test_plain_load_of_a_checkpoint_with_objects(claim, tmp_path):
    """torch.load(path) of {'model': state_dict, 'config': RunConfig(...), 'args': Namespace}:
    the objects come back (with a FutureWarning on 2.4-2.5), or, weights_only=True being the
    default, the load is refused naming the class."""
    saved = _object_checkpoint()
    path = str(tmp_path / "ckpt.pt")
    torch.save(saved, path)
    if claim.expects("refuses"):
        with claim.warnings(record="plain_load_warnings"):
            with claim.raises(pickle.UnpicklingError, match=REFUSED, record="plain_load_error") as info:
                torch.load(path)
        claim.matches(str(info.value), r"RunConfig", "the refusal names the object's class")
        return
    with claim.warnings(record="plain_load_warnings") as caught:
        loaded = torch.load(path)
    _same_objects(claim, loaded, saved, "plain torch.load")
    _weights_only_warnings(claim, caught, "plain torch.load")


@spec("training:load.pickled-object")
def test_plain_load_of_a_checkpoint_with_numpy_values(claim, tmp_path):
    """A checkpoint with numpy values beside the weights (a best score as numpy.float64, the
    validation indices as an ndarray): plain torch.load returns them, or refuses them."""
    np = pytest.importorskip("numpy")

    saved = {"epoch": 3, "best_score": np.float64(0.875), "val_indices": np.arange(4)}
    path = str(tmp_path / "numpy.pt")
    torch.save(saved, path)
    if claim.expects("refuses"):
        with claim.warnings(record="numpy_load_warnings"):
            with claim.raises(pickle.UnpicklingError, match=REFUSED, record="numpy_load_error") as info:
                torch.load(path)
        claim.matches(str(info.value), r"numpy", "the refusal names the numpy global")
        return
    with claim.warnings(record="numpy_load_warnings") as caught:
        loaded = torch.load(path)
    claim.equal(loaded["epoch"], 3, "the epoch")
    claim.is_instance(loaded["best_score"], np.float64, "the best score")
    claim.equal(float(loaded["best_score"]), 0.875, "the best score's value")
    claim.is_instance(loaded["val_indices"], np.ndarray, "the validation indices")
    claim.equal(loaded["val_indices"].tolist(), [0, 1, 2, 3], "the validation indices' values")
    _weights_only_warnings(claim, caught, "plain torch.load")


@spec("training:load.pickled-object")
def test_weights_only_given_explicitly(claim, tmp_path):
    """torch.load(path, weights_only=False) returns the objects, silently; weights_only=True
    refuses them (UnpicklingError); before 1.13 torch.load has no weights_only (TypeError)."""
    saved = _object_checkpoint()
    path = str(tmp_path / "ckpt.pt")
    torch.save(saved, path)
    if claim.expects("no-weights-only"):
        with claim.raises(TypeError, match=r"weights_only", record="weights_only_false_error"):
            torch.load(path, weights_only=False)
        return
    with claim.warnings(record="weights_only_false_warnings") as caught:
        loaded = torch.load(path, weights_only=False)
    _same_objects(claim, loaded, saved, "torch.load(weights_only=False)")
    claim.equal(_texts(caught, "weights_only"), [], "torch.load(weights_only=False): warnings about weights_only")
    with claim.raises(pickle.UnpicklingError, match=REFUSED, record="weights_only_true_error"):
        torch.load(path, weights_only=True)


@contextmanager
def _safe_globals_restored():
    """Put torch.serialization's allow-list back as it was (it is process-wide)."""
    ser = torch.serialization
    before = list(ser.get_safe_globals())
    try:
        yield ser
    finally:
        ser.clear_safe_globals()
        if before:
            ser.add_safe_globals(before)


@spec("training:load.pickled-object")
def test_allow_listed_classes_load_under_weights_only(claim, tmp_path):
    """torch.serialization.add_safe_globals([RunConfig, argparse.Namespace]) (2.4+) lets a
    weights_only load, and from 2.6 the plain torch.load, rebuild those objects; without the
    allow-list they are refused again. Before 2.4 there is no add_safe_globals."""
    ser = torch.serialization
    if claim.expects("loads") or claim.expects("no-weights-only"):
        claim.holds(not hasattr(ser, "add_safe_globals"), "torch.serialization has no add_safe_globals",
                    add_safe_globals=getattr(ser, "add_safe_globals", None))
        return
    saved = _object_checkpoint()
    path = str(tmp_path / "ckpt.pt")
    torch.save(saved, path)
    with _safe_globals_restored():
        ser.add_safe_globals([RunConfig, argparse.Namespace])
        with claim.warnings(record="allow_listed_load_warnings"):
            try:
                loaded = torch.load(path, weights_only=True)
            except pickle.UnpicklingError as err:
                claim.fail("torch.load(weights_only=True) rebuilds the allow-listed classes",
                           error=str(err).splitlines()[0])
        _same_objects(claim, loaded, saved, "torch.load(weights_only=True) with the classes allow-listed")
        if claim.expects("refuses"):
            _same_objects(claim, torch.load(path), saved, "plain torch.load with the classes allow-listed")
    with claim.raises(pickle.UnpicklingError, match=REFUSED, record="after_clearing_error"):
        torch.load(path, weights_only=True)


@spec("training:load.pickled-object")
def test_env_var_restores_the_old_default(claim, tmp_path):
    """TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 makes a plain torch.load unpickle everything again
    (2.6+, with a UserWarning naming the variable); on older releases plain loads do anyway."""
    saved = _object_checkpoint()
    path = str(tmp_path / "ckpt.pt")
    torch.save(saved, path)
    name = "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"
    old = os.environ.get(name)
    os.environ[name] = "1"
    try:
        with claim.warnings(record="env_load_warnings") as caught:
            try:
                loaded = torch.load(path)
            except pickle.UnpicklingError as err:
                claim.fail("plain torch.load with %s=1 unpickles the objects" % name, error=str(err).splitlines()[0])
    finally:
        if old is None:
            del os.environ[name]
        else:
            os.environ[name] = old
    _same_objects(claim, loaded, saved, "plain torch.load with %s=1" % name)
    if claim.expects("refuses"):
        claim.holds(_texts(caught, name), "the load warns that %s forces weights_only=False" % name,
                    warnings=_texts(caught))


# ------------------------------------------------------------------ load.tensor-checkpoint
def _training_run():
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    x = torch.randn(4, 3)
    _one_step(model, opt, x)
    return model, opt, x


def _one_step(model, opt, x):
    opt.zero_grad()
    model(x).pow(2).sum().backward()
    opt.step()


def _tensor_checkpoint(model, opt):
    return {"epoch": 3, "model": model.state_dict(), "optimizer": opt.state_dict(), "loss": 0.25,
            "tag": "run-1", "history": [0.5, 0.25], "best": None}


def _resumes(claim, loaded, model, opt, x, what):
    """The loaded checkpoint restores the run: a fresh model and optimizer fed it take the same
    next step as the run that never stopped."""
    for key, value in (("epoch", 3), ("loss", 0.25), ("tag", "run-1"), ("history", [0.5, 0.25]), ("best", None)):
        claim.equal(loaded[key], value, "%s: %s" % (what, key))
    fresh = torch.nn.Linear(3, 2)
    fresh.load_state_dict(loaded["model"])
    fresh_opt = torch.optim.Adam(fresh.parameters(), lr=0.01)
    fresh_opt.load_state_dict(loaded["optimizer"])
    _one_step(model, opt, x)
    _one_step(fresh, fresh_opt, x)
    claim.equal(fresh.weight.tolist(), model.weight.tolist(), "%s: weights after one more step, resumed vs uninterrupted" % what)
    claim.equal(fresh.bias.tolist(), model.bias.tolist(), "%s: bias after one more step, resumed vs uninterrupted" % what)


@spec("training:load.tensor-checkpoint")
def test_plain_load_of_a_training_checkpoint(claim, tmp_path):
    """torch.save({'epoch', 'model', 'optimizer' (Adam after a step), 'loss', 'tag', 'history',
    'best'}) then plain torch.load(path): everything comes back and the run resumes exactly."""
    model, opt, x = _training_run()
    path = str(tmp_path / "ckpt.pt")
    torch.save(_tensor_checkpoint(model, opt), path)
    with claim.warnings(record="plain_load_warnings") as caught:
        loaded = torch.load(path)
    _resumes(claim, loaded, model, opt, x, "plain torch.load")
    _weights_only_warnings(claim, caught, "plain torch.load")


@spec("training:load.tensor-checkpoint")
def test_weights_only_load_of_a_training_checkpoint(claim, tmp_path):
    """torch.load(path, weights_only=True) admits the same checkpoint (tensors, dicts, lists,
    numbers, strings, None), silently; on 1.13 it refuses any Python float (the loss, the
    optimizer's lr: 'Unsupported operand 71') and admits a model's state_dict; before 1.13
    torch.load has no weights_only (TypeError)."""
    model, opt, x = _training_run()
    path = str(tmp_path / "ckpt.pt")
    torch.save(_tensor_checkpoint(model, opt), path)
    if claim.expects("no-weights-only"):
        with claim.raises(TypeError, match=r"weights_only", record="weights_only_error"):
            torch.load(path, weights_only=True)
        return
    if claim.expects("weights-only-no-floats"):
        with claim.raises(pickle.UnpicklingError, match=r"Unsupported operand 71", record="weights_only_error"):
            torch.load(path, weights_only=True)
        floats_free = str(tmp_path / "model.pt")
        torch.save(model.state_dict(), floats_free)
        loaded = torch.load(floats_free, weights_only=True)
        claim.equal(loaded["weight"].tolist(), model.weight.tolist(), "torch.load(weights_only=True) of the model's state_dict")
        return
    with claim.warnings(record="weights_only_load_warnings") as caught:
        try:
            loaded = torch.load(path, weights_only=True)
        except pickle.UnpicklingError as err:
            claim.fail("torch.load(weights_only=True) admits the checkpoint", error=str(err).splitlines()[0])
    _resumes(claim, loaded, model, opt, x, "torch.load(weights_only=True)")
    claim.equal(_texts(caught, "weights_only"), [], "torch.load(weights_only=True): warnings about weights_only")


@spec("training:load.tensor-checkpoint")
def test_load_from_a_buffer_with_map_location(claim):
    """The same checkpoint through an io.BytesIO, loaded with map_location='cpu' and with a
    map_location function: the same values, and the same warnings as a plain load."""
    model, opt, x = _training_run()
    buf = io.BytesIO()
    torch.save(_tensor_checkpoint(model, opt), buf)
    buf.seek(0)
    with claim.warnings(record="buffer_load_warnings") as caught:
        loaded = torch.load(buf, map_location="cpu")
    _weights_only_warnings(claim, caught, "torch.load(buffer, map_location='cpu')")
    buf.seek(0)
    locations = []

    def keep_on_cpu(storage, location):
        locations.append(location)
        return storage

    again = torch.load(buf, map_location=keep_on_cpu)
    claim.equal(sorted(set(claim.observe("map_location_called_with", locations))), ["cpu"],
                "the locations a map_location function is called with")
    claim.equal(again["model"]["weight"].tolist(), loaded["model"]["weight"].tolist(),
                "map_location as a function gives the same weights")
    _resumes(claim, loaded, model, opt, x, "torch.load(buffer, map_location='cpu')")


# ------------------------------------------------------------------ save.zip-archive
def _small_checkpoint():
    return {"w": torch.arange(6.0).view(2, 3), "step": 7}


def _loads_back(claim, loaded, what):
    claim.equal(loaded["w"].tolist(), [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]], "%s: the tensor" % what)
    claim.equal(loaded["step"], 7, "%s: the step" % what)


def _archive_layout(claim, archive, top, what):
    """A torch zip archive: one top folder holding data.pkl (a pickle), version ('3') and the
    storages under data/."""
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        claim.observe("%s_records" % what, [n for n in names if "/data/" not in n] + ["<%d storages under data/>" % sum(1 for n in names if "/data/" in n)])
        claim.equal(sorted({n.split("/")[0] for n in names}), [top], "%s: the archive's top folder" % what)
        for record in ("data.pkl", "version"):
            claim.contains(names, top + "/" + record, "%s: the archive's records" % what)
        claim.holds(any(n.startswith(top + "/data/") for n in names), "%s: storages under %s/data/" % (what, top), names=names)
        claim.equal(zf.read(top + "/data.pkl")[:1], b"\x80", "%s: data.pkl starts with pickle's PROTO opcode" % what)
        claim.equal(zf.read(top + "/version").strip(), b"3", "%s: the version record" % what)


@spec("training:save.zip-archive")
def test_torch_save_writes_a_zip_archive(claim, tmp_path):
    """torch.save(obj, 'ckpt.pt') writes a zip archive (zipfile.is_zipfile) whose top folder is
    'ckpt' (the file name less its extension; 'archive' on 1.6-1.9), or, before 1.6, the legacy
    pickle stream; torch.load reads it back."""
    path = str(tmp_path / "ckpt.pt")
    torch.save(_small_checkpoint(), path)
    is_zip = claim.observe("is_zipfile", zipfile.is_zipfile(path))
    if claim.expects("legacy"):
        claim.equal(is_zip, False, "zipfile.is_zipfile on torch.save's file")
        with open(path, "rb") as fh:
            claim.equal(fh.read(1), b"\x80", "the legacy file starts with pickle's PROTO opcode")
    else:
        claim.equal(is_zip, True, "zipfile.is_zipfile on torch.save's file")
        _archive_layout(claim, path, "ckpt" if claim.expects("zip-stem") else "archive", "file")
    _loads_back(claim, torch.load(path), "torch.load of the file")


@spec("training:save.zip-archive")
def test_torch_save_to_a_buffer_writes_a_zip_archive(claim):
    """torch.save into an io.BytesIO: the same archive, its top folder 'archive' on every release
    that writes zips (a buffer has no file name); legacy before 1.6."""
    buf = io.BytesIO()
    torch.save(_small_checkpoint(), buf)
    is_zip = claim.observe("buffer_is_zipfile", zipfile.is_zipfile(buf))
    if claim.expects("legacy"):
        claim.equal(is_zip, False, "zipfile.is_zipfile on a buffer torch.save wrote")
    else:
        claim.equal(is_zip, True, "zipfile.is_zipfile on a buffer torch.save wrote")
        _archive_layout(claim, buf, "archive", "buffer")
    buf.seek(0)
    _loads_back(claim, torch.load(buf), "torch.load of the buffer")


@spec("training:save.zip-archive")
def test_legacy_format_on_request(claim, tmp_path):
    """torch.save(..., _use_new_zipfile_serialization=False) still writes the legacy format (no
    zip) and torch.load reads it (1.6+; before 1.6 the legacy format is the default and a file
    written with the default is read back)."""
    path = str(tmp_path / "legacy.pt")
    if claim.expects("legacy"):
        torch.save(_small_checkpoint(), path)
    else:
        torch.save(_small_checkpoint(), path, _use_new_zipfile_serialization=False)
    claim.equal(claim.observe("legacy_is_zipfile", zipfile.is_zipfile(path)), False, "zipfile.is_zipfile on a legacy file")
    _loads_back(claim, torch.load(path), "torch.load of a legacy file")


# ------------------------------------------------------------------ state-dict.wrapper-prefixes
class TwoLayer(torch.nn.Module):
    def __init__(self):
        super(TwoLayer, self).__init__()
        self.body = torch.nn.Linear(3, 4)
        self.head = torch.nn.Linear(4, 2)

    def forward(self, x):
        return self.head(torch.relu(self.body(x)))


PLAIN_KEYS = ["body.weight", "body.bias", "head.weight", "head.bias"]


def _same_weights(claim, a, b, what):
    sa, sb = a.state_dict(), b.state_dict()
    for name in sa:
        claim.equal(sb[name].cpu().tolist(), sa[name].cpu().tolist(), "%s: %s" % (what, name))


@spec("training:state-dict.wrapper-prefixes")
def test_dataparallel_state_dict_keys(claim):
    """nn.DataParallel(model).state_dict() has the model's keys prefixed 'module.'; .module is
    the model, with the plain keys; a plain model refuses the prefixed keys (strict load)."""
    torch.manual_seed(0)
    model = TwoLayer()
    wrapped = torch.nn.DataParallel(model)
    keys = claim.observe("dataparallel_keys", list(wrapped.state_dict()))
    claim.equal(keys, ["module." + k for k in PLAIN_KEYS], "nn.DataParallel(model).state_dict() keys")
    claim.identical(wrapped.module, model, "DataParallel(model).module")
    claim.equal(list(wrapped.module.state_dict()), PLAIN_KEYS, "DataParallel(model).module.state_dict() keys")
    with claim.raises(RuntimeError, match=r"[Mm]issing key|[Uu]nexpected key", record="plain_model_loads_prefixed_keys"):
        TwoLayer().load_state_dict(wrapped.state_dict())
    other = torch.nn.DataParallel(TwoLayer())
    other.load_state_dict(wrapped.state_dict())
    _same_weights(claim, wrapped, other, "a DataParallel model loads the prefixed keys")
    if not torch.cuda.is_available():  # without GPUs DataParallel runs the module itself
        x = torch.randn(2, 3)
        claim.close(wrapped(x), model(x), "DataParallel(model)(x) on a machine without GPUs")


@spec("training:state-dict.wrapper-prefixes")
def test_stripping_the_module_prefix(claim):
    """torch.nn.modules.utils.consume_prefix_in_state_dict_if_present(sd, 'module.') (1.9+)
    strips the prefix in place, so a plain model loads the keys strictly; older releases have no
    such helper and code strips the keys itself."""
    import torch.nn.modules.utils as utils

    torch.manual_seed(0)
    wrapped = torch.nn.DataParallel(TwoLayer())
    sd = wrapped.state_dict()
    if claim.expects("dataparallel"):
        claim.holds(not hasattr(utils, "consume_prefix_in_state_dict_if_present"),
                    "torch.nn.modules.utils has no consume_prefix_in_state_dict_if_present",
                    helper=getattr(utils, "consume_prefix_in_state_dict_if_present", None))
        stripped = dict((k[len("module."):], v) for k, v in sd.items())
    else:
        result = utils.consume_prefix_in_state_dict_if_present(sd, "module.")
        claim.is_none(result, "consume_prefix_in_state_dict_if_present returns None (it strips in place)")
        claim.observe("stripped_key_order", list(sd))
        claim.equal(sorted(sd), sorted(PLAIN_KEYS), "the keys after consume_prefix_in_state_dict_if_present")
        stripped = sd
    plain = TwoLayer()
    plain.load_state_dict(stripped)
    _same_weights(claim, wrapped.module, plain, "a plain model loads the stripped keys")


@spec("training:state-dict.wrapper-prefixes")
def test_compiled_model_state_dict_keys(claim):
    """torch.compile(model) (2.0+, no compiling needed) is an OptimizedModule whose state_dict
    keys are prefixed '_orig_mod.'; ._orig_mod is the model; a plain state_dict does not load
    into the compiled wrapper (strict), nor the wrapper's into a plain model. On 2.0 with Python
    3.11+ torch.compile raises RuntimeError."""
    if claim.expects("dataparallel") or claim.expects("consume-prefix"):
        claim.holds(not hasattr(torch, "compile"), "there is no torch.compile", compile=getattr(torch, "compile", None))
        return
    torch.manual_seed(0)
    model = TwoLayer()
    claim.observe("python", "%d.%d" % sys.version_info[:2])
    if claim.expects("compile-py310") and sys.version_info >= (3, 11):
        with claim.raises(RuntimeError, match=r"Python 3\.11\+ not yet supported", record="compile_error"):
            torch.compile(model)
        return
    compiled = torch.compile(model)
    claim.observe("compiled_type", type(compiled).__name__)
    claim.identical(compiled._orig_mod, model, "torch.compile(model)._orig_mod")
    keys = claim.observe("compiled_keys", list(compiled.state_dict()))
    claim.equal(keys, ["_orig_mod." + k for k in PLAIN_KEYS], "torch.compile(model).state_dict() keys")
    claim.equal(list(compiled._orig_mod.state_dict()), PLAIN_KEYS, "torch.compile(model)._orig_mod.state_dict() keys")
    with claim.raises(RuntimeError, match=r"[Mm]issing key|[Uu]nexpected key", record="compiled_loads_plain_keys"):
        compiled.load_state_dict(TwoLayer().state_dict())
    with claim.raises(RuntimeError, match=r"[Mm]issing key|[Uu]nexpected key", record="plain_loads_compiled_keys"):
        TwoLayer().load_state_dict(compiled.state_dict())
    other = TwoLayer()
    compiled._orig_mod.load_state_dict(other.state_dict())
    _same_weights(claim, other, model, "loading plain keys through ._orig_mod")


# ------------------------------------------------------------------ tf32.matmul-default
@spec("training:tf32.matmul-default")
def test_tf32_defaults(claim):
    """torch.backends.cuda.matmul.allow_tf32 (False from 1.12, True on 1.7-1.11, absent before),
    torch.backends.cudnn.allow_tf32 (True from 1.7) and torch.get_float32_matmul_precision()
    ('highest', 1.12+), read in a fresh process on any machine."""
    claim.observe("TORCH_ALLOW_TF32_CUBLAS_OVERRIDE", os.environ.get("TORCH_ALLOW_TF32_CUBLAS_OVERRIDE"))
    if claim.expects("no-tf32"):
        claim.holds(not hasattr(torch.backends.cuda, "matmul"), "there is no torch.backends.cuda.matmul")
        claim.holds(not hasattr(torch.backends.cudnn, "allow_tf32"), "there is no torch.backends.cudnn.allow_tf32")
        return
    matmul = claim.observe("matmul_allow_tf32", torch.backends.cuda.matmul.allow_tf32)
    cudnn = claim.observe("cudnn_allow_tf32", torch.backends.cudnn.allow_tf32)
    claim.equal(cudnn, True, "torch.backends.cudnn.allow_tf32 by default")
    if claim.expects("on"):
        claim.equal(matmul, True, "torch.backends.cuda.matmul.allow_tf32 by default")
        claim.holds(not hasattr(torch, "get_float32_matmul_precision"), "there is no torch.get_float32_matmul_precision")
    else:
        claim.equal(matmul, False, "torch.backends.cuda.matmul.allow_tf32 by default")
        claim.equal(claim.observe("float32_matmul_precision", torch.get_float32_matmul_precision()), "highest",
                    "torch.get_float32_matmul_precision() by default")


@spec("training:tf32.matmul-default")
def test_matmul_precision_setting_drives_the_flag(claim):
    """torch.set_float32_matmul_precision('high') turns allow_tf32 on and 'highest' off again;
    setting allow_tf32 = True reads back as precision 'high' (1.12+). On 1.7-1.11 the flag is a
    plain setting and there is no set_float32_matmul_precision. Both are put back as they were."""
    if claim.expects("no-tf32"):
        claim.holds(not hasattr(torch, "set_float32_matmul_precision"), "there is no torch.set_float32_matmul_precision")
        return
    matmul = torch.backends.cuda.matmul
    flag = matmul.allow_tf32
    if claim.expects("on"):
        claim.holds(not hasattr(torch, "set_float32_matmul_precision"), "there is no torch.set_float32_matmul_precision")
        try:
            matmul.allow_tf32 = not flag
            flipped = matmul.allow_tf32
        finally:
            matmul.allow_tf32 = flag
        claim.equal(flipped, not flag, "allow_tf32 after setting it to %s" % (not flag))
        return
    before = torch.get_float32_matmul_precision()
    try:
        torch.set_float32_matmul_precision("high")
        high = matmul.allow_tf32
        torch.set_float32_matmul_precision("highest")
        highest = matmul.allow_tf32
        matmul.allow_tf32 = True
        precision = torch.get_float32_matmul_precision()
    finally:
        torch.set_float32_matmul_precision(before)
        if matmul.allow_tf32 != flag:  # only then: on 2.9+ mixing the two spellings has a cost
            matmul.allow_tf32 = flag
    claim.observe("after_high_highest_and_flag", [high, highest, precision])
    claim.equal(high, True, "allow_tf32 after set_float32_matmul_precision('high')")
    claim.equal(highest, False, "allow_tf32 after set_float32_matmul_precision('highest')")
    claim.equal(precision, "high", "get_float32_matmul_precision() after allow_tf32 = True")


# ------------------------------------------------------------------ amp.cuda-spellings
def _deprecations(caught, name):
    return [w for w in caught if issubclass(w.category, (FutureWarning, DeprecationWarning)) and name in str(w.message)]


def _deprecated_or_silent(claim, caught, name, replacement, count, what):
    found = _deprecations(caught, name)
    if claim.expects("deprecated"):
        claim.equal(len(found), count, "%s: FutureWarnings naming %s, one per use" % (what, name))
        for w in found:
            claim.identical(w.category, FutureWarning, "%s: the warning's category" % what)
            claim.matches(str(w.message), replacement, "%s: the warning names the replacement" % what)
    else:
        claim.equal(["%s: %s" % (w.category.__name__, w.message) for w in found], [],
                    "%s: deprecation warnings naming %s" % (what, name))


def _no_cuda_amp(claim, name):
    amp = getattr(torch.cuda, "amp", None)
    claim.holds(not hasattr(amp, name), "there is no torch.cuda.amp.%s" % name, cuda_amp=amp)


@spec("training:amp.cuda-spellings")
def test_cuda_amp_autocast(claim):
    """torch.cuda.amp.autocast(enabled=False) as a context and torch.cuda.amp.autocast() (which
    disables itself without CUDA): silent on 1.6-2.3, a FutureWarning naming
    torch.amp.autocast('cuda', ...) per construction from 2.4; absent before 1.6."""
    if claim.expects("no-amp") or claim.expects("scaler-only"):
        _no_cuda_amp(claim, "autocast")
        return
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    x = torch.randn(4, 3)
    with claim.warnings(record="autocast_warnings") as caught:
        with torch.cuda.amp.autocast(enabled=False):
            y = model(x)
        torch.cuda.amp.autocast()
    claim.equal(y.dtype, torch.float32, "the output dtype under a disabled autocast")
    _deprecated_or_silent(claim, caught, "torch.cuda.amp.autocast", r"torch\.amp\.autocast\('cuda'", 2,
                          "torch.cuda.amp.autocast")


@spec("training:amp.cuda-spellings")
def test_cuda_amp_grad_scaler(claim):
    """torch.cuda.amp.GradScaler(enabled=False) in the usual loop (scale, backward, step,
    update) is a plain optimizer step; constructing it warns (FutureWarning naming
    torch.amp.GradScaler('cuda', ...)) from 2.4; absent before 1.5."""
    if claim.expects("no-amp"):
        _no_cuda_amp(claim, "GradScaler")
        return
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    twin = torch.nn.Linear(3, 2)
    twin.load_state_dict(model.state_dict())
    x = torch.randn(4, 3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    twin_opt = torch.optim.SGD(twin.parameters(), lr=0.1)
    with claim.warnings(record="grad_scaler_warnings") as caught:
        scaler = torch.cuda.amp.GradScaler(enabled=False)
    loss = model(x).pow(2).sum()
    claim.identical(scaler.scale(loss), loss, "a disabled GradScaler's scale(loss)")
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()
    twin(x).pow(2).sum().backward()
    twin_opt.step()
    claim.equal(model.weight.tolist(), twin.weight.tolist(), "weights after a disabled GradScaler's step vs a plain step")
    _deprecated_or_silent(claim, caught, "torch.cuda.amp.GradScaler", r"torch\.amp\.GradScaler\('cuda'", 1,
                          "torch.cuda.amp.GradScaler")


@spec("training:amp.cuda-spellings")
def test_cuda_amp_custom_fwd(claim):
    """torch.cuda.amp.custom_fwd / custom_bwd on a custom autograd.Function (1.6+): the function
    still works (forward and backward on CPU); each decoration warns from 2.4."""
    if claim.expects("no-amp") or claim.expects("scaler-only"):
        _no_cuda_amp(claim, "custom_fwd")
        return
    with claim.warnings(record="custom_fwd_warnings") as caught:
        class Double(torch.autograd.Function):
            @staticmethod
            @torch.cuda.amp.custom_fwd
            def forward(ctx, x):
                return x * 2

            @staticmethod
            @torch.cuda.amp.custom_bwd
            def backward(ctx, grad):
                return grad * 2

    x = torch.ones(3, requires_grad=True)
    y = Double.apply(x)
    y.sum().backward()
    claim.equal(y.tolist(), [2.0, 2.0, 2.0], "the decorated forward")
    claim.equal(x.grad.tolist(), [2.0, 2.0, 2.0], "the decorated backward")
    _deprecated_or_silent(claim, caught, "torch.cuda.amp.custom_fwd", r"torch\.amp\.custom_fwd\(", 1,
                          "torch.cuda.amp.custom_fwd")
    _deprecated_or_silent(claim, caught, "torch.cuda.amp.custom_bwd", r"torch\.amp\.custom_bwd\(", 1,
                          "torch.cuda.amp.custom_bwd")


@spec("training:amp.cuda-spellings")
def test_torch_amp_spellings(claim):
    """The other spellings: torch.cpu.amp.autocast() runs a Linear in bfloat16 (1.10+), silent
    until it warns like the CUDA ones from 2.4; the replacements the warnings name,
    torch.amp.autocast('cuda'/'cpu') and torch.amp.GradScaler('cuda') (2.4+), and
    torch.autocast('cuda') (1.10-2.3) are silent. Before 1.10 there is neither torch.autocast nor
    torch.cpu.amp."""
    if not (claim.expects("torch-amp") or claim.expects("deprecated")):
        claim.holds(not hasattr(torch, "autocast"), "there is no torch.autocast", autocast=getattr(torch, "autocast", None))
        claim.holds(not hasattr(getattr(torch, "cpu", None), "amp"), "there is no torch.cpu.amp")
        return
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    x = torch.randn(4, 3)
    with claim.warnings(record="other_spellings_warnings") as caught:
        with torch.cpu.amp.autocast():
            y_cpu = model(x)
        if claim.expects("deprecated"):
            with torch.amp.autocast("cuda", enabled=False):
                y = model(x)
            with torch.amp.autocast("cpu"):
                claim.equal(str(model(x).dtype), "torch.bfloat16", "the output dtype under torch.amp.autocast('cpu')")
            torch.amp.GradScaler("cuda", enabled=False)
        else:
            with torch.autocast("cuda", enabled=False):
                y = model(x)
    claim.equal(str(y.dtype), "torch.float32", "the output dtype under a disabled CUDA autocast")
    claim.equal(claim.observe("cpu_autocast_dtype", str(y_cpu.dtype)), "torch.bfloat16",
                "the output dtype under torch.cpu.amp.autocast()")
    others = [str(w.message) for w in caught if issubclass(w.category, (FutureWarning, DeprecationWarning))
              and "torch.cpu.amp.autocast" not in str(w.message)]
    claim.equal(others, [], "deprecation warnings of the replacement spellings")
    _deprecated_or_silent(claim, caught, "torch.cpu.amp.autocast", r"torch\.amp\.autocast\('cpu'", 1,
                          "torch.cpu.amp.autocast")


# ------------------------------------------------------------------ meshgrid.default-indexing
@contextmanager
def _warn_always():
    """Warnings torch raises once per process (meshgrid's is one) raised every time."""
    before = torch.is_warn_always_enabled()
    torch.set_warn_always(True)
    try:
        yield
    finally:
        torch.set_warn_always(before)


@spec("training:meshgrid.default-indexing")
def test_meshgrid_without_indexing(claim):
    """torch.meshgrid(a, b) and torch.meshgrid([a, b]) give 'ij' grids (len(a) x len(b)), also
    with three inputs; from 1.10 with a UserWarning that indexing= will be required (raised once
    per process unless torch.set_warn_always(True), which the spec sets)."""
    a = torch.tensor([1, 2])
    b = torch.tensor([10, 20, 30])
    c = torch.tensor([0, 1, 2, 3])
    with claim.warnings() as caught:
        if claim.expects("warns"):
            with _warn_always():
                gx, gy = torch.meshgrid(a, b)
                lx, ly = torch.meshgrid([a, b])
                three = torch.meshgrid(a, b, c)
        else:
            gx, gy = torch.meshgrid(a, b)
            lx, ly = torch.meshgrid([a, b])
            three = torch.meshgrid(a, b, c)
    _record_warnings(claim, "meshgrid_warnings", caught)
    claim.equal(gx.tolist(), [[1, 1, 1], [2, 2, 2]], "the first grid of meshgrid(a, b)")
    claim.equal(gy.tolist(), [[10, 20, 30], [10, 20, 30]], "the second grid of meshgrid(a, b)")
    claim.equal([lx.tolist(), ly.tolist()], [gx.tolist(), gy.tolist()], "meshgrid([a, b]) vs meshgrid(a, b)")
    claim.equal([list(t.shape) for t in three], [[2, 3, 4]] * 3, "the shapes of meshgrid(a, b, c)")
    about = _texts(caught, "indexing")
    if claim.expects("warns"):
        claim.holds(about and all(issubclass(cat, UserWarning) for cat in _categories(caught, "indexing")),
                    "meshgrid without indexing= warns (UserWarning)", warnings=about)
        claim.matches(about[0], r"required to pass the indexing argument", "the warning's text")
    else:
        claim.equal(about, [], "warnings about indexing")


@spec("training:meshgrid.default-indexing")
def test_meshgrid_indexing_argument(claim):
    """indexing='ij' (the default's grids, silently) and indexing='xy' (numpy's default: the
    first two dims swapped, the same as numpy.meshgrid) from 1.10; before, indexing= is a
    TypeError."""
    np = pytest.importorskip("numpy")

    a = torch.tensor([1, 2])
    b = torch.tensor([10, 20, 30])
    if claim.expects("no-indexing"):
        with claim.raises(TypeError, match=r"indexing", record="indexing_error"):
            torch.meshgrid(a, b, indexing="ij")
        return
    with claim.warnings() as caught:
        with _warn_always():
            ij = torch.meshgrid(a, b, indexing="ij")
            xy = torch.meshgrid(a, b, indexing="xy")
    _record_warnings(claim, "indexing_warnings", caught)
    claim.equal([t.tolist() for t in ij], [[[1, 1, 1], [2, 2, 2]], [[10, 20, 30], [10, 20, 30]]], "indexing='ij'")
    claim.equal([t.tolist() for t in xy], [g.tolist() for g in np.meshgrid(a.numpy(), b.numpy())],
                "indexing='xy' vs numpy.meshgrid")
    claim.equal(_texts(caught, "indexing"), [], "warnings about indexing when it is given")


# ------------------------------------------------------------------ zero-grad.zeros
def _net_with_grads():
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    x = torch.randn(4, 3)
    model(x).pow(2).sum().backward()
    return model, x


def _cleared(claim, model, held, first, x, what, key):
    """After zero_grad: zero tensors (the same objects, zeroed in place) or None, per the
    expectation; a new backward then gives the fresh gradient, not an accumulated one."""
    grads = [p.grad for p in model.parameters()]
    claim.observe("%s_grads_after_zero_grad" % key, [None if g is None else g.tolist() for g in grads])
    if claim.expects("none"):
        claim.equal([g is None for g in grads], [True, True], "%s: every .grad is None" % what)
    else:
        for g, h in zip(grads, held):
            claim.identical(g, h, "%s: .grad is the same tensor, zeroed in place" % what)
            claim.equal(g.abs().sum().item(), 0.0, "%s: .grad is all zeros" % what)
    model(x).pow(2).sum().backward()
    for p, f in zip(model.parameters(), first):
        claim.equal(p.grad.tolist(), f, "%s: the gradient after the next backward" % what)


@spec("training:zero-grad.zeros")
def test_module_zero_grad(claim):
    """model.zero_grad() after a backward: every .grad is zeros (before 2.0) or None (2.0+)."""
    model, x = _net_with_grads()
    first = [p.grad.tolist() for p in model.parameters()]
    held = [p.grad for p in model.parameters()]
    model.zero_grad()
    _cleared(claim, model, held, first, x, "model.zero_grad()", "module")


@spec("training:zero-grad.zeros")
def test_optimizer_zero_grad(claim):
    """optimizer.zero_grad() for SGD and Adam: the same as model.zero_grad()."""
    for make in (lambda ps: torch.optim.SGD(ps, lr=0.1), lambda ps: torch.optim.Adam(ps)):
        model, x = _net_with_grads()
        opt = make(model.parameters())
        first = [p.grad.tolist() for p in model.parameters()]
        held = [p.grad for p in model.parameters()]
        opt.zero_grad()
        _cleared(claim, model, held, first, x, "%s.zero_grad()" % type(opt).__name__, type(opt).__name__.lower())


@spec("training:zero-grad.zeros")
def test_zero_grad_set_to_none_argument(claim):
    """zero_grad(set_to_none=False) gives zeros and set_to_none=True gives None, for modules and
    optimizers (1.7+); before 1.7 there is no set_to_none (TypeError)."""
    model, x = _net_with_grads()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    if claim.expects("no-set-to-none"):
        with claim.raises(TypeError, match=r"set_to_none", record="module_error"):
            model.zero_grad(set_to_none=True)
        with claim.raises(TypeError, match=r"set_to_none", record="optimizer_error"):
            opt.zero_grad(set_to_none=True)
        return
    for who, call in (("model", model.zero_grad), ("optimizer", opt.zero_grad)):
        model(x).pow(2).sum().backward()
        call(set_to_none=False)
        claim.equal([p.grad is not None and p.grad.abs().sum().item() == 0.0 for p in model.parameters()],
                    [True, True], "%s.zero_grad(set_to_none=False): every .grad is zeros" % who)
        model(x).pow(2).sum().backward()
        call(set_to_none=True)
        claim.equal([p.grad is None for p in model.parameters()], [True, True],
                    "%s.zero_grad(set_to_none=True): every .grad is None" % who)


# ------------------------------------------------------------------ data.split-fractions
def _dataset(n):
    return torch.utils.data.TensorDataset(torch.arange(n))


def _indices(parts):
    return [[int(i) for i in p.indices] for p in parts]


@spec("training:data.split-fractions")
def test_random_split_by_fractions(claim):
    """random_split(ds, [0.8, 0.2]) on 10 items gives 8 and 2; [0.5, 0.3, 0.2] on 11 gives 6, 3, 2
    and [0.34, 0.33, 0.33] on 10 gives 4, 3, 3 (the remainder goes round-robin from the first);
    the parts are disjoint and cover the dataset (1.13+). Before, fractions are refused."""
    split = torch.utils.data.random_split
    if claim.expects("lengths-only"):
        with claim.raises(ValueError, match=r"Sum of input lengths", record="fractions_error"):
            split(_dataset(10), [0.8, 0.2])
        return
    for n, fractions, sizes in ((10, [0.8, 0.2], [8, 2]), (11, [0.5, 0.3, 0.2], [6, 3, 2]),
                                (10, [0.34, 0.33, 0.33], [4, 3, 3])):
        parts = split(_dataset(n), fractions)
        claim.equal([len(p) for p in parts], sizes, "random_split of %d items by %s: sizes" % (n, fractions))
        flat = sum(_indices(parts), [])
        claim.equal(sorted(flat), list(range(n)), "random_split of %d items by %s: the parts cover it once" % (n, fractions))


@spec("training:data.split-fractions")
def test_random_split_size_errors(claim):
    """Lengths must sum to len(dataset) (ValueError 'Sum of input lengths ...' for [8, 3] on 10
    items) and fractions to 1 ([0.5, 0.4] is refused the same way), on every release."""
    split = torch.utils.data.random_split
    claim.equal([len(p) for p in split(_dataset(10), [8, 2])], [8, 2], "random_split by lengths [8, 2]")
    with claim.raises(ValueError, match=r"Sum of input lengths", record="lengths_error"):
        split(_dataset(10), [8, 3])
    with claim.raises(ValueError, match=r"Sum of input lengths", record="bad_fractions_error"):
        split(_dataset(10), [0.5, 0.4])


# ------------------------------------------------------------------ data.seeded-order
SPLIT_INDICES = [[4, 1, 7, 5, 3], [9, 0, 8, 6, 2]]
GENERATOR_ORDER = [3, 7, 5, 2, 0, 8, 1, 6, 9, 4]
GLOBAL_SEED_ORDER = {  # DataLoader(range(10), shuffle=True) after torch.manual_seed(0)
    "no-generator": [3, 7, 5, 2, 0, 8, 1, 6, 9, 4],
    "generator": [3, 7, 5, 2, 0, 8, 1, 6, 9, 4],
    "order-1.7": [3, 7, 5, 6, 2, 8, 1, 9, 4, 0],
    "order-1.9": [6, 7, 1, 4, 2, 0, 9, 8, 3, 5],
}


def _has_generators(claim):
    return not claim.expects("no-generator")


@spec("training:data.seeded-order")
def test_seeded_random_split_indices(claim):
    """random_split(range of 10, [5, 5]) after torch.manual_seed(0), and with
    generator=torch.Generator().manual_seed(0) (1.6+), gives [[4, 1, 7, 5, 3], [9, 0, 8, 6, 2]]."""
    torch.manual_seed(0)
    parts = torch.utils.data.random_split(_dataset(10), [5, 5])
    claim.equal(claim.observe("global_seed_split", _indices(parts)), SPLIT_INDICES, "random_split after torch.manual_seed(0)")
    if not _has_generators(claim):
        with claim.raises(TypeError, match=r"generator", record="split_generator_error"):
            torch.utils.data.random_split(_dataset(10), [5, 5], generator=torch.Generator().manual_seed(0))
        return
    parts = torch.utils.data.random_split(_dataset(10), [5, 5], generator=torch.Generator().manual_seed(0))
    claim.equal(claim.observe("generator_split", _indices(parts)), SPLIT_INDICES, "random_split with a seeded generator")


def _order(**kwargs):
    loader = torch.utils.data.DataLoader(list(range(10)), batch_size=4, shuffle=True, **kwargs)
    return [int(x) for batch in loader for x in batch]


@spec("training:data.seeded-order")
def test_seeded_shuffle_order(claim):
    """The order of DataLoader(range(10), shuffle=True) after torch.manual_seed(0): one order on
    1.0-1.6, another on 1.7-1.8, a third from 1.9; with generator=torch.Generator().manual_seed(0)
    (1.6+) it is [3, 7, 5, 2, 0, 8, 1, 6, 9, 4] on every release."""
    torch.manual_seed(0)
    order = claim.observe("global_seed_order", _order())
    claim.equal(order, GLOBAL_SEED_ORDER[claim.expect.key], "the shuffled order after torch.manual_seed(0)")
    if not _has_generators(claim):
        with claim.raises(TypeError, match=r"generator", record="loader_generator_error"):
            _order(generator=torch.Generator().manual_seed(0))
        return
    claim.equal(claim.observe("generator_order", _order(generator=torch.Generator().manual_seed(0))),
                GENERATOR_ORDER, "the shuffled order with a seeded generator")
    torch.manual_seed(0)
    claim.equal(_order(generator=torch.Generator().manual_seed(0)), GENERATOR_ORDER,
                "the seeded generator's order, whatever the global seed")


@spec("training:data.seeded-order")
def test_seeded_model_init(claim):
    """After torch.manual_seed(0): nn.Linear(3, 2)'s initial weight, torch.randn(4) and
    torch.randperm(10) are the same numbers on every release."""
    torch.manual_seed(0)
    weight = torch.nn.Linear(3, 2).weight.detach()
    claim.close(weight, torch.tensor([[-0.0043, 0.3097, -0.4752], [-0.4249, -0.2224, 0.1548]]),
                "nn.Linear(3, 2).weight after torch.manual_seed(0)", rtol=0, atol=6e-5)
    torch.manual_seed(0)
    claim.close(torch.randn(4), torch.tensor([1.5410, -0.2934, -2.1788, 0.5684]),
                "torch.randn(4) after torch.manual_seed(0)", rtol=0, atol=6e-5)
    torch.manual_seed(0)
    claim.equal(torch.randperm(10).tolist(), [4, 1, 7, 5, 3, 9, 0, 8, 6, 2], "torch.randperm(10) after torch.manual_seed(0)")


# ------------------------------------------------------------------ clip-grad-norm.total-norm
def _param_with_grad(values):
    p = torch.nn.Parameter(torch.zeros(len(values)))
    p.grad = torch.tensor(values)
    return p


def _norm_value(claim, norm, what, key, inf_norm=False):
    """The returned total norm: a 0-dim float32 tensor (1.5+) or, before, a Python float (but a
    tensor for norm_type=inf)."""
    claim.observe("%s_norm_type" % key, type(norm).__name__)
    if claim.expects("float") and not inf_norm:
        claim.is_instance(norm, float, "%s: clip_grad_norm_'s return" % what)
        return norm
    claim.is_instance(norm, torch.Tensor, "%s: clip_grad_norm_'s return" % what)
    claim.equal([list(norm.shape), norm.dtype, norm.requires_grad], [[], torch.float32, False],
                "%s: the returned tensor's shape, dtype and requires_grad" % what)
    return norm.item()


@spec("training:clip-grad-norm.total-norm")
def test_clip_grad_norm_scales_and_returns_the_norm(claim):
    """clip_grad_norm_(params, 1.0) on gradients [3, 4] and [12] (total norm 13) scales them by
    1/13 and returns 13; below max_norm the gradients are left exactly as they were; one tensor
    instead of a list, and norm_type=inf (the largest |g|), work the same."""
    a, b = _param_with_grad([3.0, 4.0]), _param_with_grad([12.0])
    total = _norm_value(claim, torch.nn.utils.clip_grad_norm_([a, b], 1.0), "two parameters", "two_parameters")
    claim.close(total, 13.0, "the returned total norm")
    claim.close(a.grad, torch.tensor([3.0, 4.0]) / 13, "the first gradient after clipping", rtol=1e-5, atol=1e-6)
    claim.close(b.grad, torch.tensor([12.0]) / 13, "the second gradient after clipping", rtol=1e-5, atol=1e-6)
    c = _param_with_grad([0.3, -0.4])
    before = c.grad.clone()
    small = _norm_value(claim, torch.nn.utils.clip_grad_norm_([c], 1.0), "below max_norm", "below_max")
    claim.close(small, 0.5, "the returned norm below max_norm")
    claim.equal(c.grad.tolist(), before.tolist(), "a gradient below max_norm is left as it was")
    d = _param_with_grad([3.0, 4.0])
    claim.close(_norm_value(claim, torch.nn.utils.clip_grad_norm_(d, 1.0), "one tensor", "one_tensor"), 5.0, "one tensor's norm")
    claim.close(d.grad, torch.tensor([0.6, 0.8]), "one tensor's gradient after clipping", rtol=1e-5, atol=1e-6)
    e = _param_with_grad([3.0, -4.0])
    largest = _norm_value(claim, torch.nn.utils.clip_grad_norm_([e], 1.0, norm_type=float("inf")), "norm_type inf",
                          "inf_norm", inf_norm=True)
    claim.close(largest, 4.0, "the inf-norm")
    claim.close(e.grad, torch.tensor([0.75, -1.0]), "the gradient after inf-norm clipping", rtol=1e-5, atol=1e-6)


@spec("training:clip-grad-norm.total-norm")
def test_clip_grad_norm_non_finite(claim):
    """A gradient [inf, 1]: clip_grad_norm_ returns inf and leaves [nan, 0] by default (a
    FutureWarning on 1.9-1.10 says the default may change); error_if_nonfinite=True raises
    RuntimeError instead and leaves the gradient alone (1.9+; before, a TypeError)."""
    import math

    p = _param_with_grad([float("inf"), 1.0])
    with claim.warnings(record="non_finite_warnings") as caught:
        total = _norm_value(claim, torch.nn.utils.clip_grad_norm_([p], 1.0), "non-finite", "non_finite")
    claim.holds(math.isinf(total), "the returned norm of an inf gradient is inf", total=total)
    grad = p.grad.tolist()
    claim.holds(math.isnan(grad[0]) and grad[1] == 0.0, "the gradient becomes [nan, 0]", grad=grad)
    about = _texts(caught, "Non-finite norm")
    if claim.expects("nonfinite-warns"):
        claim.holds(about and all(issubclass(c, FutureWarning) for c in _categories(caught, "Non-finite norm")),
                    "a non-finite norm warns (FutureWarning)", warnings=about)
    else:
        claim.equal(about, [], "warnings about the non-finite norm")
    q = _param_with_grad([float("inf"), 1.0])
    if claim.expects("float") or claim.expects("tensor"):
        with claim.raises(TypeError, match=r"error_if_nonfinite", record="error_if_nonfinite_error"):
            torch.nn.utils.clip_grad_norm_([q], 1.0, error_if_nonfinite=True)
        return
    with claim.raises(RuntimeError, match=r"non-finite", record="error_if_nonfinite_error"):
        torch.nn.utils.clip_grad_norm_([q], 1.0, error_if_nonfinite=True)
    claim.equal(q.grad.tolist()[1], 1.0, "error_if_nonfinite=True leaves the gradient as it was")


# ------------------------------------------------------------------ lr-scheduler.step-order
def _lrs(order):
    """The learning rate each of 3 epochs runs with: StepLR(step_size=1, gamma=0.5) from 0.1,
    scheduler.step() called before or after optimizer.step() in each epoch."""
    torch.manual_seed(0)
    model = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    seen = []
    for _ in range(3):
        if order == "scheduler-first":
            sched.step()
        seen.append(round(opt.param_groups[0]["lr"], 6))
        opt.zero_grad()
        model(torch.ones(1, 2)).sum().backward()
        opt.step()
        if order == "optimizer-first":
            sched.step()
    return seen


@spec("training:lr-scheduler.step-order")
def test_scheduler_step_before_optimizer_step(claim):
    """The pre-1.1 idiom, scheduler.step() at the start of each epoch: the epochs run with 0.1,
    0.05, 0.025 on 1.0; from 1.1 the first value is skipped (0.05, 0.025, 0.0125), and from 1.2 a
    UserWarning says the order is wrong."""
    with claim.warnings(record="scheduler_first_warnings") as caught:
        lrs = claim.observe("scheduler_first_lrs", _lrs("scheduler-first"))
    about = _texts(caught, "lr_scheduler.step()", "optimizer.step()")
    if claim.expects("pre-1.1"):
        claim.equal(lrs, [0.1, 0.05, 0.025], "the learning rates of 3 epochs")
    else:
        claim.equal(lrs, [0.05, 0.025, 0.0125], "the learning rates of 3 epochs")
    if claim.expects("shifted-warns"):
        claim.holds(about and all(issubclass(c, UserWarning) for c in _categories(caught, "lr_scheduler.step()")),
                    "calling scheduler.step() first warns (UserWarning)", warnings=about)
        claim.matches(about[0], r"Detected call of `lr_scheduler\.step\(\)` before `optimizer\.step\(\)`", "the warning's text")
    else:
        claim.equal(about, [], "warnings about the call order")


@spec("training:lr-scheduler.step-order")
def test_scheduler_step_after_optimizer_step(claim):
    """The order 1.1 asks for, optimizer.step() then scheduler.step(): 0.1, 0.05, 0.025 from 1.1,
    silently; on 1.0 the first value repeats (0.1, 0.1, 0.05)."""
    with claim.warnings(record="optimizer_first_warnings") as caught:
        lrs = claim.observe("optimizer_first_lrs", _lrs("optimizer-first"))
    claim.equal(lrs, [0.1, 0.1, 0.05] if claim.expects("pre-1.1") else [0.1, 0.05, 0.025], "the learning rates of 3 epochs")
    claim.equal(_texts(caught, "lr_scheduler.step()"), [], "warnings about the call order")
