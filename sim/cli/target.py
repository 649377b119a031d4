"""`caseload target`: the smallest number of extra posts that meets a target with probability P."""
from __future__ import annotations

import argparse
import datetime as dt
import math
from pathlib import Path

from sim.cli.common import (
    BadInput,
    add_batch_options,
    add_scenario_options,
    batch_options,
    check_resources,
    check_positive,
    scenario_from_args,
    simulate,
)
from sim.model.metrics import METRIC_NAMES

EXAMPLE = ("caseload target scenarios/councils/manchester-2016.toml --metric caseload_mean "
           "--at 2018-04-01 --below 18 --prob 0.8 --from 2016-10-01 --over-months 24 --reps 100")


def add_parser(commands) -> None:
    """Register `target` on the `caseload` sub-command parsers."""
    from sim.experiments.target_defaults import DEFAULT_CONFIDENCE, DEFAULT_FIRST_REPS

    target = commands.add_parser(
        "target", help="smallest number of extra posts so that P(metric below X at a time) >= P",
        description="Find the smallest number of extra case-holding posts (an add_posts action "
                    "at the start, or --from a date, phased --over-months) such that the "
                    "probability that METRIC is below (or above) X at the time --at is at least "
                    "P. Candidates run on common random numbers: 0 posts, then 1, 2, 4, ... "
                    "until one meets the target, then bisection; each candidate gets "
                    "replications (from --first-reps, doubling up to --reps) until the "
                    "Clopper-Pearson interval of its probability lies on one side of P. Writes "
                    "target.csv (one row per candidate) and run.json (the answer, its interval, "
                    "the cost by financial year, the replications and seconds spent).",
        epilog="Example: " + EXAMPLE,
    )
    target.add_argument("scenario", type=Path, help="scenario TOML file (usually a no-plan "
                                                     "council baseline)")
    target.add_argument("--metric", default="caseload_mean", choices=METRIC_NAMES,
                        metavar="METRIC", help="metric to meet (default caseload_mean)")
    target.add_argument("--at", required=True, metavar="YEARS|DATE",
                        help="when: years after the scenario's start (e.g. 1.75) or a date "
                             "(e.g. 2018-04-01); the last weekly sample at or before it is used")
    side = target.add_mutually_exclusive_group(required=True)
    side.add_argument("--below", type=float, metavar="X", help="target: metric < X")
    side.add_argument("--above", type=float, metavar="X", help="target: metric > X")
    target.add_argument("--prob", type=float, required=True, metavar="P",
                        help="the probability the target must be met with, above 0 and below 1")
    target.add_argument("--over-months", type=int, default=0, metavar="M",
                        help="phase the extra posts in equal monthly steps over M months "
                             "(default 0: all at once)")
    target.add_argument("--from", dest="from_date", default=None, metavar="DATE",
                        help="date the extra posts start (default: the scenario's start)")
    target.add_argument("--max-posts", type=int, default=None, metavar="N",
                        help="largest number of extra posts tried (default twice the "
                             "establishment, at least 10)")
    target.add_argument("--first-reps", type=int, default=DEFAULT_FIRST_REPS, metavar="N",
                        help=f"replications of a candidate at its first look (default "
                             f"{DEFAULT_FIRST_REPS}); each further look doubles them")
    target.add_argument("--confidence", type=float, default=DEFAULT_CONFIDENCE,
                        help=f"confidence of each candidate's decision over all its looks "
                             f"(default {DEFAULT_CONFIDENCE})")
    target.add_argument("--reps", type=int, default=200,
                        help="most replications of any one candidate (default 200)")
    add_scenario_options(target)
    add_batch_options(target, "results/<scenario-name>-target/", until_ci=False)
    target.set_defaults(until_ci=None)


def _years(text: str, start: dt.date) -> float:
    """--at as years after `start`: a number of years, or a date after the start."""
    from sim.experiments.target import years_after

    try:
        years = float(text)
    except ValueError:
        try:
            when = dt.date.fromisoformat(text)
        except ValueError:
            raise BadInput(f"--at: expected years after the start (e.g. 1.75) or a date (e.g. "
                           f"2018-04-01), got {text!r}") from None
        if when <= start:
            raise BadInput(f"--at: {when} is not after the scenario's start {start}; allowed: "
                           f"a later date") from None
        years = years_after(start, when)
        if years > 30:
            raise BadInput(f"--at: {when} is {years:.3g} years after the scenario's start "
                           f"{start}; allowed: at most 30 years after it")
        return years
    if not math.isfinite(years) or not 0 < years <= 30:
        raise BadInput(f"--at: {text} years is out of range; allowed: above 0 and at most 30")
    return years


def _date(text: str | None, start: dt.date) -> dt.date | None:
    if text is None:
        return None
    try:
        when = dt.date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"--from: expected a date such as 2016-10-01, got {text!r}") from None
    if when < start:
        raise BadInput(f"--from: {when} is before the scenario's start {start}; allowed: "
                       f"{start} or later")
    return when


def _target(args: argparse.Namespace, start: dt.date):
    """The `Target` named by the options (BadInput naming the option if one is wrong)."""
    from sim.experiments.target import Target

    if not 0 < args.prob < 1:
        raise BadInput(f"--prob: {args.prob:g} is out of range; allowed: above 0 and below 1")
    if args.over_months < 0:
        raise BadInput(f"--over-months: must be a whole number of at least 0 (got "
                       f"{args.over_months})")
    threshold = args.below if args.below is not None else args.above
    if not math.isfinite(threshold):
        raise BadInput(f"--{'below' if args.below is not None else 'above'}: must be a finite "
                       f"number (got {threshold})")
    return Target(metric=args.metric, at_years=_years(args.at, start), threshold=threshold,
                  prob=args.prob, direction="below" if args.below is not None else "above",
                  over_months=args.over_months, from_date=_date(args.from_date, start))


def _check_search_options(args: argparse.Namespace) -> None:
    check_positive("first-reps", args.first_reps)
    check_positive("max-posts", args.max_posts)
    if not 0 < args.confidence < 1:
        raise BadInput(f"--confidence: {args.confidence:g} is out of range; allowed: above 0 "
                       f"and below 1")


def cmd_target(args: argparse.Namespace) -> int:
    """Run the search, write target.csv and run.json, and print the answer."""
    from sim.report.finish import finish_folder
    from sim.experiments.target import seek_target
    from sim.report.target_output import candidate_line, target_lines, write_target

    options = batch_options(args)
    _check_search_options(args)
    scenario = scenario_from_args(args)
    target = _target(args, scenario.start)
    out = args.out or Path("results") / f"{scenario.name}-target"
    check_resources(args, [scenario], options["reps"], out)
    announce = None if args.quiet else (lambda candidate: print(candidate_line(candidate),
                                                                flush=True))
    result = simulate(args, lambda: seek_target(
        scenario, target, reps=options["reps"], seed=options["seed"],
        workers=options["workers"], out=out, first_reps=args.first_reps,
        confidence=args.confidence, max_posts=args.max_posts, scheduler=options["scheduler"],
        resume=options["resume"], progress=options["progress"], announce=announce), out)
    write_target(result, out, options["command"])
    finish_folder(out, figures=args.figures)
    if not args.quiet:
        print("\n".join(target_lines(result)))
        print(f"results written to {out}/")
    return 0
