"""Claims of the notes pack: autograd: backward, detach, retain_graph (§1, §4, §6, §7).

One record per claim: what the note says (paraphrased), what is true per release range with
its evidence, and the reach of its specs (``checks``: what they probe, each with the spec and
the breakage that shows the probe can fail; ``not_checked``: what they leave out, and why).
The specs are ``specs/spec_autograd.py``; the breakages ``tests/breakages/autograd.py``.
Imports nothing heavy: the CLI, report and diff read it without torch.
"""
from conformance import verdicts as V
from conformance.records import EVERY_RUN, Check, Claim, Expectation, NotChecked, always  # noqa: F401

_BACKWARD = ("Tensor.backward",)
_FUNCTION = ("torch.autograd.backward",)
_GRAD = ("torch.autograd.grad",)
_HALF = NotChecked(
    "float16 and bfloat16 gradients",
    "several CPU kernels of the older releases the kit runs have no half-precision backward; "
    "float32 and float64 are probed")

_ALL_LEAVES = ("Every leaf reachable from the output that requires grad gets .grad; leaves that "
               "do not require grad, and inputs torch.autograd.grad is not asked for, keep .grad None")

_ACCUMULATE = ("After k backward passes (of new graphs, of one retained graph, through "
               "Tensor.backward or torch.autograd.backward) .grad is the sum of the k gradients; "
               "an intermediate accumulates too once retain_grad() is called, and otherwise has "
               "no .grad; torch.autograd.grad returns gradients without adding them to .grad")

_GRADIENT = ("backward(v) computes the vector-Jacobian product J^T v, in every spelling (gradient= "
             "positional or keyword, torch.autograd.backward's grad_tensors, torch.autograd.grad's "
             "grad_outputs), for non-contiguous outputs and gradients, in full float64 precision; "
             "v must have the output's shape")

CLAIMS = (
    Claim(
        "autograd.scalar-backward", (1,),
        "For leaves x=1, w=2, b=3 that require grad and Y=w*x+b, calling Y.backward() with no "
        "argument gives x.grad=[2.] (and w.grad=[1.], b.grad=[1.]); x.data stays [1.].",
        always(V.HOLDS, "As stated: dY/dx=w=2, dY/dw=x=1, dY/db=1; the same through "
               "torch.autograd.backward(Y) and torch.autograd.grad(Y, (x, w, b)) (which returns "
               "them and fills no .grad), for any one-element output (0-dim, [1], [1, 1]).", EVERY_RUN),
        observe="all three grads",
        area="autograd",
        checks=(
            Check("example", "example", "the note's Y = w*x + b with x=1, w=2, b=3 of shape [1]: Y.backward()",
                  "test_scalar_backward_fills_all_three_grads", "backward_seed_halved_for_shape_1", _BACKWARD),
            Check("function-backward", "spelling", "torch.autograd.backward(Y) with no gradient fills the same three grads",
                  "test_scalar_backward_function_forms", "autograd_backward_seed_halved", _FUNCTION),
            Check("grad-returns", "spelling", "torch.autograd.grad(Y, (x, w, b)) returns the three gradients",
                  "test_scalar_backward_function_forms", "autograd_grad_seed_halved", _GRAD),
            Check("grad-fills-nothing", "state", "torch.autograd.grad leaves .grad of x, w and b None",
                  "test_scalar_backward_function_forms", "autograd_grad_adds_into_grad", _GRAD),
            Check("one-element-shapes", "shapes", "backward() with no argument on 0-dim, [1, 1] and [1, 1, 1] outputs",
                  "test_scalar_backward_other_one_element_shapes_and_float64", "implicit_gradient_only_for_shape_1",
                  _BACKWARD),
            Check("float64", "values", "float64 gradients to the last bit (w = 1 + 2**-40 arrives in x.grad exactly), "
                  "and w.grad = inf for x = inf",
                  "test_scalar_backward_other_one_element_shapes_and_float64", "float64_grads_rounded_to_float32",
                  _BACKWARD),
        ),
        not_checked=(_HALF,),
    ),
    Claim(
        "autograd.backward-all-leaves", (1,),
        "One backward() call fills .grad of every leaf that requires grad, without naming them.",
        (Expectation(
            ">=1.0,<1.8", V.HOLDS,
            _ALL_LEAVES + ". Tensor.backward and torch.autograd.backward take no inputs= keyword (TypeError).",
            key="before-inputs",
            evidence="run: 1.4.0 backward(inputs=[a]) raises TypeError ('unexpected keyword argument "
            "'inputs''); 1.8.1 it fills only a",
        ), Expectation(
            ">=1.8", V.HOLDS,
            _ALL_LEAVES + ". backward(inputs=[...]) (both forms) fills only the leaves it names.",
            since="1.8.0",
            evidence="run: 1.8.1 backward(inputs=[a]) fills a.grad and leaves b.grad None, and so does "
            "torch.autograd.backward(loss, inputs=[b]) for b; 1.4.0 TypeError for the keyword",
        )),
        area="autograd",
        checks=(
            Check("example", "example", "one backward() of a loss over three leaves (one 0-dim) and a constant",
                  "test_one_backward_fills_every_leaf", "backward_skips_zero_dim_leaves", _BACKWARD),
            Check("module-parameters", "state", "every weight and bias of a two-layer MLP (float64) gets its .grad, "
                  "worked out by hand; the input gets none",
                  "test_every_parameter_of_a_module_gets_its_grad", "backward_skips_bias_parameters",
                  _BACKWARD + ("nn.Linear", "nn.Sequential")),
            Check("inputs-keyword", "spelling", "backward(inputs=[a]) and torch.autograd.backward(loss, inputs=[b]) fill "
                  "only the leaves named (TypeError before 1.8)",
                  "test_backward_inputs_names_the_leaves_to_fill", "backward_ignores_inputs", _BACKWARD + _FUNCTION),
            Check("grad-allow-unused", "spelling", "torch.autograd.grad(loss, [a, b, unused], allow_unused=True) returns "
                  "a gradient for each input and None (not zeros) for the unused one",
                  "test_autograd_grad_returns_every_input_and_allow_unused", "grad_gives_zeros_for_unused_inputs", _GRAD),
            Check("grad-unused-error", "errors", "torch.autograd.grad over an unused input without allow_unused raises "
                  "RuntimeError naming allow_unused",
                  "test_autograd_grad_returns_every_input_and_allow_unused", "grad_allows_unused_inputs_silently", _GRAD),
        ),
        not_checked=(
            NotChecked("inputs= given as a dict (dict(model.named_parameters()))",
                       "accepted only by recent releases; the sequence form, which every release since 1.8 takes, is probed"),
            NotChecked("GradientEdge outputs and inputs",
                       "a recent low-level API, not a form of the note's call"),
        ),
    ),
    Claim(
        "autograd.nonscalar-needs-gradient", (1,),
        "Calling backward() with no argument on a non-scalar output is an error.",
        always(V.HOLDS, "RuntimeError 'grad can be implicitly created only for scalar outputs', for "
               "every output that does not have exactly one element (vectors, matrices, "
               "non-contiguous and empty outputs), from Tensor.backward, torch.autograd.backward "
               "and torch.autograd.grad alike.", EVERY_RUN),
        observe="exception type and message",
        area="autograd",
        checks=(
            Check("example", "example", "y = 2x for a vector x of 3 elements: y.backward() raises and fills nothing",
                  "test_backward_on_a_vector_needs_a_gradient", "backward_accepts_1d_vectors", _BACKWARD),
            Check("multi-dim", "shapes", "2-D, transposed (non-contiguous) and 3-D outputs need a gradient",
                  "test_backward_on_other_nonscalar_shapes_needs_a_gradient", "backward_accepts_multi_dim_outputs",
                  _BACKWARD),
            Check("empty", "shapes", "empty outputs ([0], [2, 0]) need a gradient too",
                  "test_backward_on_other_nonscalar_shapes_needs_a_gradient", "backward_treats_empty_outputs_as_scalars",
                  _BACKWARD),
            Check("function-backward", "spelling", "torch.autograd.backward(y) refuses a vector output the same way",
                  "test_function_forms_on_a_vector_need_a_gradient", "autograd_backward_accepts_vectors", _FUNCTION),
            Check("grad", "spelling", "torch.autograd.grad(y, x), without grad_outputs or with grad_outputs=None, "
                  "refuses it the same way",
                  "test_function_forms_on_a_vector_need_a_gradient", "autograd_grad_accepts_vectors", _GRAD),
        ),
        not_checked=(
            NotChecked("complex outputs",
                       "outside the note's real-valued setting; complex autograd arrived after the oldest releases run"),
        ),
    ),
    Claim(
        "autograd.vector-backward-weights", (1,),
        "For y=x*2, y.backward(v) with v=[1, 0.1, 0.01] gives x.grad=[2, 0.2, 0.02]: the argument "
        "weights each output, in general x.grad = J^T v.",
        (Expectation(
            ">=1.0,<1.4", V.HOLDS,
            _GRADIENT + ", and its dtype too (a float64 v for a float32 y is refused); a [1] v is "
            "accepted for a 0-dim output.",
            key="strict-dtype",
            evidence="run: 1.0.1 a float64 v for a float32 output raises RuntimeError ('expected type "
            "torch.FloatTensor but got torch.DoubleTensor') and a [1] v fits a 0-dim output; 1.4.0 "
            "the float64 v is cast and the [1] v is refused ('Mismatch in shape')",
        ), Expectation(
            ">=1.4", V.HOLDS,
            _GRADIENT + " exactly: a [1] v for a 0-dim output is refused ('Mismatch in shape'); a v of "
            "another dtype is cast (x.grad keeps x's dtype).",
            since="1.4.0",
            evidence="run: 1.4.0 a float64 v for a float32 output is accepted (x.grad float32) and a [1] "
            "v for a 0-dim output raises 'Mismatch in shape'; 1.0.1 the reverse",
        )),
        area="autograd",
        checks=(
            Check("example", "example", "the note's y = 2x with v = [1, 0.1, 0.01] given positionally: y.backward(v)",
                  "test_vector_backward_weights_each_output", "backward_drops_a_positional_gradient", _BACKWARD),
            Check("gradient-keyword", "spelling", "y.backward(gradient=v)",
                  "test_gradient_as_keyword_and_in_the_function_forms", "backward_ignores_the_gradient_keyword",
                  _BACKWARD),
            Check("grad-tensors-keyword", "spelling", "torch.autograd.backward(y, grad_tensors=v)",
                  "test_gradient_as_keyword_and_in_the_function_forms",
                  "autograd_backward_ignores_grad_tensors_keyword", _FUNCTION),
            Check("several-outputs", "spelling", "torch.autograd.backward([y1, y2], [v1, v2]) weights each output by its "
                  "own vector",
                  "test_gradient_as_keyword_and_in_the_function_forms", "autograd_backward_pairs_gradients_in_reverse",
                  _FUNCTION),
            Check("grad-outputs-keyword", "spelling", "torch.autograd.grad(y, x, grad_outputs=v)",
                  "test_gradient_as_keyword_and_in_the_function_forms",
                  "autograd_grad_ignores_the_grad_outputs_keyword", _GRAD),
            Check("float64", "values", "float64 x.grad = 2v to the last bit (v holding 1 + 2**-40)",
                  "test_vector_backward_dtypes_and_layouts", "float64_grads_rounded_to_float32", _FUNCTION),
            Check("non-contiguous", "shapes", "a transposed (non-contiguous) output with a strided v, float32 and float64",
                  "test_vector_backward_dtypes_and_layouts", "noncontiguous_gradient_read_as_contiguous", _FUNCTION),
            Check("zero-dim-and-one-element", "shapes", "a 0-dim output with a 0-dim v and a [1] output with a [1] v",
                  "test_vector_backward_dtypes_and_layouts", "zero_dim_gradient_refused", _FUNCTION),
            Check("shape-mismatch", "errors", "a v of another shape ([1] or [4] for a [3] output) is refused, not broadcast",
                  "test_gradient_must_match_the_output", "backward_broadcasts_its_gradient", _FUNCTION),
            Check("other-dtype", "values", "a float64 v for a float32 output: cast since 1.4 (x.grad stays float32), "
                  "refused before",
                  "test_gradient_must_match_the_output", "gradient_of_another_dtype_refused", _FUNCTION),
            Check("jacobian-transpose", "values", "J^T v through torch.autograd.grad(y, x, v) (v positional) for "
                  "elementwise maps and matrix products of drawn shapes and float64 values",
                  "test_vector_backward_is_jacobian_transpose_product",
                  "autograd_grad_ignores_a_positional_grad_outputs", _GRAD),
        ),
        not_checked=(
            _HALF,
            NotChecked("is_grads_batched=True (a batch of v at once)",
                       "an option added in 1.11 for vmap; not a form of the note's call"),
        ),
    ),
    Claim(
        "autograd.grads-accumulate", (4,),
        "Gradients are added into .grad by every backward pass unless they are zeroed, which "
        "spoils training.",
        (Expectation(
            ">=1.0,<1.8", V.HOLDS, _ACCUMULATE + " (reading it is silent).",
            key="silent-nonleaf-grad",
            evidence="run: 1.4.0 reading .grad of an intermediate gives None with no warning; 1.8.1 it "
            "warns ('The .grad attribute of a Tensor that is not a leaf Tensor is being accessed')",
        ), Expectation(
            ">=1.8", V.HOLDS,
            _ACCUMULATE + " (reading it gives None with a UserWarning).",
            since="1.8.0",
            evidence="run: 1.8.1 reading .grad of an intermediate warns ('The .grad attribute of a "
            "Tensor that is not a leaf Tensor is being accessed'); 1.4.0 no warning",
        )),
        area="autograd",
        checks=(
            Check("example", "example", "four Tensor.backward passes of new graphs give 4x one pass's gradient; "
                  ".grad.zero_() starts over",
                  "test_gradients_add_up_until_zeroed", "backward_of_a_new_graph_overwrites_grads", _BACKWARD),
            Check("function-backward", "spelling", "torch.autograd.backward passes add into .grad as well",
                  "test_function_forms_add_up_in_float64_and_grad_adds_nothing", "autograd_backward_overwrites_grads",
                  _FUNCTION),
            Check("float64", "values", "float64 accumulation to the last bit (passes of 1 and 2**-40 give 1 + 2**-40)",
                  "test_function_forms_add_up_in_float64_and_grad_adds_nothing", "float64_grads_accumulated_in_float32",
                  _FUNCTION),
            Check("grad-adds-nothing", "state", "torch.autograd.grad returns one pass's gradient and leaves .grad as it was",
                  "test_function_forms_add_up_in_float64_and_grad_adds_nothing", "autograd_grad_adds_into_grad", _GRAD),
            Check("retained-graph", "state", "three passes through one retained graph give 3x (a leaf used twice in a "
                  "pass counts twice)",
                  "test_retained_graph_and_retain_grad_accumulate", "backward_of_a_used_graph_overwrites_grads",
                  _BACKWARD),
            Check("retain-grad", "state", "an intermediate with retain_grad() accumulates over the passes too",
                  "test_retained_graph_and_retain_grad_accumulate", "retain_grad_keeps_only_the_last_pass",
                  ("Tensor.retain_grad",)),
            Check("non-leaf-no-grad", "state", "intermediates without retain_grad() (and the loss itself) get no .grad; "
                  "reading it warns since 1.8",
                  "test_retained_graph_and_retain_grad_accumulate", "backward_keeps_the_outputs_grad", _BACKWARD),
        ),
        not_checked=(
            NotChecked("zeroing through Optimizer.zero_grad and Module.zero_grad (set_to_none)",
                       "claim optim.zero-grad probes them"),
            NotChecked("the memory layout of an accumulated .grad (the gradient layout contract)",
                       "not part of the claim: its values are probed"),
        ),
    ),
    Claim(
        "autograd.detach-blocks-gradient", (6,),
        "With z = B(A(x).detach()), z.backward() gives B's parameters gradients and A's none.",
        always(V.HOLDS, "A's parameters keep .grad None (never zeros); B's get gradients. The cut holds in "
               "every graph shape (residual, diamond, an element of a view, the middle of a chain, "
               "torch.autograd.grad over it) and with .data as well; the detached tensor shares y's "
               "memory and version counter (an in-place change to it makes a later backward that needs y "
               "raise), while a change through .data goes unnoticed.", EVERY_RUN),
        observe="A's .grad value (None or zeros)",
        area="autograd",
        checks=(
            Check("example", "example", "the note's z = B(A(x).detach()) with two nn.Linear (float32)",
                  "test_detach_stops_gradient_at_the_cut", "detach_is_identity_on_float32_matrices",
                  ("Tensor.detach",) + _BACKWARD),
            Check("graph-shapes", "shapes", "float64 graphs: y + y.detach() (a.grad = 2, not 4), a diamond, a detached "
                  "element of a view, a chain cut in the middle, torch.autograd.grad over a cut branch (None)",
                  "test_detach_cuts_in_other_graph_shapes", "detach_is_identity_on_float64",
                  ("Tensor.detach",) + _GRAD),
            Check("data", "spelling", "z = B(A(x).data): the older spelling cuts the same way, on y's memory",
                  "test_data_cuts_like_detach", "data_keeps_the_graph", ("Tensor.data",)),
            Check("memory-and-version", "state", "y.detach() shares y's memory and version counter: changing it in "
                  "place makes the backward raise 'modified by an inplace operation'",
                  "test_detached_tensor_shares_memory_and_version", "detach_copies_the_data", ("Tensor.detach",)),
            Check("data-version", "state", "a change through y.data is not counted: no error, the gradient uses the "
                  "changed values",
                  "test_data_cuts_like_detach", "data_shares_the_version_counter", ("Tensor.data",)),
        ),
        not_checked=(
            NotChecked("torch.no_grad() and requires_grad_(False) as other ways to cut",
                       "other claims (autograd.no-grad-inherited, variable.*) cover them; this claim is about detach"),
        ),
    ),
    Claim(
        "autograd.detach-inplace", (6,),
        "Calling y.detach_() before z = B(y) has the same effect as B(y.detach()).",
        always(
            V.HOLDS_WITH_CAVEAT,
            "Same gradients for A and B, but detach_() changes y itself (grad_fn None, "
            "requires_grad False, same memory; uses of y recorded before the call still backpropagate) "
            "and raises RuntimeError on every kind of view ('Can't detach views in-place'), where "
            "detach() works.",
            EVERY_RUN,
        ),
        observe="what happens to y itself (grad_fn, requires_grad, errors on views)",
        area="autograd",
        checks=(
            Check("example", "example", "the note's y.detach_() on A's output before z = B(y)",
                  "test_detach_inplace_has_the_same_effect_and_changes_y", "detach_inplace_does_nothing_on_matrices",
                  ("Tensor.detach_",)),
            Check("views", "errors", "detach_() raises on an element, view(), t(), a strided slice, narrow(), a view of a "
                  "leaf, of a plain tensor and one made under no_grad; detach() works on each, and detach_() on a view's "
                  ".data (no view)",
                  "test_detach_inplace_is_refused_on_views", "detach_inplace_allowed_on_views",
                  ("Tensor.detach_", "Tensor.detach")),
            Check("memory", "state", "detach_() keeps y's memory and values; a use recorded before it still reaches A",
                  "test_detach_inplace_keeps_memory_and_earlier_uses", "detach_inplace_moves_the_data",
                  ("Tensor.detach_",)),
            Check("leaf", "state", "detach_() on a leaf that requires grad turns requires_grad off",
                  "test_detach_inplace_keeps_memory_and_earlier_uses", "detach_inplace_skips_leaves",
                  ("Tensor.detach_",)),
        ),
    ),
    Claim(
        "autograd.double-backward-error", (7,),
        "A second backward through a graph whose buffers were freed raises an error "
        "(y=x**2, z=y*4, backward of z.mean() then of z.sum()).",
        always(V.HOLDS, "RuntimeError mentioning 'backward through the graph a second time' and the fix "
               "(retain_graph=True), from Tensor.backward, torch.autograd.backward and "
               "torch.autograd.grad, for a second output or the same one, also after an explicit "
               "retain_graph=False; the wording around it grew over releases (recorded per run). A graph "
               "that saved no tensor (x + 1) has nothing to free and can be backpropagated again.", EVERY_RUN),
        observe="exception type and full message",
        area="autograd",
        checks=(
            Check("example", "example", "the note's z.mean().backward() then z.sum().backward() (float32)",
                  "test_second_backward_through_freed_graph_fails", "backward_keeps_float32_graphs", _BACKWARD),
            Check("message", "errors", "the message names the fix, retain_graph=True",
                  "test_second_backward_through_freed_graph_fails", "double_backward_error_without_its_hint", _BACKWARD),
            Check("function-backward", "spelling", "torch.autograd.backward twice through one graph",
                  "test_second_backward_fails_in_the_function_forms", "autograd_backward_keeps_graphs", _FUNCTION),
            Check("grad", "spelling", "torch.autograd.grad twice through one graph",
                  "test_second_backward_fails_in_the_function_forms", "autograd_grad_keeps_graphs", _GRAD),
            Check("same-output-float64", "values", "backward of the same float64 output twice",
                  "test_second_backward_of_one_output_and_graphs_without_buffers", "backward_keeps_float64_graphs",
                  _BACKWARD),
            Check("explicit-false", "errors", "backward(retain_graph=False) given explicitly frees the graph too",
                  "test_second_backward_of_one_output_and_graphs_without_buffers",
                  "explicit_retain_false_keeps_the_graph", _BACKWARD),
            Check("no-buffers", "state", "a graph that saved no tensor (x + 1) can be backpropagated twice; the "
                  "gradients add",
                  "test_second_backward_of_one_output_and_graphs_without_buffers", "second_backward_always_refused",
                  _BACKWARD),
        ),
    ),
    Claim(
        "autograd.retain-graph", (7,),
        "backward(retain_graph=True) on the first output lets a second output backpropagate "
        "through the shared graph; the gradients add up.",
        always(V.HOLDS, "As stated: x.grad is the sum of both outputs' gradients; the same with "
               "torch.autograd.backward and torch.autograd.grad, and with retain_graph as the second "
               "positional argument; each call that retains keeps the graph for one more, so two "
               "retained calls and a plain third all run, and a fourth raises.", EVERY_RUN),
        area="autograd",
        checks=(
            Check("example", "example", "the note's out1.backward(retain_graph=True) then out2.backward() (float32)",
                  "test_retain_graph_allows_a_second_output_and_grads_add",
                  "backward_frees_float32_graphs_despite_retain", _BACKWARD),
            Check("three-calls", "state", "two retained calls and a third plain one on one float64 output all run and "
                  "add up",
                  "test_retain_graph_across_three_calls", "retain_graph_honoured_once", _BACKWARD),
            Check("fourth-call", "errors", "the third, plain call frees the graph: a fourth raises",
                  "test_retain_graph_across_three_calls", "graph_kept_after_a_retained_call", _BACKWARD),
            Check("function-backward", "spelling", "torch.autograd.backward(out1, retain_graph=True)",
                  "test_retain_graph_in_the_other_spellings", "autograd_backward_ignores_retain_graph", _FUNCTION),
            Check("grad", "spelling", "torch.autograd.grad(out1, x, retain_graph=True); the two results add up",
                  "test_retain_graph_in_the_other_spellings", "autograd_grad_ignores_retain_graph", _GRAD),
            Check("positional", "spelling", "backward(None, True): retain_graph as the second positional argument (float64)",
                  "test_retain_graph_in_the_other_spellings", "backward_ignores_a_positional_retain_graph", _BACKWARD),
        ),
    ),
    Claim(
        "autograd.retain-graph-default", (7,),
        "retain_graph defaults to the value of create_graph.",
        always(V.HOLDS, "backward(create_graph=True) keeps the graph, so a second backward works; "
                "by default it is freed; an explicit retain_graph=False wins. The same holds for "
                "torch.autograd.grad and torch.autograd.backward, and the gradient create_graph "
                "builds can be differentiated again (second and third derivatives).", EVERY_RUN),
        area="autograd",
        checks=(
            Check("example", "example", "Tensor.backward(create_graph=True) keeps the graph, the default frees it, "
                  "retain_graph=False wins",
                  "test_retain_graph_follows_create_graph", "retain_ignores_create_graph", _BACKWARD),
            Check("grad", "spelling", "torch.autograd.grad(out1, x, create_graph=True) keeps the graph and returns a "
                  "differentiable gradient",
                  "test_create_graph_keeps_the_graph_in_the_function_forms", "autograd_grad_create_graph_frees", _GRAD),
            Check("function-backward", "spelling", "torch.autograd.backward(out1, create_graph=True) keeps the graph",
                  "test_create_graph_keeps_the_graph_in_the_function_forms", "autograd_backward_create_graph_frees",
                  _FUNCTION),
            Check("double-backward", "values", "float64 x**3: backward(create_graph=True) leaves 3x**2 in x.grad with a "
                  "graph; its backward gives 6x, and once more 6",
                  "test_double_backward_through_create_graph", "create_graph_builds_no_graph", _BACKWARD),
        ),
    ),
    Claim(
        "autograd.retain-variables", (7,),
        "retain_variables=True is another (older) name for the same option.",
        (Expectation(
            ">=1.0", V.OUTDATED,
            "The keyword no longer exists: Tensor.backward() and torch.autograd.backward() reject "
            "it with TypeError ('unexpected keyword argument'), torch.autograd.grad() too; use retain_graph.",
            since="0.4.0",
            evidence="run: TypeError on every release run (1.0.1 .. 2.15.0); older than the kit can "
            "install: renamed to retain_graph in 0.2 (pytorch/pytorch#2107), a TypeError under 0.4 "
            "(MorvanZhou/PyTorch-Tutorial#45)",
        ),),
        observe="what passing it does today",
        area="autograd",
        checks=(
            Check("example", "example", "Tensor.backward(retain_variables=True) raises TypeError and leaves the graph",
                  "test_retain_variables_keyword_is_gone", "retain_variables_accepted", _BACKWARD),
            Check("function-backward", "spelling", "torch.autograd.backward(out, retain_variables=True) raises TypeError",
                  "test_retain_variables_keyword_is_gone", "autograd_backward_accepts_retain_variables", _FUNCTION),
            Check("grad", "spelling", "torch.autograd.grad(out, x, retain_variables=True) raises TypeError",
                  "test_retain_variables_is_no_keyword_of_autograd_grad", "autograd_grad_accepts_retain_variables",
                  _GRAD),
        ),
    ),
    Claim(
        "autograd.two-losses", (7,),
        "Two losses on one network: backward the first with retain_graph=True, then the second, "
        "then optimizer.step(); the result equals one step on the sum of the losses.",
        always(V.HOLDS, "Gradients of both backward passes add up, so the step equals one on loss1+loss2 "
               "(parameters and momentum buffers, step after step); torch.autograd.backward([loss1, "
               "loss2]) and torch.autograd.grad of each loss in either order give the same gradients.",
               EVERY_RUN),
        area="autograd",
        checks=(
            Check("example", "example", "loss1.backward(retain_graph=True), loss2.backward(), SGD with momentum: "
                  "3 steps against 3 steps on loss1 + loss2 (parameters and momentum buffers)",
                  "test_two_backwards_then_step_equals_step_on_the_sum", "backward_overwrites_grads",
                  _BACKWARD + ("optim.SGD", "Optimizer.step")),
            Check("one-call", "spelling", "torch.autograd.backward([loss1, loss2]) equals backward of the sum",
                  "test_two_losses_in_one_autograd_backward_call", "autograd_backward_uses_the_first_output_only",
                  _FUNCTION),
            Check("grad-float64", "spelling", "torch.autograd.grad of each loss (retain_graph=True), float64, in either "
                  "order, adds up to the gradient of the sum",
                  "test_two_losses_by_autograd_grad_in_float64", "autograd_grad_ignores_retain_graph", _GRAD),
        ),
        not_checked=(
            NotChecked("optimizers other than SGD with momentum",
                       "a step depends only on the gradients, which the specs compare directly; optim.* claims "
                       "probe the optimizers"),
        ),
    ),
    Claim(
        "nn.content-loss-module", (7,),
        "The style-transfer ContentLoss module: stores a detached, weighted target; its forward "
        "returns the input unchanged and keeps the loss; its backward(retain_graph=True) "
        "backpropagates the stored loss, and runs when the network backpropagates.",
        always(
            V.HOLDS_WITH_CAVEAT,
            "The module works as a pass-through that stores its loss, and calling its backward "
            "method backpropagates it (again and again: retain_graph=True keeps the graph), but "
            "autograd never calls a Module's backward method: it runs only when the training loop "
            "calls it.",
            EVERY_RUN,
        ),
        area="autograd",
        checks=(
            Check("example", "example", "the note's layer after a conv: detached weighted target, pass-through forward, "
                  "backward(retain_graph=True) before a style loss, never called by autograd",
                  "test_content_loss_layer_in_a_small_style_transfer_setup", "detach_is_identity",
                  ("nn.Module", "nn.MSELoss", "Tensor.detach") + _BACKWARD),
            Check("repeated-backward", "state", "the layer's backward called twice adds the content gradient twice; the "
                  "graph is still there for a style loss",
                  "test_content_loss_backward_runs_again", "retain_graph_honoured_once", _BACKWARD),
        ),
        not_checked=(
            NotChecked("the layer inside an nn.Sequential of a pretrained VGG",
                       "needs downloaded weights; a conv stands in for the network, and the pass-through is the "
                       "same Module.__call__"),
        ),
    ),
)
