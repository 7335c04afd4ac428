"""Parsing and validating a household and a month's facts (contract-v2 §3), with Swedish errors
that name the field (``members[2].age``, ``household.cohabiting``, ``costs.boende``, ``income[1].kind``).

Indexes are those of the JSON arrays, from 0. Every problem found is reported at once
(:class:`akta.assistance.errors.InputError`); nothing is computed from invalid facts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from akta.assistance.errors import InputError
from akta.assistance.vocabulary import COST_KINDS, INCOME_KINDS
from akta.law.services import child_bands

ADULT, CHILD = "vuxen", "barn"
ROLES = (ADULT, CHILD)
HOUSEHOLD_FIELDS = ("members", "cohabiting", "shares_household_with")
MEMBER_FIELDS = ("role", "age", "lunch_at_preschool")
FACT_FIELDS = ("month", "household", "costs", "income", "consecutive_months_before",
               "jobbstimulans_months_used")
INCOME_FIELDS = ("kind", "amount")
MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class Member:
    role: str
    age: int | None = None
    lunch_at_preschool: bool = True


@dataclass(frozen=True)
class Household:
    members: tuple[Member, ...]
    cohabiting: bool = False
    shares_household_with: int = 0

    @property
    def adults(self) -> list[int]:
        return [i for i, m in enumerate(self.members) if m.role == ADULT]


@dataclass(frozen=True)
class Facts:
    """One month's facts for a calculation of försörjningsstöd."""

    year: int
    month: int
    household: Household
    costs: tuple[tuple[str, int], ...] = ()
    income: tuple[tuple[str, int], ...] = ()
    consecutive_months_before: int = 0
    jobbstimulans_months_used: int = 0

    @property
    def month_text(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _kind_of(value) -> str:
    if isinstance(value, bool):
        return "ett sanningsvärde"
    if isinstance(value, float):
        return f"decimaltalet {value!r}"
    if isinstance(value, str):
        return f"texten {value!r}"
    if value is None:
        return "null"
    return type(value).__name__


def _whole(value, field: str, errors: list, what: str = "ett heltal") -> int | None:
    """A non-negative whole number, or an error naming the field."""
    if not _is_int(value):
        errors.append((field, f"måste vara {what} (fick {_kind_of(value)})"))
        return None
    if value < 0:
        errors.append((field, f"får inte vara negativt (fick {value})"))
        return None
    return value


def _unknown(data: Mapping, allowed, prefix: str, errors: list) -> None:
    for key in data:
        if key not in allowed:
            errors.append((_path(prefix, str(key)), f"okänt fält (tillåtna: {', '.join(allowed)})"))


def _path(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def parse_household(data, prefix: str = "", errors: list | None = None) -> Household | None:
    """A :class:`Household` from the contract's JSON; :class:`InputError` (or, with ``errors``,
    the problems appended to it and ``None`` returned) when it is invalid."""
    own = errors is None
    errors = [] if own else errors
    household = _household(data, prefix, errors)
    if own and errors:
        raise InputError(errors)
    return household


def _household(data, prefix: str, errors: list) -> Household | None:
    if not isinstance(data, Mapping):
        errors.append((prefix or "hushållet", "måste vara ett JSON-objekt med members"))
        return None
    start = len(errors)
    _unknown(data, HOUSEHOLD_FIELDS, prefix, errors)
    bands = child_bands()
    max_age = bands[-1].max_age
    preschool_max = max(b.max_age for b in bands if b.preschool)

    members_field = _path(prefix, "members")
    raw_members = data.get("members")
    members: list[Member] = []
    if raw_members is None:
        errors.append((members_field, "saknas (en lista med hushållets medlemmar)"))
    elif not isinstance(raw_members, list):
        errors.append((members_field, "måste vara en lista"))
    elif not raw_members:
        errors.append((members_field, "hushållet måste ha minst en medlem"))
    else:
        for i, raw in enumerate(raw_members):
            field = f"{members_field}[{i}]"
            if not isinstance(raw, Mapping):
                errors.append((field, "måste vara ett JSON-objekt med role"))
                continue
            _unknown(raw, MEMBER_FIELDS, field, errors)
            role = raw.get("role")
            if role is None:
                errors.append((f"{field}.role", "saknas (vuxen eller barn)"))
                continue
            if role not in ROLES:
                errors.append((f"{field}.role", f"okänd roll {role!r} (tillåtna: vuxen, barn)"))
                continue
            age = None
            if "age" in raw:
                age = _whole(raw["age"], f"{field}.age", errors, "ett heltal (ålder i hela år)")
            elif role == CHILD:
                errors.append((f"{field}.age", "saknas; ålder i hela år krävs för barn"))
            if role == CHILD and age is not None and age > max_age:
                errors.append((f"{field}.age", f"riksnormen har belopp för barn till och med {max_age} år "
                                               f"(fick {age}); ange role vuxen"))
                age = None
            lunch = True
            if "lunch_at_preschool" in raw:
                value = raw["lunch_at_preschool"]
                if not isinstance(value, bool):
                    errors.append((f"{field}.lunch_at_preschool", f"måste vara true eller false (fick {_kind_of(value)})"))
                elif role != CHILD:
                    errors.append((f"{field}.lunch_at_preschool", "gäller bara barn"))
                elif age is not None and age > preschool_max:
                    errors.append((f"{field}.lunch_at_preschool",
                                   f"gäller bara barn 0–{preschool_max} år (barnet är {age} år)"))
                else:
                    lunch = value
            members.append(Member(role=role, age=age, lunch_at_preschool=lunch))

    cohabiting = data.get("cohabiting", False)
    if not isinstance(cohabiting, bool):
        errors.append((_path(prefix, "cohabiting"), f"måste vara true eller false (fick {_kind_of(cohabiting)})"))
        cohabiting = False
    shares = data.get("shares_household_with", 0)
    shares = _whole(shares, _path(prefix, "shares_household_with"), errors, "ett heltal (antal personer)")

    if members and isinstance(raw_members, list) and len(members) == len(raw_members):
        adults = sum(1 for m in members if m.role == ADULT)
        if adults == 0:
            errors.append((members_field, "hushållet måste ha minst en vuxen (den sökande)"))
        if cohabiting and adults > 2:
            errors.append((_path(prefix, "cohabiting"),
                           f"högst två vuxna kan vara sammanboende; hushållet har {adults} vuxna"))
        elif cohabiting and adults < 2:
            errors.append((_path(prefix, "cohabiting"),
                           f"sammanboende kräver två vuxna; hushållet har {adults}"))
    if len(errors) > start:
        return None
    return Household(members=tuple(members), cohabiting=cohabiting, shares_household_with=shares)


def parse_facts(data) -> Facts:
    """:class:`Facts` from the contract's calculation JSON; :class:`InputError` when invalid."""
    errors: list[tuple[str, str]] = []
    if not isinstance(data, Mapping):
        raise InputError([("fil", "måste vara ett JSON-objekt med month och household")])
    _unknown(data, FACT_FIELDS, "", errors)

    year = month = None
    raw_month = data.get("month")
    if raw_month is None:
        errors.append(("month", "saknas (ÅÅÅÅ-MM)"))
    elif not isinstance(raw_month, str) or not (m := MONTH.fullmatch(raw_month)) or not 1 <= int(m[2]) <= 12:
        errors.append(("month", f"måste vara en månad ÅÅÅÅ-MM (fick {_kind_of(raw_month)})"))
    else:
        year, month = int(m[1]), int(m[2])

    household = None
    if "household" not in data:
        errors.append(("household", "saknas"))
    else:
        household = _household(data["household"], "household", errors)

    costs: list[tuple[str, int]] = []
    raw_costs = data.get("costs", {})
    if not isinstance(raw_costs, Mapping):
        errors.append(("costs", "måste vara ett JSON-objekt {kostnadsslag: belopp}"))
    else:
        unknown = [k for k in raw_costs if k not in COST_KINDS]
        if unknown:
            errors.append(("costs", f"okänt kostnadsslag {', '.join(map(repr, unknown))} "
                                    f"(tillåtna: {', '.join(COST_KINDS)})"))
        for key in COST_KINDS:  # the documented order
            if key in raw_costs:
                amount = _whole(raw_costs[key], f"costs.{key}", errors, "ett heltal (hela kronor)")
                if amount is not None:
                    costs.append((key, amount))

    income: list[tuple[str, int]] = []
    raw_income = data.get("income", [])
    if not isinstance(raw_income, list):
        errors.append(("income", "måste vara en lista med {kind, amount}"))
    else:
        for i, raw in enumerate(raw_income):
            field = f"income[{i}]"
            if not isinstance(raw, Mapping):
                errors.append((field, "måste vara ett JSON-objekt {kind, amount}"))
                continue
            _unknown(raw, INCOME_FIELDS, field, errors)
            kind = raw.get("kind")
            if kind is None:
                errors.append((f"{field}.kind", "saknas"))
            elif kind not in INCOME_KINDS:
                errors.append((f"{field}.kind", f"okänt inkomstslag {kind!r} (tillåtna: {', '.join(INCOME_KINDS)})"))
                kind = None
            if "amount" not in raw:
                errors.append((f"{field}.amount", "saknas"))
                continue
            amount = _whole(raw["amount"], f"{field}.amount", errors, "ett heltal (hela kronor)")
            if kind is not None and amount is not None:
                income.append((kind, amount))

    counters = {}
    for name in ("consecutive_months_before", "jobbstimulans_months_used"):
        counters[name] = _whole(data.get(name, 0), name, errors, "ett heltal (antal månader)")

    if errors:
        raise InputError(errors)
    return Facts(year=year, month=month, household=household, costs=tuple(costs), income=tuple(income),
                 **counters)
