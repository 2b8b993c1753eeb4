"""Breakages of the checks of the notes pack's variable claims (see __init__).

Each one is a realistic regression in one public form that its check probes, with the rest of
torch working. They run on the dev venv's torch (the newest release)."""
import functools
import inspect

import torch

from conformance.testing import breakage


def _wrap_variable(monkeypatch, change):
    """Replace torch.autograd.Variable by ``change(orig, data, args, kwargs)``."""
    orig = torch.autograd.Variable

    def variable(data, *args, **kwargs):
        return change(orig, data, args, kwargs)

    monkeypatch.setattr(torch.autograd, "Variable", variable)


def _data_descriptor():
    return _descriptor("data")


def _descriptor(name):
    for owner in ("TensorBase", "_TensorBase"):
        base = getattr(torch._C, owner, None)
        if base is not None and name in vars(base):
            return vars(base)[name]
    raise RuntimeError("no Tensor.%s descriptor found" % name)


# ------------------------------------------------------------------------ variable.wraps-tensor
@breakage
def grad_of_fresh_leaf_is_zeros(monkeypatch):
    """.grad of a leaf that requires grad reads zeros (not None) before any backward."""
    base = _descriptor("grad")

    def grad(self):
        value = base.__get__(self)
        if value is None and self.is_leaf and self.requires_grad:
            return torch.zeros_like(self)
        return value

    monkeypatch.setattr(torch.Tensor, "grad", property(grad, lambda self, value: base.__set__(self, value),
                                                       lambda self: base.__delete__(self)))


@breakage
def variable_ignores_positional_requires_grad(monkeypatch):
    """Variable(t, True): the positional flag is dropped (only the keyword is honoured)."""
    _wrap_variable(monkeypatch, lambda orig, data, args, kwargs: orig(data, **kwargs))


@breakage
def division_recorded_as_multiplication(monkeypatch):
    """v / number is computed as v * (1 / number): the graph says Mul, not Div."""
    orig = torch.Tensor.__truediv__

    def truediv(self, other):
        if isinstance(other, (int, float)):
            return self * (1.0 / other)
        return orig(self, other)

    monkeypatch.setattr(torch.Tensor, "__truediv__", truediv)


@breakage
def variable_casts_to_float32(monkeypatch):
    """Variable(t) of a float64 tensor comes back float32 (like the legacy torch.Tensor(t))."""
    def change(orig, data, args, kwargs):
        return orig(data.float() if data.dtype == torch.float64 else data, *args, **kwargs)

    _wrap_variable(monkeypatch, change)


@breakage
def variable_makes_scalars_one_dimensional(monkeypatch):
    """Variable(0-dim tensor) has shape (1,), as every Variable had in 0.3."""
    def change(orig, data, args, kwargs):
        return orig(data.reshape(1) if data.dim() == 0 else data, *args, **kwargs)

    _wrap_variable(monkeypatch, change)


@breakage
def variable_copies_its_tensor(monkeypatch):
    """Variable(t) wraps a copy of t: same values, shape and strides, separate storage."""
    def change(orig, data, args, kwargs):
        copy = torch.empty_strided(data.size(), data.stride(), dtype=data.dtype, device=data.device).copy_(data)
        return orig(copy, *args, **kwargs)

    _wrap_variable(monkeypatch, change)


@breakage
def variable_accepts_integer_grad(monkeypatch):
    """Variable(int tensor, requires_grad=True) silently gives an int tensor without grad."""
    def change(orig, data, args, kwargs):
        wants = kwargs.get("requires_grad", args[0] if args else False)
        if wants and not data.is_floating_point():
            return orig(data)
        return orig(data, *args, **kwargs)

    _wrap_variable(monkeypatch, change)


# ------------------------------------------------------------------------ variable.is-tensor
class _LegacyVariable(torch.Tensor):
    """What Variable(t) returned before 0.4: not a plain torch.Tensor."""


@breakage
def variable_returns_a_legacy_subclass(monkeypatch):
    """Variable(t) returns an instance of a Tensor subclass (a leaf sharing t's storage), not a torch.Tensor."""
    def call(cls, data, requires_grad=False, *args, **kwargs):
        return torch.Tensor._make_subclass(_LegacyVariable, data, requires_grad)

    monkeypatch.setattr(type(torch.autograd.Variable), "__call__", call)


@breakage
def variable_isinstance_rejects_plain_tensors(monkeypatch):
    """isinstance(t, Variable) falls back to the class check: plain tensors are not Variables."""
    meta = type(torch.autograd.Variable)
    monkeypatch.setattr(meta, "__instancecheck__", lambda cls, other: type.__instancecheck__(cls, other))


@breakage
def data_of_views_is_contiguous_copy(monkeypatch):
    """.data of a non-contiguous view is a contiguous copy (contiguous tensors still share)."""
    base = _data_descriptor()

    def data(self):
        d = base.__get__(self)
        return d if d.is_contiguous() else d.contiguous()

    monkeypatch.setattr(torch.Tensor, "data", property(data, lambda self, value: base.__set__(self, value)))


@breakage
def data_is_detach(monkeypatch):
    """.data is implemented as .detach(): it shares the version counter, so edits are seen."""
    base = _data_descriptor()
    monkeypatch.setattr(torch.Tensor, "data", property(lambda self: self.detach(),
                                                       lambda self, value: base.__set__(self, value)))


@breakage
def data_setter_ignored(monkeypatch):
    """v.data = t is accepted and does nothing."""
    base = _data_descriptor()
    monkeypatch.setattr(torch.Tensor, "data", property(lambda self: base.__get__(self), lambda self, value: None))


# ------------------------------------------------------------------------ variable.volatile
@breakage
def volatile_keyword_silently_dropped(monkeypatch):
    """Variable(t, volatile=True) drops the keyword without a word (and so never refuses)."""
    def change(orig, data, args, kwargs):
        if kwargs.get("volatile"):
            del kwargs["volatile"]
        return orig(data, *args, **kwargs)

    _wrap_variable(monkeypatch, change)


@breakage
def volatile_positional_silently_dropped(monkeypatch):
    """Variable(t, rg, volatile) drops the positional volatile without a word (and so never refuses)."""
    _wrap_variable(monkeypatch, lambda orig, data, args, kwargs: orig(data, *args[:1], **kwargs))


@breakage
def volatile_false_refused(monkeypatch):
    """volatile=False together with requires_grad=True is refused as if volatile were True."""
    def change(orig, data, args, kwargs):
        if "volatile" in kwargs and kwargs.get("requires_grad"):
            raise ValueError("Variable can't be volatile and require_grad at the same time!")
        return orig(data, *args, **kwargs)

    _wrap_variable(monkeypatch, change)


@breakage
def volatile_attribute_reports_no_grad(monkeypatch):
    """t.volatile reads 'not requires_grad', silently (setting it is ignored)."""
    monkeypatch.setattr(torch.Tensor, "volatile", property(lambda self: not self.requires_grad, lambda self, v: None),
                        raising=False)


@breakage
def volatile_tensors_poison_results(monkeypatch):
    """0.3's rule: a volatile input (not requiring grad) makes a product unrecorded whatever the other input."""
    def change(orig, data, args, kwargs):
        out = orig(data, *args, **kwargs)
        if kwargs.get("volatile") or (len(args) > 1 and args[1]):
            out._volatile_0_3 = True
        return out

    _wrap_variable(monkeypatch, change)
    mul = torch.Tensor.__mul__

    def poisoned(self, other):
        out = mul(self, other)
        if any(getattr(t, "_volatile_0_3", False) and not t.requires_grad for t in (self, other)):
            return out.detach()
        return out

    monkeypatch.setattr(torch.Tensor, "__mul__", poisoned)


# ------------------------------------------------------------------------ autograd.no-grad-inherited
@breakage
def no_grad_add_is_recorded(monkeypatch):
    """tensor + tensor ignores no_grad: a sum with an input that requires grad is recorded."""
    orig = torch.Tensor.__add__

    def add(self, other):
        if not torch.is_grad_enabled() and (self.requires_grad or getattr(other, "requires_grad", False)):
            with torch.enable_grad():
                return orig(self, other)
        return orig(self, other)

    monkeypatch.setattr(torch.Tensor, "__add__", add)


@breakage
def no_grad_decorator_returns_the_function(monkeypatch):
    """@torch.no_grad() on a plain function returns it undecorated (generators still wrapped)."""
    orig = torch.no_grad.__call__

    def call(self, func):
        return orig(self, func) if inspect.isgeneratorfunction(func) else func

    monkeypatch.setattr(torch.no_grad, "__call__", call)


@breakage
def no_grad_generator_body_runs_outside(monkeypatch):
    """@torch.no_grad() on a generator function covers only creating the generator (torch 1.0's way)."""
    orig = torch.no_grad.__call__

    def call(self, func):
        if not inspect.isgeneratorfunction(func):
            return orig(self, func)

        @functools.wraps(func)
        def create(*args, **kwargs):
            with torch.no_grad():
                return func(*args, **kwargs)

        return create

    monkeypatch.setattr(torch.no_grad, "__call__", call)


@breakage
def no_grad_exit_always_enables(monkeypatch):
    """Leaving a no_grad block switches grad on instead of restoring the mode it found."""
    def exit_(self, *exc):
        torch.set_grad_enabled(True)

    monkeypatch.setattr(torch.no_grad, "__exit__", exit_)


@breakage
def enable_grad_does_nothing(monkeypatch):
    """torch.enable_grad() (context manager and decorator) leaves grad mode as it is."""
    monkeypatch.setattr(torch.enable_grad, "__enter__", lambda self: None)
    monkeypatch.setattr(torch.enable_grad, "__exit__", lambda self, *exc: None)


@breakage
def set_grad_enabled_exit_enables(monkeypatch):
    """Leaving a `with torch.set_grad_enabled(...)` block switches grad on instead of restoring."""
    monkeypatch.setattr(torch.set_grad_enabled, "__exit__", lambda self, *exc: torch._C._set_grad_enabled(True))


@breakage
def inference_mode_is_no_grad(monkeypatch):
    """torch.inference_mode is an alias of no_grad: nothing recorded, but no inference tensors."""
    monkeypatch.setattr(torch, "inference_mode", lambda mode=True: torch.no_grad())


@breakage
def no_grad_add_detaches_the_leaf(monkeypatch):
    """An in-place add_ on a leaf under no_grad also switches its requires_grad off."""
    orig = torch.Tensor.add_

    def add_(self, *args, **kwargs):
        out = orig(self, *args, **kwargs)
        if not torch.is_grad_enabled() and self.is_leaf and self.requires_grad:
            self.requires_grad_(False)
        return out

    monkeypatch.setattr(torch.Tensor, "add_", add_)


@breakage
def no_grad_views_are_recorded(monkeypatch):
    """Indexing and slicing ignore no_grad: views taken under it are recorded (have a grad_fn)."""
    orig = torch.Tensor.__getitem__

    def getitem(self, index):
        if self.requires_grad and not torch.is_grad_enabled():
            with torch.enable_grad():
                return orig(self, index)
        return orig(self, index)

    monkeypatch.setattr(torch.Tensor, "__getitem__", getitem)

