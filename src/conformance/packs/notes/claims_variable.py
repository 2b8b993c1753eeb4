"""Claims of the notes pack: Variable, volatile and no_grad (§1, §5, §14).

One record per claim: what the note says (paraphrased), what is true per release range with
its evidence, and the reach of its specs (``checks``: what they probe, each with the spec and
the breakage that shows the probe can fail; ``not_checked``: what they leave out, and why).
The specs are ``specs/spec_variable.py``; the breakages ``tests/breakages/variable.py``.
Imports nothing heavy: the CLI, report and diff read it without torch.
"""
from conformance import verdicts as V
from conformance.records import EVERY_RUN, Check, Claim, Expectation, Idiom, NotChecked, always  # noqa: F401

_NO_GRAD_VIEWS = (
    "Views of an input that requires grad taken under no_grad (slices, a transpose, an index, "
    "view) are the exception on every release: they report requires_grad=True, though nothing "
    "is recorded (no grad_fn) and a later use does not reach the input (pytorch/pytorch#11390).")
_NO_GRAD_FORMS = (
    "Results computed under torch.no_grad() have requires_grad=False and no grad_fn, as a context "
    "manager, as a @torch.no_grad() decorator, nested (enable_grad switches recording back on, "
    "every block puts back the mode it found) and as torch.set_grad_enabled(False); in-place "
    "updates of a leaf under no_grad are allowed and unrecorded. ")
_NO_GRAD_EVIDENCE = ("run: 1.0.1, 1.4.0, 1.8.1, 1.13.1, 2.0.1 and 2.14.1 all give a[1:] taken under no_grad "
                     "requires_grad=True and grad_fn None")

# What the note was doing (the setting of a claim page), shared by several claims
VARIABLE = ("The notes were written for torch 0.3, when autograd lived in a separate class: a tensor had "
             "to be wrapped as torch.autograd.Variable(t) to take part in gradients, and the plain values "
             "were read back through the wrapper's .data.")

# The examples: each function's body is a runnable script (claim pages, explain; tests/test_examples.py runs it)

def _variable_wraps_tensor():
    import torch
    from torch.autograd import Variable

    v = Variable(torch.tensor([1.0, 2.0, 3.0]), requires_grad=True)  # still accepted: a shim
    assert type(v) is torch.Tensor
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)  # what to write today
    y = x * 3
    assert type(y.grad_fn).__name__.startswith("Mul")  # e.g. MulBackward0
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0, 3.0]


def _variable_is_tensor():
    import torch
    from torch.autograd import Variable

    v = Variable(torch.arange(4.0), requires_grad=True)
    assert isinstance(v, torch.Tensor)  # no wrapper: it is the tensor
    values = v.detach()  # preferred to v.data: same storage, no grad
    assert values.data_ptr() == v.data_ptr() and not values.requires_grad
    assert v.data.data_ptr() == v.data_ptr()  # .data shares storage too, but hides writes from autograd


def _variable_volatile():
    import warnings

    import torch
    from torch.autograd import Variable

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Variable(torch.ones(3), volatile=True)  # does nothing but warn
    assert any("volatile" in str(w.message) for w in caught)

    x = torch.ones(3, requires_grad=True)
    with torch.no_grad():  # what to write instead
        y = x * 2
    assert not y.requires_grad


def _no_grad_inherited():
    import torch

    x = torch.randn(4, requires_grad=True)
    with torch.no_grad():
        y = x * 2
        z = (y + x).sum()
    assert not y.requires_grad and y.grad_fn is None and not z.requires_grad
    assert (x * 2).requires_grad  # outside the block, recording resumes


CLAIMS = (
    Claim(
        "variable.wraps-tensor", (1, 14),
        "Wrapping a tensor as Variable(t) gives it autograd: .data holds the values, .grad_fn "
        "names the operation that made a result, .grad holds the gradient after backward.",
        always(
            V.HOLDS_WITH_CAVEAT,
            "The attributes behave as described, but Variable is a deprecated shim: Variable(t) "
            "returns a plain torch.Tensor and torch.tensor(..., requires_grad=True) is the modern form.",
            evidence="run: Variable(t) is torch.Tensor on every release run; docs: 0.4.0 release "
            "notes merged Variable into Tensor",
        ),
        observe="type returned by Variable(t); grad_fn class name",
        area="variable",
        checks=(
            Check("note-example", "example", "the note's example: Variable(t, requires_grad=True), its .data, the "
                  "grad_fn of v * 3 and .grad after backward", "test_variable_exposes_data_grad_fn_and_grad",
                  "grad_of_fresh_leaf_is_zeros", ("torch.autograd.Variable", "Tensor.data", "Tensor.grad_fn", "Tensor.grad",
                                 "Tensor.backward")),
            Check("requires-grad-forms", "spelling", "requires_grad passed positionally (Variable(t, True)), as a "
                  "keyword, False, left out, and set later with requires_grad_()",
                  "test_variable_requires_grad_positional_keyword_and_default",
                  "variable_ignores_positional_requires_grad", ("torch.autograd.Variable", "Tensor.requires_grad_")),
            Check("grad-fn-spellings", "spelling", "grad_fn names Add, Sub, Mul or Div for the operator, method and "
                  "torch-function spelling of each op (v / 2, v.div(2), torch.div(v, 2), ...) and links back to the leaf",
                  "test_grad_fn_names_the_operation_in_every_spelling", "division_recorded_as_multiplication",
                  ("Tensor.grad_fn", "torch.add", "torch.sub", "torch.mul", "torch.div", "Tensor.div")),
            Check("dtypes", "values", "float64 values (0.1, 1/3, 1 + 2**-52) kept bit for bit by Variable(t), .data "
                  "and the float64 gradient; float32 kept as float32", "test_variable_keeps_the_dtype_and_full_precision",
                  "variable_casts_to_float32", ("torch.autograd.Variable", "Tensor.data")),
            Check("shapes", "shapes", "0-dim (no longer made 1-D as in 0.3), empty, (2, 0), 3-D, transposed and "
                  "step-sliced tensors keep shape and strides, and their gradient has the shape",
                  "test_variable_keeps_every_shape", "variable_makes_scalars_one_dimensional",
                  ("torch.autograd.Variable", "Tensor.grad")),
            Check("shares-wrapped-tensor", "state", "Variable(t) shares t's storage both ways (writes to t show "
                  "through it and back) and leaves t not requiring grad", "test_variable_shares_the_wrapped_tensor",
                  "variable_copies_its_tensor", ("torch.autograd.Variable",)),
            Check("integer-refused", "errors", "Variable(integer tensor, requires_grad=True) is refused "
                  "(RuntimeError 'floating point'); without the flag it wraps as it is",
                  "test_variable_refuses_grad_for_integer_tensors", "variable_accepts_integer_grad",
                  ("torch.autograd.Variable",)),
        ),
        not_checked=(
            NotChecked("float16/bfloat16 Variables and their gradients",
                       "half-precision CPU arithmetic is missing on the oldest releases; the claim's wording is "
                       "about the attributes, which the float32/float64 probes cover"),
            NotChecked("Variable(t, requires_grad=True) on a tensor that already requires grad or is a non-leaf",
                       "not in the note; the behaviour (a new leaf sharing storage) is Tensor.detach's, checked "
                       "under variable.is-tensor"),
        ),
        answer="Tensors do autograd themselves: create them with requires_grad=True (or call "
        "t.requires_grad_()). Variable(t) still runs but returns a plain torch.Tensor; .data, .grad_fn and "
        ".grad behave as the note says.",
        setting=VARIABLE,
        topic='Variable, volatile and no_grad',
        questions=('Do I still need `Variable`?',),
        example=_variable_wraps_tensor,
    ),
    Claim(
        "variable.is-tensor", (14,),
        "A Variable is a wrapper around a tensor, and .data takes the plain tensor back out.",
        (Expectation(
            ">=1.0", V.OUTDATED,
            "Since 0.4 there is no wrapper: Variable(t) is itself a torch.Tensor. .data still "
            "returns a tensor that shares storage with it and does not require grad (prefer .detach()).",
            since="0.4.0",
            evidence="run: isinstance(Variable(t), torch.Tensor) on every release run; docs: 0.4.0 "
            "release notes ('Tensor and Variable have merged')",
        ),),
        observe="isinstance; storage sharing",
        area="variable",
        checks=(
            Check("note-example", "example", "the note's picture: Variable(t) is a plain torch.Tensor; .data shares "
                  "its storage, does not require grad, and a write through it shows",
                  "test_variable_is_a_tensor_and_data_shares_storage", "variable_returns_a_legacy_subclass",
                  ("torch.autograd.Variable", "Tensor.data")),
            Check("isinstance-variable", "spelling", "isinstance(t, Variable) holds for every tensor (plain, int64, "
                  "a result, Variable(t)) and not for a float, a list or None", "test_every_tensor_is_a_variable",
                  "variable_isinstance_rejects_plain_tensors", ("torch.autograd.Variable",)),
            Check("data-of-views", "shapes", ".data of views (row slice, step slice, transpose, index, column) has "
                  "the view's data_ptr, shape, strides and offset, and writes through it show in the base",
                  "test_data_of_views_shares_storage", "data_of_views_is_contiguous_copy", ("Tensor.data",)),
            Check("data-versus-detach", "state", "an in-place edit through .data leaves the version counter and "
                  "backward uses the edited values; one through .detach() bumps it and backward refuses; a .data "
                  "taken earlier sees later in-place edits of the variable",
                  "test_data_versus_detach", "data_is_detach", ("Tensor.data", "Tensor.detach", "Tensor.backward")),
            Check("data-assignment", "spelling", "v.data = t (of another shape) swaps the values in; v stays a leaf "
                  "requiring grad, sharing t's storage, and its gradient has the new shape",
                  "test_assigning_data_replaces_the_values", "data_setter_ignored", ("Tensor.data",)),
        ),
        not_checked=(
            NotChecked(".data of a tensor that a view was taken from, edited after the view was used in a graph",
                       "the interplay of views and version counters is autograd's, not this claim's"),
        ),
        answer="There is no wrapper any more: Variable(t) is a torch.Tensor. .data returns a tensor that shares "
        "storage and does not require grad; .detach() does the same and is the safer spelling.",
        setting=VARIABLE,
        topic='Variable, volatile and no_grad',
        idioms=(
            Idiom('`Variable(torch.Tensor([1]), requires_grad=True)`',
                  '`torch.tensor([1.0], requires_grad=True)`',
                  also=('variable.wraps-tensor',)),
            Idiom('`inputs.data` to get the tensor out of a Variable',
                  'nothing to unwrap; `inputs.detach()` for a copy cut off from autograd'),
        ),
        example=_variable_is_tensor,
    ),
    Claim(
        "variable.volatile", (5,),
        "Creating a Variable with volatile=True switches gradient computation off, and results "
        "computed from it inherit the flag.",
        (Expectation(
            ">=1.0", V.OUTDATED,
            "volatile is ignored: passing it only warns (UserWarning 'volatile was removed and now "
            "has no effect'), results require grad whenever their inputs do, and volatile=True "
            "together with requires_grad=True is refused (ValueError). torch.no_grad() replaces it.",
            since="0.4.0",
            evidence="run: 1.0.1 .. 2.15.0 warn 'volatile was removed and now has no effect. Use "
            "`with torch.no_grad():` instead.'; docs: 0.4.0 release notes deprecate volatile",
        ),),
        observe="warning category and text; requires_grad of results",
        area="variable",
        checks=(
            Check("note-example", "example", "volatile=True as a keyword warns that it has no effect, results can "
                  "require grad and backpropagate, and volatile=True with requires_grad=True is refused",
                  "test_volatile_is_ignored_with_a_warning", "volatile_keyword_silently_dropped", ("torch.autograd.Variable",)),
            Check("positional", "spelling", "the 0.3 positional form Variable(t, False, True) warns the same way, and "
                  "Variable(t, True, True) is refused (ValueError)", "test_volatile_passed_positionally",
                  "volatile_positional_silently_dropped", ("torch.autograd.Variable",)),
            Check("volatile-false", "values", "volatile=False said explicitly: no warning, accepted with "
                  "requires_grad=True, results recorded", "test_volatile_false_is_the_default",
                  "volatile_false_refused", ("torch.autograd.Variable",)),
            Check("attribute", "state", "the .volatile attribute reads False with a UserWarning on plain tensors, on "
                  "ones requiring grad, on a 'volatile' Variable and on its results; setting it warns and changes "
                  "nothing", "test_volatile_attribute_is_always_false", "volatile_attribute_reports_no_grad",
                  ("Tensor.volatile",)),
            Check("mixed-inputs", "state", "a result of a 'volatile' tensor and a tensor requiring grad requires "
                  "grad and backward reaches that input (in 0.3 volatile won)",
                  "test_volatile_input_does_not_stop_other_inputs_grad", "volatile_tensors_poison_results",
                  ("torch.autograd.Variable", "Tensor.backward")),
        ),
        not_checked=(
            NotChecked("volatile passed to other constructors (torch.tensor, Tensor.new)",
                       "they never took it; the note speaks of Variable only"),
        ),
        answer="volatile=True does nothing except warn that it was removed; results still require grad when their "
        "inputs do. Compute inside `with torch.no_grad():` instead.",
        setting="§5 says a Variable created with volatile=True (default False) computes no gradients, and that "
        "everything derived from it is volatile too: the 0.3 way to run a model for inference.",
        topic='Variable, volatile and no_grad',
        idioms=(
            Idiom('`Variable(x, volatile=True)` for inference',
                  '`with torch.no_grad():` around the computation',
                  also=('autograd.no-grad-inherited',)),
        ),
        questions=('What replaced `volatile=True`?',),
        example=_variable_volatile,
    ),
    Claim(
        "autograd.no-grad-inherited", (5,),
        "The modern form of the volatile flag: whatever is computed inside torch.no_grad() does "
        "not require grad, even from inputs that do.",
        (
            Expectation(
                ">=2.1", V.HOLDS_WITH_CAVEAT,
                _NO_GRAD_FORMS + "The bare @torch.no_grad (no parentheses) decorates too, a decorated generator "
                "function runs every step without grad, and torch.inference_mode() goes further (inference "
                "tensors). " + _NO_GRAD_VIEWS,
                key="default", since="2.1.0",
                evidence=_NO_GRAD_EVIDENCE + "; run: 2.1.0 the bare @torch.no_grad decorates; 2.0.1 raises "
                "TypeError 'no_grad.__init__() takes 1 positional argument but 2 were given'",
            ),
            Expectation(
                ">=1.10,<2.1", V.HOLDS_WITH_CAVEAT,
                _NO_GRAD_FORMS + "A decorated generator function runs every step without grad, and "
                "torch.inference_mode() exists (Tensor.is_inference() tells its results); the bare "
                "@torch.no_grad (no parentheses) is a TypeError. " + _NO_GRAD_VIEWS,
                key="no-bare-decorator", since="1.10.0",
                evidence=_NO_GRAD_EVIDENCE + "; run: 1.10.0 results of torch.inference_mode() have "
                "is_inference() True; 1.9.1 has no Tensor.is_inference",
            ),
            Expectation(
                ">=1.9,<1.10", V.HOLDS_WITH_CAVEAT,
                _NO_GRAD_FORMS + "A decorated generator function runs every step without grad, and "
                "torch.inference_mode() exists (as a context manager and a decorator; autograd refuses to save "
                "its results), but there is no Tensor.is_inference to tell an inference tensor yet; the bare "
                "@torch.no_grad (no parentheses) is a TypeError. " + _NO_GRAD_VIEWS,
                key="no-is-inference", since="1.9.0",
                evidence=_NO_GRAD_EVIDENCE + "; run: 1.9.0 has torch.inference_mode (its results refused by "
                "autograd) and no Tensor.is_inference; 1.8.1 has no torch.inference_mode",
            ),
            Expectation(
                ">=1.5,<1.9", V.HOLDS_WITH_CAVEAT,
                _NO_GRAD_FORMS + "A decorated generator function runs every step without grad; there is no "
                "torch.inference_mode yet, and the bare @torch.no_grad is a TypeError. " + _NO_GRAD_VIEWS,
                key="no-inference-mode", since="1.5.0",
                evidence=_NO_GRAD_EVIDENCE + "; run: 1.5.0 a @torch.no_grad() generator yields results that do not "
                "require grad; 1.4.0 yields results that require grad",
            ),
            Expectation(
                "<1.5", V.HOLDS_WITH_CAVEAT,
                _NO_GRAD_FORMS + "But @torch.no_grad() on a generator function only covers creating the "
                "generator: its body runs with grad on and its results require grad. There is no "
                "torch.inference_mode, and the bare @torch.no_grad is a TypeError. " + _NO_GRAD_VIEWS,
                key="generator-body-outside",
                evidence=_NO_GRAD_EVIDENCE + "; run: 1.0.0 .. 1.4.0 a @torch.no_grad() generator yields results "
                "that require grad",
            ),
        ),
        observe="requires_grad of results per form; views; grad mode after each block",
        area="variable",
        checks=(
            Check("note-example", "example", "with torch.no_grad(): results of an input requiring grad (and results "
                  "of those) do not require grad and have no grad_fn; outside recording resumes",
                  "test_results_under_no_grad_do_not_require_grad", "no_grad_add_is_recorded", ("torch.no_grad",)),
            Check("decorator", "spelling", "@torch.no_grad() on a function (grad mode back on after the call, the "
                  "name kept) and, where it exists, the bare @torch.no_grad", "test_no_grad_as_a_decorator",
                  "no_grad_decorator_returns_the_function", ("torch.no_grad",)),
            Check("generator", "spelling", "@torch.no_grad() on a generator function: every step runs without grad "
                  "and the caller's mode is back between steps (on the oldest releases: the body runs with grad)",
                  "test_no_grad_on_a_generator_function", "no_grad_generator_body_runs_outside", ("torch.no_grad",)),
            Check("nested", "state", "an inner no_grad inside an outer one, or inside set_grad_enabled(False), "
                  "leaves grad off on exit; one no_grad object used for two blocks", "test_nested_no_grad_keeps_grad_off",
                  "no_grad_exit_always_enables", ("torch.no_grad", "torch.set_grad_enabled", "torch.is_grad_enabled")),
            Check("enable-grad", "spelling", "torch.enable_grad() inside no_grad records again, as a context manager "
                  "and as a decorator, and the gradient flows; no_grad's mode is back after it",
                  "test_enable_grad_inside_no_grad", "enable_grad_does_nothing", ("torch.enable_grad", "torch.no_grad")),
            Check("set-grad-enabled", "spelling", "torch.set_grad_enabled(False) as a context manager (mode positional "
                  "and mode=), set_grad_enabled(True/False) inside no_grad, and as a plain call until the next one",
                  "test_set_grad_enabled_forms", "set_grad_enabled_exit_enables",
                  ("torch.set_grad_enabled", "torch.is_grad_enabled")),
            Check("inference-mode", "spelling", "torch.inference_mode() as a context manager and a decorator: results "
                  "do not require grad, are inference tensors (Tensor.is_inference, from 1.10), and autograd refuses "
                  "to save them (where it exists)",
                  "test_inference_mode", "inference_mode_is_no_grad",
                  ("torch.inference_mode", "torch.is_inference_mode_enabled", "Tensor.is_inference")),
            Check("in-place", "state", "in-place updates under no_grad (the SGD step add_(-lr * grad), -=, mul_, "
                  "a[0] = v) keep a leaf a leaf requiring grad with no grad_fn; a non-leaf keeps its grad_fn and "
                  "gradient; outside no_grad the leaf update is refused", "test_in_place_updates_under_no_grad",
                  "no_grad_add_detaches_the_leaf", ("Tensor.add_", "Tensor.mul_", "torch.no_grad")),
            Check("results-and-views", "shapes", "results of reductions (dim=, keepdim=, negative dim), cat, mm, "
                  "F.linear, nn.Linear and float64 3-D ops under no_grad do not require grad; views (slice, step, "
                  "transpose, index, view) report requires_grad=True but have no grad_fn and do not reach the input",
                  "test_views_and_other_results_under_no_grad", "no_grad_views_are_recorded",
                  ("torch.no_grad", "Tensor.__getitem__", "F.linear", "nn.Linear")),
        ),
        not_checked=(
            NotChecked("no_grad in other threads", "grad mode is thread-local; the note's use is single-threaded and "
                       "threads would cost the budget"),
            NotChecked("set_grad_enabled and inference_mode(False) as decorators, inference_mode nested in no_grad",
                       "only on newer releases and outside the note's volatile replacement; the context-manager "
                       "forms are checked"),
            NotChecked("forward-mode AD (torch.autograd.forward_ad) under no_grad", "no_grad does not apply to it, "
                       "and the note knows only backward"),
        ),
        answer="Everything computed inside `with torch.no_grad():` has no grad_fn and requires_grad=False, even "
        "from inputs that require grad (except views, which still report requires_grad=True); outside the block "
        "recording resumes.",
        setting="§5's volatile flag switched gradients off for whatever was derived from a Variable; "
        "torch.no_grad() is the form that replaced it, and this claim checks that it is inherited the "
        "same way.",
        topic='Variable, volatile and no_grad',
        example=_no_grad_inherited,
    ),
)
