"""Variable, the volatile flag and torch.no_grad (notes §1, §5, §14).

The notes were written when autograd lived in a Variable class wrapped around a Tensor. These
specs check what each of those statements means on the torch under test, in every public form
the statements cover: Variable(t, ...) with positional and keyword arguments, several dtypes and
shapes, .data on views and after in-place edits, .data against .detach(); the volatile flag
positional, keyword and as an attribute; torch.no_grad as a context manager, a decorator (also
of a generator function), nested with enable_grad / set_grad_enabled, torch.inference_mode, and
in-place updates under no_grad. Torch attributes are looked up at call time
(``torch.autograd.Variable``, ``torch.no_grad``), so a patched torch is what gets checked.
"""
import contextlib
import re
import warnings

import torch

from conformance.testing import autograd_nodes, spec

# Exactly representable in float64 but not in float32: a cast to float32 shows.
FULL_PRECISION = [0.1, 1.0 / 3.0, 1.0 + 2.0 ** -52]


def _variable(*args, **kwargs):
    return torch.autograd.Variable(*args, **kwargs)


def _quiet_variable(*args, **kwargs):
    """Variable(...) with its volatile warning silenced (checked by the specs that are about it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.autograd.Variable(*args, **kwargs)


def _op_name(tensor):
    """The operation word of a grad_fn class name ('MulBackward0' -> 'Mul'), or None."""
    fn = tensor.grad_fn
    if fn is None:
        return None
    m = re.match(r"[A-Z][a-z]*", type(fn).__name__)
    return m.group(0) if m else type(fn).__name__


def _volatile_warnings(caught):
    return [w for w in caught if "volatile" in str(w.message)]


@contextlib.contextmanager
def _grad_mode_restored():
    """Whatever a spec does to the global grad mode, the next spec starts with it as it was."""
    prev = torch.is_grad_enabled()
    try:
        yield
    finally:
        torch.set_grad_enabled(prev)


def _decorate(claim, decorator, fn, what):
    """``decorator(fn)``; a decorator that cannot decorate (TypeError) is a failed check."""
    try:
        return decorator(fn)
    except TypeError as exc:
        claim.fail(what, error="%s: %s" % (type(exc).__name__, exc))


# ------------------------------------------------------------------------ variable.wraps-tensor
@spec("variable.wraps-tensor")
def test_variable_exposes_data_grad_fn_and_grad(claim, device):
    """§1, §14: wrapping a tensor gives it autograd. .data holds its values, a result's .grad_fn
    names the operation that produced it, and .grad is filled by backward."""
    t = torch.tensor([1.0, 2.0, 3.0], device=device)
    v = torch.autograd.Variable(t, requires_grad=True)
    claim.observe("type", "%s.%s" % (type(v).__module__, type(v).__name__))
    claim.is_instance(v, torch.Tensor, "Variable(t) is usable as a tensor")
    claim.equal(v.data.tolist(), t.tolist(), ".data holds the wrapped values")
    claim.is_none(v.grad_fn, "a leaf has no grad_fn")

    y = v * 3
    name = claim.observe("grad_fn", type(y.grad_fn).__name__ if y.grad_fn is not None else None)
    claim.is_not_none(name, "a result of an operation has a grad_fn")
    claim.matches(name, r"^Mul", "grad_fn names the producing op")
    claim.is_none(v.grad, ".grad is empty before backward")
    y.sum().backward()
    claim.close(v.grad, torch.full((3,), 3.0), ".grad after backward of sum(3*v)")


@spec("variable.wraps-tensor")
def test_variable_requires_grad_positional_keyword_and_default(claim, device):
    """§1: Variable(t, requires_grad=True) as the note writes it, the same flag passed
    positionally (Variable(t, True)), and the default (no flag: nothing is recorded)."""
    t = torch.tensor([1.0, 2.0], device=device)
    forms = {
        "keyword": _variable(t, requires_grad=True),
        "positional": _variable(t, True),
        "keyword_false": _variable(t, requires_grad=False),
        "default": _variable(t),
    }
    flags = claim.observe("requires_grad", {k: v.requires_grad for k, v in forms.items()})
    claim.equal(flags, {"keyword": True, "positional": True, "keyword_false": False, "default": False},
                "requires_grad of Variable(t, requires_grad=True), Variable(t, True), requires_grad=False, and no flag")
    recorded = {k: (v * 2).grad_fn is not None for k, v in forms.items()}
    claim.equal(recorded, {"keyword": True, "positional": True, "keyword_false": False, "default": False},
                "results of each form are recorded (have a grad_fn) exactly when it requires grad")
    claim.equal({k: v.is_leaf for k, v in forms.items()}, dict.fromkeys(forms, True), "every form is a leaf")
    pos = forms["positional"]
    (pos * 2).sum().backward()
    claim.close(pos.grad, torch.full((2,), 2.0), ".grad of Variable(t, True) after backward of sum(2*v)")
    late = forms["default"].requires_grad_()
    (late * 5).sum().backward()
    claim.close(late.grad, torch.full((2,), 5.0), ".grad of Variable(t) after requires_grad_()")


@spec("variable.wraps-tensor")
def test_grad_fn_names_the_operation_in_every_spelling(claim, device):
    """§1: grad_fn tells how a Variable was made (by adding, subtracting, multiplying or
    dividing), whether the op is written as an operator, a method or a torch function; it
    links back to the leaf it came from."""
    v = torch.autograd.Variable(torch.tensor([1.0, 2.0, 4.0], device=device), requires_grad=True)
    results = {
        "v + 1": v + 1, "v.add(1)": v.add(1), "torch.add(v, 1)": torch.add(v, 1), "v + v": v + v,
        "v - 1": v - 1, "v.sub(1)": v.sub(1), "torch.sub(v, 1)": torch.sub(v, 1),
        "v * 2": v * 2, "v.mul(2)": v.mul(2), "torch.mul(v, 2)": torch.mul(v, 2), "v * v": v * v,
        "v / 2": v / 2, "v.div(2)": v.div(2), "torch.div(v, 2)": torch.div(v, 2), "v / v": v / v,
    }
    claim.observe("grad_fn", {k: type(y.grad_fn).__name__ for k, y in results.items()})
    wanted = {k: ("Add" if "+" in k or "add" in k else "Sub" if "-" in k or "sub" in k
                  else "Mul" if "*" in k or "mul" in k else "Div") for k in results}
    claim.equal({k: _op_name(y) for k, y in results.items()}, wanted, "the operation grad_fn names, per spelling")
    fn = results["v * 2"].grad_fn
    claim.is_not_none(fn, "v * 2 has a grad_fn")
    leaves = [getattr(node, "variable", None) for node, _ in fn.next_functions if node is not None]
    claim.holds(any(leaf is v for leaf in leaves), "grad_fn.next_functions leads to the wrapped leaf (AccumulateGrad.variable)",
                next_functions=[type(node).__name__ for node, _ in fn.next_functions])
    results["v / 2"].sum().backward()
    claim.close(v.grad, torch.full((3,), 0.5), ".grad after backward of sum(v / 2)")


@spec("variable.wraps-tensor")
def test_variable_keeps_the_dtype_and_full_precision(claim, device):
    """§1: .data holds the wrapped values: a float64 tensor stays float64 to the last bit, and so
    does its gradient; float32 stays float32."""
    for dtype in (torch.float64, torch.float32):
        t = torch.tensor(FULL_PRECISION, dtype=dtype, device=device)
        v = torch.autograd.Variable(t, requires_grad=True)
        name = str(dtype).replace("torch.", "")
        claim.observe("dtype_" + name, str(v.dtype))
        claim.equal(v.dtype, dtype, "Variable(t) keeps the dtype of a %s tensor" % name)
        claim.equal(v.data.tolist(), t.tolist(), ".data of a %s Variable holds the values bit for bit" % name)
        (v * 3).sum().backward()
        claim.equal(v.grad.dtype, dtype, ".grad of a %s Variable is %s" % (name, name))
        claim.equal(v.grad.tolist(), [3.0] * 3, ".grad of sum(3*v) for a %s Variable" % name)


@spec("variable.wraps-tensor")
def test_variable_keeps_every_shape(claim, device):
    """§1, §14: wrapping keeps the tensor as it is: a 0-dim scalar stays 0-dim (in 0.3 every
    Variable had at least one dimension), empty and 3-D tensors keep their shape, a
    non-contiguous tensor keeps its strides; the gradient has the same shape."""
    base = torch.arange(6.0, device=device)
    cases = {
        "0-dim": torch.tensor(2.5, device=device),
        "empty": torch.zeros(0, device=device),
        "empty_2x0": torch.zeros(2, 0, device=device),
        "3-D": torch.arange(24.0, device=device).reshape(2, 3, 4),
        "transposed": base.reshape(2, 3).t(),
        "step_slice": base[::2],
    }
    seen = {}
    for name, t in cases.items():
        v = torch.autograd.Variable(t, requires_grad=True)
        seen[name] = {"shape": list(v.shape), "stride": list(v.stride())}
        claim.equal(tuple(v.shape), tuple(t.shape), "Variable(t) keeps the shape of a %s tensor" % name)
        claim.equal(v.stride(), t.stride(), "Variable(t) keeps the strides of a %s tensor" % name)
        claim.equal(v.data.tolist(), t.tolist(), ".data of a %s Variable holds its values" % name)
        (v * v).sum().backward()
        claim.equal(tuple(v.grad.shape), tuple(t.shape), ".grad of a %s Variable has its shape" % name)
        claim.close(v.grad, 2 * t, ".grad of sum(v*v) for a %s Variable" % name)
    claim.observe("shapes", seen)


@spec("variable.wraps-tensor")
def test_variable_shares_the_wrapped_tensor(claim, device):
    """§14: Variable(t) wraps t rather than copying it: the two share storage, a write to t
    shows through the Variable, and t itself is left as it was (it does not start requiring
    grad)."""
    t = torch.zeros(3, device=device)
    v = torch.autograd.Variable(t, requires_grad=True)
    claim.observe("shares_storage", v.data_ptr() == t.data_ptr())
    claim.equal(v.data_ptr(), t.data_ptr(), "Variable(t) shares t's storage (data_ptr)")
    claim.equal(v is t, False, "Variable(t) is a new object")
    claim.equal(t.requires_grad, False, "wrapping t does not make t require grad")
    t[1] = 5.0
    claim.equal(v.tolist(), [0.0, 5.0, 0.0], "a write to t shows through Variable(t)")
    with torch.no_grad():
        v[2] = 7.0
    claim.equal(t.tolist(), [0.0, 5.0, 7.0], "a write to Variable(t) under no_grad shows in t")


@spec("variable.wraps-tensor")
def test_variable_refuses_grad_for_integer_tensors(claim, device):
    """§1: only floating-point values can require grad: Variable(int tensor, requires_grad=True)
    is refused; without the flag an integer tensor wraps as it is."""
    ints = torch.arange(3, device=device)
    with claim.raises(RuntimeError, match=r"floating point", record="integer_requires_grad_error"):
        torch.autograd.Variable(ints, requires_grad=True)
    v = torch.autograd.Variable(ints)
    claim.equal((v.dtype, v.requires_grad, v.tolist()), (torch.int64, False, [0, 1, 2]),
                "Variable(int tensor) keeps dtype and values and does not require grad")


# ------------------------------------------------------------------------ variable.is-tensor
@spec("variable.is-tensor")
def test_variable_is_a_tensor_and_data_shares_storage(claim, device):
    """§14: the note pictures Variable as a wrapper from which .data takes the tensor out.
    Today Variable(t) is itself a Tensor; .data is a tensor sharing its storage, cut off
    from autograd."""
    v = torch.autograd.Variable(torch.arange(4.0, device=device), requires_grad=True)
    is_tensor = claim.observe("isinstance_tensor", isinstance(v, torch.Tensor))
    claim.equal(is_tensor, True, "Variable(t) is a torch.Tensor (isinstance)")
    claim.equal("%s.%s" % (type(v).__module__, type(v).__name__), "torch.Tensor",
                "Variable(t) returns a plain torch.Tensor (its class)")
    data = v.data
    claim.observe("data_shares_storage", data.data_ptr() == v.data_ptr())
    claim.equal(data.data_ptr(), v.data_ptr(), ".data shares storage with the variable (data_ptr of .data vs the variable's)")
    claim.observe("data_requires_grad", data.requires_grad)
    claim.equal(data.requires_grad, False, ".data does not require grad")
    data[0] = 10.0  # a write through .data is visible in the variable and invisible to autograd
    claim.equal(v[0].item(), 10.0, "a write through .data shows in the variable")


@spec("variable.is-tensor")
def test_every_tensor_is_a_variable(claim, device):
    """§14: there is one type both ways: every tensor (plain, integer, the result of an op) is
    an instance of torch.autograd.Variable, and things that are not tensors are not."""
    V = torch.autograd.Variable
    tensors = {
        "plain": torch.ones(2, device=device),
        "int64": torch.arange(3, device=device),
        "result": torch.ones(2, device=device, requires_grad=True) * 2,
        "Variable(t)": V(torch.ones(1, device=device)),
    }
    seen = claim.observe("isinstance_variable", {k: isinstance(t, V) for k, t in tensors.items()})
    claim.equal(seen, dict.fromkeys(tensors, True), "isinstance(tensor, Variable) for every kind of tensor")
    others = {"float": 1.0, "list": [1.0], "None": None}
    claim.equal({k: isinstance(o, V) for k, o in others.items()}, dict.fromkeys(others, False),
                "isinstance(non-tensor, Variable)")


@spec("variable.is-tensor")
def test_data_of_views_shares_storage(claim, device):
    """§14: .data of a view (a slice, a slice with a step, a transpose, an index) is the same
    memory as the view, with the same shape, strides and offset, and a write through it shows
    in the variable the view was taken from."""
    v = torch.autograd.Variable(torch.arange(12.0, device=device).reshape(3, 4), requires_grad=True)
    views = {"rows": lambda: v[1:], "step": lambda: v[:, ::2], "transpose": lambda: v.t(),
             "index": lambda: v[2], "column": lambda: v[:, 3]}
    seen = {}
    for name, make in views.items():
        view = make()
        data = view.data
        seen[name] = [data.data_ptr() == view.data_ptr(), list(data.stride()), data.storage_offset()]
        claim.equal((data.data_ptr(), tuple(data.shape), data.stride(), data.storage_offset()),
                    (view.data_ptr(), tuple(view.shape), view.stride(), view.storage_offset()),
                    ".data of the %s view: (data_ptr, shape, strides, offset) as the view's" % name)
    claim.observe("views", seen)
    v.t().data[3, 0] = -1.0  # row 0, column 3 of v
    v[:, ::2].data[2, 1] = -2.0  # row 2, column 2 of v
    claim.equal((v[0, 3].item(), v[2, 2].item()), (-1.0, -2.0), "writes through .data of views show in the variable")


@spec("variable.is-tensor")
def test_data_versus_detach(claim, device):
    """§14: .data and .detach() both give the values without autograd, sharing storage (a .data
    taken earlier sees later in-place edits of the variable); but an in-place edit through .data
    is hidden from autograd (no version bump: backward runs with the edited values), while one
    through .detach() is seen (backward refuses)."""
    a = torch.autograd.Variable(torch.ones(3, device=device), requires_grad=True)
    d = a.detach()
    claim.equal((d.data_ptr() == a.data_ptr(), d.requires_grad, d is a), (True, False, False),
                ".detach(): shares storage, does not require grad, a new object")
    y = a * a  # saves a for backward
    before = a._version
    a.data.mul_(3)
    after = a._version
    claim.observe("version_after_data_edit", [before, after])
    try:
        y.sum().backward()
    except RuntimeError as exc:
        claim.fail("backward after an in-place edit through .data runs (autograd does not see the edit)",
                   error=str(exc)[:200])
    claim.equal(after, before, "an in-place edit through .data leaves the version counter")
    claim.close(a.grad, torch.full((3,), 6.0), "backward uses the edited values: d(a*a)/da = 2*3")

    snapshot = a.data  # taken before an in-place edit of the variable itself
    with torch.no_grad():
        a.add_(1)
    claim.equal((snapshot.tolist(), snapshot.data_ptr() == a.data_ptr()), ([4.0] * 3, True),
                "a .data taken earlier sees a later in-place edit of the variable (values, same storage)")

    b = torch.autograd.Variable(torch.ones(3, device=device), requires_grad=True)
    z = b * b
    before = b._version
    b.detach().mul_(3)
    claim.observe("version_after_detach_edit", [before, b._version])
    claim.equal(b._version, before + 1, "an in-place edit through .detach() bumps the version counter")
    with claim.raises(RuntimeError, match=r"modified by an inplace operation", record="backward_after_detach_edit"):
        z.sum().backward()


@spec("variable.is-tensor")
def test_assigning_data_replaces_the_values(claim, device):
    """§14: .data can also be assigned: v.data = t swaps in t's values (even of another shape);
    v stays the same leaf that requires grad, now sharing t's storage."""
    v = torch.autograd.Variable(torch.ones(2, 3, device=device), requires_grad=True)
    new = torch.arange(4.0, device=device)
    try:
        v.data = new
    except (AttributeError, RuntimeError, TypeError) as exc:
        claim.fail("v.data = t is accepted", error="%s: %s" % (type(exc).__name__, exc))
    claim.observe("after_assignment", {"shape": list(v.shape), "values": v.tolist()})
    claim.equal((tuple(v.shape), v.tolist()), ((4,), [0.0, 1.0, 2.0, 3.0]), "v after v.data = arange(4)")
    claim.equal((v.requires_grad, v.is_leaf, v.data_ptr() == new.data_ptr()), (True, True, True),
                "v still requires grad, is a leaf, and shares the assigned tensor's storage")
    (v * 2).sum().backward()
    claim.close(v.grad, torch.full((4,), 2.0), ".grad after the assignment has the new shape")


# ------------------------------------------------------------------------ variable.volatile
@spec("variable.volatile")
def test_volatile_is_ignored_with_a_warning(claim, device):
    """§5: volatile=True used to switch gradients off for everything computed from the
    variable. Now the flag does nothing but warn: a 'volatile' variable can still be made to
    require grad and its results then require grad. Asking for both at once is refused."""
    t = torch.ones(3, device=device)
    with claim.warnings(record="warnings") as caught:
        v = torch.autograd.Variable(t, volatile=True)
    about = [w for w in caught if "volatile" in str(w.message)]
    claim.holds(about and all(issubclass(w.category, UserWarning) for w in about),
                "passing volatile warns, with UserWarnings",
                warnings=["%s: %s" % (w.category.__name__, w.message) for w in caught])
    claim.matches("\n".join(str(w.message) for w in about), "no effect", "the warning says volatile has no effect")
    v.requires_grad_(True)
    y = v * 2 + 1
    claim.observe("result_requires_grad", y.requires_grad)
    claim.equal(y.requires_grad, True, "results of a 'volatile' variable can require grad")
    claim.is_not_none(y.grad_fn, "results of a 'volatile' variable are recorded (grad_fn)")
    y.sum().backward()
    claim.close(v.grad, torch.full((3,), 2.0), "gradient through a 'volatile' variable")
    with claim.raises(ValueError, match=r"volatile", record="volatile_and_requires_grad"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the volatile warning was checked above
        torch.autograd.Variable(t, volatile=True, requires_grad=True)


@spec("variable.volatile")
def test_volatile_passed_positionally(claim, device):
    """§5: the 0.3 signature Variable(data, requires_grad, volatile) still parses: volatile given
    positionally warns the same way and does nothing, and together with requires_grad it is
    refused."""
    t = torch.ones(3, device=device)
    with claim.warnings(record="warnings_positional") as caught:
        v = torch.autograd.Variable(t, False, True)
    about = _volatile_warnings(caught)
    claim.holds(about and all(issubclass(w.category, UserWarning) for w in about),
                "Variable(t, False, True) warns about volatile, with UserWarnings",
                warnings=["%s: %s" % (w.category.__name__, w.message) for w in caught])
    claim.matches("\n".join(str(w.message) for w in about), "no effect", "the warning says volatile has no effect")
    claim.equal(v.requires_grad, False, "Variable(t, False, True) does not require grad")
    with claim.raises(ValueError, match=r"volatile", record="positional_volatile_and_requires_grad"), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.autograd.Variable(t, True, True)


@spec("variable.volatile")
def test_volatile_false_is_the_default(claim, device):
    """§5: volatile defaults to False; saying so explicitly changes nothing: no warning, and
    together with requires_grad=True it is accepted and results are recorded."""
    t = torch.ones(3, device=device)
    with claim.warnings(record="warnings_volatile_false") as caught:
        try:
            v = torch.autograd.Variable(t, volatile=False, requires_grad=True)
            u = torch.autograd.Variable(t, volatile=False)
        except ValueError as exc:
            claim.fail("volatile=False with requires_grad=True is accepted", error=str(exc))
    claim.equal([str(w.message) for w in _volatile_warnings(caught)], [], "volatile=False does not warn")
    claim.equal((v.requires_grad, u.requires_grad), (True, False),
                "requires_grad of Variable(t, volatile=False, requires_grad=True) and Variable(t, volatile=False)")
    y = v * 2
    claim.is_not_none(y.grad_fn, "results of Variable(t, volatile=False, requires_grad=True) are recorded")
    y.sum().backward()
    claim.close(v.grad, torch.full((3,), 2.0), "gradient through Variable(t, volatile=False, requires_grad=True)")


@spec("variable.volatile")
def test_volatile_attribute_is_always_false(claim, device):
    """§5: the note says results inherit the volatile value of their inputs. The .volatile
    attribute is left as a stub: it reads False (with a warning) on every tensor, also on a
    'volatile' Variable and its results, and setting it only warns."""
    vol = _quiet_variable(torch.ones(2, device=device), volatile=True)
    tensors = {"plain": torch.ones(2, device=device), "requires_grad": torch.ones(2, device=device, requires_grad=True),
               "volatile_variable": vol, "result_of_volatile": vol * 2}
    with claim.warnings(record="read_warnings") as caught:
        values = {k: t.volatile for k, t in tensors.items()}
    claim.observe("volatile", values)
    claim.equal(values, dict.fromkeys(tensors, False), "t.volatile reads False")
    about = _volatile_warnings(caught)
    claim.holds(len(about) == len(tensors) and all(issubclass(w.category, UserWarning) for w in about),
                "every read of .volatile warns (UserWarning)", warnings=[str(w.message) for w in caught])
    plain = tensors["plain"]
    with claim.warnings(record="set_warnings") as caught:
        plain.volatile = True
    claim.matches("\n".join(str(w.message) for w in _volatile_warnings(caught)), "no effect",
                  "setting .volatile warns that it has no effect")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        claim.equal((plain.volatile, plain.requires_grad), (False, False), "after t.volatile = True: volatile, requires_grad")


@spec("variable.volatile")
def test_volatile_input_does_not_stop_other_inputs_grad(claim, device):
    """§5: in 0.3 a volatile input made every result volatile, whatever the other inputs. Now
    a result of a 'volatile' tensor and a tensor that requires grad requires grad, and backward
    reaches that other input."""
    vol = _quiet_variable(torch.full((3,), 2.0, device=device), volatile=True)
    w = torch.ones(3, device=device, requires_grad=True)
    y = vol * w
    claim.observe("mixed_result_requires_grad", y.requires_grad)
    claim.equal((y.requires_grad, y.grad_fn is not None), (True, True),
                "volatile * (requires grad): requires_grad and recorded")
    y.sum().backward()
    claim.close(w.grad, torch.full((3,), 2.0), "the gradient reaches the input that requires grad")
    claim.is_none(vol.grad, "the 'volatile' input gets no gradient")


# ------------------------------------------------------------------------ autograd.no-grad-inherited
@spec("autograd.no-grad-inherited")
def test_results_under_no_grad_do_not_require_grad(claim, device):
    """§5, modern form: inside torch.no_grad() nothing is recorded, so results of inputs that
    require grad do not require grad themselves; outside, recording resumes."""
    x = torch.randn(4, device=device, requires_grad=True)
    with torch.no_grad():
        y = x * 2
        s = y + x
        z = s.sum()
    claim.equal(y.requires_grad, False, "a result under no_grad does not require grad")
    claim.is_none(y.grad_fn, "a result under no_grad is not recorded (grad_fn)")
    claim.equal((s.requires_grad, z.requires_grad), (False, False),
                "results derived from it (y + x, and its sum) do not require grad either")
    w = x * 2
    claim.equal(w.requires_grad, True, "outside no_grad results require grad again")


@spec("autograd.no-grad-inherited")
def test_no_grad_as_a_decorator(claim, device):
    """§5: torch.no_grad() also decorates a function: what it computes does not require grad,
    grad mode is back on after the call, and the function keeps its name. Under the registry's
    ``default`` expectation (newest releases) the bare @torch.no_grad works too; before, it is
    a TypeError."""
    x = torch.randn(3, device=device, requires_grad=True)

    def double(a):
        return a * 2

    decorated = _decorate(claim, torch.no_grad(), double, "torch.no_grad() decorates a function")
    y = decorated(x)
    claim.observe("decorated_result_requires_grad", y.requires_grad)
    claim.equal((y.requires_grad, y.grad_fn), (False, None), "a result of a @torch.no_grad() function: requires_grad, grad_fn")
    claim.equal(torch.is_grad_enabled(), True, "grad mode is on again after the decorated call")
    claim.equal(getattr(decorated, "__name__", None), "double", "the decorated function keeps its name")
    claim.equal(double(x).requires_grad, True, "the undecorated function still records")
    if claim.expects("default"):
        bare = _decorate(claim, torch.no_grad, double, "the bare @torch.no_grad decorates a function")
        claim.equal(bare(x).requires_grad, False, "a result of a bare @torch.no_grad function requires grad")
    else:
        with claim.raises(TypeError, record="bare_decorator_error"):
            torch.no_grad(double)


@spec("autograd.no-grad-inherited")
def test_no_grad_on_a_generator_function(claim, device):
    """§5: @torch.no_grad() on a generator function: the body runs without grad at every step,
    and the caller's grad mode is back between steps. Under the registry's
    ``generator-body-outside`` expectation (the oldest releases) only creating the generator is
    covered: its body runs with grad on."""
    x = torch.randn(3, device=device, requires_grad=True)

    def steps(a):
        for k in range(2):
            yield a * (k + 1), torch.is_grad_enabled()

    decorated = _decorate(claim, torch.no_grad(), steps, "torch.no_grad() decorates a generator function")
    seen = [[y.requires_grad, inside, torch.is_grad_enabled()] for y, inside in decorated(x)]
    claim.observe("steps", seen)
    if claim.expects("generator-body-outside"):
        claim.equal(seen, [[True, True, True]] * 2,
                    "each step on this release: [result requires grad, grad on inside, grad on outside]")
    else:
        claim.equal(seen, [[False, False, True]] * 2,
                    "each step: [result requires grad, grad on inside, grad on outside between steps]")
    claim.equal(torch.is_grad_enabled(), True, "grad mode is on after the generator is exhausted")


@spec("autograd.no-grad-inherited")
def test_nested_no_grad_keeps_grad_off(claim, device):
    """§5: no_grad puts back the mode it found: leaving an inner no_grad inside an outer one
    (or inside set_grad_enabled(False)) keeps grad off; a no_grad object can be used twice."""
    x = torch.randn(3, device=device, requires_grad=True)
    with _grad_mode_restored():
        with torch.no_grad():
            with torch.no_grad():
                inner = x * 2
            after_inner = x * 2
            mode_after_inner = torch.is_grad_enabled()
        torch.set_grad_enabled(False)
        with torch.no_grad():
            pass
        mode_after_no_grad_in_off = torch.is_grad_enabled()
        torch.set_grad_enabled(True)
        once = torch.no_grad()
        with once:
            first = x * 2
        with once:
            second = x * 2
        outside = x * 2
    seen = claim.observe("nested", {
        "inner": inner.requires_grad, "after_inner": after_inner.requires_grad, "mode_after_inner": mode_after_inner,
        "mode_after_no_grad_in_off": mode_after_no_grad_in_off, "reused_first": first.requires_grad,
        "reused_second": second.requires_grad, "outside": outside.requires_grad})
    claim.equal(seen, {"inner": False, "after_inner": False, "mode_after_inner": False, "mode_after_no_grad_in_off": False,
                       "reused_first": False, "reused_second": False, "outside": True},
                "requires_grad / grad mode in nested and reused no_grad blocks")


@spec("autograd.no-grad-inherited")
def test_enable_grad_inside_no_grad(claim, device):
    """§5: torch.enable_grad() switches recording back on inside no_grad, as a context manager
    and as a decorator; leaving it, no_grad's mode is back."""
    x = torch.randn(3, device=device, requires_grad=True)

    def triple(a):
        return a * 3

    decorated = _decorate(claim, torch.enable_grad(), triple, "torch.enable_grad() decorates a function")
    with torch.no_grad():
        with torch.enable_grad():
            y = x * 2
            inside = torch.is_grad_enabled()
        after = x * 2
        w = decorated(x)
    seen = claim.observe("enable_grad", {"inside_mode": inside, "result": y.requires_grad,
                                         "after_block": after.requires_grad, "decorated": w.requires_grad})
    claim.equal(seen, {"inside_mode": True, "result": True, "after_block": False, "decorated": True},
                "grad mode / requires_grad with enable_grad inside no_grad")
    (y.sum() + w.sum()).backward()
    claim.close(x.grad, torch.full((3,), 5.0), "gradient through what enable_grad recorded inside no_grad")


@spec("autograd.no-grad-inherited")
def test_set_grad_enabled_forms(claim, device):
    """§5: torch.set_grad_enabled(False) is no_grad with a switch: as a context manager (mode
    positional or mode=), nested in no_grad, and as a plain call that stays in force until the
    next one."""
    x = torch.randn(3, device=device, requires_grad=True)
    seen = {}
    with _grad_mode_restored():
        with torch.set_grad_enabled(False):
            seen["cm_false"] = (x * 2).requires_grad
        seen["after_cm_false"] = (x * 2).requires_grad
        with torch.set_grad_enabled(mode=False):
            seen["cm_mode_keyword"] = (x * 2).requires_grad
        with torch.no_grad():
            with torch.set_grad_enabled(True):
                seen["true_inside_no_grad"] = (x * 2).requires_grad
            seen["after_true_inside_no_grad"] = (x * 2).requires_grad
            with torch.set_grad_enabled(False):
                pass
            seen["after_false_inside_no_grad"] = (x * 2).requires_grad
        torch.set_grad_enabled(False)
        seen["call_false"] = (x * 2).requires_grad
        seen["mode_after_call_false"] = torch.is_grad_enabled()
        torch.set_grad_enabled(True)
        seen["call_true"] = (x * 2).requires_grad
    claim.observe("set_grad_enabled", seen)
    claim.equal(seen, {"cm_false": False, "after_cm_false": True, "cm_mode_keyword": False, "true_inside_no_grad": True,
                       "after_true_inside_no_grad": False, "after_false_inside_no_grad": False, "call_false": False,
                       "mode_after_call_false": False, "call_true": True},
                "requires_grad of x * 2 under each form of set_grad_enabled")


@spec("autograd.no-grad-inherited")
def test_inference_mode(claim, device):
    """§5: torch.inference_mode() goes further than no_grad: results do not require grad and are
    inference tensors, which autograd later refuses to save; as a context manager and as a
    decorator. Under the registry's ``generator-body-outside`` and ``no-inference-mode``
    expectations (older releases) torch.inference_mode does not exist; under ``no-is-inference``
    (1.9) it exists but nothing tells an inference tensor apart (no Tensor.is_inference)."""
    if claim.expects("generator-body-outside") or claim.expects("no-inference-mode"):
        claim.equal(claim.observe("has_inference_mode", hasattr(torch, "inference_mode")), False,
                    "torch.inference_mode exists")
        return
    no_is_inference = claim.expects("no-is-inference")
    if no_is_inference:
        claim.equal(claim.observe("has_is_inference", hasattr(torch.Tensor, "is_inference")), False,
                    "Tensor.is_inference exists")
    x = torch.randn(3, device=device, requires_grad=True)
    with torch.inference_mode():
        y = x * 2
        inside = (torch.is_inference_mode_enabled(), torch.is_grad_enabled())

    def double(a):
        return a * 2

    decorated = _decorate(claim, torch.inference_mode(), double, "torch.inference_mode() decorates a function")
    w = decorated(x)
    seen = {"inside_modes": list(inside), "result_requires_grad": y.requires_grad,
            "decorated_requires_grad": w.requires_grad, "mode_after": torch.is_inference_mode_enabled()}
    wanted = {"inside_modes": [True, False], "result_requires_grad": False, "decorated_requires_grad": False,
              "mode_after": False}
    if not no_is_inference:
        seen.update(result_is_inference=y.is_inference(), decorated_is_inference=w.is_inference())
        wanted.update(result_is_inference=True, decorated_is_inference=True)
    claim.observe("inference_mode", seen)
    claim.equal(seen, wanted, "inference_mode: [inference mode, grad mode] inside, and what the results are")
    with claim.raises(RuntimeError, match=r"[Ii]nference tensor", record="inference_tensor_in_autograd"):
        y * x  # saving y for x's gradient


@spec("autograd.no-grad-inherited")
def test_in_place_updates_under_no_grad(claim, device):
    """§5: under no_grad a leaf that requires grad can be updated in place (the optimizer step
    idiom): add_, -=, mul_ and item assignment change it, it stays a leaf that requires grad,
    and nothing is recorded; a non-leaf keeps the grad_fn it had. Outside no_grad the same
    in-place update of a leaf is refused."""
    a = torch.ones(3, device=device, requires_grad=True)
    (a * a).sum().backward()
    try:
        with torch.no_grad():
            a.add_(-0.5 * a.grad)  # the SGD step: a - lr * grad
            a -= 0.5
            a.mul_(2)
            a[0] = 7.0
    except RuntimeError as exc:
        claim.fail("in-place updates of a leaf that requires grad are allowed under no_grad", error=str(exc)[:200])
    seen = claim.observe("leaf_after_updates", {"values": a.tolist(), "requires_grad": a.requires_grad,
                                                "is_leaf": a.is_leaf, "grad_fn": a.grad_fn})
    claim.equal(seen, {"values": [7.0, -1.0, -1.0], "requires_grad": True, "is_leaf": True, "grad_fn": None},
                "a leaf after add_, -=, mul_ and a[0] = 7 under no_grad")
    b = torch.ones(2, device=device, requires_grad=True)
    h = b * 2
    with torch.no_grad():
        h.add_(1)
    claim.equal((_op_name(h), h.tolist()), ("Mul", [3.0, 3.0]), "a non-leaf after add_ under no_grad: grad_fn, values")
    h.sum().backward()
    claim.close(b.grad, torch.full((2,), 2.0), "the unrecorded add_ does not change the gradient")
    with claim.raises(RuntimeError, match=r"leaf", record="leaf_in_place_outside_no_grad"):
        a.add_(1)


@spec("autograd.no-grad-inherited")
def test_views_and_other_results_under_no_grad(claim, device):
    """§5: what no_grad does to every kind of result: ops of any dtype and shape (reductions with
    dim/keepdim, cat, matmul, F.linear, an nn.Linear forward) do not require grad. Views of an
    input that requires grad (slices, a step, a transpose, an index, view) are the exception on
    every release: they report requires_grad=True, yet nothing is recorded (no grad_fn) and
    their later use does not reach the input."""
    a = torch.randn(3, 4, device=device, requires_grad=True)
    a64 = torch.randn(2, 3, 4, device=device, dtype=torch.float64, requires_grad=True)
    w = torch.randn(2, 4, device=device, requires_grad=True)
    with _grad_mode_restored():  # nn.init fills the weights under no_grad itself: keep that apart from the probe
        torch.set_grad_enabled(False)
        layer = torch.nn.Linear(4, 2).to(device)
    with torch.no_grad():
        results = {
            "exp": torch.exp(a), "sum_dim": a.sum(dim=1), "mean_keepdim": a.mean(-1, keepdim=True),
            "cat": torch.cat([a, a]), "mm": a.mm(a.t()), "clone": a.clone(), "float64_3d": (a64 * 2).sum(0),
            "F.linear": torch.nn.functional.linear(a, w), "nn.Linear": layer(a),
        }
        views = {"rows": a[1:], "step": a[:, ::2], "transpose": a.t(), "index": a[0], "view": a.view(12)}
    flags = {k: [r.requires_grad, r.grad_fn is None] for k, r in results.items()}
    claim.observe("results", flags)
    claim.equal(flags, dict.fromkeys(results, [False, True]), "results under no_grad: [requires_grad, grad_fn is None]")
    view_flags = {k: [v.requires_grad, v.grad_fn is None] for k, v in views.items()}
    claim.observe("views", view_flags)
    claim.equal(view_flags, dict.fromkeys(views, [True, True]), "views under no_grad: [requires_grad, grad_fn is None]")
    later = (views["rows"] * 2).sum()
    reached = [n for n in autograd_nodes(later) if getattr(n, "variable", None) is a]
    claim.equal(len(reached), 0, "a later use of a no_grad view reaches the input's AccumulateGrad (count)")
    claim.equal((layer.weight.requires_grad, layer.weight.grad), (True, None), "the layer's weight after a no_grad forward")
