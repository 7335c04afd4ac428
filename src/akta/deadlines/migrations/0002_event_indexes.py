"""Partial indexes on cases_event that serve the deadline and EVB queries.

Each deadline rule is an anti-join between its subjects (e.g. anmälningar) and the events
that meet it (e.g. skyddsbedömningar referring to them), filtered by the as-of date and the
recording time. These indexes hold exactly the columns those anti-joins read, restricted to
original rows (``corrects_id IS NULL``), so PostgreSQL answers them with index-only scans
and hash anti-joins instead of reading the events table (``large``: 2.2 M rows).

They live here because the deadlines component is their only user. They are created on
PostgreSQL only: SQLite 3.40 (Debian 12) returns wrong rows for ``type IN (…) AND date < …``
through such a partial index (an anmälan's verkställighet dated after the limit was found
"before" it), and the embedded database is small enough without them. They are not in the
Django model state: if ``cases.Event`` ever moves them into ``Meta.indexes`` (with
``condition=``), drop them here.
"""
from django.db import migrations

NOT_CORRECTION = "corrects_id IS NULL"
# The legal bases of 16 kap. 6 f § SoL and 28 f § LSS (exchange-v1 §2 codes); equal to
# akta.cases.schema.REPORTABLE_BASES (checked by a test).
REPORTABLE_BASES = ("SoL 4:1", *(f"LSS 9 § {n}" for n in range(1, 11)))
REPORTABLE = ", ".join(f"'{b}'" for b in REPORTABLE_BASES)

INDEXES = {
    # subjects
    "deadlines_ev_anmalan": ("id, case_id, date, recorded_at", f"type = 'aktualisering' AND kind = 'anmalan' AND {NOT_CORRECTION}"),
    "deadlines_ev_utredning": ("case_id, date, recorded_at, id", f"type = 'utredning_inledd' AND {NOT_CORRECTION}"),
    "deadlines_ev_beslut": ("outcome, legal_basis, intervention, case_id, date, recorded_at, id",
                            f"type = 'beslut' AND {NOT_CORRECTION}"),
    # favourable SoL 4:1 / LSS decisions in id order: the verkställighet anti-join merges it
    # with deadlines_ev_bes_ref without sorting (akta.cases.schema.REPORTABLE_BASES)
    "deadlines_ev_beslut_rapp": ("id, case_id, date, recorded_at",
                                 f"type = 'beslut' AND outcome IN ('bifall', 'delvis_bifall') "
                                 f"AND legal_basis IN ({REPORTABLE}) AND {NOT_CORRECTION}"),
    "deadlines_ev_fhb_ej": ("case_id, date, recorded_at, aktualisering_id, id",
                            f"type = 'forhandsbedomning' AND outcome = 'inte_inleda_utredning' AND {NOT_CORRECTION}"),
    "deadlines_ev_avslutat": ("case_id, date, recorded_at", f"type = 'arende_avslutat' AND {NOT_CORRECTION}"),
    # events that meet a deadline, by the subject they refer to
    "deadlines_ev_akt_ref": ("aktualisering_id, type, date, recorded_at", f"aktualisering_id IS NOT NULL AND {NOT_CORRECTION}"),
    "deadlines_ev_utr_ref": ("utredning_id, type, date, recorded_at", f"utredning_id IS NOT NULL AND {NOT_CORRECTION}"),
    "deadlines_ev_bes_ref": ("beslut_id, type, date, recorded_at", f"beslut_id IS NOT NULL AND {NOT_CORRECTION}"),
    # corrections (few): their cases are evaluated by the Python reference
    "deadlines_ev_corrections": ("case_id, recorded_at", "corrects_id IS NOT NULL"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (cols, where) in INDEXES.items():
        # CONCURRENTLY: a live database keeps taking registrations meanwhile.
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON cases_event ({cols}) WHERE {where}")
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
        ("deadlines", "0001_initial"),
        ("cases", "0002_case_caseworker"),
    ]

    operations = [migrations.RunPython(create, drop, atomic=False)]
