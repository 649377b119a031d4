"""`python -m sim.validation`: write the validation report (docs/validation.md)."""
import sys

from sim.validation.checks import main

sys.exit(main())
