"""Autograd: backward, gradient accumulation, detach, retain_graph (notes §1, §4, §6, §7).

References are computed by hand (analytic derivatives, float64), never by autograd itself, so a
broken backward cannot agree with its own reference.
"""
import warnings

import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from conformance.models import normalized_gram
from conformance.testing import spec

F64_TOL = 1e-9  # rtol and atol of float64 gradients against references by hand
F32_RTOL, F32_ATOL = 1e-4, 1e-6  # float32 gradients through a conv and a Gram matrix

# ------------------------------------------------------------------------------------- §1


@spec("autograd.scalar-backward")
def test_scalar_backward_fills_all_three_grads(claim, device):
    """§1: with x=1, w=2, b=3 as leaves that require grad and Y = w*x + b, Y.backward() needs no
    argument; afterwards x.grad = w = 2, w.grad = x = 1, b.grad = 1, and x.data is still 1."""
    x = torch.tensor([1.0], device=device, requires_grad=True)
    w = torch.tensor([2.0], device=device, requires_grad=True)
    b = torch.tensor([3.0], device=device, requires_grad=True)
    y = w * x + b
    y.backward()
    claim.observe("grads", {"x": x.grad, "w": w.grad, "b": b.grad})
    claim.close(x.grad, [2.0], "x.grad (= w)")
    claim.close(w.grad, [1.0], "w.grad (= x)")
    claim.close(b.grad, [1.0], "b.grad")
    claim.close(x.data, [1.0], "x.data after backward")


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


@spec("autograd.nonscalar-needs-gradient")
def test_backward_on_a_vector_needs_a_gradient(claim, device):
    """§1: backward() with no argument only works on a scalar; on a vector it is an error."""
    x = torch.randn(3, device=device, requires_grad=True)
    y = x * 2
    with claim.raises(RuntimeError, match=r"only for scalar outputs", record="error"):
        y.backward()
    claim.is_none(x.grad, "the failed call leaves .grad untouched")


@spec("autograd.vector-backward-weights")
def test_vector_backward_weights_each_output(claim, device):
    """§1: for y = 2x, y.backward(v) with v = [1, 0.1, 0.01] gives x.grad = [2, 0.2, 0.02]."""
    x = torch.randn(3, device=device, requires_grad=True)
    y = x * 2
    y.backward(torch.tensor([1.0, 0.1, 0.01], device=device))
    claim.close(x.grad, [2.0, 0.2, 0.02], "x.grad for v = [1, 0.1, 0.01]")


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
    return torch.from_numpy(data.draw(arrays("float64", tuple(shape), elements=_VALUES), label=label))


@spec("autograd.vector-backward-weights")
@given(
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    fn=st.sampled_from(sorted(_ELEMENTWISE) + ["A@x", "x@B"]),
    data=st.data(),
)
def test_vector_backward_is_jacobian_transpose_product(claim, device, shape, fn, data):
    """§1 generalised: y.backward(v) leaves J^T v in x.grad, for elementwise and matrix maps of
    drawn shapes and values (float64, reference by hand)."""
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
    y.backward(v.to(device))
    claim.close(x.grad, reference(x0, v), "x.grad = J^T v for %s, shape %s" % (fn, list(shape)), rtol=F64_TOL, atol=F64_TOL)


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


@spec("autograd.detach-inplace")
def test_detach_inplace_has_the_same_effect_and_changes_y(claim, device):
    """§6, second form: y.detach_() before z = B(y) trains B only, like the first form, but it
    changes y itself (no grad_fn, no longer requires grad) and is refused on a view."""
    a, b, x = _two_modules(device)
    y = a(x)
    returned = y.detach_()
    claim.observe("y_after", {"grad_fn": y.grad_fn, "requires_grad": y.requires_grad, "returns_self": returned is y})
    claim.identical(returned, y, "detach_() returns y itself")
    claim.is_none(y.grad_fn, "detach_() detaches y in place: its grad_fn")
    claim.equal(y.requires_grad, False, "detach_() detaches y in place: its requires_grad")
    b(y).sum().backward()
    _check_b_gets_a_gets_none(claim, a, b, y)

    view = a(x)[0]
    with claim.raises(RuntimeError, match=r"[Vv]iew", record="view_error"):
        view.detach_()


# ------------------------------------------------------------------------------------- §7


def _two_outputs(device):
    """The §7 example: y = x**2, z = 4y, two outputs on the shared graph."""
    x = torch.randn(1, 4, device=device, requires_grad=True)
    z = (x ** 2) * 4
    return x, z.mean(), z.sum()


@spec("autograd.double-backward-error")
def test_second_backward_through_freed_graph_fails(claim, device):
    """§7: after output1.backward() the graph's buffers are freed, so output2.backward()
    through the same graph raises."""
    x, out1, out2 = _two_outputs(device)
    out1.backward()
    claim.close(x.grad, 2 * x.detach(), "x.grad after the first backward (d mean(4x^2) = 8x/4)")
    with claim.raises(RuntimeError, match=r"backward through the graph a second time", record="error"):
        out2.backward()


def _second_backward_works(claim, backward, what):
    try:
        backward()
    except RuntimeError as err:
        claim.fail("%s succeeds" % what, raised="%s: %s" % (type(err).__name__, err))


@spec("autograd.retain-graph")
def test_retain_graph_allows_a_second_output_and_grads_add(claim, device):
    """§7: backward(retain_graph=True) on the first output keeps the graph, the second
    output's backward then works, and x.grad is the sum of both gradients (2x + 8x)."""
    x, out1, out2 = _two_outputs(device)
    out1.backward(retain_graph=True)
    _second_backward_works(claim, out2.backward, "backward of a second output after retain_graph=True")
    claim.close(x.grad, 10 * x.detach(), "x.grad = d mean(4x^2) + d sum(4x^2)")


@spec("autograd.retain-graph-default")
def test_retain_graph_follows_create_graph(claim, device):
    """§7 (quoting the docs): retain_graph defaults to create_graph. With create_graph=True the
    graph survives a backward; with both left alone it is freed; an explicit False wins."""
    x, out1, out2 = _two_outputs(device)
    with warnings.catch_warnings():  # newer releases warn that create_graph ties x to x.grad (a cycle)
        warnings.filterwarnings("ignore", r".*create_graph=True will create a reference cycle", UserWarning)
        out1.backward(create_graph=True)
    _second_backward_works(claim, out2.backward, "second backward after backward(create_graph=True)")
    claim.close(x.grad, 10 * x.detach(), "x.grad after both passes")

    x, out1, out2 = _two_outputs(device)
    out1.backward()
    with claim.raises(RuntimeError, match=r"second time"):
        out2.backward()

    x, out1, out2 = _two_outputs(device)
    out1.backward(create_graph=True, retain_graph=False)
    with claim.raises(RuntimeError, match=r"second time"):
        out2.backward()


@spec("autograd.retain-variables")
def test_retain_variables_keyword_is_gone(claim, device):
    """§7: the note names retain_variables=True as the (older) spelling of retain_graph. Today
    the keyword is rejected by both backward entry points."""
    x, out1, _ = _two_outputs(device)
    with claim.raises(TypeError, match=r"retain_variables", record="tensor_backward"):
        out1.backward(retain_variables=True)
    with claim.raises(TypeError, match=r"retain_variables", record="autograd_backward"):
        torch.autograd.backward(out1, retain_variables=True)
    claim.is_none(x.grad, "the rejected call computed nothing")


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


@spec("autograd.two-losses")
def test_two_backwards_then_step_equals_step_on_the_sum(claim, device):
    """§7: loss1.backward(retain_graph=True), loss2.backward(), optimizer.step() lands on the
    same parameters as one step on loss1 + loss2."""
    torch.manual_seed(0)
    net_a = _Shared().to(device)
    net_b = _Shared().to(device)
    net_b.load_state_dict(net_a.state_dict())
    x = torch.randn(8, 4, device=device)
    opt_a = torch.optim.SGD(net_a.parameters(), lr=0.1, momentum=0.9)
    opt_b = torch.optim.SGD(net_b.parameters(), lr=0.1, momentum=0.9)
    for _ in range(3):
        opt_a.zero_grad()
        loss1, loss2 = net_a.losses(x)
        loss1.backward(retain_graph=True)
        _second_backward_works(claim, loss2.backward, "loss2.backward() after loss1.backward(retain_graph=True)")
        opt_a.step()

        opt_b.zero_grad()
        l1, l2 = net_b.losses(x)
        (l1 + l2).backward()
        opt_b.step()
    for (name, pa), pb in zip(net_a.named_parameters(), net_b.parameters()):
        claim.close(pa, pb, "parameter %s after 3 steps: two backwards vs one on the sum" % name)


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


@spec("nn.content-loss-module")
def test_content_loss_layer_in_a_small_style_transfer_setup(claim, device):
    """§7: the content-loss layer passes its input through, stores the loss against a detached
    target, and its backward(retain_graph=True) lets a style loss on the same features
    backpropagate afterwards. Caveat: autograd never calls a Module's backward method."""
    torch.manual_seed(0)
    features = torch.nn.Conv2d(3, 4, 3, padding=1).to(device)
    content = torch.rand(1, 3, 8, 8, device=device)
    style = torch.rand(1, 3, 8, 8, device=device)
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
    style_loss = ((normalized_gram(feats) - normalized_gram(features(style)).detach()) ** 2).sum()

    returned = layer.backward()  # retain_graph=True: the style loss still has its graph
    claim.identical(returned, layer.loss, "backward returns the stored loss")
    grad_content = image.grad.clone()
    _second_backward_works(claim, style_loss.backward, "style loss backward after the content layer's backward")
    claim.is_not_none(features.weight.grad, "the conv gets gradients through the image path")

    # Reference: both losses at once through a fresh graph.
    image2 = content.clone().requires_grad_(True)
    f2 = features(image2)
    total = ((f2 * 0.5 - target.detach() * 0.5) ** 2).mean() + ((normalized_gram(f2) - normalized_gram(features(style)).detach()) ** 2).sum()
    ref_content = torch.autograd.grad(((f2 * 0.5 - target.detach() * 0.5) ** 2).mean(), image2, retain_graph=True)[0]
    ref_total = torch.autograd.grad(total, image2)[0]
    claim.close(grad_content, ref_content, "image.grad from the content layer alone", rtol=F32_RTOL, atol=F32_ATOL)
    claim.close(image.grad, ref_total, "image.grad after content and style backward", rtol=F32_RTOL, atol=F32_ATOL)

    # The caveat: a plain backward of a loss never calls the layer's backward method.
    calls_before = layer.backward_calls
    layer(features(image)).sum()
    layer.loss.backward()
    claim.observe("module_backward_called_by_autograd", layer.backward_calls != calls_before)
    claim.equal(layer.backward_calls, calls_before, "autograd does not call Module.backward (calls of the layer's method)")
