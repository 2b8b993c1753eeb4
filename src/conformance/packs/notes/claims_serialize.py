"""Claims of the notes pack: saving and loading a model (§3).

One record per claim: what the note says (paraphrased), what is true per release range with
its evidence, and the reach of its specs (``checks``: what they probe, each with the spec and
the breakage that shows the probe can fail; ``not_checked``: what they leave out, and why).
The specs are ``specs/spec_serialize.py``; the breakages ``tests/breakages/serialize.py``.
Imports nothing heavy: the CLI, report and diff read it without torch.
"""
from conformance import verdicts as V
from conformance.records import EVERY_RUN, Check, Claim, Expectation, Idiom, NotChecked, always  # noqa: F401

_NO_GPU = ("the specs run on CUDA too where a GPU is present; CI has none, so map_location from a GPU file "
           "goes unchecked there")

_SD = ("Loads into a freshly built model, into another class with the same parameter names, into a "
       "model of another dtype (converted), and partially with strict=False")

# What the note was doing (the setting of a claim page), shared by several claims
SAVE = ("§3 gives two ways to keep a trained model: save only its parameters (torch.save(model.state_dict(), "
         "PATH), later model.load_state_dict(torch.load(PATH))), called the more flexible one, or save the "
         "whole model object (torch.save(model, PATH), later model = torch.load(PATH)).")

# The examples: each function's body is a runnable script (claim pages, explain; tests/test_examples.py runs it)

def _state_dict():
    import os
    import tempfile

    import torch

    model = torch.nn.Linear(4, 2)
    path = os.path.join(tempfile.mkdtemp(), "weights.pt")
    torch.save(model.state_dict(), path)
    fresh = torch.nn.Linear(4, 2)  # build the model, then load the weights into it
    fresh.load_state_dict(torch.load(path))
    assert torch.equal(fresh.weight, model.weight)


def _whole_model():
    import os
    import pickle
    import tempfile

    import torch

    model = torch.nn.Linear(4, 2)
    path = os.path.join(tempfile.mkdtemp(), "model.pt")
    torch.save(model, path)  # saving still works
    try:
        torch.load(path)  # weights_only=True by default: refused
    except pickle.UnpicklingError as err:
        assert "Weights only load failed" in str(err)
    else:
        raise AssertionError("plain torch.load of a pickled model should be refused")
    loaded = torch.load(path, weights_only=False)  # only for files you trust
    assert isinstance(loaded, torch.nn.Linear)


CLAIMS = (
    Claim(
        "serialize.state-dict", (3,),
        "Saving and loading only state_dict() restores the parameters and is the more flexible way.",
        (
            Expectation(
                ">=1.13", V.HOLDS,
                _SD + ", which returns the missing and unexpected keys; torch.load(f, weights_only=True) "
                "loads a state_dict (the default from 2.6).",
                key="weights-only", since="1.13.0",
                evidence="run: 1.13.0 torch.load takes weights_only=True and loads a state_dict with it; "
                "1.12.1 has no weights_only (TypeError)",
            ),
            Expectation(
                ">=1.1,<1.13", V.HOLDS,
                _SD + ", which returns the missing and unexpected keys; torch.load has no weights_only yet.",
                key="reports-keys", since="1.1.0",
                evidence="run: 1.1.0 load_state_dict(..., strict=False) returns the missing and "
                "unexpected keys; 1.0.1 returns None",
            ),
            Expectation(
                "<1.1", V.HOLDS,
                _SD + "; load_state_dict returns None, so nothing reports which keys were missing.",
                key="returns-none",
                evidence="run: 1.0.0 and 1.0.1 load_state_dict(..., strict=False) returns None",
            ),
        ),
        area="serialize",
        checks=(
            Check("note-example", "example",
                  "the note's round trip: torch.save(model.state_dict(), PATH), then load_state_dict"
                  "(torch.load(PATH)) into a freshly built model and into another class with the same "
                  "names restores every parameter and the outputs",
                  "test_state_dict_round_trip_and_flexible_loads", "load_state_dict_skips_parameters",
                  ("Module.state_dict", "Module.load_state_dict", "torch.save", "torch.load")),
            Check("strict-false", "state",
                  "load_state_dict(strict=False) loads the common keys, leaves the rest, and returns the "
                  "missing and the unexpected keys (None on the oldest releases)",
                  "test_state_dict_round_trip_and_flexible_loads", "load_state_dict_reports_no_keys",
                  ("Module.load_state_dict",)),
            Check("strict-true", "errors",
                  "strict=True (the default) refuses missing keys, unexpected keys and a shape mismatch "
                  "with RuntimeError naming them",
                  "test_state_dict_round_trip_and_flexible_loads", "strict_load_accepts_missing_keys",
                  ("Module.load_state_dict",)),
            Check("other-dtype", "values",
                  "a float32 state_dict loaded into a float64 model: values converted, the model keeps its "
                  "dtype and its own Parameter objects",
                  "test_state_dict_round_trip_and_flexible_loads", "load_state_dict_replaces_parameters",
                  ("Module.load_state_dict",)),
            Check("buffers", "state",
                  "BatchNorm's running_mean, running_var and num_batches_tracked are in the state_dict "
                  "and restored by loading it",
                  "test_state_dict_holds_buffers_and_nested_keys", "load_state_dict_skips_buffers",
                  ("Module.state_dict", "Module.load_state_dict", "nn.BatchNorm1d")),
            Check("nested-keys", "state",
                  "keys of nested modules (Sequential, ModuleList) by attribute path, parameters before "
                  "buffers, in registration order",
                  "test_state_dict_holds_buffers_and_nested_keys", "state_dict_keys_sorted",
                  ("Module.state_dict",)),
            Check("shares-storage", "state",
                  "state_dict() tensors are the model's own, detached and sharing its storage (a snapshot "
                  "needs a copy)",
                  "test_state_dict_holds_buffers_and_nested_keys", "state_dict_returns_copies",
                  ("Module.state_dict",)),
            Check("file-forms", "spelling",
                  "torch.save/torch.load with a str path, a pathlib.Path, an open file object (after bytes "
                  "already written) and io.BytesIO; torch.save leaves the file at the end of what it wrote",
                  "test_save_and_load_file_forms_and_map_location", "torch_save_rewinds_file_objects",
                  ("torch.save", "torch.load")),
            Check("map-location", "spelling",
                  "map_location as 'cpu', torch.device('cpu'), a dict, and a callable called once per "
                  "storage with its saved location",
                  "test_save_and_load_file_forms_and_map_location", "map_location_callable_ignored",
                  ("torch.load",)),
            Check("weights-only", "spelling",
                  "torch.load(f, weights_only=True) loads a state_dict (a TypeError before the argument exists)",
                  "test_save_and_load_file_forms_and_map_location", "weights_only_refuses_state_dicts",
                  ("torch.load",)),
            Check("dtypes", "values",
                  "float16 (with -0.0), float64, uint8 and int64 values beyond 2**53 come back exactly, "
                  "with their dtypes; a transposed tensor keeps its strides",
                  "test_saved_tensors_keep_dtypes_values_and_sharing", "torch_load_int64_through_float64",
                  ("torch.save", "torch.load")),
            Check("shared-storage", "state",
                  "tied weights (one tensor under two keys), a slice and a transpose still share storage "
                  "after torch.load",
                  "test_saved_tensors_keep_dtypes_values_and_sharing", "torch_load_unshares_views",
                  ("torch.save", "torch.load")),
        ),
        not_checked=(
            NotChecked("bool and bfloat16 tensors", "not on every release (bool from 1.2, bfloat16 later); no gate kept"),
            NotChecked("several objects in one file, or loading from an offset",
                       "the zip format (1.6+) does not support it on every release"),
            NotChecked("load_state_dict(assign=True), mmap=True, _use_new_zipfile_serialization=False",
                       "newer or legacy options the note does not use"),
            NotChecked("map_location from a file saved on a GPU", _NO_GPU),
        ),
        answer="Saving model.state_dict() and loading it with load_state_dict(torch.load(PATH)) restores every "
        "parameter, also into another class with the same parameter names, or partially with "
        "strict=False.",
        setting=SAVE,
        topic='Saving and loading models',
        idioms=(
            Idiom('`model.load_state_dict(torch.load(PATH))`',
                  'the same'),
        ),
        example=_state_dict,
    ),
    Claim(
        "serialize.whole-model", (3,),
        "torch.save(model, PATH) and then torch.load(PATH) gives the model back.",
        (
            Expectation(
                ">=2.6", V.OUTDATED,
                "Plain torch.load(PATH) refuses a pickled model: weights_only defaults to True and "
                "it raises UnpicklingError ('Weights only load failed'); torch.load(PATH, "
                "weights_only=False) still works for trusted files, and the class must be importable. "
                "torch.serialization.add_safe_globals / safe_globals let allowlisted classes through.",
                key="refuses", since="2.6.0",
                evidence="run: 2.6.0 raises UnpicklingError 'Weights only load failed'; 2.5.1 loads "
                "with a FutureWarning",
            ),
            Expectation(
                ">=2.4,<2.6", V.HOLDS_WITH_CAVEAT,
                "It works but warns (FutureWarning) that weights_only will default to True; "
                "weights_only=True refuses it, and torch.serialization.add_safe_globals exists.",
                key="warns", since="2.4.0",
                evidence="run: 2.4.0 warns (FutureWarning) 'You are using `torch.load` with "
                "`weights_only=False`'; 2.3.1 loads silently",
            ),
            Expectation(
                ">=1.13,<2.4", V.HOLDS,
                "It works silently (the class must be importable at load time); an explicit "
                "weights_only=True refuses it with UnpicklingError.",
                key="loads", since="1.13.0",
                evidence="run: 1.13.0 takes weights_only=True and refuses the model with it (and "
                "1.13.0 .. 2.3.1 load without a warning); 1.12.1 has no weights_only",
            ),
            Expectation(
                "<1.13", V.HOLDS,
                "It works silently (the class must be importable at load time); torch.load has no "
                "weights_only argument.",
                key="loads-no-flag",
                evidence="run: 1.0.0 .. 1.12.1 load without a warning and take no weights_only",
            ),
        ),
        observe="what plain torch.load(PATH) does (warning, exception, message)",
        area="serialize",
        checks=(
            Check("note-example", "example",
                  "the note's torch.save(model, PATH) then plain torch.load(PATH): silent, warning or "
                  "refused per release; weights_only=False returns the model",
                  "test_whole_model_pickle_round_trip", "torch_load_defaults_to_weights_only_false",
                  ("torch.save", "torch.load")),
            Check("class-needed", "errors",
                  "loading where the model's class cannot be imported fails (the pickle holds a reference "
                  "to the class, not its code)",
                  "test_whole_model_needs_its_class_at_load_time", "torch_load_swallows_missing_classes",
                  ("torch.load",)),
            Check("weights-only-true", "errors",
                  "an explicit torch.load(f, weights_only=True) refuses a pickled model with UnpicklingError "
                  "'Weights only load failed' (a TypeError before the argument exists)",
                  "test_weights_only_load_of_a_pickled_model", "weights_only_true_loads_anything",
                  ("torch.load",)),
            Check("safe-globals", "spelling",
                  "torch.serialization.add_safe_globals([TinyNet, nn.Linear]) and the safe_globals context "
                  "manager let weights_only=True load the model (asserted from 2.6, recorded on 2.4 and 2.5)",
                  "test_weights_only_load_of_a_pickled_model", "safe_globals_allowlist_ignored",
                  ("torch.serialization.add_safe_globals", "torch.serialization.safe_globals")),
            Check("model-state", "state",
                  "through io.BytesIO the model keeps its class, every submodule's eval flag, BatchNorm's "
                  "buffers, a plain attribute and its outputs, as an independent copy",
                  "test_whole_model_keeps_its_state", "unpickled_modules_come_back_training",
                  ("torch.save", "torch.load", "Module.eval")),
        ),
        not_checked=(
            NotChecked("hooks registered on the model, and models scripted with torch.jit",
                       "not what the note saves"),
            NotChecked("pickle_module= and pickle protocols other than the default", "the note uses the defaults"),
            NotChecked("add_safe_globals on 2.4 and 2.5",
                       "recorded only: whether a whole nn.Module loads through it there is not asserted"),
        ),
        answer="torch.save(model, PATH) still works, but since 2.6 plain torch.load(PATH) refuses the file "
        "(weights_only=True is the default: UnpicklingError); torch.load(PATH, weights_only=False) loads it "
        "for files you trust. Saving the state_dict avoids the issue.",
        setting=SAVE,
        topic='Saving and loading models',
        idioms=(
            Idiom('`torch.save(model, PATH)` then `model = torch.load(PATH)`',
                  '`torch.save(model.state_dict(), PATH)` and `model.load_state_dict(torch.load(PATH))`; '
                  'for a whole pickled model you trust, `torch.load(PATH, weights_only=False)`',
                  also=('serialize.state-dict',)),
        ),
        questions=('Can I still `torch.save(model)` and `torch.load` it?',),
        example=_whole_model,
    ),
)
