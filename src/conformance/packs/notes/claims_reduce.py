"""Claims of the notes pack: torch.max over a dimension (§10).

One record per claim: what the note says (paraphrased), what is true per release range with
its evidence, and the reach of its specs (``checks``: what they probe, each with the spec and
the breakage that shows the probe can fail; ``not_checked``: what they leave out, and why).
The specs are ``specs/spec_reduce.py``; the breakages ``tests/breakages/reduce.py``.
Imports nothing heavy: the CLI, report and diff read it without torch.
"""
from conformance import verdicts as V
from conformance.records import EVERY_RUN, Check, Claim, Expectation, Idiom, NotChecked, always  # noqa: F401


def _over_a_dim(d, neg, other, label_check=()):
    """The expectations, checks and not-checked items shared by the dim-0 and dim-1 claims."""
    what = "each column's maximum and its row index" if d == 0 else "each row's maximum and its column index"
    expectations = (
        Expectation(
            ">=1.9", V.HOLDS,
            "As stated (%s), in every public form: torch.max(a, %d), Tensor.max, dim=/keepdim=/out=, "
            "dim %d, 3-D and non-contiguous inputs; integers stay exact (also beyond 2**53), bool "
            "and float64 too; NaN is the maximum, at the first NaN; torch.argmax and torch.amax "
            "agree. A tensor empty along the other dim gives empty results; an empty reduced dim "
            "raises IndexError ('max(): Expected reduction dim %d to have non-zero size.')." % (what, d, neg, d),
            key="reduced-dim-indexerror", since="1.9.0",
            evidence="run: 1.9.0 returns empty values and indices for a tensor empty along the other "
            "dim and raises IndexError 'max(): Expected reduction dim %d to have non-zero size.' for an "
            "empty reduced dim; 1.8.1 raises RuntimeError 'cannot perform reduction function max on "
            "tensor with no elements because the operation does not have an identity' for both" % d,
        ),
        Expectation(
            ">=1.7,<1.9", V.HOLDS,
            "As from 1.9, except that any empty input raises RuntimeError ('cannot perform reduction "
            "function max on tensor with no elements because the operation does not have an "
            "identity'), also one empty along the other dim only.",
            key="empty-raises", since="1.7.0",
            evidence="run: 1.7.0 has torch.amax; 1.6.0 has not",
        ),
        Expectation(
            ">=1.2,<1.7", V.HOLDS,
            "As from 1.7, except that there is no torch.amax.",
            key="no-amax", since="1.2.0",
            evidence="run: 1.2.0 makes bool tensors of Python bools and gives bool maxima of them; "
            "1.1.0 makes uint8 tensors of them and raises RuntimeError '\"max\" not implemented for "
            "'Bool'' for a torch.bool tensor",
        ),
        Expectation(
            ">=1.1,<1.2", V.HOLDS,
            "As from 1.2, except that bool inputs are not covered: torch.bool exists, but a tensor "
            "of Python bools is uint8 and torch.max of a torch.bool tensor raises RuntimeError "
            "('\"max\" not implemented for 'Bool'').",
            key="bool-without-max", since="1.1.0",
            evidence="run: 1.1.0 has torch.bool and raises IndexError 'Dimension out of range' for "
            "dim -3 of a matrix; 1.0.1 has no torch.bool and raises RuntimeError there",
        ),
        Expectation(
            "<1.1", V.HOLDS,
            "As from 1.1, except that there is no bool dtype (a tensor of Python bools is uint8) and "
            "a dim out of range raises RuntimeError, not IndexError.",
            key="no-bool",
            evidence="run: 1.0.1 makes uint8 tensors of bools and raises RuntimeError 'Dimension out "
            "of range' for dim -3 of a matrix",
        ),
    )
    example = "test_max_over_dim%d_gives_%s" % (d, "column_maxima_and_row_indices" if d == 0 else "row_maxima_and_column_indices")
    checks = (
        Check("example", "example",
              "torch.max(a, %d) on float32 matrices of 1..7 x 1..7 distinct values, the note's 3x3 "
              "example among them, against numpy" % d, example, "max_of_a_plain_matrix_returns_min",
              apis=("torch.max",)),
        Check("argmax-agrees", "spelling", "torch.argmax(a, %d) gives the same indices" % d, example,
              "argmax_returns_the_min_index", apis=("torch.argmax",)),
        Check("amax-agrees", "spelling", "torch.amax(a, %d) gives the same values (where it exists; "
              "its absence is checked before)" % d, example, "amax_returns_amin", apis=("torch.amax",)),
    ) + label_check + (
        Check("method", "spelling", "the method a.max(%d) and a.max(dim=%d)" % (d, d),
              "test_max_dim%d_other_spellings" % d, "tensor_max_returns_min", apis=("Tensor.max",)),
        Check("dim-keyword", "spelling", "dim= as a keyword: torch.max(a, dim=%d), torch.max(input=a, dim=%d)" % (d, d),
              "test_max_dim%d_other_spellings" % d, "max_dim_keyword_reduces_the_other_dim", apis=("torch.max",)),
        Check("keepdim", "spelling", "keepdim=True, positional and keyword, function and method: "
              "the reduced dim kept with size 1", "test_max_dim%d_other_spellings" % d, "max_keepdim_ignored",
              apis=("torch.max", "Tensor.max")),
        Check("out", "spelling", "out=(values, indices): the out tensors are filled and are the result",
              "test_max_dim%d_other_spellings" % d, "max_out_leaves_the_out_tensors_alone", apis=("torch.max",)),
        Check("int64-exact", "values", "int64 beyond 2**53 and at its limits kept exact; int32 limits, "
              "int8 and uint8; values keep the input dtype, indices are int64",
              "test_max_dim%d_dtypes" % d, "max_of_int64_goes_through_float64", apis=("torch.max",)),
        Check("float64-exact", "values", "float64 maxima that need all 53 bits (1 + 2**-40 vs 1) and "
              "values beyond float32's range", "test_max_dim%d_dtypes" % d, "max_of_float64_goes_through_float32",
              apis=("torch.max",)),
        Check("bool", "values", "bool inputs give bool maxima (where max has a Bool kernel; on the "
              "oldest releases the absence of torch.bool is checked, on 1.1 the uint8 tensor of bools "
              "and the RuntimeError of max on a torch.bool tensor)", "test_max_dim%d_dtypes" % d, "max_of_bool_returns_uint8",
              apis=("torch.max",)),
        Check("nan-inf", "values", "NaN propagates (the maximum, at the first NaN), also among 1000 "
              "elements; +inf wins and -inf loses; float32 and float64",
              "test_max_dim%d_nan_and_infinities" % d, "max_ignores_nan", apis=("torch.max",)),
        Check("negative-dims", "shapes", "dim %d on a matrix, %d on a 3-D input, and -3 out of range "
              "(the error type)" % (neg, d - 3), "test_max_dim%d_shapes" % d,
              "max_negative_dim_counts_from_the_front", apis=("torch.max",)),
        Check("3d-and-one-element", "shapes", "2x3x4 inputs over dim %d; a 1x1 input and a reduced "
              "dim of size 1" % d, "test_max_dim%d_shapes" % d, "max_of_3d_gives_zero_indices",
              apis=("torch.max",)),
        Check("non-contiguous", "shapes", "a transposed matrix and a slice with steps ([::2, 1::3])",
              "test_max_dim%d_shapes" % d, "max_of_a_strided_view_reads_memory_order", apis=("torch.max",)),
        Check("empty", "errors", "an input empty along the other dim (empty results, or the error "
              "where the expectation says so) and along the reduced dim (an error, message recorded)",
              "test_max_dim%d_shapes" % d, "max_of_an_empty_dim_returns_minus_inf", apis=("torch.max",)),
    )
    not_checked = (
        NotChecked("the same probes on CUDA tensors",
                   "no GPU in CI; every spec takes the device fixture, so scripts/gpu-check.sh runs them on CUDA"),
        NotChecked("float16, bfloat16 and complex inputs",
                   "half precision has no CPU max kernel on the oldest releases ('\"max\" not implemented "
                   "for torch.HalfTensor' on 1.0.1) and complex has no order; the note's tensors are float32"),
        NotChecked("torch.max(a) (the overall maximum) and torch.max(a, b) (elementwise)",
                   "other overloads of torch.max, not the reduction over a dimension the note describes"),
        NotChecked("a dim given by name (named tensors)", "a prototype feature missing from the oldest "
                   "releases; the note uses integer dims"),
        NotChecked("gradients through the maxima", "the note uses torch.max for values and labels only"),
    )
    return expectations, checks, not_checked


_D0 = _over_a_dim(0, -2, 1)
_D1 = _over_a_dim(1, -1, 0, label_check=(
    Check("predicted-label", "example", "torch.max(scores, 1)[1] on a model's class scores (they "
          "require grad): int64 labels, one per row, numpy's argmax",
          "test_max_dim1_index_is_the_predicted_label", "max_with_grad_returns_the_min_indices",
          apis=("torch.max",)),
))

# What the note was doing (the setting of a claim page), shared by several claims
MAX = ("§10 describes torch.max(a, dim) on a 3x3 tensor of random scores: over dim 0 it returns each "
        "column's maximum with its row, over dim 1 each row's maximum with its column, and [1] of the "
        "latter serves as the predicted label on MNIST, whose classes count from 0.")

# The examples: each function's body is a runnable script (claim pages, explain; tests/test_examples.py runs it)

def _max_dim0():
    import torch

    a = torch.tensor([[1.0, 9.0], [5.0, 2.0], [3.0, 4.0]])
    values, indices = torch.max(a, 0)  # one result per column
    assert values.tolist() == [5.0, 9.0] and indices.tolist() == [1, 0]  # row of each maximum


def _max_dim1():
    import torch

    scores = torch.tensor([[0.3856, -0.7356, 0.0876], [0.9246, -0.9074, 0.4152], [0.7600, 1.1790, -0.8748]])
    pred = torch.max(scores, 1)[1]  # column of each row's maximum: the predicted label
    assert pred.tolist() == [0, 0, 1]
    assert torch.equal(pred, scores.argmax(1))  # the same, said directly


def _max_result_type():
    import torch

    result = torch.max(torch.tensor([[1.0, 5.0], [7.0, 2.0]]), 1)
    assert type(result).__module__ == "torch.return_types"  # a named tuple, torch.return_types.max
    assert result.values.tolist() == [5.0, 7.0] and result.indices.tolist() == [1, 0]
    values, indices = result  # it still unpacks as a pair
    assert indices is result[1]


def _max_ties():
    import torch

    a = torch.tensor([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [0.0, 0.0, 5.0, 5.0]])
    assert torch.max(a, 1).indices.tolist() == [1, 0, 2]  # the first of the tied maxima


CLAIMS = (
    Claim(
        "reduce.max-dim0", (10,),
        "torch.max(a, 0) returns each column's maximum and the row index where it sits.",
        _D0[0],
        observe="values and indices per form, dtype and shape; the error messages of empty inputs and bad dims",
        area="reduce",
        checks=_D0[1],
        not_checked=_D0[2],
        answer="torch.max(a, 0) returns each column's maximum and the row where it sits, as the note says.",
        setting=MAX,
        topic='torch.max over a dimension',
        example=_max_dim0,
    ),
    Claim(
        "reduce.max-dim1", (10,),
        "torch.max(a, 1) returns each row's maximum and its column index; [1] of it is the "
        "predicted label for rows of class scores.",
        _D1[0],
        observe="values and indices per form, dtype and shape; the error messages of empty inputs and bad dims",
        area="reduce",
        checks=_D1[1],
        not_checked=_D1[2],
        answer="torch.max(a, 1) returns each row's maximum and its column; torch.max(scores, 1)[1] (or "
        "scores.argmax(1)) is the predicted label.",
        setting=MAX,
        topic='torch.max over a dimension',
        idioms=(
            Idiom('`torch.max(a, 1)[1]` as the predicted label',
                  'the same, or `a.argmax(1)`',
                  also=('reduce.max-dim0',)),
        ),
        example=_max_dim1,
    ),
    Claim(
        "reduce.max-result-type", (10,),
        "The result is a pair (values, indices).",
        (
            Expectation(
                ">=1.1", V.HOLDS_WITH_CAVEAT,
                "It is a named tuple (torch.return_types.max; torch.return_types.max_out for out=) "
                "with fields .values and .indices, for every spelling; it still unpacks and indexes "
                "as a pair.",
                key="named", since="1.1.0",
                evidence="run: 1.1.0 returns torch.return_types.max with .values/.indices; "
                "1.0.1 returns builtins.tuple",
            ),
            Expectation(
                "<1.1", V.HOLDS,
                "A plain tuple (values, indices), as the note prints it, with no .values/.indices "
                "fields, for every spelling (out= gives back the out tensors).",
                key="plain",
                evidence="run: 1.0.1 returns builtins.tuple without .values or .indices",
            ),
        ),
        observe="result type name and fields, per spelling",
        area="reduce",
        checks=(
            Check("example", "example", "torch.max(a, 1), the note's call: its type, fields, length, "
                  "unpacking and indexing", "test_max_result_is_a_named_pair",
                  "max_positional_call_returns_a_plain_tuple", apis=("torch.max",)),
            Check("method", "spelling", "the method a.max(1), a.max(dim=1), a.max(1, keepdim=True)",
                  "test_max_result_type_of_every_spelling", "tensor_max_returns_a_plain_tuple",
                  apis=("Tensor.max",)),
            Check("keywords", "spelling", "torch.max(a, dim=1), torch.max(a, 1, keepdim=True), a 3-D "
                  "input with dim=-1", "test_max_result_type_of_every_spelling",
                  "max_with_keywords_returns_a_plain_tuple", apis=("torch.max",)),
            Check("out", "spelling", "out=(values, indices): a torch.return_types.max_out holding the "
                  "out tensors", "test_max_result_type_of_every_spelling", "max_out_returns_a_plain_tuple",
                  apis=("torch.max",)),
        ),
        not_checked=(
            NotChecked("pickling the result, and TorchScript's view of it",
                       "the note only unpacks and indexes the result"),
            NotChecked("the result on CUDA", "no GPU in CI; the specs take the device fixture, so "
                       "scripts/gpu-check.sh runs them on CUDA"),
        ),
        answer="The result is a named tuple, torch.return_types.max, with fields .values and .indices; it still "
        "unpacks and indexes as a pair.",
        setting=MAX,
        topic='torch.max over a dimension',
        idioms=(
            Idiom('the result printed as a pair `(values, indices)`',
                  '`result.values`, `result.indices` (still a pair)'),
        ),
        example=_max_result_type,
    ),
    Claim(
        "reduce.max-ties", (10,),
        "(implied) The index returned is that of 'the' maximum; which one comes back when a row "
        "has several equal maxima?",
        (
            Expectation(
                ">=1.7", V.HOLDS_WITH_CAVEAT,
                "On ties the index of the first maximal value comes back (documented), for every "
                "dtype, dim, layout and spelling, torch.argmax too, on every device run; the value "
                "is the chosen element (a -0.0 stays -0.0). Among several NaNs, the first NaN.",
                key="first", since="1.7.0",
                evidence="run: 1.7.0 torch.argmax and Tensor.argmax return [1, 0, 1] (the first tied "
                "maxima) for rows whose maxima tie at [1, 2], [0, 1, 2, 3], [1, 3]; 1.6.0 returns "
                "[2, 3, 3] (the last) there while torch.max returns [1, 0, 1]",
            ),
            Expectation(
                ">=1.6,<1.7", V.HOLDS_WITH_CAVEAT,
                "As from 1.7 for torch.max and Tensor.max (the first of tied maxima), but torch.argmax "
                "and Tensor.argmax still return the index of the last maximal value on the CPU.",
                key="first-max-last-argmax", since="1.6.0",
                evidence="run: 1.6.0 returns [1, 0, 2] for rows whose maxima tie at [1, 2], "
                "[0, 1, 2, 3], [2, 3], and 7 for a long row (torch.max); 1.5.1 returns [2, 3, 3] and 997",
            ),
            Expectation(
                "<1.6", V.HOLDS_WITH_CAVEAT,
                "On ties the CPU returns the index of the last maximal value, for every dtype and "
                "dim and in torch.argmax, except for a transposed (non-contiguous) input, where it "
                "returns the first; among several NaNs, the first NaN.",
                key="last",
                evidence="run: 1.0.1 .. 1.5.1 return [2, 3, 3] and 997 (the last tied maxima); 1.0.1 "
                "and 1.4.0 return the first tie for a transposed matrix",
            ),
        ),
        observe="index on each device, per dtype, shape and spelling",
        area="reduce",
        checks=(
            Check("example", "example", "float32 rows with ties at [1, 2], [0..3], [2, 3] and a row of "
                  "1000 with 331 tied maxima, torch.max(a, 1)", "test_max_ties_index",
                  "max_ties_of_a_float_matrix_pick_the_last", apis=("torch.max",)),
            Check("dtypes", "values", "int64, int32, uint8, float64 and bool rows",
                  "test_max_ties_in_other_dtypes_shapes_and_forms", "integer_max_ties_pick_the_last",
                  apis=("torch.max",)),
            Check("dims-and-layouts", "shapes", "over dim 0, with keepdim=True, over the middle dim of "
                  "a 3-D input, and on a transposed input", "test_max_ties_in_other_dtypes_shapes_and_forms",
                  "max_ties_over_a_strided_dim_pick_the_last", apis=("torch.max",)),
            Check("special-values", "values", "rows of -inf, of several NaNs, and of signed zeros (the "
                  "value is the chosen zero, sign included)", "test_max_ties_in_other_dtypes_shapes_and_forms",
                  "max_of_signed_zeros_returns_positive_zero", apis=("torch.max",)),
            Check("method", "spelling", "the method a.max(1), a.max(dim=0)",
                  "test_max_ties_in_other_dtypes_shapes_and_forms", "tensor_max_ties_pick_the_last",
                  apis=("Tensor.max",)),
            Check("argmax", "spelling", "torch.argmax(a, 1) and a.argmax(dim=0) follow the same rule",
                  "test_max_ties_in_other_dtypes_shapes_and_forms", "argmax_ties_pick_the_last",
                  apis=("torch.argmax", "Tensor.argmax")),
            Check("cpu-cuda", "values", "CPU and CUDA pick the same index among ties (64 x 257 values "
                  "in 0..2)", "test_max_ties_agree_between_cpu_and_cuda", "cuda_max_ties_pick_the_last",
                  apis=("torch.max",)),
        ),
        not_checked=(
            NotChecked("argmax of a transposed input with ties", "1.4.0 picks the last there while "
                       "torch.max picks the first; probing it would need a range of its own"),
            NotChecked("the CUDA tie rule in CI", "no GPU in CI; the parity spec runs where "
                       "scripts/gpu-check.sh runs it"),
        ),
        answer="When a row has several equal maxima, torch.max(a, dim) returns the index of the first one "
        "(since 1.6; torch.argmax since 1.7); before, the CPU returned the last one.",
        setting=MAX + " It says 'the index of the maximum' without saying which index comes back when maxima tie.",
        topic='torch.max over a dimension',
        idioms=(
            Idiom("'the index of the maximum' when maxima tie",
                  'expect the first tied index'),
        ),
        questions=('Which index does `torch.max` return on ties?',),
        example=_max_ties,
    ),
)
