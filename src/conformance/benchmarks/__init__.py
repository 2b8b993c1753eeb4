"""Benchmarks of the notes' hot paths; run with `conformance bench`."""
