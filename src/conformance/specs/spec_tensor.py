"""Getting numbers out of a loss (notes §4, §11): .data[0], .item(), and what a running total
of tensors keeps alive."""
import torch

from conformance.testing import autograd_nodes, spec


def _a_loss(device):
    pred = torch.randn(4, 3, device=device, requires_grad=True)
    return torch.nn.functional.mse_loss(pred, torch.zeros(4, 3, device=device))


@spec("tensor.loss-data-index")
def test_indexing_a_scalar_loss_fails(claim, device):
    """§4, §11: the 0.3 idiom loss.data[0] read the loss value. A loss is now 0-dim, and
    indexing a 0-dim tensor is an IndexError that points to .item()."""
    loss = _a_loss(device)
    claim.observe("loss_dim", loss.dim())
    claim.check(loss.dim() == 0, "a loss is a 0-dim tensor", 0, loss.dim())
    with claim.raises(IndexError, match=r"0-dim", record="error") as raised:
        loss.data[0]
    claim.check("item()" in str(raised.value), "the message points to .item()", "mentions item()", str(raised.value))


@spec("tensor.item")
def test_item_gives_a_python_number(claim, device):
    """§11: .item() turns a one-element tensor into a Python number of the matching kind. Before
    torch 1.2 there is no bool dtype: torch.tensor(True) is uint8 and gives an int."""
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
        claim.check(flag.dtype == torch.uint8 and flag.item() == 1, "torch.tensor(True) is uint8 holding 1",
                    "torch.uint8, 1", (flag.dtype, flag.item()))
    claim.check(kinds == wanted, "types returned by item()", wanted, kinds)
    claim.close(value, loss.detach(), "item() value equals the loss")
    with claim.raises((ValueError, RuntimeError), record="many_elements_error"):
        torch.ones(2, device=device).item()


def _graph_size(total):
    """Autograd nodes reachable from a running total (0 for a plain float)."""
    return len(autograd_nodes(total)) if isinstance(total, torch.Tensor) else 0


def _running_total(iterations, use_item, device):
    model = torch.nn.Linear(3, 1).to(device)
    total = 0.0
    for i in range(iterations):
        loss = model(torch.full((2, 3), float(i), device=device)).pow(2).mean()
        total += loss.item() if use_item else loss
    return total


@spec("autograd.accumulate-tensor-keeps-graph")
def test_total_of_tensor_losses_keeps_every_graph(claim, device):
    """§11: total += loss (a tensor) chains every iteration's graph onto the total, so what stays
    alive grows with the number of iterations; total += loss.item() keeps nothing."""
    sizes = {n: _graph_size(_running_total(n, False, device)) for n in (10, 20, 40)}
    claim.observe("graph_nodes_tensor_total", sizes)
    per_iter = (sizes[40] - sizes[20]) / 20.0
    claim.check(sizes[10] < sizes[20] < sizes[40], "the graph grows with iterations", "increasing", sizes)
    claim.check(abs((sizes[20] - sizes[10]) / 10.0 - per_iter) < 1e-9 and per_iter >= 2,
                "growth is linear, several nodes per iteration", ">= 2 nodes/iteration, constant", per_iter)
    total = _running_total(40, True, device)
    claim.observe("item_total_type", type(total).__name__)
    claim.check(isinstance(total, float) and _graph_size(total) == 0, "with .item() the total is a plain float",
                "float", type(total))
