"""Statutory deadline rules (bevakningar) as data, and their due dates.

The rules live in ``data/rules.toml``: each has a stable id, a Swedish title, a period, the
event that starts the clock (anchor), a citation key into ``data/references.toml`` and a
validity period, and says whether lag (1930:173) 2 § moves a due date that falls on a
closed day. Periods are counted per lag (1930:173) 1 § (:mod:`akta.law.calendar`).

Rules (DOMAIN.md §2): skyddsbedömning "genast" and förhandsbedömning within 14 days
(11 kap. 1 a § SoL), child investigation within 4 months (11 kap. 2 § SoL), implementation
within 3 months of a favourable decision or an interruption (16 kap. 6 f § SoL, 28 f § LSS),
överväganden every 6 months (6 kap. 8 § SoL, 13 § LVU), omprövning of LVU 3 § care
within 6 months (13 § LVU), the 2-year custody-transfer consideration (6 kap. 8 § SoL),
VBU investigation within 4 months (6 kap. 19 § FB), samarbetssamtal within 14 days
(HSLF-FS 2017:51), faderskap within 1 year, culling of the kronpärm after 2 years
(JO 1998-12-18 dnr 3500-1998).

Public API::

    rule(rule_id, on) -> Rule
    rule_ids() -> frozenset[str]
    rules_in_force(on) -> list[Rule]
    due(rule_id, start, on=None, extended_until=None) -> date
    rule_reference(rule_id, on, legal_basis=None) -> str
    load_rules(path=..., references=...) -> dict[str, tuple[Rule, ...]]
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

__all__ = [
    "Period",
    "Rule",
    "due",
    "load_rules",
    "rule",
    "rule_ids",
    "rule_reference",
    "rules_in_force",
]

RULES_FILE = DATA_DIR / "rules.toml"

_RULE_FIELDS = {
    "id",
    "title",
    "period",
    "anchor",
    "reference",
    "reference_by_basis",
    "apply_2_section",
    "extendable",
    "recurring",
    "valid_from",
    "valid_to",
    "note",
}
_REQUIRED_FIELDS = {"id", "title", "period", "anchor", "reference", "apply_2_section"}
_PERIOD_UNITS = ("years", "months", "weeks", "days")
_UNIT_NAMES_SV = {
    "days": ("dag", "dagar"),
    "weeks": ("vecka", "veckor"),
    "months": ("månad", "månader"),
    "years": ("år", "år"),
}


@dataclass(frozen=True)
class Period:
    """A period of lag (1930:173) 1 §: days, weeks, months and years."""

    days: int = 0
    weeks: int = 0
    months: int = 0
    years: int = 0

    def end(self, start: dt.date) -> dt.date:
        """Last day of the period by plain count (1 §), before any 2 § move."""
        return calendar.add_period(
            start,
            days=self.days,
            weeks=self.weeks,
            months=self.months,
            years=self.years,
        )

    def __str__(self) -> str:
        """Swedish rendering, e.g. "4 månader", "14 dagar", "0 dagar"."""
        parts = [
            f"{value} {_UNIT_NAMES_SV[unit][value != 1]}"
            for unit in _PERIOD_UNITS
            if (value := getattr(self, unit))
        ]
        return " och ".join(parts) or "0 dagar"


@dataclass(frozen=True)
class Rule:
    """One version of a deadline rule, in force from ``valid_from`` to ``valid_to`` inclusive."""

    id: str
    title: str
    period: Period
    anchor_key: str
    anchor_description: str
    reference_key: str
    apply_2_section: bool
    reference_by_basis: tuple[tuple[str, str], ...] = ()
    extendable: bool = False
    recurring: bool = False
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str = ""

    def applies_on(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )

    def due(self, start: dt.date, extended_until: dt.date | None = None) -> dt.date:
        """Due date for a clock started on ``start``.

        The period is counted per lag (1930:173) 1 §; if ``apply_2_section``, a due date on
        a closed day moves to the next open weekday (2 §). For an extendable rule, a
        decided extension's ``until`` replaces the due date as decided (no 2 § move), but
        an extension never makes the deadline earlier than the statutory one.
        """
        end = self.period.end(start)
        if self.apply_2_section:
            end = calendar.next_open_day(end)
        if extended_until is not None:
            if not self.extendable:
                raise ValueError(f"rule {self.id!r} cannot be extended")
            if isinstance(extended_until, dt.datetime) or not isinstance(
                extended_until, dt.date
            ):
                raise TypeError("extended_until must be a datetime.date")
            end = max(end, extended_until)
        return end

    def reference_key_for(self, legal_basis: str | None = None) -> str:
        """The reference key for a decision's ``legal_basis`` (e.g. ``"LSS 9 § 8"``)."""
        if legal_basis:
            family = legal_basis.split()[0]
            for basis, key in self.reference_by_basis:
                if basis == family:
                    return key
        return self.reference_key

    def reference(self, on: dt.date, legal_basis: str | None = None) -> str:
        """The citation text in force on ``on``."""
        return reference(self.reference_key_for(legal_basis), on)


def _date(table: dict, field: str, where: str) -> dt.date | None:
    value = table.get(field)
    if value is None:
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise LawDataError(
            f"{where}: {field} must be a TOML date (YYYY-MM-DD), got {value!r}"
        )
    return value


def _check_coverage(
    rule: Rule, key: str, versions: tuple[ReferenceVersion, ...], where: str
) -> None:
    """Every day the rule is in force must have a text of its reference.

    Versions of a key are contiguous (checked by the references loader), so it suffices
    to check the first day of the rule (or of the reference, for a rule with no recorded
    start), each day a version of the reference ends or starts within the rule, and the
    rule's last day.
    """
    first = rule.valid_from
    if first is None:
        first = versions[0].valid_from  # no start recorded: from the earliest text on
    probes = {d for d in (first, rule.valid_to) if d is not None}
    for version in versions:
        if version.valid_from:
            probes.add(version.valid_from)
        if version.valid_to:
            probes.add(version.valid_to)
            probes.add(version.valid_to + dt.timedelta(days=1))
    last = versions[-1]
    if last.valid_to is not None and rule.valid_to is None:
        raise LawDataError(
            f"{where}: reference {key!r} has no text after {last.valid_to}, but the rule is still in force"
        )
    for probe in sorted(probes):
        in_force = (first is None or probe >= first) and rule.applies_on(probe)
        if in_force and not any(v.applies_on(probe) for v in versions):
            raise LawDataError(
                f"{where}: reference {key!r} has no text on {probe.isoformat()}, "
                "when the rule is in force"
            )


def _parse_rule(table: dict, index: int, origin: str, references: dict) -> Rule:
    where = f"{origin}: rule #{index} ({table.get('id', '?')})"
    extra = set(table) - _RULE_FIELDS
    if extra:
        raise LawDataError(f"{where}: unknown fields {sorted(extra)}")
    missing = _REQUIRED_FIELDS - set(table)
    if missing:
        raise LawDataError(f"{where}: missing fields {sorted(missing)}")

    rule_id = table["id"]
    if (
        not isinstance(rule_id, str)
        or not rule_id.isidentifier()
        or rule_id != rule_id.lower()
    ):
        raise LawDataError(f"{where}: id must be a lower-case identifier")
    title = table["title"]
    if not isinstance(title, str) or not title.strip():
        raise LawDataError(f"{where}: title is missing")

    period_table = table["period"]
    if (
        not isinstance(period_table, dict)
        or set(period_table) - set(_PERIOD_UNITS)
        or not period_table
    ):
        raise LawDataError(
            f"{where}: period must be a table of {', '.join(_PERIOD_UNITS)}"
        )
    for unit, value in period_table.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise LawDataError(f"{where}: period.{unit} must be a non-negative integer")
    period = Period(**period_table)

    anchor = table["anchor"]
    if (
        not isinstance(anchor, dict)
        or set(anchor) != {"key", "description"}
        or not all(isinstance(v, str) and v.strip() for v in anchor.values())
    ):
        raise LawDataError(
            f'{where}: anchor must be {{ key = "...", description = "..." }}'
        )

    for flag in ("apply_2_section", "extendable", "recurring"):
        if flag in table and not isinstance(table[flag], bool):
            raise LawDataError(f"{where}: {flag} must be true or false")

    by_basis = table.get("reference_by_basis", {})
    if not isinstance(by_basis, dict):
        raise LawDataError(f"{where}: reference_by_basis must be a table")
    reference_keys = [("reference", table["reference"])] + [
        (f"reference_by_basis.{basis}", key) for basis, key in by_basis.items()
    ]
    for field, key in reference_keys:
        if key not in references:
            raise LawDataError(
                f"{where}: {field} = {key!r} is not a key in references.toml"
            )

    rule = Rule(
        id=rule_id,
        title=title.strip(),
        period=period,
        anchor_key=anchor["key"],
        anchor_description=anchor["description"],
        reference_key=table["reference"],
        apply_2_section=table["apply_2_section"],
        reference_by_basis=tuple(sorted(by_basis.items())),
        extendable=table.get("extendable", False),
        recurring=table.get("recurring", False),
        valid_from=_date(table, "valid_from", where),
        valid_to=_date(table, "valid_to", where),
        note=str(table.get("note", "")),
    )
    if rule.valid_from and rule.valid_to and rule.valid_from > rule.valid_to:
        raise LawDataError(f"{where}: valid_from is after valid_to")
    for _field, key in reference_keys:
        _check_coverage(rule, key, references[key], where)
    return rule


def load_rules(
    path: Path | str = RULES_FILE,
    references: dict[str, tuple[ReferenceVersion, ...]] | None = None,
) -> dict[str, tuple[Rule, ...]]:
    """Load and validate a rules file against the references; :class:`LawDataError` if invalid."""
    path = Path(path)
    if references is None:
        references = load_references()
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise LawDataError(f"{path}: {exc}") from exc
    if set(data) - {"rule"}:
        raise LawDataError(
            f"{path}: unknown top-level keys {sorted(set(data) - {'rule'})}"
        )

    by_id: dict[str, list[Rule]] = {}
    for index, table in enumerate(data.get("rule", []), start=1):
        parsed = _parse_rule(table, index, str(path), references)
        by_id.setdefault(parsed.id, []).append(parsed)

    result: dict[str, tuple[Rule, ...]] = {}
    for rule_id, versions in by_id.items():
        versions.sort(key=lambda r: r.valid_from or dt.date.min)
        for earlier, later in itertools.pairwise(versions):
            if (
                earlier.valid_to is None
                or later.valid_from is None
                or earlier.valid_to >= later.valid_from
            ):
                raise LawDataError(f"{path}: rule {rule_id!r} has overlapping versions")
        result[rule_id] = tuple(versions)
    return result


@lru_cache(maxsize=1)
def _rules() -> dict[str, tuple[Rule, ...]]:
    return load_rules()


def rule_ids() -> frozenset[str]:
    """Ids of all rules, in force or not."""
    return frozenset(_rules())


def rule(rule_id: str, on: dt.date) -> Rule:
    """The version of rule ``rule_id`` in force on ``on``; :class:`LawDataMissing` if none."""
    if isinstance(on, dt.datetime) or not isinstance(on, dt.date):
        raise TypeError(f"on must be a datetime.date, got {type(on).__name__}")
    versions = _rules().get(rule_id)
    if versions is None:
        raise LawDataMissing(f"unknown deadline rule {rule_id!r}")
    for version in versions:
        if version.applies_on(on):
            return version
    raise LawDataMissing(
        f"deadline rule {rule_id!r} is not in force on {on.isoformat()}"
    )


def rules_in_force(on: dt.date) -> list[Rule]:
    """All rules in force on ``on``, sorted by id."""
    return sorted(
        (v for versions in _rules().values() for v in versions if v.applies_on(on)),
        key=lambda r: r.id,
    )


def due(
    rule_id: str,
    start: dt.date,
    on: dt.date | None = None,
    extended_until: dt.date | None = None,
) -> dt.date:
    """Due date of rule ``rule_id`` for a clock started on ``start``.

    ``on`` picks the rule version (default: ``start``, the rule in force when the clock
    started). ``extended_until`` is the ``until`` of the latest extension decision, for
    extendable rules (utredning_4m, vbu_utredning_4m).
    """
    return rule(rule_id, start if on is None else on).due(
        start, extended_until=extended_until
    )


def rule_reference(rule_id: str, on: dt.date, legal_basis: str | None = None) -> str:
    """Citation of rule ``rule_id`` as in force on ``on`` (for a decision's ``legal_basis``)."""
    return rule(rule_id, on).reference(on, legal_basis)
