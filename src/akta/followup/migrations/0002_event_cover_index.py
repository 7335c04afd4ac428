"""A covering partial index on cases_event for the statistics queries (PostgreSQL only).

Every indicator reads the original events (``corrects_id IS NULL``) of a few types in a date
range, and most need only the ids, the case and a reference (akta.cases.derived.events). The events
of one type are spread over the whole table (``large``: a förhandsbedömning query read 23 000
heap pages for 450 000 aktualiseringar); this index holds them in (type, date) order with
those columns, so PostgreSQL answers with index-only scans. On ``large`` the v1 indicators for
a year, one after the other, went from 4.5 s to 3.7 s in an A/B run (233 MB of index).

Columns: what the narrow effective-event relations select (``id``, ``case_id``, the
references, ``until``, ``kind``) and ``recorded_at`` for "as reported". Indicators that need
other columns (``outcome``, ``legal_basis``, …) read the table as before.

PostgreSQL only, as the deadline indexes (akta/deadlines/migrations/0002_event_indexes.py):
SQLite 3.40 returns wrong rows for ``type IN (…) AND date < …`` through a partial index, and
the embedded database is small enough without it. Not in the Django model state.
"""
from django.db import migrations

NAME = "followup_ev_cover"
SQL = (f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON cases_event (type, date) "
       "INCLUDE (id, case_id, aktualisering_id, utredning_id, beslut_id, until, kind, recorded_at) "
       "WHERE corrects_id IS NULL")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(SQL)  # CONCURRENTLY: a live database keeps taking registrations meanwhile
    # Index-only scans need the visibility map (set by VACUUM); refresh the statistics too.
    schema_editor.execute("VACUUM (ANALYZE) cases_event")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY and VACUUM cannot run in a transaction

    dependencies = [
        ("followup", "0001_initial"),
        ("cases", "0002_case_caseworker"),
    ]

    operations = [migrations.RunPython(create, drop, atomic=False)]
