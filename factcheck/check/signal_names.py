"""The names of the switchable signals beside similarity (factcheck.check.combine), in a module of
their own so the CLI can offer them as choices without importing the checker."""

SIGNALS = ("parts", "coverage", "places", "negation")
