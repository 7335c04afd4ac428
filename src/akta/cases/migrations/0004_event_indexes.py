"""The partial indexes on cases_event (PostgreSQL only), declared in akta.cases.event_indexes.

They were created by deadlines 0002/0003 and followup 0002 until cases owned them; on a
database where those ran, IF NOT EXISTS makes this a no-op."""
from django.db import migrations

from akta.cases.event_indexes import INDEXES, create_sql


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(create_sql(name))
    # Index-only scans need the visibility map; after a bulk import it is not set until
    # autovacuum gets there. Set it now (and refresh the planner's statistics).
    schema_editor.execute("VACUUM (ANALYZE) cases_event")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY and VACUUM cannot run in a transaction

    dependencies = [
        ("cases", "0003_case_list_order"),
    ]

    operations = [migrations.RunPython(create, drop, atomic=False)]
