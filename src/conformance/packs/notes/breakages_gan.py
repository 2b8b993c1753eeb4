"""Breakages of the checks of the notes pack's gan claims (see __init__).

Each changes one public spelling (Tensor.sigmoid, Tensor.tanh), the way torch.sigmoid /
torch.tanh compute at large |x| (a naive formula: right for moderate inputs, NaN once exp
overflows), or one loss (F.binary_cross_entropy_with_logits); the note's modules and every
other call keep the real behaviour."""
import torch
import torch.nn.functional as F

from conformance.testing import breakage

_SIGMOID, _TANH = torch.sigmoid, torch.tanh
_BCE = F.binary_cross_entropy


# ------------------------------------------------------------ gan.discriminator-sigmoid
@breakage
def tensor_sigmoid_is_sigmoid_of_minus_x(monkeypatch):
    """The method x.sigmoid() (which F.sigmoid calls) computes sigmoid(-x); torch.sigmoid and
    nn.Sigmoid stay right."""
    monkeypatch.setattr(torch.Tensor, "sigmoid", lambda self: _SIGMOID(-self))


@breakage
def sigmoid_by_the_naive_formula(monkeypatch):
    """torch.sigmoid (so nn.Sigmoid too) switches to exp(x) / (1 + exp(x)) for |x| > 50: NaN once
    exp(x) overflows; moderate logits (and their gradients) stay right."""
    def sigmoid(x, **kwargs):
        return torch.where(x.abs() > 50, torch.exp(x) / (1 + torch.exp(x)), _SIGMOID(x))

    monkeypatch.setattr(torch, "sigmoid", sigmoid)


@breakage
def bce_with_logits_goes_through_sigmoid(monkeypatch):
    """F.binary_cross_entropy_with_logits (so nn.BCEWithLogitsLoss too) computed as BCE on
    sigmoid(x): clamped and without gradient where the sigmoid saturates."""
    def with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None):
        return _BCE(_SIGMOID(input), target, weight, reduction=reduction)

    monkeypatch.setattr(F, "binary_cross_entropy_with_logits", with_logits)


# ------------------------------------------------------------ gan.generator-tanh
@breakage
def tensor_tanh_is_hardtanh(monkeypatch):
    """The method x.tanh() (which F.tanh calls) clamps to [-1, 1]; torch.tanh and nn.Tanh stay right."""
    monkeypatch.setattr(torch.Tensor, "tanh", lambda self: self.clamp(-1, 1))


@breakage
def tanh_by_the_naive_formula(monkeypatch):
    """torch.tanh (so nn.Tanh too) as (exp(2x) - 1) / (exp(2x) + 1): NaN once exp(2x) overflows."""
    monkeypatch.setattr(torch, "tanh", lambda x, **kw: (torch.exp(2 * x) - 1) / (torch.exp(2 * x) + 1))
