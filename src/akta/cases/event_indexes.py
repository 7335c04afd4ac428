"""The indexes on ``cases_event`` that are not in the model state, declared once with the
query each one answers (migration ``cases.0004_event_indexes`` creates them).

They are partial indexes on original rows (``corrects_id IS NULL``) holding exactly the
columns the deadline, EVB and statistics queries read, so PostgreSQL answers those queries with
index-only scans and merge or hash anti-joins instead of reading the events table (``large``:
2.8 M rows). They are created on PostgreSQL only and are not in the Django model state:
SQLite 3.40 (Debian 12) returns wrong rows for ``type IN (…) AND date < …`` through such a
partial index (an anmälan's verkställighet dated after the limit was found "before" it), and
the embedded database is small enough without them. The plain indexes of ``Event.Meta`` are
in the model state.
"""
from akta.cases.schema import REPORTABLE_BASES

NOT_CORRECTION = "corrects_id IS NULL"
REPORTABLE = ", ".join(f"'{b}'" for b in REPORTABLE_BASES)

# name: (columns, condition, what reads it)
INDEXES = {
    "deadlines_ev_anmalan": ("id, case_id, date, recorded_at", f"type = 'aktualisering' AND kind = 'anmalan' AND {NOT_CORRECTION}",
                             "skyddsbedömning and förhandsbedömning rules: the anmälningar, in id order"),
    "deadlines_ev_utredning": ("case_id, date, recorded_at, id", f"type = 'utredning_inledd' AND {NOT_CORRECTION}",
                               "the investigation rules' subjects"),
    "deadlines_ev_beslut": ("outcome, legal_basis, intervention, case_id, date, recorded_at, id",
                            f"type = 'beslut' AND {NOT_CORRECTION}",
                            "decisions with the columns the clocks and the placement rules read"),
    "deadlines_ev_beslut_rapp": ("id, case_id, date, recorded_at",
                                 f"type = 'beslut' AND outcome IN ('bifall', 'delvis_bifall') "
                                 f"AND legal_basis IN ({REPORTABLE}) AND {NOT_CORRECTION}",
                                 "the decision clocks (akta.cases.derived.decisions): favourable SoL 4:1 / LSS "
                                 "decisions in id order, merged with deadlines_ev_bes_ref without sorting"),
    "deadlines_ev_fhb_ej": ("case_id, date, recorded_at, aktualisering_id, id",
                            f"type = 'forhandsbedomning' AND outcome = 'inte_inleda_utredning' AND {NOT_CORRECTION}",
                            "kronpärm culling"),
    "deadlines_ev_avslutat": ("case_id, date, recorded_at", f"type = 'arende_avslutat' AND {NOT_CORRECTION}",
                              "a case's closings"),
    "deadlines_ev_akt_ref": ("aktualisering_id, type, date, recorded_at", f"aktualisering_id IS NOT NULL AND {NOT_CORRECTION}",
                             "events that meet an anmälan's deadline, by the anmälan"),
    "deadlines_ev_utr_ref": ("utredning_id, type, date, recorded_at", f"utredning_id IS NOT NULL AND {NOT_CORRECTION}",
                             "events that close or extend an investigation, by the investigation"),
    "deadlines_ev_bes_ref": ("beslut_id, type, date, recorded_at", f"beslut_id IS NOT NULL AND {NOT_CORRECTION}",
                             "implementations, interruptions and endings, by the decision (the clocks' anti-join)"),
    "deadlines_ev_corrections": ("case_id, recorded_at", "corrects_id IS NOT NULL",
                                 "the few corrections: their cases go to the Python reference"),
    "deadlines_ev_akt_case": ("case_id, date, recorded_at, id", f"type = 'aktualisering' AND {NOT_CORRECTION}",
                              "samarbetssamtal_14d reads the aktualiseringar of a few thousand given cases; "
                              "without it PostgreSQL scanned every aktualisering of followup_ev_cover "
                              "(0.2–0.3 s on large instead of 0.05 s)"),
    "followup_ev_cover": ("type, date", NOT_CORRECTION,
                          "the statistics' narrow effective-event relations: original events of a few types "
                          "in a date range, covering id, case, references, until, kind and recorded_at "
                          "(INCLUDE); on large the v1 indicators went from 4.5 s to 3.7 s (233 MB)"),
}
INCLUDES = {"followup_ev_cover": "id, case_id, aktualisering_id, utredning_id, beslut_id, until, kind, recorded_at"}


def create_sql(name):
    cols, where, _ = INDEXES[name]
    include = f" INCLUDE ({INCLUDES[name]})" if name in INCLUDES else ""
    # CONCURRENTLY: a live database keeps taking registrations meanwhile.
    return f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON cases_event ({cols}){include} WHERE {where}"
