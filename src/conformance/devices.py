"""Which devices the specs run on.

``cpu`` always; ``cuda`` when torch sees a GPU. ``--devices cpu,cuda`` (or the environment
variable CONFORMANCE_DEVICES) selects; a selected device that is not available is still
collected and skipped with the reason, so the results say why it did not run.
"""
from __future__ import annotations

import os
from typing import Dict, List, Optional, Tuple

from .errors import UnusableInput

KNOWN = ("cpu", "cuda")
ENV_VAR = "CONFORMANCE_DEVICES"


class DeviceError(UnusableInput):
    pass


def parse_selection(text: Optional[str]) -> Tuple[str, ...]:
    """``"cpu,cuda"`` -> ("cpu", "cuda"); empty/None -> all known devices."""
    if not text:
        return KNOWN
    names = tuple(n.strip().lower() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in KNOWN]
    if unknown or not names:
        raise DeviceError("unknown device(s) %s in %r: choose from %s" % (", ".join(unknown), text, ", ".join(KNOWN)))
    return names


def selection_from(option: Optional[str]) -> Tuple[str, ...]:
    return parse_selection(option or os.environ.get(ENV_VAR))


def unavailable_reason(name: str) -> Optional[str]:
    """None when ``name`` can run here, else why not."""
    if name == "cpu":
        return None
    import torch

    if name == "cuda":
        if not torch.cuda.is_available():
            built = getattr(torch.version, "cuda", None)
            return "CUDA not available (torch built %s)" % ("with CUDA %s, but no GPU is visible" % built if built else "without CUDA")
        return None
    return "unknown device %s" % name


def survey(selected: Tuple[str, ...]) -> Tuple[List[str], Dict[str, str]]:
    """(devices that run, {device: reason} for those selected that cannot)."""
    run, skipped = [], {}
    for name in selected:
        reason = unavailable_reason(name)
        if reason is None:
            run.append(name)
        else:
            skipped[name] = reason
    return run, skipped
