"""The model against theory: `python -m sim.validation` writes docs/validation.md."""
