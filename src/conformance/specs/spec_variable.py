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
    claim.check(isinstance(v, torch.Tensor), "Variable(t) is usable as a tensor", "a torch.Tensor", type(v))
    claim.check(torch.equal(v.data, t), ".data holds the wrapped values", t, v.data)
    claim.check(v.grad_fn is None, "a leaf has no grad_fn", None, v.grad_fn)

    y = v * 3
    name = claim.observe("grad_fn", type(y.grad_fn).__name__ if y.grad_fn is not None else None)
    claim.check(name is not None and name.startswith("Mul"), "grad_fn names the producing op", "Mul...", name)
    claim.check(v.grad is None, ".grad is empty before backward", None, v.grad)
    y.sum().backward()
    claim.close(v.grad, torch.full((3,), 3.0), ".grad after backward of sum(3*v)")


@spec("variable.is-tensor")
def test_variable_is_a_tensor_and_data_shares_storage(claim, device):
    """§14: the note pictures Variable as a wrapper from which .data takes the tensor out.
    Today Variable(t) is itself a Tensor; .data is a tensor sharing its storage, cut off
    from autograd."""
    v = torch.autograd.Variable(torch.arange(4.0, device=device), requires_grad=True)
    is_tensor = claim.observe("isinstance_tensor", isinstance(v, torch.Tensor))
    claim.check(is_tensor and type(v) is torch.Tensor, "Variable(t) returns a plain torch.Tensor", "torch.Tensor", type(v))
    data = v.data
    shares = claim.observe("data_shares_storage", data.data_ptr() == v.data_ptr())
    claim.check(shares, ".data shares storage with the variable", True, shares)
    claim.observe("data_requires_grad", data.requires_grad)
    claim.check(not data.requires_grad, ".data does not require grad", False, data.requires_grad)
    data[0] = 10.0  # a write through .data is visible in the variable and invisible to autograd
    claim.check(v[0].item() == 10.0, "a write through .data shows in the variable", 10.0, v[0].item())


@spec("variable.volatile")
def test_volatile_is_ignored_with_a_warning(claim, device):
    """§5: volatile=True used to switch gradients off for everything computed from the
    variable. Now the flag does nothing but warn: a 'volatile' variable can still be made to
    require grad and its results then require grad. Asking for both at once is refused."""
    t = torch.ones(3, device=device)
    with claim.warnings(record="warnings") as caught:
        v = torch.autograd.Variable(t, volatile=True)
    about = [w for w in caught if "volatile" in str(w.message)]
    claim.check(about and all(issubclass(w.category, UserWarning) for w in about),
                "passing volatile warns (UserWarning)", "a UserWarning about volatile", [str(w.message) for w in caught])
    claim.check(any("no effect" in str(w.message) for w in about), "the warning says volatile has no effect",
                "'... no effect ...'", [str(w.message) for w in about])
    v.requires_grad_(True)
    y = v * 2 + 1
    claim.observe("result_requires_grad", y.requires_grad)
    claim.check(y.requires_grad and y.grad_fn is not None, "results of a 'volatile' variable can require grad",
                True, y.requires_grad)
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
    claim.check(not y.requires_grad and y.grad_fn is None, "a result under no_grad does not require grad",
                "requires_grad False, grad_fn None", (y.requires_grad, y.grad_fn))
    claim.check(not z.requires_grad, "results derived from it do not either", False, z.requires_grad)
    w = x * 2
    claim.check(w.requires_grad, "outside no_grad results require grad again", True, w.requires_grad)
