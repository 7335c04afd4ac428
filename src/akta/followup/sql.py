"""SQL building blocks shared by every indicator: effective events, case status, dialect.

Every indicator is a plain SQL query (SQLite and PostgreSQL alike) over the relation
``eff`` built here, so the rules for corrections are written once:

* an original event is a row with ``corrects_id`` NULL;
* a correction (``corrects_id`` set) replaces the original it points at; of several, the one
  recorded last wins (``recorded_at``, then id) — as :func:`akta.cases.state.effective_events`;
* a winning correction with ``voided`` removes the original;
* "as reported" at a moment R: only rows with ``recorded_at`` ≤ R exist (originals and
  corrections alike); "as corrected" (R = None): every row.

The effective event keeps the *original's* id (references between events point at originals)
and takes every other field from the winning correction.

Calendar thresholds that depend on lag (1930:173) (holidays, month ends) are never written in
SQL: they are computed in Python with :mod:`akta.law.services` and passed in, either as a
single date parameter or as a small ``VALUES`` table of (start date, due date).
"""
from __future__ import annotations

import datetime as dt

from django.db import connection

# Columns of the effective-event relation (besides id, case_id, type, date).
EVENT_FIELDS = (
    "aktualisering_id", "utredning_id", "beslut_id", "kind", "outcome", "legal_basis",
    "intervention", "reason", "reporter", "until", "reasons",
)


class Dialect:
    """The few expressions that differ between SQLite and PostgreSQL."""

    def __init__(self, vendor=None):
        self.vendor = vendor or connection.vendor
        self.pg = self.vendor == "postgresql"

    def days(self, later, earlier):
        """Whole days from ``earlier`` to ``later``."""
        if self.pg:
            return f"({later} - {earlier})"
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    def age(self, birth, on):
        """Age in completed years on ``on`` (a 29 February birthday is reached on 1 March; before
        the birth, 0 or less)."""
        if self.pg:  # the same years as comparing years and MM-DD texts, as below (checked for every
            # birth day 1990–2026 and day 2023–2025), at a third of the cost of doing that with to_char
            return f"CAST(date_part('year', age({on}, {birth})) AS INTEGER)"
        return (f"(CAST(substr({on}, 1, 4) AS INTEGER) - CAST(substr({birth}, 1, 4) AS INTEGER) - "
                f"CASE WHEN substr({on}, 6, 5) < substr({birth}, 6, 5) THEN 1 ELSE 0 END)")

    def order_key(self, date_expr, id_expr):
        """An integer that orders events by (date, id), as akta.cases.state does."""
        day = f"({date_expr} - DATE '1970-01-01')" if self.pg else f"CAST(julianday({date_expr}) AS INTEGER)"
        return f"(CAST({day} AS BIGINT) * 1000000000000 + {id_expr})"

    def noindex(self, expr):
        """Keep SQLite from choosing an index on a column that is NULL in nearly every row."""
        return expr if self.pg else f"+{expr}"

    def date_lit(self, d: dt.date):
        return f"DATE '{d.isoformat()}'" if self.pg else f"'{d.isoformat()}'"

    def json_items(self, expr, alias):
        """A LEFT JOIN yielding one row per element of a JSON list (alias.value), or one NULL row."""
        if self.pg:
            return (f"LEFT JOIN LATERAL jsonb_array_elements_text("
                    f"CASE WHEN jsonb_typeof({expr}) = 'array' THEN {expr} END) AS {alias}(value) ON TRUE")
        return f"LEFT JOIN json_each(CASE WHEN json_valid({expr}) AND json_type({expr}) = 'array' THEN {expr} END) AS {alias}"

    def ts_lit(self, value: dt.datetime):
        """A timestamp literal comparable with ``recorded_at`` (Django stores UTC in SQLite)."""
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise TypeError("recorded_by must be an aware datetime")
        if self.pg:
            return f"TIMESTAMPTZ '{value.isoformat()}'"
        return "'" + str(connection.ops.adapt_datetimefield_value(value)) + "'"


def calendar_values(d: Dialect, pairs):
    """A table (s_date, due) of date pairs, e.g. (start, due date under lag 1930:173)."""
    pairs = list(pairs)
    if not pairs:
        pairs = [(dt.date(1900, 1, 1), dt.date(1900, 1, 1))]
    rows = ", ".join(f"({d.date_lit(a)}, {d.date_lit(b)})" for a, b in pairs)
    return f"SELECT column1 AS s_date, column2 AS due FROM (VALUES {rows}) AS v"


def effective_events_sql(d: Dialect, recorded_by=None, types=None, until=None, since=None, fields=EVENT_FIELDS,
                         corrections=True):
    """SQL for the effective events, optionally only some types (literals inlined, no params).

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
    cut = "" if recorded_by is None else " AND {a}.recorded_at <= " + d.ts_lit(recorded_by)
    type_filter = ""
    if types:
        type_filter = " AND o.type IN (" + ", ".join(f"'{t}'" for t in types) + ")"
    bounds = []
    if since is not None:
        bounds.append(f"date >= {d.date_lit(since)}")
    if until is not None:
        bounds.append(f"date <= {d.date_lit(until)}")
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
    from akta.cases.models import Event

    qs = Event.objects.filter(corrects__isnull=False)
    if recorded_by is not None:
        qs = qs.filter(recorded_at__lte=recorded_by)
    return qs.exists()


def known_cases_sql(d: Dialect, recorded_by=None):
    """Cases known at ``recorded_by``: cases carry no recording time of their own, so a case
    counts from the recording of its first event (a case without events always counts)."""
    base = "SELECT k.id, k.person_id, k.area, k.case_type, k.opened FROM cases_case k"
    if recorded_by is None:
        return base
    ts = d.ts_lit(recorded_by)
    return (
        base + " WHERE EXISTS (SELECT 1 FROM cases_event z WHERE z.case_id = k.id AND z.recorded_at <= "
        + ts + ") OR NOT EXISTS (SELECT 1 FROM cases_event z WHERE z.case_id = k.id)"
    )


def closed_at_sql(d: Dialect, on: dt.date):
    """Ids of cases closed at the end of day ``on``, from the relation ``eff`` (must be in scope).

    A case is closed at the end of a day when the last of its aktualisering and
    arende_avslutat events dated on or before it (ordered by date, then id, as
    :func:`akta.cases.state.case_state`) is an arende_avslutat: a later aktualisering re-opens it.
    One grouped aggregation over an integer (date, id) key, no sort.
    """
    key = d.order_key("date", "id")
    return (
        f"SELECT case_id FROM eff WHERE type IN ('aktualisering', 'arende_avslutat') AND date <= {d.date_lit(on)} "
        f"GROUP BY case_id HAVING MAX(CASE WHEN type = 'arende_avslutat' THEN {key} END) > "
        f"COALESCE(MAX(CASE WHEN type = 'aktualisering' THEN {key} END), -1)"
    )
