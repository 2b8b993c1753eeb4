"""Breakages of the checks of the notes pack's nn claims (see __init__).

Each wraps one public function or module method (torch.mm, torch.bmm, Tensor.reshape,
F.conv1d/2d/3d, F.max_pool2d, Conv1d/Conv3d._conv_forward) and changes its answer only for
the calls of one form or one kind of input; every other call gets the real result."""
import torch
import torch.nn.functional as F

from conformance.testing import breakage

_MM, _TMM, _BMM, _MATMUL, _RESHAPE = torch.mm, torch.Tensor.mm, torch.bmm, torch.matmul, torch.Tensor.reshape
_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_MAX_POOL2D = F.max_pool2d


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


# ------------------------------------------------------------ style.gram-matrix
@breakage
def mm_of_float64_computes_in_float32(monkeypatch):
    """torch.mm and Tensor.mm multiply float64 matrices in float32 (and give float64 back)."""
    def mm(a, b, **kwargs):
        if a.dtype == torch.float64:
            return _MM(a.float(), b.float()).double()
        return _MM(a, b, **kwargs)

    monkeypatch.setattr(torch, "mm", mm)
    monkeypatch.setattr(torch.Tensor, "mm", mm)


@breakage
def bmm_repeats_the_first_item(monkeypatch):
    """Batched products (torch.bmm, torch.matmul of 3-D tensors) give every item the first one's result."""
    def first(r):
        return r[:1].expand_as(r).clone()

    monkeypatch.setattr(torch, "bmm", lambda a, b, **kw: first(_BMM(a, b, **kw)))
    monkeypatch.setattr(torch, "matmul", lambda a, b, **kw: first(_MATMUL(a, b, **kw)) if a.dim() == 3 else _MATMUL(a, b, **kw))


@breakage
def reshape_of_a_non_contiguous_map_reads_memory_order(monkeypatch):
    """Tensor.reshape of a view that is not contiguous reads its storage in memory order."""
    def reshape(self, *shape):
        if self.is_contiguous() or self.numel() == 0:
            return _RESHAPE(self, *shape)
        return _RESHAPE(self.as_strided((self.numel(),), (1,)), *shape)

    monkeypatch.setattr(torch.Tensor, "reshape", reshape)


# ------------------------------------------------------------ nn.conv-output-size
def _wrap_conv(monkeypatch, dims, change):
    """Replace F.conv<n>d for n in ``dims``: ``change(orig, input, weight, bias, args)`` may edit
    ``args`` (stride, padding, dilation, groups) and return None, or return a result."""
    for n in dims:
        def conv(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, _orig=_CONV[n]):
            args = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
            result = change(_orig, input, weight, bias, args)
            return result if result is not None else _orig(input, weight, bias, **args)

        monkeypatch.setattr(F, "conv%dd" % n, conv)


def _wrap_pool(monkeypatch, change):
    """Replace F.max_pool2d: ``change(input, args)`` may edit ``args`` or the input (returning
    None, or (input, None)), or return a result."""
    def pool(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
        args = dict(kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation,
                    ceil_mode=ceil_mode, return_indices=return_indices)
        result = change(input, args)
        if isinstance(result, tuple) and result[1] is None:
            input, result = result[0], None
        return result if result is not None else _MAX_POOL2D(input, **args)

    monkeypatch.setattr(F, "max_pool2d", pool)


@breakage
def conv2d_sizes_a_too_large_kernel_by_truncation(monkeypatch):
    """F.conv2d (so nn.Conv2d too) no longer checks a kernel larger than its padded input: it
    sizes the output with C's truncating division, int((W - F + 2P)/S) + 1, as 1.0.1 did."""
    def change(orig, x, w, b, args):
        if isinstance(args["padding"], str):
            return None
        pad, stride, dil = _pair(args["padding"]), _pair(args["stride"]), _pair(args["dilation"])
        floor, trunc = [], []
        for i in range(2):
            span = x.shape[-2 + i] + 2 * pad[i] - (dil[i] * (w.shape[2 + i] - 1) + 1)
            floor.append(span // stride[i] + 1)
            trunc.append(int(span / float(stride[i])) + 1)
        if min(floor) >= 1 or min(trunc) < 0:
            return None
        return torch.zeros(tuple(x.shape[:-3]) + (w.shape[0],) + tuple(trunc), dtype=x.dtype, device=x.device)

    _wrap_conv(monkeypatch, (2,), change)


@breakage
def max_pool2d_returns_empty_when_the_window_does_not_fit(monkeypatch):
    def change(x, args):
        k, p, d = _pair(args["kernel_size"]), _pair(args["padding"]), _pair(args["dilation"])
        s = _pair(args["stride"] or args["kernel_size"])
        sizes = [(x.shape[-2 + i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(2)]
        if args["ceil_mode"] or min(sizes) >= 1:
            return None
        return torch.zeros(tuple(x.shape[:-2]) + tuple(max(0, n) for n in sizes), dtype=x.dtype, device=x.device)

    _wrap_pool(monkeypatch, change)


@breakage
def conv2d_ignores_dilation(monkeypatch):
    _wrap_conv(monkeypatch, (2,), lambda orig, x, w, b, args: args.update(dilation=1))


@breakage
def max_pool2d_ignores_dilation(monkeypatch):
    _wrap_pool(monkeypatch, lambda x, args: args.update(dilation=1))


@breakage
def max_pool2d_ignores_ceil_mode(monkeypatch):
    _wrap_pool(monkeypatch, lambda x, args: args.update(ceil_mode=False))


@breakage
def conv1d_pads_one_more(monkeypatch):
    orig = torch.nn.Conv1d._conv_forward
    monkeypatch.setattr(torch.nn.Conv1d, "_conv_forward", lambda self, x, w, b: orig(self, F.pad(x, (1, 1)), w, b))


@breakage
def conv3d_pads_one_more(monkeypatch):
    orig = torch.nn.Conv3d._conv_forward
    monkeypatch.setattr(torch.nn.Conv3d, "_conv_forward", lambda self, x, w, b: orig(self, F.pad(x, (1,) * 6), w, b))


@breakage
def conv2d_swaps_height_and_width_padding(monkeypatch):
    """F.conv2d applies padding (ph, pw) as (pw, ph) (only visible when they differ)."""
    def change(orig, x, w, b, args):
        pad = args["padding"]
        if isinstance(pad, (tuple, list)) and len(pad) == 2:
            args["padding"] = (pad[1], pad[0])

    _wrap_conv(monkeypatch, (2,), change)


@breakage
def padding_same_means_valid(monkeypatch):
    """padding='same' pads nothing (as 'valid'), in F.conv1d/2d/3d and so in the modules."""
    def change(orig, x, w, b, args):
        if args["padding"] == "same":
            args["padding"] = "valid"

    _wrap_conv(monkeypatch, (1, 2, 3), change)


@breakage
def unbatched_conv_keeps_a_batch_dim(monkeypatch):
    """An unbatched input (no batch dim) gives an output with a batch dim of 1."""
    def change(orig, x, w, b, args):
        if x.dim() == w.dim() - 1:
            return orig(x, w, b, **args).unsqueeze(0)

    _wrap_conv(monkeypatch, (1, 2, 3), change)


# ------------------------------------------------------------ nn.net-flatten-size
@breakage
def pools_round_up_on_square_inputs(monkeypatch):
    """MaxPool2d rounds odd sizes up (ceil_mode) for square inputs."""
    def change(x, args):
        if x.shape[-1] == x.shape[-2]:
            args["ceil_mode"] = True

    _wrap_pool(monkeypatch, change)


@breakage
def max_pool2d_sizes_the_width_from_the_height(monkeypatch):
    """On a non-square input the pool sizes both sides from the smaller one."""
    def change(x, args):
        if x.shape[-1] == x.shape[-2]:
            return None
        m = min(x.shape[-2:])
        return x[..., :m, :m], None

    _wrap_pool(monkeypatch, change)
