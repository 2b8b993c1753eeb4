"""Packs of claims: the built-in ``notes`` pack (the study notes' 43 claims)."""
