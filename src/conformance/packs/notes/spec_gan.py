"""The last layers of a GAN and its targets (note §15)."""
import torch

from conformance.testing import spec


def _pair(device):
    torch.manual_seed(0)
    disc = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.LeakyReLU(0.2), torch.nn.Linear(16, 1),
                               torch.nn.Sigmoid()).to(device)
    gen = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 4), torch.nn.Tanh()).to(device)
    return disc, gen


def _bce(score, target):
    return torch.nn.functional.binary_cross_entropy(score, torch.full_like(score, target))


@spec("gan.discriminator-sigmoid")
def test_discriminator_scores_are_probabilities_and_learn_fake_zero(claim, device):
    """§15: a discriminator ending in Sigmoid gives probabilities in (0, 1); one step on BCE with
    real -> 1 and fake -> 0 lowers its score of the fakes and raises that of real data."""
    disc, gen = _pair(device)
    real = torch.randn(64, 4, device=device) * 0.5 + 2.0
    fake = gen(torch.randn(64, 2, device=device)).detach()
    scores = disc(torch.randn(256, 4, device=device) * 3)
    claim.all_in_range(scores, 0, 1, "scores lie in (0, 1)")
    opt = torch.optim.SGD(disc.parameters(), lr=0.5)
    before_fake, before_real = disc(fake).mean().item(), disc(real).mean().item()
    opt.zero_grad()
    (_bce(disc(real), 1.0) + _bce(disc(fake), 0.0)).backward()
    opt.step()
    after_fake, after_real = disc(fake).mean().item(), disc(real).mean().item()
    claim.less(after_fake, before_fake, "D's score of fakes goes down (mean score after the step)")
    claim.greater(after_real, before_real, "D's score of real data goes up (mean score after the step)")


@spec("gan.generator-tanh")
def test_generator_pixels_in_minus_one_one_and_learn_fake_one(claim, device):
    """§15: a generator ending in tanh gives values in (-1, 1), negative ones included; one step
    on BCE with fake -> 1 (D fixed) raises D's score of the new fakes."""
    disc, gen = _pair(device)
    z = torch.randn(256, 2, device=device) * 3
    pixels = gen(z)
    claim.all_in_range(pixels, -1, 1, "pixels lie in (-1, 1)")
    claim.less(pixels.min().item(), 0, "negative pixel values occur (the smallest pixel)")
    opt = torch.optim.SGD(gen.parameters(), lr=0.5)
    before = disc(gen(z)).mean().item()
    opt.zero_grad()
    _bce(disc(gen(z)), 1.0).backward()
    opt.step()
    after = disc(gen(z)).mean().item()
    claim.greater(after, before, "D's score of the generator's fakes goes up (mean score after the step)")
