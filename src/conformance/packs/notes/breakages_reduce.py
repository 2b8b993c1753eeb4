"""Breakages of the checks of the notes pack's reduce claims (see __init__).

Each one wraps torch.max (or Tensor.max, torch.argmax, torch.amax) and changes its answer only
for the calls of one public form or one kind of input, the way a regression in one kernel or
one argument-parsing path would; every other call gets the real result."""
import torch

from conformance.testing import breakage

_MAX, _TMAX, _MIN, _TMIN = torch.max, torch.Tensor.max, torch.min, torch.Tensor.min
_ARGMAX, _TARGMAX = torch.argmax, torch.Tensor.argmax


def _dim_of(args, kwargs):
    """The reduced dim of a torch.max(input, dim, ...) call (args without the input), or None."""
    if "dim" in kwargs:
        return kwargs["dim"]
    return args[0] if args and isinstance(args[0], int) and not isinstance(args[0], bool) else None


def _result(values, indices, out=None):
    if out is not None:
        out[0].resize_(values.shape).copy_(values)
        out[1].resize_(indices.shape).copy_(indices)
        values, indices = out
    return torch.return_types.max((values, indices))


def _wrap_max(monkeypatch, change, method=False):
    """Replace torch.max (or Tensor.max) by a wrapper: ``change(t, dim, args, kwargs)`` returns a
    replacement result, or None to keep the real one."""
    orig = _TMAX if method else _MAX

    def wrapper(*call_args, **kwargs):
        if method or "input" not in kwargs:
            t, args = call_args[0], call_args[1:]
        else:
            t, args = kwargs.pop("input"), call_args
        dim = _dim_of(args, kwargs)
        if dim is not None and isinstance(t, torch.Tensor) and -max(t.dim(), 1) <= dim < max(t.dim(), 1):
            changed = change(t, dim, args, kwargs)
            if changed is not None:
                return changed
        return orig(t, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor if method else torch, "max", wrapper)


def _last_among_ties(t, dim, args, kwargs):
    r = _MAX(t.flip(dim), *args, **kwargs)
    return torch.return_types.max((r[0], t.shape[dim] - 1 - r[1]))


def _keepdim(args, kwargs):
    return bool(kwargs.get("keepdim", args[1] if len(args) > 1 else False))


# ------------------------------------------------------------ reduce.max-dim0 / reduce.max-dim1
@breakage
def max_of_a_plain_matrix_returns_min(monkeypatch):
    """The note's form, torch.max(a, d) on a finite float32 matrix (no keywords, no grad),
    returns the minima."""
    def change(t, dim, args, kwargs):
        plain = (len(args) == 1 and not kwargs and dim >= 0 and t.dtype == torch.float32 and t.dim() == 2
                 and t.is_contiguous() and not t.requires_grad and bool(torch.isfinite(t).all()))
        return _MIN(t, dim) if plain else None

    _wrap_max(monkeypatch, change)


@breakage
def argmax_returns_the_min_index(monkeypatch):
    monkeypatch.setattr(torch, "argmax", lambda t, dim=None, keepdim=False: (
        torch.argmin(t, dim, keepdim) if dim is not None else _ARGMAX(t)))


@breakage
def amax_returns_amin(monkeypatch):
    monkeypatch.setattr(torch, "amax", lambda t, dim=(), keepdim=False, **kw: torch.amin(t, dim, keepdim, **kw))


@breakage
def tensor_max_returns_min(monkeypatch):
    """The method a.max(d) (positional or dim=) returns the minima; torch.max is right."""
    _wrap_max(monkeypatch, lambda t, dim, args, kwargs: _TMIN(t, *args, **kwargs), method=True)


@breakage
def max_dim_keyword_reduces_the_other_dim(monkeypatch):
    """torch.max(a, dim=d): the keyword is misread as the next dim (d + 1, wrapping)."""
    def change(t, dim, args, kwargs):
        if "dim" not in kwargs or t.dim() < 2:
            return None
        return _MAX(t, *args, **dict(kwargs, dim=(dim + 1) % t.dim()))

    _wrap_max(monkeypatch, change)


@breakage
def max_keepdim_ignored(monkeypatch):
    """keepdim=True (positional or keyword, function or method) is ignored."""
    def change(t, dim, args, kwargs):
        if not _keepdim(args, kwargs) or "out" in kwargs:
            return None
        return _MAX(t, dim)

    _wrap_max(monkeypatch, change)
    _wrap_max(monkeypatch, change, method=True)


@breakage
def max_out_leaves_the_out_tensors_alone(monkeypatch):
    """torch.max(a, d, out=(v, i)) returns fresh tensors and leaves v and i as they were."""
    def change(t, dim, args, kwargs):
        if "out" not in kwargs:
            return None
        rest = dict(kwargs)
        rest.pop("out")
        return _MAX(t, *args, **rest)

    _wrap_max(monkeypatch, change)


@breakage
def max_of_int64_goes_through_float64(monkeypatch):
    """int64 maxima computed in float64: values beyond 2**53 lose their last bits."""
    def change(t, dim, args, kwargs):
        if t.dtype != torch.int64:
            return None
        r = _MAX(t.double(), dim)
        return _result(r[0].long(), r[1])

    _wrap_max(monkeypatch, change)


@breakage
def max_of_float64_goes_through_float32(monkeypatch):
    def change(t, dim, args, kwargs):
        if t.dtype != torch.float64:
            return None
        r = _MAX(t.float(), dim)
        return _result(r[0].double(), r[1])

    _wrap_max(monkeypatch, change)


@breakage
def max_of_bool_returns_uint8(monkeypatch):
    def change(t, dim, args, kwargs):
        if t.dtype != torch.bool:
            return None
        r = _MAX(t, dim)
        return _result(r[0].to(torch.uint8), r[1])

    _wrap_max(monkeypatch, change)


@breakage
def max_ignores_nan(monkeypatch):
    """NaN is skipped (as fmax/nanmax would), not propagated."""
    def change(t, dim, args, kwargs):
        if not t.is_floating_point() or not bool(torch.isnan(t).any()):
            return None
        return _MAX(torch.where(torch.isnan(t), torch.full_like(t, float("-inf")), t), dim)

    _wrap_max(monkeypatch, change)


@breakage
def max_negative_dim_counts_from_the_front(monkeypatch):
    """A negative dim -k is read as k - 1 (so -1 is dim 0) instead of ndim - k."""
    def change(t, dim, args, kwargs):
        if dim >= 0 or -dim > t.dim():
            return None
        return _MAX(t, -dim - 1, *args[1:], **{k: v for k, v in kwargs.items() if k != "dim"})

    _wrap_max(monkeypatch, change)


@breakage
def max_of_3d_gives_zero_indices(monkeypatch):
    def change(t, dim, args, kwargs):
        if t.dim() < 3:
            return None
        r = _MAX(t, *args, **kwargs)
        return _result(r[0], torch.zeros_like(r[1]))

    _wrap_max(monkeypatch, change)


@breakage
def max_of_a_strided_view_reads_memory_order(monkeypatch):
    """A non-contiguous input is read as if it were laid out contiguously in its storage."""
    def change(t, dim, args, kwargs):
        if t.is_contiguous() or t.numel() == 0:
            return None
        strides, step = [], 1
        for n in reversed(t.shape):
            strides.insert(0, step)
            step *= n
        return _MAX(t.as_strided(t.shape, strides), *args, **kwargs)

    _wrap_max(monkeypatch, change)


@breakage
def max_of_an_empty_dim_returns_minus_inf(monkeypatch):
    """An empty reduced dim gives -inf and index 0 (as if max had an identity) instead of raising."""
    def change(t, dim, args, kwargs):
        if t.dim() == 0 or t.shape[dim] != 0:
            return None
        shape = [n for d, n in enumerate(t.shape) if d != dim % t.dim()]
        return _result(torch.full(shape, float("-inf"), dtype=t.dtype, device=t.device),
                       torch.zeros(shape, dtype=torch.int64, device=t.device))

    _wrap_max(monkeypatch, change)


@breakage
def max_with_grad_returns_the_min_indices(monkeypatch):
    """For a tensor that requires grad (a model's scores), the indices are those of the minima."""
    def change(t, dim, args, kwargs):
        if not t.requires_grad:
            return None
        r = _MAX(t, *args, **kwargs)
        return _result(r[0], _MIN(t.detach(), *args, **kwargs)[1])

    _wrap_max(monkeypatch, change)


# ------------------------------------------------------------ reduce.max-result-type
@breakage
def max_positional_call_returns_a_plain_tuple(monkeypatch):
    """torch.max(a, d) with positional arguments only gives a plain tuple."""
    _wrap_max(monkeypatch, lambda t, dim, args, kwargs: None if kwargs else tuple(_MAX(t, *args)))


@breakage
def tensor_max_returns_a_plain_tuple(monkeypatch):
    _wrap_max(monkeypatch, lambda t, dim, args, kwargs: tuple(_TMAX(t, *args, **kwargs)), method=True)


@breakage
def max_with_keywords_returns_a_plain_tuple(monkeypatch):
    """torch.max with dim= or keepdim= (not out=) gives a plain tuple."""
    def change(t, dim, args, kwargs):
        if "out" in kwargs or not (set(kwargs) & {"dim", "keepdim"}):
            return None
        return tuple(_MAX(t, *args, **kwargs))

    _wrap_max(monkeypatch, change)


@breakage
def max_out_returns_a_plain_tuple(monkeypatch):
    _wrap_max(monkeypatch, lambda t, dim, args, kwargs: tuple(_MAX(t, *args, **kwargs)) if "out" in kwargs else None)


# ------------------------------------------------------------ reduce.max-ties
@breakage
def max_ties_of_a_float_matrix_pick_the_last(monkeypatch):
    """torch.max(a, 1) on a contiguous float32 matrix (the note's form) picks the last tie."""
    def change(t, dim, args, kwargs):
        if kwargs or len(args) != 1 or dim != 1 or t.dtype != torch.float32 or t.dim() != 2 or not t.is_contiguous():
            return None
        return _last_among_ties(t, dim, args, kwargs)

    _wrap_max(monkeypatch, change)


@breakage
def integer_max_ties_pick_the_last(monkeypatch):
    """The integer (and bool) kernels pick the last tie; floating ones stay right."""
    _wrap_max(monkeypatch, lambda t, dim, args, kwargs: (
        None if t.is_floating_point() else _last_among_ties(t, dim, args, kwargs)))


@breakage
def max_ties_over_a_strided_dim_pick_the_last(monkeypatch):
    """Reductions over a dim that is not laid out contiguously (dim 0, the middle of a 3-D
    tensor, a transposed input) pick the last tie; innermost reductions stay right."""
    def change(t, dim, args, kwargs):
        if t.dim() < 2 or t.shape[dim] < 2 or t.stride(dim) == 1:
            return None
        return _last_among_ties(t, dim, args, kwargs)

    _wrap_max(monkeypatch, change)


@breakage
def max_of_signed_zeros_returns_positive_zero(monkeypatch):
    """The value of a maximum that is a zero comes back as +0.0, whichever zero was chosen."""
    def change(t, dim, args, kwargs):
        if not t.is_floating_point():
            return None
        r = _MAX(t, *args, **kwargs)
        return _result(torch.where(r[0] == 0, torch.zeros_like(r[0]), r[0]), r[1])

    _wrap_max(monkeypatch, change)


@breakage
def tensor_max_ties_pick_the_last(monkeypatch):
    _wrap_max(monkeypatch, lambda t, dim, args, kwargs: _last_among_ties(t, dim, args, kwargs), method=True)


@breakage
def argmax_ties_pick_the_last(monkeypatch):
    def last(t, dim=None, keepdim=False):
        if dim is None:
            return _ARGMAX(t)
        return t.shape[dim] - 1 - _ARGMAX(t.flip(dim), dim, keepdim)

    monkeypatch.setattr(torch, "argmax", last)
    monkeypatch.setattr(torch.Tensor, "argmax", last)


@breakage
def cuda_max_ties_pick_the_last(monkeypatch):
    """The CUDA kernel picks the last tie; the CPU stays right."""
    _wrap_max(monkeypatch, lambda t, dim, args, kwargs: (
        _last_among_ties(t, dim, args, kwargs) if t.is_cuda else None))
