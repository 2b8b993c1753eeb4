"""One optimisation step, piece by piece (notes §2, §4): loss, zero_grad, backward, step.

References are written out by hand in float64 Python/numpy from PyTorch's documented
formulas, so a changed torch cannot agree with its own reference.
"""
import inspect

import numpy as np
import torch
from hypothesis import given
from hypothesis import strategies as st

from conformance.testing import spec

F64_RTOL = 1e-9  # float64 results against references by hand (cross entropy, least squares, SGD)
F64_ATOL = 1e-9  # ... cross entropy
SGD_ATOL = 1e-12  # ... SGD parameters near 0
EXACT_RTOL = 1e-12  # the same float64 arithmetic in another order (the note's SGD settings)
EXAMPLE_RTOL = 1e-6  # the float32 cross entropy of the fixed example
TEXTBOOK_GAP = 1e-6  # the least gap between PyTorch's and the textbook SGD once the lr changes


def _log_softmax_reference(logits, target):
    x = np.asarray(logits, dtype=np.float64)
    m = x.max(axis=1, keepdims=True)
    log_z = (m + np.log(np.exp(x - m).sum(axis=1, keepdims=True)))[:, 0]
    return float(np.mean(log_z - x[np.arange(len(target)), target]))


@spec("optim.crossentropy")
@given(data=st.data(), batch=st.integers(1, 6), classes=st.integers(2, 7))
def test_cross_entropy_on_logits_and_class_indices(claim, device, data, batch, classes):
    """§2: CrossEntropyLoss takes raw scores and class indices: it equals the mean over the batch
    of -log_softmax(scores)[target] (reference by hand)."""
    logits = data.draw(st.lists(st.lists(st.floats(-20, 20, width=32), min_size=classes, max_size=classes),
                                min_size=batch, max_size=batch), label="logits")
    target = data.draw(st.lists(st.integers(0, classes - 1), min_size=batch, max_size=batch), label="target")
    out = torch.tensor(logits, dtype=torch.float64, device=device)
    tgt = torch.tensor(target, dtype=torch.long, device=device)
    loss = torch.nn.CrossEntropyLoss()(out, tgt)
    claim.equal(tuple(loss.shape), (), "the loss is a scalar (its shape)")
    claim.close(loss, _log_softmax_reference(logits, target), "CrossEntropyLoss vs mean(-log_softmax[target])",
                rtol=F64_RTOL, atol=F64_ATOL)


@spec("optim.crossentropy")
def test_cross_entropy_example_value(claim, device):
    """§2: a fixed example, recorded so a report shows the value each release computes."""
    logits = [[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]
    loss = torch.nn.CrossEntropyLoss()(torch.tensor(logits, device=device), torch.tensor([0, 1], device=device))
    claim.observe("value", round(loss.item(), 6))
    claim.close(loss, _log_softmax_reference(logits, [0, 1]), "CrossEntropyLoss on the fixed example", rtol=EXAMPLE_RTOL)


def _trained_linear(device):
    model = torch.nn.Linear(3, 2).to(device)
    loss = model(torch.randn(4, 3, device=device)).pow(2).sum()
    loss.backward()
    return model


def _describe(grad):
    if grad is None:
        return "None"
    return "zeros" if not bool(grad.abs().sum()) else "nonzero"


@spec("optim.zero-grad")
def test_zero_grad_clears_gradients(claim, device):
    """§2, §4: optimizer.zero_grad() clears the gradients before the next backward: by setting
    .grad to None (expectation ``none``) or, on the releases before that (``zeros``; the
    registry has the boundary), by filling zeros. Module.zero_grad agrees."""
    model = _trained_linear(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    opt.zero_grad()
    seen = claim.observe("after_optimizer_zero_grad", [_describe(p.grad) for p in model.parameters()])
    wanted = "None" if claim.expects("none") else "zeros"
    claim.equal(seen, [wanted, wanted], "zero_grad() leaves every .grad as %s" % wanted)

    model = _trained_linear(device)
    model.zero_grad()
    seen = claim.observe("after_module_zero_grad", [_describe(p.grad) for p in model.parameters()])
    claim.equal(seen, [wanted, wanted], "Module.zero_grad() agrees with the optimizer")

    has_flag = "set_to_none" in inspect.signature(torch.optim.Optimizer.zero_grad).parameters
    claim.observe("set_to_none_supported", has_flag)
    if has_flag:  # the flag exists since 1.7; it makes both behaviours explicit
        for flag, expected in ((True, "None"), (False, "zeros")):
            model = _trained_linear(device)
            opt = torch.optim.SGD(model.parameters(), lr=0.01)
            opt.zero_grad(set_to_none=flag)
            seen = [_describe(p.grad) for p in model.parameters()]
            claim.equal(seen, [expected] * 2, "zero_grad(set_to_none=%s)" % flag)


class _Flatten(torch.nn.Module):
    """What nn.Flatten (torch 1.2+) does, written out so the spec runs on every release."""

    def forward(self, x):
        return x.reshape(x.shape[0], -1)


@spec("optim.backward-fills-grads")
def test_backward_computes_every_parameter_gradient(claim, device):
    """§2: loss.backward() computes the gradient of every parameter: checked against the hand
    formula for a linear least-squares model, and for presence and shape in a small conv net."""
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2).to(device).double()
    x = torch.randn(5, 3, dtype=torch.float64, device=device)
    y = torch.randn(5, 2, dtype=torch.float64, device=device)
    for name, p in model.named_parameters():
        claim.is_none(p.grad, "no gradient before backward: %s.grad" % name)
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    residual = (x @ model.weight.detach().t() + model.bias.detach() - y) * (2.0 / y.numel())
    claim.close(model.weight.grad, residual.t() @ x, "d loss / d weight = 2/N r^T x", rtol=F64_RTOL)
    claim.close(model.bias.grad, residual.sum(0), "d loss / d bias = 2/N sum r", rtol=F64_RTOL)

    net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), _Flatten(),
                              torch.nn.Linear(4 * 6 * 6, 3)).to(device)
    torch.nn.CrossEntropyLoss()(net(torch.randn(2, 1, 6, 6, device=device)), torch.tensor([0, 2], device=device)).backward()
    missing = [n for n, p in net.named_parameters() if p.grad is None or p.grad.shape != p.shape]
    claim.equal(missing, [], "every parameter of the conv net has a gradient of its shape (those that do not)")


def _sgd_reference(p0, a, c, lrs, momentum):
    """PyTorch's documented SGD with momentum (dampening 0, no Nesterov) on the loss
    sum(a*p^2/2 + c*p), whose gradient is a*p + c: b1 = g1, b = mu*b + g, p = p - lr*b."""
    p, buf = [float(v) for v in p0], None
    for lr in lrs:
        g = [ai * pi + ci for ai, pi, ci in zip(a, p, c)]
        buf = list(g) if buf is None else [momentum * bi + gi for bi, gi in zip(buf, g)]
        p = [pi - lr * bi for pi, bi in zip(p, buf)]
    return p


def _sutskever(p0, a, c, lrs, momentum):
    """The textbook form: v = mu*v + lr*g, p = p - v."""
    p, v = [float(x) for x in p0], [0.0] * len(p0)
    for lr in lrs:
        g = [ai * pi + ci for ai, pi, ci in zip(a, p, c)]
        v = [momentum * vi + lr * gi for vi, gi in zip(v, g)]
        p = [pi - vi for pi, vi in zip(p, v)]
    return p


def _torch_sgd(p0, a, c, lrs, momentum, device):
    p = torch.tensor(p0, dtype=torch.float64, device=device, requires_grad=True)
    at = torch.tensor(a, dtype=torch.float64, device=device)
    ct = torch.tensor(c, dtype=torch.float64, device=device)
    opt = torch.optim.SGD([p], lr=lrs[0], momentum=momentum)
    for lr in lrs:
        for group in opt.param_groups:
            group["lr"] = lr
        opt.zero_grad()
        (at * p * p / 2 + ct * p).sum().backward()
        opt.step()
    return p.detach().cpu().tolist()


@spec("optim.sgd-momentum-step")
@given(
    lr=st.floats(1e-4, 0.5), momentum=st.floats(0.0, 0.99), steps=st.integers(1, 8),
    # per parameter: its start value p0, and a > 0, c of its loss term a*p^2/2 + c*p
    terms=st.lists(st.tuples(st.floats(-3, 3), st.floats(0.1, 2.0), st.floats(-1, 1)), min_size=1, max_size=4),
)
def test_sgd_momentum_matches_the_documented_update(claim, device, lr, momentum, steps, terms):
    """§2: optimizer.step() with SGD(lr, momentum) follows b = mu*b + g, p -= lr*b over several
    steps (reference by hand, float64)."""
    p0, a, c = (list(column) for column in zip(*terms))
    got = _torch_sgd(p0, a, c, [lr] * steps, momentum, device)
    claim.close(got, _sgd_reference(p0, a, c, [lr] * steps, momentum), "parameters after %d steps" % steps,
                rtol=F64_RTOL, atol=SGD_ATOL)


@spec("optim.sgd-momentum-step")
def test_sgd_momentum_note_settings_and_the_textbook_form(claim, device):
    """§2: the note's SGD(lr=0.01, momentum=0.9). With a constant lr PyTorch's form and the
    textbook (Sutskever) form give the same steps; once the lr changes they part, because
    PyTorch scales the whole buffer by the current lr."""
    p0, a, c = [1.0, -2.0], [0.5, 1.5], [0.1, -0.3]
    constant = [0.01] * 5
    got = _torch_sgd(p0, a, c, constant, 0.9, device)
    claim.close(got, _sgd_reference(p0, a, c, constant, 0.9), "5 steps of SGD(lr=0.01, momentum=0.9)", rtol=EXACT_RTOL)
    claim.close(got, _sutskever(p0, a, c, constant, 0.9), "same as the textbook form at constant lr", rtol=EXACT_RTOL)

    changing = [0.01, 0.01, 0.1, 0.1, 0.001]
    got = _torch_sgd(p0, a, c, changing, 0.9, device)
    textbook = _sutskever(p0, a, c, changing, 0.9)
    claim.close(got, _sgd_reference(p0, a, c, changing, 0.9), "PyTorch form with a changing lr", rtol=EXACT_RTOL)
    gap = max(abs(g - t) for g, t in zip(got, textbook))
    claim.observe("gap_to_textbook_with_changing_lr", gap)
    claim.greater(gap, TEXTBOOK_GAP, "PyTorch's form differs from the textbook form once lr changes (largest gap)")
