"""Trigram indexes for the case list's search (PostgreSQL only; akta.cases.views.search_cases).

A search matches any part of a person's name or personnummer, or of the name a case keeps
(``extra.person_name``): ``LIKE '%…%'``, which a B-tree cannot answer. ``pg_trgm`` (in
PostgreSQL's standard contrib, a trusted extension since PostgreSQL 13) indexes the trigrams,
so a search reads the few matching persons and cases instead of every case of the user's units
joined with every person (on ``large``: 230 000 cases, 194 000 persons). Expressions exactly as
Django writes ``icontains`` (``UPPER(x::text)``) and ``contains`` (``x::text``)."""
from django.db import migrations

INDEXES = {
    "cases_person_name_trgm": "cases_person USING gin ((upper(name::text)) gin_trgm_ops)",
    "cases_person_pnr_trgm": "cases_person USING gin ((pnr_key::text) gin_trgm_ops)",
    "cases_case_person_name_trgm": "cases_case USING gin ((upper((extra ->> 'person_name')::text)) gin_trgm_ops)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, target in INDEXES.items():
        # CONCURRENTLY: a live database keeps taking registrations meanwhile.
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {target}")
    schema_editor.execute("ANALYZE cases_person")
    schema_editor.execute("ANALYZE cases_case")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("cases", "0006_caseremoval"),
    ]

    operations = [migrations.RunPython(create, drop, atomic=False)]
