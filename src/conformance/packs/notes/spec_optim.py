"""One optimisation step, piece by piece (notes §2, §4): loss, zero_grad, backward, step.

References are written out by hand in float64 Python/numpy from PyTorch's documented
formulas, so a changed torch cannot agree with its own reference.

Each claim's reach is split so that one spec probes one public form or one kind of input
(``tests/breakages/optim.py`` breaks each in turn): for the cross entropy the note's float32
example, float64 values, the reductions, ignore_index and weight=, label smoothing and
class-probability targets, other input shapes, the module against the functional form, and
extreme logits; for zero_grad the optimizer's default, set_to_none both ways, Module.zero_grad,
and several parameter groups; for backward Tensor.backward, torch.autograd.backward/grad and
accumulation; for SGD the note's settings, float64 values, each option against its closed form,
parameter groups, the foreach path, and the momentum buffer in state_dict.
"""
import copy
import inspect
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from conformance.testing import spec

F64_RTOL = 1e-9  # float64 results against references by hand (cross entropy, least squares, SGD)
F64_ATOL = 1e-9  # ... cross entropy
SGD_ATOL = 1e-12  # ... SGD parameters near 0
EXACT_RTOL = 1e-12  # the same float64 arithmetic in another order
EXAMPLE_RTOL = 1e-6  # the float32 cross entropy of the fixed example
F32_RTOL = 1e-5  # float32 results against float64 references by hand
F32_ATOL = 1e-6
LOSSY_F32_ATOL = 2e-3  # float32 cross entropy at |scores| = 1e4 on the oldest releases
TEXTBOOK_GAP = 1e-6  # the least gap between PyTorch's and the textbook SGD once the lr changes


# ------------------------------------------------------------------------ cross entropy (§2)
def _log_softmax_np(x, axis=1):
    x = np.asarray(x, dtype=np.float64)
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def _ce_rows(logits, target):
    """-log_softmax(logits)[i, target[i]] for every row (float64)."""
    return -_log_softmax_np(logits)[np.arange(len(target)), target]


def _log_softmax_reference(logits, target):
    return float(np.mean(_ce_rows(logits, target)))


# The expectations of optim.crossentropy, oldest first; each adds to the one before.
_CE_ERAS = ("uninitialised-none", "lossy-float32", "empty-raises", "ignored-zero", "no-unbatched", "default")


def _ce_era(claim):
    for i, key in enumerate(_CE_ERAS):
        if claim.expects(key):
            return i
    raise AssertionError("no era for %s" % claim.expect.key)


def _ce_none_uninitialised(claim):
    """reduction='none' leaves the entries of ignored targets uninitialised (recorded only)."""
    return _ce_era(claim) < 1


def _ce_lossy_float32(claim):
    """float32 scores of magnitude 1e4 keep only about 1e-3 of the loss."""
    return _ce_era(claim) < 2


def _ce_empty_raises(claim):
    """An empty batch raises RuntimeError."""
    return _ce_era(claim) < 3


def _ce_has_label_smoothing(claim):
    """label_smoothing= and class-probability targets (the registry says since when)."""
    return _ce_era(claim) >= 4


def _ce_has_unbatched(claim):
    """An unbatched (C,) input with a 0-d target (the registry says since when)."""
    return _ce_era(claim) >= 5


def _ce_all_ignored_nan(claim):
    """A mean over targets that are all ignored is nan (0/0), not 0."""
    return _ce_era(claim) >= 5


# Small fixed logits: eighths and quarters, exact in float32.
CE_LOGITS = [[1.5, -0.5, 0.25], [0.0, 3.0, -1.0], [-2.0, 0.75, 1.25], [0.5, 0.5, -0.25]]
CE_TARGET = [2, 1, 0, 2]


def _ce_inputs(device, dtype=torch.float32):
    return (torch.tensor(CE_LOGITS, dtype=dtype, device=device),
            torch.tensor(CE_TARGET, dtype=torch.long, device=device))


@spec("optim.crossentropy")
@given(data=st.data(), batch=st.integers(1, 6), classes=st.integers(2, 7))
def test_cross_entropy_on_logits_and_class_indices(claim, device, data, batch, classes):
    """§2: CrossEntropyLoss takes raw scores and class indices: it equals the mean over the batch
    of -log_softmax(scores)[target] (reference by hand), to float64 precision."""
    logits = data.draw(arrays(np.float64, (batch, classes), elements=st.floats(-20, 20, width=32)), label="logits")
    target = data.draw(arrays(np.int64, (batch,), elements=st.integers(0, classes - 1)), label="target")
    out = torch.tensor(logits, dtype=torch.float64, device=device)
    tgt = torch.tensor(target, dtype=torch.long, device=device)
    loss = torch.nn.CrossEntropyLoss()(out, tgt)
    claim.equal(tuple(loss.shape), (), "the loss is a scalar (its shape)")
    claim.equal(loss.dtype, torch.float64, "the loss keeps the input's dtype")
    claim.close(loss, _log_softmax_reference(logits, target), "CrossEntropyLoss vs mean(-log_softmax[target])",
                rtol=F64_RTOL, atol=F64_ATOL)


@spec("optim.crossentropy")
def test_cross_entropy_example_value(claim, device):
    """§2: a fixed example, recorded so a report shows the value each release computes."""
    logits = [[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]
    loss = torch.nn.CrossEntropyLoss()(torch.tensor(logits, device=device), torch.tensor([0, 1], device=device))
    claim.observe("value", round(loss.item(), 6))
    claim.close(loss, _log_softmax_reference(logits, [0, 1]), "CrossEntropyLoss on the fixed example", rtol=EXAMPLE_RTOL)


@spec("optim.crossentropy")
def test_cross_entropy_reductions(claim, device):
    """§2: F.cross_entropy's reduction: 'mean' (the default) averages the per-sample losses,
    'sum' adds them, 'none' keeps one per sample; an empty batch gives nan for the mean (0/0),
    0 for the sum and an empty tensor (the oldest releases raise: the registry says until when)."""
    x, t = _ce_inputs(device)
    rows = _ce_rows(CE_LOGITS, CE_TARGET)
    none = F.cross_entropy(x, t, reduction="none")
    claim.equal(tuple(none.shape), (4,), "reduction='none' keeps one loss per sample (its shape)")
    claim.close(none, torch.tensor(rows), "reduction='none': -log_softmax[target] per sample", rtol=F32_RTOL, atol=F32_ATOL)
    claim.close(F.cross_entropy(x, t, reduction="sum"), rows.sum(), "reduction='sum'", rtol=F32_RTOL, atol=F32_ATOL)
    claim.close(F.cross_entropy(x, t, reduction="mean"), rows.mean(), "reduction='mean'", rtol=F32_RTOL, atol=F32_ATOL)
    claim.close(F.cross_entropy(x, t), rows.mean(), "the default reduction is the mean", rtol=F32_RTOL, atol=F32_ATOL)

    empty, empty_target = torch.zeros(0, 3, device=device), torch.zeros(0, dtype=torch.long, device=device)
    if _ce_empty_raises(claim):
        with claim.raises(RuntimeError, record="empty_batch_error"):
            F.cross_entropy(empty, empty_target)
        return
    seen = {r: F.cross_entropy(empty, empty_target, reduction=r) for r in ("mean", "sum", "none")}
    claim.observe("empty_batch", {r: v.tolist() for r, v in seen.items()})
    claim.holds(math.isnan(seen["mean"].item()), "the mean over an empty batch is nan (0/0)", mean=seen["mean"])
    claim.equal(seen["sum"].item(), 0.0, "the sum over an empty batch")
    claim.equal(tuple(seen["none"].shape), (0,), "reduction='none' over an empty batch (its shape)")


@spec("optim.crossentropy")
def test_cross_entropy_ignore_index_and_weight(claim, device):
    """§2: ignore_index (default -100) leaves those samples out of the loss and out of the mean's
    count; weight= scales each sample by its class weight and the mean divides by the sum of the
    weights used. When every target is ignored the mean is nan (0/0) on current releases and 0
    before (the registry has the boundary), and reduction='none' gives zeros (the oldest
    releases leave garbage there: recorded only)."""
    x, _ = _ce_inputs(device)
    rows = _ce_rows(CE_LOGITS, CE_TARGET)
    default_ignored = torch.tensor([2, -100, 0, 2], device=device)
    keep = np.array([True, False, True, True])
    claim.close(F.cross_entropy(x, default_ignored), rows[keep].mean(),
                "a target of -100 (the default ignore_index) is left out of the mean", rtol=F32_RTOL, atol=F32_ATOL)
    t = torch.tensor(CE_TARGET, device=device)
    keep = np.array(CE_TARGET) != 2
    claim.close(F.cross_entropy(x, t, ignore_index=2), rows[keep].mean(),
                "ignore_index=2 leaves the samples of class 2 out of the mean", rtol=F32_RTOL, atol=F32_ATOL)
    claim.close(F.cross_entropy(x, t, ignore_index=2, reduction="none"), torch.tensor(np.where(keep, rows, 0.0)),
                "ignore_index=2 with reduction='none' gives 0 for the ignored samples", rtol=F32_RTOL, atol=F32_ATOL)

    w = [0.5, 2.0, 1.5]
    wt = np.array(w)[CE_TARGET]
    weight = torch.tensor(w, device=device)
    claim.close(F.cross_entropy(x, t, weight=weight), (wt * rows).sum() / wt.sum(),
                "weight=: sum of w[target]*loss over the sum of w[target]", rtol=F32_RTOL, atol=F32_ATOL)
    claim.close(F.cross_entropy(x, t, weight=weight, reduction="none"), torch.tensor(wt * rows),
                "weight= with reduction='none': w[target]*loss per sample", rtol=F32_RTOL, atol=F32_ATOL)
    claim.close(F.cross_entropy(x, t, weight=weight, ignore_index=2), (wt * rows)[keep].sum() / wt[keep].sum(),
                "weight= and ignore_index together: the ignored samples' weights leave the denominator",
                rtol=F32_RTOL, atol=F32_ATOL)

    all_ignored = torch.full((4,), -100, dtype=torch.long, device=device)
    mean = claim.observe("all_ignored_mean", F.cross_entropy(x, all_ignored).item())
    if _ce_all_ignored_nan(claim):
        claim.holds(math.isnan(mean), "every target ignored: the mean is nan (0/0)", mean=mean)
    else:
        claim.equal(mean, 0.0, "every target ignored: the mean")
    none = claim.observe("all_ignored_none", F.cross_entropy(x, all_ignored, reduction="none").tolist())
    if _ce_none_uninitialised(claim):
        return  # the oldest releases leave those entries uninitialised (recorded, not asserted)
    claim.equal(none, [0.0] * 4, "every target ignored, reduction='none'")


@spec("optim.crossentropy")
def test_cross_entropy_label_smoothing_and_probability_targets(claim, device):
    """§2: label_smoothing=eps mixes the target's loss with the mean loss over all classes,
    (1-eps)*loss[target] + eps/C*sum_c loss[c]; a float target of class probabilities gives
    -sum_c p_c*log_softmax[c]. Both since the release the registry names (before: TypeError for
    label_smoothing=, and a float target is refused)."""
    x, t = _ce_inputs(device)
    probs = [[0.25, 0.25, 0.5], [0.0, 1.0, 0.0], [0.5, 0.125, 0.375], [0.125, 0.75, 0.125]]
    p = torch.tensor(probs, device=device)
    if not _ce_has_label_smoothing(claim):
        with claim.raises(TypeError, record="label_smoothing_error"):
            F.cross_entropy(x, t, label_smoothing=0.1)
        with claim.raises(RuntimeError, record="probability_target_error"):
            F.cross_entropy(x, p)
        return
    nll = -_log_softmax_np(CE_LOGITS)
    rows = nll[np.arange(4), CE_TARGET]
    eps = 0.2
    smoothed = (1 - eps) * rows + eps * nll.mean(axis=1)
    claim.close(F.cross_entropy(x, t, label_smoothing=eps), smoothed.mean(),
                "label_smoothing=0.2 vs (1-eps)*loss[target] + eps*mean_c loss[c]", rtol=F32_RTOL, atol=F32_ATOL)
    claim.close(F.cross_entropy(x, t, label_smoothing=eps, reduction="none"), torch.tensor(smoothed),
                "label_smoothing=0.2, reduction='none'", rtol=F32_RTOL, atol=F32_ATOL)
    soft = (nll * np.array(probs)).sum(axis=1)
    claim.close(F.cross_entropy(x, p), soft.mean(), "probability targets: mean of -sum_c p_c*log_softmax[c]",
                rtol=F32_RTOL, atol=F32_ATOL)
    claim.close(F.cross_entropy(x, p, reduction="none"), torch.tensor(soft), "probability targets, reduction='none'",
                rtol=F32_RTOL, atol=F32_ATOL)
    one_hot = torch.eye(3, device=device)[t]
    claim.close(F.cross_entropy(x, one_hot), rows.mean(), "one-hot probability targets equal the class indices",
                rtol=F32_RTOL, atol=F32_ATOL)
    mixed = (1 - eps) * np.array(probs) + eps / 3
    claim.close(F.cross_entropy(x, p, label_smoothing=eps), (nll * mixed).sum(axis=1).mean(),
                "label_smoothing with probability targets smooths p towards uniform", rtol=F32_RTOL, atol=F32_ATOL)


def _strided_view(kind, logits, device):
    """``logits`` as a non-contiguous tensor with the same values."""
    a = np.asarray(logits, dtype=np.float32)
    if kind == "transposed":
        return torch.tensor(a.T.copy(), device=device).t()
    wide = np.zeros((2 * a.shape[0], a.shape[1]), dtype=np.float32)
    wide[::2] = a
    wide[1::2] = 100.0  # what a wrong stride would read
    return torch.tensor(wide, device=device)[::2]


@spec("optim.crossentropy")
def test_cross_entropy_input_shapes(claim, device):
    """§2: other input shapes: (N, C, d1, d2) scores with (N, d1, d2) targets average over every
    position; non-contiguous scores (a transpose, a slice with a step) give the same loss; an
    unbatched (C,) input with a 0-d target (since the release the registry names; before it is
    refused)."""
    rng = np.random.RandomState(0)
    spatial = (rng.randint(-16, 16, size=(2, 3, 2, 2)) / 8.0).astype(np.float32)
    target = rng.randint(0, 3, size=(2, 2, 2))
    logsm = _log_softmax_np(spatial, axis=1)
    picked = -np.take_along_axis(logsm, target[:, None], axis=1)[:, 0]
    x, t = torch.tensor(spatial, device=device), torch.tensor(target, device=device)
    none = F.cross_entropy(x, t, reduction="none")
    claim.equal(tuple(none.shape), (2, 2, 2), "(N, C, d1, d2) scores, reduction='none' (its shape)")
    claim.close(none, torch.tensor(picked), "(N, C, d1, d2): -log_softmax over dim 1 at each position",
                rtol=F32_RTOL, atol=F32_ATOL)
    claim.close(F.cross_entropy(x, t), picked.mean(), "(N, C, d1, d2): the mean over N*d1*d2 positions",
                rtol=F32_RTOL, atol=F32_ATOL)

    rows = _ce_rows(CE_LOGITS, CE_TARGET)
    tt = torch.tensor(CE_TARGET, device=device)
    for kind in ("transposed", "stepped"):
        view = _strided_view(kind, CE_LOGITS, device)
        claim.equal(view.is_contiguous(), False, "the %s scores are non-contiguous" % kind)
        claim.close(F.cross_entropy(view, tt, reduction="none"), torch.tensor(rows),
                    "non-contiguous (%s) scores" % kind, rtol=F32_RTOL, atol=F32_ATOL)

    single, cls = torch.tensor(CE_LOGITS[0], device=device), torch.tensor(CE_TARGET[0], device=device)
    if not _ce_has_unbatched(claim):
        with claim.raises((IndexError, RuntimeError), record="unbatched_error"):
            F.cross_entropy(single, cls)
        return
    loss = F.cross_entropy(single, cls)
    claim.equal(tuple(loss.shape), (), "an unbatched (C,) input gives a scalar (its shape)")
    claim.close(loss, rows[0], "an unbatched (C,) input with a 0-d target", rtol=F32_RTOL, atol=F32_ATOL)


@spec("optim.crossentropy")
def test_cross_entropy_module_and_functional_forms(claim, device):
    """§2: nn.CrossEntropyLoss(options)(x, t) and F.cross_entropy(x, t, options) agree exactly for
    every option (weight=, ignore_index=, reduction=, label_smoothing= where it exists), with the
    weight positional or by keyword, and the functional form takes input=/target= keywords."""
    x, t = _ce_inputs(device, torch.float64)
    w = torch.tensor([0.5, 2.0, 1.5], dtype=torch.float64, device=device)
    cases = [{}, {"reduction": "none", "ignore_index": 1}, {"weight": w, "ignore_index": 0, "reduction": "sum"}]
    if _ce_has_label_smoothing(claim):
        cases.append({"label_smoothing": 0.1, "weight": w})
    for kw in cases:
        what = ", ".join("%s=%s" % (k, "w" if k == "weight" else v) for k, v in sorted(kw.items())) or "defaults"
        module = torch.nn.CrossEntropyLoss(**kw)(x, t)
        functional = F.cross_entropy(x, t, **kw)
        claim.equal(module.tolist(), functional.tolist(), "CrossEntropyLoss(%s) vs F.cross_entropy(%s)" % (what, what))
    claim.equal(torch.nn.CrossEntropyLoss(w)(x, t).tolist(), F.cross_entropy(x, t, w).tolist(),
                "the weight as the first positional argument of both forms")
    claim.equal(F.cross_entropy(input=x, target=t).tolist(), F.cross_entropy(x, t).tolist(),
                "F.cross_entropy(input=, target=) keywords")


@spec("optim.crossentropy")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cross_entropy_extreme_logits(claim, device, dtype):
    """§2: scores of magnitude 1e4 neither overflow nor lose the loss: the values are the exact
    ones (log-sum-exp with the maximum taken out), the gradient softmax - one_hot is finite, and
    adding 1e4 to every score changes nothing. On the oldest releases (expectations
    ``uninitialised-none`` and ``lossy-float32``) float32 keeps only about 1e-3 there: the log-sum-exp is subtracted at full
    magnitude; that loss of precision is asserted too, so the release that fixed it shows."""
    dt = getattr(torch, dtype)
    lossy = dtype == "float32" and _ce_lossy_float32(claim)
    tol = {"rtol": 0.0, "atol": LOSSY_F32_ATOL} if lossy else {"rtol": EXAMPLE_RTOL, "atol": F32_ATOL}
    logits = [[1e4, 0.0, -1e4], [1e4, 1e4 - 1, -1e4], [-1e4, -1e4, -1e4 + 2]]
    target = [2, 1, 0]
    x = torch.tensor(logits, dtype=dt, device=device, requires_grad=True)
    loss = F.cross_entropy(x, torch.tensor(target, device=device), reduction="none")
    # by hand: 1e4 - (-1e4); log(1 + e) (1e4-1 against 1e4); 2 + log(1 + 2/e^2)
    expected = [2e4, math.log(1 + math.e), 2.0 + math.log(1 + 2 * math.exp(-2.0))]
    error = max(abs(a - b) for a, b in zip(loss.tolist(), expected))
    claim.observe("losses", loss.tolist())
    claim.observe("largest_error", error)
    claim.holds(bool(torch.isfinite(loss).all()), "losses at |scores| = 1e4 are finite", losses=loss)
    claim.close(loss, expected, "losses at |scores| = 1e4", **tol)
    if lossy:
        claim.greater(error, 1e-5, "float32 losses at |scores| = 1e4 lose precision on this release (largest error)")
    loss.mean().backward()
    m = np.asarray(logits, dtype=np.float64)
    soft = np.exp(m - m.max(axis=1, keepdims=True))
    soft /= soft.sum(axis=1, keepdims=True)
    soft[np.arange(3), target] -= 1
    claim.holds(bool(torch.isfinite(x.grad).all()), "the gradient at |scores| = 1e4 is finite", grad=x.grad)
    claim.close(x.grad, torch.tensor(soft / 3), "the gradient (softmax - one_hot)/N", **tol)

    moderate = torch.tensor(CE_LOGITS, dtype=dt, device=device)
    tt = torch.tensor(CE_TARGET, device=device)
    claim.close(F.cross_entropy(moderate + 1e4, tt, reduction="none"), F.cross_entropy(moderate, tt, reduction="none"),
                "adding 1e4 to every score leaves the losses", rtol=0.0, atol=LOSSY_F32_ATOL if lossy else 1e-4)


# ------------------------------------------------------------------------ zero_grad (§2, §4)
def _trained_linear(device, x=None):
    model = torch.nn.Linear(3, 2).to(device)
    x = torch.randn(4, 3, device=device) if x is None else x
    model(x).pow(2).sum().backward()
    return model, x


def _describe(grad):
    if grad is None:
        return "None"
    return "zeros" if not bool(grad.abs().sum()) else "nonzero"


def _zero_grad_default(claim):
    """What zero_grad() leaves by default: None (expectation ``none``) or zeros."""
    return "None" if claim.expects("none") else "zeros"


def _has_set_to_none(claim):
    return not claim.expects("zeros-no-flag")


@spec("optim.zero-grad")
def test_zero_grad_clears_gradients(claim, device):
    """§2, §4: optimizer.zero_grad() clears the gradients before the next backward: by setting
    .grad to None (expectation ``none``) or, on the releases before that (the registry has the
    boundary), by filling zeros; the next backward then gives the fresh gradient, not a sum."""
    torch.manual_seed(0)
    model, x = _trained_linear(device)
    fresh = [p.grad.clone() for p in model.parameters()]
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    opt.zero_grad()
    seen = claim.observe("after_optimizer_zero_grad", [_describe(p.grad) for p in model.parameters()])
    wanted = _zero_grad_default(claim)
    claim.equal(seen, [wanted, wanted], "zero_grad() leaves every .grad as %s" % wanted)
    claim.observe("set_to_none_supported", "set_to_none" in inspect.signature(torch.optim.Optimizer.zero_grad).parameters)
    model(x).pow(2).sum().backward()
    for p, g in zip(model.parameters(), fresh):
        claim.close(p.grad, g, "after zero_grad() the next backward gives the fresh gradient (not the sum)")


@spec("optim.zero-grad")
def test_zero_grad_set_to_none_both_ways(claim, device):
    """§2, §4: zero_grad(set_to_none=...) makes both behaviours explicit (since the release the
    registry names; before, the argument does not exist): True leaves .grad None, False fills
    zeros in place (the very same .grad tensors), positionally too."""
    torch.manual_seed(0)
    model, _ = _trained_linear(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    if not _has_set_to_none(claim):
        with claim.raises(TypeError, record="set_to_none_error"):
            opt.zero_grad(set_to_none=True)
        return
    before = [p.grad for p in model.parameters()]
    opt.zero_grad(set_to_none=False)
    claim.equal([_describe(p.grad) for p in model.parameters()], ["zeros"] * 2, "zero_grad(set_to_none=False)")
    claim.holds(all(p.grad is g for p, g in zip(model.parameters(), before)),
                "set_to_none=False zeroes the same .grad tensors in place")
    opt.zero_grad(set_to_none=True)
    claim.equal([_describe(p.grad) for p in model.parameters()], ["None"] * 2, "zero_grad(set_to_none=True)")
    model, _ = _trained_linear(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    opt.zero_grad(False)
    claim.equal([_describe(p.grad) for p in model.parameters()], ["zeros"] * 2, "zero_grad(False), positionally")


class _Nested(torch.nn.Module):
    """A parameter of its own and a Sequential of two Linear layers below it."""

    def __init__(self):
        super(_Nested, self).__init__()
        self.scale = torch.nn.Parameter(torch.ones(1))
        self.body = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1))

    def forward(self, x):
        return self.body(x) * self.scale


def _trained_nested(device):
    model = _Nested().to(device)
    model(torch.randn(4, 3, device=device)).sum().backward()
    return model


@spec("optim.zero-grad")
def test_module_zero_grad_clears_every_submodule(claim, device):
    """§2, §4: Module.zero_grad() (model.zero_grad(), the other spelling) clears the gradients of
    every parameter, those of nested submodules too, like the optimizer's (None or zeros by the
    same default); set_to_none= where it exists."""
    torch.manual_seed(0)
    model = _trained_nested(device)
    model.zero_grad()
    seen = claim.observe("after_module_zero_grad", {n: _describe(p.grad) for n, p in model.named_parameters()})
    wanted = _zero_grad_default(claim)
    claim.equal(seen, {n: wanted for n in seen}, "Module.zero_grad() clears every parameter, nested ones too")
    if not _has_set_to_none(claim):
        with claim.raises(TypeError, record="module_set_to_none_error"):
            _trained_nested(device).zero_grad(set_to_none=True)
        return
    for flag, expected in ((True, "None"), (False, "zeros")):
        model = _trained_nested(device)
        model.zero_grad(set_to_none=flag)
        seen = {n: _describe(p.grad) for n, p in model.named_parameters()}
        claim.equal(seen, {n: expected for n in seen}, "Module.zero_grad(set_to_none=%s)" % flag)


@spec("optim.zero-grad")
def test_zero_grad_param_groups_and_params_without_grad(claim, device):
    """§2, §4: zero_grad() clears every parameter group; a parameter that took no part in the
    loss keeps .grad None (set_to_none=False does not invent zeros for it), and a parameter
    outside the optimizer keeps its gradient."""
    torch.manual_seed(0)
    first, second = torch.nn.Linear(3, 2).to(device), torch.nn.Linear(2, 1).to(device)
    unused = torch.nn.Parameter(torch.ones(2, device=device))
    outside = torch.nn.Parameter(torch.ones(1, device=device))
    x = torch.randn(4, 3, device=device)

    def backward():
        (second(torch.tanh(first(x))) * outside).sum().backward()

    backward()
    opt = torch.optim.SGD([{"params": first.parameters()},
                           {"params": list(second.parameters()) + [unused], "lr": 0.1}], lr=0.01)
    kept = outside.grad.clone()
    opt.zero_grad()
    seen = {"group%d.%d" % (g, i): _describe(p.grad) for g, group in enumerate(opt.param_groups)
            for i, p in enumerate(group["params"])}
    claim.observe("after_zero_grad_by_group", seen)
    claim.equal(sorted(k for k, v in seen.items() if v not in ("None", "zeros")), [],
                "zero_grad() clears both parameter groups (those not cleared)")
    claim.is_none(unused.grad, "a parameter that took no part in the loss: its .grad")
    claim.equal(outside.grad.tolist(), kept.tolist(), "a parameter outside the optimizer keeps its .grad")
    if _has_set_to_none(claim):
        backward()
        opt.zero_grad(set_to_none=False)
        claim.is_none(unused.grad, "zero_grad(set_to_none=False) leaves a parameter without gradient at None")


# ------------------------------------------------------------------------ backward (§2)
class _Flatten(torch.nn.Module):
    """What nn.Flatten (torch 1.2+) does, written out so the spec runs on every release."""

    def forward(self, x):
        return x.reshape(x.shape[0], -1)


def _least_squares(device):
    model = torch.nn.Linear(3, 2).to(device).double()
    x = torch.randn(5, 3, dtype=torch.float64, device=device)
    y = torch.randn(5, 2, dtype=torch.float64, device=device)
    return model, x, y


def _least_squares_grads(model, x, y):
    """d/dW and d/db of mean((Wx + b - y)^2), by hand."""
    residual = (x @ model.weight.detach().t() + model.bias.detach() - y) * (2.0 / y.numel())
    return residual.t() @ x, residual.sum(0)


@spec("optim.backward-fills-grads")
def test_backward_computes_every_parameter_gradient(claim, device):
    """§2: loss.backward() computes the gradient of every parameter: checked against the hand
    formula for a linear least-squares model, and for presence and shape in a small conv net."""
    torch.manual_seed(0)
    model, x, y = _least_squares(device)
    for name, p in model.named_parameters():
        claim.is_none(p.grad, "no gradient before backward: %s.grad" % name)
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    gw, gb = _least_squares_grads(model, x, y)
    claim.close(model.weight.grad, gw, "d loss / d weight = 2/N r^T x", rtol=F64_RTOL)
    claim.close(model.bias.grad, gb, "d loss / d bias = 2/N sum r", rtol=F64_RTOL)

    net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), _Flatten(),
                              torch.nn.Linear(4 * 6 * 6, 3)).to(device)
    torch.nn.CrossEntropyLoss()(net(torch.randn(2, 1, 6, 6, device=device)), torch.tensor([0, 2], device=device)).backward()
    missing = [n for n, p in net.named_parameters() if p.grad is None or p.grad.shape != p.shape]
    claim.equal(missing, [], "every parameter of the conv net has a gradient of its shape (those that do not)")


@spec("optim.backward-fills-grads")
def test_backward_spellings(claim, device):
    """§2: the other spellings: torch.autograd.backward([l1, l2]) fills .grad with the gradient of
    l1 + l2; torch.autograd.grad(loss, params) returns the gradients and leaves .grad alone;
    loss.backward(inputs=[w]) fills only w (since the release the registry names; before, the
    argument does not exist)."""
    torch.manual_seed(0)
    model, x, y = _least_squares(device)
    gw, gb = _least_squares_grads(model, x, y)
    mse = ((model(x) - y) ** 2).mean()
    half_sum = model(x).sum() * 0.5  # d/dW = 0.5 * sum of the rows of x, d/db = 0.5 * N
    torch.autograd.backward([mse, half_sum])
    claim.close(model.weight.grad, gw + 0.5 * x.sum(0).expand(2, 3), "torch.autograd.backward([l1, l2]): d(l1+l2)/dW",
                rtol=F64_RTOL)
    claim.close(model.bias.grad, gb + 0.5 * x.shape[0], "torch.autograd.backward([l1, l2]): d(l1+l2)/db", rtol=F64_RTOL)

    model, x, y = _least_squares(device)
    gw, gb = _least_squares_grads(model, x, y)
    got_w, got_b = torch.autograd.grad(((model(x) - y) ** 2).mean(), [model.weight, model.bias])
    claim.close(got_w, gw, "torch.autograd.grad returns d loss / d weight", rtol=F64_RTOL)
    claim.close(got_b, gb, "torch.autograd.grad returns d loss / d bias", rtol=F64_RTOL)
    claim.equal([p.grad is None for p in model.parameters()], [True, True], "torch.autograd.grad leaves .grad None")

    loss = ((model(x) - y) ** 2).mean()
    if claim.expects("no-inputs"):
        with claim.raises(TypeError, record="inputs_error"):
            loss.backward(inputs=[model.weight])
        return
    loss.backward(inputs=[model.weight])
    claim.close(model.weight.grad, gw, "loss.backward(inputs=[weight]) fills the weight's gradient", rtol=F64_RTOL)
    claim.is_none(model.bias.grad, "loss.backward(inputs=[weight]) leaves the bias without gradient")


@spec("optim.backward-fills-grads")
def test_backward_accumulates_and_skips_unused_parameters(claim, device):
    """§2: .grad accumulates: a second backward adds to it (hence zero_grad); a parameter used
    twice in one loss gets the sum of both uses; a parameter outside the loss, and one frozen with
    requires_grad=False, get no gradient."""
    torch.manual_seed(0)
    p = torch.nn.Parameter(torch.tensor([0.5, -1.5, 2.0], dtype=torch.float64, device=device))
    frozen = torch.nn.Parameter(torch.tensor([3.0, 1.0, -1.0], dtype=torch.float64, device=device), requires_grad=False)
    unused = torch.nn.Parameter(torch.ones(3, dtype=torch.float64, device=device))
    x = torch.tensor([1.0, 2.0, -0.5], dtype=torch.float64, device=device)
    y = torch.tensor([0.25, -1.0, 4.0], dtype=torch.float64, device=device)

    def loss():  # p used twice: d/dp = x + 2*p*y + frozen
        return (p * x).sum() + (p * p * y).sum() + (p * frozen).sum()

    once = x + 2 * p.detach() * y + frozen.detach()
    loss().backward()
    claim.close(p.grad, once, "a parameter used twice gets the sum of both uses", rtol=F64_RTOL)
    loss().backward()
    claim.close(p.grad, 2 * once, "a second backward adds to .grad", rtol=F64_RTOL)
    claim.is_none(frozen.grad, "a frozen parameter (requires_grad=False): its .grad")
    claim.is_none(unused.grad, "a parameter outside the loss: its .grad")


# ------------------------------------------------------------------------ SGD (§2)
def _sgd_closed_form(p0, a, c, lrs, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0, maximize=False):
    """PyTorch's documented SGD (float64 Python) on the loss sum(a*p^2/2 + c*p), whose gradient is
    a*p + c: g = -g if maximize; g += wd*p; b1 = g, b = mu*b + (1-dampening)*g; g = g + mu*b with
    Nesterov, else b; p -= lr*g. Returns the parameters and the momentum buffer."""
    p, buf = [float(v) for v in p0], None
    for lr in lrs:
        g = [ai * pi + ci for ai, pi, ci in zip(a, p, c)]
        if maximize:
            g = [-gi for gi in g]
        if weight_decay:
            g = [gi + weight_decay * pi for gi, pi in zip(g, p)]
        if momentum:
            buf = list(g) if buf is None else [momentum * bi + (1 - dampening) * gi for bi, gi in zip(buf, g)]
            g = [gi + momentum * bi for gi, bi in zip(g, buf)] if nesterov else list(buf)
        p = [pi - lr * gi for pi, gi in zip(p, g)]
    return p, buf


def _sgd_reference(p0, a, c, lrs, momentum):
    """PyTorch's documented SGD with momentum (dampening 0, no Nesterov): b1 = g1,
    b = mu*b + g, p = p - lr*b."""
    return _sgd_closed_form(p0, a, c, lrs, momentum)[0]


def _sutskever(p0, a, c, lrs, momentum):
    """The textbook form: v = mu*v + lr*g, p = p - v."""
    p, v = [float(x) for x in p0], [0.0] * len(p0)
    for lr in lrs:
        g = [ai * pi + ci for ai, pi, ci in zip(a, p, c)]
        v = [momentum * vi + lr * gi for vi, gi in zip(v, g)]
        p = [pi - vi for pi, vi in zip(p, v)]
    return p


def _quadratic(p, a, c):
    return (a * p * p / 2 + c * p).sum()


def _torch_sgd(p0, a, c, lrs, momentum, device, dtype=torch.float64, **options):
    p = torch.tensor(p0, dtype=dtype, device=device, requires_grad=True)
    at = torch.tensor(a, dtype=dtype, device=device)
    ct = torch.tensor(c, dtype=dtype, device=device)
    opt = torch.optim.SGD([p], lr=lrs[0], momentum=momentum, **options)
    for lr in lrs:
        for group in opt.param_groups:
            group["lr"] = lr
        opt.zero_grad()
        _quadratic(p, at, ct).backward()
        opt.step()
    return p.detach().cpu().tolist()


# The expectations of optim.sgd-momentum-step, oldest first.
_SGD_ERAS = ("state-keys-ids", "no-maximize", "no-foreach", "default")


def _sgd_era(claim):
    for i, key in enumerate(_SGD_ERAS):
        if claim.expects(key):
            return i
    raise AssertionError("no era for %s" % claim.expect.key)


@spec("optim.sgd-momentum-step")
@given(
    lr=st.floats(1e-4, 0.5), momentum=st.floats(0.0, 0.99), steps=st.integers(1, 8),
    # per parameter: its start value p0, and a > 0, c of its loss term a*p^2/2 + c*p
    terms=st.lists(st.tuples(st.floats(-3, 3), st.floats(0.1, 2.0), st.floats(-1, 1)), min_size=1, max_size=4),
)
def test_sgd_momentum_matches_the_documented_update(claim, device, lr, momentum, steps, terms):
    """§2: optimizer.step() with SGD(lr, momentum) follows b = mu*b + g, p -= lr*b over several
    steps (reference by hand), to float64 precision."""
    p0, a, c = (list(column) for column in zip(*terms))
    got = _torch_sgd(p0, a, c, [lr] * steps, momentum, device)
    claim.close(got, _sgd_reference(p0, a, c, [lr] * steps, momentum), "parameters after %d steps" % steps,
                rtol=F64_RTOL, atol=SGD_ATOL)


@spec("optim.sgd-momentum-step")
def test_sgd_momentum_note_settings_and_the_textbook_form(claim, device):
    """§2: the note's SGD(lr=0.01, momentum=0.9) on float32 parameters (a model's default). With a
    constant lr PyTorch's form and the textbook (Sutskever) form give the same steps; once the lr
    changes (param_groups[0]['lr'] set between steps) they part, because PyTorch scales the whole
    buffer by the current lr."""
    p0, a, c = [1.0, -2.0], [0.5, 1.5], [0.1, -0.3]
    constant = [0.01] * 5
    got = _torch_sgd(p0, a, c, constant, 0.9, device, torch.float32)
    claim.close(got, _sgd_reference(p0, a, c, constant, 0.9), "5 steps of SGD(lr=0.01, momentum=0.9)",
                rtol=F32_RTOL, atol=F32_ATOL)
    claim.close(_sgd_reference(p0, a, c, constant, 0.9), _sutskever(p0, a, c, constant, 0.9),
                "the documented form equals the textbook form at constant lr", rtol=EXACT_RTOL)

    changing = [0.01, 0.01, 0.1, 0.1, 0.001]
    got = _torch_sgd(p0, a, c, changing, 0.9, device, torch.float32)
    textbook = _sutskever(p0, a, c, changing, 0.9)
    claim.close(got, _sgd_reference(p0, a, c, changing, 0.9), "PyTorch form with a changing lr",
                rtol=F32_RTOL, atol=F32_ATOL)
    gap = max(abs(g - t) for g, t in zip(got, textbook))
    claim.observe("gap_to_textbook_with_changing_lr", gap)
    claim.greater(gap, TEXTBOOK_GAP, "PyTorch's form differs from the textbook form once lr changes (largest gap)")


SGD_OPTIONS = {
    "plain": {},
    "dampening": {"momentum": 0.9, "dampening": 0.5},
    "nesterov": {"momentum": 0.9, "nesterov": True},
    "weight_decay": {"momentum": 0.9, "weight_decay": 0.1},
    "maximize": {"momentum": 0.9, "maximize": True},
}
SGD_P0, SGD_A, SGD_C = [1.0, -2.0, 0.5], [0.5, 1.5, 1.0], [0.1, -0.3, 0.25]


@spec("optim.sgd-momentum-step")
@pytest.mark.parametrize("option", sorted(SGD_OPTIONS))
def test_sgd_options_against_the_closed_form(claim, device, option):
    """§2: each option of SGD over 4 steps against the documented closed form: momentum 0 (plain
    p -= lr*g), dampening (not applied to the first step: b1 = g), nesterov (g + mu*b),
    weight_decay (g + wd*p before the momentum), maximize (the gradient negated; since the
    release the registry names, before a TypeError)."""
    options = dict(SGD_OPTIONS[option])
    momentum = options.pop("momentum", 0.0)
    lrs = [0.05] * 4
    if option == "maximize" and _sgd_era(claim) < 2:  # maximize= from the ``no-foreach`` expectation on
        with claim.raises(TypeError, record="maximize_error"):
            _torch_sgd(SGD_P0, SGD_A, SGD_C, lrs, momentum, device, torch.float32, **options)
        return
    got = _torch_sgd(SGD_P0, SGD_A, SGD_C, lrs, momentum, device, torch.float32, **options)
    expected, _ = _sgd_closed_form(SGD_P0, SGD_A, SGD_C, lrs, momentum, **options)
    claim.observe("parameters", got)
    claim.close(got, expected, "4 steps of SGD(%s)" % ", ".join("%s=%s" % kv for kv in sorted(dict(
        SGD_OPTIONS[option], lr=0.05).items())), rtol=F32_RTOL, atol=F32_ATOL)


@spec("optim.sgd-momentum-step")
def test_sgd_param_groups_and_params_without_grad(claim, device):
    """§2: several parameter groups, each with its own lr and momentum, each follow the closed form
    with their own settings; a parameter without a gradient is left as it is and gets no state."""
    a, c = [0.5, 1.5], [0.1, -0.3]
    p = torch.tensor([1.0, -2.0], device=device, requires_grad=True)
    q = torch.tensor([-1.0, 0.5], device=device, requires_grad=True)
    idle = torch.tensor([3.0, 4.0], device=device, requires_grad=True)
    at, ct = torch.tensor(a, device=device), torch.tensor(c, device=device)
    opt = torch.optim.SGD([{"params": [p]}, {"params": [q, idle], "lr": 0.01, "momentum": 0.5}], lr=0.1, momentum=0.9)
    for _ in range(4):
        opt.zero_grad()
        (_quadratic(p, at, ct) + _quadratic(q, at, ct)).backward()
        opt.step()
    claim.close(p.detach(), _sgd_closed_form([1.0, -2.0], a, c, [0.1] * 4, 0.9)[0],
                "group 0 (lr=0.1, momentum=0.9) after 4 steps", rtol=F32_RTOL, atol=F32_ATOL)
    claim.close(q.detach(), _sgd_closed_form([-1.0, 0.5], a, c, [0.01] * 4, 0.5)[0],
                "group 1 (lr=0.01, momentum=0.5) after 4 steps", rtol=F32_RTOL, atol=F32_ATOL)
    claim.is_none(idle.grad, "the idle parameter has no gradient")
    claim.equal(idle.detach().cpu().tolist(), [3.0, 4.0], "a parameter without a gradient is not moved")
    claim.equal(len(opt.state_dict()["state"]), 2, "optimizer state is kept for the two parameters with gradients only")


@spec("optim.sgd-momentum-step")
def test_sgd_foreach_and_per_tensor_paths(claim, device):
    """§2: SGD(foreach=True) (the multi-tensor path) and foreach=False give the closed-form steps
    for several parameters of different shapes (since the release the registry names; before,
    the argument does not exist)."""
    shapes = [(2,), (2, 2)]
    starts = [[1.0, -2.0], [0.5, -0.25, 1.5, 2.0]]
    a, c = [[0.5, 1.5], [1.0, 0.25, 2.0, 0.5]], [[0.1, -0.3], [0.0, 0.5, -0.5, 0.25]]

    def run(**options):
        params = [torch.tensor(s, device=device).reshape(shape).requires_grad_() for s, shape in zip(starts, shapes)]
        coeffs = [(torch.tensor(ai, device=device).reshape(shape), torch.tensor(ci, device=device).reshape(shape))
                  for ai, ci, shape in zip(a, c, shapes)]
        opt = torch.optim.SGD(params, lr=0.05, momentum=0.9, **options)
        for _ in range(3):
            opt.zero_grad()
            sum(_quadratic(p, at, ct) for p, (at, ct) in zip(params, coeffs)).backward()
            opt.step()
        return [p.detach().reshape(-1).cpu().tolist() for p in params]

    if _sgd_era(claim) < 3:
        with claim.raises(TypeError, record="foreach_error"):
            run(foreach=True)
        return
    expected = [_sgd_closed_form(s, ai, ci, [0.05] * 3, 0.9)[0] for s, ai, ci in zip(starts, a, c)]
    for foreach in (False, True):
        got = run(foreach=foreach)
        for i, (g, e) in enumerate(zip(got, expected)):
            claim.close(g, e, "SGD(foreach=%s): parameter %d of shape %s after 3 steps" % (foreach, i, shapes[i]),
                        rtol=F32_RTOL, atol=F32_ATOL)


@spec("optim.sgd-momentum-step")
def test_sgd_state_dict_momentum_buffer(claim, device):
    """§2: the momentum buffer lives in optimizer.state_dict() (the closed-form b after 3 steps,
    keyed by the parameter's index, or by its id() on the oldest releases); load_state_dict into a
    fresh optimizer restores it and the hyperparameters, and the steps then continue exactly as
    the original's."""
    p0, a, c = [1.0, -2.0, 0.5], [0.5, 1.5, 1.0], [0.1, -0.3, 0.25]
    at, ct = torch.tensor(a, device=device), torch.tensor(c, device=device)

    def steps(param, opt, n):
        for _ in range(n):
            opt.zero_grad()
            _quadratic(param, at, ct).backward()
            opt.step()

    p = torch.tensor(p0, device=device, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.05, momentum=0.9)
    steps(p, opt, 3)
    state = opt.state_dict()
    key = state["param_groups"][0]["params"][0]
    claim.observe("state_key", "id" if key == id(p) else key)
    claim.equal(key, id(p) if claim.expects("state-keys-ids") else 0, "the state_dict's key for the parameter")
    kept = state["state"].get(key, {})
    claim.equal(sorted(kept), ["momentum_buffer"], "the state kept for the parameter")
    claim.close(kept["momentum_buffer"], _sgd_closed_form(p0, a, c, [0.05] * 3, 0.9)[1],
                "the momentum buffer after 3 steps (closed form)", rtol=F32_RTOL, atol=F32_ATOL)

    snapshot = copy.deepcopy(state)
    q = p.detach().clone().requires_grad_()
    resumed = torch.optim.SGD([q], lr=0.5, momentum=0.1)
    resumed.load_state_dict(snapshot)
    claim.equal([resumed.param_groups[0]["lr"], resumed.param_groups[0]["momentum"]], [0.05, 0.9],
                "load_state_dict restores lr and momentum")
    steps(p, opt, 3)
    steps(q, resumed, 3)
    claim.equal(q.detach().cpu().tolist(), p.detach().cpu().tolist(),
                "3 more steps after load_state_dict equal 3 more steps of the original")
