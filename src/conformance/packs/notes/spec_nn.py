"""Shapes and style features (notes §8, §9): the Gram matrix, the conv output-size formula,
and the flatten size of the note's three-block network (``conformance.models``)."""
import torch
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from conformance.models import NoteNet, gram_by_channel_pairs, gram_by_product
from conformance.testing import spec

GRAM_TOL = 1e-10  # rtol and atol of the two float64 Gram computations against each other
SYMMETRY_ATOL = 1e-12
PSD_RTOL = 1e-9  # the smallest eigenvalue may be this far below 0, relative to the largest entry

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


# ------------------------------------------------------------------------------------- §9


def _note_formula(w, f, p, s, d=1):
    """(W - F + 2P)/S + 1, rounded down, with the dilated kernel extent D*(F-1)+1 as F."""
    extent = d * (f - 1) + 1
    return (w - extent + 2 * p) // s + 1


@spec("nn.conv-output-size")
@given(w=st.integers(1, 40), f=st.integers(1, 7), p=st.integers(0, 3), s=st.integers(1, 4), d=st.integers(1, 3))
def test_output_size_formula_for_conv_and_pool(claim, device, w, f, p, s, d):
    """§9: a layer's output size is (W - F + 2P)/S + 1 rounded down, for Conv2d and MaxPool2d,
    with random input size, kernel, stride, padding and dilation; too small an input is an error."""
    expected = _note_formula(w, f, p, s, d)
    x = torch.randn(1, 1, w, w, device=device)
    conv = torch.nn.Conv2d(1, 1, f, stride=s, padding=p, dilation=d).to(device)
    conv_expected = expected
    if expected < 1 and d == 1 and claim.expects("unchecked-kernel"):
        conv_expected = int((w - f + 2 * p) / s) + 1  # unchecked-kernel: C's truncating division
    if conv_expected >= 1 or (conv_expected == 0 and d == 1 and claim.expects("unchecked-kernel")):
        claim.equal(conv(x).shape[-1], conv_expected, "Conv2d output size for W=%d F=%d P=%d S=%d D=%d" % (w, f, p, s, d))
    else:
        with claim.raises(RuntimeError):
            conv(x)
    assume(p <= f // 2 and expected >= 1)  # MaxPool2d only allows padding up to half the kernel
    got = torch.nn.MaxPool2d(f, stride=s, padding=p, dilation=d)(x).shape[-1]
    claim.equal(got, expected, "MaxPool2d output size for W=%d F=%d P=%d S=%d D=%d" % (w, f, p, s, d))


@spec("nn.conv-output-size")
def test_kernel_larger_than_input(claim, device):
    """§9: where the formula gives less than 1 (a kernel larger than the padded input) Conv2d
    and MaxPool2d raise RuntimeError. Where the registry's ``unchecked-kernel`` expectation
    applies, undilated Conv2d does not check: a 2x2 kernel on a 1x1 input gives an empty output,
    a 3x3 kernel with stride 2 on a 2x2 input a 1x1 one (C's truncating division); a 3x3 kernel
    on 1x1 raises everywhere."""
    x = torch.randn(1, 1, 1, 1, device=device)
    x2 = torch.randn(1, 1, 2, 2, device=device)
    conv2, conv3s2 = torch.nn.Conv2d(1, 1, 2).to(device), torch.nn.Conv2d(1, 1, 3, stride=2).to(device)
    if claim.expects("unchecked-kernel"):
        shapes = claim.observe("unchecked_shapes", [tuple(conv2(x).shape), tuple(conv3s2(x2).shape)])
        claim.equal(shapes, [(1, 1, 0, 0), (1, 1, 1, 1)], "output sizes of kernels larger than the input")
    else:
        with claim.raises(RuntimeError, record="kernel2_on_1x1_error"):
            conv2(x)
        with claim.raises(RuntimeError, record="kernel3_stride2_on_2x2_error"):
            conv3s2(x2)
    with claim.raises(RuntimeError, record="kernel3_on_1x1_error"):
        torch.nn.Conv2d(1, 1, 3).to(device)(x)
    with claim.raises(RuntimeError, record="pool2_on_1x1_error"):
        torch.nn.MaxPool2d(2, stride=1)(x)


@spec("nn.conv-output-size")
def test_kernel3_padding1_stride1_keeps_the_size(claim, device):
    """§9: with F=3, P=1, S=1 the formula gives W back: the convolution keeps the size."""
    conv = torch.nn.Conv2d(2, 2, 3, 1, 1).to(device)
    sizes = {w: conv(torch.randn(1, 2, w, w, device=device)).shape[-1] for w in (1, 2, 3, 7, 28, 33)}
    claim.equal(sizes, {w: w for w in sizes}, "size kept for every W ({W: output size})")


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
