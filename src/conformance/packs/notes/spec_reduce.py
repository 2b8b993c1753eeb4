"""torch.max over a dimension (note §10): values, indices, the result type, and ties."""
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from conformance.testing import spec

# Matrices of distinct values, so 'the' maximum is well defined: eighths are exact in float32,
# so values distinct in float64 stay distinct in the float32 tensor.
_DISTINCT_MATRICES = arrays(np.float64, st.tuples(st.integers(1, 7), st.integers(1, 7)),
                            elements=st.integers(-999, 999).map(lambda k: k / 8.0), unique=True)


def _unique_matrix(rows, cols, seed):
    """A fixed matrix of distinct values (a shuffled range, scaled)."""
    rng = np.random.RandomState(seed)
    return (rng.permutation(rows * cols).reshape(rows, cols) - rows * cols / 2.0) / 7.0


def _check_against_numpy(claim, a, dim, device):
    t = torch.tensor(a, dtype=torch.float32, device=device)
    values, indices = torch.max(t, dim)
    claim.close(values, a.max(axis=dim), "torch.max(a, %d) values vs numpy max" % dim)
    claim.equal(indices.cpu().tolist(), a.argmax(axis=dim).tolist(), "torch.max(a, %d) indices vs numpy argmax" % dim)


@spec("reduce.max-dim0")
@given(a=_DISTINCT_MATRICES)
def test_max_over_dim0_gives_column_maxima_and_row_indices(claim, device, a):
    """§10: torch.max(a, 0) gives each column's maximum and the row where it sits."""
    _check_against_numpy(claim, a, 0, device)


@spec("reduce.max-dim1")
@given(a=_DISTINCT_MATRICES)
def test_max_over_dim1_gives_row_maxima_and_column_indices(claim, device, a):
    """§10: torch.max(a, 1) gives each row's maximum and the column where it sits."""
    _check_against_numpy(claim, a, 1, device)


@spec("reduce.max-dim1")
def test_max_dim1_index_is_the_predicted_label(claim, device):
    """§10: for rows of class scores (labels counted from 0), torch.max(scores, 1)[1] is the
    predicted label of each row; the note's own 3x3 example gives [0, 0, 1]."""
    note_example = torch.tensor([[0.3856, -0.7356, 0.0876], [0.9246, -0.9074, 0.4152], [0.7600, 1.1790, -0.8748]],
                                device=device)
    result = torch.max(note_example, 1)
    claim.close(result[0], [0.3856, 0.9246, 1.1790], "row maxima of the note's example")
    claim.equal(result[1].cpu().tolist(), [0, 0, 1], "labels of the note's example")
    scores = torch.tensor(_unique_matrix(16, 10, 3), dtype=torch.float32, device=device)
    labels = torch.max(scores, 1)[1]
    claim.equal(labels.dtype, torch.int64, "labels are int64 (as class targets are)")
    claim.equal(labels.cpu().tolist(), scores.argmax(1).cpu().tolist(), "[1] equals argmax over classes")


@spec("reduce.max-result-type")
def test_max_result_is_a_named_pair(claim, device):
    """§10: the note prints the result as a pair (values, indices). Under expectation ``named``
    it is a named tuple with .values and .indices that still unpacks and indexes like a pair;
    under ``plain`` (the oldest releases; the registry has the boundary) a plain tuple."""
    a = torch.tensor([[1.0, 5.0], [7.0, 2.0]], device=device)
    result = torch.max(a, 1)
    name = claim.observe("type", "%s.%s" % (type(result).__module__, type(result).__name__))
    fields = claim.observe("fields", [f for f in ("values", "indices") if hasattr(result, f)])
    claim.is_instance(result, tuple, "it is a tuple")
    claim.equal(len(result), 2, "it is a pair (its length)")
    values, indices = result
    if claim.expects("named"):
        claim.equal(name, "torch.return_types.max", "the result type")
        claim.identical(result.values, values, ".values is the pair's first item")
        claim.identical(result.indices, indices, ".indices is the pair's second item")
    else:
        claim.equal((name, fields), ("builtins.tuple", []), "the result type and its named fields")
    claim.equal(indices.cpu().tolist(), [1, 0], "indices of the example")
    claim.close(values, [5.0, 7.0], "values of the example")


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
    if claim.expects("first"):
        claim.equal(got, _first_max(TIES), "torch.max(a, 1) picks the first of tied maxima")
        claim.equal(got_long, 7, "first of many tied maxima in a long row")
    else:
        claim.equal(got, _last_max(TIES), "torch.max(a, 1) picks the last of tied maxima")
        claim.equal(got_long, 997, "last of many tied maxima in a long row")


@spec("reduce.max-ties")
@pytest.mark.needs_devices("cpu", "cuda")
def test_max_ties_agree_between_cpu_and_cuda(claim):
    """§10 (implied): CPU and CUDA pick the same index among tied maxima."""
    rng = np.random.RandomState(0)
    a = torch.tensor(rng.randint(0, 3, size=(64, 257)).astype(np.float32))
    cpu, cuda = torch.max(a, 1), torch.max(a.cuda(), 1)
    claim.observe("disagreements", int((cpu.indices != cuda.indices.cpu()).sum()))
    claim.equal(cuda.indices.cpu().tolist(), cpu.indices.tolist(), "CPU and CUDA tie-breaking agree (CUDA's indices vs CPU's)")
