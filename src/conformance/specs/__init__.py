"""The specs: one module per note area, each spec marked with the claim it checks."""
