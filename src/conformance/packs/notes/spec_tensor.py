"""Getting numbers out of a loss (notes §4, §11): .data[0], .item(), and what a running total
of tensors keeps alive.

Beyond the note's examples: indexing 0-dim tensors of every dtype, with other indices and in the
forms that do work; .item() on every dtype at full precision (float64 bit for bit, int64 beyond
2**53), NaN, inf and -0.0, one-element tensors of any shape and views, the error on several
elements, and float()/int()/bool()/tolist() as other spellings; running totals written in other
ways, and what each of them keeps alive.
"""
import math
import struct
import weakref

import pytest
import torch

from conformance.models import running_loss_total
from conformance.testing import autograd_nodes, spec

LINEARITY_ATOL = 1e-9  # nodes per iteration over 10..20 and 20..40 iterations agree to this


def _a_loss(device):
    pred = torch.randn(4, 3, device=device, requires_grad=True)
    return torch.nn.functional.mse_loss(pred, torch.zeros(4, 3, device=device))


# ------------------------------------------------------------------------ tensor.loss-data-index
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


@spec("tensor.loss-data-index")
def test_indexing_the_loss_itself_fails(claim, device):
    """§4, §11: not only loss.data[0]: the loss itself (which requires grad) and loss.detach()
    refuse [0] the same way."""
    loss = _a_loss(device)
    forms = {"loss[0]": lambda: loss[0], "loss.detach()[0]": lambda: loss.detach()[0]}
    for name, index in forms.items():
        with claim.raises(IndexError, match=r"0-dim", record="error " + name) as raised:
            index()
        claim.contains(str(raised.value), "item()", "the message of %s points to .item()" % name)


@spec("tensor.loss-data-index")
def test_other_dtypes_and_indices_of_a_0dim_tensor(claim, device):
    """§4, §11: a 0-dim tensor of any dtype (float64, int64, bool) refuses [0] with the same
    message; other indices (-1, 1) are refused too. Under the registry's
    ``other-indices-runtime-error`` expectation (1.0.x) those are a RuntimeError, from 1.1.0
    an IndexError."""
    scalars = {"float64": torch.tensor(1.5, dtype=torch.float64, device=device),
               "int64": torch.tensor(3, device=device), "bool": torch.tensor(True, device=device)}
    for name, scalar in scalars.items():
        with claim.raises(IndexError, match=r"0-dim", record="error_%s" % name) as raised:
            scalar[0]
        claim.contains(str(raised.value), "item()", "the message for a %s 0-dim tensor points to .item()" % name)
    wanted = RuntimeError if claim.expects("other-indices-runtime-error") else IndexError
    scalar = torch.tensor(2.5, device=device)
    for index in (-1, 1):
        with claim.raises(wanted, match=r"dimension", record="error_index_%d" % index):
            scalar[index]


@spec("tensor.loss-data-index")
def test_the_ways_that_do_index_a_0dim_tensor(claim, device):
    """§4, §11: the forms that work: t[()] and t[...] give the 0-dim tensor back, t[None] a
    shape-(1,) tensor; indexing a one-element tensor of shape (1,) or (1, 1) (the 0.3 loss
    shape) gives a 0-dim tensor, not a Python number; .item() then gives the number."""
    s = _a_loss(device).detach()
    value = s.item()
    forms = {"t[()]": s[()], "t[...]": s[...], "t[None]": s[None], "t.reshape(1)[0]": s.reshape(1)[0],
             "t.view(1)[0]": s.view(1)[0], "t.unsqueeze(0)[0]": s.unsqueeze(0)[0],
             "t.reshape(1, 1)[0, 0]": s.reshape(1, 1)[0, 0]}
    seen = {k: [type(r).__name__, list(r.shape) if isinstance(r, torch.Tensor) else None] for k, r in forms.items()}
    claim.observe("forms", seen)
    wanted = dict.fromkeys(forms, ["Tensor", []])
    wanted["t[None]"] = ["Tensor", [1]]
    claim.equal(seen, wanted, "[type, shape] of each indexing form")
    claim.equal({k: r.reshape(-1)[0].item() for k, r in forms.items()}, dict.fromkeys(forms, value),
                "each form holds the loss value")


# ------------------------------------------------------------------------ tensor.item
def _float32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


# Values that need every mantissa bit of their dtype (so any narrowing shows), the largest
# finite value, the smallest subnormal, and (where a literal is not exact) the rounded value.
FLOAT_VALUES = {
    "float16": [1.0 + 2.0 ** -10, 65504.0, 2.0 ** -24, -2.5],
    "bfloat16": [1.0 + 2.0 ** -7, (2.0 - 2.0 ** -7) * 2.0 ** 127, 2.0 ** -133, -2.5],
    "float32": [1.0 + 2.0 ** -23, _float32(3.4028234663852886e38), 2.0 ** -149, _float32(0.1)],
    "float64": [1.0 + 2.0 ** -52, 1.7976931348623157e308, 5e-324, 0.1, 1.0 / 3.0],
}
SPECIALS = [float("nan"), float("inf"), float("-inf"), -0.0, 0.0]


def _float_dtype(claim, name):
    """torch.<name>, or None where the registry says this release has no such dtype."""
    if name == "bfloat16" and claim.expects("no-bool"):
        claim.equal(claim.observe("has_bfloat16", hasattr(torch, "bfloat16")), False, "torch.bfloat16 exists")
        return None
    return getattr(torch, name)


@spec("tensor.item")
def test_item_gives_a_python_number(claim, device):
    """§11: .item() turns a one-element tensor into a Python number of the matching kind (a
    bool tensor gives False/True). Under the registry's ``no-bool`` expectation (the oldest
    releases) there is no bool dtype: torch.tensor(True) is uint8 and gives an int."""
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
    claim.equal(kinds, wanted, "types returned by item()")
    flags = [torch.tensor(b, device=device).item() for b in (False, True)]
    claim.observe("bools", [repr(f) for f in flags])
    if claim.expects("no-bool"):
        claim.equal((flag.dtype, flags), (torch.uint8, [0, 1]), "torch.tensor(True) is uint8; .item() of False/True")
    else:
        claim.equal(flags, [False, True], ".item() of torch.tensor(False/True)")
    claim.close(value, loss.detach(), "item() value equals the loss")


@spec("tensor.item")
@pytest.mark.parametrize("dtype_name", sorted(FLOAT_VALUES))
def test_item_keeps_full_float_precision(claim, device, dtype_name):
    """§11: .item() of a floating tensor is a Python float holding exactly the tensor's value:
    every mantissa bit, the largest finite value and the smallest subnormal of float16,
    bfloat16, float32 and float64 (a float64 comes back bit for bit). Under the registry's
    ``no-bool`` expectation (the oldest releases, before bool and bfloat16 came in 1.2.0) there is
    no bfloat16 dtype."""
    dtype = _float_dtype(claim, dtype_name)
    if dtype is None:
        return
    values = FLOAT_VALUES[dtype_name]
    got = [torch.tensor(x, dtype=dtype, device=device).item() for x in values]
    claim.equal([type(g).__name__ for g in got], ["float"] * len(values), ".item() of %s gives floats" % dtype_name)
    claim.observe("values", [repr(g) for g in got])
    claim.equal(got, values, ".item() of %s tensors holding values exact in %s" % (dtype_name, dtype_name))


@spec("tensor.item")
@pytest.mark.parametrize("dtype_name", sorted(FLOAT_VALUES))
def test_item_keeps_nan_inf_and_the_sign_of_zero(claim, device, dtype_name):
    """§11: .item() keeps the special values of every floating dtype: NaN, +-inf, and the sign
    of -0.0."""
    dtype = _float_dtype(claim, dtype_name)
    if dtype is None:
        return
    got = [torch.tensor(x, dtype=dtype, device=device).item() for x in SPECIALS]
    claim.equal([type(g).__name__ for g in got], ["float"] * len(got), ".item() of %s gives floats" % dtype_name)
    described = [repr(g) if not (g == 0.0) else ("-0.0" if math.copysign(1.0, g) < 0 else "0.0") for g in got]
    claim.observe("values", described)
    claim.equal(described, ["nan", "inf", "-inf", "-0.0", "0.0"], ".item() of %s NaN, inf, -inf, -0.0, 0.0" % dtype_name)


@spec("tensor.item")
def test_item_gives_exact_integers(claim, device):
    """§11: .item() of an integer tensor is a Python int holding exactly the value, also beyond
    2**53 (where a float would round) and at the ends of every integer dtype."""
    cases = [("int64", 2 ** 53 + 1), ("int64", 2 ** 63 - 1), ("int64", -2 ** 63), ("int32", 2 ** 31 - 1),
             ("int32", -2 ** 31), ("int16", -2 ** 15), ("int8", -128), ("uint8", 255)]
    got = [torch.tensor(v, dtype=getattr(torch, name), device=device).item() for name, v in cases]
    claim.equal([type(g).__name__ for g in got], ["int"] * len(cases), ".item() of integer tensors gives ints")
    claim.observe("values", got)
    claim.equal(got, [v for _, v in cases], ".item() of int64/int32/int16/int8/uint8 at their edges")


@spec("tensor.item")
def test_item_of_one_element_tensors_of_any_shape(claim, device):
    """§11: .item() takes any one-element tensor, not only 0-dim ones: shapes (1,), (1, 1),
    (1, 1, 1), and views: a slice at an offset, a strided element of a transpose, an expanded
    scalar, an element picked by indexing."""
    base = torch.arange(10.0, device=device)
    ints = torch.tensor([0, 3, 5], device=device)
    cases = {
        "(1,)": (torch.tensor([2.5], device=device), 2.5),
        "(1, 1)": (torch.full((1, 1), 3.0, device=device), 3.0),
        "(1, 1, 1)": (torch.full((1, 1, 1), -4.0, device=device), -4.0),
        "slice at offset 7": (base[7:8], 7.0),
        "transpose element": (base[:6].reshape(2, 3).t()[2:3, 1:2], 5.0),
        "expanded scalar": (torch.tensor(6.5, device=device).expand(1, 1), 6.5),
        "indexed element": (base[4], 4.0),
        "int64 slice at offset 2": (ints[2:3], 5),
    }
    got = {k: t.item() for k, (t, _) in cases.items()}
    claim.equal({k: type(v).__name__ for k, v in got.items()}, {k: type(v).__name__ for k, (_, v) in cases.items()},
                ".item() of one-element tensors gives Python numbers (type)")
    claim.observe("values", got)
    claim.equal(got, {k: v for k, (_, v) in cases.items()}, ".item() of one-element tensors and views")


@spec("tensor.item")
def test_item_refuses_several_elements(claim, device):
    """§11: .item() needs exactly one element: two, six (2-D) and zero elements are refused and
    the message says so. Under the registry's ``runtime-error`` expectation (newest releases)
    it is a RuntimeError ('a Tensor with N elements cannot be converted to Scalar'); before, a
    ValueError ('only one element tensors can be converted to Python scalars')."""
    wanted = RuntimeError if claim.expects("runtime-error") else ValueError
    cases = {"(2,)": torch.ones(2, device=device), "(2, 3)": torch.ones(2, 3, device=device),
             "(0,)": torch.ones(0, device=device), "(2, 0)": torch.ones(2, 0, device=device)}
    for name, t in cases.items():
        with claim.raises(wanted, match=r"element", record="error %s" % name):
            t.item()


@spec("tensor.item")
def test_float_int_bool_and_tolist_spellings(claim, device):
    """§11: other ways to get the number: float(t) and int(t) (also exact for float64 and for
    int64 beyond 2**53), bool(t), and t.tolist(), which on a 0-dim tensor gives the number itself
    (on shape (1,) a list of one); float() of several elements is refused (ValueError)."""
    f64 = torch.tensor(1.0 / 3.0, dtype=torch.float64, device=device)
    big = torch.tensor(2 ** 63 - 1, device=device)
    seen = {
        "float(float64)": float(f64), "int(int64)": int(big), "int(float32 2.7)": int(torch.tensor(2.7, device=device)),
        "float(int64 3)": float(torch.tensor(3, device=device)), "bool(0.0)": bool(torch.tensor(0.0, device=device)),
        "bool(-0.5)": bool(torch.tensor(-0.5, device=device)), "tolist(float64)": f64.tolist(),
        "tolist(int64)": torch.tensor(2 ** 53 + 1, device=device).tolist(),
        "tolist((1,))": torch.tensor([2.5], device=device).tolist(),
    }
    claim.observe("values", {k: repr(v) for k, v in seen.items()})
    claim.equal(seen, {"float(float64)": 1.0 / 3.0, "int(int64)": 2 ** 63 - 1, "int(float32 2.7)": 2,
                       "float(int64 3)": 3.0, "bool(0.0)": False, "bool(-0.5)": True, "tolist(float64)": 1.0 / 3.0,
                       "tolist(int64)": 2 ** 53 + 1, "tolist((1,))": [2.5]},
                "what each spelling gives")
    claim.equal({k: type(v).__name__ for k, v in seen.items() if k.startswith("tolist(") and "(1,)" not in k},
                {"tolist(float64)": "float", "tolist(int64)": "int"}, "tolist() of a 0-dim tensor is a number, not a list")
    with claim.raises(ValueError, match=r"element", record="float_of_two_elements"):
        float(torch.ones(2, device=device))


# ------------------------------------------------------------------------ accumulate-tensor-keeps-graph
def _graph_size(total):
    """Autograd nodes reachable from a running total (0 for a plain float)."""
    return len(autograd_nodes(total)) if isinstance(total, torch.Tensor) else 0


def _running_total(iterations, use_item, device):
    model = torch.nn.Linear(3, 1).to(device)
    batches = (torch.full((2, 3), float(i), device=device) for i in range(iterations))
    return running_loss_total(model, batches, use_item)


def _losses(n, device, model=None):
    model = model if model is not None else torch.nn.Linear(3, 1).to(device)
    return model, [model(torch.full((2, 3), float(i + 1), device=device)).pow(2).mean() for i in range(n)]


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


@spec("autograd.accumulate-tensor-keeps-graph")
def test_other_ways_to_add_up_tensor_losses(claim, device):
    """§11: the same happens however the tensor total is written: total = total + loss,
    sum(losses), torch.stack(losses).sum(), and += into a torch.zeros(()) total; each keeps
    every loss's graph (it grows with the number of losses, and backward reaches every one).
    Their value is the sum of the losses."""
    def spellings(losses):
        plus = 0.0
        for loss in losses:
            plus = plus + loss
        zeros = torch.zeros((), device=device)
        for loss in losses:
            zeros += loss
        return {"total = total + loss": plus, "sum(losses)": sum(losses),
                "torch.stack(losses).sum()": torch.stack(losses).sum(), "zeros(()) += loss": zeros}

    model, losses = _losses(3, device)
    fewer = spellings(losses[:1])
    totals = spellings(losses)
    sizes = claim.observe("graph_nodes_1_and_3_losses", {
        k: [_graph_size(t) if t.requires_grad else 0 for t in (fewer[k], totals[k])] for k in totals})
    claim.equal({k: s[0] < s[1] for k, s in sizes.items()}, dict.fromkeys(sizes, True),
                "the graph kept by each spelling grows from 1 to 3 losses")
    expected = sum(float(loss.detach()) for loss in losses)
    for loss in losses:
        loss.backward(retain_graph=True)
    reference = model.weight.grad.clone()
    for name, total in totals.items():
        claim.close(total.detach(), torch.tensor(expected), "the value of %s" % name, rtol=1e-5)
        model.zero_grad()
        total.backward(retain_graph=True)
        claim.close(model.weight.grad, reference, "backward through %s reaches every loss (weight grad)" % name)


@spec("autograd.accumulate-tensor-keeps-graph")
def test_totals_of_detached_losses_keep_nothing(claim, device):
    """§11: like .item(), loss.detach() and float(loss) cut the graph off: a total of
    detached losses is a tensor that requires no grad and has no graph; a total of float(loss)
    is a float. The values equal the tensor total's."""
    _, losses = _losses(4, device)
    detached = 0.0
    floats = 0.0
    with claim.warnings(record="warnings"):  # newer releases warn on float() of a tensor requiring grad
        for loss in losses:
            detached += loss.detach()
            floats += float(loss)
    seen = claim.observe("detached_total", {"type": type(detached).__name__, "requires_grad": detached.requires_grad,
                                            "grad_fn": detached.grad_fn, "float_total_type": type(floats).__name__})
    claim.equal(seen, {"type": "Tensor", "requires_grad": False, "grad_fn": None, "float_total_type": "float"},
                "a total of loss.detach() (type, requires_grad, grad_fn) and of float(loss) (type)")
    claim.close(detached, torch.tensor(floats), "the detached total equals the float total", rtol=1e-5)


class _Marker(object):
    """A gradient hook that does nothing: alive exactly as long as the graph node holding it."""

    def __call__(self, grad):
        return None


@spec("autograd.accumulate-tensor-keeps-graph")
def test_what_a_running_total_keeps_alive(claim, device):
    """§11, the memory: each iteration's graph (here marked by a hook on its loss) stays alive as
    long as a tensor total does, after its backward too, and is freed with the total; with
    .item() no iteration's graph outlives the iteration."""
    def run(use_item):
        model = torch.nn.Linear(3, 1).to(device)
        refs, total = [], 0.0
        for i in range(4):
            loss = model(torch.full((2, 3), float(i), device=device)).pow(2).mean()
            marker = _Marker()
            refs.append(weakref.ref(marker))
            loss.register_hook(marker)
            del marker
            total += loss.item() if use_item else loss
        return total, refs

    def alive(refs):
        return sum(r() is not None for r in refs)

    total, refs = run(False)
    seen = {"tensor_total": alive(refs)}
    total.backward()
    seen["tensor_total_after_backward"] = alive(refs)
    del total
    seen["tensor_total_deleted"] = alive(refs)
    total, refs = run(True)
    seen["item_total"] = alive(refs)
    claim.observe("graphs_alive_of_4", seen)
    claim.equal(seen, {"tensor_total": 4, "tensor_total_after_backward": 4, "tensor_total_deleted": 0, "item_total": 0},
                "iteration graphs alive (of 4): tensor total, after its backward, after del, .item() total")
