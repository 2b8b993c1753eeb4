"""Breakages of the checks of the notes pack's variable claims: each breaks one probed behaviour so that its check's spec alone fails."""
import torch  # noqa: F401

from conformance.testing import breakage  # noqa: F401
