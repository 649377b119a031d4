"""`python -m sim` is the `caseload` command."""
from sim.cli import main

raise SystemExit(main())
