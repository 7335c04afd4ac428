"""Culling (gallring) of personakter as law data: the duty (SoL 12 kap. 1 §), the exemptions
(12 kap. 2 §) and the research selection (socialtjänstförordningen 7 kap. 2 §).

The data live in ``data/culling.toml``; this module loads and validates them and does the date
arithmetic of the duty (lag (1930:173) 1 §, :func:`akta.law.calendar.add_period`). Applying them
to case histories is :mod:`akta.records`.

Public API::

    culling_rule(on) -> CullingRule        # LawDataMissing when none is in force
    exemption_rule(on) -> ExemptionRule
    research_rule(on) -> ResearchRule
    load_culling(path=..., references=...) -> dict[str, tuple[...]]
"""
from __future__ import annotations

import datetime as dt
import itertools
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from akta.law import calendar
from akta.law.errors import LawDataError, LawDataMissing
from akta.law.references import DATA_DIR, ReferenceVersion, load_references, reference
from akta.law.rules import Period

__all__ = ["CullingRule", "ExemptionRule", "ResearchRule", "culling_rule", "exemption_rule", "load_culling",
           "research_rule"]

CULLING_FILE = DATA_DIR / "culling.toml"
_PERIOD_UNITS = ("years", "months", "weeks", "days")


@dataclass(frozen=True)
class _Versioned:
    id: str
    reference_key: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    note: str

    def applies_on(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on <= self.valid_to)

    def reference(self, on: dt.date) -> str:
        return reference(self.reference_key, on)


@dataclass(frozen=True)
class CullingRule(_Versioned):
    """SoL 12 kap. 1 §: the duty to cull arises ``period`` after the last entry and must be done
    by the end of the calendar year ``complete_within_years`` after the year it arose."""

    period: Period = Period()
    complete_within_years: int = 1

    def due(self, last_entry: dt.date) -> dt.date:
        """The day the duty arises (lag (1930:173) 1 §: 29 Feb + 5 years = 28 Feb; no 2 § move)."""
        return self.period.end(last_entry)

    def cull_by(self, due: dt.date) -> dt.date:
        """31 December of the calendar year after the year of ``due``."""
        return dt.date(due.year + self.complete_within_years, 12, 31)


@dataclass(frozen=True)
class ExemptionRule(_Versioned):
    """SoL 12 kap. 2 §: case types of paternity/parenthood and adoption investigations, and the
    favourable decisions that place a child."""

    case_types: frozenset = frozenset()
    outcomes: frozenset = frozenset()
    legal_bases: frozenset = frozenset()
    interventions: frozenset = frozenset()
    child_under_years: int = 18

    def is_placement(self, legal_basis, intervention, outcome) -> bool:
        return outcome in self.outcomes and legal_basis in self.legal_bases and intervention in self.interventions

    def is_child_on(self, birth_date: dt.date, on: dt.date) -> bool:
        """Under ``child_under_years`` on ``on`` (the birthday per lag (1930:173) 1 §)."""
        return on < calendar.add_period(birth_date, years=self.child_under_years)


@dataclass(frozen=True)
class ResearchRule(_Versioned):
    birth_days: frozenset = frozenset()

    def keeps(self, birth_date: dt.date | None) -> bool:
        return birth_date is not None and birth_date.day in self.birth_days


def _date(table, field, where):
    value = table.get(field)
    if value is None:
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise LawDataError(f"{where}: {field} must be a TOML date (YYYY-MM-DD), got {value!r}")
    return value


def _strings(table, field, where):
    value = table.get(field)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise LawDataError(f"{where}: {field} must be a non-empty list of strings")
    return frozenset(value)


def _covered(key, versions: tuple[ReferenceVersion, ...], first, last, where):
    probes = {d for d in (first, last) if d is not None}
    for v in versions:
        for d in (v.valid_from, v.valid_to, v.valid_to and v.valid_to + dt.timedelta(days=1)):
            if d is not None and (first is None or d >= first) and (last is None or d <= last):
                probes.add(d)
    if last is None and versions[-1].valid_to is not None:
        raise LawDataError(f"{where}: reference {key!r} has no text after {versions[-1].valid_to}")
    for p in probes:
        if not any(v.applies_on(p) for v in versions):
            raise LawDataError(f"{where}: reference {key!r} has no text on {p.isoformat()}")


_FIELDS = {
    "culling": {"id", "reference", "period", "complete_within_years", "valid_from", "valid_to", "note"},
    "exemption": {"id", "reference", "case_types", "placement", "valid_from", "valid_to", "note"},
    "research": {"id", "reference", "birth_days", "valid_from", "valid_to", "note"},
}
_PLACEMENT_FIELDS = {"outcomes", "legal_bases", "interventions", "child_under_years"}


def _parse(kind, table, index, origin, references):
    where = f"{origin}: {kind} #{index} ({table.get('id', '?')})"
    extra = set(table) - _FIELDS[kind]
    if extra:
        raise LawDataError(f"{where}: unknown fields {sorted(extra)}")
    for f in ("id", "reference"):
        if not isinstance(table.get(f), str) or not table[f]:
            raise LawDataError(f"{where}: {f} is missing")
    key = table["reference"]
    if key not in references:
        raise LawDataError(f"{where}: reference = {key!r} is not a key in references.toml")
    common = dict(id=table["id"], reference_key=key, valid_from=_date(table, "valid_from", where),
                  valid_to=_date(table, "valid_to", where), note=str(table.get("note", "")))
    if common["valid_from"] and common["valid_to"] and common["valid_from"] > common["valid_to"]:
        raise LawDataError(f"{where}: valid_from is after valid_to")
    _covered(key, references[key], common["valid_from"], common["valid_to"], where)
    if kind == "culling":
        period = table.get("period")
        if not isinstance(period, dict) or not period or set(period) - set(_PERIOD_UNITS) or any(
                isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in period.values()):
            raise LawDataError(f"{where}: period must be a table of {', '.join(_PERIOD_UNITS)}")
        years = table.get("complete_within_years")
        if isinstance(years, bool) or not isinstance(years, int) or years < 0:
            raise LawDataError(f"{where}: complete_within_years must be a non-negative integer")
        return CullingRule(**common, period=Period(**period), complete_within_years=years)
    if kind == "exemption":
        placement = table.get("placement")
        if not isinstance(placement, dict) or set(placement) != _PLACEMENT_FIELDS:
            raise LawDataError(f"{where}: placement must have exactly {sorted(_PLACEMENT_FIELDS)}")
        age = placement["child_under_years"]
        if isinstance(age, bool) or not isinstance(age, int) or age <= 0:
            raise LawDataError(f"{where}: placement.child_under_years must be a positive integer")
        return ExemptionRule(**common, case_types=_strings(table, "case_types", where),
                             outcomes=_strings(placement, "outcomes", where),
                             legal_bases=_strings(placement, "legal_bases", where),
                             interventions=_strings(placement, "interventions", where), child_under_years=age)
    days = table.get("birth_days")
    if not isinstance(days, list) or not days or any(
            isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= 31 for d in days):
        raise LawDataError(f"{where}: birth_days must be a non-empty list of days 1–31")
    return ResearchRule(**common, birth_days=frozenset(days))


def load_culling(path: Path | str = CULLING_FILE, references=None) -> dict[str, tuple]:
    """{"culling": (...), "exemption": (...), "research": (...)}, each sorted by validity;
    :class:`LawDataError` when the file is invalid."""
    path = Path(path)
    if references is None:
        references = load_references()
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise LawDataError(f"{path}: {exc}") from exc
    if set(data) - set(_FIELDS):
        raise LawDataError(f"{path}: unknown top-level keys {sorted(set(data) - set(_FIELDS))}")
    out = {}
    for kind in _FIELDS:
        versions = [_parse(kind, t, i, str(path), references) for i, t in enumerate(data.get(kind, []), start=1)]
        if not versions:
            raise LawDataError(f"{path}: no [[{kind}]] version")
        if len({v.id for v in versions}) != 1:
            raise LawDataError(f"{path}: the versions of [[{kind}]] must share one id")
        versions.sort(key=lambda v: v.valid_from or dt.date.min)
        for a, b in itertools.pairwise(versions):
            if a.valid_to is None or b.valid_from is None or a.valid_to >= b.valid_from:
                raise LawDataError(f"{path}: [[{kind}]] has overlapping versions")
        out[kind] = tuple(versions)
    return out


@lru_cache(maxsize=1)
def _data():
    return load_culling()


def _in_force(kind, on):
    if isinstance(on, dt.datetime) or not isinstance(on, dt.date):
        raise TypeError(f"on must be a datetime.date, got {type(on).__name__}")
    for v in _data()[kind]:
        if v.applies_on(on):
            return v
    raise LawDataMissing(f"no {kind} rule of culling.toml is in force on {on.isoformat()}")


def culling_rule(on: dt.date) -> CullingRule:
    return _in_force("culling", on)


def exemption_rule(on: dt.date) -> ExemptionRule:
    return _in_force("exemption", on)


def research_rule(on: dt.date) -> ResearchRule:
    return _in_force("research", on)
