"""Financial assistance: the riksnorm of a household and one month's försörjningsstöd
(contract-v2 §3). Framework-free, so the commands, and later the pages and the API, share it.

    norm(year, household) -> NormResult        # `akta norm`
    calculate(facts) -> Result                 # `akta assistance calculate`

The law comes from :mod:`akta.law.services` (the riksnorm per year, the jobbstimulans rule, the
references rendered for the month); nothing here is an amount or a period of the law.

Rounding (README.md in this folder): every input amount is whole kronor. The norm's ``personal``
and ``common`` parts are exact (a home shared with others, or half of a cohabiting pair's amount,
can give öre); only the norm's ``total`` is rounded, to the nearest krona, half a krona up. The
part of income from employment that jobbstimulans leaves uncounted is rounded the same way, so
``income_counted`` is whole kronor, and so is ``amount`` = max(0, norm + costs − income_counted).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from akta.assistance.errors import InputError
from akta.assistance.facts import ADULT, CHILD, Facts, Household, parse_facts, parse_household
from akta.assistance.vocabulary import (
    AMOUNT_REFERENCE,
    COST_KINDS,
    COSTS_REFERENCE,
    INCOME_KINDS,
    INCOME_REFERENCE,
)
from akta.law.services import NormYear, jobbstimulans_rule, reference, riksnorm

__all__ = [
    "InputError",
    "Line",
    "NormResult",
    "Result",
    "calculate",
    "kronor",
    "norm",
    "round_krona",
]

ROUNDING_SOURCE = "Aktas avrundningsregel: normens summa till närmaste hela krona (src/akta/assistance/README.md)"
BIFALL, AVSLAG = "bifall", "avslag"


def round_krona(value: Fraction) -> int:
    """Nearest whole krona, half a krona up (for the non-negative amounts here)."""
    return int((Fraction(value) + Fraction(1, 2)) // 1)


def number(value: Fraction) -> int | float:
    """A JSON number: an int when whole, else kronor with öre (two decimals)."""
    value = Fraction(value)
    return int(value) if value.denominator == 1 else round(float(value), 2)


def kronor(value) -> str:
    """Swedish rendering, e.g. "11 520 kr", "376,67 kr", "−2 000 kr"."""
    value = Fraction(value)
    sign = "−" if value < 0 else ""
    value = abs(value)
    whole = int(value)
    text = f"{whole:,}".replace(",", "\u00a0")
    if value.denominator != 1:
        ore = round((value - whole) * 100)
        if ore == 100:
            text, ore = f"{whole + 1:,}".replace(",", "\u00a0"), 0
        text += f",{ore:02d}"
    return f"{sign}{text}\u00a0kr"


@dataclass(frozen=True)
class Line:
    """One explained figure: which figure of the result it adds to (``norm``, ``costs``,
    ``income_counted``, ``amount``), a stable item key, Swedish text, the amount and its source."""

    figure: str
    item: str
    text: str
    amount: Fraction
    source: str

    def as_dict(self) -> dict:
        return {"figure": self.figure, "item": self.item, "text": self.text,
                "amount": number(self.amount), "source": self.source}


@dataclass(frozen=True)
class NormResult:
    year: int
    reference: str
    personal: tuple[tuple[int, Fraction], ...]  # (member index from 0, amount)
    common: Fraction
    exact_total: Fraction
    total: int
    lines: tuple[Line, ...] = field(default=())

    def as_dict(self) -> dict:
        """The contract's JSON of `akta norm`."""
        return {
            "year": self.year,
            "reference": self.reference,
            "personal": [{"member": i, "amount": number(a)} for i, a in self.personal],
            "common": number(self.common),
            "total": self.total,
        }


@dataclass(frozen=True)
class Result:
    month: str
    norm: int
    costs: int
    income_counted: int
    jobbstimulans: bool
    amount: int
    proposal: str
    lines: tuple[Line, ...]
    norm_detail: NormResult

    def as_dict(self) -> dict:
        """The contract's JSON of `akta assistance calculate` (plus ``month``)."""
        return {
            "month": self.month,
            "norm": self.norm,
            "costs": self.costs,
            "income_counted": self.income_counted,
            "jobbstimulans": self.jobbstimulans,
            "amount": self.amount,
            "proposal": self.proposal,
            "lines": [line.as_dict() for line in self.lines],
        }


def _member_text(index: int, member, household: Household, norm_year: NormYear) -> str:
    if member.role == ADULT:
        if household.cohabiting:
            return (f"Medlem {index + 1}: vuxen, sammanboende (hälften av "
                    f"{kronor(norm_year.cohabiting_pair)} för paret)")
        return f"Medlem {index + 1}: vuxen, ensamstående"
    band = norm_year.band(member.age)
    lunch = "" if member.lunch_at_preschool or not band.preschool else ", äter inte lunch i förskolan"
    return f"Medlem {index + 1}: barn {member.age} år (åldersgrupp {band.label}{lunch})"


def _norm(year: int, household: Household) -> NormResult:
    norm_year = riksnorm(year)  # NormYearMissing names the year; never another year
    source = norm_year.reference()
    personal: list[tuple[int, Fraction]] = []
    lines: list[Line] = []
    for index, member in enumerate(household.members):
        if member.role == CHILD:
            amount = Fraction(norm_year.child(member.age, member.lunch_at_preschool))
        elif household.cohabiting:  # validated: exactly two adults; once for the pair
            amount = Fraction(norm_year.cohabiting_pair, 2)
        else:
            amount = Fraction(norm_year.single_adult)
        personal.append((index, amount))
        lines.append(Line("norm", f"personal[{index}]", _member_text(index, member, household, norm_year),
                          amount, source))
    own = len(household.members)
    others = household.shares_household_with
    common = norm_year.common_share(own, others)
    home = own + others
    if others:
        text = (f"Gemensamma hushållskostnader: hemmet har {home} personer "
                f"({kronor(norm_year.common_for(home))}) ÷ {home} × hushållets {own}")
    else:
        text = f"Gemensamma hushållskostnader för {own} {'person' if own == 1 else 'personer'}"
    if home > len(norm_year.common):
        text += (f"; över {len(norm_year.common)} personer läggs skillnaden mellan "
                 f"{len(norm_year.common)} och {len(norm_year.common) - 1} personer till för var och en")
    lines.append(Line("norm", "common", text, common, source))
    exact = sum((a for _, a in personal), Fraction(0)) + common
    total = round_krona(exact)
    if total != exact:
        lines.append(Line("norm", "rounding", "Avrundning av normen till hela kronor", total - exact,
                          ROUNDING_SOURCE))
    return NormResult(year=year, reference=source, personal=tuple(personal), common=common,
                      exact_total=exact, total=total, lines=tuple(lines))


def norm(year: int, household: Household | Mapping) -> NormResult:
    """The riksnorm of ``household`` for ``year`` (contract-v2 §3, `akta norm`).

    ``household`` is a :class:`Household` or the contract's JSON (validated; :class:`InputError`
    names each bad field). :class:`akta.law.services.NormYearMissing` when the year has no norm."""
    if not isinstance(household, Household):
        household = parse_household(household)
    return _norm(year, household)


def _jobbstimulans(facts: Facts, first_day: dt.date) -> tuple[bool, int, list[Line]]:
    """Whether jobbstimulans applies, the whole kronor not counted, and the explaining line."""
    rule = jobbstimulans_rule(first_day)
    if rule is None:  # the rule did not exist that month (before 2013-07-01): all income counts
        return False, 0, []
    employment = sum(a for k, a in facts.income if k in rule.income_kinds)
    if not employment:
        return False, 0, []
    source = rule.reference(first_day)
    if facts.consecutive_months_before < rule.qualifying_months:
        why = (f"{facts.consecutive_months_before} månader i följd med försörjningsstöd före månaden; "
               f"det krävs {rule.qualifying_months}")
    elif facts.jobbstimulans_months_used >= rule.max_months:
        why = (f"{facts.jobbstimulans_months_used} månader med jobbstimulans redan använda av högst "
               f"{rule.max_months}")
    else:
        exempt = round_krona(rule.not_counted(employment))
        text = (f"Jobbstimulans: {rule.percent_not_counted} % av inkomst av anställning "
                f"({kronor(employment)}) räknas inte ({facts.consecutive_months_before} månader i följd "
                f"med försörjningsstöd; månad {facts.jobbstimulans_months_used + 1} av högst {rule.max_months})")
        return True, exempt, [Line("income_counted", "jobbstimulans", text, Fraction(-exempt), source)]
    return False, 0, [Line("income_counted", "jobbstimulans", f"Jobbstimulans tillämpas inte: {why}",
                           Fraction(0), source)]


def calculate(facts: Facts | Mapping) -> Result:
    """One month's försörjningsstöd (contract-v2 §3, `akta assistance calculate`).

    norm (for the month's year) + costs − income counted, where every income counts except the
    part of income from employment that jobbstimulans leaves uncounted; ``amount`` is never
    below 0, and the ``proposal`` is ``avslag`` exactly when it is 0. ``facts`` is a
    :class:`Facts` or the contract's JSON (validated; :class:`InputError` names each bad field)."""
    if not isinstance(facts, Facts):
        facts = parse_facts(facts)
    first_day = dt.date(facts.year, facts.month, 1)
    norm_result = _norm(facts.year, facts.household)
    lines = list(norm_result.lines)

    costs_source = reference(COSTS_REFERENCE, first_day)
    for key, amount in facts.costs:
        lines.append(Line("costs", f"costs.{key}", COST_KINDS[key], Fraction(amount), costs_source))
    costs = sum(a for _, a in facts.costs)

    income_source = reference(INCOME_REFERENCE, first_day)
    for index, (kind, amount) in enumerate(facts.income):
        lines.append(Line("income_counted", f"income[{index}]", INCOME_KINDS[kind], Fraction(amount),
                          income_source))
    applied, exempt, job_lines = _jobbstimulans(facts, first_day)
    lines += job_lines
    income_counted = sum(a for _, a in facts.income) - exempt

    balance = norm_result.total + costs - income_counted
    amount = max(0, balance)
    proposal = AVSLAG if amount == 0 else BIFALL
    text = (f"Försörjningsstöd: norm {kronor(norm_result.total)} + kostnader {kronor(costs)} − "
            f"räknade inkomster {kronor(income_counted)} = {kronor(balance)}")
    if balance <= 0:
        text += "; inkomsterna täcker behovet, inget försörjningsstöd (förslag: avslag)"
    lines.append(Line("amount", "amount", text, Fraction(amount), reference(AMOUNT_REFERENCE, first_day)))
    return Result(month=facts.month_text, norm=norm_result.total, costs=costs, income_counted=income_counted,
                  jobbstimulans=applied, amount=amount, proposal=proposal, lines=tuple(lines),
                  norm_detail=norm_result)
