"""Claims of the notes pack: modules and shapes: the content loss, the Gram matrix, conv output size, the §9 net (§7, §8, §9).

One record per claim: what the note says (paraphrased), what is true per release range with
its evidence, and the reach of its specs (``checks``: what they probe, each with the spec and
the breakage that shows the probe can fail; ``not_checked``: what they leave out, and why).
The specs are ``specs/spec_nn.py``; the breakages ``tests/breakages/nn.py``.
Imports nothing heavy: the CLI, report and diff read it without torch.
"""
from conformance import verdicts as V
from conformance.records import EVERY_RUN, Check, Claim, Expectation, Idiom, NotChecked, always  # noqa: F401

_NO_GPU = NotChecked("the same probes on CUDA tensors (cuDNN kernels)",
                     "no GPU in CI; every spec takes the device fixture, so scripts/gpu-check.sh runs them on CUDA")

# What the note was doing (the setting of a claim page), shared by several claims
STYLE = ("§7 and §8 come from neural style transfer: a content loss and a style loss are computed on the "
          "features of one network, so two losses share a graph, and the style loss compares Gram "
          "matrices of feature maps.")
NET = ("§9 defines a classifier of three blocks, each a 3x3 convolution with padding 1 and stride 1, a "
        "ReLU and a 2x2 max-pool (channels 3 -> 32 -> 64 -> 64), followed by Linear(64*3*3, 128), ReLU and "
        "Linear(128, 10), and explains the 3*3 with the output-size formula H = (W - F + 2P)/S + 1.")

# The examples: each function's body is a runnable script (claim pages, explain; tests/test_examples.py runs it)

def _gram_matrix():
    import torch

    features = torch.randn(3, 5, 4, dtype=torch.float64)  # C x M x N
    C = features.shape[0]
    by_pairs = torch.tensor([[(features[i] * features[j]).sum().item() for j in range(C)] for i in range(C)],
                            dtype=torch.float64)
    F = features.reshape(C, -1)  # C x (M*N)
    assert torch.allclose(F @ F.t(), by_pairs)


def _conv_output_size():
    import torch

    def out_size(w, f, p, s):
        return (w - f + 2 * p) // s + 1

    x = torch.randn(1, 1, 28, 28)
    assert torch.nn.Conv2d(1, 1, 3, 1, 1)(x).shape[-1] == out_size(28, 3, 1, 1) == 28  # size kept
    assert torch.nn.Conv2d(1, 1, 5, 2, 0)(x).shape[-1] == out_size(28, 5, 0, 2) == 12  # rounded down
    assert torch.nn.MaxPool2d(2)(x).shape[-1] == out_size(28, 2, 0, 2) == 14


def _net_flatten_size():
    import torch

    def block(cin, cout):
        return torch.nn.Sequential(torch.nn.Conv2d(cin, cout, 3, 1, 1), torch.nn.ReLU(), torch.nn.MaxPool2d(2))

    features = torch.nn.Sequential(block(3, 32), block(32, 64), block(64, 64))
    assert features(torch.randn(1, 3, 28, 28)).shape[-2:] == (3, 3)  # 28 -> 14 -> 7 -> 3
    assert features(torch.randn(1, 3, 24, 24)).shape[-2:] == (3, 3)  # 24 .. 31 all end at 3x3
    try:
        features(torch.randn(1, 3, 3, 3))  # the note's 3x3 input
    except RuntimeError:
        pass
    else:
        raise AssertionError("a 3x3 input cannot pass three 2x2 pools")


CLAIMS = (
    Claim(
        "style.gram-matrix", (8,),
        "The Gram matrix of a CxMxN feature map, built entry by entry from channel pairs, equals "
        "F F^T with F the map reshaped to C x (M*N).",
        always(V.HOLDS, "Both computations agree, however F F^T is written (@, torch.mm, Tensor.mm, "
               "torch.matmul; torch.bmm for a batch of maps), in float64 to full precision and in "
               "float32 to its own, also for maps that are views; the result is symmetric positive "
               "semi-definite.", EVERY_RUN),
        observe="the largest float64 error; the views' layout",
        area="nn",
        checks=(
            Check("example", "example", "F @ F.t() vs the channel-pair sums on float64 maps of 1..6 "
                  "in each dim; symmetric, positive semi-definite", "test_gram_matrix_two_ways_agree",
                  "matmul_one_percent_off", apis=("Tensor.__matmul__",)),
            Check("spellings-and-precision", "spelling", "torch.mm(F, F.t()) and F.mm(F.t()) in float64 "
                  "to full precision (entries needing more than float32's 24 bits, against exact sums); "
                  "torch.matmul and F.matmul in float32", "test_gram_matrix_other_spellings_and_precision",
                  "mm_of_float64_computes_in_float32", apis=("torch.mm", "Tensor.mm", "torch.matmul")),
            Check("batch", "shapes", "a batch of 3 maps: torch.bmm and torch.matmul on B x C x (M*N)",
                  "test_gram_matrix_of_a_batch", "bmm_repeats_the_first_item", apis=("torch.bmm", "torch.matmul")),
            Check("non-contiguous", "shapes", "maps that are views (a permuted channels-last map, a slice "
                  "with steps), reshaped to C x (M*N)", "test_gram_matrix_of_non_contiguous_features",
                  "reshape_of_a_non_contiguous_map_reads_memory_order", apis=("Tensor.reshape", "torch.mm")),
        ),
        not_checked=(
            _NO_GPU,
            NotChecked("float16/bfloat16 maps", "half-precision matrix products have no CPU kernel on the "
                       "oldest releases; style transfer computes its Gram matrices in float32"),
            NotChecked("torch.einsum spellings", "not how the note (or the style-transfer code) writes F F^T"),
        ),
        answer="Both ways agree: the matrix of channel-pair sums equals F F^T with F the C x (M*N) reshaped "
        "feature map (symmetric, positive semi-definite).",
        setting=STYLE + " §8 gives two readings of the Gram matrix of a C x M x N feature map: entry (i, j) as the "
        "sum of channel i times channel j, or each channel flattened to a row of F and F times its "
        "transpose.",
        topic='Layer shapes and Gram matrices',
        idioms=(
            Idiom('the Gram matrix from channel pairs',
                  '`F @ F.t()` with `F = features.reshape(C, -1)`'),
        ),
        example=_gram_matrix,
    ),
    Claim(
        "nn.conv-output-size", (9,),
        "A convolution's output size is (W - F + 2P)/S + 1, rounded down; with F=3, P=1, S=1 the "
        "size is unchanged.",
        (
            Expectation(
                ">=1.11", V.HOLDS,
                "Holds for nn.Conv1d/2d/3d, F.conv2d and MaxPool2d (with dilation D, F becomes "
                "D*(F-1)+1), per side of non-square inputs and kernels; where the formula gives less "
                "than 1 they raise RuntimeError; MaxPool2d's ceil_mode=True rounds up instead (a last "
                "window starting in the padding is dropped). padding='same' keeps the size at stride 1 "
                "('valid' is no padding, strided 'same' raises) and unbatched inputs are accepted.",
                key="padding-strings", since="1.11.0",
                evidence="run: 1.11.0 accepts an unbatched input to Conv1d (C x L) and to F.conv2d "
                "(C x H x W); 1.10.2 raises RuntimeError 'Expected 3-dimensional input for "
                "3-dimensional weight' for the unbatched Conv1d input",
            ),
            Expectation(
                ">=1.9,<1.11", V.HOLDS,
                "As from 1.11, except that convolutions need a batch dimension (RuntimeError without one).",
                key="padding-strings-batched", since="1.9.0",
                evidence="run: 1.9.0 accepts padding='same'/'valid' (F.conv2d, Conv1d, Conv3d); 1.8.1 "
                "raises TypeError for padding='same'",
            ),
            Expectation(
                ">=1.2,<1.9", V.HOLDS,
                "As from 1.9, except that there are no padding strings (padding='same' raises "
                "TypeError).",
                key="too-small-raises", since="1.2.0",
                evidence="run: 1.2.0 raises RuntimeError for MaxPool2d(3, stride=3) on a 2x2 input "
                "('Output size is too small'); 1.1.0 returns a (1, 1, 1, 1) output there",
            ),
            Expectation(
                ">=1.1,<1.2", V.HOLDS_WITH_CAVEAT,
                "As from 1.2, except that MaxPool2d does not check a window larger than the padded "
                "input: it sizes the output with C's truncating division (MaxPool2d(3, stride=3) on "
                "2x2 gives 1x1, the formula 0) and raises only where that gives less than 1. "
                "Convolutions raise RuntimeError ('Kernel size can't be greater than actual input size').",
                key="pool-unchecked", since="1.1.0",
                evidence="run: 1.1.0 raises RuntimeError 'Kernel size can't be greater than actual input "
                "size' for a 2x2 Conv2d kernel on a 1x1 input; 1.0.1 returns an empty (1, 1, 0, 0) output",
            ),
            Expectation(
                ">=1.0.1,<1.1", V.HOLDS_WITH_CAVEAT,
                "Holds for Conv1d/2d/3d, F.conv2d and MaxPool2d (with dilation D, F becomes D*(F-1)+1) "
                "wherever it gives at least 1 (no padding strings, batch dimension needed). Undilated "
                "convolutions and MaxPool2d do not check a kernel or window larger than the padded "
                "input: they size the output with C's truncating division, int((W - F + 2P)/S) + 1, "
                "returning an empty output (0) or even a 1-pixel one where the formula gives 0, and "
                "raise only below 0; dilated convolutions raise RuntimeError.",
                key="unchecked-kernel", since="1.0.1",
                evidence="run: 1.0.1 gives shape (1, 1, 0, 0) for a 1x1 input and a 2x2 Conv2d kernel "
                "(and F.conv2d); 1.0.0 raises RuntimeError 'std::exception' there",
            ),
            Expectation(
                "<1.0.1", V.HOLDS_WITH_CAVEAT,
                "As on 1.0.1, except that where the truncating division gives an empty output (a 2x2 "
                "kernel on a 1x1 input), nn.Conv2d and F.conv2d raise RuntimeError ('std::exception') "
                "instead; a 3x3 kernel with stride 2, or MaxPool2d(3, stride=3), on a 2x2 input still "
                "gives a 1x1 output where the formula gives 0.",
                key="unchecked-kernel-empty-raises",
                evidence="run: 1.0.0 raises RuntimeError 'std::exception' for a 2x2 Conv2d kernel on a "
                "1x1 input and gives (1, 1, 1, 1) for a 3x3 kernel with stride 2 on 2x2",
            ),
        ),
        observe="output shapes per form; the error messages of kernels larger than the input",
        area="nn",
        checks=(
            Check("example", "example", "nn.Conv2d(c, c, 3, 1, 1), the note's layer, keeps the size of "
                  "1x1 .. 33x33 inputs; nn.Conv2d kernels larger than the padded input raise (or the "
                  "old truncated sizes)", "test_kernel_larger_than_input", "conv_pads_one_more",
                  apis=("nn.Conv2d",)),
            Check("functional-too-large", "errors", "F.conv2d with a kernel larger than the padded "
                  "input raises RuntimeError, message recorded", "test_kernel_larger_than_input",
                  "conv2d_sizes_a_too_large_kernel_by_truncation", apis=("F.conv2d",)),
            Check("pool-too-small", "errors", "MaxPool2d and F.max_pool2d with a window larger than the "
                  "padded input raise RuntimeError", "test_kernel_larger_than_input",
                  "max_pool2d_returns_empty_when_the_window_does_not_fit", apis=("nn.MaxPool2d", "F.max_pool2d")),
            Check("formula-functional", "values", "F.conv2d with random non-square inputs, kernel, stride, "
                  "padding and dilation (an explicit dilated, strided, padded case among them)",
                  "test_output_size_formula_for_conv_and_pool", "conv2d_ignores_dilation", apis=("F.conv2d",)),
            Check("formula-pool", "values", "MaxPool2d with the same random sizes (padding up to half "
                  "the window)", "test_output_size_formula_for_conv_and_pool", "max_pool2d_ignores_dilation",
                  apis=("nn.MaxPool2d",)),
            Check("conv1d", "spelling", "nn.Conv1d(2, 3, 3, 1, 1) keeps lengths 1, 2, 5, 28, batches of 1 "
                  "and 4", "test_kernel3_padding1_stride1_keeps_the_size", "conv1d_pads_one_more",
                  apis=("nn.Conv1d",)),
            Check("conv3d", "spelling", "nn.Conv3d(1, 2, 3, 1, 1) keeps 2x5x7 and 3x3x3 volumes",
                  "test_kernel3_padding1_stride1_keeps_the_size", "conv3d_pads_one_more", apis=("nn.Conv3d",)),
            Check("non-square", "shapes", "F.conv2d on a 5x9 input with 3x5 and 5x3 kernels padded (1, 2) "
                  "and (2, 1)", "test_kernel3_padding1_stride1_keeps_the_size",
                  "conv2d_swaps_height_and_width_padding", apis=("F.conv2d",)),
            Check("padding-strings", "spelling", "padding='same' keeps the size (F.conv2d, Conv1d with an "
                  "even kernel, Conv3d), 'valid' pads nothing, strided 'same' raises; TypeError where "
                  "strings do not exist", "test_kernel3_padding1_stride1_keeps_the_size",
                  "padding_same_means_valid", apis=("F.conv2d", "nn.Conv1d", "nn.Conv3d")),
            Check("unbatched", "shapes", "unbatched inputs (Conv1d on C x L, F.conv2d on C x H x W) give "
                  "unbatched outputs; RuntimeError where they are not allowed",
                  "test_kernel3_padding1_stride1_keeps_the_size", "unbatched_conv_keeps_a_batch_dim",
                  apis=("nn.Conv1d", "F.conv2d")),
            Check("ceil-mode", "values", "MaxPool2d and F.max_pool2d with ceil_mode False and True on five "
                  "non-square/padded/strided cases (one where the last window is dropped) and an "
                  "unbatched input", "test_max_pool_ceil_mode_both_ways", "max_pool2d_ignores_ceil_mode",
                  apis=("nn.MaxPool2d", "F.max_pool2d")),
        ),
        not_checked=(
            _NO_GPU,
            NotChecked("transposed convolutions (ConvTranspose2d)", "their size follows another formula; "
                       "the note's network has none"),
            NotChecked("padding_mode='reflect'/'circular' and groups", "they do not change the output size "
                       "the formula gives; the note uses zero padding and no groups"),
            NotChecked("nn.Conv2d with padding='same' and unbatched nn.Conv2d input", "all nn.Conv2d module "
                       "probes sit in test_kernel_larger_than_input, which the claim-wide conv_pads_one_more "
                       "must alone catch; the same forms are probed through F.conv2d, Conv1d and Conv3d"),
        ),
        answer="A Conv2d or MaxPool2d output is floor((W - F + 2P)/S) + 1 wide (with dilation D, F becomes "
        "D*(F-1)+1); with F=3, P=1, S=1 the size is kept.",
        setting=NET,
        topic='Layer shapes and Gram matrices',
        idioms=(
            Idiom('`H = (W - F + 2P)/S + 1`',
                  'the same, rounded down'),
        ),
        example=_conv_output_size,
    ),
    Claim(
        "nn.net-flatten-size", (9,),
        "In the three-block conv/ReLU/MaxPool2d(2) network ending in Linear(64*3*3, 128), 3x3 is "
        "the final feature map size, so the input must be 3x3 too.",
        always(
            V.WRONG,
            "The convolutions keep the size but each MaxPool2d(2) halves it (rounding down), so "
            "the final map is 3x3 exactly for inputs of 24..31 pixels square (H x W inputs with "
            "both sides in 24..31, in batches too); a 3x3 input fails already in the second "
            "pooling layer.",
            EVERY_RUN,
        ),
        observe="which input sizes actually work",
        area="nn",
        checks=(
            Check("example", "example", "the note's network on square inputs 1..40: exactly 24..31 fit, "
                  "3x3 fails", "test_which_inputs_fit_the_note_network", "pools_round_up_on_square_inputs",
                  apis=("nn.MaxPool2d", "nn.Conv2d", "nn.Linear")),
            Check("non-square-and-batches", "shapes", "non-square inputs (fit iff both sides are in 24..31), "
                  "batches of 2 and 4, the 3x4 feature map of a 24x32 input",
                  "test_note_network_on_non_square_inputs_and_batches", "max_pool2d_sizes_the_width_from_the_height",
                  apis=("nn.MaxPool2d",)),
        ),
        not_checked=(
            _NO_GPU,
            NotChecked("training the network", "the claim is about shapes; a forward pass shows them"),
        ),
        answer="The note's inference is wrong: the convolutions keep the size but each MaxPool2d(2) halves it, so "
        "the last map is 3x3 for square inputs of 24 to 31 pixels (28x28 MNIST fits), and a 3x3 input "
        "fails in the second pool.",
        setting=NET,
        topic='Layer shapes and Gram matrices',
        idioms=(
            Idiom("`Linear(64*3*3, 128)` after three conv+pool blocks 'so the input is 3x3'",
                  'inputs of 24..31 pixels square (28x28 MNIST)'),
        ),
        questions=("Which input size fits the §9 network's `Linear(64*3*3, 128)`?",),
        example=_net_flatten_size,
    ),
)
