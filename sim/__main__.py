"""`python -m sim` is the `caseload` command."""
from sim.cli.main import main

raise SystemExit(main())
