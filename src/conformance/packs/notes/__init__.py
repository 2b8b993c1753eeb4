"""The built-in ``notes`` pack: the 43 claims of the PyTorch study notes, in the form every pack
takes (``pack.py``, ``claims_<area>.py`` records, ``spec_<area>.py`` specs, ``breakages*.py``)."""
