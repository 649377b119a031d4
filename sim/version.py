"""The package's version, in one place: `sim.__version__` and run.json's `version` read it here."""

__version__ = "0.1.0"
