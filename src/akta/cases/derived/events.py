"""Effective events: the case history after corrections, in Python and in SQL side by side.

The rules, written once here and nowhere else:

* an original event is a row with ``corrects_id`` NULL;
* a correction (``corrects_id`` set) replaces the original it points at; of several, the one
  recorded last wins (``recorded_at``, then id);
* a winning correction with ``voided`` removes the original (and with it its place);
* "as reported" at a moment R: only rows with ``recorded_at`` ≤ R exist (originals and
  corrections alike); "as corrected" (R = None): every row;
* the effective event keeps the *original's* id (references between events point at
  originals) and takes every other field, its date included, from the winning correction;
* events of one day are ordered by :data:`akta.cases.schema.SAME_DAY_ORDER` (the natural order
  of the steps), then by id: the order in which a file lists them or they were recorded does
  not matter.

:func:`effective_events` is the Python reference over model objects (one case's history);
:func:`effective_events_sql` is the same relation in SQL for whole-municipality queries. The
tests (``cases/tests/test_derived.py``, ``followup/tests/test_reproducibility.py``) check that
both give the same events.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from akta.cases.derived.sql import Dialect
from akta.cases.models import Event
from akta.cases.schema import SAME_DAY_ORDER

# Columns of the effective-event relation (besides id, case_id, type, date).
EVENT_FIELDS = (
    "aktualisering_id", "utredning_id", "beslut_id", "kind", "outcome", "legal_basis",
    "intervention", "reason", "reporter", "until", "reasons",
)


def effective_events(events, as_of=None, recorded_by=None):
    """Events in force, as known at ``recorded_by`` (datetime) and dated on or before ``as_of``,
    sorted by (date, same-day order, id). Each gets ``effective_id`` (the original's id) and,
    when it is a correction, ``original``."""
    events = [e for e in events if recorded_by is None or e.recorded_at <= recorded_by]
    latest = latest_corrections(events)
    out = []
    for e in events:
        if e.corrects_id:
            continue
        c = latest.get(e.pk)
        if c is not None:
            if c.voided:
                continue
            c.effective_id = e.pk
            c.original = e
            e = c
        else:
            e.effective_id = e.pk
        if as_of is None or e.date <= as_of:
            out.append(e)
    out.sort(key=lambda e: (e.date, SAME_DAY_ORDER[e.type], e.effective_id))
    return out


def latest_corrections(events):
    """{original pk: the correction in force} (the one recorded last), voided ones included."""
    latest = {}
    for e in events:
        if e.corrects_id:
            cur = latest.get(e.corrects_id)
            if cur is None or (e.recorded_at, e.pk) > (cur.recorded_at, cur.pk):
                latest[e.corrects_id] = e
    return latest


def effective_events_sql(d: Dialect, recorded_by=None, types=None, until=None, since=None, fields=EVENT_FIELDS,
                         corrections=True, cases=""):
    """SQL for the effective events, optionally only some types (literals inlined, no params).

    ``cases``: a ``SELECT`` of case ids (:func:`case_set_sql`) whose events alone are wanted
    ("" for every case; a correction is always in its original's case).

    Columns: id (the original's id), case_id, type, date and ``fields`` (default: all of
    :data:`EVENT_FIELDS`; fewer make a narrower relation).

    ``since``/``until`` keep only events whose *effective* date lies within the bounds. They
    let the database use the (type, date) index: originals without a correction are read by
    index range; the few originals that have a correction (which may move the date across a
    bound) are read by id, whatever their date; the bounds are then applied to the effective
    date.

    ``corrections=False`` may be passed only when no correction row exists (as recorded by
    ``recorded_by``): the relation is then the originals themselves, read without the join.
    """
    cut = "" if recorded_by is None else " AND {a}.recorded_at <= " + d.timestamp(recorded_by)
    if cases:
        cut += " AND {a}.case_id IN (" + cases + ")"
    type_filter = ""
    if types:
        type_filter = " AND o.type IN (" + ", ".join(f"'{t}'" for t in types) + ")"
    bounds = []
    if since is not None:
        bounds.append(f"date >= {d.date(since)}")
    if until is not None:
        bounds.append(f"date <= {d.date(until)}")
    fields = tuple(fields)
    cols = ", ".join(f"o.{f}" for f in ("id", "case_id", "type", "date", *fields))
    if not corrections:
        where = "".join(f" AND o.{b}" for b in bounds)
        return (f"SELECT {cols} FROM cases_event o WHERE {d.noindex('o.corrects_id')} IS NULL{type_filter}{where}"
                + cut.format(a="o"))
    if bounds:
        inside = " AND ".join(f"o.{b}" for b in bounds)
        originals = (
            f"SELECT {cols} FROM cases_event o WHERE {d.noindex('o.corrects_id')} IS NULL{type_filter} "
            f"AND {inside}" + cut.format(a="o")
            + f" UNION ALL SELECT {cols} FROM cases_event o WHERE o.id IN (SELECT corrects_id FROM cases_event "
            f"WHERE corrects_id IS NOT NULL){type_filter} AND o.corrects_id IS NULL AND NOT ({inside})" + cut.format(a="o")
        )
    else:
        originals = (f"SELECT {cols} FROM cases_event o WHERE {d.noindex('o.corrects_id')} IS NULL{type_filter}"
                     + cut.format(a="o"))
    chosen = ", ".join(
        f"CASE WHEN c.id IS NULL THEN o.{f} ELSE c.{f} END AS {f}" for f in ("date", *fields)
    )
    latest = (
        "SELECT " + ", ".join(("id", "corrects_id", "voided", "date", *fields)) + ", "
        "ROW_NUMBER() OVER (PARTITION BY corrects_id ORDER BY recorded_at DESC, id DESC) AS rn "
        "FROM cases_event x WHERE x.corrects_id IS NOT NULL" + cut.format(a="x")
    )
    sql = (
        f"SELECT o.id AS id, o.case_id AS case_id, o.type AS type, {chosen} "
        f"FROM ({originals}) o LEFT JOIN ({latest}) c ON c.corrects_id = o.id AND c.rn = 1 "
        "WHERE (c.id IS NULL OR NOT c.voided)"
    )
    if bounds:
        return f"SELECT * FROM ({sql}) ee WHERE " + " AND ".join(bounds)
    return sql


def corrections_exist(recorded_by=None):
    """Whether any correction row exists (recorded by ``recorded_by``); one index probe."""
    qs = Event.objects.filter(corrects__isnull=False)
    if recorded_by is not None:
        qs = qs.filter(recorded_at__lte=recorded_by)
    return qs.exists()


def known_cases_sql(d: Dialect, recorded_by=None):
    """Cases known at ``recorded_by``: cases carry no recording time of their own, so a case
    counts from the recording of its first event (a case without events always counts)."""
    base = "SELECT k.id, k.person_id, k.area, k.case_type, k.opened, k.caseworker_ref FROM cases_case k"
    if recorded_by is None:
        return base
    ts = d.timestamp(recorded_by)
    return (
        base + " WHERE EXISTS (SELECT 1 FROM cases_event z WHERE z.case_id = k.id AND z.recorded_at <= "
        + ts + ") OR NOT EXISTS (SELECT 1 FROM cases_event z WHERE z.case_id = k.id)"
    )




def end_of_day(d):
    """The first instant after day ``d`` in the committee's time zone: "as of D" counts the
    events recorded before it."""
    return dt.datetime.combine(d + dt.timedelta(days=1), dt.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def case_set_sql(case_pks=None, unit_ids=None, caseworker_id=None, exclude_pks=()):
    """A ``SELECT`` of the ids of the given cases, the cases of the given units and/or of one
    caseworker, less ``exclude_pks`` ("" when nothing narrows: every case). Ids are integers,
    inlined."""
    conds = []
    if exclude_pks:
        conds.append("id NOT IN (" + ", ".join(str(int(p)) for p in exclude_pks) + ")")
    if unit_ids is not None:
        conds.append("unit_id IN (" + (", ".join(str(int(u)) for u in unit_ids) or "NULL") + ")")
    if caseworker_id is not None:
        conds.append(f"caseworker_id = {int(caseworker_id)}")
    if case_pks is not None:
        conds.append("id IN (" + (", ".join(str(int(p)) for p in case_pks) or "NULL") + ")")
    return "SELECT id FROM cases_case WHERE " + " AND ".join(conds) if conds else ""
