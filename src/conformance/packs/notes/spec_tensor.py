"""Getting numbers out of a loss (notes §4, §11): .data[0], .item(), and what a running total
of tensors keeps alive."""
import torch

from conformance.models import running_loss_total
from conformance.testing import autograd_nodes, spec

LINEARITY_ATOL = 1e-9  # nodes per iteration over 10..20 and 20..40 iterations agree to this


def _a_loss(device):
    pred = torch.randn(4, 3, device=device, requires_grad=True)
    return torch.nn.functional.mse_loss(pred, torch.zeros(4, 3, device=device))


@spec("tensor.loss-data-index")
def test_indexing_a_scalar_loss_fails(claim, device):
    """§4, §11: the 0.3 idiom loss.data[0] read the loss value. A loss is now 0-dim, and
    indexing a 0-dim tensor is an IndexError that points to .item()."""
    loss = _a_loss(device)
    claim.observe("loss_dim", loss.dim())
    claim.equal(loss.dim(), 0, "a loss is a 0-dim tensor (its dim())")
    with claim.raises(IndexError, match=r"0-dim", record="error") as raised:
        loss.data[0]
    claim.contains(str(raised.value), "item()", "the message points to .item()")


@spec("tensor.item")
def test_item_gives_a_python_number(claim, device):
    """§11: .item() turns a one-element tensor into a Python number of the matching kind. Under
    the registry's ``no-bool`` expectation (the oldest releases) there is no bool dtype:
    torch.tensor(True) is uint8 and gives an int."""
    loss = _a_loss(device)
    value = loss.item()
    flag = torch.tensor(True, device=device)
    claim.observe("bool_tensor_dtype", str(flag.dtype))
    kinds = claim.observe("types", {
        "float_loss": type(value).__name__,
        "int64": type(torch.tensor(3, device=device).item()).__name__,
        "bool": type(flag.item()).__name__,
        "one_element_1d": type(torch.tensor([2.5], device=device).item()).__name__,
    })
    wanted = {"float_loss": "float", "int64": "int", "bool": "bool", "one_element_1d": "float"}
    if claim.expects("no-bool"):
        wanted["bool"] = "int"
        claim.equal((flag.dtype, flag.item()), (torch.uint8, 1), "torch.tensor(True) is uint8 holding 1")
    claim.equal(kinds, wanted, "types returned by item()")
    claim.close(value, loss.detach(), "item() value equals the loss")
    with claim.raises((ValueError, RuntimeError), record="many_elements_error"):
        torch.ones(2, device=device).item()


def _graph_size(total):
    """Autograd nodes reachable from a running total (0 for a plain float)."""
    return len(autograd_nodes(total)) if isinstance(total, torch.Tensor) else 0


def _running_total(iterations, use_item, device):
    model = torch.nn.Linear(3, 1).to(device)
    batches = (torch.full((2, 3), float(i), device=device) for i in range(iterations))
    return running_loss_total(model, batches, use_item)


@spec("autograd.accumulate-tensor-keeps-graph")
def test_total_of_tensor_losses_keeps_every_graph(claim, device):
    """§11: total += loss (a tensor) chains every iteration's graph onto the total, so what stays
    alive grows with the number of iterations; total += loss.item() keeps nothing."""
    sizes = {n: _graph_size(_running_total(n, False, device)) for n in (10, 20, 40)}
    claim.observe("graph_nodes_tensor_total", sizes)
    per_iter = (sizes[40] - sizes[20]) / 20.0
    claim.less(sizes[10], sizes[20], "the graph grows with iterations: nodes after 10 vs after 20")
    claim.less(sizes[20], sizes[40], "the graph grows with iterations: nodes after 20 vs after 40")
    claim.close((sizes[20] - sizes[10]) / 10.0, per_iter, "growth is linear: nodes per iteration, 10..20 vs 20..40",
                rtol=0, atol=LINEARITY_ATOL)
    claim.holds(per_iter >= 2, "several (>= 2) nodes per iteration", nodes_per_iteration=per_iter)
    total = _running_total(40, True, device)
    claim.observe("item_total_type", type(total).__name__)
    claim.is_instance(total, float, "with .item() the total is a plain float")
