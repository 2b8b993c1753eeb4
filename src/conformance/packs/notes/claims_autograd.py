"""Claims of the notes pack: autograd: backward, detach, retain_graph (§1, §4, §6, §7).

One record per claim: what the note says (paraphrased), what is true per release range with
its evidence, and the reach of its specs (``checks``: what they probe, each with the spec and
the breakage that shows the probe can fail; ``not_checked``: what they leave out, and why).
The specs are ``specs/spec_autograd.py``; the breakages ``tests/breakages/autograd.py``.
Imports nothing heavy: the CLI, report and diff read it without torch.
"""
from conformance import verdicts as V
from conformance.records import EVERY_RUN, Check, Claim, Expectation, Idiom, NotChecked, always  # noqa: F401

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

# What the note was doing (the setting of a claim page), shared by several claims
STYLE = ("§7 and §8 come from neural style transfer: a content loss and a style loss are computed on the "
          "features of one network, so two losses share a graph, and the style loss compares Gram "
          "matrices of feature maps.")
SCALAR = ("§1 differentiates Y = w*x + b for three one-element leaves x=1, w=2, b=3 created with "
           "requires_grad=True, calls Y.backward() and prints x.grad ([2.]) and x.data ([1.]).")
VECTOR = ("§1 then takes a random 3-element x that requires grad, y = x*2, and calls "
           "y.backward(torch.FloatTensor([1, 0.1, 0.01])), noting that plain y.backward() is not allowed "
           "for a vector.")
DETACH = ("§6 trains only the second of two stacked modules, y = A(x) and z = B(y), in two ways: "
           "z = B(y.detach()), or y.detach_() before z = B(y), then z.backward().")
TWO_OUTPUTS = ("§7 builds one small graph with two outputs: x is a 1x4 tensor that requires grad, y = x**2, "
                "z = 4*y, output1 = z.mean() and output2 = z.sum(), and then calls backward on both outputs.")

# The examples: each function's body is a runnable script (claim pages, explain; tests/test_examples.py runs it)

def _scalar_backward():
    import torch

    x = torch.tensor([1.0], requires_grad=True)
    w = torch.tensor([2.0], requires_grad=True)
    b = torch.tensor([3.0], requires_grad=True)
    y = w * x + b
    y.backward()  # no argument needed: y is a scalar
    assert (x.grad.item(), w.grad.item(), b.grad.item()) == (2.0, 1.0, 1.0)
    assert x.detach().item() == 1.0  # the values are untouched (x.data works too)


def _backward_all_leaves():
    import torch

    a = torch.tensor([0.5, -1.0], requires_grad=True)
    b = torch.tensor([2.0, 3.0], requires_grad=True)
    k = torch.tensor([4.0, 5.0])  # does not require grad
    ((a * b).sum() + (k * a).sum()).backward()  # one call, no leaf named
    assert a.grad.tolist() == [6.0, 8.0] and b.grad.tolist() == [0.5, -1.0]
    assert k.grad is None


def _nonscalar_needs_gradient():
    import torch

    x = torch.randn(3, requires_grad=True)
    y = x * 2
    try:
        y.backward()
    except RuntimeError as err:
        assert "only for scalar outputs" in str(err)
    else:
        raise AssertionError("backward() on a vector should fail")
    y.sum().backward()  # or y.backward(torch.ones_like(y))
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def _vector_backward_weights():
    import torch

    x = torch.randn(3, requires_grad=True)
    y = x * 2
    y.backward(torch.tensor([1.0, 0.1, 0.01]))  # x.grad = J^T v
    assert torch.allclose(x.grad, torch.tensor([2.0, 0.2, 0.02]))


def _grads_accumulate():
    import torch

    w = torch.tensor([1.0, -2.0], requires_grad=True)
    x = torch.tensor([3.0, 1.0])
    for _ in range(3):
        (w * x).sum().backward()
    assert w.grad.tolist() == [9.0, 3.0]  # three passes added up
    w.grad = None  # what optimizer.zero_grad() does today
    (w * x).sum().backward()
    assert w.grad.tolist() == [3.0, 1.0]


def _detach_blocks_gradient():
    import torch

    A, B = torch.nn.Linear(4, 3), torch.nn.Linear(3, 2)
    x = torch.randn(5, 4)
    z = B(A(x).detach()).sum()
    z.backward()
    assert A.weight.grad is None  # None, not zeros
    assert B.weight.grad is not None


def _detach_inplace():
    import torch

    A, B = torch.nn.Linear(4, 3), torch.nn.Linear(3, 2)
    x = torch.randn(5, 4)
    y = A(x)
    y.detach_()  # changes y itself
    assert y.grad_fn is None and not y.requires_grad
    B(y).sum().backward()
    assert A.weight.grad is None and B.weight.grad is not None
    try:
        A(x)[0].detach_()  # a view cannot be detached in place
    except RuntimeError as err:
        assert "view" in str(err).lower()
    else:
        raise AssertionError("detach_() on a view should fail")


def _double_backward_error():
    import torch

    x = torch.randn(1, 4, requires_grad=True)
    z = (x ** 2) * 4
    out1, out2 = z.mean(), z.sum()
    out1.backward()  # frees what the graph saved
    try:
        out2.backward()
    except RuntimeError as err:
        assert "backward through the graph a second time" in str(err)
    else:
        raise AssertionError("the second backward should fail")


def _retain_graph():
    import torch

    x = torch.randn(1, 4, requires_grad=True)
    z = (x ** 2) * 4
    out1, out2 = z.mean(), z.sum()
    out1.backward(retain_graph=True)  # keep the graph for the second output
    out2.backward()
    assert torch.allclose(x.grad, 10 * x.detach())  # 2x + 8x: the gradients add up


def _retain_graph_default():
    import torch

    x = torch.randn(1, 4, requires_grad=True)
    z = (x ** 2) * 4
    z.mean().backward(create_graph=True)  # retain_graph follows create_graph: kept
    z.sum().backward()  # so a second backward works

    y = (x ** 2) * 4
    y.mean().backward()  # both left alone: the graph is freed
    try:
        y.sum().backward()
    except RuntimeError as err:
        assert "second time" in str(err)
    else:
        raise AssertionError("the graph should have been freed")


def _retain_variables():
    import torch

    x = torch.randn(1, 4, requires_grad=True)
    out = ((x ** 2) * 4).mean()
    try:
        out.backward(retain_variables=True)  # the old spelling
    except TypeError as err:
        assert "retain_variables" in str(err)
    else:
        raise AssertionError("retain_variables should be rejected")
    out.backward(retain_graph=True)  # the name to use


def _two_losses():
    import torch

    torch.manual_seed(0)
    trunk, head1, head2 = torch.nn.Linear(4, 6), torch.nn.Linear(6, 1), torch.nn.Linear(6, 2)
    params = list(trunk.parameters()) + list(head1.parameters()) + list(head2.parameters())
    x = torch.randn(8, 4)

    h = torch.tanh(trunk(x))
    loss1, loss2 = head1(h).pow(2).mean(), head2(h).abs().mean()
    loss1.backward(retain_graph=True)  # loss2 needs the shared part of the graph again
    loss2.backward()
    two_passes = [p.grad.clone() for p in params]

    for p in params:
        p.grad = None
    h = torch.tanh(trunk(x))
    (head1(h).pow(2).mean() + head2(h).abs().mean()).backward()  # one pass on the sum
    assert all(torch.allclose(g, p.grad) for g, p in zip(two_passes, params))  # so optimizer.step() agrees too


def _content_loss_module():
    import torch

    class ContentLoss(torch.nn.Module):
        def __init__(self, target, weight):
            super().__init__()
            self.target = target.detach() * weight  # a constant: no graph behind it
            self.weight = weight
            self.criterion = torch.nn.MSELoss()
            self.calls = 0

        def forward(self, x):
            self.loss = self.criterion(x * self.weight, self.target)
            return x  # passes its input through

        def backward(self, retain_graph=True):
            self.calls += 1
            self.loss.backward(retain_graph=retain_graph)
            return self.loss

    layer = ContentLoss(torch.rand(1, 4, 8, 8), weight=0.5)
    image = torch.rand(1, 4, 8, 8, requires_grad=True)
    out = layer(image * 2)
    layer.backward()  # runs because the training loop calls it
    assert image.grad is not None and layer.calls == 1
    out.sum().backward()  # autograd never calls a Module's backward method
    assert layer.calls == 1


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
        answer="As the note says: Y.backward() needs no argument for a scalar and gives x.grad = 2, w.grad = 1, "
        "b.grad = 1, leaving x's values at 1.",
        setting=SCALAR,
        topic='Calling backward',
        idioms=(
            Idiom('`Y.backward()` on a scalar, then `x.grad`',
                  'the same',
                  also=('autograd.backward-all-leaves',)),
        ),
        example=_scalar_backward,
    ),
    Claim(
        "autograd.backward-all-leaves", (1,),
        "One backward() call fills .grad of every leaf that requires grad, without naming them.",
        (Expectation(
            ">=1.0,<1.8", V.HOLDS,
            _ALL_LEAVES + ". Tensor.backward and torch.autograd.backward take no inputs= keyword (TypeError).",
            key="before-inputs",
            evidence="run: 1.7.1 backward(inputs=[a]) raises TypeError ('unexpected keyword argument "
            "'inputs''); 1.8.0 it fills only a",
        ), Expectation(
            ">=1.8", V.HOLDS,
            _ALL_LEAVES + ". backward(inputs=[...]) (both forms) fills only the leaves it names.",
            since="1.8.0",
            evidence="run: 1.8.0 backward(inputs=[a]) fills a.grad and leaves b.grad None, and so does "
            "torch.autograd.backward(loss, inputs=[b]) for b; 1.7.1 TypeError ('unexpected keyword "
            "argument 'inputs'') for the keyword",
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
        answer="One backward() call fills .grad of every leaf that requires grad and takes part in the output; "
        "tensors that do not require grad keep .grad None.",
        setting=SCALAR,
        topic='Calling backward',
        example=_backward_all_leaves,
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
        answer="backward() with no argument on a non-scalar raises RuntimeError ('grad can be implicitly created "
        "only for scalar outputs'); pass a gradient of the output's shape or reduce it first (y.sum()).",
        setting=VECTOR,
        topic='Calling backward',
        example=_nonscalar_needs_gradient,
    ),
    Claim(
        "autograd.vector-backward-weights", (1,),
        "For y=x*2, y.backward(v) with v=[1, 0.1, 0.01] gives x.grad=[2, 0.2, 0.02]: the argument "
        "weights each output, in general x.grad = J^T v.",
        (Expectation(
            ">=1.0,<1.3", V.HOLDS,
            _GRADIENT + ", and its dtype too (a float64 v for a float32 y is refused); a [1] v is "
            "accepted for a 0-dim output.",
            key="strict-dtype",
            evidence="run: 1.2.0 a float64 v for a float32 output raises RuntimeError ('expected type "
            "torch.FloatTensor but got torch.DoubleTensor') and a [1] v fits a 0-dim output; 1.3.0 "
            "the float64 v is cast and the [1] v is refused ('Mismatch in shape')",
        ), Expectation(
            ">=1.3", V.HOLDS,
            _GRADIENT + " exactly: a [1] v for a 0-dim output is refused ('Mismatch in shape'); a v of "
            "another dtype is cast (x.grad keeps x's dtype).",
            since="1.3.0",
            evidence="run: 1.3.0 a float64 v for a float32 output is accepted (x.grad float32) and a [1] "
            "v for a 0-dim output raises 'Mismatch in shape: grad_output[0] has a shape of "
            "torch.Size([1]) and output[0] has a shape of torch.Size([])'; 1.2.0 the float64 v raises "
            "'expected type torch.FloatTensor but got torch.DoubleTensor' and the [1] v fits",
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
            Check("other-dtype", "values", "a float64 v for a float32 output: cast since 1.3 (x.grad stays float32), "
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
        answer="y.backward(v) computes the vector-Jacobian product J^T v, so for y = 2x and v = [1, 0.1, 0.01] "
        "x.grad is [2, 0.2, 0.02].",
        setting=VECTOR,
        topic='Calling backward',
        idioms=(
            Idiom('`y.backward(torch.FloatTensor([1, 0.1, 0.01]))` on a vector',
                  '`y.backward(torch.tensor([1, 0.1, 0.01]))`, or `y.sum().backward()` for plain gradients',
                  also=('autograd.nonscalar-needs-gradient',)),
        ),
        example=_vector_backward_weights,
    ),
    Claim(
        "autograd.grads-accumulate", (4,),
        "Gradients are added into .grad by every backward pass unless they are zeroed, which "
        "spoils training.",
        (Expectation(
            ">=1.0,<1.5", V.HOLDS, _ACCUMULATE + " (reading it is silent).",
            key="silent-nonleaf-grad",
            evidence="run: 1.4.0 reading .grad of an intermediate gives None with no warning; 1.5.0 it "
            "warns ('The .grad attribute of a Tensor that is not a leaf Tensor is being accessed')",
        ), Expectation(
            ">=1.5", V.HOLDS,
            _ACCUMULATE + " (reading it gives None with a UserWarning).",
            since="1.5.0",
            evidence="run: 1.5.0 reading .grad of an intermediate warns ('The .grad attribute of a "
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
                  "reading it warns since 1.5",
                  "test_retained_graph_and_retain_grad_accumulate", "backward_keeps_the_outputs_grad", _BACKWARD),
        ),
        not_checked=(
            NotChecked("zeroing through Optimizer.zero_grad and Module.zero_grad (set_to_none)",
                       "claim optim.zero-grad probes them"),
            NotChecked("the memory layout of an accumulated .grad (the gradient layout contract)",
                       "not part of the claim: its values are probed"),
        ),
        answer="Every backward pass adds into .grad: after k passes it is k times one pass's gradient, until "
        "something clears it (optimizer.zero_grad(), which today sets it to None).",
        setting="§4 warns that gradients must be cleared before each backward pass of a training loop; otherwise "
        "they pile up across iterations and training does not converge.",
        topic='Calling backward',
        example=_grads_accumulate,
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
        answer="z = B(A(x).detach()) trains only B: after z.backward() B's parameters have gradients and A's "
        "keep .grad None (not zeros).",
        setting=DETACH,
        topic='Stopping gradients: detach',
        idioms=(
            Idiom('`z = B(y.detach())`',
                  'the same'),
        ),
        example=_detach_blocks_gradient,
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
        answer="y.detach_() gives A and B the same gradients as B(y.detach()), but it changes y itself (grad_fn "
        "None, requires_grad False) and raises RuntimeError when y is a view; prefer y.detach().",
        setting=DETACH,
        topic='Stopping gradients: detach',
        idioms=(
            Idiom('`y.detach_()` then `z = B(y)`',
                  '`y.detach()` (detach_ changes y and fails on views)'),
        ),
        example=_detach_inplace,
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
        answer="A second backward through a graph whose saved tensors were freed raises RuntimeError ('Trying to "
        "backward through the graph a second time ...'); the sentence around it was reworded over the "
        "releases.",
        setting=TWO_OUTPUTS,
        topic='Calling backward twice: retain_graph',
        idioms=(
            Idiom('`output1.backward(); output2.backward()` on one graph',
                  '`output1.backward(retain_graph=True)` first, or one `(output1 + output2).backward()`',
                  also=('autograd.retain-graph',)),
        ),
        example=_double_backward_error,
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
        answer="output1.backward(retain_graph=True) keeps the graph, so output2.backward() works afterwards and "
        "x.grad is the sum of both gradients.",
        setting=TWO_OUTPUTS,
        topic='Calling backward twice: retain_graph',
        questions=('How do I backpropagate two outputs of one graph?',),
        example=_retain_graph,
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
        answer="retain_graph defaults to create_graph: backward() frees the graph, backward(create_graph=True) "
        "keeps it, and an explicit retain_graph=False wins.",
        setting=TWO_OUTPUTS + " It quotes the documentation: retain_graph defaults to the value of create_graph.",
        topic='Calling backward twice: retain_graph',
        example=_retain_graph_default,
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
        answer="backward(retain_variables=True) raises TypeError (unexpected keyword argument); the option is "
        "called retain_graph.",
        setting=TWO_OUTPUTS + " Its last paragraph explains the same option under the old name retain_variables.",
        topic='Calling backward twice: retain_graph',
        idioms=(
            Idiom('`backward(retain_variables=True)`',
                  '`backward(retain_graph=True)`',
                  also=('autograd.retain-graph-default',)),
        ),
        questions=('Is `retain_variables=True` still accepted?',),
        example=_retain_variables,
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
        answer="loss1.backward(retain_graph=True), loss2.backward(), optimizer.step() still works and lands where "
        "one step on loss1 + loss2 lands; (loss1 + loss2).backward() is the simpler spelling.",
        setting="§7 ends with a pattern for two losses over one network: backward the first keeping the graph, "
        "backward the second (which frees it for the next iteration), then step the optimizer.",
        topic='Calling backward twice: retain_graph',
        idioms=(
            Idiom('`loss1.backward(retain_graph=True); loss2.backward(); optimizer.step()`',
                  'the same, or `(loss1 + loss2).backward()`'),
        ),
        example=_two_losses,
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
        answer="The layer works as a pass-through that stores its loss, and its backward method backpropagates "
        "that loss when called, but autograd never calls a Module's backward: only the training loop "
        "does, explicitly.",
        setting=STYLE + " The content-loss module keeps target.detach() * weight, its forward stores "
        "MSE(input * weight, target) and returns the input, and its own backward(retain_graph=True) "
        "calls loss.backward; the note says it runs when the whole network backpropagates.",
        topic='Calling backward twice: retain_graph',
        idioms=(
            Idiom('a `backward(self, retain_graph=True)` method on a loss Module',
                  'call it yourself, or return the loss and backpropagate it: autograd never calls it'),
        ),
        questions=("Does autograd call a Module's own `backward` method?",),
        example=_content_loss_module,
    ),
)
