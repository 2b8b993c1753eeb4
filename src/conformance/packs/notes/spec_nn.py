"""Shapes and style features (notes §8, §9): the Gram matrix, the conv output-size formula,
and the flatten size of the note's three-block network (``conformance.models``).

Each spec probes one public form, so a regression in one form shows in its own spec
(``tests/breakages/nn.py``): the conv claim's nn.Conv2d module probes are all in
``test_kernel_larger_than_input``, the functional F.conv2d in the formula spec, the other
conv modules and padding forms in the keep-the-size spec, ceil_mode in its own."""
import math

import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from conformance.models import NoteNet, gram_by_channel_pairs, gram_by_product
from conformance.testing import spec

GRAM_TOL = 1e-10  # rtol and atol of the two float64 Gram computations against each other
SYMMETRY_ATOL = 1e-12
PSD_RTOL = 1e-9  # the smallest eigenvalue may be this far below 0, relative to the largest entry
FLOAT32_TOL = 1e-5  # rtol and atol of a float32 Gram matrix against the float64 one

# ------------------------------------------------------------------------------------- §8

_FEATURE_SHAPES = st.tuples(st.integers(1, 6), st.integers(1, 6), st.integers(1, 6))
_FEATURE_VALUES = st.floats(-1, 1, allow_nan=False, allow_infinity=False)  # bounded: SYMMETRY_ATOL is absolute


@spec("style.gram-matrix")
@given(features=arrays("float64", _FEATURE_SHAPES, elements=_FEATURE_VALUES))
def test_gram_matrix_two_ways_agree(claim, device, features):
    """§8: the Gram matrix of a C x M x N feature map built channel pair by channel pair equals
    F F^T with F the map reshaped to C x (M*N); it is symmetric and positive semi-definite."""
    c = features.shape[0]
    features = torch.from_numpy(features).to(device)
    by_pairs, by_product = gram_by_channel_pairs(features), gram_by_product(features)
    claim.equal(tuple(by_product.shape), (c, c), "the Gram matrix is C x C")
    claim.close(by_product, by_pairs, "F F^T vs channel-pair sums", rtol=GRAM_TOL, atol=GRAM_TOL)
    claim.close(by_product, by_product.t(), "symmetry", rtol=0, atol=SYMMETRY_ATOL)
    eigvalsh = getattr(getattr(torch, "linalg", None), "eigvalsh", None)  # newer torch; symeig before
    values = eigvalsh(by_product.cpu()) if eigvalsh else torch.symeig(by_product.cpu())[0]
    smallest = values.min().item()
    scale = max(1.0, by_product.abs().max().item())
    claim.holds(smallest >= -PSD_RTOL * scale, "positive semi-definite (smallest eigenvalue >= -tolerance)",
                smallest_eigenvalue=smallest, tolerance=PSD_RTOL * scale)


def _exact_gram(rows):
    """The Gram matrix of Python float rows, each entry one correctly rounded sum (math.fsum)."""
    return [[math.fsum(a * b for a, b in zip(r, s)) for s in rows] for r in rows]


@spec("style.gram-matrix")
def test_gram_matrix_other_spellings_and_precision(claim, device):
    """§8, F F^T written other ways: torch.mm(F, F.t()) and F.mm(F.t()) in float64 keep its
    full precision (entries 1 + k*2**-30, whose products need more than float32's 24 bits),
    torch.matmul and F.matmul in float32 agree with them within float32's precision."""
    c, m, n = 3, 2, 3
    rows = [[1.0 + (i * m * n + j) * 2.0 ** -30 for j in range(m * n)] for i in range(c)]
    exact = torch.tensor(_exact_gram(rows), dtype=torch.float64)
    features = torch.tensor(rows, dtype=torch.float64, device=device).reshape(c, m, n)
    f = features.reshape(c, -1)
    for label, gram in (("torch.mm(F, F.t())", torch.mm(f, f.t())), ("F.mm(F.t())", f.mm(f.t()))):
        claim.equal(gram.dtype, torch.float64, "%s keeps float64" % label)
        claim.close(gram, exact, "%s vs exact sums (float64)" % label, rtol=1e-13, atol=0)
    f32 = f.float()
    for label, gram in (("torch.matmul(F, F.t())", torch.matmul(f32, f32.t())), ("F.matmul(F.t())", f32.matmul(f32.t()))):
        claim.close(gram, exact, "%s (float32) vs exact sums" % label, rtol=FLOAT32_TOL, atol=FLOAT32_TOL)
    claim.observe("max_error_float64", (torch.mm(f, f.t()).cpu() - exact).abs().max().item())


@spec("style.gram-matrix")
def test_gram_matrix_of_a_batch(claim, device):
    """§8 for a batch of feature maps (B x C x M x N, B = 3): torch.bmm(F, F^T) and torch.matmul
    on F reshaped to B x C x (M*N) give each map's Gram matrix (its channel-pair sums)."""
    torch.manual_seed(8)
    maps = torch.randn(3, 4, 2, 5, dtype=torch.float64, device=device)
    f = maps.reshape(3, 4, -1)
    per_map = torch.stack([gram_by_channel_pairs(x) for x in maps])
    for label, gram in (("torch.bmm", torch.bmm(f, f.transpose(1, 2))), ("torch.matmul", torch.matmul(f, f.transpose(1, 2)))):
        claim.equal(tuple(gram.shape), (3, 4, 4), "%s: B x C x C" % label)
        claim.close(gram, per_map, "%s vs each map's channel-pair sums" % label, rtol=GRAM_TOL, atol=GRAM_TOL)


@spec("style.gram-matrix")
def test_gram_matrix_of_non_contiguous_features(claim, device):
    """§8 with feature maps that are views: a channels-last map permuted to C x M x N, and a
    slice with steps. F = map.reshape(C, -1) then torch.mm(F, F.t()) equals the channel-pair
    sums (float32)."""
    torch.manual_seed(9)
    permuted = torch.randn(3, 4, 5, device=device).permute(2, 0, 1)  # M x N x C stored: C x M x N view
    stepped = torch.randn(3, 6, 7, device=device)[:, ::2, 1::2]
    layouts = {}
    for label, maps in (("permuted", permuted), ("stepped", stepped)):
        layouts[label] = maps.is_contiguous()
        f = maps.reshape(maps.shape[0], -1)
        claim.close(torch.mm(f, f.t()), gram_by_channel_pairs(maps), "%s map: torch.mm(F, F.t()) vs channel-pair sums" % label,
                    rtol=FLOAT32_TOL, atol=FLOAT32_TOL)
    claim.equal(claim.observe("contiguous", layouts), {"permuted": False, "stepped": False}, "the maps are views")


# ------------------------------------------------------------------------------------- §9


def _note_formula(w, f, p, s, d=1):
    """(W - F + 2P)/S + 1, rounded down, with the dilated kernel extent D*(F-1)+1 as F."""
    extent = d * (f - 1) + 1
    return (w - extent + 2 * p) // s + 1


@st.composite
def _layers(draw):
    """(H, W, F, P, S, D) for which the formula gives at least 1 in both dims."""
    f, p, s, d = draw(st.integers(1, 6)), draw(st.integers(0, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
    low = max(1, d * (f - 1) + 1 - 2 * p)
    return draw(st.integers(low, low + 30)), draw(st.integers(low, low + 30)), f, p, s, d


@spec("nn.conv-output-size")
@given(layer=_layers())
@example(layer=(9, 12, 3, 1, 2, 2))  # dilated, strided and padded, on a non-square input
@example(layer=(28, 28, 3, 1, 1, 1))  # the note's layer
def test_output_size_formula_for_conv_and_pool(claim, device, layer):
    """§9: a layer's output size is (W - F + 2P)/S + 1 rounded down, for F.conv2d and
    MaxPool2d, with random non-square input sizes, kernel, stride, padding and dilation (with
    dilation D the kernel spans D*(F-1)+1)."""
    h, w, f, p, s, d = layer
    x = torch.randn(1, 1, h, w, device=device)
    expected = (_note_formula(h, f, p, s, d), _note_formula(w, f, p, s, d))
    out = F.conv2d(x, torch.randn(1, 1, f, f, device=device), None, s, p, d)
    claim.equal(tuple(out.shape[-2:]), expected, "F.conv2d output size for H=%d W=%d F=%d P=%d S=%d D=%d" % layer)
    if p <= f // 2:  # MaxPool2d only allows padding up to half the kernel
        got = torch.nn.MaxPool2d(f, stride=s, padding=p, dilation=d)(x).shape[-2:]
        claim.equal(tuple(got), expected, "MaxPool2d output size for H=%d W=%d F=%d P=%d S=%d D=%d" % layer)


@spec("nn.conv-output-size")
def test_kernel_larger_than_input(claim, device):
    """§9 on nn.Conv2d itself (the note's module; its only spec here) and at the edge of the
    formula: the note's layer Conv2d(c, c, 3, 1, 1) keeps every size, 1x1 and 2x2 included
    (its 3x3 kernel fits the padded input); where the formula gives less than 1 (a kernel
    larger than the padded input) Conv2d, F.conv2d, MaxPool2d and F.max_pool2d raise
    RuntimeError. Where the registry's ``unchecked-kernel`` expectation applies, sizes come from
    C's truncating division instead: a 2x2 kernel on a 1x1 input gives an empty output, a 3x3
    kernel (or pool window) with stride 2 (3) on a 2x2 input a 1x1 one; a 3x3 kernel on 1x1
    raises everywhere. Under ``unchecked-kernel-empty-raises`` the empty outputs raise instead;
    under ``pool-unchecked`` only the pool window keeps its truncated 1x1 size."""
    layer = torch.nn.Conv2d(2, 2, 3, 1, 1).to(device)
    sizes = {w: tuple(layer(torch.randn(1, 2, w, w, device=device)).shape[-2:]) for w in (1, 2, 3, 7, 28, 33)}
    claim.equal(sizes, {w: (w, w) for w in sizes}, "nn.Conv2d(2, 2, 3, 1, 1) keeps the size ({W: output H, W})")
    x = torch.randn(1, 1, 1, 1, device=device)
    x2 = torch.randn(1, 1, 2, 2, device=device)
    conv2, conv3s2 = torch.nn.Conv2d(1, 1, 2).to(device), torch.nn.Conv2d(1, 1, 3, stride=2).to(device)
    kernel2 = torch.randn(1, 1, 2, 2, device=device)
    if claim.expects("unchecked-kernel"):
        shapes = claim.observe("unchecked_shapes", [tuple(conv2(x).shape), tuple(conv3s2(x2).shape),
                                                    tuple(F.conv2d(x, kernel2).shape),
                                                    tuple(torch.nn.MaxPool2d(3, stride=3)(x2).shape)])
        claim.equal(shapes, [(1, 1, 0, 0), (1, 1, 1, 1), (1, 1, 0, 0), (1, 1, 1, 1)],
                    "output sizes of kernels (and a pool window) larger than the input")
    elif claim.expects("unchecked-kernel-empty-raises"):  # 1.0.0: an empty output raises instead
        with claim.raises(RuntimeError, record="kernel2_on_1x1_error"):
            conv2(x)
        with claim.raises(RuntimeError, record="functional_kernel2_on_1x1_error"):
            F.conv2d(x, kernel2)
        shapes = claim.observe("unchecked_shapes", [tuple(conv3s2(x2).shape),
                                                    tuple(torch.nn.MaxPool2d(3, stride=3)(x2).shape)])
        claim.equal(shapes, [(1, 1, 1, 1), (1, 1, 1, 1)],
                    "output sizes of a 3x3 kernel with stride 2 and a 3x3 pool window with stride 3 on 2x2")
    else:
        with claim.raises(RuntimeError, record="kernel2_on_1x1_error"):
            conv2(x)
        with claim.raises(RuntimeError, record="kernel3_stride2_on_2x2_error"):
            conv3s2(x2)
        with claim.raises(RuntimeError, record="functional_kernel2_on_1x1_error"):
            F.conv2d(x, kernel2)
        if claim.expects("pool-unchecked"):  # 1.1: convolutions check, pools do not yet
            claim.equal(claim.observe("pool3_stride3_on_2x2_shape", tuple(torch.nn.MaxPool2d(3, stride=3)(x2).shape)),
                        (1, 1, 1, 1), "MaxPool2d(3, stride=3) on 2x2: the truncated size")
        else:
            with claim.raises(RuntimeError, record="pool3_stride3_on_2x2_error"):
                torch.nn.MaxPool2d(3, stride=3)(x2)
    with claim.raises(RuntimeError, record="kernel3_on_1x1_error"):
        torch.nn.Conv2d(1, 1, 3).to(device)(x)
    with claim.raises(RuntimeError, record="pool2_on_1x1_error"):
        torch.nn.MaxPool2d(2, stride=1)(x)
    with claim.raises(RuntimeError, record="functional_pool2_on_1x1_error"):
        F.max_pool2d(x, 2, 1)


@spec("nn.conv-output-size")
def test_kernel3_padding1_stride1_keeps_the_size(claim, device):
    """§9: with F=3, P=1, S=1 the formula gives W back, in the other conv forms: nn.Conv1d and
    nn.Conv3d (batches of 1 and 4), F.conv2d on a non-square input with a non-square kernel
    (3x5 with padding (1, 2), 5x3 with (2, 1)). Where the expectation ``padding-strings``
    applies: padding='same' keeps the size (F.conv2d, nn.Conv1d with an even kernel, nn.Conv3d),
    'valid' means no padding, a strided 'same' raises, and unbatched inputs give unbatched
    outputs; under ``padding-strings-batched`` the same strings, but unbatched inputs raise
    RuntimeError; before, string paddings raise TypeError and unbatched inputs RuntimeError."""
    conv1 = torch.nn.Conv1d(2, 3, 3, 1, 1).to(device)
    conv3 = torch.nn.Conv3d(1, 2, 3, 1, 1).to(device)
    seen = {
        "Conv1d": [tuple(conv1(torch.randn(1, 2, n, device=device)).shape) for n in (1, 2, 5, 28)],
        "Conv1d batch 4": tuple(conv1(torch.randn(4, 2, 5, device=device)).shape),
        "Conv3d": tuple(conv3(torch.randn(1, 1, 2, 5, 7, device=device)).shape),
        "Conv3d batch 4": tuple(conv3(torch.randn(4, 1, 3, 3, 3, device=device)).shape),
    }
    x = torch.randn(1, 2, 5, 9, device=device)
    w35, w53 = torch.randn(3, 2, 3, 5, device=device), torch.randn(3, 2, 5, 3, device=device)
    seen["F.conv2d 3x5 (1, 2)"] = tuple(F.conv2d(x, w35, padding=(1, 2)).shape)
    seen["F.conv2d 5x3 (2, 1)"] = tuple(F.conv2d(x, w53, padding=(2, 1)).shape)
    wanted = {
        "Conv1d": [(1, 3, 1), (1, 3, 2), (1, 3, 5), (1, 3, 28)], "Conv1d batch 4": (4, 3, 5),
        "Conv3d": (1, 2, 2, 5, 7), "Conv3d batch 4": (4, 2, 3, 3, 3),
        "F.conv2d 3x5 (1, 2)": (1, 3, 5, 9), "F.conv2d 5x3 (2, 1)": (1, 3, 5, 9),
    }
    unbatched1, unbatched2 = torch.randn(2, 5, device=device), torch.randn(2, 5, 9, device=device)
    strings = claim.expects("padding-strings") or claim.expects("padding-strings-batched")
    if strings:
        with claim.warnings(record="even_kernel_same_warnings"):
            seen["Conv1d(k=4, 'same')"] = tuple(torch.nn.Conv1d(2, 3, 4, padding="same").to(device)(torch.randn(1, 2, 7, device=device)).shape)
        seen["F.conv2d 3x5 'same'"] = tuple(F.conv2d(x, w35, padding="same").shape)
        seen["F.conv2d 3x5 'valid'"] = tuple(F.conv2d(x, w35, padding="valid").shape)
        seen["Conv3d 'same'"] = tuple(torch.nn.Conv3d(1, 2, 3, padding="same").to(device)(torch.randn(1, 1, 3, 5, 7, device=device)).shape)
        wanted.update({"Conv1d(k=4, 'same')": (1, 3, 7), "F.conv2d 3x5 'same'": (1, 3, 5, 9),
                       "F.conv2d 3x5 'valid'": (1, 3, 3, 5), "Conv3d 'same'": (1, 2, 3, 5, 7)})
        with claim.raises(RuntimeError, match="strided", record="strided_same_error"):
            F.conv2d(x, w35, stride=2, padding="same")
    else:
        with claim.raises(TypeError, match="padding", record="padding_string_error"):
            F.conv2d(x, w35, padding="same")
    if claim.expects("padding-strings"):
        seen["Conv1d unbatched"] = tuple(conv1(unbatched1).shape)
        seen["F.conv2d unbatched"] = tuple(F.conv2d(unbatched2, w35, padding=(1, 2)).shape)
        wanted.update({"Conv1d unbatched": (3, 5), "F.conv2d unbatched": (3, 5, 9)})
    else:  # a batch dimension is needed
        with claim.raises(RuntimeError, match="dimensional", record="unbatched_error"):
            conv1(unbatched1)
    claim.observe("shapes", seen)
    claim.equal(seen, wanted, "output shapes ({form: shape})")


def _pool_size(w, k, s, p, ceil):
    """The pooled size: the formula rounded down, or up with ceil_mode (then a last window that
    would start in the right padding is dropped)."""
    if not ceil:
        return (w + 2 * p - k) // s + 1
    out = -(-(w + 2 * p - k) // s) + 1
    return out - 1 if (out - 1) * s >= w + p else out


_CEIL_CASES = [(5, 7, 2, 2, 0), (5, 5, 2, 2, 1), (6, 9, 3, 2, 1), (28, 28, 2, 2, 0), (7, 4, 3, 3, 0)]  # H, W, K, S, P


@spec("nn.conv-output-size")
def test_max_pool_ceil_mode_both_ways(claim, device):
    """§9 for pooling with ceil_mode: False rounds the formula down (the note's case), True
    rounds it up, except that a last window starting in the padding is dropped; for
    nn.MaxPool2d and F.max_pool2d, on non-square inputs, and an unbatched (C x H x W) input."""
    seen, wanted = {}, {}
    for h, w, k, s, p in _CEIL_CASES:
        x = torch.randn(1, 2, h, w, device=device)
        for ceil in (False, True):
            label = "%dx%d k%d s%d p%d ceil=%s" % (h, w, k, s, p, ceil)
            wanted[label] = [(_pool_size(h, k, s, p, ceil), _pool_size(w, k, s, p, ceil))] * 2
            seen[label] = [tuple(torch.nn.MaxPool2d(k, s, p, ceil_mode=ceil)(x).shape[-2:]),
                           tuple(F.max_pool2d(x, k, s, p, ceil_mode=ceil).shape[-2:])]
    seen["unbatched 2x5x7 ceil=True"] = [tuple(torch.nn.MaxPool2d(2, ceil_mode=True)(torch.randn(2, 5, 7, device=device)).shape)]
    wanted["unbatched 2x5x7 ceil=True"] = [(2, 3, 4)]
    claim.observe("pooled_sizes", seen)
    claim.equal(seen, wanted, "pooled sizes ({case: [MaxPool2d, F.max_pool2d]})")


@spec("nn.net-flatten-size")
def test_which_inputs_fit_the_note_network(claim, device):
    """§9: the note reads 64*3*3 as 'the feature map is 3x3, the convolutions keep the size, so
    the input must be 3x3'. The pools halve the size three times: exactly the square inputs
    24..31 end as 3x3 maps; a 3x3 input cannot even pass the pools."""
    net = NoteNet().to(device).eval()
    works, errors = [], {}
    with torch.no_grad():
        for w in range(1, 41):
            try:
                out = net(torch.randn(1, 3, w, w, device=device))
                works.append(w)
                claim.equal(tuple(out.shape), (1, 10), "output shape for %dx%d" % (w, w))
            except RuntimeError as err:
                errors[w] = str(err).splitlines()[0]
    claim.observe("working_input_sizes", works)
    claim.observe("error_for_3x3", errors.get(3))
    claim.equal(works, list(range(24, 32)), "the square inputs that fit Linear(64*3*3, ...)")
    claim.contains(sorted(errors), 3, "a 3x3 input fails (the input sizes that raised)")


_NON_SQUARE = [(24, 31), (31, 24), (28, 25), (24, 32), (23, 28), (24, 40), (40, 24), (30, 3)]


def _output_shape(net, shape, device):
    """The network's output shape for an input of ``shape``, or None where it raises."""
    try:
        return tuple(net(torch.randn(*shape, device=device)).shape)
    except RuntimeError:
        return None


@spec("nn.net-flatten-size")
def test_note_network_on_non_square_inputs_and_batches(claim, device):
    """§9 on non-square inputs: each side is pooled on its own, so an H x W input fits exactly
    when both H and W are in 24..31; batches of 2 and 4 give one output row per input; the
    feature map of a 24x32 input is 3x4 (64*3*4 features, not 64*3*3)."""
    net = NoteNet().to(device).eval()
    with torch.no_grad():
        fits = {"%dx%d" % (h, w): _output_shape(net, (1, 3, h, w), device) for h, w in _NON_SQUARE}
        batches = {"4x3x24x30": _output_shape(net, (4, 3, 24, 30), device),
                   "2x3x31x26": _output_shape(net, (2, 3, 31, 26), device)}
        feature_map = tuple(net.features(torch.randn(1, 3, 24, 32, device=device)).shape)
    claim.observe("fits", fits)
    claim.equal(fits, {"%dx%d" % (h, w): ((1, 10) if 24 <= h <= 31 and 24 <= w <= 31 else None) for h, w in _NON_SQUARE},
                "which H x W inputs fit ({input: output shape or None})")
    claim.equal(batches, {"4x3x24x30": (4, 10), "2x3x31x26": (2, 10)}, "output shapes of batches")
    claim.equal(claim.observe("feature_map_24x32", feature_map), (1, 64, 3, 4), "the feature map of a 24x32 input")
