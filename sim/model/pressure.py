"""Demand management: a council's plans last less while its caseload is high, longer while low.

`demand.cases_referral_elasticity` s (0 < s <= 1) is the elasticity of cases held to referrals at
a fixed workforce: a lasting 10% rise in referrals raises the cases held by about s x 10%. By
Little's law cases held C = referrals R x mean duration D; if durations respond to the pressure
on the case-holders H, D = D0 (C / (H c0))^(-k), then C^(1 + k) = R D0 (H c0)^k, so
log C = log R / (1 + k) + k / (1 + k) log H: s = 1 / (1 + k), and 1 - s is the elasticity of cases
held to case-holders (what DfE's panel measures: `sim.data.panel.cases_referral_elasticity`).
s = 1 (the default) is k = 0: durations do not respond (the model without this mechanism).

The pressure is the open cases per case-holder now over the council's usual level: the same at
the start of the run (after the starting stock is allocated) times `demand.usual_caseload_ratio`
(default 1; baselines draw it, as the panel's year-to-year changes of caseload say). The council's
own level, because the panel's estimate is of a
council's departures from its own mean caseload (council effects), not from a common cap. A case's
stages are multiplied by (pressure)^(-k) when they are drawn: for a pathway drawn whole, all of
them, from its assessment on, when its clock starts (its allocation), so that the mean time a case
is open is D0 times the factor, as in the estimate's Little's law; one by one (`cla_escalation`,
or past a case's pre-drawn row), each when it starts. The starting stock's remaining stages are as
drawn (the start is the reference). The factor stays within 1/MAX_FACTOR to MAX_FACTOR
(assumption: beyond a hundred times a case's usual length, or a hundredth of it, a council has
changed its practice, not its pace; a council with no case-holders takes the smallest factor).
"""
from __future__ import annotations

import math

MAX_FACTOR = 100.0
_LOG_MAX_FACTOR = math.log(MAX_FACTOR)


def pressure_exponent(cases_referral_elasticity: float) -> float:
    """k = (1 - s) / s: the exponent of the pressure in a stage's length factor (0 for s = 1)."""
    return (1.0 - cases_referral_elasticity) / cases_referral_elasticity


def duration_factor(open_cases: int, case_holders: int, reference_caseload: float,
                    exponent: float) -> float:
    """(open cases / (case-holders x reference caseload))^(-exponent), within 1/MAX_FACTOR to
    MAX_FACTOR: the factor on the length of a stage drawn now."""
    if case_holders <= 0:
        return 1.0 / MAX_FACTOR
    if open_cases <= 0:
        return MAX_FACTOR
    log_factor = -exponent * math.log(open_cases / (case_holders * reference_caseload))
    return math.exp(min(_LOG_MAX_FACTOR, max(-_LOG_MAX_FACTOR, log_factor)))
