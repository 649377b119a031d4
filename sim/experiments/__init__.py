"""Experiments over scenarios: sweeps, sensitivity designs and goal seeking."""
