"""Whether a case is open or closed at the end of a day: Python and SQL side by side.

A case is closed at the end of day D when, among its effective ``aktualisering`` and
``arende_avslutat`` events dated on or before D, the last one is an ``arende_avslutat``. A
closing is the last step of its day (:data:`akta.cases.schema.SAME_DAY_ORDER`), so an
aktualisering dated the same day as the closing does not re-open the case, whatever order they
were recorded in; an aktualisering dated later does. In dates: closed when the latest closing
date is on or after the latest aktualisering date. ``closed_on`` is that latest closing date.
"""
from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Exists, OuterRef, Q

from akta.cases.derived.events import case_set_sql, effective_events_sql
from akta.cases.derived.sql import Dialect
from akta.cases.models import Event, EventType

STATUS_TYPES = (EventType.AKTUALISERING, EventType.ARENDE_AVSLUTAT)
_NEVER = dt.date(1, 1, 1)


def closed_on(evs) -> dt.date | None:
    """Python reference: the closing date of a case from its effective events (sorted, and cut
    to the day asked about), or None when the case is open."""
    closed = None
    for e in evs:
        if e.type == EventType.AKTUALISERING:
            closed = None
        elif e.type == EventType.ARENDE_AVSLUTAT:
            closed = e.date
    return closed


# The two aggregates over a case's effective events that decide whether it is closed, and the
# condition on them: for a query that groups a case's events for other facts too (akta.records).
CLOSING_MAX = "MAX(CASE WHEN type = 'arende_avslutat' THEN date END)"
AKTUALISERING_MAX = "MAX(CASE WHEN type = 'aktualisering' THEN date END)"


def closed_condition(d: Dialect, closing: str = CLOSING_MAX, aktualisering: str = AKTUALISERING_MAX) -> str:
    """True for a closed case, given its latest closing and latest aktualisering dates (NULL
    when none): a closing on or after the latest aktualisering."""
    return f"{closing} >= COALESCE({aktualisering}, {d.date(_NEVER)})"


def closed_cases_sql(d: Dialect, on: dt.date | None = None, eff: str = "eff") -> str:
    """SQL: ``case_id, closed_on`` of the cases closed at the end of ``on`` (default: as the
    relation stands), over the effective-event relation named ``eff`` (which must hold the
    aktualisering and arende_avslutat events). One grouped aggregation, no sort."""
    cut = f" AND date <= {d.date(on)}" if on is not None else ""
    return (
        f"SELECT case_id, {CLOSING_MAX} AS closed_on FROM {eff} "
        f"WHERE type IN ('aktualisering', 'arende_avslutat'){cut} "
        f"GROUP BY case_id "
        f"HAVING {closed_condition(d)}"
    )


def closed_cases_query(d: Dialect, cases: str = "", recorded_by=None, on=None) -> str:
    """A whole statement: ``case_id, closed_on`` of the closed cases (corrections applied),
    only among ``cases`` (a ``SELECT`` of case ids, :func:`~akta.cases.derived.events.case_set_sql`)."""
    eff = effective_events_sql(d, recorded_by, STATUS_TYPES, until=on, fields=(), cases=cases)
    return f"WITH eff AS ({eff}) {closed_cases_sql(d, on)}"


def closed_cases(case_pks=None, on=None) -> dict:
    """{case pk: closing date} for the closed ones among ``case_pks`` (None: every case)."""
    pks = None if case_pks is None else list(case_pks)
    if pks is not None and not pks:
        return {}
    d = Dialect()
    with connection.cursor() as cur:
        cur.execute(closed_cases_query(d, case_set_sql(case_pks=pks), on=on), d.params)
        return {case_id: _as_date(day) for case_id, day in cur.fetchall()}


def _as_date(value):
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def closed_exists():
    """ORM form for a queryset of cases (``Exists`` on the case's own original rows): a closing
    not followed by an aktualisering dated later. Exact for a case without corrections; one
    index probe per case, so a list ordered by its index stops after a page."""
    later = Event.objects.filter(case_id=OuterRef("case_id"), type=EventType.AKTUALISERING, corrects__isnull=True,
                                 date__gt=OuterRef("date"))
    return Exists(Event.objects.filter(case_id=OuterRef("pk"), type=EventType.ARENDE_AVSLUTAT,
                                       corrects__isnull=True).exclude(Exists(later)))


def filter_closed(qs, closed: bool):
    """A queryset of cases narrowed to the closed (``closed=True``) or the open ones, now: the
    ORM form for cases without corrections, the SQL form over effective events for the few
    with corrections (the same answer as :func:`closed_on`; conformance tests)."""
    corrected = set(Event.objects.filter(corrects__isnull=False).values_list("case_id", flat=True).distinct())
    corrected_closed = set(closed_cases(corrected)) if corrected else set()
    cond = (Q(closed_exists()) & ~Q(pk__in=corrected)) | Q(pk__in=corrected_closed)
    return qs.filter(cond) if closed else qs.exclude(cond)


def mark_closed(cases):
    """The cases as a list, each with ``closed`` set (True or False)."""
    cases = list(cases)
    closed = closed_cases([c.pk for c in cases])
    for c in cases:
        c.closed = c.pk in closed
    return cases
