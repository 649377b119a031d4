"""Scenario files: reading, merging, validating and explaining them."""
