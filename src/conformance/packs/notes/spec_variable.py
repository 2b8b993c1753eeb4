"""Variable and the volatile flag (notes §1, §5, §14).

The notes were written when autograd lived in a Variable class wrapped around a Tensor. These
specs check what each of those statements means on the torch under test. Torch attributes are
looked up at call time (``torch.autograd.Variable``), so a patched torch is what gets checked.
"""
import warnings

import torch

from conformance.testing import spec


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


@spec("variable.is-tensor")
def test_variable_is_a_tensor_and_data_shares_storage(claim, device):
    """§14: the note pictures Variable as a wrapper from which .data takes the tensor out.
    Today Variable(t) is itself a Tensor; .data is a tensor sharing its storage, cut off
    from autograd."""
    v = torch.autograd.Variable(torch.arange(4.0, device=device), requires_grad=True)
    is_tensor = claim.observe("isinstance_tensor", isinstance(v, torch.Tensor))
    claim.equal(is_tensor, True, "Variable(t) is a torch.Tensor (isinstance)")
    claim.identical(type(v), torch.Tensor, "Variable(t) returns a plain torch.Tensor (its class)")
    data = v.data
    claim.observe("data_shares_storage", data.data_ptr() == v.data_ptr())
    claim.equal(data.data_ptr(), v.data_ptr(), ".data shares storage with the variable (data_ptr of .data vs the variable's)")
    claim.observe("data_requires_grad", data.requires_grad)
    claim.equal(data.requires_grad, False, ".data does not require grad")
    data[0] = 10.0  # a write through .data is visible in the variable and invisible to autograd
    claim.equal(v[0].item(), 10.0, "a write through .data shows in the variable")


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


@spec("autograd.no-grad-inherited")
def test_results_under_no_grad_do_not_require_grad(claim, device):
    """§5, modern form: inside torch.no_grad() nothing is recorded, so results of inputs that
    require grad do not require grad themselves; outside, recording resumes."""
    x = torch.randn(4, device=device, requires_grad=True)
    with torch.no_grad():
        y = x * 2
        z = (y + x).sum()
    claim.equal(y.requires_grad, False, "a result under no_grad does not require grad")
    claim.is_none(y.grad_fn, "a result under no_grad is not recorded (grad_fn)")
    claim.equal(z.requires_grad, False, "results derived from it do not require grad either")
    w = x * 2
    claim.equal(w.requires_grad, True, "outside no_grad results require grad again")
