"""The torch under test: which release it is judged as, and the record of the environment a
run or a benchmark stores with its numbers. The one place that reads the version override."""
from __future__ import annotations

import os
import platform
from typing import Any, Dict, Iterable, Optional

from . import devices as devmod
from .versions import TorchVersion, VersionError, parse_torch_version

TORCH_VERSION_ENV = "CONFORMANCE_TORCH_VERSION"  # judge torch as this version (checking gates)


def torch_version_string() -> str:
    """The version the kit judges: the override when set, else the installed torch's."""
    override = os.environ.get(TORCH_VERSION_ENV)
    if override:
        return override
    import torch

    return torch.__version__


def torch_version() -> TorchVersion:
    """The parsed version under test; raises VersionError (one line) for a string that is not a version."""
    return parse_torch_version(torch_version_string())


def _torchvision() -> Optional[str]:
    try:
        import torchvision

        return torchvision.__version__
    except Exception:  # not installed, or fails to import next to this torch
        return None


def record(selected: Iterable[str] = ()) -> Dict[str, Any]:
    """The environment of a run on the ``selected`` devices (JSON-ready)."""
    import torch

    try:
        tv = torch_version()
        release, pre = str(tv.release), tv.prerelease
    except VersionError:
        release, pre = "unknown", False
    cudnn = None
    try:
        if torch.backends.cudnn.is_available():
            cudnn = torch.backends.cudnn.version()
    except Exception:  # pragma: no cover - a broken CUDA install
        cudnn = None
    run_devices, skipped = devmod.survey(tuple(selected))
    env = {
        "torch": torch.__version__,
        "torch_release": release,
        "torch_prerelease": pre,
        "torchvision": _torchvision(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cuda": getattr(torch.version, "cuda", None),
        "cudnn": cudnn,
        "devices": run_devices,
        "devices_skipped": skipped,
        "threads": torch.get_num_threads(),
    }
    if "cuda" in run_devices:
        env["gpu"] = torch.cuda.get_device_name(0)
    for mod in ("numpy", "PIL", "hypothesis", "pytest"):
        try:
            env[mod.lower()] = __import__(mod).__version__
        except Exception:
            env[mod.lower()] = None
    return env
