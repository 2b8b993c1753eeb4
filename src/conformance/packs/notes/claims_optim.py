"""Claims of the notes pack: the training step: loss, zero_grad, backward, SGD with momentum (§2, §4).

One record per claim: what the note says (paraphrased), what is true per release range with
its evidence, and the reach of its specs (``checks``: what they probe, each with the spec and
the breakage that shows the probe can fail; ``not_checked``: what they leave out, and why).
The specs are ``specs/spec_optim.py``; the breakages ``tests/breakages/optim.py``.
Imports nothing heavy: the CLI, report and diff read it without torch.
"""
from conformance import verdicts as V
from conformance.records import EVERY_RUN, Check, Claim, Expectation, Idiom, NotChecked, always  # noqa: F401

_NO_GPU = "the specs run on CUDA too where a GPU is present; CI has none, so the CUDA kernels go unchecked there"

_CE = "It equals the mean of -log_softmax(output)[i, target[i]]"
_SGD = ("Updates follow PyTorch's documented form b = mu*b + g, p = p - lr*b (first step "
        "b = g), which differs from the textbook (Sutskever) v = mu*v + lr*g by where lr enters")

# What the note was doing (the setting of a claim page), shared by several claims
STEP = ("§2 lists one optimisation step of a classifier: criterion = nn.CrossEntropyLoss(), loss = "
         "criterion(output, target), an SGD optimizer with lr=0.01 and momentum=0.9, then "
         "optimizer.zero_grad(), loss.backward() and optimizer.step(); §4 adds that gradients must be "
         "cleared before each backward pass because they accumulate.")

# The examples: each function's body is a runnable script (claim pages, explain; tests/test_examples.py runs it)

def _crossentropy():
    import torch

    logits = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])  # raw scores, no softmax
    target = torch.tensor([0, 1])  # class indices
    loss = torch.nn.CrossEntropyLoss()(logits, target)
    by_hand = -torch.log_softmax(logits, 1)[torch.arange(2), target].mean()
    assert torch.allclose(loss, by_hand)


def _zero_grad():
    import torch

    model = torch.nn.Linear(3, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    model(torch.randn(4, 3)).sum().backward()
    opt.zero_grad()
    assert model.weight.grad is None  # None (zeros before 2.0)

    model(torch.randn(4, 3)).sum().backward()
    opt.zero_grad(set_to_none=False)  # zeros, when asked for
    assert model.weight.grad is not None and not model.weight.grad.any()


def _backward_fills_grads():
    import torch

    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    loss = torch.nn.CrossEntropyLoss()(net(torch.randn(5, 3)), torch.tensor([0, 1, 1, 0, 1]))
    loss.backward()
    assert all(p.grad is not None and p.grad.shape == p.shape for p in net.parameters())


def _sgd_momentum_step():
    import torch

    p = torch.tensor([1.0], requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.01, momentum=0.9)
    expected, buf = 1.0, None
    for _ in range(3):
        opt.zero_grad()
        (p ** 2 / 2).sum().backward()  # gradient g = p
        g = expected
        buf = g if buf is None else 0.9 * buf + g  # b = mu*b + g (first step: b = g)
        expected -= 0.01 * buf  # p = p - lr*b
        opt.step()
    assert abs(p.item() - expected) < 1e-6


CLAIMS = (
    Claim(
        "optim.crossentropy", (2,),
        "nn.CrossEntropyLoss()(output, target) takes raw scores (logits) and class indices.",
        (
            Expectation(
                ">=1.11", V.HOLDS,
                _CE + ", in the module and the functional form, with reduction=, ignore_index, "
                "weight=, label_smoothing=, class-probability targets and an unbatched (C,) input; "
                "a mean over targets that are all ignored is nan (0/0).",
                key="default", since="1.11.0",
                evidence="run: 1.11.0 takes an unbatched (C,) input and gives nan when every target is "
                "ignored; 1.10.2 refuses the (C,) input and gives 0",
            ),
            Expectation(
                ">=1.10,<1.11", V.HOLDS,
                _CE + ", in the module and the functional form, with reduction=, ignore_index, "
                "weight=, label_smoothing= and class-probability targets; there is no unbatched (C,) "
                "input yet, and a mean over targets that are all ignored is 0.",
                key="no-unbatched", since="1.10.0",
                evidence="run: 1.10.0 takes label_smoothing= and class-probability targets; 1.9.1 "
                "refuses both",
            ),
            Expectation(
                ">=1.4,<1.10", V.HOLDS,
                _CE + ", with reduction=, ignore_index and weight=; there is no label_smoothing=, no "
                "class-probability target and no unbatched input yet, and a mean over targets that "
                "are all ignored is 0. An empty batch gives nan.",
                key="ignored-zero", since="1.4.0",
                evidence="run: 1.4.0 gives nan for an empty batch (0 for the sum, an empty tensor for "
                "'none'); 1.3.1 raises RuntimeError",
            ),
            Expectation(
                ">=1.2,<1.4", V.HOLDS,
                _CE + ", with reduction=, ignore_index and weight=; no label_smoothing=, class-probability "
                "targets or unbatched input, a mean over all-ignored targets is 0, and an empty batch "
                "raises RuntimeError. float32 scores of magnitude 1e4 give the exact losses.",
                key="empty-raises", since="1.2.0",
                evidence="run: 1.2.0 gives float32 losses at |scores| = 1e4 within 1.4e-7 of the exact "
                "ones; 1.1.0 is off by 2.9e-4",
            ),
            Expectation(
                ">=1.1,<1.2", V.HOLDS_WITH_CAVEAT,
                _CE + ", with reduction=, ignore_index and weight=; no label_smoothing=, class-probability "
                "targets or unbatched input, a mean over all-ignored targets is 0, and an empty batch "
                "raises RuntimeError. Caveat at the edges: float32 scores of magnitude 1e4 keep only "
                "about 1e-3 of the loss and its gradient (the log-sum-exp is subtracted at full "
                "magnitude).",
                key="lossy-float32", since="1.1.0",
                evidence="run: 1.1.0 gives zeros for ignored targets with reduction='none'; 1.0.1 returns "
                "garbage there (e.g. 3.3e7)",
            ),
            Expectation(
                "<1.1", V.HOLDS_WITH_CAVEAT,
                _CE + ", with reduction=, ignore_index and weight=; no label_smoothing=, class-probability "
                "targets or unbatched input, a mean over all-ignored targets is 0, and an empty batch "
                "raises RuntimeError. Caveats at the edges: float32 scores of magnitude 1e4 keep only "
                "about 1e-3 of the loss and its gradient (the log-sum-exp is subtracted at full "
                "magnitude), and reduction='none' leaves the entries of targets equal to -100 "
                "uninitialised instead of 0.",
                key="uninitialised-none",
                evidence="run: 1.0.0 and 1.0.1 raise RuntimeError on an empty batch, are off by 2.9e-4 in "
                "float32 at 1e4, and return garbage (e.g. 3.3e7) for ignored targets with reduction='none'",
            ),
        ),
        observe="value vs. a reference",
        area="optim",
        checks=(
            Check("note-example", "example",
                  "the note's form nn.CrossEntropyLoss()(scores, labels) on a fixed float32 example, "
                  "against -log_softmax by hand",
                  "test_cross_entropy_example_value", "cross_entropy_module_off_in_float32",
                  ("nn.CrossEntropyLoss",)),
            Check("float64-values", "values",
                  "random float64 scores (batch 1..6, 2..7 classes) against the reference to 1e-9: "
                  "float64 keeps its precision",
                  "test_cross_entropy_on_logits_and_class_indices", "cross_entropy_float64_through_float32",
                  ("nn.CrossEntropyLoss",)),
            Check("reductions", "spelling",
                  "reduction='mean' (the default), 'sum' and 'none' (one loss per sample) in the functional form",
                  "test_cross_entropy_reductions", "cross_entropy_sum_is_the_mean",
                  ("F.cross_entropy",)),
            Check("empty-batch", "shapes",
                  "an empty batch: nan for the mean (0/0), 0 for the sum, an empty tensor for 'none' "
                  "(an error on the oldest releases)",
                  "test_cross_entropy_reductions", "cross_entropy_empty_batch_mean_is_zero",
                  ("F.cross_entropy",)),
            Check("ignore-index", "spelling",
                  "ignore_index: the default -100 and an explicit class leave those samples out of the "
                  "loss and out of the mean's count",
                  "test_cross_entropy_ignore_index_and_weight", "cross_entropy_ignore_index_ignored",
                  ("F.cross_entropy",)),
            Check("weight", "spelling",
                  "weight=: each sample scaled by its class weight, the mean divided by the sum of the "
                  "weights used (with ignore_index too)",
                  "test_cross_entropy_ignore_index_and_weight", "cross_entropy_weighted_mean_over_count",
                  ("F.cross_entropy",)),
            Check("all-ignored", "values",
                  "every target ignored: the mean is nan on current releases, 0 before (the boundary is "
                  "in the expectations)",
                  "test_cross_entropy_ignore_index_and_weight", "cross_entropy_all_ignored_mean_is_zero",
                  ("F.cross_entropy",)),
            Check("label-smoothing", "spelling",
                  "label_smoothing=0.2: (1-eps)*loss[target] + eps*mean over classes, also with "
                  "reduction='none' (a TypeError before it exists)",
                  "test_cross_entropy_label_smoothing_and_probability_targets", "cross_entropy_label_smoothing_ignored",
                  ("F.cross_entropy",)),
            Check("probability-targets", "values",
                  "float targets of class probabilities: -sum_c p_c*log_softmax[c]; one-hot equals the "
                  "class indices; with label smoothing (refused before they exist)",
                  "test_cross_entropy_label_smoothing_and_probability_targets",
                  "cross_entropy_probability_targets_hardened", ("F.cross_entropy",)),
            Check("spatial", "shapes",
                  "(N, C, d1, d2) scores with (N, d1, d2) targets: the class dim is dim 1 and the mean "
                  "runs over every position",
                  "test_cross_entropy_input_shapes", "cross_entropy_spatial_mean_over_batch_only",
                  ("F.cross_entropy",)),
            Check("non-contiguous", "shapes",
                  "non-contiguous scores (a transpose, a slice with a step) give the same losses",
                  "test_cross_entropy_input_shapes", "cross_entropy_ignores_strides",
                  ("F.cross_entropy",)),
            Check("unbatched", "shapes",
                  "an unbatched (C,) input with a 0-d target gives a scalar (refused before it exists)",
                  "test_cross_entropy_input_shapes", "cross_entropy_unbatched_unnormalised",
                  ("F.cross_entropy",)),
            Check("module-vs-functional", "spelling",
                  "nn.CrossEntropyLoss(options) and F.cross_entropy(options) agree exactly for every "
                  "option, the weight positional or by keyword, input=/target= keywords",
                  "test_cross_entropy_module_and_functional_forms", "cross_entropy_module_drops_its_weight",
                  ("nn.CrossEntropyLoss", "F.cross_entropy")),
            Check("extreme-logits", "values",
                  "scores of magnitude 1e4 in float32 and float64: exact finite losses, a finite gradient "
                  "softmax - one_hot, and no change when 1e4 is added to every score",
                  "test_cross_entropy_extreme_logits", "cross_entropy_through_log_of_softmax",
                  ("F.cross_entropy", "Tensor.backward")),
        ),
        not_checked=(
            NotChecked("size_average= and reduce=",
                       "deprecated since 0.4.1 in favour of reduction=, which is checked"),
            NotChecked("float16 / bfloat16 scores",
                       "CPU half kernels for log_softmax are missing on the older releases; a dtype gate "
                       "per release is not kept yet"),
            NotChecked("int32 or uint8 targets", "only int64 class indices are documented on every release"),
            NotChecked("CUDA kernels", _NO_GPU),
        ),
        answer="nn.CrossEntropyLoss()(output, target) takes raw scores and class indices and equals the batch mean "
        "of -log_softmax(output)[i, target[i]].",
        setting=STEP,
        topic='One training step: loss, zero_grad, backward, step',
        idioms=(
            Idiom('`nn.CrossEntropyLoss()(output, target)` on raw scores',
                  'the same'),
        ),
        example=_crossentropy,
    ),
    Claim(
        "optim.zero-grad", (2, 4),
        "optimizer.zero_grad() clears the gradients.",
        (
            Expectation(
                ">=2.0", V.HOLDS_WITH_CAVEAT,
                "It clears them by setting .grad to None (set_to_none=True is the default); "
                "set_to_none=False fills zeros. Module.zero_grad() does the same.",
                key="none", since="2.0.0",
                evidence="run: 2.0.0 leaves .grad None; 1.13.1 leaves zeros",
            ),
            Expectation(
                ">=1.7,<2.0", V.HOLDS,
                "It fills .grad with zeros (set_to_none=False is the default); set_to_none=True leaves "
                "None. Module.zero_grad() does the same.",
                key="zeros", since="1.7.0",
                evidence="run: 1.7.0 takes set_to_none (and 1.7.0 .. 1.13.1 leave zeros); 1.6.0 does not",
            ),
            Expectation(
                "<1.7", V.HOLDS,
                "It fills .grad with zeros; there is no set_to_none argument (Module.zero_grad() alike).",
                key="zeros-no-flag",
                evidence="run: 1.0.0 .. 1.6.0 leave zeros and take no set_to_none",
            ),
        ),
        observe="what .grad is after it (zeros or None)",
        area="optim",
        checks=(
            Check("note-example", "example",
                  "the note's optimizer.zero_grad() with the default of each release (None or zeros), "
                  "and the next backward gives the fresh gradient, not a sum",
                  "test_zero_grad_clears_gradients", "optimizer_zero_grad_default_flipped",
                  ("Optimizer.zero_grad",)),
            Check("set-to-none", "spelling",
                  "zero_grad(set_to_none=True) leaves None, set_to_none=False fills zeros in the same "
                  ".grad tensors, positionally too (a TypeError before the argument exists)",
                  "test_zero_grad_set_to_none_both_ways", "zero_grad_set_to_none_false_sets_none",
                  ("Optimizer.zero_grad",)),
            Check("module-form", "spelling",
                  "Module.zero_grad() on a model with nested submodules clears every parameter, with the "
                  "same default and set_to_none= both ways",
                  "test_module_zero_grad_clears_every_submodule", "module_zero_grad_skips_submodules",
                  ("Module.zero_grad",)),
            Check("param-groups", "state",
                  "an optimizer with two parameter groups: zero_grad() clears both; a parameter outside "
                  "the optimizer keeps its gradient",
                  "test_zero_grad_param_groups_and_params_without_grad", "optimizer_zero_grad_first_group_only",
                  ("Optimizer.zero_grad",)),
            Check("params-without-grad", "state",
                  "a parameter that took no part in the loss keeps .grad None, with set_to_none=False too",
                  "test_zero_grad_param_groups_and_params_without_grad", "zero_grad_fills_missing_grads",
                  ("Optimizer.zero_grad",)),
        ),
        not_checked=(
            NotChecked("optimizers other than SGD", "they inherit Optimizer.zero_grad; only SGD is built"),
            NotChecked("zero_grad of an optimizer built with foreach=True (grouped _foreach_zero_)",
                       "the zero-grad records have no gate for foreach; the default per-tensor path is checked"),
            NotChecked(".grad carrying a graph (after backward(create_graph=True))",
                       "higher-order gradients belong to the autograd claims"),
            NotChecked("CUDA tensors", _NO_GPU),
        ),
        answer="optimizer.zero_grad() leaves every .grad as None (set_to_none=True is the default since 2.0); "
        "zero_grad(set_to_none=False) fills zeros, which is what it did before 2.0.",
        setting=STEP,
        topic='One training step: loss, zero_grad, backward, step',
        idioms=(
            Idiom('`optimizer.zero_grad()` (leaves zeros)',
                  'the same call; `.grad` is None afterwards; `zero_grad(set_to_none=False)` for zeros',
                  also=('autograd.grads-accumulate',)),
        ),
        questions=('What does `zero_grad()` leave in `.grad` today?',),
        example=_zero_grad,
    ),
    Claim(
        "optim.backward-fills-grads", (2,),
        "loss.backward() computes the gradient of every parameter.",
        (
            Expectation(
                ">=1.8", V.HOLDS,
                "Every parameter that takes part in the loss gets a .grad of its shape, added to what "
                "is there; backward(inputs=[...]) fills only those.",
                key="default", since="1.8.0",
                evidence="run: 1.8.0 Tensor.backward takes inputs=; 1.7.1 does not",
            ),
            Expectation(
                "<1.8", V.HOLDS,
                "Every parameter that takes part in the loss gets a .grad of its shape, added to what "
                "is there; backward takes no inputs= argument.",
                key="no-inputs",
                evidence="run: 1.0.0 .. 1.7.1 Tensor.backward takes no inputs=",
            ),
        ),
        area="optim",
        checks=(
            Check("note-example", "example",
                  "loss.backward() on a float64 least-squares model against the hand formula, and every "
                  "parameter of a small conv net gets a gradient of its shape",
                  "test_backward_computes_every_parameter_gradient", "backward_leaves_conv_weights_without_grad",
                  ("Tensor.backward",)),
            Check("autograd-backward", "spelling",
                  "torch.autograd.backward([l1, l2]) fills .grad with the gradient of l1 + l2",
                  "test_backward_spellings", "autograd_backward_uses_only_the_first_tensor",
                  ("torch.autograd.backward",)),
            Check("autograd-grad", "spelling",
                  "torch.autograd.grad(loss, params) returns the gradients and leaves .grad None",
                  "test_backward_spellings", "autograd_grad_also_fills_grad",
                  ("torch.autograd.grad",)),
            Check("inputs", "spelling",
                  "loss.backward(inputs=[weight]) fills the weight only (a TypeError before it exists)",
                  "test_backward_spellings", "loss_backward_ignores_inputs",
                  ("Tensor.backward",)),
            Check("accumulation", "state",
                  "a second backward adds to .grad; a parameter used twice gets both uses; a frozen "
                  "parameter (requires_grad=False) and one outside the loss get none",
                  "test_backward_accumulates_and_skips_unused_parameters", "backward_overwrites_grads",
                  ("Tensor.backward",)),
        ),
        not_checked=(
            NotChecked("a non-scalar loss (backward(gradient=...))", "the autograd claims probe it"),
            NotChecked("sparse gradients (nn.Embedding(sparse=True))", "no sparse layer in the notes"),
            NotChecked("CUDA tensors", _NO_GPU),
        ),
        answer="loss.backward() gives every parameter that takes part in the loss a .grad of the parameter's "
        "shape.",
        setting=STEP,
        topic='One training step: loss, zero_grad, backward, step',
        idioms=(
            Idiom('`loss.backward(); optimizer.step()` with `SGD(lr=0.01, momentum=0.9)`',
                  'the same',
                  also=('optim.sgd-momentum-step',)),
        ),
        example=_backward_fills_grads,
    ),
    Claim(
        "optim.sgd-momentum-step", (2,),
        "optimizer.step() updates the parameters; here SGD with lr=0.01, momentum=0.9.",
        (
            Expectation(
                ">=1.12", V.HOLDS_WITH_CAVEAT,
                _SGD + ". dampening, nesterov, weight_decay, maximize and foreach follow the documented "
                "closed form; the momentum buffer is in state_dict(), keyed by parameter index.",
                key="default", since="1.12.0",
                evidence="run: 1.12.0 SGD takes foreach=; 1.11.0 does not",
            ),
            Expectation(
                ">=1.11,<1.12", V.HOLDS_WITH_CAVEAT,
                _SGD + ". dampening, nesterov, weight_decay and maximize follow the documented closed "
                "form; there is no foreach= yet; state_dict() keys the state by parameter index.",
                key="no-foreach", since="1.11.0",
                evidence="run: 1.11.0 SGD takes maximize=; 1.10.2 does not",
            ),
            Expectation(
                ">=1.6,<1.11", V.HOLDS_WITH_CAVEAT,
                _SGD + ". dampening, nesterov and weight_decay follow the documented closed form; there "
                "is no maximize= or foreach= yet; state_dict() keys the state by parameter index.",
                key="no-maximize", since="1.6.0",
                evidence="run: 1.6.0 keys optimizer.state_dict()['state'] by parameter index; 1.5.1 by id()",
            ),
            Expectation(
                "<1.6", V.HOLDS_WITH_CAVEAT,
                _SGD + ". dampening, nesterov and weight_decay follow the documented closed form; no "
                "maximize= or foreach=; state_dict() keys the state by the parameter's id().",
                key="state-keys-ids",
                evidence="run: 1.0.0 .. 1.5.1 key optimizer.state_dict()['state'] by id()",
            ),
        ),
        observe="update vs. a reference over several steps",
        area="optim",
        checks=(
            Check("note-example", "example",
                  "the note's SGD(lr=0.01, momentum=0.9) on float32 parameters over 5 steps; with the lr "
                  "changed between steps PyTorch's form parts from the textbook form",
                  "test_sgd_momentum_note_settings_and_the_textbook_form", "sgd_keeps_the_first_lr",
                  ("optim.SGD", "Optimizer.step")),
            Check("float64-values", "values",
                  "random lr, momentum, 1..8 steps and start values on float64 parameters against the "
                  "closed form to 1e-9",
                  "test_sgd_momentum_matches_the_documented_update", "sgd_float64_rounded_to_float32",
                  ("optim.SGD",)),
            Check("dampening", "spelling",
                  "dampening=0.5: b = mu*b + (1-d)*g, but the first step's buffer is the gradient itself",
                  "test_sgd_options_against_the_closed_form", "sgd_momentum_buffer_starts_at_zero",
                  ("optim.SGD",)),
            Check("nesterov", "spelling", "nesterov=True: the step is g + mu*b",
                  "test_sgd_options_against_the_closed_form", "sgd_nesterov_ignored", ("optim.SGD",)),
            Check("weight-decay", "spelling", "weight_decay=0.1: g + wd*p, before the momentum",
                  "test_sgd_options_against_the_closed_form", "sgd_weight_decay_ignored", ("optim.SGD",)),
            Check("maximize", "spelling",
                  "maximize=True negates the gradient (a TypeError before it exists); momentum 0 is "
                  "plain p -= lr*g",
                  "test_sgd_options_against_the_closed_form", "sgd_maximize_ignored", ("optim.SGD",)),
            Check("param-groups", "state",
                  "two parameter groups with their own lr and momentum each follow the closed form",
                  "test_sgd_param_groups_and_params_without_grad", "sgd_uses_the_first_groups_settings",
                  ("optim.SGD",)),
            Check("params-without-grad", "state",
                  "a parameter without a gradient is not moved and gets no optimizer state",
                  "test_sgd_param_groups_and_params_without_grad", "sgd_steps_params_without_grad",
                  ("optim.SGD",)),
            Check("foreach", "spelling",
                  "foreach=True (multi-tensor) and foreach=False on parameters of two shapes give the "
                  "closed-form steps (a TypeError before the argument exists)",
                  "test_sgd_foreach_and_per_tensor_paths", "sgd_foreach_forgets_momentum",
                  ("optim.SGD",)),
            Check("state-dict", "state",
                  "the momentum buffer in optimizer.state_dict() (the closed-form b; the key by index or "
                  "id()), and load_state_dict into a fresh optimizer restores it and lr/momentum: the "
                  "next steps equal the original's",
                  "test_sgd_state_dict_momentum_buffer", "optimizer_load_state_dict_drops_state",
                  ("Optimizer.state_dict", "Optimizer.load_state_dict")),
        ),
        not_checked=(
            NotChecked("maximize=True together with weight_decay",
                       "the order of the two may differ on the releases where maximize is new; not probed"),
            NotChecked("fused=True", "a CUDA kernel on most releases; CI has no GPU"),
            NotChecked("differentiable=True, step(closure), a Tensor lr", "not what the note uses"),
            NotChecked("sparse gradients", "no sparse layer in the notes"),
        ),
        answer="optimizer.step() applies PyTorch's SGD with momentum: b = mu*b + g (b = g on the first step), "
        "p = p - lr*b; that differs from the textbook v = mu*v + lr*g once the learning rate changes.",
        setting=STEP,
        topic='One training step: loss, zero_grad, backward, step',
        example=_sgd_momentum_step,
    ),
)
