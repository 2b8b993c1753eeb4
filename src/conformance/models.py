"""The notes' models and computations, defined once: the specs check them and the benchmarks
(``benchmarks/hotpaths.py``) time the very same code.

- :class:`NoteNet`: the §9 network (three conv blocks, then two linear layers);
- :func:`gram_by_channel_pairs`, :func:`gram_by_product`: the §8 Gram matrix, both ways;
- :func:`normalized_gram`: the Gram matrix as a §7 style loss uses it (divided by the size);
- :func:`running_loss_total`: the §11 running total of losses, as floats or as tensors.

Importable on every release the kit covers (Python 3.7 syntax, torch 1.x).
"""
from __future__ import annotations

import torch


class NoteNet(torch.nn.Module):
    """The §9 network: three blocks of 3x3 conv (padding 1) + ReLU + 2x2 max-pool, then
    Linear(64*3*3, 128), ReLU, Linear(128, 10)."""

    def __init__(self):
        super().__init__()

        def block(cin, cout):
            return torch.nn.Sequential(torch.nn.Conv2d(cin, cout, 3, 1, 1), torch.nn.ReLU(), torch.nn.MaxPool2d(2))

        self.features = torch.nn.Sequential(block(3, 32), block(32, 64), block(64, 64))
        self.dense = torch.nn.Sequential(torch.nn.Linear(64 * 3 * 3, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))

    def forward(self, x):
        return self.dense(self.features(x).reshape(x.shape[0], -1))


def gram_by_channel_pairs(features):
    """§8, entry by entry: (i, j) multiplies channel i and channel j of a C x M x N map element
    by element and adds up."""
    c = features.shape[0]
    out = torch.empty(c, c, dtype=features.dtype, device=features.device)
    for i in range(c):
        for j in range(c):
            out[i, j] = (features[i] * features[j]).sum()
    return out


def gram_by_product(features):
    """§8, as a product: flatten each channel of a C x M x N map to a row, so F is C x (M*N),
    and the Gram matrix is F F^T."""
    f = features.reshape(features.shape[0], -1)
    return f @ f.t()


def normalized_gram(features):
    """The Gram matrix of a 1 x C x H x W batch divided by its number of elements, as a style
    loss (§7, §8) compares them."""
    f = features.reshape(features.shape[-3], -1)
    return f @ f.t() / f.numel()


def running_loss_total(model, batches, use_item):
    """§11: add each batch's loss (mean square of the model's output) to a running total, as a
    Python number (``loss.item()``) or as the tensor itself, which keeps every graph alive."""
    total = 0.0
    for x in batches:
        loss = model(x).pow(2).mean()
        total += loss.item() if use_item else loss
    return total
