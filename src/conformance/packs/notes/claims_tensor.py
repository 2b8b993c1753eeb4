"""Claims of the notes pack: numbers out of a loss: indexing, .item(), running totals (§4, §11).

One record per claim: what the note says (paraphrased), what is true per release range with
its evidence, and the reach of its specs (``checks``: what they probe, each with the spec and
the breakage that shows the probe can fail; ``not_checked``: what they leave out, and why).
The specs are ``specs/spec_tensor.py``; the breakages ``tests/breakages/tensor.py``.
Imports nothing heavy: the CLI, report and diff read it without torch.
"""
from conformance import verdicts as V
from conformance.records import EVERY_RUN, Check, Claim, Expectation, Idiom, NotChecked, always  # noqa: F401

_INDEX_TRUTH = ("A loss is a 0-dim tensor, and indexing it raises IndexError ('invalid index of a "
                "0-dim tensor. Use tensor.item() ...'), for every dtype and also on the loss itself; use "
                "loss.item(). t[()], t[...] and t[None] work; indexing a one-element tensor gives a 0-dim "
                "tensor, not a number.")
_ITEM_TRUTH = ("float for floating tensors (every dtype, to the last bit, NaN, inf and -0.0 kept), int "
               "for integer tensors (exact beyond 2**53), from any one-element tensor or view; ")

# What the note was doing (the setting of a claim page), shared by several claims
LOSS = ("§4 and §11 print the running loss of a training loop. Under 0.3 a loss was a Variable holding a "
         "one-element tensor, so loss.data[0] read the number and total_loss += loss.data[0] summed it; "
         "§11 notes that 0.4 made losses 0-dim tensors.")

# The examples: each function's body is a runnable script (claim pages, explain; tests/test_examples.py runs it)

def _loss_data_index():
    import torch

    loss = torch.nn.functional.mse_loss(torch.randn(4, 3), torch.zeros(4, 3))
    assert loss.dim() == 0  # a loss is a 0-dim tensor
    try:
        loss.data[0]
    except IndexError as err:
        assert "item()" in str(err)
    else:
        raise AssertionError("indexing a 0-dim loss should fail")
    assert isinstance(loss.item(), float)  # what to write today


def _item():
    import torch

    assert type(torch.tensor(2.5).item()) is float
    assert type(torch.tensor(3).item()) is int
    assert type(torch.tensor(True).item()) is bool
    assert torch.tensor([2.5]).item() == 2.5  # any one-element tensor


def _accumulate_tensor_keeps_graph():
    import torch

    model = torch.nn.Linear(3, 1)
    total = 0.0
    for i in range(10):
        loss = model(torch.full((2, 3), float(i))).pow(2).mean()
        total += loss  # a tensor: every iteration's graph stays reachable from total
    assert isinstance(total, torch.Tensor) and total.grad_fn is not None

    total = 0.0
    for i in range(10):
        loss = model(torch.full((2, 3), float(i))).pow(2).mean()
        total += loss.item()  # a float: nothing is kept
    assert isinstance(total, float)


CLAIMS = (
    Claim(
        "tensor.loss-data-index", (4, 11),
        "loss.data[0] gives the loss value as a Python number.",
        (
            Expectation(
                ">=1.1", V.OUTDATED, _INDEX_TRUTH + " Other indices (-1, 1) are an IndexError too (its message "
                "names the dimension: 'dimension specified as 0 but tensor has no dimensions' up to 1.4, "
                "'index 1 is out of bounds for dimension 0 with size 0' from 1.5).",
                since="1.1.0",
                evidence="run: loss.data[0] is an IndexError on every release run; 1.1.0 a 0-dim tensor's [-1] "
                "and [1] raise IndexError 'dimension specified as 0 but tensor has no dimensions'; 1.0.1 raises "
                "RuntimeError with that message; 1.5.0 words the IndexError 'index -1 is out of bounds for "
                "dimension 0 with size 0', 1.4.0 as 1.1.0; docs: 0.4.0 release notes (losses became 0-dim)",
            ),
            Expectation(
                "<1.1", V.OUTDATED, _INDEX_TRUTH + " Other indices (-1, 1) are a RuntimeError ('dimension "
                "specified as 0 but tensor has no dimensions').",
                key="other-indices-runtime-error", since="0.4.0",
                evidence="run: 1.0.0 and 1.0.1 a 0-dim tensor's [-1] and [1] raise RuntimeError 'dimension "
                "specified as 0 but tensor has no dimensions'; docs: 0.4.0 release notes (losses became 0-dim)",
            ),
        ),
        observe="exception and message",
        area="tensor",
        checks=(
            Check("note-example", "example", "loss.data[0] of an mse_loss (0-dim) is an IndexError that points to "
                  ".item()", "test_indexing_a_scalar_loss_fails", "data_of_a_scalar_is_one_dimensional", ("Tensor.data",)),
            Check("loss-itself", "spelling", "loss[0] on the loss that requires grad, and loss.detach()[0], are "
                  "refused the same way", "test_indexing_the_loss_itself_fails", "graph_scalars_index_like_0_3",
                  ("Tensor.__getitem__", "Tensor.detach")),
            Check("dtypes-and-indices", "values", "0-dim float64, int64 and bool tensors refuse [0] with the .item() "
                  "message; indices -1 and 1 are refused too (error type by release)",
                  "test_other_dtypes_and_indices_of_a_0dim_tensor", "zero_dim_integers_index_like_0_3",
                  ("Tensor.__getitem__",)),
            Check("working-forms", "shapes", "t[()], t[...] (0-dim), t[None] (shape (1,)), and [0] of shape (1,) and "
                  "[0, 0] of (1, 1) tensors give 0-dim tensors, not Python numbers, holding the value",
                  "test_the_ways_that_do_index_a_0dim_tensor", "one_element_index_gives_a_number",
                  ("Tensor.__getitem__", "Tensor.reshape", "Tensor.view", "Tensor.unsqueeze")),
        ),
        not_checked=(
            NotChecked("indexing 0-dim tensors with tensors or boolean masks (t[torch.tensor(0)], t[t > 0])",
                       "advanced indexing is not the note's idiom; the note's loss.data[0] and its fixes are checked"),
        ),
        answer="loss.data[0] raises IndexError ('invalid index of a 0-dim tensor ...'): a loss is a 0-dim tensor. "
        "Write loss.item() to get the Python number.",
        setting=LOSS,
        topic='Numbers out of a loss',
        idioms=(
            Idiom('`loss.data[0]`',
                  '`loss.item()`',
                  also=('tensor.item',)),
        ),
        questions=('Does `loss.data[0]` still work?',),
        example=_loss_data_index,
    ),
    Claim(
        "tensor.item", (11,),
        "loss.item() gives a Python number from a one-element tensor.",
        (
            Expectation(
                ">=2.0", V.HOLDS,
                _ITEM_TRUTH + "bool for bool tensors (bfloat16 too). Several or no elements: RuntimeError "
                "'a Tensor with N elements cannot be converted to Scalar'.",
                key="runtime-error", since="2.0.0",
                evidence="run: 2.0.0 torch.ones(2).item() raises RuntimeError 'a Tensor with 2 elements cannot be "
                "converted to Scalar'; 1.13.1 raises ValueError 'only one element tensors can be converted to "
                "Python scalars'",
            ),
            Expectation(
                ">=1.2,<2.0", V.HOLDS,
                _ITEM_TRUTH + "bool for bool tensors (bfloat16 too). Several or no elements: ValueError "
                "'only one element tensors can be converted to Python scalars'.",
                key="value-error", since="1.2.0",
                evidence="run: 1.2.0 torch.tensor(True) is torch.bool and .item() gives bool, and torch.bfloat16 "
                "exists and .item() of it gives the value exactly (NaN, inf, -0.0 too); 1.1.0 makes "
                "torch.tensor(True) torch.uint8 (.item() gives int) and has no torch.bfloat16",
            ),
            Expectation(
                "<1.2", V.HOLDS,
                _ITEM_TRUTH + "there is no bool dtype yet: torch.tensor(True) is a uint8 tensor, so .item() "
                "gives int (1); no bfloat16 dtype. Several or no elements: ValueError.",
                key="no-bool",
                evidence="run: 1.0.0, 1.0.1 and 1.1.0 make torch.tensor(True) torch.uint8, .item() gives int, "
                "and have no torch.bfloat16",
            ),
        ),
        observe="type; values at the precision edges; error per shape",
        area="tensor",
        checks=(
            Check("note-example", "example", "loss.item() of an mse_loss is a float equal to the loss; int from "
                  "int64, False/True from bool tensors (0/1 on the oldest releases), float from shape (1,)",
                  "test_item_gives_a_python_number", "item_of_bool_gives_int", ("Tensor.item",)),
            Check("float-precision", "values", "float16, bfloat16, float32 and float64 values needing every mantissa "
                  "bit, the largest finite value and the smallest subnormal come back exactly (float64 bit for bit)",
                  "test_item_keeps_full_float_precision", "item_of_float64_through_float32", ("Tensor.item",)),
            Check("special-values", "values", "NaN, inf, -inf, -0.0 (its sign) and 0.0 of every floating dtype",
                  "test_item_keeps_nan_inf_and_the_sign_of_zero", "item_drops_the_sign_of_zero", ("Tensor.item",)),
            Check("integers", "values", "int64 2**53 + 1, 2**63 - 1 and -2**63, and the ends of int32, int16, int8 and "
                  "uint8, exact and int", "test_item_gives_exact_integers",
                  "item_of_int64_through_float64", ("Tensor.item",)),
            Check("one-element-shapes", "shapes", "shapes (1,), (1, 1), (1, 1, 1), a slice at an offset, a strided "
                  "element of a transpose, an expanded scalar, an indexed element, an int64 slice",
                  "test_item_of_one_element_tensors_of_any_shape", "item_reads_the_start_of_the_base",
                  ("Tensor.item",)),
            Check("several-elements", "errors", "shapes (2,), (2, 3), (0,) and (2, 0) are refused, with a message about "
                  "elements (error type by release, message recorded)", "test_item_refuses_several_elements",
                  "item_returns_the_first_element", ("Tensor.item",)),
            Check("other-spellings", "spelling", "float(t), int(t) (exact for float64 and int64 2**63 - 1), bool(t), "
                  "t.tolist() (a number for 0-dim, a list for (1,)), and float() of two elements refused",
                  "test_float_int_bool_and_tolist_spellings", "tolist_of_a_0dim_tensor_gives_a_list",
                  ("Tensor.tolist", "Tensor.__float__", "Tensor.__int__", "Tensor.__bool__")),
        ),
        not_checked=(
            NotChecked("complex tensors (.item() gives complex)", "the note's losses are real; complex dtypes are "
                       "missing on the oldest releases"),
            NotChecked(".item() on CUDA tensors (a device sync)", "CUDA-only: no GPU in CI; the specs take the "
                       "device parameter and run there in gpu-check"),
        ),
        answer=".item() turns any one-element tensor into a Python number: float for floating tensors, int for "
        "integer ones, bool for bool ones.",
        setting=LOSS,
        topic='Numbers out of a loss',
        example=_item,
    ),
    Claim(
        "autograd.accumulate-tensor-keeps-graph", (11,),
        "total_loss += loss without .item() keeps every iteration's graph alive and memory "
        "grows; with .item() it does not.",
        always(V.HOLDS, "The autograd graph reachable from the running total grows linearly with "
                "the number of iterations; with .item() the total is a float and nothing is kept.", EVERY_RUN),
        observe="growth measured",
        area="tensor",
        checks=(
            Check("note-example", "example", "total += loss over 10, 20 and 40 iterations: the graph grows linearly; "
                  "total += loss.item() is a float", "test_total_of_tensor_losses_keeps_every_graph",
                  "item_returns_a_tensor", ("Tensor.__iadd__", "Tensor.__radd__", "Tensor.item")),
            Check("other-sums", "spelling", "total = total + loss, sum(losses), torch.stack(losses).sum() and "
                  "zeros(()) += loss each keep every loss's graph (grows from 1 to 3 losses; backward reaches all)",
                  "test_other_ways_to_add_up_tensor_losses", "scalar_add_drops_the_graph",
                  ("Tensor.__add__", "torch.stack", "Tensor.backward")),
            Check("detached-totals", "spelling", "totals of loss.detach() (a tensor without grad or graph) and of "
                  "float(loss) (a float) keep nothing, with the same value", "test_totals_of_detached_losses_keep_nothing",
                  "detach_keeps_the_graph", ("Tensor.detach", "Tensor.__float__")),
            Check("kept-alive", "state", "each iteration's graph stays alive with a tensor total, after its backward "
                  "too, and is freed with it; with .item() none outlives its iteration",
                  "test_what_a_running_total_keeps_alive", "item_keeps_its_tensor",
                  ("Tensor.item", "Tensor.register_hook", "Tensor.backward")),
        ),
        not_checked=(
            NotChecked("bytes of memory held", "CPU has no allocator counter on every release; the graph nodes and "
                       "what they keep alive are measured instead"),
            NotChecked("totals accumulated under torch.no_grad() (an evaluation loop)", "nothing is recorded there: "
                       "that is autograd.no-grad-inherited's claim"),
        ),
        answer="total_loss += loss keeps every iteration's autograd graph reachable from the total, which grows "
        "linearly; total_loss += loss.item() adds a float and keeps nothing.",
        setting=LOSS + " It adds that summing the tensors themselves makes the total drag their autograd history "
        "along, costing memory.",
        topic='Numbers out of a loss',
        idioms=(
            Idiom('`total_loss += loss`',
                  '`total_loss += loss.item()`',
                  also=('tensor.item',)),
        ),
        questions=('Does `total_loss += loss` keep memory alive?',),
        example=_accumulate_tensor_keeps_graph,
    ),
)
