"""Benchmarks for minimax-async. Run with ``nox -s bench`` (quick) or ``nox -s bench -- --full``."""
