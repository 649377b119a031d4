"""Defaults of the goal search, shared by `sim.experiments.target` and the `caseload target` command (kept
apart so that building the command line does not import the search and its libraries)."""

DEFAULT_FIRST_REPS = 10
"""Replications a candidate starts with (doubled while its decision is open)."""
DEFAULT_CONFIDENCE = 0.95
"""Joint confidence of all the looks at the candidates' probabilities."""
