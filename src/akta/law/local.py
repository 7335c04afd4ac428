"""Local (municipal) service promises counted in working days.

A committee may decide its own time limits beyond the law, e.g. "beslut om
försörjningsstöd inom 10 arbetsdagar" (seed 001, Östersund). Such a rule carries the
committee's own decision reference (e.g. "SN 2014-xx-xx § nn") instead of a statute, and
a validity period. Working days are days that are not closed under lag (1930:173) 2 §:
Saturdays, Sundays, public holidays (lag 1989:253), midsommarafton, julafton and
nyårsafton (:func:`akta.law.calendar.add_working_days`).

``LocalRule`` is a plain dataclass so that it can later be stored in the database and
rebuilt from a row without changing the computation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from akta.law.calendar import add_working_days
from akta.law.errors import LawDataError, LawDataMissing

__all__ = ["LocalRule", "local_due", "local_rule"]


@dataclass(frozen=True)
class LocalRule:
    """A municipal time limit in working days, decided by the committee."""

    id: str
    title: str
    working_days: int
    decision_reference: str
    valid_from: dt.date
    valid_to: dt.date | None = None

    def __post_init__(self) -> None:
        if not self.id or not self.title.strip():
            raise ValueError("a local rule needs an id and a title")
        if (
            isinstance(self.working_days, bool)
            or not isinstance(self.working_days, int)
            or self.working_days < 0
        ):
            raise ValueError("working_days must be a non-negative integer")
        if not self.decision_reference.strip():
            raise ValueError("a local rule needs the committee's decision reference")
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_from is after valid_to")

    def applies_on(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


def local_due(rule: LocalRule, start: dt.date) -> dt.date:
    """Due date of a local rule for a clock started on ``start``.

    The ``working_days``-th working day after ``start``. The rule must be in force on
    ``start`` (:class:`LawDataMissing` otherwise).
    """
    if not rule.applies_on(start):
        raise LawDataMissing(
            f"local rule {rule.id!r} ({rule.decision_reference}) is not in force on {start.isoformat()}"
        )
    return add_working_days(start, rule.working_days)


def local_rule(rules: Iterable[LocalRule], rule_id: str, on: dt.date) -> LocalRule:
    """The version of local rule ``rule_id`` in force on ``on`` among ``rules``."""
    matches = [r for r in rules if r.id == rule_id and r.applies_on(on)]
    if not matches:
        raise LawDataMissing(f"no local rule {rule_id!r} in force on {on.isoformat()}")
    if len(matches) > 1:
        raise LawDataError(
            f"local rule {rule_id!r} has overlapping versions on {on.isoformat()}"
        )
    return matches[0]
