"""Financial assistance as law data: the riksnorm per year and the jobbstimulans rule.

The amounts live in ``data/riksnorm.toml`` (2 kap. 1 § socialtjänstförordningen (2001:937), one
version per year with the SFS that set it; DOMAIN.md §3) and the jobbstimulans periods in
``data/jobbstimulans.toml`` (4 kap. 1 b § SoL (2001:453), from 2025-07-01 its counterpart in SoL
(2025:400)); this module loads and validates them and answers "what applies for this year / this
month?". A year with no norm raises :class:`NormYearMissing` naming the year; there is no fallback
to another year.

Two rules of the ordinance's method (contract-v2 §3; DOMAIN.md §3, Socialstyrelsen's tables) are
code here, not amounts, and cite the same paragraph:

- above 7 persons (:meth:`NormYear.common_for`): each person beyond 7 adds the difference between
  the common household costs of 7 and of 6 persons;
- a home shared with others (hushållsgemenskap, :meth:`NormYear.common_share`): the household's
  common costs are those of the whole home's size, divided by that size, times the household's own
  members (Socialstyrelsen's example, 2014: 1 710 kr ÷ 5 + 2 950 kr = 3 292 kr for one adult in a
  home of 5).

Public API::

    riksnorm(year) -> NormYear                     # NormYearMissing if the year has no norm
    riksnorm_years() -> tuple[int, ...]
    child_bands() -> tuple[ChildBand, ...]
    load_riksnorm(path=..., references=..., sources=...) -> dict[int, NormYear]
    jobbstimulans_rule(on) -> JobbstimulansRule | None   # None before the rule existed
    load_jobbstimulans(path=..., references=...) -> tuple[JobbstimulansRule, ...]
"""

from __future__ import annotations

import datetime as dt
import itertools
import tomllib
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

from akta.law.errors import LawDataError, LawDataMissing
from akta.law.references import (
    DATA_DIR,
    REFERENCES_FILE,
    ReferenceVersion,
    declared_sources,
    load_references,
    reference,
)

__all__ = [
    "ChildBand",
    "JobbstimulansRule",
    "NormYear",
    "NormYearMissing",
    "child_bands",
    "jobbstimulans_rule",
    "load_jobbstimulans",
    "load_riksnorm",
    "riksnorm",
    "riksnorm_years",
]

RIKSNORM_FILE = DATA_DIR / "riksnorm.toml"
JOBBSTIMULANS_FILE = DATA_DIR / "jobbstimulans.toml"

COMMON_SIZES = 7  # the tables give the common household costs for 1..7 persons

_BAND_FIELDS = {"key", "min_age", "max_age", "label", "preschool"}
_YEAR_FIELDS = {
    "years",
    "amended_by",
    "amended_by_unverified",
    "source",
    "note",
    "children",
    "children_without_lunch",
    "single_adult",
    "cohabiting_pair",
    "common",
}
_RULE_FIELDS = {
    "valid_from",
    "valid_to",
    "reference",
    "qualifying_months",
    "percent_not_counted",
    "max_months",
    "income_kinds",
    "note",
}


class NormYearMissing(LawDataMissing):
    """The law data has no riksnorm for ``year``."""

    def __init__(self, year: int, known: tuple[int, ...]):
        self.year = year
        self.known = known
        super().__init__(
            f"no riksnorm for the year {year} in the law data "
            f"(years with a norm: {', '.join(map(str, known)) or 'none'})"
        )


@dataclass(frozen=True)
class ChildBand:
    key: str
    min_age: int
    max_age: int
    label: str
    preschool: bool

    def holds(self, age: int) -> bool:
        return self.min_age <= age <= self.max_age


@dataclass(frozen=True)
class NormYear:
    """The riksnorm of one calendar year (kronor per month)."""

    year: int
    reference_key: str
    amended_by: str  # the SFS that set the year's amounts, or "" when not verified
    amended_by_unverified: str
    bands: tuple[ChildBand, ...]
    children: tuple[tuple[str, int], ...]
    children_without_lunch: tuple[tuple[str, int], ...]
    single_adult: int
    cohabiting_pair: int
    common: tuple[int, ...]  # 1..7 persons
    source: str = ""
    note: str = ""

    @property
    def max_child_age(self) -> int:
        return self.bands[-1].max_age

    def band(self, age: int) -> ChildBand:
        for band in self.bands:
            if band.holds(age):
                return band
        raise ValueError(f"no child band of the riksnorm holds the age {age}")

    def child(self, age: int, lunch_at_preschool: bool = True) -> int:
        """Personal costs of a child of ``age``; ``lunch_at_preschool=False`` selects the amount
        for a child 0–6 who does not eat lunch at preschool five days a week."""
        band = self.band(age)
        if not lunch_at_preschool:
            if not band.preschool:
                raise ValueError(f"the riksnorm has no amount without preschool lunch at age {age}")
            return dict(self.children_without_lunch)[band.key]
        return dict(self.children)[band.key]

    def common_for(self, persons: int) -> int:
        """Common household costs for a household (or home) of ``persons``.

        1..7 from the year's table; above 7, each further person adds the difference between
        the 7- and the 6-person amounts (contract-v2 §3, DOMAIN.md §3)."""
        if persons < 1:
            raise ValueError("a household has at least one person")
        if persons <= COMMON_SIZES:
            return self.common[persons - 1]
        step = self.common[COMMON_SIZES - 1] - self.common[COMMON_SIZES - 2]
        return self.common[COMMON_SIZES - 1] + (persons - COMMON_SIZES) * step

    def common_share(self, own: int, others: int) -> Fraction:
        """Common household costs of a household of ``own`` persons sharing a home with
        ``others`` persons outside it (hushållsgemenskap): the whole home's common costs divided
        by its size, times ``own``. Exact (a fraction of a krona is kept); with ``others == 0``
        simply :meth:`common_for` (``own``)."""
        if own < 1 or others < 0:
            raise ValueError("own must be at least 1 and others at least 0")
        home = own + others
        return Fraction(self.common_for(home) * own, home)

    def ordinance(self) -> str:
        """The paragraph that sets the norm, as in force on 1 January of the year."""
        return reference(self.reference_key, dt.date(self.year, 1, 1))

    def reference(self) -> str:
        """The ordinance and the SFS that set the year's amounts, e.g.
        "2 kap. 1 § socialtjänstförordningen (2001:937), i lydelse enligt SFS 2020:1013"."""
        if self.amended_by:
            return f"{self.ordinance()}, i lydelse enligt {self.amended_by}"
        return f"{self.ordinance()}, i lydelse för {self.year} ({self.amended_by_unverified})"


@dataclass(frozen=True)
class JobbstimulansRule:
    """One version of the jobbstimulans rule (the särskild beräkningsregel)."""

    reference_key: str
    qualifying_months: int
    percent_not_counted: int
    max_months: int
    income_kinds: frozenset[str]
    valid_from: dt.date
    valid_to: dt.date | None = None
    note: str = ""

    def applies_on(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def eligible(self, consecutive_months_before: int, months_used: int) -> bool:
        return consecutive_months_before >= self.qualifying_months and months_used < self.max_months

    def not_counted(self, employment_income: int) -> Fraction:
        """The exact part of ``employment_income`` not counted."""
        return Fraction(employment_income * self.percent_not_counted, 100)

    def reference(self, on: dt.date) -> str:
        return reference(self.reference_key, on)


# --- loading ---------------------------------------------------------------------------


def _read(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise LawDataError(f"{path}: {exc}") from exc


def _whole(value, where: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise LawDataError(f"{where} must be a whole number >= {minimum}, got {value!r}")
    return value


def _date(table: dict, field: str, where: str) -> dt.date | None:
    value = table.get(field)
    if value is None:
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise LawDataError(f"{where}: {field} must be a TOML date (YYYY-MM-DD), got {value!r}")
    return value


def _covers(versions: tuple[ReferenceVersion, ...], first: dt.date, last: dt.date | None) -> dt.date | None:
    """The first day in [first, last] with no text of the reference, or None.

    Versions of a key are contiguous (checked by the references loader), so it suffices to probe
    the first and last day and each day a version ends or starts within the period."""
    probes = {first}
    if last is not None:
        probes.add(last)
    for v in versions:
        if v.valid_from:
            probes.add(v.valid_from)
        if v.valid_to:
            probes.update((v.valid_to, v.valid_to + dt.timedelta(days=1)))
    for probe in sorted(probes):
        if probe < first or (last is not None and probe > last):
            continue
        if not any(v.applies_on(probe) for v in versions):
            return probe
    if last is None and versions and versions[-1].valid_to is not None and versions[-1].valid_to >= first:
        return versions[-1].valid_to + dt.timedelta(days=1)
    return None


def _parse_bands(data: dict, origin: str) -> tuple[ChildBand, ...]:
    tables = data.get("child_band")
    if not isinstance(tables, list) or not tables:
        raise LawDataError(f"{origin}: [[child_band]] is missing")
    bands = []
    for index, table in enumerate(tables, start=1):
        where = f"{origin}: child_band #{index}"
        extra = set(table) - _BAND_FIELDS
        if extra:
            raise LawDataError(f"{where}: unknown fields {sorted(extra)}")
        missing = _BAND_FIELDS - set(table)
        if missing:
            raise LawDataError(f"{where}: missing fields {sorted(missing)}")
        if not isinstance(table["key"], str) or not table["key"]:
            raise LawDataError(f"{where}: key must be a non-empty string")
        if not isinstance(table["preschool"], bool):
            raise LawDataError(f"{where}: preschool must be true or false")
        band = ChildBand(
            key=table["key"],
            min_age=_whole(table["min_age"], f"{where}: min_age", minimum=0),
            max_age=_whole(table["max_age"], f"{where}: max_age", minimum=0),
            label=str(table["label"]),
            preschool=table["preschool"],
        )
        if band.min_age > band.max_age:
            raise LawDataError(f"{where}: min_age is above max_age")
        bands.append(band)
    bands.sort(key=lambda b: b.min_age)
    if bands[0].min_age != 0:
        raise LawDataError(f"{origin}: the child bands must start at age 0")
    for earlier, later in itertools.pairwise(bands):
        if later.min_age != earlier.max_age + 1:
            raise LawDataError(
                f"{origin}: child bands {earlier.key!r} and {later.key!r} overlap or leave a gap"
            )
    if len({b.key for b in bands}) != len(bands):
        raise LawDataError(f"{origin}: child band keys must be unique")
    return tuple(bands)


def _amount_table(table, keys: list[str], where: str) -> tuple[tuple[str, int], ...]:
    if not isinstance(table, dict):
        raise LawDataError(f"{where} is missing (a table of {', '.join(keys)})")
    extra = set(table) - set(keys)
    if extra:
        raise LawDataError(f"{where}: unknown bands {sorted(extra)}")
    for key in keys:
        if key not in table:
            raise LawDataError(f"{where}.{key!r} is missing")
    return tuple((key, _whole(table[key], f"{where}.{key!r}", minimum=1)) for key in keys)


def load_riksnorm(
    path: Path | str = RIKSNORM_FILE,
    references: dict[str, tuple[ReferenceVersion, ...]] | None = None,
    sources: dict[str, str] | None = None,
) -> dict[int, NormYear]:
    """Load and validate a riksnorm file; :class:`LawDataError` naming the year and the field.

    Every amount of every year must be present (a positive whole number); a year may appear once;
    ``amended_by`` must be a source declared in references.toml; the ordinance's reference must
    have a text on 1 January of each year."""
    path = Path(path)
    origin = str(path)
    if references is None:
        references = load_references()
    if sources is None:
        sources = declared_sources(REFERENCES_FILE)
    data = _read(path)
    extra = set(data) - {"reference", "child_band", "year"}
    if extra:
        raise LawDataError(f"{origin}: unknown top-level keys {sorted(extra)}")
    ref_key = data.get("reference")
    if ref_key not in references:
        raise LawDataError(f"{origin}: reference = {ref_key!r} is not a key in references.toml")
    bands = _parse_bands(data, origin)
    band_keys = [b.key for b in bands]
    preschool_keys = [b.key for b in bands if b.preschool]

    result: dict[int, NormYear] = {}
    first_entry: dict[int, int] = {}
    for index, table in enumerate(data.get("year", []), start=1):
        years = table.get("years")
        if (
            not isinstance(years, list)
            or not years
            or any(isinstance(y, bool) or not isinstance(y, int) for y in years)
        ):
            raise LawDataError(f"{origin}: year entry #{index}: years must be a list of years, e.g. [2021]")
        label = "/".join(map(str, years))
        where = f"{origin}: riksnorm {label}"
        for year in years:
            if not 1900 <= year <= 2200:
                raise LawDataError(f"{where}: {year} is not a plausible year")
            if year in first_entry or years.count(year) > 1:
                raise LawDataError(
                    f"{origin}: riksnorm {year} is given more than once "
                    f"(year entries #{first_entry.get(year, index)} and #{index})"
                )
            first_entry[year] = index
        extra = set(table) - _YEAR_FIELDS
        if extra:
            raise LawDataError(f"{where}: unknown fields {sorted(extra)}")
        amended_by = table.get("amended_by", "")
        unverified = table.get("amended_by_unverified", "")
        if bool(amended_by) == bool(unverified):
            raise LawDataError(
                f"{where}: give exactly one of amended_by (the amending ordinance that set the amounts) "
                "and amended_by_unverified (a note that it is not verified)"
            )
        if amended_by and amended_by not in sources:
            raise LawDataError(
                f"{where}: amended_by = {amended_by!r} is not a source declared in references.toml"
            )
        children = _amount_table(table.get("children"), band_keys, f"{where}: children")
        without_lunch = _amount_table(
            table.get("children_without_lunch"), preschool_keys, f"{where}: children_without_lunch"
        )
        if "single_adult" not in table:
            raise LawDataError(f"{where}: single_adult is missing")
        if "cohabiting_pair" not in table:
            raise LawDataError(f"{where}: cohabiting_pair is missing")
        common = table.get("common")
        if not isinstance(common, list) or len(common) != COMMON_SIZES:
            raise LawDataError(
                f"{where}: common must list the common household costs for 1..{COMMON_SIZES} persons"
            )
        common_amounts = tuple(
            _whole(v, f"{where}: common[{n} persons]", minimum=1) for n, v in enumerate(common, start=1)
        )
        for year in years:
            norm = NormYear(
                year=year,
                reference_key=ref_key,
                amended_by=str(amended_by),
                amended_by_unverified=str(unverified),
                bands=bands,
                children=children,
                children_without_lunch=without_lunch,
                single_adult=_whole(table["single_adult"], f"{where}: single_adult", minimum=1),
                cohabiting_pair=_whole(table["cohabiting_pair"], f"{where}: cohabiting_pair", minimum=1),
                common=common_amounts,
                source=str(table.get("source", "")),
                note=str(table.get("note", "")),
            )
            if not any(v.applies_on(dt.date(year, 1, 1)) for v in references[ref_key]):
                raise LawDataError(
                    f"{origin}: riksnorm {year}: reference {ref_key!r} has no text on {year}-01-01"
                )
            result[year] = norm
    return dict(sorted(result.items()))


def load_jobbstimulans(
    path: Path | str = JOBBSTIMULANS_FILE,
    references: dict[str, tuple[ReferenceVersion, ...]] | None = None,
) -> tuple[JobbstimulansRule, ...]:
    """Load and validate the jobbstimulans file; :class:`LawDataError` if it is invalid."""
    path = Path(path)
    origin = str(path)
    if references is None:
        references = load_references()
    data = _read(path)
    if set(data) - {"rule"}:
        raise LawDataError(f"{origin}: unknown top-level keys {sorted(set(data) - {'rule'})}")
    rules = []
    for index, table in enumerate(data.get("rule", []), start=1):
        where = f"{origin}: jobbstimulans rule #{index}"
        extra = set(table) - _RULE_FIELDS
        if extra:
            raise LawDataError(f"{where}: unknown fields {sorted(extra)}")
        missing = (_RULE_FIELDS - {"valid_to", "note"}) - set(table)
        if missing:
            raise LawDataError(f"{where}: missing fields {sorted(missing)}")
        key = table["reference"]
        if key not in references:
            raise LawDataError(f"{where}: reference = {key!r} is not a key in references.toml")
        kinds = table["income_kinds"]
        if not isinstance(kinds, list) or not kinds or not all(isinstance(k, str) and k for k in kinds):
            raise LawDataError(f"{where}: income_kinds must be a non-empty list of income kinds")
        percent = _whole(table["percent_not_counted"], f"{where}: percent_not_counted", minimum=0)
        if percent > 100:
            raise LawDataError(f"{where}: percent_not_counted must be at most 100")
        rule = JobbstimulansRule(
            reference_key=key,
            qualifying_months=_whole(table["qualifying_months"], f"{where}: qualifying_months", minimum=0),
            percent_not_counted=percent,
            max_months=_whole(table["max_months"], f"{where}: max_months", minimum=1),
            income_kinds=frozenset(kinds),
            valid_from=_date(table, "valid_from", where),
            valid_to=_date(table, "valid_to", where),
            note=str(table.get("note", "")),
        )
        if rule.valid_to and rule.valid_to < rule.valid_from:
            raise LawDataError(f"{where}: valid_from is after valid_to")
        gap = _covers(references[key], rule.valid_from, rule.valid_to)
        if gap is not None:
            raise LawDataError(
                f"{where}: reference {key!r} has no text on {gap.isoformat()}, when the rule is in force"
            )
        rules.append(rule)
    rules.sort(key=lambda r: r.valid_from)
    for earlier, later in itertools.pairwise(rules):
        if earlier.valid_to is None or earlier.valid_to >= later.valid_from:
            raise LawDataError(f"{origin}: jobbstimulans rules overlap")
    return tuple(rules)


@lru_cache(maxsize=1)
def _riksnorm() -> dict[int, NormYear]:
    return load_riksnorm()


@lru_cache(maxsize=1)
def _jobbstimulans() -> tuple[JobbstimulansRule, ...]:
    return load_jobbstimulans()


def child_bands() -> tuple[ChildBand, ...]:
    """The riksnorm's age bands for children (the same for every year of the data file)."""
    norms = _riksnorm()
    if not norms:
        raise LawDataMissing("the law data has no riksnorm year")
    return next(iter(norms.values())).bands


def riksnorm_years() -> tuple[int, ...]:
    """The years that have a riksnorm in the law data, ascending."""
    return tuple(_riksnorm())


def riksnorm(year: int) -> NormYear:
    """The riksnorm of ``year``; :class:`NormYearMissing` (naming the year) if there is none."""
    if isinstance(year, bool) or not isinstance(year, int):
        raise TypeError(f"year must be an int, got {type(year).__name__}")
    try:
        return _riksnorm()[year]
    except KeyError:
        raise NormYearMissing(year, riksnorm_years()) from None


def jobbstimulans_rule(on: dt.date) -> JobbstimulansRule | None:
    """The jobbstimulans rule in force on ``on``; ``None`` before the first version (the rule did
    not exist); :class:`LawDataMissing` for a day after it began with no version in force."""
    if isinstance(on, dt.datetime) or not isinstance(on, dt.date):
        raise TypeError(f"on must be a datetime.date, got {type(on).__name__}")
    rules = _jobbstimulans()
    for rule in rules:
        if rule.applies_on(on):
            return rule
    if not rules or on < rules[0].valid_from:
        return None
    raise LawDataMissing(f"no jobbstimulans rule applies on {on.isoformat()}")
