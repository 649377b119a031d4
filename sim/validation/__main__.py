"""`python -m sim.validation`: run every check and write the report (docs/validation.md)."""
from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from sim.runner.files import write_text_atomic
from sim.runner.provenance import git_commit
from sim.validation.ciw_check import ciw_installed
from sim.validation.render import Provenance, render
from sim.validation.results import FULL, QUICK, Budget, report_passes
from sim.validation.suite import confirm_misses, run_checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.validation",
        description="Run the model against queueing and renewal theory and write the report.")
    parser.add_argument("--quick", action="store_true",
                        help="fewer replications and shorter horizons (as the tests run it)")
    parser.add_argument("--out", type=Path, default=None,
                        help="write the Markdown report here (default: print it)")
    parser.add_argument("--seed", type=int, default=20160701, help="root seed")
    parser.add_argument("--workers", type=int, default=None,
                        help="local processes (default: all cores, 1 with --quick)")
    args = parser.parse_args(argv)
    budget = QUICK if args.quick else FULL
    if args.workers is not None:
        budget = Budget(budget.reps, budget.years, args.workers, budget.label)
    if not ciw_installed():
        print("error: the ciw cross-check needs ciw: python -m pip install '.[test]'",
              file=sys.stderr)
        return 2

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    results = run_checks(budget, args.seed, progress=progress)
    confirmations = confirm_misses(results, budget, args.seed, progress=progress)
    command = " ".join(["python -m sim.validation", *(argv if argv is not None else sys.argv[1:])])
    provenance = Provenance(git_commit(Path(__file__).resolve().parents[2]),
                            datetime.now(UTC).date().isoformat(), command, args.seed, budget)
    text = render(results, provenance, confirmations)
    if args.out is None:
        sys.stdout.write(text)
    else:
        write_text_atomic(args.out, text)
        print(f"report written to {args.out}", file=sys.stderr)
    return 0 if report_passes(results, confirmations) else 1


if __name__ == "__main__":
    sys.exit(main())
