"""The law component's service API: what other components call (DESIGN.md "Law is data").

Framework-free; re-exports the functions of :mod:`akta.law.calendar` (lag 1930:173 and
working days), :mod:`akta.law.references` (legal references with validity periods),
:mod:`akta.law.assistance` (the riksnorm per year and the jobbstimulans rule),
:mod:`akta.law.rules` (statutory deadline rules), :mod:`akta.law.culling` (culling of personakter) and :mod:`akta.law.local` (municipal
rules in working days).
"""

from akta.law.assistance import (
    ChildBand,
    JobbstimulansRule,
    NormYear,
    NormYearMissing,
    child_bands,
    jobbstimulans_rule,
    riksnorm,
    riksnorm_years,
)
from akta.law.calendar import (
    add_period,
    add_working_days,
    closed_day_reason,
    is_closed_day,
    legal_due,
    next_open_day,
    working_days_between,
)
from akta.law.culling import CullingRule, ExemptionRule, ResearchRule, culling_rule, exemption_rule, research_rule
from akta.law.errors import LawDataError, LawDataMissing
from akta.law.local import LocalRule, local_due, local_rule
from akta.law.references import (
    reference,
    reference_in_period,
    reference_keys,
    reference_version,
    reference_versions,
    references_in_period,
)
from akta.law.rules import (
    Period,
    Rule,
    due,
    rule,
    rule_ids,
    rule_reference,
    rules_in_force,
)

__all__ = [
    "CullingRule",
    "ExemptionRule",
    "ResearchRule",
    "culling_rule",
    "exemption_rule",
    "research_rule",
    "ChildBand",
    "JobbstimulansRule",
    "NormYear",
    "NormYearMissing",
    "child_bands",
    "jobbstimulans_rule",
    "riksnorm",
    "riksnorm_years",
    "LawDataError",
    "LawDataMissing",
    "LocalRule",
    "Period",
    "Rule",
    "add_period",
    "add_working_days",
    "closed_day_reason",
    "due",
    "is_closed_day",
    "legal_due",
    "local_due",
    "local_rule",
    "next_open_day",
    "reference",
    "reference_in_period",
    "reference_keys",
    "reference_version",
    "reference_versions",
    "references_in_period",
    "rule",
    "rule_ids",
    "rule_reference",
    "rules_in_force",
    "working_days_between",
]
