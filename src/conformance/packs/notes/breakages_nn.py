"""Breakages of the checks of the notes pack's nn claims (see __init__)."""
import torch  # noqa: F401

from ._registry import breakage  # noqa: F401
