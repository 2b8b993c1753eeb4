"""Claims of the notes pack: the two networks of a GAN (§15).

One record per claim: what the note says (paraphrased), what is true per release range with
its evidence, and the reach of its specs (``checks``: what they probe, each with the spec and
the breakage that shows the probe can fail; ``not_checked``: what they leave out, and why).
The specs are ``specs/spec_gan.py``; the breakages ``tests/breakages/gan.py``.
Imports nothing heavy: the CLI, report and diff read it without torch.
"""
from conformance import verdicts as V
from conformance.records import EVERY_RUN, Check, Claim, Expectation, Idiom, NotChecked, always  # noqa: F401

_NO_GPU = NotChecked("the same probes on CUDA tensors",
                     "no GPU in CI; every spec takes the device fixture, so scripts/gpu-check.sh runs them on CUDA")

# What the note was doing (the setting of a claim page), shared by several claims
GAN = ("§15 sums up the two networks of a GAN: the discriminator ends in a Sigmoid and is trained to "
        "score real data 1 and generated data 0; the generator ends in tanh, producing pixels in -1..1, and "
        "is trained so that the discriminator scores its output 1.")

# The examples: each function's body is a runnable script (claim pages, explain; tests/test_examples.py runs it)

def _discriminator_sigmoid():
    import torch

    D = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.LeakyReLU(0.2), torch.nn.Linear(16, 1),
                            torch.nn.Sigmoid())
    scores = D(torch.randn(64, 4) * 3)
    assert ((scores > 0) & (scores < 1)).all()  # probabilities
    real, fake = torch.randn(8, 4) + 2, torch.randn(8, 4) - 2
    bce = torch.nn.BCELoss()
    d_loss = bce(D(real), torch.ones(8, 1)) + bce(D(fake), torch.zeros(8, 1))  # real -> 1, fake -> 0
    d_loss.backward()


def _generator_tanh():
    import torch

    G = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 4), torch.nn.Tanh())
    D = torch.nn.Sequential(torch.nn.Linear(4, 1), torch.nn.Sigmoid())
    pixels = G(torch.randn(256, 2) * 3)
    assert ((pixels > -1) & (pixels < 1)).all()  # pixel values in (-1, 1)
    g_loss = torch.nn.BCELoss()(D(pixels), torch.ones(256, 1))  # the generator wants its fakes scored 1
    g_loss.backward()


CLAIMS = (
    Claim(
        "gan.discriminator-sigmoid", (15,),
        "A discriminator ending in Sigmoid outputs probabilities; training it, fake data should "
        "score 0 and real data 1.",
        (
            Expectation(
                ">=1.5", V.HOLDS,
                "Outputs lie in [0, 1], never NaN (also at ±inf), in every spelling (nn.Sigmoid, "
                "torch.sigmoid, Tensor.sigmoid, F.sigmoid); for moderate logits strictly inside, but "
                "float32 gives exactly 1.0 from a logit of about 17 and 0 below about -104, with zero "
                "gradient there. A step on BCE with those targets lowers the score of fakes. BCE on "
                "sigmoid outputs equals BCE with logits, except when saturated: BCELoss clamps its log "
                "at -100 (loss 100, gradient 0 through the sigmoid) where BCEWithLogitsLoss gives the "
                "exact loss and gradient.",
                key="bce-log-clamp", since="1.5.0",
                evidence="run: 1.5.0 gives BCELoss 100 for sigmoid(40) = 1.0 with target 0; 1.4.0 "
                "gives 27.631 (-log(1e-12))",
            ),
            Expectation(
                ">=1.1,<1.5", V.HOLDS,
                "As from 1.5, except that BCELoss on a saturated sigmoid (1.0 with target 0) gives "
                "-log(1e-12) = 27.63 instead of 100.",
                key="bce-eps", since="1.1.0",
                evidence="run: 1.1.0 gives float32 sigmoid(-200) = sigmoid(-inf) = 0 also in a tensor "
                "of 72 values; 1.0.1 gives 4.156e-39 there (24 of the 72 values)",
            ),
            Expectation(
                "<1.1", V.HOLDS,
                "As from 1.1, except that float32 sigmoid of very negative logits (and of -inf) can "
                "be 4.156e-39 instead of 0: where the vectorised kernel computes it, in tensors of "
                "about 25 elements or more; shorter tensors give 0.",
                key="sigmoid-floor",
                evidence="run: 1.0.1 gives float32 sigmoid(-200) = sigmoid(-inf) = 4.15602843873158e-39 "
                "in a tensor of 72 values, 0 in one of 9",
            ),
        ),
        observe="sigmoid values and gradients at large |x|; BCE losses and gradients when saturated; F.sigmoid's warnings",
        area="gan",
        checks=(
            Check("example", "example", "a discriminator ending in nn.Sigmoid: scores in (0, 1); one "
                  "gradient step on BCE (real 1, fake 0) lowers the fakes' score and raises the real's",
                  "test_discriminator_scores_are_probabilities_and_learn_fake_zero", "sigmoid_is_identity",
                  apis=("nn.Sigmoid", "F.binary_cross_entropy")),
            Check("spellings", "spelling", "torch.sigmoid, Tensor.sigmoid and F.sigmoid equal "
                  "1/(1+exp(-x)) on -12..12, float32 and float64 (F.sigmoid's deprecation warnings "
                  "recorded)", "test_sigmoid_spellings_agree", "tensor_sigmoid_is_sigmoid_of_minus_x",
                  apis=("torch.sigmoid", "Tensor.sigmoid", "F.sigmoid")),
            Check("saturation", "values", "torch.sigmoid at ±40, ±100, ±1e4, ±inf, in a short "
                  "and a long (vectorised) tensor: exact 0/1 where float32/float64 round there, never "
                  "NaN, gradient ~0", "test_sigmoid_saturates_without_nan",
                  "sigmoid_by_the_naive_formula", apis=("torch.sigmoid",)),
            Check("bce-agreement", "values", "BCELoss / F.binary_cross_entropy on sigmoid outputs vs "
                  "BCEWithLogitsLoss / F.binary_cross_entropy_with_logits, hard and soft targets; the "
                  "saturated case's losses and gradients", "test_bce_on_sigmoid_agrees_with_bce_with_logits",
                  "bce_with_logits_goes_through_sigmoid",
                  apis=("nn.BCELoss", "nn.BCEWithLogitsLoss", "F.binary_cross_entropy_with_logits")),
        ),
        not_checked=(
            _NO_GPU,
            NotChecked("torch.special.expit", "an alias that exists only from 1.9 on; the note uses the "
                       "Sigmoid module"),
            NotChecked("float16/bfloat16 sigmoid", "half-precision CPU kernels are missing on the oldest "
                       "releases; a GAN's discriminator here computes in float32"),
            NotChecked("training over many steps, and optimizers", "one gradient step shows the direction "
                       "the targets push; optimizers have their own claims"),
        ),
        answer="A discriminator ending in Sigmoid outputs values in [0, 1] (exactly 1.0 in float32 from a logit of "
        "about 17), and a BCE step with real -> 1 and fake -> 0 lowers its score of fakes.",
        setting=GAN,
        topic='GAN output layers',
        idioms=(
            Idiom('discriminator ending in `Sigmoid`, fakes scored 0',
                  'the same'),
        ),
        example=_discriminator_sigmoid,
    ),
    Claim(
        "gan.generator-tanh", (15,),
        "A generator ending in tanh outputs pixel values in -1..1; training it, fake data should score 1.",
        always(V.HOLDS, "Outputs lie in [-1, 1], never NaN (also at ±inf), in every spelling (nn.Tanh, "
               "torch.tanh, Tensor.tanh, F.tanh): strictly inside for moderate inputs, exactly ±1 once "
               "|x| exceeds about 9 in float32 (about 19 in float64), with zero gradient there. A "
               "generator step on BCE with target 1 raises the discriminator's score of fakes.", EVERY_RUN),
        observe="tanh values and gradients at large |x|; F.tanh's warnings",
        area="gan",
        checks=(
            Check("example", "example", "a generator ending in nn.Tanh: pixels in (-1, 1), negative ones "
                  "included; one gradient step on BCE (fake 1) raises D's score of the fakes",
                  "test_generator_pixels_in_minus_one_one_and_learn_fake_one", "tanh_is_sigmoid",
                  apis=("nn.Tanh",)),
            Check("spellings", "spelling", "torch.tanh, Tensor.tanh and F.tanh equal math.tanh on -4..4, "
                  "float32 and float64 (F.tanh's deprecation warnings recorded)", "test_tanh_spellings_agree",
                  "tensor_tanh_is_hardtanh", apis=("torch.tanh", "Tensor.tanh", "F.tanh")),
            Check("saturation", "values", "torch.tanh at ±9, ±9.1, ±20, ±1e4, ±inf and -0.0: exactly ±1 "
                  "where float32/float64 round there, never beyond, never NaN, gradient 0",
                  "test_tanh_saturates_at_plus_minus_one", "tanh_by_the_naive_formula", apis=("torch.tanh",)),
        ),
        not_checked=(
            _NO_GPU,
            NotChecked("float16/bfloat16 tanh", "half-precision CPU kernels are missing on the oldest "
                       "releases; the generator here computes in float32"),
            NotChecked("training over many steps, and optimizers", "one gradient step shows the direction "
                       "the target pushes; optimizers have their own claims"),
        ),
        answer="A generator ending in tanh outputs values in [-1, 1] (exactly ±1 in float32 from |x| of about 9), "
        "and a step on BCE with target 1 for its fakes raises the discriminator's score of them.",
        setting=GAN,
        topic='GAN output layers',
        idioms=(
            Idiom('generator ending in `tanh`, its fakes scored 1',
                  'the same'),
        ),
        example=_generator_tanh,
    ),
)
