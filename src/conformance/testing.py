"""What spec modules use: the @spec decorator, the per-spec claim context, and assertion
helpers whose failures say what was expected, what was seen, where, and how to reproduce."""
from __future__ import annotations

import re
import warnings
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

from . import claims as registry


def spec(claim_id: str) -> Callable:
    """Mark a test function as a spec of ``claim_id``.

    The claim ID becomes part of the test ID (``test_x[autograd.scalar-backward-cpu]``) and the
    ``claim`` fixture hands the spec its :class:`ClaimContext`. ``conformance claims`` finds
    specs by reading these decorators, without importing torch.
    """
    registry.get(claim_id)  # fail at import for a typo'd ID

    def wrap(fn: Callable) -> Callable:
        fn = pytest.mark.parametrize("claim", [claim_id], ids=[claim_id], indirect=True)(fn)
        return pytest.mark.conformance_claim(claim_id)(fn)

    return wrap


def jsonable(value: Any) -> Any:
    """Turn what a spec saw into JSON: tensors to lists, types to names, the rest to str."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else repr(value)
    if isinstance(value, type):
        return value.__name__
    if isinstance(value, BaseException):
        return {"type": type(value).__name__, "message": str(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [jsonable(v) for v in items]
    tolist = getattr(value, "tolist", None)
    if callable(tolist):  # torch tensors and numpy arrays
        return jsonable(tolist())
    return str(value)


def autograd_nodes(tensor) -> List[Any]:
    """Every autograd node reachable from ``tensor.grad_fn``. Each Python wrapper is held while
    walking: older torch makes a new wrapper per access, and a freed one's id can be reused."""
    seen: Dict[int, Any] = {}
    stack = [getattr(tensor, "grad_fn", None)]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen[id(node)] = node
        stack.extend(n for n, _ in node.next_functions)
    return list(seen.values())


class ClaimContext:
    """Handed to a spec by the ``claim`` fixture."""

    def __init__(self, claim: registry.Claim, expectation: registry.Expectation, torch_version, device: Optional[str]):
        self.claim = claim
        self.id = claim.id
        self.expect = expectation
        self.torch_version = torch_version
        self.device = device
        self.observations: Dict[str, Any] = {}

    def expects(self, key: str) -> bool:
        """Whether the active expectation (for this torch release) is the one named ``key``."""
        keys = {e.key for e in self.claim.expectations}
        if key not in keys:
            raise KeyError("claim %s has no expectation %r (has %s)" % (self.id, key, sorted(keys)))
        return self.expect.key == key

    def observe(self, key: str, value: Any) -> Any:
        """Record what the spec saw; it goes into the results file. Returns ``value``."""
        self.observations[key] = jsonable(value)
        return value

    def where(self) -> str:
        return "claim %s (%s), torch %s, device %s, expectation %s" % (
            self.id, self.claim.section_label, self.torch_version, self.device or "any", self.expect.key)

    def check(self, condition: Any, what: str, expected: Any = None, seen: Any = None) -> None:
        """Assert ``condition``; on failure explain expected vs seen, and where."""
        if not condition:
            lines = ["%s does not hold" % what, "  expected: %s" % (expected,), "  seen:     %s" % (seen,),
                     "  where:    %s" % self.where()]
            raise AssertionError("\n".join(lines))

    def close(self, actual, expected, what: str, rtol: float = 1e-5, atol: float = 1e-6) -> None:
        """Assert two tensors (or numbers) are close, explaining the difference on failure."""
        import torch

        if actual is None or expected is None:
            self.check(actual is None and expected is None, what, expected=expected, seen=actual)
            return
        def as64(v):  # Python numbers straight to float64, not through float32
            return v.detach().cpu().double() if isinstance(v, torch.Tensor) else torch.tensor(v, dtype=torch.float64)

        a, e = as64(actual), as64(expected)
        ok = a.shape == e.shape and bool(torch.allclose(a, e, rtol=rtol, atol=atol, equal_nan=False))
        if not ok:
            diff = (a - e).abs().max().item() if a.shape == e.shape else "shape %s vs %s" % (tuple(a.shape), tuple(e.shape))
            self.check(False, what, expected=_short(e), seen="%s (max abs diff %s)" % (_short(a), diff))

    @contextmanager
    def raises(self, exc_type, match: Optional[str] = None, record: Optional[str] = None) -> Iterator[Any]:
        """Expect ``exc_type`` (and a regex on its message); record type and full message."""
        info = _Raised()
        try:
            yield info
        except BaseException as exc:  # noqa: B902 - re-raised when unexpected
            info.value = exc
            if record:
                self.observe(record, {"type": type(exc).__name__, "message": str(exc)})
            if not isinstance(exc, exc_type):
                raise
            if match is not None and not re.search(match, str(exc)):
                self.check(False, "message of %s" % type(exc).__name__, expected="matches /%s/" % match, seen=str(exc))
            return
        names = "/".join(t.__name__ for t in (exc_type if isinstance(exc_type, tuple) else (exc_type,)))
        self.check(False, "an error is raised", expected=names, seen="no exception")

    @contextmanager
    def warnings(self, record: Optional[str] = None) -> Iterator[List[warnings.WarningMessage]]:
        """Collect every warning raised inside; record category and text."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield caught
        if record:
            self.observe(record, [{"category": w.category.__name__, "message": str(w.message)} for w in caught])


class _Raised:
    value: Optional[BaseException] = None


def _short(t) -> str:
    text = str(t.tolist() if hasattr(t, "tolist") else t)
    return text if len(text) < 200 else text[:200] + "..."
