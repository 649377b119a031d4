"""A commented plan file to start from (`caseload new-plan`): it extends a council's baseline and
holds one commented-out example of every policy action, so it runs as the baseline until the
analyst uncomments and fills in the actions of their plan."""
from __future__ import annotations

import datetime as dt

from sim.scenario.loading import Scenario
from sim.scenario.summary import (
    agency_at_start,
    agency_share_at_start,
    case_holders_at_start,
    open_cases_at_start,
    percent,
)

EXAMPLES = '''\
# --- More posts, phased in equal monthly steps (share = 0.10 instead of count: 10% more). -------
# [[policy]]
# at = {first}             # source: when the first new posts are funded
# do = "add_posts"
# count = 20                  # source: the social worker posts in the plan
# over_months = 12            # source or assumption: how fast the posts open
# managers = 3                # source: the team manager posts in the plan (0 if none)
# note = "20 social workers + 3 managers over 12 months"

# --- Or: posts to bring the caseload to a target (open cases / target, never fewer posts). -----
# Today's caseload is {caseload}: a target above it adds no posts until open cases grow
# (caseload validate says so).
# [[policy]]
# at = {first}             # source: when hiring to the target starts
# do = "hire_to_caseload"
# target = 18                 # source: the council's caseload target
# over_months = 24            # source or assumption: how fast the posts open
# note = "hire to a caseload of 18 over 24 months"

# --- Caseload caps by level (today: {caps}).
# caps = {{ ... }} changes only the levels named; cap = 18 would set every level, raising the
# newly qualified cap too. when_full = "queue" makes them hard caps: cases wait unallocated.
# [[policy]]
# at = {second}            # source: when the caps take effect
# do = "set_cap"
# caps = {{ sw = 18, senior = 18 }}   # source: the caps in the plan
# when_full = "overallocate"  # source or assumption: "queue" (hard) or "overallocate" (soft)
# note = "caps 18 for experienced staff"

# --- Agency rules (today: agency {agency} of case-holders, covering {cover} of vacancies, at
# most {most}). A ceiling above what agency could reach cannot bind (caseload validate says so).
# [[policy]]
# at = {second}            # source: when the agency ceiling starts
# do = "set_agency"
# max_share = 0.10            # source: the plan's agency ceiling, a share of case-holders
# release_excess = false      # assumption: agency workers go as contracts end, not all at once
# note = "agency at most 10%"

# --- Retention: the leaving rate times a multiplier (0.9 = 10% fewer leavers). ---------------
# [[policy]]
# at = {second}            # source: when the retention offer starts
# do = "retention"
# turnover_multiplier = 0.9   # source or assumption: the effect expected of it
# note = "retention offer: 10% fewer leavers"

# --- Demand: a share of referrals diverted to early help, or a new referral rate or growth. ---
# [[policy]]
# at = {second}            # source: when early help takes referrals
# do = "divert_referrals"
# share = 0.05                # source or assumption: the share of referrals diverted
# note = "5% of referrals to early help"
#
# [[policy]]
# at = {second}            # source: when the new trend starts
# do = "set_referrals"
# growth_per_year = 0.02      # source or assumption: referral growth a year from this date
# note = "referrals +2% a year"
'''


def first_of_month_after(day: dt.date, days: int) -> dt.date:
    """The first day of the month on or after `days` days after `day`."""
    later = day + dt.timedelta(days=days)
    if later.day == 1:
        return later
    return dt.date(later.year + later.month // 12, later.month % 12 + 1, 1)


def plan_template(baseline: Scenario, extends: str, name: str, baseline_path: str,
                  plan_path: str) -> str:
    """The text of a plan file `name` that extends the baseline at `extends` (a path relative to
    the plan file), with today's figures from the baseline and an example of every action; its
    commands name the files as `baseline_path` and `plan_path` (as the user reaches them)."""
    place = (baseline.title or baseline.name).split(":")[0]
    holders = case_holders_at_start(baseline)
    opened = open_cases_at_start(baseline)
    workforce = baseline.workforce
    today = (f"establishment {workforce.establishment:,} posts,\n# "
             f"{workforce.permanent_in_post():,} permanent and {agency_at_start(baseline):,} "
             f"agency social workers, {opened:,} open cases")
    caseload = f"{opened / holders:.1f} per case-holder" if holders else "not defined (no staff)"
    figures = {
        "first": first_of_month_after(baseline.start, 90),
        "second": first_of_month_after(baseline.start, 180),
        "caseload": caseload,
        "caps": ", ".join(f"{level} {settings.cap:g}" for level, settings in
                          workforce.levels.items()),
        "agency": percent(agency_share_at_start(baseline)),
        "cover": percent(workforce.agency.cover),
        "most": percent(workforce.agency.max_share),
    }
    return f'''\
# A plan for {place}, on top of its no-plan baseline ({extends}).
#
# How to use this file: uncomment the actions of the plan below, put in your council's figures and
# give each figure its source in a comment (a report, a budget paper, or "assumption: why"). With
# every action commented out it is the baseline itself. Then
#   caseload validate {plan_path}
# prints the plan in words, with warnings for actions that do more than they say or cannot bind,
#   caseload compare {baseline_path} {plan_path} --reps 20
# gives a first look at what it changes (use 100 or more replications for figures to quote).
# Every key, its unit and range: docs/scenarios.md. Dates: `at = YYYY-MM-DD`, on or after the
# start, {baseline.start}.
#
# The baseline at its start: {today}; caseload {caseload}.

extends = ["{extends}"]
name = "{name}"
title = "{place}: plan"   # say what the plan does: report.html and the figures are titled so

{EXAMPLES.format(**figures)}'''
