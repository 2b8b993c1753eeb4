"""Breakages of the checks: one module per area of the notes pack, each function breaking
one probed behaviour in torch (monkeypatch) so that the check's spec, and no other spec of its
claim, fails by an assertion (``tests/test_reach.py``). A check names its breakage by function
name; claim-wide breakages of ``tests/breakage.py`` may be named too."""
import breakage as _claim_wide

from ._registry import REGISTRY, breakage  # noqa: F401
from . import autograd, data, gan, nn, optim, reduce, serialize, tensor, variable  # noqa: F401,E402


def find(name):
    """The breakage function called ``name``, or None."""
    if name in REGISTRY:
        return REGISTRY[name]
    fn = getattr(_claim_wide, name, None)
    return fn if callable(fn) and not isinstance(fn, type) else None
