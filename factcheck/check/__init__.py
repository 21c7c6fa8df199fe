"""Claim checking: evidence per source, deterministic checks, stances, verdicts."""
