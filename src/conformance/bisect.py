"""``conformance bisect CLAIM GOOD BAD``: the first torch release where a claim's behaviour changed.

Given a claim and two releases of the release table (``scripts/gen_tox.py``) on which it
differs, it probes releases between them in binary-search order: for each, a uv environment
with that release's pins (torch, its torchvision, the Python and extra pins of its row) in a
cache folder, the kit installed from this checkout, then ``conformance run --claim CLAIM`` there.
A probe is *like GOOD* when the claim's verdict (or status) and its observations are the same
as on GOOD (only the verdict with ``--verdict-only``). The first release not like GOOD is named,
with the evidence line to put in the claim's record:

    run: <first> <what it showed>; <last like GOOD> <what it showed>

and what else changed between those two environments (Python, numpy, ...), which may be the
cause rather than torch.

The search assumes one change between GOOD and BAD (as ``git bisect`` does); where there are
several it finds one of them, and a probe unlike both GOOD and BAD is reported. Progress goes
to stderr, the result and the evidence line to stdout. Environments are kept in the cache
(``~/.cache/torch-conformance/bisect``, ``--cache``) only with ``--keep`` (they take 1-7 GB each;
uv's own cache makes a rebuild take seconds); kept ones are reused. Each probe's results file
stays under ``<cache>/runs/<claim>/`` and each probe's log under ``<cache>/logs/``. SIGINT or
SIGTERM stops the child, removes a half-built environment and the temporary files: nothing is
left but the cache (exit 130 / 143). Bad input is one line and exit 2, before any work starts.

Exit status: 0 a first differing release found; 1 GOOD and BAD show the same (no boundary);
2 unusable input or environment (unknown claim or release, GOOD not older than BAD, no uv, a
release that does not install, a probe that could not run the claim).

Torch-free: torch runs in the probes' own environments only.
"""
from __future__ import annotations

import ast
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence

from . import claims as registry
from .errors import UnusableInput
from .history import attribution, claim_word, environment_changes, observations, ran_specs

HERE = os.path.dirname(os.path.abspath(__file__))
MARKER = ".bisect-env.json"  # written last: an environment without it is incomplete


class BisectError(UnusableInput):
    """Unusable input or environment for a bisect; one-line message (exit 2)."""


# ------------------------------------------------------------------------------ the table
@dataclass(frozen=True)
class Pins:
    """One row of the release table."""

    torch: str
    torchvision: Optional[str]
    python: str
    extra: str = ""

    def requirements(self) -> List[str]:
        return (["torch==%s" % self.torch] + (["torchvision==%s" % self.torchvision] if self.torchvision else [])
                + self.extra.split())


def checkout_root() -> Optional[str]:
    """The checkout this kit runs from (it has scripts/gen_tox.py and pyproject.toml), or None."""
    root = os.path.dirname(os.path.dirname(HERE))
    if os.path.exists(os.path.join(root, "scripts", "gen_tox.py")) and os.path.exists(os.path.join(root, "pyproject.toml")):
        return root
    return None


def load_table(path: str) -> List[Pins]:
    """The ``RELEASES`` literal of gen_tox.py, read without running the script."""
    try:
        with open(path, encoding="utf-8") as fh:
            tree = ast.parse(fh.read(), filename=path)
    except (OSError, SyntaxError) as err:
        raise BisectError("cannot read the release table %s (%s)" % (path, err)) from None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "RELEASES" for t in node.targets):
            try:
                rows = ast.literal_eval(node.value)
                return [Pins(*row) for row in rows]
            except (ValueError, TypeError) as err:
                raise BisectError("%s: RELEASES is not a plain table (%s)" % (path, err)) from None
    raise BisectError("%s: no RELEASES table" % path)


def _release_key(release: str):
    return tuple(int(p) for p in release.split("."))


def between(table: Sequence[Pins], good: str, bad: str) -> List[Pins]:
    """The table's rows from GOOD to BAD, both included, oldest first; BisectError for a release
    not in the table or GOOD not older than BAD."""
    known = {p.torch: p for p in table}
    for role, release in (("GOOD", good), ("BAD", bad)):
        if release not in known:
            minor = ".".join(release.split(".")[:2])
            same = [r for r in known if r.startswith(minor + ".")]
            hint = ("%s in it: %s; " % (minor, ", ".join(same))) if same else ""
            raise BisectError("%s: torch %s is not in the release table (%sit has %s .. %s)" % (
                role, release, hint, table[0].torch, table[-1].torch))
    if _release_key(good) >= _release_key(bad):
        raise BisectError("GOOD (%s) must be older than BAD (%s)" % (good, bad))
    rows = sorted(table, key=lambda p: _release_key(p.torch))
    return [p for p in rows if _release_key(good) <= _release_key(p.torch) <= _release_key(bad)]


# ------------------------------------------------------------------------------ the search
@dataclass
class Seen:
    """What one probe saw of the claim on one release."""

    release: str
    claim: Dict[str, Any]  # the claim's entry of the probe's results
    doc: Dict[str, Any] = field(default_factory=dict)  # the whole results document (its environment)
    path: Optional[str] = None  # where its results file is kept

    @property
    def word(self) -> str:
        return claim_word(self.claim)


def differences(a: Seen, b: Seen, verdict_only: bool = False) -> List[str]:
    """How b differs from a: 'verdict', 'ran' (other specs ran), or the observation keys that
    differ ("spec[device].key"). Empty: b is like a."""
    out = ["verdict"] if a.word != b.word else []
    if verdict_only:
        return out
    if ran_specs(a.claim) != ran_specs(b.claim):
        out.append("ran")
    both = ran_specs(a.claim) & ran_specs(b.claim)
    old, new = observations(a.claim), observations(b.claim)
    for key in sorted(set(old) | set(new)):
        spec = key.split("].", 1)[0] + "]"
        if spec in both and old.get(key, _MISSING) != new.get(key, _MISSING):
            out.append(key)
    return out


_MISSING = object()


@dataclass
class Outcome:
    good: Seen
    bad: Seen
    first: Optional[Seen]  # the first release not like GOOD (None: GOOD and BAD are alike)
    last_good: Optional[Seen]  # the release before it, like GOOD
    probed: List[Seen]  # in the order probed
    releases: List[str]  # every release from GOOD to BAD
    unlike_both: List[Seen] = field(default_factory=list)  # probes that differ from GOOD and from BAD


def max_probes(n: int) -> int:
    """Probes a search over n releases (GOOD and BAD included) makes at most."""
    return 2 + (int(math.ceil(math.log(n - 1, 2))) if n > 2 else 0)


def search(releases: Sequence[str], probe: Callable[[str], Seen], verdict_only: bool = False,
           say: Callable[[str], None] = lambda line: None) -> Outcome:
    """Binary search for the first release in ``releases`` (oldest first; GOOD first, BAD last)
    whose probe is not like GOOD's."""
    releases = list(releases)
    n = len(releases)
    total = max_probes(n)
    probed: List[Seen] = []

    def look(i: int, why: str) -> Seen:
        say("[%d/%d] torch %s (%s)" % (len(probed) + 1, total, releases[i], why))
        seen = probe(releases[i])
        probed.append(seen)
        return seen

    good = look(0, "GOOD")
    bad = look(n - 1, "BAD")
    if not differences(good, bad, verdict_only):
        say("torch %s and %s show the same %s: no boundary between them" % (
            good.release, bad.release, "verdict" if verdict_only else "verdict and observations"))
        return Outcome(good, bad, None, None, probed, releases)
    say("torch %s differs from %s (%s): searching %d release(s) between them" % (
        bad.release, good.release, _what(differences(good, bad, verdict_only)), n - 2))
    lo, hi = 0, n - 1
    seen = {0: good, n - 1: bad}
    unlike_both = []
    while hi - lo > 1:
        mid = (lo + hi) // 2
        s = look(mid, "between %s and %s" % (releases[lo], releases[hi]))
        seen[mid] = s
        diff = differences(good, s, verdict_only)
        if diff:
            if differences(bad, s, verdict_only):
                unlike_both.append(s)
            say("  torch %s: %s, unlike %s (%s)" % (s.release, s.word, good.release, _what(diff)))
            hi = mid
        else:
            say("  torch %s: %s, like %s" % (s.release, s.word, good.release))
            lo = mid
    return Outcome(good, bad, seen[hi], seen[lo], probed, releases, unlike_both)


def _what(diff: List[str]) -> str:
    names = [d if d in ("verdict", "ran") else d.split("].", 1)[-1] for d in diff]
    text = ", ".join(names[:4])
    return text + (", ..." if len(names) > 4 else "")


# ------------------------------------------------------------------------------ evidence
def _brief(value: Any) -> str:
    """A recorded value in a few words, for an evidence line."""
    if value is _MISSING:
        return "not recorded"
    if isinstance(value, dict) and set(value) == {"type", "message"}:
        message = " ".join(str(value["message"]).split())
        return "%s %s" % (value["type"], json.dumps(message[:60] + ("..." if len(message) > 60 else ""), ensure_ascii=False))
    if isinstance(value, list) and all(isinstance(w, dict) and set(w) == {"category", "message"} for w in value):
        return ", ".join(w["category"] for w in value) if value else "no warning"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 60 else text[:60] + "..."


def describe(this: Seen, other: Seen, verdict_only: bool = False) -> str:
    """What ``this`` showed where it differs from ``other``: its verdict, then the differing
    observations (at most four)."""
    diff = differences(other, this, verdict_only)
    parts = [this.word]
    obs = observations(this.claim)
    for key in [d for d in diff if d not in ("verdict", "ran")][:4]:
        parts.append("%s %s" % (key.split("].", 1)[-1], _brief(obs.get(key, _MISSING))))
    if "ran" in diff:
        extra = sorted(ran_specs(this.claim) - ran_specs(other.claim))
        if extra:
            parts.append("ran %s" % ", ".join(extra))
    return ", ".join(parts)


def evidence_line(outcome: Outcome, verdict_only: bool = False) -> str:
    first, last = outcome.first, outcome.last_good
    return "run: %s %s; %s %s" % (first.release, describe(first, last, verdict_only),
                                  last.release, describe(last, first, verdict_only))


def render(outcome: Outcome, claim: str, verdict_only: bool, seconds: float) -> str:
    """The result, for stdout."""
    good, bad = outcome.good, outcome.bad
    span = "%s .. %s" % (good.release, bad.release)
    order = ", ".join(s.release for s in outcome.probed)
    probed = "probed %d of %d releases (%s) in %.0f s" % (len(outcome.probed), len(outcome.releases), order, seconds)
    if outcome.first is None:
        return "\n".join(["bisect %s %s: %s and %s show the same %s (%s): no boundary between them" % (
            claim, span, good.release, bad.release, "verdict" if verdict_only else "verdict and observations",
            good.word), probed, ""])
    first, last = outcome.first, outcome.last_good
    before = "GOOD itself" if last is good else "%s, is like %s" % (last.release, good.release)
    lines = ["bisect %s %s: the first release unlike %s is %s (the one before it, %s)" % (
        claim, span, good.release, first.release, before),
        "  %s: %s" % (last.release, describe(last, first, verdict_only)),
        "  %s: %s" % (first.release, describe(first, last, verdict_only))]
    env = environment_changes(last.doc, first.doc) if last.doc and first.doc else []
    if env:
        lines.append("  besides torch: %s" % attribution(env, first.claim))
        if any(c.key == "python" for c in env):
            lines.append("  (--python X.Y probes every release on one Python, where both install there)")
    else:
        lines.append("  besides torch, the two environments are the same (Python, numpy, torchvision, PIL, platform)")
    for s in outcome.unlike_both:
        lines.append("  note: %s is unlike both %s and %s (%s): more than one change lies in %s" % (
            s.release, good.release, bad.release, s.word, span))
    lines += [probed, "evidence for the record:", evidence_line(outcome, verdict_only), ""]
    return "\n".join(lines)


# ------------------------------------------------------------------------------ the probes
def default_cache() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "torch-conformance", "bisect")


def _stop(proc: subprocess.Popen) -> None:
    """End a child the bisect started (SIGTERM, then SIGKILL after 10 s)."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def call(argv: List[str], log_path: str, cwd: Optional[str] = None, env: Optional[Dict[str, str]] = None) -> int:
    """Run a child with its output appended to ``log_path``; interrupted (SIGINT, SIGTERM), the
    child is stopped before the interruption goes on."""
    with open(log_path, "ab") as log:
        log.write(("$ %s\n" % " ".join(argv)).encode())
        log.flush()
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=cwd, env=env)
        try:
            return proc.wait()
        except BaseException:
            _stop(proc)
            raise


def _last_line(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = [ln.strip() for ln in fh if ln.strip()]
    except OSError:
        return ""
    errors = [ln for ln in lines if "error" in ln.lower()]
    return (errors or lines or [""])[-1][:300]


class Prober:
    """Makes (or reuses) a release's environment and runs the claim's specs there."""

    def __init__(self, claim: str, table: Sequence[Pins], cache: str, work: str, *, python: Optional[str] = None,
                 keep: bool = False, devices: str = "cpu", uv: str = "uv", root: Optional[str] = None,
                 say: Callable[[str], None] = lambda line: None):
        self.claim, self.cache, self.work, self.python = claim, cache, work, python
        self.keep, self.devices, self.uv, self.root, self.say = keep, devices, uv, root, say
        self.pins = {p.torch: p for p in table}
        self.wheel: Optional[str] = None
        for sub in ("envs", "logs", os.path.join("runs", claim)):
            os.makedirs(os.path.join(cache, sub), exist_ok=True)

    # -- the kit, once per bisect
    def kit_wheel(self) -> str:
        if self.wheel is None:
            out = os.path.join(self.work, "wheel")
            log = os.path.join(self.cache, "logs", "kit-wheel.log")
            self.say("building the kit's wheel from %s" % self.root)
            rc = call([self.uv, "build", "--wheel", "--out-dir", out, self._source_copy()], log, env=self._env())
            wheels = [f for f in os.listdir(out) if f.endswith(".whl")] if os.path.isdir(out) else []
            if rc != 0 or not wheels:
                raise BisectError("cannot build the kit's wheel (uv build exit %d: %s; log %s)" % (rc, _last_line(log), log))
            self.wheel = os.path.join(out, wheels[0])
        return self.wheel

    def _source_copy(self) -> str:
        """What the wheel is built from, copied into the work folder: building in the checkout
        would leave build/ and an egg-info there."""
        copy = os.path.join(self.work, "kit")
        if self.root is None or not os.path.isdir(os.path.join(self.root, "src")):
            raise BisectError("no kit checkout to build the wheel from")
        shutil.copytree(os.path.join(self.root, "src"), os.path.join(copy, "src"),
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"))
        for name in ("pyproject.toml", "setup.cfg", "README.md", "LICENSE"):
            if os.path.exists(os.path.join(self.root, name)):
                shutil.copy2(os.path.join(self.root, name), copy)
        return copy

    def _env(self) -> Dict[str, str]:
        env = dict(os.environ)
        for name in ("PYTHONPATH", "PYTHONHOME", "CONFORMANCE_TORCH_VERSION", "VIRTUAL_ENV"):
            env.pop(name, None)  # the probe judges its own torch with its own kit
        if shutil.which("pyenv") and not env.get("PYENV_VERSION"):
            try:  # let pyenv's shims find every installed Python (as scripts/matrix.sh does)
                out = subprocess.run(["pyenv", "versions", "--bare"], capture_output=True, text=True, timeout=30).stdout
                found = sorted((v for v in out.split() if re.match(r"^\d+\.\d+\.\d+$", v)), key=_release_key, reverse=True)
                if found:
                    env["PYENV_VERSION"] = ":".join(found)
            except (OSError, subprocess.SubprocessError):
                pass
        return env

    # -- environments
    def env_dir(self, release: str) -> str:
        return os.path.join(self.cache, "envs", "torch%s-py%s" % (release, self.python_of(release)))

    def python_of(self, release: str) -> str:
        return self.python or self.pins[release].python

    def _wanted(self, release: str) -> Dict[str, Any]:
        p = self.pins[release]
        return {"torch": p.torch, "torchvision": p.torchvision, "python": self.python_of(release),
                "requirements": p.requirements()}

    def ready(self, release: str) -> bool:
        try:
            with open(os.path.join(self.env_dir(release), MARKER), encoding="utf-8") as fh:
                return json.load(fh) == self._wanted(release)
        except (OSError, ValueError):
            return False

    def create(self, release: str, log: str) -> None:
        """A fresh environment with the release's pins and the kit; removed again if anything
        (an error, SIGINT, SIGTERM) stops it half-way."""
        where = self.env_dir(release)
        wanted = self._wanted(release)
        shutil.rmtree(where, ignore_errors=True)  # an incomplete or outdated one
        self.say("  creating its environment: Python %s, %s" % (wanted["python"], " ".join(wanted["requirements"])))
        env = self._env()
        try:
            rc = call([self.uv, "venv", "--quiet", "--python", wanted["python"], where], log, env=env)
            if rc != 0:
                raise BisectError("torch %s: cannot create a Python %s environment (uv venv exit %d: %s; log %s)"
                                  % (release, wanted["python"], rc, _last_line(log), log))
            rc = call([self.uv, "pip", "install", "--python", self._python(release)] + wanted["requirements"]
                      + [self.kit_wheel()], log, env=env)
            if rc != 0:
                raise BisectError("torch %s: its pins do not install on Python %s (uv pip install exit %d: %s; log %s)"
                                  % (release, wanted["python"], rc, _last_line(log), log))
            with open(os.path.join(where, MARKER), "w", encoding="utf-8") as fh:
                json.dump(wanted, fh)
        except BaseException:
            shutil.rmtree(where, ignore_errors=True)
            raise

    def _python(self, release: str) -> str:
        return os.path.join(self.env_dir(release), "bin", "python")

    # -- one probe
    def __call__(self, release: str) -> Seen:
        log = os.path.join(self.cache, "logs", "%s-torch%s.log" % (self.claim, release))
        if os.path.exists(log):
            os.unlink(log)
        t0 = time.time()
        created = False
        wheel = self.kit_wheel()  # once, before the first environment: a kit that does not build fails fast
        if self.ready(release):
            self.say("  reusing its environment %s" % self.env_dir(release))
            rc = call([self.uv, "pip", "install", "--python", self._python(release), "--reinstall-package",
                       "torch-conformance", wheel], log, env=self._env())
            if rc != 0:
                raise BisectError("torch %s: cannot install the kit into %s (log %s)" % (release, self.env_dir(release), log))
        else:
            self.create(release, log)
            created = True
        t1 = time.time()
        try:
            seen = self.run_claim(release, log)
        finally:
            if created and not self.keep:
                shutil.rmtree(self.env_dir(release), ignore_errors=True)
        self.say("  %s (environment %.0f s, specs %.0f s)" % (seen.word, t1 - t0, time.time() - t1))
        return seen

    def run_claim(self, release: str, log: str) -> Seen:
        out = os.path.join(self.work, "torch%s.json" % release)
        argv = [self._python(release), "-m", "conformance.cli", "run", "--claim", self.claim, "--devices",
                self.devices, "--results", out, "--label", "bisect-torch%s" % release, "-q", "-p", "no:warnings"]
        env = self._env()
        env["CI"] = "true"
        rc = call(argv, log, cwd=self.work, env=env)
        if rc not in (0, 1) or not os.path.exists(out):
            raise BisectError("torch %s: conformance run could not run %s there (exit %d: %s; log %s)"
                              % (release, self.claim, rc, _last_line(log), log))
        with open(out, encoding="utf-8") as fh:
            doc = json.load(fh)
        keep = os.path.join(self.cache, "runs", self.claim, "torch%s.json" % release)
        shutil.copyfile(out, keep)
        return Seen(release, doc["claims"][self.claim], doc, keep)


# ------------------------------------------------------------------------------ the command
def add_parser(sub) -> None:
    p = sub.add_parser(
        "bisect", allow_abbrev=False,
        help="find the first torch release where a claim's verdict or observations changed",
        description="Probe the releases between GOOD and BAD (from scripts/gen_tox.py's table) in "
                    "binary-search order, each in a cached uv environment with its pins, running only "
                    "CLAIM's specs; name the first release unlike GOOD and print the evidence line.",
        epilog="Exit status: 0 found; 1 GOOD and BAD show the same; 2 unusable input; 130 interrupted "
               "(SIGINT); 143 terminated (SIGTERM). Progress goes to stderr.")
    p.add_argument("claim", metavar="CLAIM", help="claim ID, e.g. data.torchvision-mnist")
    p.add_argument("good", metavar="GOOD", help="a release showing the old behaviour, e.g. 1.4.0")
    p.add_argument("bad", metavar="BAD", help="a newer release showing the new behaviour, e.g. 1.10.0")
    p.add_argument("--python", metavar="X.Y", help="one Python for every probe (default: each release's from the table)")
    p.add_argument("--cache", metavar="DIR", help="environments, probe results and logs (default %s)" % default_cache())
    p.add_argument("--keep", action="store_true",
                   help="keep the environments it creates in the cache for the next bisect (default: "
                        "remove each after its probe; kept ones are always reused)")
    p.add_argument("--verdict-only", action="store_true",
                   help="compare only the claim's verdict, not its observations")
    p.add_argument("--devices", default="cpu", metavar="LIST", help="devices for the probes (default cpu)")


def check_claim(cid: str) -> None:
    why = registry.why_not_runnable(cid)
    if why:
        raise BisectError(why)


def run(args, probe_factory: Optional[Callable[..., Callable[[str], Seen]]] = None,
        table: Optional[Sequence[Pins]] = None) -> int:
    """The command. ``probe_factory(claim, table, cache, work, **options)`` makes the probe
    (default ``Prober``) and ``table`` is the release table (default gen_tox.py's); the kit's
    tests pass fakes of both."""
    check_claim(args.claim)
    root = checkout_root()
    if table is None:
        if root is None:
            raise BisectError("bisect needs the kit's checkout (scripts/gen_tox.py and pyproject.toml beside src/); "
                              "this kit is installed without it")
        table = load_table(os.path.join(root, "scripts", "gen_tox.py"))
    rows = between(table, args.good, args.bad)
    if args.python and not re.match(r"^\d+\.\d+(\.\d+)?$", args.python):
        raise BisectError("--python %s: give a version such as 3.8" % args.python)
    uv = shutil.which("uv")
    if probe_factory is None and not uv:
        raise BisectError("bisect makes its environments with uv, which is not on PATH (pip install uv)")
    from .jsonio import check_output_dir

    cache = os.path.abspath(args.cache or default_cache())
    check_output_dir(cache, "--cache")

    def say(line: str) -> None:
        print("bisect: %s" % line, file=sys.stderr, flush=True)

    started = time.time()
    with tempfile.TemporaryDirectory(prefix="conformance-bisect-") as work:
        factory = probe_factory or Prober
        probe = factory(args.claim, table, cache, work, python=args.python, keep=args.keep, devices=args.devices,
                        uv=uv or "uv", root=root, say=say)
        say("%s from %s to %s: %d releases, at most %d probes; cache %s" % (
            args.claim, args.good, args.bad, len(rows), max_probes(len(rows)), cache))
        outcome = search([p.torch for p in rows], probe, args.verdict_only, say)
    sys.stdout.write(render(outcome, args.claim, args.verdict_only, time.time() - started))
    return 0 if outcome.first is not None else 1
