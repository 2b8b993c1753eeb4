"""torch-conformance: executable specs for what a set of PyTorch study notes claims."""

__version__ = "0.1.0"
