"""Autograd: backward, gradient accumulation, detach, retain_graph (notes §1, §4, §6, §7).

References are computed by hand (analytic derivatives, float64), never by autograd itself, so a
broken backward cannot agree with its own reference. Each claim is probed in its note's own
setting (the ``example`` check) and in the other public forms of the same call:
``Tensor.backward`` (positional and keyword arguments), ``torch.autograd.backward`` and
``torch.autograd.grad``; float32 and float64; 0-dim, one-element, multi-dim and non-contiguous
tensors; repeated calls. Each spec covers one region of that reach, so that a regression confined
to it (``tests/breakages/autograd.py``) fails that spec alone.
"""
import warnings

import torch
from hypothesis import given
from hypothesis import strategies as st

from conformance.models import normalized_gram
from conformance.testing import spec


def _import_what_torch_imports_lazily():
    """torch >= 2.0 imports torch._dynamo (and sympy with it) the first time an optimizer is
    built or a backward is given an explicit gradient: about a second, once per process. A run
    pays it anyway (importing torchvision for the results' environment loads the same modules),
    so it is paid here, when the module is collected, and not by whichever probe happens to come
    first: the specs' call times then measure the probes. Older releases have nothing to load."""
    try:
        import torch._dynamo  # noqa: F401
    except Exception:  # torch < 2.0 has no torch._dynamo
        pass


_import_what_torch_imports_lazily()

F64_TOL = 1e-9  # rtol and atol of float64 gradients against references by hand
F32_RTOL, F32_ATOL = 1e-4, 1e-6  # float32 gradients through a conv and a Gram matrix
TINY = 2.0 ** -40  # lost next to 1.0 in float32, kept in float64: exact float64 results keep it

CREATE_GRAPH_CYCLE = r".*create_graph=True will create a reference cycle"  # a UserWarning of newer releases


def _leaf(values, device, dtype=torch.float32):
    return torch.tensor(values, dtype=dtype, device=device).requires_grad_(True)


def _succeeds(claim, call, what):
    """Run ``call()``; a RuntimeError there is the claim not holding (an assertion), not a crash."""
    try:
        return call()
    except RuntimeError as err:
        claim.fail("%s succeeds" % what, raised="%s: %s" % (type(err).__name__, err))


def _exactly(claim, seen, expected, what):
    """float64 results that must be exact, compared element by element as Python floats."""
    claim.equal(seen.detach().cpu().reshape(-1).tolist(), [float(e) for e in expected], what)


def _quiet_create_graph(call):
    """Run ``call()`` with the newer releases' create_graph reference-cycle warning silenced."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", CREATE_GRAPH_CYCLE, UserWarning)
        return call()


# ------------------------------------------------------------------------------------- §1


def _note_leaves(device, dtype=torch.float32):
    """§1: x = 1, w = 2, b = 3, leaves of shape [1] that require grad."""
    return _leaf([1.0], device, dtype), _leaf([2.0], device, dtype), _leaf([3.0], device, dtype)


@spec("autograd.scalar-backward")
def test_scalar_backward_fills_all_three_grads(claim, device):
    """§1: with x=1, w=2, b=3 as leaves that require grad and Y = w*x + b, Y.backward() needs no
    argument; afterwards x.grad = w = 2, w.grad = x = 1, b.grad = 1, and x.data is still 1."""
    x, w, b = _note_leaves(device)
    y = w * x + b
    y.backward()
    claim.observe("grads", {"x": x.grad, "w": w.grad, "b": b.grad})
    claim.close(x.grad, [2.0], "x.grad (= w)")
    claim.close(w.grad, [1.0], "w.grad (= x)")
    claim.close(b.grad, [1.0], "b.grad")
    claim.close(x.data, [1.0], "x.data after backward")


@spec("autograd.scalar-backward")
def test_scalar_backward_function_forms(claim, device):
    """§1 through the functions: torch.autograd.backward(Y) fills the same three grads;
    torch.autograd.grad(Y, (x, w, b)) returns them and leaves every .grad as it was (None)."""
    x, w, b = _note_leaves(device)
    torch.autograd.backward(w * x + b)
    claim.observe("autograd_backward", {"x": x.grad, "w": w.grad, "b": b.grad})
    claim.close(x.grad, [2.0], "torch.autograd.backward(Y): x.grad (= w)")
    claim.close(w.grad, [1.0], "torch.autograd.backward(Y): w.grad (= x)")
    claim.close(b.grad, [1.0], "torch.autograd.backward(Y): b.grad")

    x, w, b = _note_leaves(device)
    grads = torch.autograd.grad(w * x + b, (x, w, b))
    claim.observe("autograd_grad", grads)
    for name, got, want in zip("xwb", grads, (2.0, 1.0, 1.0)):
        claim.close(got, [want], "torch.autograd.grad(Y, (x, w, b)): d Y / d %s" % name)
    claim.equal([t.grad for t in (x, w, b)], [None, None, None], "torch.autograd.grad leaves .grad of x, w, b alone")


@spec("autograd.scalar-backward")
def test_scalar_backward_other_one_element_shapes_and_float64(claim, device):
    """§1 at the edges: backward() needs no argument for every one-element output (0-dim,
    [1, 1], [1, 1, 1]); in float64 the gradients keep full precision (w = 1 + 2**-40 arrives in
    x.grad exactly) and an infinite x gives w.grad = inf."""
    seen = {}
    for shape in [(), (1, 1), (1, 1, 1)]:
        x, w, b = (torch.full(shape, v, dtype=torch.float32, device=device).requires_grad_(True)
                   for v in (1.0, 2.0, 3.0))
        y = w * x + b
        _succeeds(claim, y.backward, "backward() with no argument on a one-element output of shape %s" % (shape,))
        seen[str(list(shape))] = [x.grad, w.grad, b.grad]
        for name, got, want in (("x", x.grad, 2.0), ("w", w.grad, 1.0), ("b", b.grad, 1.0)):
            claim.close(got, torch.full(shape, want, dtype=torch.float32),
                        "%s.grad for an output of shape %s" % (name, list(shape)))
    claim.observe("one_element_shapes", seen)

    x, w, b = (_leaf(v, device, torch.float64) for v in (3.0 - 2 * TINY, 1.0 + TINY, float("inf")))  # 0-dim
    (w * x + b).backward()
    claim.observe("float64_grads", {"x": x.grad, "w": w.grad})
    _exactly(claim, x.grad, [1.0 + TINY], "float64 x.grad = w = 1 + 2**-40, to the last bit")
    _exactly(claim, w.grad, [3.0 - 2 * TINY], "float64 w.grad = x = 3 - 2**-39, to the last bit")
    x, w = _leaf(float("inf"), device, torch.float64), _leaf(2.0, device, torch.float64)
    (w * x).backward()
    claim.equal(w.grad.item(), float("inf"), "w.grad = x when x is inf")


@spec("autograd.backward-all-leaves")
def test_one_backward_fills_every_leaf(claim, device):
    """§1: one backward() call reaches every leaf that requires grad; a leaf that does not
    require grad gets nothing."""
    a = torch.tensor([0.5, -1.0], device=device, requires_grad=True)
    b = torch.tensor([2.0, 3.0], device=device, requires_grad=True)
    c = torch.tensor(1.5, device=device, requires_grad=True)
    k = torch.tensor([4.0, 5.0], device=device)  # a constant
    loss = (a * b).sum() * c + (k * a).sum()
    loss.backward()
    claim.close(a.grad, (b.detach() * 1.5 + k), "a.grad = b*c + k")
    claim.close(b.grad, (a.detach() * 1.5), "b.grad = a*c")
    claim.close(c.grad, (a.detach() * b.detach()).sum(), "c.grad = sum(a*b)")
    claim.is_none(k.grad, "a tensor that does not require grad gets no .grad")


@spec("autograd.backward-all-leaves")
def test_every_parameter_of_a_module_gets_its_grad(claim, device):
    """§1 for a network: one backward() of a two-layer MLP (float64) fills .grad of every
    parameter, weights and biases, with its own shape and the gradient worked out by hand; the
    input, which does not require grad, gets none."""
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).to(device).double()
    x = torch.randn(5, 3, dtype=torch.float64, device=device)
    net(x).sum().backward()
    w1, b1, w2, b2 = (p.detach() for p in net.parameters())
    h = torch.tanh(x @ w1.t() + b1)
    dh = (1 - h ** 2) * w2.sum(0)  # d sum(out) / d (x W1^T + b1)
    expected = {"0.weight": dh.t() @ x, "0.bias": dh.sum(0), "2.weight": h.sum(0).expand(2, -1),
                "2.bias": torch.full((2,), 5.0, dtype=torch.float64)}
    claim.observe("grad_shapes", {n: None if p.grad is None else list(p.grad.shape) for n, p in net.named_parameters()})
    for name, p in net.named_parameters():
        claim.is_not_none(p.grad, "parameter %s gets a .grad" % name)
        claim.close(p.grad, expected[name], "parameter %s: .grad by hand" % name, rtol=F64_TOL, atol=F64_TOL)
    claim.is_none(x.grad, "the input, which does not require grad, gets no .grad")


@spec("autograd.backward-all-leaves")
def test_backward_inputs_names_the_leaves_to_fill(claim, device):
    """§1's 'without naming them', and the option that names them: since 1.8 backward(inputs=[a])
    fills only a, and torch.autograd.backward(loss, inputs=[b]) only b; before, neither takes
    the keyword (TypeError)."""
    a, b = _leaf([1.0, 2.0], device), _leaf([3.0, -1.0], device)
    if claim.expects("before-inputs"):
        with claim.raises(TypeError, match=r"inputs", record="tensor_backward_inputs"):
            (a * b).sum().backward(inputs=[a])
        with claim.raises(TypeError, match=r"inputs", record="autograd_backward_inputs"):
            torch.autograd.backward((a * b).sum(), inputs=[b])
        claim.equal([a.grad, b.grad], [None, None], "the refused calls filled nothing")
        return
    (a * b).sum().backward(inputs=[a])
    claim.observe("tensor_backward_inputs", {"a": a.grad, "b": b.grad})
    claim.close(a.grad, [3.0, -1.0], "backward(inputs=[a]): a.grad = b")
    claim.is_none(b.grad, "backward(inputs=[a]) leaves b.grad None")
    a, b = _leaf([1.0, 2.0], device), _leaf([3.0, -1.0], device)
    torch.autograd.backward((a * b).sum(), inputs=[b])
    claim.observe("autograd_backward_inputs", {"a": a.grad, "b": b.grad})
    claim.close(b.grad, [1.0, 2.0], "torch.autograd.backward(loss, inputs=[b]): b.grad = a")
    claim.is_none(a.grad, "torch.autograd.backward(loss, inputs=[b]) leaves a.grad None")


@spec("autograd.backward-all-leaves")
def test_autograd_grad_returns_every_input_and_allow_unused(claim, device):
    """§1 with torch.autograd.grad, which names its inputs: it returns a gradient for each, and an
    input the output does not depend on is an error unless allow_unused=True, which gives None
    for it (not zeros). No .grad is filled either way."""
    a, b, unused = _leaf([1.0, 2.0], device), _leaf([3.0, -1.0], device), _leaf([7.0], device)
    loss = (a * b).sum()
    ga, gb, gu = torch.autograd.grad(loss, [a, b, unused], allow_unused=True, retain_graph=True)
    claim.observe("allow_unused", {"a": ga, "b": gb, "unused": gu})
    claim.close(ga, [3.0, -1.0], "grad(loss, [a, b, unused], allow_unused=True)[0] = b")
    claim.close(gb, [1.0, 2.0], "grad(loss, [a, b, unused], allow_unused=True)[1] = a")
    claim.is_none(gu, "the gradient of an unused input with allow_unused=True")
    with claim.raises(RuntimeError, match=r"allow_unused", record="unused_error"):
        torch.autograd.grad(loss, [a, unused])
    claim.equal([a.grad, b.grad, unused.grad], [None, None, None], "torch.autograd.grad fills no .grad")


@spec("autograd.nonscalar-needs-gradient")
def test_backward_on_a_vector_needs_a_gradient(claim, device):
    """§1: backward() with no argument only works on a scalar; on a vector it is an error."""
    x = torch.randn(3, device=device, requires_grad=True)
    y = x * 2
    with claim.raises(RuntimeError, match=r"only for scalar outputs", record="error"):
        y.backward()
    claim.is_none(x.grad, "the failed call leaves .grad untouched")


@spec("autograd.nonscalar-needs-gradient")
def test_backward_on_other_nonscalar_shapes_needs_a_gradient(claim, device):
    """§1 for other shapes: a matrix (also a non-contiguous, transposed one), a 3-D output and
    empty outputs ([0], [2, 0]: no element is not one element) all need a gradient."""
    x = torch.randn(2, 3, device=device, requires_grad=True)
    cases = [("2x3", lambda: x * 2), ("3x2 transposed", lambda: (x * 2).t()),
             ("2x3x1", lambda: (x * 2).unsqueeze(-1)), ("empty [0]", lambda: (x * 2)[0, :0]),
             ("empty [2, 0]", lambda: (x * 2)[:, :0])]
    for name, make in cases:
        y = make()
        with claim.raises(RuntimeError, match=r"only for scalar outputs", record="error_%s" % name.replace(" ", "_")):
            y.backward()
        claim.is_none(x.grad, "backward() on a %s output leaves .grad untouched" % name)


@spec("autograd.nonscalar-needs-gradient")
def test_function_forms_on_a_vector_need_a_gradient(claim, device):
    """§1 through the functions: torch.autograd.backward(y) and torch.autograd.grad(y, x), with
    no gradient or grad_outputs=None, refuse a vector output the same way."""
    x = torch.randn(3, device=device, requires_grad=True)
    y = x * 2
    with claim.raises(RuntimeError, match=r"only for scalar outputs", record="autograd_backward"):
        torch.autograd.backward(y)
    with claim.raises(RuntimeError, match=r"only for scalar outputs", record="autograd_grad"):
        torch.autograd.grad(y, x)
    with claim.raises(RuntimeError, match=r"only for scalar outputs"):
        torch.autograd.grad(y, x, grad_outputs=None)
    claim.is_none(x.grad, "the refused calls leave .grad untouched")


NOTE_V = [1.0, 0.1, 0.01]


@spec("autograd.vector-backward-weights")
def test_vector_backward_weights_each_output(claim, device):
    """§1: for y = 2x, y.backward(v) with v = [1, 0.1, 0.01] gives x.grad = [2, 0.2, 0.02]."""
    x = torch.randn(3, device=device, requires_grad=True)
    y = x * 2
    y.backward(torch.tensor(NOTE_V, device=device))
    claim.observe("x_grad", x.grad)
    claim.close(x.grad, [2.0, 0.2, 0.02], "x.grad for v = [1, 0.1, 0.01]")


@spec("autograd.vector-backward-weights")
def test_gradient_as_keyword_and_in_the_function_forms(claim, device):
    """§1 in the other spellings: y.backward(gradient=v), torch.autograd.backward(y,
    grad_tensors=v), torch.autograd.backward([y1, y2], [v1, v2]) (each output weighted by its
    own vector) and torch.autograd.grad(y, x, grad_outputs=v)."""
    v = torch.tensor(NOTE_V, device=device)
    want = [2.0, 0.2, 0.02]
    x = torch.randn(3, device=device, requires_grad=True)
    (x * 2).backward(gradient=v)
    claim.close(x.grad, want, "y.backward(gradient=v)")
    x = torch.randn(3, device=device, requires_grad=True)
    torch.autograd.backward(x * 2, grad_tensors=v)
    claim.close(x.grad, want, "torch.autograd.backward(y, grad_tensors=v)")
    x = torch.randn(3, device=device, requires_grad=True)
    v2 = torch.tensor([0.5, -1.0, 4.0], device=device)
    torch.autograd.backward([x * 2, x * 3], [v, v2])
    claim.close(x.grad, 2 * v + 3 * v2, "torch.autograd.backward([2x, 3x], [v1, v2]) = 2 v1 + 3 v2")
    x = torch.randn(3, device=device, requires_grad=True)
    (g,) = torch.autograd.grad(x * 2, x, grad_outputs=v)
    claim.observe("grad_outputs_keyword", g)
    claim.close(g, want, "torch.autograd.grad(y, x, grad_outputs=v)")
    claim.is_none(x.grad, "torch.autograd.grad fills no .grad")


@spec("autograd.vector-backward-weights")
def test_vector_backward_dtypes_and_layouts(claim, device):
    """§1 at the edges, through torch.autograd.backward(y, v): float64 keeps full precision
    (x.grad = 2v to the last bit), a 0-dim and a one-element output take a gradient of their own
    shape, and a non-contiguous (transposed) output takes a non-contiguous (strided) v."""
    x = _leaf([0.5, -2.0, 3.0], device, torch.float64)
    v = torch.tensor([1.0 + TINY, -TINY, 3.0], dtype=torch.float64, device=device)
    torch.autograd.backward(x * 2, v)
    claim.observe("float64", x.grad)
    _exactly(claim, x.grad, [2.0 + 2 * TINY, -2 * TINY, 6.0], "float64 x.grad = 2v")

    for dtype in (torch.float32, torch.float64):
        tag = str(dtype).replace("torch.", "")
        x = _leaf([0.5, -2.0, 3.0], device, dtype)
        _succeeds(claim, lambda: torch.autograd.backward((x * x).sum(), torch.tensor(0.5, dtype=dtype, device=device)),
                  "a 0-dim gradient for a 0-dim output (%s)" % tag)
        claim.close(x.grad, x.detach() * 1.0, "%s: x.grad = 0.5 * 2x for a 0-dim output" % tag)
        x = _leaf([0.5, -2.0, 3.0], device, dtype)
        torch.autograd.backward((x * 2).sum(0, keepdim=True), torch.tensor([-3.0], dtype=dtype, device=device))
        claim.close(x.grad, [-6.0] * 3, "%s: x.grad for a one-element output [1] and v = [-3]" % tag)

        x = torch.arange(6.0, dtype=dtype, device=device).reshape(2, 3).requires_grad_(True)
        y = (x * 2).t()  # 3 x 2, not contiguous
        base = torch.arange(12.0, dtype=dtype, device=device).reshape(3, 4)
        v = base[:, ::2]  # 3 x 2, strided
        claim.equal([y.is_contiguous(), v.is_contiguous()], [False, False], "output and v are non-contiguous")
        torch.autograd.backward(y, v)
        claim.observe("noncontiguous_%s" % tag, x.grad)
        claim.close(x.grad, 2 * v.t(), "%s: x.grad = 2 v^T for a transposed output and a strided v" % tag)


@spec("autograd.vector-backward-weights")
def test_gradient_must_match_the_output(claim, device):
    """§1's v must fit y (torch.autograd.backward(y, v)): a gradient of another shape ([1] or [4]
    for a [3] output) is refused on every release. Before 1.3 a gradient of another dtype is refused too and a [1] gradient
    fits a 0-dim output; since then a float64 v for a float32 y is cast (x.grad stays float32)
    and a 0-dim output needs a 0-dim gradient."""
    for shape in ([1], [4]):
        x = torch.randn(3, device=device, requires_grad=True)
        with claim.raises(RuntimeError, match=r"[Ss]hape", record="shape_%s" % shape[0]):
            torch.autograd.backward(x * 2, torch.ones(shape, device=device))
        claim.is_none(x.grad, "a refused gradient of shape %s fills nothing" % shape)

    x = torch.randn(3, device=device, requires_grad=True)
    v64 = torch.tensor(NOTE_V, dtype=torch.float64, device=device)
    if claim.expects("strict-dtype"):
        with claim.raises(RuntimeError, match=r"type", record="float64_gradient"):
            torch.autograd.backward(x * 2, v64)
        x = _leaf([0.5, -2.0, 3.0], device)
        torch.autograd.backward((x * x).sum(), torch.ones(1, device=device))
        claim.close(x.grad, 2 * x.detach(), "a [1] gradient for a 0-dim output")
        return
    _succeeds(claim, lambda: torch.autograd.backward(x * 2, v64), "a float64 gradient for a float32 output")
    claim.observe("float64_gradient_grad_dtype", x.grad.dtype)
    claim.equal(x.grad.dtype, torch.float32, "x.grad keeps x's dtype when v is float64")
    claim.close(x.grad, [2.0, 0.2, 0.02], "x.grad for a float64 v")
    x = _leaf([0.5, -2.0, 3.0], device)
    with claim.raises(RuntimeError, match=r"[Ss]hape", record="zero_dim_output_one_element_gradient"):
        torch.autograd.backward((x * x).sum(), torch.ones(1, device=device))


# (name, function, J^T v computed by hand). Elementwise functions have a diagonal Jacobian.
_ELEMENTWISE = {
    "2x": (lambda x: x * 2, lambda x, v: 2 * v),
    "x^2": (lambda x: x ** 2, lambda x, v: 2 * x * v),
    "sin": (torch.sin, lambda x, v: torch.cos(x) * v),
    "exp": (torch.exp, lambda x, v: torch.exp(x) * v),
    "tanh": (torch.tanh, lambda x, v: (1 - torch.tanh(x) ** 2) * v),
}


_VALUES = st.floats(-3, 3, allow_nan=False, allow_infinity=False)  # bounded: exp stays well inside float64


def _draw_f64(data, shape, label):
    """A float64 tensor of ``shape`` whose values hypothesis draws (and shrinks)."""
    n = 1
    for size in shape:
        n *= size
    values = data.draw(st.lists(_VALUES, min_size=n, max_size=n), label=label)
    return torch.tensor(values, dtype=torch.float64).reshape(tuple(shape))


@spec("autograd.vector-backward-weights")
@given(
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    fn=st.sampled_from(sorted(_ELEMENTWISE) + ["A@x", "x@B"]),
    data=st.data(),
)
def test_vector_backward_is_jacobian_transpose_product(claim, device, shape, fn, data):
    """§1 generalised: torch.autograd.grad(y, x, v) (v given positionally) is J^T v, for
    elementwise and matrix maps of drawn shapes and values (float64, reference by hand)."""
    x0 = _draw_f64(data, shape, "x")
    if fn == "A@x":
        x0 = x0.reshape(-1)
        A = _draw_f64(data, (3, x0.numel()), "A")
        forward, reference = (lambda x: A.to(device) @ x), (lambda x, v: A.t() @ v)
    elif fn == "x@B":
        x0 = x0.reshape(x0.shape[0], -1)
        B = _draw_f64(data, (x0.shape[1], 2), "B")
        forward, reference = (lambda x: x @ B.to(device)), (lambda x, v: v @ B.t())
    else:
        forward, reference = _ELEMENTWISE[fn]
    x = x0.to(device).requires_grad_(True)
    y = forward(x)
    v = _draw_f64(data, y.shape, "v")
    (g,) = torch.autograd.grad(y, x, v.to(device))
    claim.close(g, reference(x0, v), "J^T v for %s, shape %s" % (fn, list(shape)), rtol=F64_TOL, atol=F64_TOL)


# ------------------------------------------------------------------------------------- §4


@spec("autograd.grads-accumulate")
def test_gradients_add_up_until_zeroed(claim, device):
    """§4: every backward pass adds into .grad; after k passes the gradient is k times one
    pass's, until it is zeroed."""
    w = torch.tensor([1.0, -2.0, 0.5], device=device, requires_grad=True)
    x = torch.tensor([3.0, 1.0, 2.0], device=device)
    seen = []
    for k in range(1, 5):
        (w * x).sum().backward()
        seen.append(w.grad.clone())
        claim.close(w.grad, x * k, "w.grad after %d passes" % k)
    claim.observe("grads_per_pass", seen)
    w.grad.zero_()
    (w * x).sum().backward()
    claim.close(w.grad, x, "w.grad after zeroing and one more pass")


@spec("autograd.grads-accumulate")
def test_function_forms_add_up_in_float64_and_grad_adds_nothing(claim, device):
    """§4 through the functions: torch.autograd.backward adds into .grad as well, in float64 to
    the last bit (1 + 2**-40 after passes of 1 and 2**-40); torch.autograd.grad returns each
    pass's gradient and leaves .grad as it was."""
    w = _leaf([1.0, -2.0], device, torch.float64)
    scale = torch.tensor([1.0, 1.0], dtype=torch.float64, device=device)
    torch.autograd.backward((w * scale).sum())
    torch.autograd.backward((w * (scale * TINY)).sum())
    claim.observe("float64_after_two_passes", w.grad)
    _exactly(claim, w.grad, [1.0 + TINY, 1.0 + TINY], "w.grad after torch.autograd.backward passes of 1 and 2**-40")
    before = w.grad.clone()
    (g,) = torch.autograd.grad((w * 3).sum(), w)
    claim.close(g, [3.0, 3.0], "torch.autograd.grad returns this pass's gradient alone")
    _exactly(claim, w.grad, before.tolist(), "torch.autograd.grad leaves the accumulated .grad as it was")


@spec("autograd.grads-accumulate")
def test_retained_graph_and_retain_grad_accumulate(claim, device):
    """§4 on one graph: three backward passes through a retained graph give three times the
    gradient (x used twice in one pass counts twice), an intermediate with retain_grad()
    accumulates as well, and an intermediate without it gets no .grad (reading it warns since
    1.5)."""
    x = _leaf([1.0, -2.0, 0.5], device)
    h = x * 3
    h.retain_grad()
    loss = (h * h).sum() + (x * x).sum()  # d/dx = 18x + 2x; d/dh = 2h
    other = x * 2  # an intermediate nobody asked to keep
    loss2 = loss + other.sum()
    for k in (1, 2, 3):
        loss2.backward(retain_graph=k < 3)
        claim.close(x.grad, (20 * x.detach() + 2) * k, "x.grad after %d passes of one graph" % k)
        claim.close(h.grad, 2 * h.detach() * k, "h.grad (retain_grad) after %d passes" % k)
    with claim.warnings(record="nonleaf_grad_warnings") as caught:
        nonleaf = [other.grad, loss2.grad]
    claim.equal(nonleaf, [None, None], "intermediates without retain_grad() (x*2, the loss) get no .grad")
    warned = [w for w in caught if "leaf" in str(w.message)]
    claim.equal(len(warned) > 0, not claim.expects("silent-nonleaf-grad"),
                "a warning when a non-leaf's .grad is read (given since 1.5)")


# ------------------------------------------------------------------------------------- §6


def _two_modules(device):
    """A (trainable front) and B (trainable back) of the §6 setup, with an input."""
    a = torch.nn.Linear(4, 3).to(device)
    b = torch.nn.Linear(3, 2).to(device)
    x = torch.randn(5, 4, device=device)
    return a, b, x


def _check_b_gets_a_gets_none(claim, a, b, features):
    """After z = B(features).sum() backward: B's grads by hand, A's untouched."""
    claim.observe("A_weight_grad", a.weight.grad)
    claim.is_none(a.weight.grad, "A.weight gets no gradient (not even zeros)")
    claim.is_none(a.bias.grad, "A.bias gets no gradient (not even zeros)")
    n = features.shape[0]
    # d/dW sum(F W^T + b) = ones(n,2)^T F: every row of W's grad is the column sums of F.
    claim.close(b.weight.grad, features.detach().sum(0).expand(2, -1), "B.weight.grad")
    claim.close(b.bias.grad, torch.full((2,), float(n)), "B.bias.grad")


@spec("autograd.detach-blocks-gradient")
def test_detach_stops_gradient_at_the_cut(claim, device):
    """§6, first form: z = B(A(x).detach()); z.backward() trains B only."""
    a, b, x = _two_modules(device)
    y = a(x)
    cut = y.detach()
    claim.equal(cut.requires_grad, False, "detach() returns a tensor outside the graph: its requires_grad")
    claim.is_none(cut.grad_fn, "detach() returns a tensor outside the graph: its grad_fn")
    b(cut).sum().backward()
    _check_b_gets_a_gets_none(claim, a, b, y)
    claim.is_not_none(y.grad_fn, "detach() leaves the original tensor in the graph: its grad_fn")


@spec("autograd.detach-blocks-gradient")
def test_detach_cuts_in_other_graph_shapes(claim, device):
    """§6 in other graphs (float64): with y = 2a, (y + y.detach()).sum() gives a.grad = 2, not 4;
    in a diamond only the attached branch reaches a; a detached element of a view cuts just that
    element; a chain cut in the middle reaches a only around the cut; torch.autograd.grad over a
    cut branch finds nothing (None with allow_unused=True)."""
    f64 = torch.float64
    a = _leaf([1.0, -2.0, 3.0], device, f64)
    y = a * 2
    (y + y.detach()).sum().backward()
    seen = {"residual": a.grad.clone()}
    _exactly(claim, a.grad, [2.0, 2.0, 2.0], "residual y + y.detach(): a.grad = 2")

    a, b, c = _leaf([1.0, -2.0, 3.0], device, f64), _leaf([0.5, 4.0, -1.0], device, f64), _leaf([2.0, 1.0, -3.0], device, f64)
    y = a ** 2
    ((y.detach() * b).sum() + (y * c).sum()).backward()
    seen["diamond"] = a.grad.clone()
    claim.close(a.grad, 2 * a.detach() * c.detach(), "diamond: a.grad = 2a*c, from the attached branch only",
                rtol=F64_TOL, atol=F64_TOL)
    claim.close(b.grad, y.detach(), "diamond: b.grad = y", rtol=F64_TOL, atol=F64_TOL)

    a = _leaf([1.0, -2.0, 3.0], device, f64)
    y = a * 3
    (y[0].detach() * y[1:]).sum().backward()
    seen["view_element"] = a.grad.clone()
    _exactly(claim, a.grad, [0.0, 9.0, 9.0], "y[0].detach() * y[1:]: no gradient through y[0]")

    a = _leaf([0.5, -1.0], device, f64)
    y2 = torch.sin(torch.exp(a).detach())
    (y2 * a).sum().backward()
    seen["chain"] = a.grad.clone()
    claim.close(a.grad, y2.detach(), "sin(exp(a).detach()) * a: a.grad = the cut value only", rtol=F64_TOL, atol=F64_TOL)

    a, b = _leaf([1.0, -2.0], device, f64), _leaf([3.0, 4.0], device, f64)
    (ga, gb) = torch.autograd.grad(((a * 2).detach() * b).sum(), [a, b], allow_unused=True)
    seen["autograd_grad"] = [ga, gb]
    claim.is_none(ga, "torch.autograd.grad through a detached branch: a's gradient")
    claim.close(gb, [2.0, -4.0], "torch.autograd.grad: b's gradient = 2a", rtol=F64_TOL, atol=F64_TOL)
    claim.observe("a_grads", seen)


@spec("autograd.detach-blocks-gradient")
def test_data_cuts_like_detach(claim, device):
    """§6 with the older spelling .data: z = B(A(x).data) trains B only as well, and y.data is a
    tensor outside the graph on the same memory; unlike detach(), a change through .data is not
    counted (no error, the gradient silently uses the changed values)."""
    a, b, x = _two_modules(device)
    y = a(x)
    cut = y.data
    claim.equal([cut.requires_grad, cut.grad_fn], [False, None], ".data is outside the graph: requires_grad, grad_fn")
    claim.equal(cut.data_ptr(), y.data_ptr(), ".data shares y's memory (data_ptr)")
    b(cut).sum().backward()
    _check_b_gets_a_gets_none(claim, a, b, y)

    a = _leaf([0.5, -1.0, 2.0], device)
    y = a.exp()  # exp's backward uses its own result y
    y.data.mul_(2)
    _succeeds(claim, y.sum().backward, "backward after an in-place change through .data")
    claim.observe("grad_after_data_change", a.grad)
    claim.close(a.grad, 2 * torch.exp(a.detach()), "the gradient uses the values changed through .data")


@spec("autograd.detach-blocks-gradient")
def test_detached_tensor_shares_memory_and_version(claim, device):
    """§6, what detach() returns: the same memory as y and y's version counter, so changing it in
    place makes a backward that needs y raise."""
    a = _leaf([0.5, -1.0, 2.0], device)
    y = a.exp()  # exp's backward uses its own result y
    cut = y.detach()
    claim.equal(cut.data_ptr(), y.data_ptr(), "y.detach() shares y's memory (data_ptr)")
    version = y._version
    cut.mul_(2)
    claim.observe("versions", {"before": version, "after": y._version})
    claim.greater(y._version, version, "an in-place change of y.detach() bumps y's version counter")
    with claim.raises(RuntimeError, match=r"modified by an inplace operation", record="inplace_error"):
        y.sum().backward()


@spec("autograd.detach-inplace")
def test_detach_inplace_has_the_same_effect_and_changes_y(claim, device):
    """§6, second form: y.detach_() before z = B(y) trains B only, like the first form, but it
    changes y itself (no grad_fn, no longer requires grad)."""
    a, b, x = _two_modules(device)
    y = a(x)
    returned = y.detach_()
    claim.observe("y_after", {"grad_fn": y.grad_fn, "requires_grad": y.requires_grad, "returns_self": returned is y})
    claim.identical(returned, y, "detach_() returns y itself")
    claim.is_none(y.grad_fn, "detach_() detaches y in place: its grad_fn")
    claim.equal(y.requires_grad, False, "detach_() detaches y in place: its requires_grad")
    b(y).sum().backward()
    _check_b_gets_a_gets_none(claim, a, b, y)


@spec("autograd.detach-inplace")
def test_detach_inplace_is_refused_on_views(claim, device):
    """§6's caveat: detach_() raises RuntimeError on every kind of view (an element, view(),
    t(), a strided slice, narrow()), of a graph result, of a leaf, of a plain tensor, of a view
    made under no_grad; detach() works on all of them, and so does detach_() on a view's .data
    (which is no view)."""
    x = torch.randn(2, 3, device=device, requires_grad=True)
    y = x * 2
    plain = torch.zeros(2, 3, device=device)
    with torch.no_grad():
        quiet = x[0]
    views = [("y[0]", y[0]), ("y.view(-1)", y.view(-1)), ("y.t()", y.t()), ("y[:, ::2]", y[:, ::2]),
             ("y.narrow(1, 0, 2)", y.narrow(1, 0, 2)), ("x[0] of a leaf", x[0]), ("plain[0]", plain[0]),
             ("x[0] under no_grad", quiet)]
    seen = {}
    for name, view in views:
        with claim.raises(RuntimeError, match=r"[Vv]iew") as raised:
            view.detach_()
        seen[name] = type(raised.value).__name__
        claim.equal(view.detach().requires_grad, False, "detach() of %s" % name)
    claim.observe("view_error", {"type": type(raised.value).__name__, "message": str(raised.value)})
    claim.observe("refused", seen)
    data = y[0].data  # .data of a view is no view: detach_() takes it
    claim.identical(data.detach_(), data, "y[0].data.detach_() returns the tensor")
    claim.equal(data.requires_grad, False, "y[0].data.detach_(): its requires_grad")


@spec("autograd.detach-inplace")
def test_detach_inplace_keeps_memory_and_earlier_uses(claim, device):
    """§6, what detach_() leaves: y keeps its memory and values, a use of y recorded before the
    call still backpropagates to a (only later uses are cut), and on a leaf that requires grad
    it turns requires_grad off."""
    a = _leaf([1.0, -2.0, 3.0], device)
    y = a * 2
    earlier = (y * 3).sum()
    ptr, values = y.data_ptr(), y.detach().clone()
    y.detach_()
    claim.equal(y.data_ptr(), ptr, "detach_() keeps y's memory (data_ptr)")
    claim.close(y, values, "detach_() keeps y's values")
    earlier.backward()
    claim.observe("earlier_use_grad", a.grad)
    claim.close(a.grad, [6.0, 6.0, 6.0], "a use of y recorded before detach_() still reaches a")

    leaf = _leaf([1.0, 2.0], device)
    leaf.detach_()
    claim.observe("leaf_after", {"requires_grad": leaf.requires_grad, "is_leaf": leaf.is_leaf})
    claim.equal(leaf.requires_grad, False, "detach_() on a leaf that requires grad: its requires_grad")


# ------------------------------------------------------------------------------------- §7


def _two_outputs(device, dtype=torch.float32):
    """The §7 example: y = x**2, z = 4y, two outputs on the shared graph."""
    x = torch.randn(1, 4, device=device, dtype=dtype, requires_grad=True)
    z = (x ** 2) * 4
    return x, z.mean(), z.sum()


SECOND_TIME = r"backward through the graph a second time"


@spec("autograd.double-backward-error")
def test_second_backward_through_freed_graph_fails(claim, device):
    """§7: after output1.backward() the graph's buffers are freed, so output2.backward()
    through the same graph raises; the message says to pass retain_graph=True."""
    x, out1, out2 = _two_outputs(device)
    out1.backward()
    claim.close(x.grad, 2 * x.detach(), "x.grad after the first backward (d mean(4x^2) = 8x/4)")
    with claim.raises(RuntimeError, match=SECOND_TIME, record="error") as raised:
        out2.backward()
    claim.matches(str(raised.value), r"retain_graph=True", "the message names the fix")


@spec("autograd.double-backward-error")
def test_second_backward_fails_in_the_function_forms(claim, device):
    """§7 through the functions: after torch.autograd.backward(out1), torch.autograd.backward(out2)
    raises; after torch.autograd.grad(out1, x), torch.autograd.grad(out2, x) raises."""
    x, out1, out2 = _two_outputs(device)
    torch.autograd.backward(out1)
    with claim.raises(RuntimeError, match=SECOND_TIME, record="autograd_backward"):
        torch.autograd.backward(out2)
    x, out1, out2 = _two_outputs(device)
    torch.autograd.grad(out1, x)
    with claim.raises(RuntimeError, match=SECOND_TIME, record="autograd_grad"):
        torch.autograd.grad(out2, x)


@spec("autograd.double-backward-error")
def test_second_backward_of_one_output_and_graphs_without_buffers(claim, device):
    """§7's freed buffers, float64: backward of the same output twice raises, with
    retain_graph=False given explicitly too; a graph that saved no tensor (x + 1) has nothing to
    free, so its second backward works and the gradients add."""
    x = torch.randn(4, dtype=torch.float64, device=device, requires_grad=True)
    s = (x ** 2).sum()
    s.backward()
    with claim.raises(RuntimeError, match=SECOND_TIME, record="same_output"):
        s.backward()
    s = ((x ** 2) * 4).sum()
    s.backward(retain_graph=False)
    with claim.raises(RuntimeError, match=SECOND_TIME, record="explicit_false"):
        s.backward()

    x = torch.randn(4, dtype=torch.float64, device=device, requires_grad=True)
    u = (x + 1).sum()
    u.backward()
    _succeeds(claim, u.backward, "a second backward through a graph that saved no tensor")
    claim.observe("no_buffers_grad", x.grad)
    _exactly(claim, x.grad, [2.0] * 4, "x.grad after two passes through x + 1")


@spec("autograd.retain-graph")
def test_retain_graph_allows_a_second_output_and_grads_add(claim, device):
    """§7: backward(retain_graph=True) on the first output keeps the graph, the second
    output's backward then works, and x.grad is the sum of both gradients (2x + 8x)."""
    x, out1, out2 = _two_outputs(device)
    out1.backward(retain_graph=True)
    _succeeds(claim, out2.backward, "backward of a second output after retain_graph=True")
    claim.observe("x_grad_over_x", x.grad / x.detach())
    claim.close(x.grad, 10 * x.detach(), "x.grad = d mean(4x^2) + d sum(4x^2)")


@spec("autograd.retain-graph")
def test_retain_graph_across_three_calls(claim, device):
    """§7 repeated (float64): two backward(retain_graph=True) calls and a third without it all
    run and add up (3 * 8x); the third freed the graph, so a fourth raises."""
    x, _, out = _two_outputs(device, torch.float64)
    for k in (1, 2, 3):
        _succeeds(claim, lambda: out.backward(retain_graph=True if k < 3 else None), "backward call %d" % k)
        claim.close(x.grad, 8 * k * x.detach(), "x.grad after %d calls" % k, rtol=F64_TOL, atol=F64_TOL)
    claim.observe("x_grad_over_x_after_three", x.grad / x.detach())
    with claim.raises(RuntimeError, match=SECOND_TIME, record="fourth_call"):
        out.backward()


@spec("autograd.retain-graph")
def test_retain_graph_in_the_other_spellings(claim, device):
    """§7 in the other spellings: torch.autograd.backward(out1, retain_graph=True),
    torch.autograd.grad(out1, x, retain_graph=True) and backward(None, True) (retain_graph as
    the second positional argument; float64) each keep the graph for the second output."""
    x, out1, out2 = _two_outputs(device)
    torch.autograd.backward(out1, retain_graph=True)
    _succeeds(claim, lambda: torch.autograd.backward(out2), "second output after torch.autograd.backward(..., retain_graph=True)")
    claim.close(x.grad, 10 * x.detach(), "x.grad after both torch.autograd.backward calls")

    x, out1, out2 = _two_outputs(device)
    (g1,) = torch.autograd.grad(out1, x, retain_graph=True)
    (g2,) = _succeeds(claim, lambda: torch.autograd.grad(out2, x),
                      "second output after torch.autograd.grad(..., retain_graph=True)")
    claim.close(g1 + g2, 10 * x.detach(), "the two torch.autograd.grad results add up to 10x")

    x, out1, out2 = _two_outputs(device, torch.float64)
    out1.backward(None, True)
    _succeeds(claim, out2.backward, "second output after backward(None, True) (float64)")
    claim.close(x.grad, 10 * x.detach(), "x.grad after backward(None, True) and backward()", rtol=F64_TOL, atol=F64_TOL)


@spec("autograd.retain-graph-default")
def test_retain_graph_follows_create_graph(claim, device):
    """§7 (quoting the docs): retain_graph defaults to create_graph. With create_graph=True the
    graph survives a backward; with both left alone it is freed; an explicit False wins."""
    x, out1, out2 = _two_outputs(device)
    _quiet_create_graph(lambda: out1.backward(create_graph=True))
    _succeeds(claim, out2.backward, "second backward after backward(create_graph=True)")
    claim.observe("x_grad_has_grad_fn", x.grad.grad_fn is not None)
    claim.close(x.grad, 10 * x.detach(), "x.grad after both passes")

    x, out1, out2 = _two_outputs(device)
    out1.backward()
    with claim.raises(RuntimeError, match=r"second time"):
        out2.backward()

    x, out1, out2 = _two_outputs(device)
    _quiet_create_graph(lambda: out1.backward(create_graph=True, retain_graph=False))
    with claim.raises(RuntimeError, match=r"second time"):
        out2.backward()


@spec("autograd.retain-graph-default")
def test_create_graph_keeps_the_graph_in_the_function_forms(claim, device):
    """§7 through the functions: torch.autograd.grad(out1, x, create_graph=True) and
    torch.autograd.backward(out1, create_graph=True) keep the graph for a second output; the
    gradient grad returns is itself differentiable (d/dx of 8x/4 = 2)."""
    x, out1, out2 = _two_outputs(device)
    (g,) = torch.autograd.grad(out1, x, create_graph=True)
    claim.equal(g.requires_grad, True, "grad(create_graph=True) returns a gradient that requires grad")
    _succeeds(claim, out2.backward, "second output after torch.autograd.grad(out1, x, create_graph=True)")
    (gg,) = torch.autograd.grad(g.sum(), x)
    claim.observe("second_derivative", gg)
    claim.close(gg, torch.full((1, 4), 2.0, dtype=torch.float32), "d/dx sum(d out1/dx) = 2")

    x, out1, out2 = _two_outputs(device)
    _quiet_create_graph(lambda: torch.autograd.backward(out1, create_graph=True))
    _succeeds(claim, out2.backward, "second output after torch.autograd.backward(out1, create_graph=True)")


@spec("autograd.retain-graph-default")
def test_double_backward_through_create_graph(claim, device):
    """§7's create_graph, float64: y = sum(x**3); y.backward(create_graph=True) leaves
    x.grad = 3x**2 with a graph of its own, whose backward gives 6x, and once more 6."""
    x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, device=device, requires_grad=True)
    _quiet_create_graph(lambda: (x ** 3).sum().backward(create_graph=True))
    g = x.grad
    claim.observe("first", {"grad": g, "has_grad_fn": g.grad_fn is not None})
    claim.close(g, 3 * x.detach() ** 2, "x.grad = 3x^2", rtol=F64_TOL, atol=F64_TOL)
    x.grad = None
    _succeeds(claim, lambda: _quiet_create_graph(lambda: g.sum().backward(create_graph=True)),
              "backward of x.grad made with create_graph=True")
    claim.close(x.grad, 6 * x.detach(), "second derivative 6x", rtol=F64_TOL, atol=F64_TOL)
    g2 = x.grad
    x.grad = None
    _succeeds(claim, lambda: g2.sum().backward(), "backward of the second derivative")
    claim.close(x.grad, [6.0, 6.0, 6.0], "third derivative 6", rtol=F64_TOL, atol=F64_TOL)


@spec("autograd.retain-variables")
def test_retain_variables_keyword_is_gone(claim, device):
    """§7: the note names retain_variables=True as the (older) spelling of retain_graph. Today
    the keyword is rejected by both backward entry points, which leave the graph as it was."""
    x, out1, _ = _two_outputs(device)
    with claim.raises(TypeError, match=r"retain_variables", record="tensor_backward"):
        out1.backward(retain_variables=True)
    with claim.raises(TypeError, match=r"retain_variables", record="autograd_backward"):
        torch.autograd.backward(out1, retain_variables=True)
    claim.is_none(x.grad, "the rejected call computed nothing")
    _succeeds(claim, out1.backward, "backward after the rejected calls (the graph is intact)")


@spec("autograd.retain-variables")
def test_retain_variables_is_no_keyword_of_autograd_grad(claim, device):
    """§7: torch.autograd.grad takes no retain_variables keyword either (TypeError)."""
    x, out1, _ = _two_outputs(device)
    with claim.raises(TypeError, match=r"retain_variables", record="autograd_grad"):
        torch.autograd.grad(out1, x, retain_variables=True)


class _Shared(torch.nn.Module):
    """A shared trunk with two heads: two losses over one graph."""

    def __init__(self):
        super().__init__()
        self.trunk = torch.nn.Linear(4, 6)
        self.head1 = torch.nn.Linear(6, 1)
        self.head2 = torch.nn.Linear(6, 2)

    def losses(self, x):
        h = torch.tanh(self.trunk(x))
        return self.head1(h).pow(2).mean(), self.head2(h).abs().mean()


def _twin_nets(device, dtype=torch.float32):
    torch.manual_seed(0)
    net_a = _Shared().to(device=device, dtype=dtype)
    net_b = _Shared().to(device=device, dtype=dtype)
    net_b.load_state_dict(net_a.state_dict())
    return net_a, net_b, torch.randn(8, 4, device=device, dtype=dtype)


@spec("autograd.two-losses")
def test_two_backwards_then_step_equals_step_on_the_sum(claim, device):
    """§7: loss1.backward(retain_graph=True), loss2.backward(), optimizer.step() lands on the
    same parameters (and momentum buffers) as one step on loss1 + loss2, step after step."""
    net_a, net_b, x = _twin_nets(device)
    opt_a = torch.optim.SGD(net_a.parameters(), lr=0.1, momentum=0.9)
    opt_b = torch.optim.SGD(net_b.parameters(), lr=0.1, momentum=0.9)
    for _ in range(3):
        opt_a.zero_grad()
        loss1, loss2 = net_a.losses(x)
        loss1.backward(retain_graph=True)
        _succeeds(claim, loss2.backward, "loss2.backward() after loss1.backward(retain_graph=True)")
        opt_a.step()

        opt_b.zero_grad()
        l1, l2 = net_b.losses(x)
        (l1 + l2).backward()
        opt_b.step()
    claim.observe("max_parameter_difference", max((pa - pb).abs().max().item()
                                                   for pa, pb in zip(net_a.parameters(), net_b.parameters())))
    for (name, pa), pb in zip(net_a.named_parameters(), net_b.parameters()):
        claim.close(pa, pb, "parameter %s after 3 steps: two backwards vs one on the sum" % name)
        claim.close(opt_a.state[pa]["momentum_buffer"], opt_b.state[pb]["momentum_buffer"],
                    "momentum buffer of %s after 3 steps" % name)


@spec("autograd.two-losses")
def test_two_losses_in_one_autograd_backward_call(claim, device):
    """§7 in one call: torch.autograd.backward([loss1, loss2]) fills the same gradients as
    (loss1 + loss2).backward()."""
    net_a, net_b, x = _twin_nets(device)
    torch.autograd.backward(list(net_a.losses(x)))
    l1, l2 = net_b.losses(x)
    (l1 + l2).backward()
    claim.observe("grads", {name: None if p.grad is None else p.grad.norm().item() for name, p in net_a.named_parameters()})
    for (name, pa), pb in zip(net_a.named_parameters(), net_b.parameters()):
        claim.close(pa.grad, pb.grad, "%s.grad: torch.autograd.backward([loss1, loss2]) vs backward of the sum" % name)


@spec("autograd.two-losses")
def test_two_losses_by_autograd_grad_in_float64(claim, device):
    """§7 with torch.autograd.grad, float64: the gradients of loss1 (retain_graph=True) and then
    loss2 add up to the gradient of loss1 + loss2, in either order."""
    net, _, x = _twin_nets(device, torch.float64)
    params = list(net.parameters())
    loss1, loss2 = net.losses(x)
    def grads(loss, what):  # each head's parameters are unused by the other loss: None, taken as 0
        got = _succeeds(claim, lambda: torch.autograd.grad(loss, params, retain_graph=True, allow_unused=True), what)
        return [torch.zeros_like(p) if g is None else g for p, g in zip(params, got)]

    total = grads(loss1 + loss2, "torch.autograd.grad of loss1 + loss2")
    for first, second, order in ((loss1, loss2, "loss1 then loss2"), (loss2, loss1, "loss2 then loss1")):
        g1 = grads(first, "torch.autograd.grad of the first loss (%s)" % order)
        g2 = grads(second, "torch.autograd.grad of the second loss (%s)" % order)
        for (name, _), a, b, t in zip(net.named_parameters(), g1, g2, total):
            claim.close(a + b, t, "%s: %s add up to the gradient of the sum" % (name, order), rtol=F64_TOL, atol=F64_TOL)


class _ContentLoss(torch.nn.Module):
    """The §7 content-loss layer, in the kit's words: keep a detached, weighted copy of the
    target features; pass the input through; remember the weighted MSE to the target."""

    def __init__(self, target, weight):
        super().__init__()
        self.weight = weight
        self.target = target.detach() * weight
        self.criterion = torch.nn.MSELoss()
        self.backward_calls = 0

    def forward(self, features):
        self.loss = self.criterion(features * self.weight, self.target)
        return features

    def backward(self, retain_graph=True):
        self.backward_calls += 1
        self.loss.backward(retain_graph=retain_graph)
        return self.loss


def _style_setup(device):
    torch.manual_seed(0)
    features = torch.nn.Conv2d(3, 4, 3, padding=1).to(device)
    content = torch.rand(1, 3, 8, 8, device=device)
    style = torch.rand(1, 3, 8, 8, device=device)
    return features, content, style


@spec("nn.content-loss-module")
def test_content_loss_layer_in_a_small_style_transfer_setup(claim, device):
    """§7: the content-loss layer passes its input through, stores the loss against a detached
    target, and its backward(retain_graph=True) lets a style loss on the same features
    backpropagate afterwards. Caveat: autograd never calls a Module's backward method."""
    features, content, style = _style_setup(device)
    target = features(content)  # carries a graph back to the conv weights
    layer = _ContentLoss(target, weight=0.5)
    claim.equal(layer.target.requires_grad, False, "the stored target is detached: its requires_grad")
    claim.close(layer.target, target.detach() * 0.5, "stored target = weight * target")

    image = content.clone().requires_grad_(True)
    feats = features(image)
    out = layer(feats)
    claim.identical(out, feats, "forward returns its input unchanged")
    expected_loss = ((feats.detach() * 0.5 - target.detach() * 0.5) ** 2).mean()
    claim.close(layer.loss, expected_loss, "stored loss = MSE(weight*input, weight*target)")
    style_gram = normalized_gram(features(style)).detach()
    style_loss = ((normalized_gram(feats) - style_gram) ** 2).sum()

    returned = layer.backward()  # retain_graph=True: the style loss still has its graph
    claim.identical(returned, layer.loss, "backward returns the stored loss")
    grad_content = image.grad.clone()
    _succeeds(claim, style_loss.backward, "style loss backward after the content layer's backward")
    claim.is_not_none(features.weight.grad, "the conv gets gradients through the image path")

    # Reference: both losses at once through a fresh graph.
    image2 = content.clone().requires_grad_(True)
    f2 = features(image2)
    content2 = ((f2 * 0.5 - target.detach() * 0.5) ** 2).mean()
    ref_content = torch.autograd.grad(content2, image2, retain_graph=True)[0]
    ref_total = torch.autograd.grad(content2 + ((normalized_gram(f2) - style_gram) ** 2).sum(), image2)[0]
    claim.close(grad_content, ref_content, "image.grad from the content layer alone", rtol=F32_RTOL, atol=F32_ATOL)
    claim.close(image.grad, ref_total, "image.grad after content and style backward", rtol=F32_RTOL, atol=F32_ATOL)

    # The caveat: a plain backward of a loss never calls the layer's backward method.
    calls_before = layer.backward_calls
    layer(feats.detach().requires_grad_(True))
    layer.loss.backward()
    claim.observe("module_backward_called_by_autograd", layer.backward_calls != calls_before)
    claim.equal(layer.backward_calls, calls_before, "autograd does not call Module.backward (calls of the layer's method)")


@spec("nn.content-loss-module")
def test_content_loss_backward_runs_again(claim, device):
    """§7's retain_graph=True in the layer's backward, repeated: calling it twice adds the
    content gradient twice, and the graph is still there for a style loss afterwards (the
    features: a small tanh(image @ w) map, the layer does not care which)."""
    w = _leaf([[0.5, -1.0, 0.25], [2.0, 0.25, -0.5]], device)

    def features(image):
        return torch.tanh(image @ w).reshape(1, 3, 2, 2)

    content = torch.linspace(-1, 1, 8, device=device).reshape(4, 2)
    layer = _ContentLoss(features(content), weight=0.5)
    image = (content + 0.1).requires_grad_(True)
    feats = features(image)
    layer(feats)
    layer.backward()
    once = image.grad.clone()
    _succeeds(claim, layer.backward, "the layer's backward a second time")
    claim.close(image.grad, 2 * once, "image.grad after two calls of the layer's backward", rtol=F32_RTOL, atol=F32_ATOL)
    _succeeds(claim, lambda: (normalized_gram(feats) ** 2).sum().backward(), "a style loss on the same features afterwards")
    claim.observe("content_grad_norms", {"once": once.norm().item(), "after": image.grad.norm().item()})
