"""The SQL dialect: the few expressions that differ between SQLite and PostgreSQL, in one place.

Calendar thresholds that depend on lag (1930:173) (holidays, month ends) are never written in
SQL: they are computed in Python with :mod:`akta.law.services` and passed in, either as a
single date or as a small ``VALUES`` table of (start date, due date) (:func:`calendar_values`).
"""
from __future__ import annotations

import datetime as dt
import re

from django.db import connection


class Dialect:
    """The few expressions that differ between SQLite and PostgreSQL, and the bind parameters of
    the statements built with it: :meth:`date` and :meth:`timestamp` return a named placeholder
    and keep the value in :attr:`params` (named by the value, so the order in which the pieces of
    a statement are built does not matter); execute the statement with ``params``."""

    def __init__(self, vendor=None):
        self.vendor = vendor or connection.vendor
        self.pg = self.vendor == "postgresql"
        self.params = {}

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
        """An integer that orders events by (date, id), as akta.cases.derived does."""
        day = f"({date_expr} - DATE '1970-01-01')" if self.pg else f"CAST(julianday({date_expr}) AS INTEGER)"
        return f"(CAST({day} AS BIGINT) * 1000000000000 + {id_expr})"

    def noindex(self, expr):
        """Keep SQLite from choosing an index on a column that is NULL in nearly every row."""
        return expr if self.pg else f"+{expr}"

    def date(self, d: dt.date):
        """A date as a bind parameter (typed on PostgreSQL, ISO text as SQLite stores dates)."""
        if isinstance(d, dt.datetime) or not isinstance(d, dt.date):
            raise TypeError("a date is needed")
        name = f"d{d:%Y%m%d}"
        self.params[name] = d if self.pg else d.isoformat()
        return f"CAST(%({name})s AS DATE)" if self.pg else f"%({name})s"

    def json_items(self, expr, alias):
        """A LEFT JOIN yielding one row per element of a JSON list (alias.value), or one NULL row."""
        if self.pg:
            return (f"LEFT JOIN LATERAL jsonb_array_elements_text("
                    f"CASE WHEN jsonb_typeof({expr}) = 'array' THEN {expr} END) AS {alias}(value) ON TRUE")
        return f"LEFT JOIN json_each(CASE WHEN json_valid({expr}) AND json_type({expr}) = 'array' THEN {expr} END) AS {alias}"

    def timestamp(self, value: dt.datetime):
        """A timestamp as a bind parameter comparable with ``recorded_at`` (Django stores UTC
        text in SQLite)."""
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise TypeError("recorded_by must be an aware datetime")
        name = "t" + re.sub(r"\D", "", value.astimezone(dt.timezone.utc).isoformat())
        if self.pg:
            self.params[name] = value
            return f"CAST(%({name})s AS TIMESTAMPTZ)"
        self.params[name] = str(connection.ops.adapt_datetimefield_value(value))
        return f"%({name})s"


def calendar_values(d: Dialect, pairs):
    """A table (s_date, due) of date pairs, e.g. (start, due date under lag 1930:173)."""
    pairs = list(pairs)
    if not pairs:
        pairs = [(dt.date(1900, 1, 1), dt.date(1900, 1, 1))]
    rows = ", ".join(f"({d.date(a)}, {d.date(b)})" for a, b in pairs)
    return f"SELECT column1 AS s_date, column2 AS due FROM (VALUES {rows}) AS v"


