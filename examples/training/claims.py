"""Claims of the training pack: behaviours ordinary training code relies on, which changed (or
could change) between torch releases, all checkable on CPU.

One record per claim: the behaviour in plain words, what is true per release range with the
evidence for each boundary (``run:`` names the releases run on both sides, whose results are in
``results/``), and the reach of the specs (``checks``: what they probe, each with its spec in
``spec_training.py`` and the breakage in ``breakages.py`` that shows the probe can fail;
``not_checked``: what they leave out, and why). Imports nothing heavy: read without torch.
"""
from conformance import verdicts as V
from conformance.records import Check, Claim, Expectation, NotChecked, always  # noqa: F401

_NO_GPU = ("the CUDA side itself (a real autocast region, TF32 numerics, multi-GPU DataParallel)",
           "the pack is for CPU machines; the spellings, flags and wrappers are checked there")

CLAIMS = (
    # ------------------------------------------------------------------ checkpoints
    Claim(
        "load.pickled-object", (),
        "A training checkpoint that holds Python objects beside the weights (the script's own "
        "config object, an argparse.Namespace, numpy values) comes back from a plain "
        "torch.load(path).",
        (
            Expectation(
                ">=2.6", V.OUTDATED,
                "Plain torch.load(path) refuses it: weights_only=True is the default, and an object "
                "of a class outside the allow-list raises pickle.UnpicklingError ('Weights only "
                "load failed ... Unsupported global: GLOBAL <module>.RunConfig'); numpy values "
                "are refused the same way. torch.load(path, weights_only=False) loads it (trusted "
                "files only); torch.serialization.add_safe_globals([RunConfig, argparse.Namespace]) "
                "lets the default load those classes; TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 brings back "
                "the old default, with a UserWarning.",
                key="refuses", since="2.6",
                evidence="run: 2.6.0 plain torch.load raises UnpicklingError 'Weights only load failed' "
                "naming RunConfig; 2.5.1 loads it with a FutureWarning",
            ),
            Expectation(
                ">=2.4,<2.6", V.HOLDS_WITH_CAVEAT,
                "Plain torch.load(path) still unpickles everything, but warns (FutureWarning) that "
                "weights_only will default to True; weights_only=False loads silently, "
                "weights_only=True refuses the objects, and torch.serialization.add_safe_globals "
                "exists to allow-list classes.",
                key="warns", since="2.4",
                evidence="run: 2.4.0 plain torch.load warns FutureWarning 'You are using torch.load "
                "with weights_only=False' and has add_safe_globals; 2.3.1 loads silently and has none",
            ),
            Expectation(
                ">=1.13,<2.4", V.HOLDS,
                "Plain torch.load(path) unpickles everything, silently; torch.load(path, "
                "weights_only=True) exists and refuses the objects (UnpicklingError); there is no "
                "allow-list.",
                key="loads", since="1.13",
                evidence="run: 1.13.0 takes weights_only= (True refuses the objects); 1.12.1 raises "
                "TypeError for it",
            ),
            Expectation(
                "<1.13", V.HOLDS,
                "Plain torch.load(path) unpickles everything, silently; torch.load has no "
                "weights_only (TypeError).",
                key="no-weights-only",
                evidence="run: 1.12.1 and 1.0.1 load the objects; weights_only= is a TypeError",
            ),
        ),
        observe="what plain and weights_only loads return or raise, and their warnings",
        area="training",
        answer="From torch 2.6 a plain torch.load only rebuilds tensors, containers and plain values: "
               "pass weights_only=False for a trusted checkpoint with objects in it, or allow-list "
               "the classes with torch.serialization.add_safe_globals.",
        checks=(
            Check("example", "example",
                  "torch.load(path) of {'model': state_dict, 'config': RunConfig(...), 'args': "
                  "argparse.Namespace(...)}: every object back (warnings recorded), or the refusal "
                  "naming RunConfig", "test_plain_load_of_a_checkpoint_with_objects",
                  "plain_load_refusal_names_no_class", ("torch.load", "torch.save")),
            Check("numpy-values", "values",
                  "numpy.float64 and numpy.ndarray values in the checkpoint: back with their types "
                  "and values, or refused naming numpy", "test_plain_load_of_a_checkpoint_with_numpy_values",
                  "default_load_admits_numpy", ("torch.load",)),
            Check("weights-only-given", "spelling",
                  "torch.load(path, weights_only=False) returns the objects silently and "
                  "weights_only=True refuses them (1.13+); before 1.13 weights_only is a TypeError",
                  "test_weights_only_given_explicitly", "explicit_weights_only_false_warns",
                  ("torch.load",)),
            Check("allow-list", "state",
                  "torch.serialization.add_safe_globals([RunConfig, argparse.Namespace]) lets "
                  "weights_only=True (and from 2.6 the plain load) rebuild them; after "
                  "clear_safe_globals they are refused again; absent before 2.4",
                  "test_allow_listed_classes_load_under_weights_only", "add_safe_globals_does_nothing",
                  ("torch.serialization.add_safe_globals", "torch.serialization.clear_safe_globals")),
            Check("env-var", "state",
                  "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 makes the plain load unpickle everything again "
                  "(2.6+, with a UserWarning naming it)", "test_env_var_restores_the_old_default",
                  "env_var_is_ignored", ("torch.load",)),
        ),
        not_checked=(
            NotChecked("whole pickled models (torch.save(model))",
                       "the notes pack's serialize.whole-model claim checks them"),
            NotChecked("torch.serialization.safe_globals (the context manager) and "
                       "get_unsafe_globals_in_checkpoint",
                       "newer helpers around the same allow-list; the spec uses add_safe_globals, "
                       "present on every release that has an allow-list"),
            NotChecked("TORCH_FORCE_WEIGHTS_ONLY_LOAD=1 (forcing weights_only=True on old code)",
                       "the opposite switch; code that relies on plain loads does not set it"),
        ),
    ),
    Claim(
        "load.tensor-checkpoint", (),
        "A checkpoint of tensors and plain values (model and optimizer state_dicts, the epoch, "
        "the loss, lists, strings, None) loads with a plain torch.load(path) and resumes the run "
        "exactly; weights_only=True loads it too.",
        (
            Expectation(
                ">=2.6", V.HOLDS,
                "As stated, silently: weights_only=True is now the default and admits tensors, "
                "dicts, lists, numbers, strings and None; a BytesIO and map_location work the same.",
                key="weights-only-default", since="2.6",
                evidence="run: 2.6.0 loads it silently; 2.5.1 warns FutureWarning about weights_only",
            ),
            Expectation(
                ">=2.4,<2.6", V.HOLDS_WITH_CAVEAT,
                "It loads and resumes exactly, but every torch.load without weights_only= warns "
                "(FutureWarning) that the default will become True, even for tensors only; "
                "weights_only=True loads it silently.",
                key="warns", since="2.4",
                evidence="run: 2.4.0 warns FutureWarning 'You are using torch.load with "
                "weights_only=False'; 2.3.1 loads silently",
            ),
            Expectation(
                ">=2.0,<2.4", V.HOLDS,
                "As stated, silently; torch.load(path, weights_only=True) loads it too.",
                key="silent", since="2.0",
                evidence="run: 2.0.0 loads it with weights_only=True; 1.13.1 refuses it there "
                "(UnpicklingError 'Unsupported operand 71')",
            ),
            Expectation(
                ">=1.13,<2.0", V.HOLDS_WITH_CAVEAT,
                "The plain load works and resumes exactly, silently; but torch.load(path, "
                "weights_only=True) refuses any checkpoint holding a Python float (the loss, the "
                "optimizer's lr): UnpicklingError 'Weights only load failed ... Unsupported operand "
                "71' (pickle's BINFLOAT); a model's state_dict alone loads with it.",
                key="weights-only-no-floats", since="1.13",
                evidence="run: 1.13.0 takes weights_only= and refuses the checkpoint with 'Unsupported "
                "operand 71'; 1.12.1 raises TypeError for weights_only",
            ),
            Expectation(
                "<1.13", V.HOLDS_WITH_CAVEAT,
                "The plain load works and resumes exactly; there is no weights_only (TypeError).",
                key="no-weights-only",
                evidence="run: 1.12.1 and 1.0.1 load and resume; weights_only= is a TypeError",
            ),
        ),
        observe="the loaded values, the resumed step, the warnings of each load",
        area="training",
        answer="Yes on every release; torch 2.4 and 2.5 warn on each torch.load without weights_only= "
               "(pass weights_only=True to silence it; on 1.13 weights_only=True refuses Python floats).",
        checks=(
            Check("example", "example",
                  "torch.save({'epoch', 'model', 'optimizer' (Adam after a step), 'loss', 'tag', "
                  "'history', 'best'}) and plain torch.load: the values, and one more step of the "
                  "resumed model and optimizer equals the uninterrupted run's",
                  "test_plain_load_of_a_training_checkpoint", "plain_load_drops_optimizer_state",
                  ("torch.load", "Optimizer.load_state_dict", "Module.load_state_dict")),
            Check("warnings", "state",
                  "the FutureWarning about weights_only on 2.4-2.5, no such warning elsewhere",
                  "test_plain_load_of_a_training_checkpoint", "plain_load_warns_about_weights_only",
                  ("torch.load",)),
            Check("weights-only-true", "spelling",
                  "torch.load(path, weights_only=True) admits the same checkpoint, silently (2.0+); on "
                  "1.13 it refuses the Python floats and admits a state_dict; a TypeError before",
                  "test_weights_only_load_of_a_training_checkpoint",
                  "weights_only_refuses_floats", ("torch.load",)),
            Check("buffer-map-location", "spelling",
                  "saving to and loading from an io.BytesIO with map_location='cpu' and a "
                  "map_location function: the same values and the same warnings",
                  "test_load_from_a_buffer_with_map_location", "map_location_function_is_not_called",
                  ("torch.load", "torch.save")),
        ),
        not_checked=(
            NotChecked("map_location from a CUDA checkpoint", _NO_GPU[1]),
            NotChecked("torch.load(mmap=True) and load_state_dict(assign=True)",
                       "newer options (2.1+) for large checkpoints, not what a plain resume uses"),
        ),
    ),
    Claim(
        "save.zip-archive", (),
        "A file written by torch.save is a zip archive (zipfile.is_zipfile is True) with the pickle "
        "in data.pkl, so tools can inspect checkpoints with zipfile; the legacy format can still be "
        "asked for.",
        (
            Expectation(
                ">=1.13", V.HOLDS,
                "As stated: the archive's top folder is the file's name less its extension "
                "('ckpt/data.pkl' for ckpt.pt; 'archive/' for a buffer), with version '3' and the "
                "storages under data/; _use_new_zipfile_serialization=False writes the legacy "
                "format, which torch.load reads.",
                key="zip-stem", since="1.13",
                evidence="run: 1.13.0 names the top folder after the file (ckpt/); 1.12.1 names it "
                "archive/",
            ),
            Expectation(
                ">=1.6,<1.13", V.HOLDS,
                "As stated, with the top folder 'archive/' for files and buffers alike.",
                key="zip-archive", since="1.6",
                evidence="run: 1.6.0 writes a zip archive (archive/data.pkl); 1.5.1 writes the legacy "
                "format (zipfile.is_zipfile False)",
            ),
            Expectation(
                "<1.6", V.WRONG,
                "torch.save writes the legacy format: a pickle stream followed by the raw storages; "
                "zipfile.is_zipfile is False. torch.load reads it.",
                key="legacy",
                evidence="run: 1.5.1 and 1.0.1 write files zipfile does not open",
            ),
        ),
        observe="is_zipfile, the archive's records, the loaded values",
        area="training",
        answer="Since torch 1.6 a checkpoint is a zip archive; its top folder is the file's stem from "
               "1.13 (archive/ before, and for buffers).",
        checks=(
            Check("example", "example",
                  "torch.save to ckpt.pt: zipfile.is_zipfile, one top folder (ckpt or archive) with "
                  "data.pkl (a pickle), version ('3') and data/<storage>; torch.load reads it back",
                  "test_torch_save_writes_a_zip_archive", "torch_save_to_paths_writes_legacy",
                  ("torch.save", "torch.load")),
            Check("top-folder", "values",
                  "the archive's top folder for a file: 'ckpt' from 1.13, 'archive' on 1.6-1.12",
                  "test_torch_save_writes_a_zip_archive", "archive_top_folder_is_always_archive",
                  ("torch.save",)),
            Check("buffer", "spelling",
                  "torch.save into an io.BytesIO: the same archive under 'archive/', read back from the buffer",
                  "test_torch_save_to_a_buffer_writes_a_zip_archive", "torch_save_to_buffers_writes_legacy",
                  ("torch.save", "torch.load")),
            Check("legacy-on-request", "state",
                  "_use_new_zipfile_serialization=False writes a file zipfile does not open, and "
                  "torch.load reads it (1.6+; the default before)", "test_legacy_format_on_request",
                  "legacy_flag_is_ignored", ("torch.save", "torch.load")),
        ),
        not_checked=(
            NotChecked("the records newer releases add (.format_version, byteorder, "
                       ".storage_alignment, .data/serialization_id)",
                       "they are recorded, not required: code that reads checkpoints with zipfile "
                       "reads data.pkl and data/"),
            NotChecked("reading a zip checkpoint with a release older than 1.6",
                       "an old release cannot be installed beside the new one in one run"),
        ),
    ),
    Claim(
        "state-dict.wrapper-prefixes", (),
        "The state_dict of a wrapped model carries the wrapper's prefix: nn.DataParallel(model) "
        "gives 'module.<key>', torch.compile(model) gives '_orig_mod.<key>'; the wrapped model "
        "(.module, ._orig_mod) has the plain keys, and strict loads across the two refuse.",
        (
            Expectation(
                ">=2.1", V.HOLDS,
                "As stated: torch.compile(model) returns an OptimizedModule (nothing is compiled "
                "until it is called) whose keys are '_orig_mod.' + the model's; "
                "consume_prefix_in_state_dict_if_present strips 'module.' in place.",
                key="compile", since="2.1",
                evidence="run: 2.1.0 torch.compile(model).state_dict() keys start with '_orig_mod.' "
                "on Python 3.11; 2.0.1 raises RuntimeError 'Python 3.11+ not yet supported for "
                "torch.compile' there",
            ),
            Expectation(
                ">=2.0,<2.1", V.HOLDS_WITH_CAVEAT,
                "As stated on Python 3.8-3.10; on Python 3.11+ torch.compile raises RuntimeError "
                "('Python 3.11+ not yet supported for torch.compile'), so there is no compiled "
                "wrapper there. DataParallel as stated.",
                key="compile-py310", since="2.0",
                evidence="run: 2.0.0 has torch.compile (RuntimeError on Python 3.11); 1.13.1 has no "
                "torch.compile",
            ),
            Expectation(
                ">=1.9,<2.0", V.HOLDS_WITH_CAVEAT,
                "DataParallel as stated, and consume_prefix_in_state_dict_if_present strips "
                "'module.'; there is no torch.compile yet.",
                key="consume-prefix", since="1.9",
                evidence="run: 1.9.0 has torch.nn.modules.utils.consume_prefix_in_state_dict_if_present; "
                "1.8.1 has not",
            ),
            Expectation(
                "<1.9", V.HOLDS_WITH_CAVEAT,
                "DataParallel as stated; there is no torch.compile and no helper to strip the "
                "prefix (code strips it itself).",
                key="dataparallel",
                evidence="run: 1.8.1 and 1.0.1 prefix DataParallel's keys with 'module.'",
            ),
        ),
        observe="the keys of each wrapper's state_dict, the errors of strict loads across them",
        area="training",
        answer="Save model.state_dict() of the unwrapped model (wrapped.module, compiled._orig_mod), "
               "or strip the prefix with consume_prefix_in_state_dict_if_present before loading.",
        checks=(
            Check("dataparallel", "example",
                  "nn.DataParallel(model).state_dict() keys are 'module.' + the model's; .module is "
                  "the model; a DataParallel model loads them; on a machine without GPUs it runs the "
                  "module itself", "test_dataparallel_state_dict_keys", "dataparallel_keys_lose_the_prefix",
                  ("torch.nn.DataParallel", "Module.state_dict")),
            Check("strict-across", "errors",
                  "a plain model refuses the 'module.' keys with RuntimeError (strict load)",
                  "test_dataparallel_state_dict_keys", "plain_models_accept_prefixed_keys",
                  ("Module.load_state_dict",)),
            Check("strip-prefix", "spelling",
                  "consume_prefix_in_state_dict_if_present(sd, 'module.') strips in place and "
                  "returns None; the plain model then loads strictly (1.9+; absent before)",
                  "test_stripping_the_module_prefix", "consume_prefix_leaves_the_keys",
                  ("torch.nn.modules.utils.consume_prefix_in_state_dict_if_present",)),
            Check("compile", "state",
                  "torch.compile(model) is an OptimizedModule, ._orig_mod is the model, its keys are "
                  "'_orig_mod.' + the model's; strict loads between it and a plain model refuse both "
                  "ways; loading through ._orig_mod works (2.1+; the RuntimeError on 2.0 with Python "
                  "3.11; absent before 2.0)", "test_compiled_model_state_dict_keys",
                  "compiled_keys_lose_the_prefix", ("torch.compile",)),
        ),
        not_checked=(
            NotChecked("DistributedDataParallel", "it needs a process group; its state_dict uses the same "
                       "'module.' prefix as DataParallel"),
            NotChecked("model.compile() (in place, 2.2+), which keeps the plain keys",
                       "its boundary (2.1 / 2.2) was not run"),
            NotChecked("the key order after consume_prefix_in_state_dict_if_present",
                       "recorded, compared sorted: 1.9-2.0 move the bias before the weight"),
            NotChecked(*_NO_GPU),
        ),
    ),
    # ------------------------------------------------------------------ precision
    Claim(
        "tf32.matmul-default", (),
        "float32 matmuls are not silently run in TF32: torch.backends.cuda.matmul.allow_tf32 is "
        "False unless the code opts in (torch.set_float32_matmul_precision('high')); cuDNN "
        "convolutions do allow TF32 (torch.backends.cudnn.allow_tf32 is True).",
        (
            Expectation(
                ">=1.12", V.HOLDS,
                "As stated: allow_tf32 is False, get_float32_matmul_precision() is 'highest'; "
                "set_float32_matmul_precision('high') turns allow_tf32 on and 'highest' off, and "
                "allow_tf32 = True reads back as 'high'; cudnn.allow_tf32 is True.",
                key="off", since="1.12",
                evidence="run: 1.12.0 matmul.allow_tf32 False and get_float32_matmul_precision() "
                "'highest'; 1.11.0 allow_tf32 True, no get_float32_matmul_precision",
            ),
            Expectation(
                ">=1.7,<1.12", V.WRONG,
                "torch.backends.cuda.matmul.allow_tf32 is True by default: float32 matmuls on Ampere "
                "GPUs run in TF32 unless the code sets it to False; there is no "
                "set_float32_matmul_precision. cudnn.allow_tf32 is True.",
                key="on", since="1.7",
                evidence="run: 1.7.0 has both flags, True; 1.6.0 has neither",
            ),
            Expectation(
                "<1.7", V.HOLDS_WITH_CAVEAT,
                "There is no TF32 support and no flag (torch.backends.cuda.matmul and "
                "cudnn.allow_tf32 are missing): float32 matmuls run in float32.",
                key="no-tf32",
                evidence="run: 1.6.0 and 1.0.1 have no torch.backends.cuda.matmul",
            ),
        ),
        observe="the flags' defaults and what the precision setting does to them",
        area="training",
        answer="Off by default since 1.12 (on in 1.7-1.11): call torch.set_float32_matmul_precision('high') "
               "to allow TF32 matmuls.",
        checks=(
            Check("matmul-default", "values",
                  "torch.backends.cuda.matmul.allow_tf32 in a fresh process (False, True on 1.7-1.11, "
                  "absent before), and get_float32_matmul_precision() ('highest', 1.12+)",
                  "test_tf32_defaults", "matmul_tf32_defaults_on", ("torch.backends.cuda.matmul.allow_tf32",
                                                                    "torch.get_float32_matmul_precision")),
            Check("cudnn-default", "values", "torch.backends.cudnn.allow_tf32 is True (1.7+)",
                  "test_tf32_defaults", "cudnn_tf32_defaults_off", ("torch.backends.cudnn.allow_tf32",)),
            Check("precision-setting", "state",
                  "set_float32_matmul_precision('high'/'highest') sets the flag, and the flag reads "
                  "back as the precision (1.12+); on 1.7-1.11 the flag is a plain setting",
                  "test_matmul_precision_setting_drives_the_flag", "precision_setting_leaves_the_flag",
                  ("torch.set_float32_matmul_precision",)),
        ),
        not_checked=(
            NotChecked("the fp32_precision settings of newer releases (torch.backends.cuda.matmul."
                       "fp32_precision, 'ieee'/'tf32')", "their boundary was not run; allow_tf32 and "
                       "the precision setting still drive them"),
            NotChecked("mixing the two spellings: on 2.14.1, torch.set_float32_matmul_precision('high') "
                       "then torch.backends.cuda.matmul.allow_tf32 = False makes "
                       "torch.get_float32_matmul_precision() raise RuntimeError ('... you have used mix "
                       "of the legacy and new APIs to set the matmul precision')",
                       "seen on 2.14.1 only; the release that brought it in was not run"),
            NotChecked("TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1, which flips the default",
                       "recorded by the spec; the claim is about an environment without it"),
            NotChecked(*_NO_GPU),
        ),
    ),
    Claim(
        "amp.cuda-spellings", (),
        "The AMP spellings of torch 1.6, torch.cuda.amp.autocast(...), torch.cuda.amp.GradScaler(...) "
        "and torch.cuda.amp.custom_fwd/custom_bwd, work without warnings (a test suite run with "
        "-W error stays green).",
        (
            Expectation(
                ">=2.4", V.HOLDS_WITH_CAVEAT,
                "They still work, but each use warns (FutureWarning): '`torch.cuda.amp.autocast(args...)` "
                "is deprecated. Please use `torch.amp.autocast('cuda', args...)` instead.', likewise "
                "for GradScaler (torch.amp.GradScaler('cuda', ...)), custom_fwd/custom_bwd "
                "(torch.amp.custom_fwd(..., device_type='cuda')) and torch.cpu.amp.autocast; the "
                "replacements are silent.",
                key="deprecated", since="2.4",
                evidence="run: 2.4.0 warns FutureWarning for each torch.cuda.amp spelling; 2.3.1 is silent",
            ),
            Expectation(
                ">=1.10,<2.4", V.HOLDS,
                "As stated; torch.cpu.amp.autocast() (a Linear runs in bfloat16) and "
                "torch.autocast('cuda') exist too, silent.",
                key="torch-amp", since="1.10",
                evidence="run: 1.10.0 has torch.autocast and torch.cpu.amp.autocast; 1.9.1 has neither",
            ),
            Expectation(
                ">=1.6,<1.10", V.HOLDS,
                "As stated (autocast, GradScaler, custom_fwd/custom_bwd, silent); there is no "
                "device-generic torch.autocast yet.",
                key="cuda-amp", since="1.6",
                evidence="run: 1.6.0 has torch.cuda.amp.autocast and custom_fwd; 1.5.1 has GradScaler only",
            ),
            Expectation(
                ">=1.5,<1.6", V.WRONG,
                "Only torch.cuda.amp.GradScaler exists (silent); there is no autocast and no "
                "custom_fwd.",
                key="scaler-only", since="1.5",
                evidence="run: 1.5.0 has torch.cuda.amp.GradScaler; 1.4.0 has no torch.cuda.amp",
            ),
            Expectation(
                "<1.5", V.WRONG,
                "There is no torch.cuda.amp (AttributeError).",
                key="no-amp",
                evidence="run: 1.4.0 and 1.0.1 have no torch.cuda.amp",
            ),
        ),
        observe="the warnings of each spelling, the dtypes under autocast, the step a disabled GradScaler takes",
        area="training",
        answer="Since 2.4 write torch.amp.autocast('cuda', ...) and torch.amp.GradScaler('cuda', ...); "
               "the torch.cuda.amp spellings still work but warn (FutureWarning).",
        checks=(
            Check("autocast", "example",
                  "torch.cuda.amp.autocast(enabled=False) as a context (float32 out) and "
                  "torch.cuda.amp.autocast(): a FutureWarning naming torch.amp.autocast('cuda', ...) per "
                  "construction from 2.4, none before", "test_cuda_amp_autocast",
                  "cuda_autocast_stays_silent", ("torch.cuda.amp.autocast",)),
            Check("grad-scaler", "spelling",
                  "torch.cuda.amp.GradScaler(enabled=False) through scale/backward/step/update equals "
                  "a plain SGD step; its construction warns from 2.4 (FutureWarning naming "
                  "torch.amp.GradScaler('cuda', ...))", "test_cuda_amp_grad_scaler",
                  "grad_scaler_skips_the_step", ("torch.cuda.amp.GradScaler",)),
            Check("custom-fwd", "spelling",
                  "torch.cuda.amp.custom_fwd/custom_bwd on an autograd.Function: forward and backward "
                  "work; one FutureWarning per decoration from 2.4", "test_cuda_amp_custom_fwd",
                  "custom_bwd_skips_the_backward", ("torch.cuda.amp.custom_fwd", "torch.cuda.amp.custom_bwd")),
            Check("replacements", "spelling",
                  "torch.cpu.amp.autocast() runs a Linear in bfloat16 (1.10+; a FutureWarning from 2.4); "
                  "torch.autocast('cuda', enabled=False) (1.10-2.3) and torch.amp.autocast('cuda'/'cpu'), "
                  "torch.amp.GradScaler('cuda') (2.4+) are silent", "test_torch_amp_spellings",
                  "cpu_autocast_keeps_float32", ("torch.amp.autocast", "torch.amp.GradScaler",
                                                 "torch.cpu.amp.autocast", "torch.autocast")),
        ),
        not_checked=(
            NotChecked("GradScaler enabled on a GPU (inf checks, scale growth)", _NO_GPU[1]),
            NotChecked("torch.amp.autocast / torch.amp.GradScaler on 1.12-2.3 (torch.amp.autocast from "
                       "1.12, GradScaler from 2.3)", "their boundaries were not run; the spec checks "
                       "them where the warnings name them (2.4+)"),
            NotChecked(*_NO_GPU),
        ),
    ),
    # ------------------------------------------------------------------ the loop's helpers
    Claim(
        "meshgrid.default-indexing", (),
        "torch.meshgrid(x, y) without indexing= gives 'ij' grids (len(x) x len(y)), silently.",
        (
            Expectation(
                ">=1.10", V.HOLDS_WITH_CAVEAT,
                "The grids are 'ij' as stated, but the call warns (UserWarning, once per process "
                "unless torch.set_warn_always(True)): 'torch.meshgrid: in an upcoming release, it "
                "will be required to pass the indexing argument.'; indexing='ij' is silent and "
                "indexing='xy' gives numpy's grids.",
                key="warns", since="1.10",
                evidence="run: 1.10.0 warns UserWarning and takes indexing=; 1.9.1 is silent and "
                "raises TypeError for indexing=",
            ),
            Expectation(
                "<1.10", V.HOLDS,
                "As stated; there is no indexing= (TypeError).",
                key="no-indexing",
                evidence="run: 1.9.1 and 1.0.1 give 'ij' grids silently",
            ),
        ),
        observe="the grids, the warnings",
        area="training",
        answer="Pass indexing='ij' (the old default) or 'xy' (numpy's) from 1.10 on; without it "
               "meshgrid warns once per process.",
        checks=(
            Check("example", "example",
                  "torch.meshgrid(a, b) and torch.meshgrid([a, b]): 'ij' grids, the values; three inputs",
                  "test_meshgrid_without_indexing", "meshgrid_defaults_to_xy", ("torch.meshgrid",)),
            Check("warning", "state",
                  "the UserWarning that indexing= will be required (1.10+, made visible with "
                  "torch.set_warn_always(True)); none before", "test_meshgrid_without_indexing",
                  "meshgrid_stays_silent", ("torch.meshgrid", "torch.set_warn_always")),
            Check("indexing-argument", "spelling",
                  "indexing='ij' (silent, the default's grids) and 'xy' (numpy.meshgrid's) (1.10+); "
                  "TypeError before", "test_meshgrid_indexing_argument", "meshgrid_ignores_xy",
                  ("torch.meshgrid",)),
        ),
        not_checked=(
            NotChecked("the warning without set_warn_always", "torch raises it once per process; "
                       "which spec calls meshgrid first is not the claim's business"),
        ),
    ),
    Claim(
        "zero-grad.zeros", (),
        "After model.zero_grad() or optimizer.zero_grad() every parameter's .grad is a zero "
        "tensor (code may read it or add into it before the next backward).",
        (
            Expectation(
                ">=2.0", V.OUTDATED,
                "Every .grad is None: set_to_none=True is the default; zero_grad(set_to_none=False) "
                "gives zeros. The next backward gives the fresh gradient either way.",
                key="none", since="2.0",
                evidence="run: 2.0.0 leaves .grad None after zero_grad(); 1.13.1 leaves zeros",
            ),
            Expectation(
                ">=1.7,<2.0", V.HOLDS,
                "As stated: the same .grad tensors, zeroed in place; zero_grad(set_to_none=True) "
                "gives None.",
                key="zeros", since="1.7",
                evidence="run: 1.7.0 takes set_to_none=; 1.6.0 raises TypeError for it",
            ),
            Expectation(
                "<1.7", V.HOLDS,
                "As stated; there is no set_to_none (TypeError).",
                key="no-set-to-none",
                evidence="run: 1.6.0 and 1.0.1 zero the gradients in place",
            ),
        ),
        observe="the gradients after zero_grad, and after the next backward",
        area="training",
        answer="From torch 2.0 zero_grad() sets .grad to None; pass set_to_none=False where code "
               "reads or adds into .grad before the next backward.",
        checks=(
            Check("module", "example",
                  "model.zero_grad() after a backward: zeros in the same tensors, or None; the next "
                  "backward gives the fresh gradient", "test_module_zero_grad",
                  "module_zero_grad_keeps_the_gradients", ("Module.zero_grad",)),
            Check("optimizer", "spelling",
                  "SGD's and Adam's optimizer.zero_grad(): the same", "test_optimizer_zero_grad",
                  "optimizer_zero_grad_keeps_the_gradients", ("Optimizer.zero_grad",)),
            Check("set-to-none", "spelling",
                  "zero_grad(set_to_none=False) zeros and set_to_none=True None, for module and "
                  "optimizer (1.7+); TypeError before", "test_zero_grad_set_to_none_argument",
                  "set_to_none_false_gives_none", ("Module.zero_grad", "Optimizer.zero_grad")),
        ),
        not_checked=(
            NotChecked("gradients of parameters that never had one", "zero_grad leaves None as None "
                       "on every release; code relying on zeros met them after a backward"),
        ),
    ),
    Claim(
        "data.split-fractions", (),
        "torch.utils.data.random_split(dataset, [0.8, 0.2]) splits by fractions.",
        (
            Expectation(
                ">=1.13", V.HOLDS,
                "As stated: the sizes are floor(fraction x len) with the remainder given one at a "
                "time from the first part ([0.5, 0.3, 0.2] of 11 gives 6, 3, 2); the parts are "
                "disjoint and cover the dataset; lengths still work, and sizes that do not add up "
                "(lengths, or fractions not summing to 1) raise ValueError.",
                key="fractions", since="1.13",
                evidence="run: 1.13.0 splits 10 items by [0.8, 0.2] into 8 and 2; 1.12.1 raises "
                "ValueError 'Sum of input lengths does not equal the length of the input dataset!'",
            ),
            Expectation(
                "<1.13", V.WRONG,
                "Only lengths are accepted: fractions raise ValueError ('Sum of input lengths does "
                "not equal the length of the input dataset!').",
                key="lengths-only",
                evidence="run: 1.12.1 and 1.0.1 raise ValueError for [0.8, 0.2]",
            ),
        ),
        observe="the sizes and indices of each split, the errors",
        area="training",
        answer="From 1.13 random_split takes fractions summing to 1; before, give lengths.",
        checks=(
            Check("example", "example",
                  "[0.8, 0.2] of 10, [0.5, 0.3, 0.2] of 11 and [0.34, 0.33, 0.33] of 10: the sizes "
                  "(the remainder round-robin), disjoint parts covering the dataset",
                  "test_random_split_by_fractions", "fraction_remainders_go_to_the_last_part",
                  ("torch.utils.data.random_split",)),
            Check("errors", "errors",
                  "lengths [8, 2] work; [8, 3] and fractions [0.5, 0.4] raise ValueError 'Sum of input "
                  "lengths ...'", "test_random_split_size_errors", "random_split_accepts_any_lengths",
                  ("torch.utils.data.random_split",)),
        ),
        not_checked=(
            NotChecked("the warning for a fraction that leaves a part empty", "an edge of the fraction "
                       "rounding, not what a train/validation split meets"),
        ),
    ),
    Claim(
        "data.seeded-order", (),
        "A run seeded with torch.manual_seed(0) draws the same data on every release: "
        "random_split's indices, a shuffling DataLoader's order and a fresh model's initial weights.",
        (
            Expectation(
                ">=1.9", V.HOLDS_WITH_CAVEAT,
                "random_split's indices ([[4, 1, 7, 5, 3], [9, 0, 8, 6, 2]] for 10 items), "
                "nn.Linear's initial weights, torch.randn and torch.randperm are the same on every "
                "release; but DataLoader(range(10), shuffle=True) under the global seed yields "
                "[6, 7, 1, 4, 2, 0, 9, 8, 3, 5] since 1.9, another order than 1.7-1.8's and "
                "1.0-1.6's. With generator=torch.Generator().manual_seed(0) the order is "
                "[3, 7, 5, 2, 0, 8, 1, 6, 9, 4] on every release that has it (1.6+).",
                key="order-1.9", since="1.9",
                evidence="run: 1.9.0 shuffles to [6, 7, 1, 4, 2, 0, 9, 8, 3, 5]; 1.8.1 to "
                "[3, 7, 5, 6, 2, 8, 1, 9, 4, 0]",
            ),
            Expectation(
                ">=1.7,<1.9", V.HOLDS_WITH_CAVEAT,
                "As from 1.9, except that the global-seed DataLoader order is "
                "[3, 7, 5, 6, 2, 8, 1, 9, 4, 0].",
                key="order-1.7", since="1.7",
                evidence="run: 1.7.0 shuffles to [3, 7, 5, 6, 2, 8, 1, 9, 4, 0]; 1.6.0 to "
                "[3, 7, 5, 2, 0, 8, 1, 6, 9, 4]",
            ),
            Expectation(
                ">=1.6,<1.7", V.HOLDS_WITH_CAVEAT,
                "As from 1.9, except that the global-seed DataLoader order is "
                "[3, 7, 5, 2, 0, 8, 1, 6, 9, 4] (the generator's order).",
                key="generator", since="1.6",
                evidence="run: 1.6.0 takes generator= in random_split and DataLoader; 1.5.1 raises "
                "TypeError for it",
            ),
            Expectation(
                "<1.6", V.HOLDS_WITH_CAVEAT,
                "The global-seed DataLoader order is [3, 7, 5, 2, 0, 8, 1, 6, 9, 4]; random_split "
                "and the initial weights as from 1.9; there is no generator= (TypeError).",
                key="no-generator",
                evidence="run: 1.5.1 and 1.0.1 shuffle to [3, 7, 5, 2, 0, 8, 1, 6, 9, 4]",
            ),
        ),
        observe="the indices, orders and initial values drawn under each seed",
        area="training",
        answer="random_split and initial weights are stable across releases; a DataLoader's shuffle "
               "order under the global seed changed in 1.7 and 1.9: pass it a seeded generator.",
        checks=(
            Check("split", "values",
                  "random_split(10 items, [5, 5]) after torch.manual_seed(0), and with a seeded "
                  "generator (1.6+): [[4, 1, 7, 5, 3], [9, 0, 8, 6, 2]]",
                  "test_seeded_random_split_indices", "random_split_ignores_the_seed",
                  ("torch.utils.data.random_split", "torch.manual_seed")),
            Check("shuffle-global", "values",
                  "DataLoader(range(10), batch_size=4, shuffle=True) after torch.manual_seed(0): the "
                  "order of the range", "test_seeded_shuffle_order", "shuffle_order_reversed",
                  ("torch.utils.data.DataLoader",)),
            Check("shuffle-generator", "spelling",
                  "the same DataLoader with generator=torch.Generator().manual_seed(0): "
                  "[3, 7, 5, 2, 0, 8, 1, 6, 9, 4], whatever the global seed (1.6+; TypeError before)",
                  "test_seeded_shuffle_order", "generator_order_follows_the_global_seed",
                  ("torch.utils.data.DataLoader", "torch.Generator")),
            Check("init", "values",
                  "nn.Linear(3, 2).weight, torch.randn(4) and torch.randperm(10) after "
                  "torch.manual_seed(0)", "test_seeded_model_init", "linear_init_draws_other_numbers",
                  ("torch.nn.Linear", "torch.randn", "torch.randperm")),
        ),
        not_checked=(
            NotChecked("dropout masks and other random kernels", "seen to differ on 2.0.1 (another "
                       "mask for the same seed than 1.13.1 and 2.14.1); their boundaries were not run"),
            NotChecked("DataLoader workers' seeds (num_workers > 0)", "worker processes are slow to "
                       "start on the oldest releases; the sampler's order is the same with workers"),
            NotChecked("CUDA random numbers", _NO_GPU[1]),
        ),
    ),
    Claim(
        "clip-grad-norm.total-norm", (),
        "torch.nn.utils.clip_grad_norm_(parameters, max_norm) scales the gradients so that their "
        "total norm is at most max_norm and returns the total norm before clipping.",
        (
            Expectation(
                ">=1.10", V.HOLDS,
                "As stated: the norm comes back as a 0-dim float32 tensor; gradients below max_norm "
                "are left as they were. A non-finite gradient gives an inf (or nan) norm and nan "
                "gradients, silently; error_if_nonfinite=True raises RuntimeError instead.",
                key="error-if-nonfinite", since="1.10",
                evidence="run: 1.10.0 is silent for a non-finite norm; 1.9.1 warns FutureWarning "
                "'Non-finite norm encountered in torch.nn.utils.clip_grad_norm_'",
            ),
            Expectation(
                ">=1.9,<1.10", V.HOLDS_WITH_CAVEAT,
                "As from 1.10, except that a non-finite norm warns (FutureWarning) that the default "
                "may become an error; error_if_nonfinite= is new.",
                key="nonfinite-warns", since="1.9",
                evidence="run: 1.9.0 takes error_if_nonfinite= and warns for a non-finite norm; "
                "1.8.1 raises TypeError for error_if_nonfinite",
            ),
            Expectation(
                ">=1.5,<1.9", V.HOLDS,
                "As stated (a 0-dim tensor); a non-finite gradient gives nan gradients silently; "
                "there is no error_if_nonfinite (TypeError).",
                key="tensor", since="1.5",
                evidence="run: 1.5.0 returns a tensor; 1.4.0 returns a Python float",
            ),
            Expectation(
                "<1.5", V.HOLDS_WITH_CAVEAT,
                "It clips as stated, but the total norm comes back as a Python float, not a tensor "
                "(a 0-dim tensor only for norm_type=inf); there is no error_if_nonfinite.",
                key="float",
                evidence="run: 1.4.0 and 1.0.1 return a Python float",
            ),
        ),
        observe="the returned norm and its type, the gradients after clipping, the non-finite case",
        area="training",
        answer="It returns the total norm before clipping (a tensor since 1.5); non-finite gradients "
               "become nan silently unless error_if_nonfinite=True (1.9+).",
        checks=(
            Check("example", "example",
                  "gradients [3, 4] and [12] clipped to 1: scaled by 1/13, 13 returned",
                  "test_clip_grad_norm_scales_and_returns_the_norm", "clip_grad_norm_returns_the_clipped_norm",
                  ("torch.nn.utils.clip_grad_norm_",)),
            Check("return-type", "values",
                  "the returned norm: a 0-dim float32 tensor without grad (1.5+) or a float",
                  "test_clip_grad_norm_scales_and_returns_the_norm", "clip_grad_norm_returns_floats",
                  ("torch.nn.utils.clip_grad_norm_",)),
            Check("below-max", "values",
                  "a gradient below max_norm is left exactly as it was; one tensor instead of a list; "
                  "norm_type=inf", "test_clip_grad_norm_scales_and_returns_the_norm",
                  "clip_grad_norm_always_rescales", ("torch.nn.utils.clip_grad_norm_",)),
            Check("non-finite", "errors",
                  "a gradient [inf, 1]: inf returned and [nan, 0] left (the FutureWarning on 1.9); "
                  "error_if_nonfinite=True raises RuntimeError and leaves it (1.9+; TypeError before)",
                  "test_clip_grad_norm_non_finite", "error_if_nonfinite_ignored",
                  ("torch.nn.utils.clip_grad_norm_",)),
        ),
        not_checked=(
            NotChecked("parameters without gradients", "1.5.0 raises RuntimeError 'stack expects a "
                       "non-empty TensorList' where other releases return 0; not a training step's case"),
            NotChecked("foreach= and torch.nn.utils.get_total_norm / clip_grads_with_norm_",
                       "newer options and helpers; the result is the same"),
        ),
    ),
    Claim(
        "lr-scheduler.step-order", (),
        "Calling scheduler.step() at the start of each epoch, before optimizer.step(), runs the "
        "first epoch with the initial learning rate (the schedule torch 1.0 code was written for).",
        (
            Expectation(
                ">=1.2", V.OUTDATED,
                "The first value is skipped: StepLR(step_size=1, gamma=0.5) from 0.1 runs the epochs "
                "with 0.05, 0.025, 0.0125, and the first scheduler.step() warns (UserWarning 'Detected "
                "call of `lr_scheduler.step()` before `optimizer.step()`'). Stepping the optimizer "
                "first gives 0.1, 0.05, 0.025, silently.",
                key="shifted-warns", since="1.2",
                evidence="run: 1.2.0 warns UserWarning 'Detected call of `lr_scheduler.step()` before "
                "`optimizer.step()`'; 1.1.0 skips the first value silently",
            ),
            Expectation(
                ">=1.1,<1.2", V.OUTDATED,
                "The first value is skipped (0.05, 0.025, 0.0125), silently; stepping the optimizer "
                "first gives 0.1, 0.05, 0.025.",
                key="shifted", since="1.1",
                evidence="run: 1.1.0 runs the epochs with 0.05, 0.025, 0.0125; 1.0.1 with 0.1, 0.05, 0.025",
            ),
            Expectation(
                "<1.1", V.HOLDS,
                "As stated (0.1, 0.05, 0.025); stepping the optimizer first repeats the first value "
                "(0.1, 0.1, 0.05).",
                key="pre-1.1",
                evidence="run: 1.0.1 runs the epochs with 0.1, 0.05, 0.025",
            ),
        ),
        observe="the learning rate of each epoch, the warnings",
        area="training",
        answer="From 1.1 call optimizer.step() first and scheduler.step() after it, once per epoch.",
        checks=(
            Check("example", "example",
                  "scheduler.step() then optimizer.step() for 3 epochs of StepLR(1, 0.5) from 0.1: "
                  "the learning rate each epoch runs with", "test_scheduler_step_before_optimizer_step",
                  "scheduler_first_keeps_the_initial_lr", ("torch.optim.lr_scheduler.StepLR",)),
            Check("warning", "state",
                  "the UserWarning about the order (1.2+), none before",
                  "test_scheduler_step_before_optimizer_step", "scheduler_order_stays_silent",
                  ("torch.optim.lr_scheduler.StepLR",)),
            Check("optimizer-first", "spelling",
                  "optimizer.step() then scheduler.step(): the learning rates, silently",
                  "test_scheduler_step_after_optimizer_step", "optimizer_first_repeats_the_first_lr",
                  ("torch.optim.lr_scheduler.StepLR",)),
        ),
        not_checked=(
            NotChecked("scheduler.step(epoch) (deprecated from 1.4) and other schedulers",
                       "every scheduler shares the base class's step counting; StepLR shows it"),
        ),
    ),
)
