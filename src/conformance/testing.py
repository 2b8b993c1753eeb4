"""What spec modules use: the @spec decorator, the per-spec claim context, and an assertion
vocabulary whose failure messages are built from the values compared, so a message can never
state something the spec did not see.

How to add a claim
------------------
1. Registry: an entry in ``claims.py`` (ID from ``../shared/claims.md``, note section(s), the
   claim in the kit's own words, what the specs record, and one expectation per release range
   with its verdict, ``key`` and evidence: ``run: <release> <what was seen>`` for a boundary the
   kit ran on both sides; version boundaries live there and nowhere else).
2. Spec: a test in ``specs/spec_<area>.py`` decorated ``@spec("<id>")``, taking ``claim`` (and
   ``device`` when tensors are involved). Branch on ``claim.expects("<key>")``, record what you
   saw with ``claim.observe`` / ``claim.raises(..., record=)`` / ``claim.warnings(record=)``,
   and assert with the vocabulary below (``claim.equal(seen, expected, what)``, ...). Probe the
   edges: every public form of the API, several dtypes, empty / one / uneven sizes, repeated calls.
   Hypothesis specs draw the data itself (shapes, values), so a failure shrinks to a tensor.
3. Breakage self-test: an entry in ``tests/breakage.py`` that breaks the behaviour in torch
   (monkeypatch) so ``tests/test_specs_can_fail.py`` shows the spec fails by an assertion.
4. Evidence: run the releases around each boundary (``scripts/matrix.sh``), commit their
   results, and name them in the expectation's evidence; ``tests/test_registry.py`` checks that
   every ``run:`` release has a results file.
"""
from __future__ import annotations

import os
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
    claim_id = registry.get(claim_id).id  # fail at import for a typo'd ID; a pack's short ID made full

    def wrap(fn: Callable) -> Callable:
        fn = pytest.mark.parametrize("claim", [claim_id], ids=[claim_id], indirect=True)(fn)
        return pytest.mark.conformance_claim(claim_id)(fn)

    return wrap


# Breakages: functions taking pytest's ``monkeypatch`` that break one checked behaviour in torch.
# A pack's ``breakages*.py`` registers them with ``@breakage``; a check names one by function name.
BREAKAGES: Dict[str, Dict[str, Callable]] = {}  # {file: {name: breakage}}


def breakage(fn: Callable) -> Callable:
    """Register ``fn`` (a breakage) under its function name, per file (a pack's names must be
    unique across its files: ``selfcheck.load_breakages`` checks)."""
    BREAKAGES.setdefault(os.path.abspath(fn.__code__.co_filename), {})[fn.__name__] = fn
    return fn


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

    # -- the assertion vocabulary: every message is built from the values compared -------------
    def _fail(self, what: str, expected: str, seen: str) -> None:
        """Raise the message from texts the helpers made of the compared values."""
        lines = ["%s does not hold" % what, "  expected: %s" % expected, "  seen:     %s" % seen,
                 "  where:    %s" % self.where()]
        raise AssertionError("\n".join(lines))

    def equal(self, seen: Any, expected: Any, what: str) -> None:
        """``seen == expected`` (lists, tuples, numbers, strings, None; not tensors: use close)."""
        if not (seen == expected):
            self._fail(what, "== %s" % _short(expected), _short(seen))

    def not_equal(self, seen: Any, other: Any, what: str) -> None:
        if seen == other:
            self._fail(what, "!= %s" % _short(other), _short(seen))

    def is_none(self, seen: Any, what: str) -> None:
        if seen is not None:
            self._fail(what, "None", _short(seen))

    def is_not_none(self, seen: Any, what: str) -> None:
        if seen is None:
            self._fail(what, "a value, not None", _short(seen))

    def identical(self, seen: Any, expected: Any, what: str) -> None:
        """``seen is expected`` (the very same object)."""
        if seen is not expected:
            self._fail(what, "the same object as %s (id %x)" % (_short(expected), id(expected)),
                       "%s (id %x)" % (_short(seen), id(seen)))

    def is_instance(self, seen: Any, types: Any, what: str) -> None:
        if not isinstance(seen, types):
            names = "/".join(t.__name__ for t in (types if isinstance(types, tuple) else (types,)))
            self._fail(what, "an instance of %s" % names, "%s of type %s" % (_short(seen), type(seen).__name__))

    def less(self, seen: Any, bound: Any, what: str) -> None:
        if not (seen < bound):
            self._fail(what, "< %s" % _short(bound), _short(seen))

    def greater(self, seen: Any, bound: Any, what: str) -> None:
        if not (seen > bound):
            self._fail(what, "> %s" % _short(bound), _short(seen))

    def contains(self, container: Any, item: Any, what: str) -> None:
        if item not in container:
            self._fail(what, "to contain %s" % _short(item), _short(container))

    def matches(self, text: str, pattern: str, what: str) -> None:
        if not re.search(pattern, text):
            self._fail(what, "matches /%s/" % pattern, _short(text))

    def all_in_range(self, values, low: float, high: float, what: str, inclusive: bool = False) -> None:
        """Every element of a tensor lies in (low, high) (or [low, high]); shows the offenders."""
        flat = values.detach().reshape(-1).cpu()
        ok = (flat >= low) & (flat <= high) if inclusive else (flat > low) & (flat < high)
        if not bool(ok.all()):
            bad = flat[~ok]
            self._fail(what, "every element in %s%s, %s%s" % ("[" if inclusive else "(", low, high, "]" if inclusive else ")"),
                       "%d of %d outside, e.g. %s" % (bad.numel(), flat.numel(), _short(bad[:5])))

    def holds(self, condition: Any, what: str, **seen: Any) -> None:
        """A condition the other helpers cannot state; ``seen`` names the values it was computed
        from, and the message shows exactly those."""
        if not condition:
            self._fail(what, "the condition to hold",
                       ", ".join("%s=%s" % (k, _short(v)) for k, v in sorted(seen.items())) or "(no values given)")

    def fail(self, what: str, **seen: Any) -> None:
        """An outcome that must not happen (e.g. a call that should have raised returned)."""
        self.holds(False, what, **seen)

    def close(self, actual, expected, what: str, rtol: float = 1e-5, atol: float = 1e-6) -> None:
        """Assert two tensors (or numbers) are close, explaining the difference on failure."""
        import torch

        if actual is None or expected is None:
            if not (actual is None and expected is None):
                self._fail(what, _short(expected), _short(actual))
            return
        def as64(v):  # Python numbers straight to float64, not through float32
            return v.detach().cpu().double() if isinstance(v, torch.Tensor) else torch.tensor(v, dtype=torch.float64)

        a, e = as64(actual), as64(expected)
        ok = a.shape == e.shape and bool(torch.allclose(a, e, rtol=rtol, atol=atol, equal_nan=False))
        if not ok:
            diff = (a - e).abs().max().item() if a.shape == e.shape else "shape %s vs %s" % (tuple(a.shape), tuple(e.shape))
            self._fail(what, "%s (rtol %g, atol %g)" % (_short(e), rtol, atol), "%s (max abs diff %s)" % (_short(a), diff))

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
                self._fail("message of %s" % type(exc).__name__, "matches /%s/" % match, _short(str(exc)))
            return
        names = "/".join(t.__name__ for t in (exc_type if isinstance(exc_type, tuple) else (exc_type,)))
        self._fail("an error is raised", names, "no exception was raised")

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
    if isinstance(t, str):
        text = repr(t)
    elif isinstance(t, type):  # a class (torch.Tensor has an unbound tolist): its name
        text = "%s.%s" % (t.__module__, t.__qualname__)
    else:
        text = str(t.tolist() if callable(getattr(t, "tolist", None)) else t)
    return text if len(text) < 200 else text[:200] + "..."
