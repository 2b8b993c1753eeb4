"""Breakages of the checks of the notes pack's tensor claims (see __init__).

Each one is a realistic regression in one public form that its check probes, with the rest of
torch working. They run on the dev venv's torch (the newest release)."""
import torch

from conformance.testing import breakage

_KEPT = []  # what item_keeps_its_tensor leaks


def _patch_getitem(monkeypatch, change):
    """Replace Tensor.__getitem__ by ``change(orig, self, index)``."""
    orig = torch.Tensor.__getitem__
    monkeypatch.setattr(torch.Tensor, "__getitem__", lambda self, index: change(orig, self, index))


def _patch_item(monkeypatch, change):
    """Replace Tensor.item by ``change(orig, self)``."""
    orig = torch.Tensor.item
    monkeypatch.setattr(torch.Tensor, "item", lambda self: change(orig, self))


def _data_descriptor():
    for owner in ("TensorBase", "_TensorBase"):
        base = getattr(torch._C, owner, None)
        if base is not None and "data" in vars(base):
            return vars(base)["data"]
    raise RuntimeError("no Tensor.data descriptor found")


# ------------------------------------------------------------------------ tensor.loss-data-index
@breakage
def data_of_a_scalar_is_one_dimensional(monkeypatch):
    """.data of a 0-dim tensor has shape (1,), as a loss's .data had in 0.3 (so .data[0] works)."""
    base = _data_descriptor()

    def data(self):
        value = base.__get__(self)
        return value.reshape(1) if value.dim() == 0 else value

    monkeypatch.setattr(torch.Tensor, "data", property(data, lambda self, value: base.__set__(self, value)))


@breakage
def graph_scalars_index_like_0_3(monkeypatch):
    """A 0-dim tensor that requires grad (the loss itself) accepts [0] and gives itself back."""
    _patch_getitem(monkeypatch, lambda orig, self, index: self if (
        self.dim() == 0 and self.requires_grad and isinstance(index, int) and index == 0) else orig(self, index))


@breakage
def zero_dim_integers_index_like_0_3(monkeypatch):
    """0-dim integer and bool tensors accept [0] and give themselves back."""
    _patch_getitem(monkeypatch, lambda orig, self, index: self if (
        self.dim() == 0 and not self.is_floating_point() and isinstance(index, int) and index == 0)
        else orig(self, index))


@breakage
def one_element_index_gives_a_number(monkeypatch):
    """[i] of a one-element 1-D tensor gives a Python number (0.3's indexing of a tensor)."""
    _patch_getitem(monkeypatch, lambda orig, self, index: orig(self, index).item() if (
        self.dim() == 1 and self.numel() == 1 and isinstance(index, int)) else orig(self, index))


# ------------------------------------------------------------------------ tensor.item
@breakage
def item_of_bool_gives_int(monkeypatch):
    """.item() of a bool tensor gives 0/1 (as from the uint8 'bools' of torch 1.1)."""
    _patch_item(monkeypatch, lambda orig, self: int(orig(self)) if self.dtype == torch.bool else orig(self))


@breakage
def item_of_float64_through_float32(monkeypatch):
    """.item() of a float64 tensor goes through float32 (precision lost)."""
    _patch_item(monkeypatch, lambda orig, self: orig(self.float()) if self.dtype == torch.float64 else orig(self))


@breakage
def item_drops_the_sign_of_zero(monkeypatch):
    """.item() of a floating tensor gives 0.0 for -0.0 (x + 0.0)."""
    _patch_item(monkeypatch, lambda orig, self: orig(self) + 0.0 if self.is_floating_point() else orig(self))


@breakage
def item_of_int64_through_float64(monkeypatch):
    """.item() of an int64 tensor goes through float64 (exact only up to 2**53)."""
    def item(orig, self):
        if self.dtype == torch.int64:
            value = orig(self.double())
            return int(value) if abs(value) < 2.0 ** 63 else (2 ** 63 - 1 if value > 0 else -2 ** 63)
        return orig(self)

    _patch_item(monkeypatch, item)


@breakage
def item_reads_the_start_of_the_base(monkeypatch):
    """.item() of a view reads the first element of the tensor it views (offset and strides ignored)."""
    _patch_item(monkeypatch, lambda orig, self: orig(self._base.reshape(-1)[0]) if self._base is not None
                else orig(self))


@breakage
def item_returns_the_first_element(monkeypatch):
    """.item() of a tensor with several elements gives the first one instead of refusing."""
    _patch_item(monkeypatch, lambda orig, self: orig(self.reshape(-1)[0]) if self.numel() > 1 else orig(self))


@breakage
def tolist_of_a_0dim_tensor_gives_a_list(monkeypatch):
    """t.tolist() of a 0-dim tensor gives a one-element list."""
    orig = torch.Tensor.tolist
    monkeypatch.setattr(torch.Tensor, "tolist", lambda self: [orig(self)] if self.dim() == 0 else orig(self))


# ------------------------------------------------------------------------ autograd.accumulate-tensor-keeps-graph
@breakage
def scalar_add_drops_the_graph(monkeypatch):
    """tensor + tensor of two 0-dim tensors that require grad gives a result cut off from both."""
    orig = torch.Tensor.__add__

    def add(self, other):
        out = orig(self, other)
        if isinstance(other, torch.Tensor) and self.dim() == 0 and other.dim() == 0 and self.requires_grad:
            return out.detach()
        return out

    monkeypatch.setattr(torch.Tensor, "__add__", add)


@breakage
def detach_keeps_the_graph(monkeypatch):
    """loss.detach() returns a view that is still part of the graph."""
    monkeypatch.setattr(torch.Tensor, "detach", lambda self: self.view_as(self))


@breakage
def item_keeps_its_tensor(monkeypatch):
    """.item() keeps a reference to the tensor it read (a leak): its graph stays alive."""
    del _KEPT[:]

    def item(orig, self):
        _KEPT.append(self)
        return orig(self)

    _patch_item(monkeypatch, item)
