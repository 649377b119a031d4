"""The levers of the app's Plan page, in words, and the scenario files they amount to.

The assumptions an analyst changes (`ASSUMPTIONS`: a new number, or a range drawn once per
replication) are set in the council's file, which then is the no-plan file; the plan file is that
file with another name and one `[[policy]]` table per lever that is set, so `caseload compare
no-plan.toml plan.toml` reproduces every app session. Each figure carries its provenance:
"assumption: set in caseload app".
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from sim.model.units import DAYS_PER_MONTH
from sim.scenario.errors import ScenarioError

FROM_APP = "assumption: set in caseload app"
NAME_LINE = re.compile(r'^name\s*=\s*"([^"]*)".*$', re.MULTILINE)
YEARS_LINE = re.compile(r"^years\s*=.*$", re.MULTILINE)
TABLE_LINE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\s]+?)\s*\]\s*(#.*)?$")
ARRAY_TABLE_LINE = re.compile(r"^\s*\[\[")


@dataclass(frozen=True)
class Assumption:
    """A number of the council's file the Plan page may change for both scenarios: `key` (dotted)
    and what it is, in words."""

    key: str
    label: str
    lowest: float = 0.0
    highest: float = math.inf

    def default_range(self, value: float) -> tuple[float, float]:
        """A starting range around the file's `value`: 20% either side (at least 0.02), kept
        within the key's ends."""
        spread = max(0.2 * abs(value), 0.02)
        return (round(max(value - spread, self.lowest), 4),
                round(min(value + spread, self.highest), 4))

    @property
    def table(self) -> str:
        return self.key.rpartition(".")[0]

    @property
    def name(self) -> str:
        return self.key.rpartition(".")[2]


ASSUMPTIONS = {
    "turnover_rate": Assumption("workforce.turnover.annual_rate",
                                "Leaving rate of permanent staff a year (hazard; 0.15 = 15%)"),
    "recruitment_success": Assumption("workforce.recruitment.success",
                                      "Share of recruitment campaigns that fill the post (0 to 1)",
                                      highest=1.0),
    "agency_cover": Assumption("workforce.agency.cover",
                               "Share of vacancies agency workers cover (0 to 1)", highest=1.0),
    "referral_growth": Assumption("demand.growth_per_year",
                                  "Change in referrals a year (0.05 = 5% more each year, "
                                  "compounding)", lowest=-0.9, highest=1.0),
}
"""The assumptions of the Plan page by field name."""

Setting = float | tuple[float, float]
"""An assumption's new value: a number, or (low, high): uniform, drawn once per replication."""


@dataclass(frozen=True)
class Plan:
    """The levers. Zero or None leaves a lever unset (no policy action).

    extra_posts: case-holding posts added (negative removes); from_month: months after the start
    when they open; over_months: months over which they open. cap: average caseload cap per social
    worker from the start; hard_cap: cases over the cap wait (queue) rather than being over-
    allocated. agency_max_share: the most of case-holders that may be agency workers (0 to 1).
    turnover_multiplier: turnover of permanent staff times this, from the start (1 = no change).
    referrals_diverted: share of referrals diverted to early help from `from_month` (0 to 1).
    """

    extra_posts: int = 0
    from_month: float = 0.0
    over_months: int = 0
    cap: float | None = None
    hard_cap: bool = False
    agency_max_share: float | None = None
    turnover_multiplier: float = 1.0
    referrals_diverted: float = 0.0

    def actions(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """(lever, TOML key-value pairs) of each policy action the plan makes, in file order."""
        after_days = str(round(self.from_month * DAYS_PER_MONTH))
        out = []
        if self.extra_posts:
            out.append(("extra_posts", [
                ("after_days", after_days), ("do", '"add_posts"'),
                ("count", str(int(self.extra_posts))), ("over_months", str(int(self.over_months))),
                ("note", f'"{self.extra_posts:+d} posts over {self.over_months} months"')]))
        if self.cap is not None:
            when_full = "queue" if self.hard_cap else "overallocate"
            out.append(("cap", [
                ("after_days", "0"), ("do", '"set_cap"'), ("cap", _number(self.cap)),
                ("when_full", f'"{when_full}"'),
                ("note", f'"cap {_number(self.cap)} ({"hard" if self.hard_cap else "soft"})"')]))
        if self.agency_max_share is not None:
            out.append(("agency_max_share", [
                ("after_days", "0"), ("do", '"set_agency"'),
                ("max_share", _number(self.agency_max_share)),
                ("note", f'"agency at most {_number(self.agency_max_share)} of case-holders"')]))
        if self.turnover_multiplier != 1.0:
            out.append(("turnover_multiplier", [
                ("after_days", "0"), ("do", '"retention"'),
                ("turnover_multiplier", _number(self.turnover_multiplier)),
                ("note", f'"turnover x {_number(self.turnover_multiplier)}"')]))
        if self.referrals_diverted:
            out.append(("referrals_diverted", [
                ("after_days", after_days), ("do", '"divert_referrals"'),
                ("share", _number(self.referrals_diverted)),
                ("note", f'"{_number(self.referrals_diverted)} of referrals diverted"')]))
        return out


def _number(value: float) -> str:
    return f"{value:.6g}"


def scenario_name(text: str) -> str:
    """The `name` of a scenario file's text ("" if it has no plain `name = "..."` line)."""
    found = NAME_LINE.search(text)
    return found.group(1) if found else ""


def policy_count(text: str) -> int:
    """How many `[[policy]]` tables a scenario file's text holds."""
    return len(re.findall(r"^\s*\[\[\s*policy\s*\]\]", text, re.MULTILINE))


def with_years(text: str, years: float) -> str:
    """A scenario file's text simulating `years` years (its `years = ...` line replaced, or one
    added after `name`)."""
    line = f"years = {_number(years)}".ljust(29) + f" # {FROM_APP}"
    if YEARS_LINE.search(text):
        return YEARS_LINE.sub(line, text, count=1)
    return NAME_LINE.sub(lambda found: f"{found.group(0)}\n{line}", text, count=1)


def setting_toml(setting: Setting) -> str:
    """A setting as a TOML value: a number, or a uniform distribution table."""
    if isinstance(setting, tuple):
        low, high = setting
        return f'{{ dist = "uniform", low = {_number(low)}, high = {_number(high)} }}'
    return _number(setting)


def with_assumptions(text: str, settings: dict[str, Setting], file: str) -> str:
    """A scenario file's text with each assumption of `settings` (by its `ASSUMPTIONS` name) set
    on its line, the line's old value kept in the comment.

    Raises ScenarioError (naming `file` and the key) for an assumption the file does not give on
    a line `name = ...` under its own [table] header."""
    lines = text.splitlines()
    for field_name, setting in settings.items():
        assumption = ASSUMPTIONS[field_name]
        index = _line_of(lines, assumption)
        if index is None:
            raise ScenarioError(file, assumption.key, f"the app sets this on a line "
                                f"'{assumption.name} = ...' under [{assumption.table}], which "
                                "this file does not have; allowed: a file that has it")
        old = lines[index].split("=", 1)[1].split("#", 1)[0].strip()
        kind = "a range, drawn once per replication" if isinstance(setting, tuple) else "a number"
        lines[index] = (f"{assumption.name} = {setting_toml(setting)}".ljust(29)
                        + f" # {FROM_APP} ({kind}); the file had {old}")
    return "\n".join(lines) + "\n"


def _line_of(lines: list[str], assumption: Assumption) -> int | None:
    """The index of the line giving `assumption` directly under its table header, if any."""
    key_line = re.compile(rf"^\s*{re.escape(assumption.name)}\s*=")
    table: str | None = ""
    for index, line in enumerate(lines):
        if ARRAY_TABLE_LINE.match(line):
            table = None
        elif found := TABLE_LINE.match(line):
            table = re.sub(r"\s+", "", found.group(1))
        elif table == assumption.table and key_line.match(line):
            return index
    return None


def assumption_of(error: ScenarioError) -> str | None:
    """The assumption (`ASSUMPTIONS` name) a ScenarioError points at (None if none does)."""
    return next((name for name, assumption in ASSUMPTIONS.items()
                 if error.key == assumption.key or error.key.startswith(assumption.key + ".")),
                None)


def plan_text(no_plan: str, plan: Plan) -> str:
    """The plan's scenario file: `no_plan` named "<name>-plan", the plan's actions appended.

    Raises ScenarioError if `no_plan` has no `name = "..."` line to rename."""
    name = scenario_name(no_plan)
    if not name:
        raise ScenarioError("<scenario>", "name", 'needs a line name = "..." for the app to '
                                                  "name the plan after it")
    lines = [NAME_LINE.sub(f'name = "{name}-plan"           # {FROM_APP}', no_plan, count=1)
             .rstrip("\n"), "", "# ---- The plan, set in caseload app ----"]
    for _, pairs in plan.actions():
        lines += ["", "[[policy]]"]
        lines += [f"{key} = {value}".ljust(29) + f" # {FROM_APP}" for key, value in pairs]
    return "\n".join(lines) + "\n"


def lever_of(error: ScenarioError, no_plan: str, plan: Plan) -> str | None:
    """The lever a ScenarioError about the plan file points at (None if none does)."""
    found = re.match(r"policy\.(\d+)\b", error.key)
    if not found:
        return None
    index = int(found.group(1)) - policy_count(no_plan)
    actions = plan.actions()
    return actions[index][0] if 0 <= index < len(actions) else None
