"""torch.max over a dimension (note §10): values, indices, the result type, and ties.

Each claim's reach is split so that one spec probes one public form or one kind of input:
the plain call ``torch.max(a, d)`` on a float32 matrix (the note's form), the other spellings
(method, ``dim=``, ``keepdim``, ``out=``), other dtypes, NaN/inf, other shapes. The probes
compare with numpy or with values written out, never with another torch spelling, so a
regression in one form shows in its own spec (``tests/breakages/reduce.py``)."""
import numpy as np
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st

from conformance.testing import spec



@st.composite
def _distinct_matrices(draw):
    """1..7 x 1..7 matrices of distinct values, so 'the' maximum is well defined: a drawn
    permutation of the ranks, centred and in eighths (exact in float32, so values distinct in
    float64 stay distinct in the float32 tensor). Shrinks to small shapes, values in order."""
    rows, cols = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    ranks = draw(st.permutations(range(rows * cols)))
    return (np.array(ranks, dtype=np.float64).reshape(rows, cols) - rows * cols // 2) / 8.0


_DISTINCT_MATRICES = _distinct_matrices()
# The note's own 3x3 example (§10), checked as an explicit example of both dim claims.
NOTE_EXAMPLE = np.array([[0.3856, -0.7356, 0.0876], [0.9246, -0.9074, 0.4152], [0.7600, 1.1790, -0.8748]])

# The expectations of reduce.max-dim0 and reduce.max-dim1, oldest first; each adds to the one before.
_ERAS = ("no-bool", "bool-without-max", "no-amax", "empty-raises", "reduced-dim-indexerror")


def _era(claim):
    """Index in _ERAS of the expectation that applies (the registry has the releases)."""
    for i, key in enumerate(_ERAS):
        if claim.expects(key):
            return i
    raise AssertionError("no era for %s" % claim.expect.key)


def _unique_matrix(rows, cols, seed):
    """A fixed matrix of distinct values (a shuffled range, scaled)."""
    rng = np.random.RandomState(seed)
    return (rng.permutation(rows * cols).reshape(rows, cols) - rows * cols / 2.0) / 7.0


def _along(lines, dim):
    """A matrix whose lines along ``dim`` are ``lines`` (rows for dim 1, columns for dim 0)."""
    return [list(r) for r in lines] if dim == 1 else [list(c) for c in zip(*lines)]


def _check_against_numpy(claim, a, dim, device):
    t = torch.tensor(a, dtype=torch.float32, device=device)
    values, indices = torch.max(t, dim)
    claim.close(values, a.max(axis=dim), "torch.max(a, %d) values vs numpy max" % dim)
    claim.equal(indices.cpu().tolist(), a.argmax(axis=dim).tolist(), "torch.max(a, %d) indices vs numpy argmax" % dim)
    claim.equal(torch.argmax(t, dim).cpu().tolist(), a.argmax(axis=dim).tolist(),
                "torch.argmax(a, %d) vs numpy argmax (it agrees with torch.max's indices)" % dim)
    if _era(claim) >= 3:
        claim.close(torch.amax(t, dim), a.max(axis=dim), "torch.amax(a, %d) vs numpy max" % dim)
    else:  # the oldest expectations: torch.amax does not exist yet
        claim.equal(hasattr(torch, "amax"), False, "torch.amax exists")


@spec("reduce.max-dim0")
@given(a=_DISTINCT_MATRICES)
@example(a=NOTE_EXAMPLE)
def test_max_over_dim0_gives_column_maxima_and_row_indices(claim, device, a):
    """§10: torch.max(a, 0) gives each column's maximum and the row where it sits (the note's
    example among the matrices); torch.argmax and torch.amax (where it exists) agree."""
    _check_against_numpy(claim, a, 0, device)


@spec("reduce.max-dim1")
@given(a=_DISTINCT_MATRICES)
@example(a=NOTE_EXAMPLE)
def test_max_over_dim1_gives_row_maxima_and_column_indices(claim, device, a):
    """§10: torch.max(a, 1) gives each row's maximum and the column where it sits; for the
    note's example the indices are [0, 0, 1]; torch.argmax and torch.amax agree."""
    _check_against_numpy(claim, a, 1, device)


@spec("reduce.max-dim1")
def test_max_dim1_index_is_the_predicted_label(claim, device):
    """§10: for rows of class scores (labels counted from 0), torch.max(scores, 1)[1] is the
    predicted label of each row: scores straight from a model (they require grad), labels
    int64 (as class targets are), one per row, equal to numpy's argmax."""
    torch.manual_seed(3)
    model = torch.nn.Linear(6, 10).to(device)
    scores = model(torch.randn(16, 6, device=device))
    labels = torch.max(scores, 1)[1]
    claim.equal(labels.dtype, torch.int64, "labels are int64 (as class targets are)")
    claim.equal(tuple(labels.shape), (16,), "one label per row")
    expected = scores.detach().cpu().numpy().argmax(axis=1).tolist()
    claim.equal(claim.observe("labels", labels.cpu().tolist()), expected, "[1] equals numpy's argmax over the classes")


# ---------------------------------------------------------------- other spellings (dim0, dim1)


def _spellings(claim, dim, device):
    a = _unique_matrix(4, 5, 11)
    t = torch.tensor(a, dtype=torch.float32, device=device)
    want_v, want_i = a.max(axis=dim), a.argmax(axis=dim).tolist()
    kept = [1 if d == dim else n for d, n in enumerate(a.shape)]
    forms = [
        ("Tensor.max(d)", lambda: t.max(dim), False),
        ("Tensor.max(dim=d)", lambda: t.max(dim=dim), False),
        ("torch.max(a, dim=d)", lambda: torch.max(t, dim=dim), False),
        ("torch.max(input=a, dim=d)", lambda: torch.max(input=t, dim=dim), False),
        ("torch.max(a, d, True)", lambda: torch.max(t, dim, True), True),
        ("torch.max(a, d, keepdim=True)", lambda: torch.max(t, dim, keepdim=True), True),
        ("Tensor.max(d, keepdim=True)", lambda: t.max(dim, keepdim=True), True),
    ]
    shapes = {}
    for name, call, keepdim in forms:
        values, indices = call()
        shapes[name] = [list(values.shape), list(indices.shape)]
        wanted = kept if keepdim else [n for d, n in enumerate(a.shape) if d != dim]
        claim.equal(shapes[name], [wanted, wanted], "%s: shapes of values and indices" % name)
        claim.close(values.reshape(-1), want_v, "%s: values vs numpy max" % name)
        claim.equal(indices.reshape(-1).cpu().tolist(), want_i, "%s: indices vs numpy argmax" % name)
    claim.observe("shapes", shapes)
    out_v, out_i = torch.empty(0, device=device), torch.empty(0, dtype=torch.int64, device=device)
    result = torch.max(t, dim, out=(out_v, out_i))
    claim.close(out_v, want_v, "out=(values, indices): the values tensor holds the maxima")
    claim.equal(out_i.cpu().tolist(), want_i, "out=(values, indices): the indices tensor holds the indices")
    claim.identical(result[0], out_v, "out=: the result's values are the out tensor")
    claim.identical(result[1], out_i, "out=: the result's indices are the out tensor")


@spec("reduce.max-dim0")
def test_max_dim0_other_spellings(claim, device):
    """§10, other public forms of torch.max(a, 0): the method a.max(0), dim= as a keyword,
    keepdim=True (positional and keyword), out=(values, indices), on a 4x5 matrix."""
    _spellings(claim, 0, device)


@spec("reduce.max-dim1")
def test_max_dim1_other_spellings(claim, device):
    """§10, other public forms of torch.max(a, 1): the method a.max(1), dim= as a keyword,
    keepdim=True (positional and keyword), out=(values, indices), on a 4x5 matrix."""
    _spellings(claim, 1, device)


# ---------------------------------------------------------------- dtypes (dim0, dim1)

_BIG = 2 ** 53
_DTYPE_LINES = {  # lines along the reduced dim: distinct maxima, each the exact pick of one element
    "int64": [[_BIG + 1, _BIG, -2 ** 62], [2 ** 62, 2 ** 62 + 1, 7], [-2 ** 63, -2 ** 63 + 1, -2 ** 62]],
    "int32": [[2 ** 31 - 1, -2 ** 31, 0], [-7, -5, -2 ** 31]],
    "int8": [[-128, 127, 0], [-3, -2, -128]],
    "uint8": [[255, 0, 128], [3, 1, 2]],
    "float64": [[1 + 2.0 ** -40, 1.0, 1 - 2.0 ** -40], [-1e308, 1e-300, 2e-300], [-0.5, 1e308, 5e-324]],
    "bool": [[False, True, False], [False, False, True]],
}


def _dtypes(claim, dim, device):
    era = _era(claim)
    has_bool = era >= 2
    seen = {}
    if era == 0:  # the oldest expectation: no bool dtype (a tensor of bools is uint8)
        claim.equal(hasattr(torch, "bool"), False, "torch.bool exists")
    elif era == 1:  # bool-without-max: torch.bool exists, but a tensor of bools is uint8 and max has no Bool kernel
        claim.equal(hasattr(torch, "bool"), True, "torch.bool exists")
        flags = _along(_DTYPE_LINES["bool"], dim)
        claim.equal(torch.tensor(flags, device=device).dtype, torch.uint8, "a tensor of Python bools is uint8")
        with claim.raises(RuntimeError, match="not implemented for 'Bool'", record="bool_max_error"):
            torch.max(torch.tensor(flags, dtype=torch.bool, device=device), dim)
    for name, lines in sorted(_DTYPE_LINES.items()):
        if name == "bool" and not has_bool:
            continue
        dtype = getattr(torch, name)
        t = torch.tensor(_along(lines, dim), dtype=dtype, device=device)
        values, indices = torch.max(t, dim)
        want_v = [max(line) for line in lines]
        want_i = [line.index(max(line)) for line in lines]
        seen[name] = [values.cpu().tolist(), indices.cpu().tolist()]
        claim.equal([values.dtype, indices.dtype], [dtype, torch.int64], "%s: dtypes of values and indices" % name)
        claim.equal(seen[name][0], want_v, "%s: the maxima, exactly" % name)
        claim.equal(seen[name][1], want_i, "%s: the indices" % name)
    claim.observe("values_and_indices", seen)


@spec("reduce.max-dim0")
def test_max_dim0_dtypes(claim, device):
    """§10 for other dtypes, torch.max(a, 0): int64 beyond 2**53 and at its limits (kept exact),
    int32 limits, int8, uint8, float64 needing all its bits, bool (where it exists); the
    values keep the input's dtype, the indices are int64."""
    _dtypes(claim, 0, device)


@spec("reduce.max-dim1")
def test_max_dim1_dtypes(claim, device):
    """§10 for other dtypes, torch.max(a, 1): int64 beyond 2**53 and at its limits (kept exact),
    int32 limits, int8, uint8, float64 needing all its bits, bool (where it exists); the
    values keep the input's dtype, the indices are int64."""
    _dtypes(claim, 1, device)


# ---------------------------------------------------------------- NaN and infinities (dim0, dim1)

_NAN, _INF = float("nan"), float("inf")
_SPECIAL_LINES = [  # (line, the value that comes back, its index)
    ([1.0, _NAN, 3.0], _NAN, 1),
    ([_NAN, 5.0, _NAN], _NAN, 0),  # several NaNs: the first
    ([2.0, 1.0, _NAN], _NAN, 2),
    ([-_INF, -5.0, -_INF], -5.0, 1),
    ([_INF, 3e38, -_INF], _INF, 0),
    ([-_INF, _INF, _NAN], _NAN, 2),
]


def _nan_and_inf(claim, dim, device):
    seen = {}
    lines = [line for line, _, _ in _SPECIAL_LINES]
    want = [[repr(v) for _, v, _ in _SPECIAL_LINES], [i for _, _, i in _SPECIAL_LINES]]
    for dtype in (torch.float32, torch.float64):
        values, indices = torch.max(torch.tensor(_along(lines, dim), dtype=dtype, device=device), dim)
        got = seen[str(dtype)] = [[repr(v) for v in values.cpu().tolist()], indices.cpu().tolist()]
        claim.equal(got, want, "%s: NaN is the maximum (at the first NaN), infinities compare ([values], [indices])" % dtype)
    long_line = [0.0] * 500 + [_NAN] + [1.0] * 499  # long enough for the vectorised kernels
    values, indices = torch.max(torch.tensor(_along([long_line, long_line[::-1]], dim), device=device), dim)
    got = seen["long"] = [[repr(v) for v in values.cpu().tolist()], indices.cpu().tolist()]
    claim.equal(got, [["nan", "nan"], [500, 499]], "NaN in a line of 1000 ([values], [indices])")
    claim.observe("values_and_indices", seen)


@spec("reduce.max-dim0")
def test_max_dim0_nan_and_infinities(claim, device):
    """§10 with NaN and infinities in the columns, float32 and float64: NaN propagates (it is
    the maximum, its index that of the first NaN), also in a column of 1000; +inf wins,
    -inf loses."""
    _nan_and_inf(claim, 0, device)


@spec("reduce.max-dim1")
def test_max_dim1_nan_and_infinities(claim, device):
    """§10 with NaN and infinities in the rows, float32 and float64: NaN propagates (it is the
    maximum, its index that of the first NaN), also in a row of 1000; +inf wins, -inf loses."""
    _nan_and_inf(claim, 1, device)


# ---------------------------------------------------------------- shapes (dim0, dim1)


def _shapes(claim, dim, device):
    era = _era(claim)
    neg = dim - 2
    a = _unique_matrix(4, 5, 5)
    t = torch.tensor(a, dtype=torch.float32, device=device)

    def check(label, values, indices, ref, axis):
        claim.equal(list(values.shape), list(ref.max(axis=axis).shape), "%s: shape" % label)
        claim.close(values.reshape(-1), ref.max(axis=axis).reshape(-1), "%s: values vs numpy" % label)
        claim.equal(indices.reshape(-1).cpu().tolist(), ref.argmax(axis=axis).reshape(-1).tolist(), "%s: indices vs numpy" % label)

    # negative dims, and one out of range
    check("torch.max(a, %d) on 4x5" % neg, *torch.max(t, neg), ref=a, axis=dim)
    error = IndexError if era >= 1 else RuntimeError  # the oldest expectation: RuntimeError
    with claim.raises(error, match="out of range", record="dim_-3_error"):
        torch.max(t, -3)
    # 3-D inputs, over the claim's dim and its negative alias
    a3 = _unique_matrix(6, 4, 7).reshape(2, 3, 4)
    t3 = torch.tensor(a3, dtype=torch.float32, device=device)
    check("torch.max(a, %d) on 2x3x4" % dim, *torch.max(t3, dim), ref=a3, axis=dim)
    check("torch.max(a, %d) on 2x3x4" % (dim - 3), *torch.max(t3, dim - 3), ref=a3, axis=dim)
    # one element, and a reduced dim of size 1 (the other dim larger: a negative dim)
    check("torch.max(a, %d) on 1x1" % dim, *torch.max(t[:1, :1].contiguous(), dim), ref=a[:1, :1], axis=dim)
    line = a[:1, :] if dim == 0 else a[:, :1]
    check("torch.max(a, %d) on %dx%d" % (neg, line.shape[0], line.shape[1]),
          *torch.max(torch.tensor(line, dtype=torch.float32, device=device), neg), ref=line, axis=dim)
    # non-contiguous inputs: a transposed matrix and a slice with steps
    transposed = t.t()
    check("torch.max(a.t(), %d)" % dim, *torch.max(transposed, dim), ref=a.T, axis=dim)
    big = _unique_matrix(6, 8, 9)
    view = torch.tensor(big, dtype=torch.float32, device=device)[::2, 1::3]
    check("torch.max(a[::2, 1::3], %d)" % dim, *torch.max(view, dim), ref=big[::2, 1::3], axis=dim)
    claim.observe("views_contiguous", [transposed.is_contiguous(), view.is_contiguous()])
    # empty: along the other dim (an empty result where the expectation allows it), along the reduced dim (an error)
    other_empty = [0, 3] if dim == 1 else [3, 0]
    e = torch.empty(*other_empty, device=device)
    if era >= 4:
        values, indices = torch.max(e, dim)
        claim.equal(claim.observe("empty_other_dim_shapes", [list(values.shape), list(indices.shape)]),
                    [[0], [0]], "torch.max of a %s tensor over dim %d: empty values and indices" % (other_empty, dim))
    else:  # empty-raises and older: any empty input raises
        with claim.raises(RuntimeError, match="no elements", record="empty_other_dim_error"):
            torch.max(e, dim)
    reduced_empty = other_empty[::-1]
    if era >= 4:
        with claim.raises(IndexError, match="Expected reduction dim %d to have non-zero size" % dim, record="empty_reduced_dim_error"):
            torch.max(torch.empty(*reduced_empty, device=device), dim)
    else:
        with claim.raises(RuntimeError, match="no elements", record="empty_reduced_dim_error"):
            torch.max(torch.empty(*reduced_empty, device=device), dim)


@spec("reduce.max-dim0")
def test_max_dim0_shapes(claim, device):
    """§10 on other shapes, torch.max(a, 0) and its negative alias: -2 on a matrix (and -3 out
    of range), 2x3x4 inputs over dim 0 and -3, 1x1 and 1x5, transposed and stepped views, a
    3x0 input (empty result, or an error on the oldest releases) and 0x3 (an empty reduced
    dim: an error, message recorded)."""
    _shapes(claim, 0, device)


@spec("reduce.max-dim1")
def test_max_dim1_shapes(claim, device):
    """§10 on other shapes, torch.max(a, 1) and its negative alias: -1 on a matrix (and -3 out
    of range), 2x3x4 inputs over dim 1 and -2, 1x1 and 4x1, transposed and stepped views, a
    0x3 input (empty result, or an error on the oldest releases) and 3x0 (an empty reduced
    dim: an error, message recorded)."""
    _shapes(claim, 1, device)


# ---------------------------------------------------------------- the result type


def _fields(result):
    return [f for f in ("values", "indices") if hasattr(result, f)]


def _type_name(result):
    return "%s.%s" % (type(result).__module__, type(result).__name__)


@spec("reduce.max-result-type")
def test_max_result_is_a_named_pair(claim, device):
    """§10: the note prints the result as a pair (values, indices). Under expectation ``named``
    it is a named tuple with .values and .indices that still unpacks and indexes like a pair;
    under ``plain`` (the oldest releases; the registry has the boundary) a plain tuple."""
    a = torch.tensor([[1.0, 5.0], [7.0, 2.0]], device=device)
    result = torch.max(a, 1)
    name = claim.observe("type", _type_name(result))
    fields = claim.observe("fields", _fields(result))
    claim.is_instance(result, tuple, "it is a tuple")
    claim.equal(len(result), 2, "it is a pair (its length)")
    values, indices = result
    if claim.expects("named"):
        claim.equal((name, fields), ("torch.return_types.max", ["values", "indices"]), "the result type and its named fields")
        claim.identical(result.values, values, ".values is the pair's first item")
        claim.identical(result.indices, indices, ".indices is the pair's second item")
    else:
        claim.equal((name, fields), ("builtins.tuple", []), "the result type and its named fields")
    claim.equal(indices.cpu().tolist(), [1, 0], "indices of the example")
    claim.close(values, [5.0, 7.0], "values of the example")


@spec("reduce.max-result-type")
def test_max_result_type_of_every_spelling(claim, device):
    """§10, the result of every other spelling: the method, dim= as a keyword, keepdim=True, a
    3-D input with a negative dim, and out=(values, indices) (whose result holds the out
    tensors). Named tuples (torch.return_types.max, .max_out for out=) under ``named``,
    plain tuples under ``plain``; each unpacks and indexes as (values, indices)."""
    a = torch.tensor([[1.0, 5.0, 2.0], [7.0, 2.0, 0.0]], device=device)
    out = (torch.empty(0, device=device), torch.empty(0, dtype=torch.int64, device=device))
    forms = [
        ("Tensor.max(1)", lambda: a.max(1)),
        ("Tensor.max(dim=1)", lambda: a.max(dim=1)),
        ("torch.max(a, dim=1)", lambda: torch.max(a, dim=1)),
        ("torch.max(a, 1, keepdim=True)", lambda: torch.max(a, 1, keepdim=True)),
        ("Tensor.max(1, keepdim=True)", lambda: a.max(1, keepdim=True)),
        ("torch.max(a3, dim=-1)", lambda: torch.max(a.reshape(1, 2, 3), dim=-1)),
        ("torch.max(a, 1, out=...)", lambda: torch.max(a, 1, out=out)),
    ]
    named = claim.expects("named")
    seen = {}
    for label, call in forms:
        result = call()
        seen[label] = [_type_name(result), _fields(result)]
        if named:
            kind = "torch.return_types.max_out" if "out=" in label else "torch.return_types.max"
            claim.equal(seen[label], [kind, ["values", "indices"]], "%s: result type and named fields" % label)
            claim.identical(result.values, result[0], "%s: .values is item 0" % label)
            claim.identical(result.indices, result[1], "%s: .indices is item 1" % label)
        else:
            claim.equal(seen[label], ["builtins.tuple", []], "%s: result type and named fields" % label)
        claim.is_instance(result, tuple, "%s: it is a tuple" % label)
        values, indices = result
        claim.equal(indices.reshape(-1).cpu().tolist(), [1, 0], "%s: the indices" % label)
        if "out=" in label:
            claim.identical(values, out[0], "out=: the result's values are the out tensor")
            claim.identical(indices, out[1], "out=: the result's indices are the out tensor")
    claim.observe("types", seen)


# ---------------------------------------------------------------- ties

TIES = [[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [0.0, 0.0, 5.0, 5.0]]


def _first_max(rows):
    return [row.index(max(row)) for row in rows]


def _last_max(rows):
    return [len(row) - 1 - row[::-1].index(max(row)) for row in rows]


@spec("reduce.max-ties")
def test_max_ties_index(claim, device):
    """§10 (implied): with equal maxima in a row, which index comes back? The first one under
    expectation ``first`` (documented); on the older releases of ``last`` (the registry has the
    boundary) the CPU returned the last one. Recorded per device."""
    t = torch.tensor(TIES, device=device)
    got = claim.observe("indices", torch.max(t, 1)[1].cpu().tolist())  # [1]: .indices is 1.1+
    long_row = torch.zeros(1, 1000, device=device)
    long_row[0, 7:998:3] = 1.0  # many equal maxima (7, 10, ..., 997), long enough for vectorised kernels
    got_long = claim.observe("long_row_index", torch.max(long_row, 1)[1].item())
    if claim.expects("first") or claim.expects("first-max-last-argmax"):
        claim.equal(got, _first_max(TIES), "torch.max(a, 1) picks the first of tied maxima")
        claim.equal(got_long, 7, "first of many tied maxima in a long row")
    else:
        claim.equal(got, _last_max(TIES), "torch.max(a, 1) picks the last of tied maxima")
        claim.equal(got_long, 997, "last of many tied maxima in a long row")


_TIE_ROWS = [[1, 3, 3, 0], [2, 2, 2, 2], [0, 5, 4, 5]]
_TIE_COLS = [list(c) for c in zip(*_TIE_ROWS)]  # the same lines, as columns of a 4x3 matrix
_NEG_ZERO = -0.0


def _tie_probes(device):
    """(label, call giving (values, indices), lines along the reduced dim, rule) where rule is
    'tie' (the claim's tie rule applies), or 'first' (the first on every release)."""
    f32 = torch.float32
    rows = torch.tensor(_TIE_ROWS, dtype=f32, device=device)
    cols = torch.tensor(_TIE_COLS, dtype=f32, device=device)
    cube = torch.tensor([[[1, 2], [2, 2]], [[2, 0], [2, 2]]], dtype=f32, device=device)
    cube_lines = [[1, 2], [2, 2], [2, 2], [0, 2]]  # cube's lines along dim 1, in result order
    probes = []
    for name in ("int64", "int32", "uint8", "float64"):
        dtype = getattr(torch, name)
        probes.append(("dtypes", "torch.max(%s rows, 1)" % name,
                       lambda d=dtype: torch.max(torch.tensor(_TIE_ROWS, dtype=d, device=device), 1), _TIE_ROWS, "tie"))
    flags = [[False, True, True], [True, False, True]]
    probes.append(("dtypes", "torch.max(bool rows, 1)",  # uint8 where there is no bool dtype
                   lambda: torch.max(torch.tensor([[0, 1, 1], [1, 0, 1]], device=device) > 0, 1), flags, "tie"))
    probes += [
        ("shapes", "torch.max(4x3, 0)", lambda: torch.max(cols, 0), _TIE_ROWS, "tie"),
        ("shapes", "torch.max(4x3, 0, keepdim=True)", lambda: torch.max(cols, 0, keepdim=True), _TIE_ROWS, "tie"),
        ("shapes", "torch.max(2x2x2, 1)", lambda: torch.max(cube, 1), cube_lines, "tie"),
        ("shapes", "torch.max(4x3.t(), 1) (transposed)", lambda: torch.max(cols.t(), 1), _TIE_ROWS, "first"),
        ("special", "torch.max(-inf rows, -1)",
         lambda: torch.max(torch.tensor([[-_INF, -_INF, -_INF], [-_INF, 1.0, 1.0]], device=device), -1),
         [[-_INF, -_INF, -_INF], [-_INF, 1.0, 1.0]], "tie"),
        ("special", "torch.max(NaN rows, -1)",
         lambda: torch.max(torch.tensor([[_NAN, 1.0, _NAN], [1.0, _NAN, _NAN]], device=device), -1),
         [[_NAN, 1.0, _NAN], [1.0, _NAN, _NAN]], "nan"),
        ("special", "torch.max(signed zeros, -1)",
         lambda: torch.max(torch.tensor([[_NEG_ZERO, 0.0], [0.0, _NEG_ZERO]], device=device), -1),
         [[_NEG_ZERO, 0.0], [0.0, _NEG_ZERO]], "tie"),
        ("method", "Tensor.max(1)", lambda: rows.max(1), _TIE_ROWS, "tie"),
        ("method", "Tensor.max(dim=0)", lambda: cols.max(dim=0), _TIE_ROWS, "tie"),
        ("argmax", "torch.argmax(rows, 1)", lambda: (None, torch.argmax(rows, 1)), _TIE_ROWS, "tie"),
        ("argmax", "Tensor.argmax(dim=0)", lambda: (None, cols.argmax(dim=0)), _TIE_ROWS, "tie"),
    ]
    return probes


def _pick(line, rule):
    if rule == "nan":
        return [i for i, v in enumerate(line) if v != v][0]
    top = max(line)
    hits = [i for i, v in enumerate(line) if v == top]
    return hits[0] if rule == "first" else hits[-1]


@spec("reduce.max-ties")
def test_max_ties_in_other_dtypes_shapes_and_forms(claim, device):
    """§10 (implied), the tie rule beyond float32 rows: int64/int32/uint8/float64/bool rows;
    over dim 0, with keepdim, on a 3-D input and on a transposed input; rows of -inf, of
    signed zeros (the value is the chosen zero, sign included) and several NaNs; the method
    and torch.argmax. The first index under ``first``, the last under ``last`` (under
    ``first-max-last-argmax`` the first, but the last for torch.argmax), except where every
    release picks the first: a transposed input, and among NaNs (the first NaN)."""
    rule = "first" if claim.expects("first") or claim.expects("first-max-last-argmax") else "last"
    argmax_rule = "last" if claim.expects("first-max-last-argmax") else rule  # 1.6: argmax kept the last
    seen = {}
    for group, label, call, lines, which in _tie_probes(device):
        values, indices = call()
        tie_rule = argmax_rule if group == "argmax" else rule
        want = [_pick(line, tie_rule if which == "tie" else ("nan" if which == "nan" else "first")) for line in lines]
        got = indices.reshape(-1).cpu().tolist()
        seen[label] = got
        claim.equal(got, want, "%s: index of the tied maxima" % label)
        if values is not None and "zeros" in label:
            signs = [str(v) for v in values.reshape(-1).cpu().tolist()]
            chosen = [str(line[i]) for line, i in zip(lines, got)]
            seen[label + " values"] = signs
            claim.equal(signs, chosen, "%s: the values are the chosen zeros (sign included)" % label)
    claim.observe("indices", seen)


@spec("reduce.max-ties")
@pytest.mark.needs_devices("cpu", "cuda")
def test_max_ties_agree_between_cpu_and_cuda(claim):
    """§10 (implied): CPU and CUDA pick the same index among tied maxima."""
    rng = np.random.RandomState(0)
    a = torch.tensor(rng.randint(0, 3, size=(64, 257)).astype(np.float32))
    cpu, cuda = torch.max(a, 1), torch.max(a.cuda(), 1)
    claim.observe("disagreements", int((cpu.indices != cuda.indices.cpu()).sum()))
    claim.equal(cuda.indices.cpu().tolist(), cpu.indices.tolist(), "CPU and CUDA tie-breaking agree (CUDA's indices vs CPU's)")
