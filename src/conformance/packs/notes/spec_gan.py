"""The last layers of a GAN and its targets (note §15).

The note's modules (nn.Sigmoid, nn.Tanh) are probed in the training specs; the other public
spellings (torch.sigmoid, Tensor.sigmoid, F.sigmoid; torch.tanh, Tensor.tanh, F.tanh), the
saturation at large |x| and the BCE losses each in their own spec, so a regression in one
form shows in its own spec (``tests/breakages/gan.py``). A training step is a plain gradient
step written out (p -= lr * p.grad), so the specs do not depend on torch.optim."""
import math

import numpy as np
import torch
import torch.nn.functional as F

from conformance.testing import spec

_INF = float("inf")


def _pair(device):
    torch.manual_seed(0)
    disc = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.LeakyReLU(0.2), torch.nn.Linear(16, 1),
                               torch.nn.Sigmoid()).to(device)
    gen = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 4), torch.nn.Tanh()).to(device)
    return disc, gen


def _bce(score, target):
    return F.binary_cross_entropy(score, torch.full_like(score, target))


def _step(module, loss, lr=0.5):
    """One plain gradient step on ``module``'s parameters (what SGD without momentum does)."""
    module.zero_grad()
    loss.backward()
    with torch.no_grad():
        for p in module.parameters():
            p -= lr * p.grad


def _reprs(t):
    return [repr(v) for v in t.detach().reshape(-1).cpu().tolist()]


# The disc claim's expectations, oldest first; each adds to the one before.
_DISC_ERAS = ("sigmoid-floor", "bce-eps", "bce-log-clamp")


def _disc_era(claim):
    for i, key in enumerate(_DISC_ERAS):
        if claim.expects(key):
            return i
    raise AssertionError("no era for %s" % claim.expect.key)


@spec("gan.discriminator-sigmoid")
def test_discriminator_scores_are_probabilities_and_learn_fake_zero(claim, device):
    """§15: a discriminator ending in Sigmoid gives probabilities in (0, 1); one step on BCE with
    real -> 1 and fake -> 0 lowers its score of the fakes and raises that of real data."""
    disc, gen = _pair(device)
    real = torch.randn(64, 4, device=device) * 0.5 + 2.0
    fake = gen(torch.randn(64, 2, device=device)).detach()
    scores = disc(torch.randn(256, 4, device=device) * 3)
    claim.all_in_range(scores, 0, 1, "scores lie in (0, 1)")
    before_fake, before_real = disc(fake).mean().item(), disc(real).mean().item()
    _step(disc, _bce(disc(real), 1.0) + _bce(disc(fake), 0.0))
    after_fake, after_real = disc(fake).mean().item(), disc(real).mean().item()
    claim.less(after_fake, before_fake, "D's score of fakes goes down (mean score after the step)")
    claim.greater(after_real, before_real, "D's score of real data goes up (mean score after the step)")


@spec("gan.discriminator-sigmoid")
def test_sigmoid_spellings_agree(claim, device):
    """§15, the sigmoid in its other public spellings: torch.sigmoid, Tensor.sigmoid and
    F.sigmoid (deprecated on some releases: its warnings are recorded) equal 1/(1+exp(-x)) on
    -12..12, in float32 and float64."""
    grid = np.linspace(-12, 12, 49)
    reference = 1.0 / (1.0 + np.exp(-grid))
    seen = {}
    for dtype, tol in ((torch.float32, 1e-6), (torch.float64, 1e-12)):
        x = torch.tensor(grid, dtype=dtype, device=device)
        with claim.warnings(record="F.sigmoid_warnings") as caught:
            functional = F.sigmoid(x)
        seen[str(dtype)] = [len(caught)]
        for label, got in (("torch.sigmoid", torch.sigmoid(x)), ("Tensor.sigmoid", x.sigmoid()), ("F.sigmoid", functional)):
            claim.equal(got.dtype, dtype, "%s keeps %s" % (label, dtype))
            claim.close(got, reference, "%s(x) vs 1/(1+exp(-x)), %s" % (label, dtype), rtol=tol, atol=tol)
    claim.observe("F.sigmoid_warning_count", seen)


_FLOOR = "4.15602843873158e-39"  # float32 sigmoid of very negative logits in 1.0.1's vectorised kernel


@spec("gan.discriminator-sigmoid")
def test_sigmoid_saturates_without_nan(claim, device):
    """§15 at large |x|: torch.sigmoid stays in [0, 1] without NaN, also at ±inf; in float32 it
    is exactly 1.0 from a logit of about 17 on and exactly 0 below about -104 (float64: 1.0
    from about 37, 0 below about -745); its gradient there is 0, not NaN. Probed in a short
    tensor (9 values) and a long one (the same, 8 times: the vectorised kernel). Under the
    oldest expectation (``sigmoid-floor``) a float32 value below about -88 in the long tensor
    may be 4.156e-39 instead of 0 (which ones depends on the kernel's split of the tensor)."""
    floored = _disc_era(claim) == 0
    f32 = [-_INF, -1e4, -200.0, -40.0, 17.5, 40.0, 100.0, 1e4, _INF]
    f32_short = [0.0, 0.0, 0.0, 4.24835413113866e-18, 1.0, 1.0, 1.0, 1.0, 1.0]
    cases = [
        ("float32 short", torch.float32, f32, 1, f32_short),
        ("float32 long", torch.float32, f32, 8, f32_short),
        ("float64 long", torch.float64, [-_INF, -1e4, -40.0, 40.0, 100.0, 1e4, _INF], 8,
         [0.0, 0.0, 4.248354255291589e-18, 1.0, 1.0, 1.0, 1.0]),
    ]
    seen = {}
    for label, dtype, xs, times, wanted in cases:
        x = torch.tensor(xs * times, dtype=dtype, device=device, requires_grad=True)
        y = torch.sigmoid(x)
        y.sum().backward()
        got = _reprs(y)
        seen[label] = sorted(set(got))
        if floored and label == "float32 long":  # the floor, where the vectorised kernel ran, stands for 0
            seen[label + " floored"] = got.count(_FLOOR)
            got = [repr(0.0) if v == _FLOOR else v for v in got]
        claim.equal(got, [repr(w) for w in wanted] * times, "torch.sigmoid at %s, %s (every repeat)" % (xs, label))
        grads = x.grad.cpu().tolist()
        seen[label + " grad"] = [repr(g) for g in grads[:len(xs)]]
        claim.holds(all(g == g and 0 <= g < 1e-17 for g in grads), "the gradient at large |x| is ~0, never NaN", grads=grads[:len(xs)])
    claim.observe("values", seen)


@spec("gan.discriminator-sigmoid")
def test_bce_on_sigmoid_agrees_with_bce_with_logits(claim, device):
    """§15, training D with BCE: F.binary_cross_entropy on sigmoid outputs (and nn.BCELoss)
    equals F.binary_cross_entropy_with_logits on the logits (and nn.BCEWithLogitsLoss), per
    element and averaged, for hard and soft targets. Saturated (logit 40, target 0): BCE with
    logits gives 40 and gradient 1; BCE on the sigmoid's 1.0 is clamped (100 under
    ``bce-log-clamp``, -log(1e-12) = 27.63 before) with gradient 0."""
    logits = torch.linspace(-8, 8, 33, device=device).repeat(3)
    targets = torch.cat([torch.zeros(33), torch.ones(33), torch.full((33,), 0.3)]).to(device)
    probs = torch.sigmoid(logits)
    forms = {
        "F.binary_cross_entropy": F.binary_cross_entropy(probs, targets, reduction="none"),
        "nn.BCELoss": torch.nn.BCELoss(reduction="none")(probs, targets),
        "nn.BCEWithLogitsLoss": torch.nn.BCEWithLogitsLoss(reduction="none")(logits, targets),
    }
    reference = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    for label, loss in forms.items():
        claim.close(loss, reference, "%s vs F.binary_cross_entropy_with_logits (per element)" % label, rtol=1e-4, atol=1e-5)
    claim.close(torch.nn.BCELoss()(probs, targets), torch.nn.BCEWithLogitsLoss()(logits, targets),
                "mean BCELoss vs mean BCEWithLogitsLoss", rtol=1e-5, atol=1e-6)
    saturated = torch.tensor([40.0, -40.0], device=device, requires_grad=True)
    hard = torch.tensor([0.0, 1.0], device=device)
    with_logits = F.binary_cross_entropy_with_logits(saturated, hard, reduction="none")
    (grad_logits,) = torch.autograd.grad(with_logits.sum(), saturated)
    on_probs = F.binary_cross_entropy(torch.sigmoid(saturated), hard, reduction="none")
    (grad_probs,) = torch.autograd.grad(on_probs.sum(), saturated)
    seen = claim.observe("saturated", {"with_logits": with_logits.tolist(), "on_probs": on_probs.tolist(),
                                       "grad_with_logits": grad_logits.tolist(), "grad_on_probs": grad_probs.tolist()})
    clamp = 100.0 if _disc_era(claim) == 2 else -math.log(1e-12)
    claim.close(with_logits, [40.0, 40.0], "BCE with logits at logits (40, -40), targets (0, 1)")
    claim.close(grad_logits, [1.0, -1.0], "its gradient (sigmoid(x) - target)")
    claim.close(on_probs, [clamp, 40.0], "BCE on sigmoid(40) = 1.0 (clamped) and on sigmoid(-40)", rtol=1e-5, atol=1e-5)
    claim.equal(seen["grad_on_probs"][0], 0.0, "the gradient through the saturated sigmoid vanishes")


@spec("gan.generator-tanh")
def test_generator_pixels_in_minus_one_one_and_learn_fake_one(claim, device):
    """§15: a generator ending in tanh gives values in (-1, 1), negative ones included; one step
    on BCE with fake -> 1 (D fixed) raises D's score of the new fakes."""
    disc, gen = _pair(device)
    z = torch.randn(256, 2, device=device) * 3
    pixels = gen(z)
    claim.all_in_range(pixels, -1, 1, "pixels lie in (-1, 1)")
    claim.less(pixels.min().item(), 0, "negative pixel values occur (the smallest pixel)")
    before = disc(gen(z)).mean().item()
    _step(gen, _bce(disc(gen(z)), 1.0))
    after = disc(gen(z)).mean().item()
    claim.greater(after, before, "D's score of the generator's fakes goes up (mean score after the step)")


@spec("gan.generator-tanh")
def test_tanh_spellings_agree(claim, device):
    """§15, tanh in its other public spellings: torch.tanh, Tensor.tanh and F.tanh (deprecated
    on some releases: its warnings are recorded) equal math.tanh on -4..4, float32 and float64."""
    grid = np.linspace(-4, 4, 33)
    reference = [math.tanh(v) for v in grid]
    for dtype, tol in ((torch.float32, 1e-6), (torch.float64, 1e-12)):
        x = torch.tensor(grid, dtype=dtype, device=device)
        with claim.warnings(record="F.tanh_warnings"):
            functional = F.tanh(x)
        for label, got in (("torch.tanh", torch.tanh(x)), ("Tensor.tanh", x.tanh()), ("F.tanh", functional)):
            claim.equal(got.dtype, dtype, "%s keeps %s" % (label, dtype))
            claim.close(got, reference, "%s(x) vs math.tanh, %s" % (label, dtype), rtol=tol, atol=tol)


@spec("gan.generator-tanh")
def test_tanh_saturates_at_plus_minus_one(claim, device):
    """§15 at large |x|: torch.tanh stays in [-1, 1] without NaN, also at ±inf, and reaches
    exactly ±1 (float32 from |x| of about 9.01, float64 from about 19.06), with gradient 0
    there; tanh(-0.0) is -0.0."""
    cases = {
        torch.float32: ([-_INF, -1e4, -20.0, -9.1, -9.0, -0.0, 9.0, 9.1, 20.0, 1e4, _INF],
                        [-1.0, -1.0, -1.0, -1.0, -0.9999999403953552, -0.0, 0.9999999403953552, 1.0, 1.0, 1.0, 1.0]),
        torch.float64: ([-_INF, -1e4, -20.0, -19.0, 19.0, 20.0, 1e4, _INF],
                        [-1.0, -1.0, -1.0, -0.9999999999999999, 0.9999999999999999, 1.0, 1.0, 1.0]),
    }
    seen = {}
    for dtype, (xs, wanted) in cases.items():
        x = torch.tensor(xs, dtype=dtype, device=device, requires_grad=True)
        y = torch.tanh(x)
        y.sum().backward()
        seen[str(dtype)] = _reprs(y)
        claim.equal(seen[str(dtype)], [repr(w) for w in wanted], "torch.tanh at %s, %s" % (xs, dtype))
        grads = [g for g, v in zip(x.grad.cpu().tolist(), xs) if abs(v) >= 20]
        seen[str(dtype) + " grad"] = [repr(g) for g in grads]
        claim.equal(grads, [0.0] * len(grads), "the gradient at |x| >= 20 (never NaN)")
    claim.observe("values", seen)
