"""Breakages of the checks of the notes pack's autograd claims (see __init__).

Each one is a regression confined to one public form or one region of a claim's reach (a
spelling, a dtype, a shape, repeated calls), everything else working: ``Tensor.backward``,
``torch.autograd.backward`` and ``torch.autograd.grad`` are patched separately (a patch of the
function form leaves the calls ``Tensor.backward`` makes through it alone where it says
"direct calls"), and the real function runs underneath.
"""
import sys

import torch

from conformance.testing import autograd_nodes

from conformance.testing import breakage

_TENSOR_BACKWARD = torch.Tensor.backward
_BACKWARD = torch.autograd.backward
_GRAD = torch.autograd.grad
_RETAIN_GRAD = torch.Tensor.retain_grad
_DETACH = torch.Tensor.detach
_DETACH_ = torch.Tensor.detach_
_TENSOR_BASE = getattr(torch._C, "TensorBase", None) or getattr(torch._C, "_TensorBase")

_METHOD_ARGS = ("gradient", "retain_graph", "create_graph", "inputs")
_BACKWARD_ARGS = ("tensors", "grad_tensors", "retain_graph", "create_graph", "grad_variables", "inputs")
_GRAD_ARGS = ("outputs", "inputs", "grad_outputs", "retain_graph", "create_graph", "only_inputs", "allow_unused")


def _as_tuple(tensors):
    return (tensors,) if isinstance(tensors, torch.Tensor) else tuple(tensors)


def _leaves(tensors):
    """The leaf tensors (AccumulateGrad nodes) reachable from ``tensors``' graphs."""
    found = []
    for t in _as_tuple(tensors):
        for node in autograd_nodes(t):
            if hasattr(node, "variable") and not any(node.variable is f for f in found):
                found.append(node.variable)
    return found


def _method(monkeypatch, change):
    """Tensor.backward through ``change(self, call, positional)`` first: ``call`` holds the four
    arguments by name (change may edit it), ``positional`` the names that came positionally."""

    def backward(self, *args, **kwargs):
        call = {"gradient": None, "retain_graph": None, "create_graph": False, "inputs": None}
        call.update(zip(_METHOD_ARGS, args))
        call.update(kwargs)
        change(self, call, _METHOD_ARGS[:len(args)])
        return _TENSOR_BACKWARD(self, **call)

    monkeypatch.setattr(torch.Tensor, "backward", backward)


def _function(monkeypatch, change, direct_only=False):
    """torch.autograd.backward through ``change(call, keywords)`` first (``keywords``: the names
    given as keywords). With ``direct_only`` the calls Tensor.backward makes are left alone."""

    def backward(*args, **kwargs):
        if direct_only and sys._getframe(1).f_code is _TENSOR_BACKWARD.__code__:
            return _BACKWARD(*args, **kwargs)
        call = dict(zip(_BACKWARD_ARGS, args))
        call.update(kwargs)
        change(call, set(kwargs))
        return _BACKWARD(**call)

    monkeypatch.setattr(torch.autograd, "backward", backward)


def _grad(monkeypatch, change=None, after=None):
    """torch.autograd.grad through ``change(call, keywords)`` before and ``after(call, result)``
    (returning the result to give back) after the real one."""

    def grad(*args, **kwargs):
        call = dict(zip(_GRAD_ARGS, args))
        call.update(kwargs)
        if change is not None:
            change(call, set(kwargs), _GRAD_ARGS[:len(args)])
        result = _GRAD(**call)
        return after(call, result) if after is not None else result

    monkeypatch.setattr(torch.autograd, "grad", grad)


def _seeds(call, scale):
    """Implicit gradients (ones) times ``scale`` for every output whose gradient is missing."""
    tensors = _as_tuple(call["tensors"])
    given = call.get("grad_tensors")
    given = [None] * len(tensors) if given is None else list(_as_tuple(given))
    return [torch.ones_like(t) * scale if g is None else g for t, g in zip(tensors, given)]


class _Seen:
    """Tensors seen before, by identity (held, so an id cannot be reused)."""

    def __init__(self):
        self.items = []

    def __contains__(self, t):
        return any(t is s for s in self.items)

    def add(self, t):
        if t not in self:
            self.items.append(t)


# --------------------------------------------------------------------- autograd.scalar-backward
@breakage
def backward_seed_halved_for_shape_1(monkeypatch):
    """backward() with no argument on a [1]-shaped output seeds 0.5 instead of 1."""
    def change(self, call, positional):
        if call["gradient"] is None and tuple(self.shape) == (1,):
            call["gradient"] = torch.ones_like(self) * 0.5

    _method(monkeypatch, change)


@breakage
def autograd_backward_seed_halved(monkeypatch):
    """torch.autograd.backward(Y), called directly with no gradient, seeds 0.5."""
    def change(call, keywords):
        call["grad_tensors"] = _seeds(call, 0.5)

    _function(monkeypatch, change, direct_only=True)


@breakage
def autograd_grad_seed_halved(monkeypatch):
    """torch.autograd.grad with no grad_outputs returns half the gradient."""
    def after(call, result):
        if call.get("grad_outputs") is None:
            return tuple(None if g is None else g * 0.5 for g in result)
        return result

    _grad(monkeypatch, after=after)


@breakage
def autograd_grad_adds_into_grad(monkeypatch):
    """torch.autograd.grad also accumulates what it returns into the inputs' .grad."""
    def after(call, result):
        for t, g in zip(_as_tuple(call["inputs"]), result):
            if g is not None:
                t.grad = g.detach().clone() if t.grad is None else t.grad + g.detach()
        return result

    _grad(monkeypatch, after=after)


@breakage
def implicit_gradient_only_for_shape_1(monkeypatch):
    """backward() with no argument accepts only outputs of shape [1] (0-dim, [1, 1] refused)."""
    def change(self, call, positional):
        if call["gradient"] is None and self.numel() == 1 and tuple(self.shape) != (1,):
            raise RuntimeError("grad can be implicitly created only for scalar outputs")

    _method(monkeypatch, change)


@breakage
def float64_grads_rounded_to_float32(monkeypatch):
    """Backward passes (Tensor.backward and torch.autograd.backward) round float64 .grad to float32."""
    def backward(*args, **kwargs):
        call = dict(zip(_BACKWARD_ARGS, args))
        call.update(kwargs)
        leaves = _leaves(call["tensors"])
        _BACKWARD(**call)
        for leaf in leaves:
            if leaf.grad is not None and leaf.grad.dtype == torch.float64:
                leaf.grad.copy_(leaf.grad.float().double())

    monkeypatch.setattr(torch.autograd, "backward", backward)


# --------------------------------------------------------------------- autograd.backward-all-leaves
@breakage
def backward_skips_zero_dim_leaves(monkeypatch):
    """Tensor.backward fills no .grad of 0-dim leaves."""
    def backward(self, *args, **kwargs):
        leaves = _leaves(self)
        _TENSOR_BACKWARD(self, *args, **kwargs)
        for leaf in leaves:
            if leaf.dim() == 0:
                leaf.grad = None

    monkeypatch.setattr(torch.Tensor, "backward", backward)


@breakage
def backward_skips_bias_parameters(monkeypatch):
    """Tensor.backward fills no .grad of 1-D nn.Parameters (a module's biases)."""
    def backward(self, *args, **kwargs):
        leaves = _leaves(self)
        _TENSOR_BACKWARD(self, *args, **kwargs)
        for leaf in leaves:
            if isinstance(leaf, torch.nn.Parameter) and leaf.dim() == 1:
                leaf.grad = None

    monkeypatch.setattr(torch.Tensor, "backward", backward)


@breakage
def backward_ignores_inputs(monkeypatch):
    """backward(inputs=...) (both forms) fills every leaf, as if inputs were not given."""
    def change(call, keywords):
        call.pop("inputs", None)

    _function(monkeypatch, change)


@breakage
def grad_gives_zeros_for_unused_inputs(monkeypatch):
    """torch.autograd.grad(allow_unused=True) gives zeros, not None, for unused inputs."""
    def after(call, result):
        return tuple(torch.zeros_like(t) if g is None else g for t, g in zip(_as_tuple(call["inputs"]), result))

    _grad(monkeypatch, after=after)


@breakage
def grad_allows_unused_inputs_silently(monkeypatch):
    """torch.autograd.grad treats every call as allow_unused=True (no error for unused inputs)."""
    def change(call, keywords, positional):
        call["allow_unused"] = True

    _grad(monkeypatch, change)


# --------------------------------------------------------------------- autograd.nonscalar-needs-gradient
def _implicit_for(monkeypatch, accept):
    def change(self, call, positional):
        if call["gradient"] is None and accept(self):
            call["gradient"] = torch.ones_like(self)

    _method(monkeypatch, change)


@breakage
def backward_accepts_1d_vectors(monkeypatch):
    """backward() with no argument seeds ones for 1-D outputs of several elements."""
    _implicit_for(monkeypatch, lambda t: t.dim() == 1 and t.numel() > 1)


@breakage
def backward_accepts_multi_dim_outputs(monkeypatch):
    """backward() with no argument seeds ones for outputs of 2 or more dims."""
    _implicit_for(monkeypatch, lambda t: t.dim() >= 2 and t.numel() > 1)


@breakage
def backward_treats_empty_outputs_as_scalars(monkeypatch):
    """backward() with no argument accepts outputs with no element."""
    _implicit_for(monkeypatch, lambda t: t.numel() == 0)


@breakage
def autograd_backward_accepts_vectors(monkeypatch):
    """torch.autograd.backward(y), called directly, seeds ones for any output."""
    def change(call, keywords):
        call["grad_tensors"] = _seeds(call, 1.0)

    _function(monkeypatch, change, direct_only=True)


@breakage
def autograd_grad_accepts_vectors(monkeypatch):
    """torch.autograd.grad with no grad_outputs seeds ones for any output."""
    def change(call, keywords, positional):
        if call.get("grad_outputs") is None:
            call["grad_outputs"] = [torch.ones_like(t) for t in _as_tuple(call["outputs"])]

    _grad(monkeypatch, change)


# --------------------------------------------------------------------- autograd.vector-backward-weights
@breakage
def backward_drops_a_positional_gradient(monkeypatch):
    """y.backward(v) with v given positionally uses ones instead of v."""
    def change(self, call, positional):
        if "gradient" in positional:
            call["gradient"] = torch.ones_like(self)

    _method(monkeypatch, change)


@breakage
def backward_ignores_the_gradient_keyword(monkeypatch):
    """y.backward(gradient=v) uses ones instead of v."""
    def change(self, call, positional):
        if call["gradient"] is not None and "gradient" not in positional:
            call["gradient"] = torch.ones_like(self)

    _method(monkeypatch, change)


@breakage
def autograd_backward_ignores_grad_tensors_keyword(monkeypatch):
    """torch.autograd.backward(y, grad_tensors=v) uses ones instead of v."""
    def change(call, keywords):
        if "grad_tensors" in keywords:
            call["grad_tensors"] = [torch.ones_like(t) for t in _as_tuple(call["tensors"])]

    _function(monkeypatch, change)


@breakage
def autograd_backward_pairs_gradients_in_reverse(monkeypatch):
    """torch.autograd.backward([y1, y2], [v1, v2]) pairs y1 with v2 and y2 with v1."""
    def change(call, keywords):
        tensors, grads = call["tensors"], call.get("grad_tensors")
        if not isinstance(tensors, torch.Tensor) and len(tensors) > 1 and grads is not None \
                and not isinstance(grads, torch.Tensor):
            call["grad_tensors"] = list(reversed(list(grads)))

    _function(monkeypatch, change)


@breakage
def autograd_grad_ignores_the_grad_outputs_keyword(monkeypatch):
    """torch.autograd.grad(y, x, grad_outputs=v) uses ones instead of v."""
    def change(call, keywords, positional):
        if "grad_outputs" in keywords and call["grad_outputs"] is not None:
            call["grad_outputs"] = [torch.ones_like(t) for t in _as_tuple(call["outputs"])]

    _grad(monkeypatch, change)


@breakage
def autograd_grad_ignores_a_positional_grad_outputs(monkeypatch):
    """torch.autograd.grad(y, x, v) with v given positionally uses ones instead of v."""
    def change(call, keywords, positional):
        if "grad_outputs" in positional and call["grad_outputs"] is not None:
            call["grad_outputs"] = [torch.ones_like(t) for t in _as_tuple(call["outputs"])]

    _grad(monkeypatch, change)


def _grad_tensors(monkeypatch, fix):
    """torch.autograd.backward (both forms) with each given gradient passed through ``fix(g, out)``."""
    def change(call, keywords):
        grads = call.get("grad_tensors")
        if grads is None:
            return
        single = isinstance(grads, torch.Tensor)
        outs = _as_tuple(call["tensors"])
        fixed = [g if g is None else fix(g, out) for g, out in zip(_as_tuple(grads), outs)]
        call["grad_tensors"] = fixed[0] if single else fixed

    _function(monkeypatch, change)


@breakage
def noncontiguous_gradient_read_as_contiguous(monkeypatch):
    """A non-contiguous gradient is read in memory order, its strides ignored."""
    def fix(g, out):
        if g.is_contiguous():
            return g
        strides, step = [], 1
        for size in reversed(g.shape):
            strides.insert(0, step)
            step *= size
        return torch.as_strided(g, g.shape, strides, g.storage_offset())

    _grad_tensors(monkeypatch, fix)


@breakage
def zero_dim_gradient_refused(monkeypatch):
    """A 0-dim gradient (for a 0-dim output) is refused as a shape mismatch."""
    def fix(g, out):
        if g.dim() == 0:
            raise RuntimeError("Mismatch in shape: grad_output[0] has a shape of torch.Size([]) (refused)")
        return g

    _grad_tensors(monkeypatch, fix)


@breakage
def backward_broadcasts_its_gradient(monkeypatch):
    """A gradient that broadcasts to the output's shape ([1] for [3]) is expanded, not refused."""
    def fix(g, out):
        if g.shape != out.shape:
            try:
                return g.expand_as(out)
            except RuntimeError:
                return g
        return g

    _grad_tensors(monkeypatch, fix)


@breakage
def gradient_of_another_dtype_refused(monkeypatch):
    """A gradient whose dtype differs from the output's is refused (as torch 1.0 did)."""
    def fix(g, out):
        if g.dtype != out.dtype:
            raise RuntimeError("invalid gradient: expected type %s but got %s (refused)" % (out.dtype, g.dtype))
        return g

    _grad_tensors(monkeypatch, fix)


# --------------------------------------------------------------------- autograd.grads-accumulate
def _clear(leaves):
    for leaf in leaves:
        leaf.grad = None


@breakage
def backward_of_a_new_graph_overwrites_grads(monkeypatch):
    """Tensor.backward of an output not backpropagated before replaces .grad instead of adding."""
    seen = _Seen()

    def change(self, call, positional):
        if self not in seen:
            _clear(_leaves(self))
            seen.add(self)

    _method(monkeypatch, change)


@breakage
def backward_of_a_used_graph_overwrites_grads(monkeypatch):
    """Tensor.backward of an output backpropagated before (a retained graph) replaces .grad."""
    seen = _Seen()

    def change(self, call, positional):
        if self in seen:
            _clear(_leaves(self))
        seen.add(self)

    _method(monkeypatch, change)


@breakage
def autograd_backward_overwrites_grads(monkeypatch):
    """torch.autograd.backward, called directly, replaces .grad instead of adding."""
    def change(call, keywords):
        _clear(_leaves(call["tensors"]))

    _function(monkeypatch, change, direct_only=True)


@breakage
def float64_grads_accumulated_in_float32(monkeypatch):
    """Adding into a float64 .grad happens in float32 (both backward forms)."""
    def backward(*args, **kwargs):
        call = dict(zip(_BACKWARD_ARGS, args))
        call.update(kwargs)
        leaves = _leaves(call["tensors"])
        before = [None if leaf.grad is None else leaf.grad.clone() for leaf in leaves]
        _BACKWARD(**call)
        for leaf, old in zip(leaves, before):
            if old is not None and old.dtype == torch.float64 and leaf.grad is not None:
                leaf.grad.copy_((old.float() + (leaf.grad - old).float()).double())

    monkeypatch.setattr(torch.autograd, "backward", backward)


@breakage
def retain_grad_keeps_only_the_last_pass(monkeypatch):
    """A non-leaf's retained .grad is replaced by each pass, not added to."""
    def retain_grad(self):
        def forget(grad):
            if self.grad is not None:
                self.grad.zero_()

        self.register_hook(forget)
        _RETAIN_GRAD(self)

    monkeypatch.setattr(torch.Tensor, "retain_grad", retain_grad)


@breakage
def backward_keeps_the_outputs_grad(monkeypatch):
    """Tensor.backward also keeps the gradient of the (non-leaf) tensor it is called on."""
    def change(self, call, positional):
        if not self.is_leaf:
            self.retain_grad()

    _method(monkeypatch, change)


# --------------------------------------------------------------------- autograd.detach-blocks-gradient
@breakage
def detach_is_identity_on_float32_matrices(monkeypatch):
    """detach() returns a 2-D float32 tensor itself, still in the graph."""
    def detach(self):
        return self if (self.dim() == 2 and self.dtype == torch.float32) else _DETACH(self)

    monkeypatch.setattr(torch.Tensor, "detach", detach)


@breakage
def detach_is_identity_on_float64(monkeypatch):
    """detach() returns a float64 tensor itself, still in the graph."""
    monkeypatch.setattr(torch.Tensor, "detach", lambda self: self if self.dtype == torch.float64 else _DETACH(self))


@breakage
def detach_copies_the_data(monkeypatch):
    """detach() returns a copy: new memory, its own version counter."""
    monkeypatch.setattr(torch.Tensor, "detach", lambda self: _DETACH(self).clone())


def _data(monkeypatch, get):
    base = _TENSOR_BASE.data
    monkeypatch.setattr(torch.Tensor, "data", property(lambda self: get(self, base.__get__(self)),
                                                       lambda self, value: base.__set__(self, value)))


@breakage
def data_keeps_the_graph(monkeypatch):
    """.data returns the tensor itself, still in the graph."""
    _data(monkeypatch, lambda self, data: self)


@breakage
def data_shares_the_version_counter(monkeypatch):
    """.data behaves like detach(): an in-place change through it is counted by autograd."""
    _data(monkeypatch, lambda self, data: _DETACH(self))


# --------------------------------------------------------------------- autograd.detach-inplace
def _detach_inplace(monkeypatch, skip):
    monkeypatch.setattr(torch.Tensor, "detach_", lambda self: self if skip(self) else _DETACH_(self))


@breakage
def detach_inplace_does_nothing_on_matrices(monkeypatch):
    """detach_() on a 2-D tensor that is not a view leaves it in the graph."""
    _detach_inplace(monkeypatch, lambda t: t.dim() == 2 and t._base is None)


@breakage
def detach_inplace_allowed_on_views(monkeypatch):
    """detach_() on a view returns it unchanged instead of raising."""
    _detach_inplace(monkeypatch, lambda t: t._base is not None)


@breakage
def detach_inplace_skips_leaves(monkeypatch):
    """detach_() on a leaf (not a view) does nothing: it keeps requiring grad."""
    _detach_inplace(monkeypatch, lambda t: t.is_leaf and t._base is None)


@breakage
def detach_inplace_moves_the_data(monkeypatch):
    """detach_() leaves the tensor on a copy of its data (new memory)."""
    def detach_(self):
        _DETACH_(self)
        self.data = self.data.clone()
        return self

    monkeypatch.setattr(torch.Tensor, "detach_", detach_)


# --------------------------------------------------------------------- autograd.double-backward-error
def _retain_when(monkeypatch, when):
    def change(self, call, positional):
        if when(self, call):
            call["retain_graph"] = True

    _method(monkeypatch, change)


@breakage
def backward_keeps_float32_graphs(monkeypatch):
    """Tensor.backward keeps float32 graphs by default (as if retain_graph=True)."""
    _retain_when(monkeypatch, lambda self, call: call["retain_graph"] is None and self.dtype == torch.float32)


@breakage
def backward_keeps_float64_graphs(monkeypatch):
    """Tensor.backward keeps float64 graphs by default (as if retain_graph=True)."""
    _retain_when(monkeypatch, lambda self, call: call["retain_graph"] is None and self.dtype == torch.float64)


@breakage
def explicit_retain_false_keeps_the_graph(monkeypatch):
    """backward(retain_graph=False) keeps the graph anyway."""
    _retain_when(monkeypatch, lambda self, call: call["retain_graph"] is False)


@breakage
def double_backward_error_without_its_hint(monkeypatch):
    """The second-backward error keeps only its first sentence (no 'retain_graph=True' hint)."""
    def backward(self, *args, **kwargs):
        try:
            return _TENSOR_BACKWARD(self, *args, **kwargs)
        except RuntimeError as err:
            text = str(err)
            if "second time" not in text:
                raise
            raise RuntimeError(text.split(". ")[0] + ".")

    monkeypatch.setattr(torch.Tensor, "backward", backward)


@breakage
def second_backward_always_refused(monkeypatch):
    """A second Tensor.backward of an output is refused even when its graph freed nothing."""
    seen = _Seen()

    def change(self, call, positional):
        if self in seen:
            raise RuntimeError("Trying to backward through the graph a second time (refused)")
        if not call["retain_graph"]:
            seen.add(self)

    _method(monkeypatch, change)


@breakage
def autograd_backward_keeps_graphs(monkeypatch):
    """torch.autograd.backward, called directly, always keeps the graph."""
    def change(call, keywords):
        call["retain_graph"] = True

    _function(monkeypatch, change, direct_only=True)


@breakage
def autograd_grad_keeps_graphs(monkeypatch):
    """torch.autograd.grad always keeps the graph."""
    def change(call, keywords, positional):
        call["retain_graph"] = True

    _grad(monkeypatch, change)


# --------------------------------------------------------------------- autograd.retain-graph
@breakage
def backward_frees_float32_graphs_despite_retain(monkeypatch):
    """Tensor.backward(retain_graph=True) frees a float32 graph anyway."""
    def change(self, call, positional):
        if call["retain_graph"] and self.dtype == torch.float32:
            call["retain_graph"] = False

    _method(monkeypatch, change)


@breakage
def retain_graph_honoured_once(monkeypatch):
    """retain_graph=True keeps an output's graph for one more backward only: the second
    retained call of the same output frees it."""
    seen = _Seen()

    def change(self, call, positional):
        if call["retain_graph"]:
            if self in seen:
                call["retain_graph"] = False
            seen.add(self)

    _method(monkeypatch, change)


@breakage
def graph_kept_after_a_retained_call(monkeypatch):
    """Once an output was backpropagated with retain_graph=True, its graph is never freed."""
    seen = _Seen()

    def change(self, call, positional):
        if self in seen:
            call["retain_graph"] = True
        if call["retain_graph"]:
            seen.add(self)

    _method(monkeypatch, change)


@breakage
def backward_ignores_a_positional_retain_graph(monkeypatch):
    """backward(None, True): retain_graph given positionally is ignored."""
    def change(self, call, positional):
        if "retain_graph" in positional:
            call["retain_graph"] = None

    _method(monkeypatch, change)


@breakage
def autograd_backward_ignores_retain_graph(monkeypatch):
    """torch.autograd.backward(..., retain_graph=True), called directly, frees the graph anyway."""
    def change(call, keywords):
        if call.get("retain_graph"):
            call["retain_graph"] = False

    _function(monkeypatch, change, direct_only=True)


@breakage
def autograd_grad_ignores_retain_graph(monkeypatch):
    """torch.autograd.grad(..., retain_graph=True) frees the graph anyway."""
    def change(call, keywords, positional):
        if call.get("retain_graph"):
            call["retain_graph"] = False

    _grad(monkeypatch, change)


# --------------------------------------------------------------------- autograd.retain-graph-default
@breakage
def autograd_grad_create_graph_frees(monkeypatch):
    """torch.autograd.grad(create_graph=True) frees the graph (retain_graph no longer follows it)."""
    def change(call, keywords, positional):
        if call.get("retain_graph") is None:
            call["retain_graph"] = False

    _grad(monkeypatch, change)


@breakage
def autograd_backward_create_graph_frees(monkeypatch):
    """torch.autograd.backward(create_graph=True), called directly, frees the graph."""
    def change(call, keywords):
        if call.get("retain_graph") is None:
            call["retain_graph"] = False

    _function(monkeypatch, change, direct_only=True)


@breakage
def create_graph_builds_no_graph(monkeypatch):
    """Tensor.backward(create_graph=True) keeps the graph but builds none for the gradient."""
    def change(self, call, positional):
        if call["create_graph"]:
            call["create_graph"] = False
            if call["retain_graph"] is None:
                call["retain_graph"] = True

    _method(monkeypatch, change)


# --------------------------------------------------------------------- autograd.retain-variables
@breakage
def autograd_backward_accepts_retain_variables(monkeypatch):
    """torch.autograd.backward takes retain_variables= again, as retain_graph."""
    def backward(*args, **kwargs):
        if "retain_variables" in kwargs:
            kwargs["retain_graph"] = kwargs.pop("retain_variables")
        return _BACKWARD(*args, **kwargs)

    monkeypatch.setattr(torch.autograd, "backward", backward)


@breakage
def autograd_grad_accepts_retain_variables(monkeypatch):
    """torch.autograd.grad takes retain_variables= (as retain_graph)."""
    def grad(*args, **kwargs):
        if "retain_variables" in kwargs:
            kwargs["retain_graph"] = kwargs.pop("retain_variables")
        return _GRAD(*args, **kwargs)

    monkeypatch.setattr(torch.autograd, "grad", grad)


# --------------------------------------------------------------------- autograd.two-losses
@breakage
def autograd_backward_uses_the_first_output_only(monkeypatch):
    """torch.autograd.backward([loss1, loss2]) backpropagates loss1 only."""
    def change(call, keywords):
        tensors = call["tensors"]
        if not isinstance(tensors, torch.Tensor) and len(tensors) > 1:
            call["tensors"] = tensors[:1]
            grads = call.get("grad_tensors")
            if grads is not None and not isinstance(grads, torch.Tensor):
                call["grad_tensors"] = list(grads)[:1]

    _function(monkeypatch, change)
