"""Figures: what every figure shares, and one module per subject."""
