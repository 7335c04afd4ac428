"""The culling status of every case (contract-v2 §4; SoL 12 kap. 1–2 §§; socialtjänstförordningen
7 kap. 2 §), decided in one place: :func:`classify` over per-case facts.

The facts of a case, at the end of the as-of day, come from :mod:`akta.cases.derived` in two
forms that give the same facts (``records/tests``): :func:`facts_python`, the reference over
model objects (``events.effective_events`` and ``status.closed_on``), and :func:`facts_sql`, one
statement over the effective-event relation (``events.effective_events_sql``,
``status.closed_cases_sql``) for the whole municipality.

* **Last entry** of a case: the latest effective event dated on or before the day (every event
  type is an entry, journal notes included), or the case's opening date if later. A case with no
  entry by the day did not exist then and has no row.
* **Last entry of the person** (``due`` counts from it): the latest of the person's cases, since
  a file is not culled while other data on the person is kept (12 kap. 1 § 2 st.).
* **Open**: ``status.closed_on`` is None at the end of the day.
* **Exempt (12 kap. 2 §)**: the case type is one of the law data's paternity, parenthood or
  adoption types, or the case holds an effective favourable decision with a placing intervention
  (HVB, särskilt ungdomshem, familjehem, jourhem, nätverkshem) under SoL 4:1 or LVU 2 §/3 §,
  dated on a day the person was under 18 (lag (1930:173) 1 §). The decision counts whether or not
  it was implemented: its documents are about the placement, and a wrong culling cannot be undone.
* **Research (7 kap. 2 §)**: the person's birth date falls on the 5th, 15th or 25th (for a
  samordningsnummer the stored birth date is already the number's day − 60), or the setting
  ``AKTA_CULLING_RESEARCH_MUNICIPALITY=1`` keeps every file.

Precedence, per case (what an archivist expects: what the law keeps is never "waiting"):

1. exempt case → ``bevara``/``sol_12_2`` (also while open: the documents are never culled);
2. research person → ``bevara``/``forskning_5_15_25`` (every case of the person);
3. a case of the person open → ``vanta``/``oppen``, ``due`` null;
4. ``due`` after the day → ``vanta``/``ej_forfallen``;
5. otherwise ``gallra``/``sol_12_1`` (on the due day itself the duty has arisen).

``due`` and ``cull_by`` are null for ``bevara`` (no duty arises) and for ``oppen``. A case kept
under 12 kap. 2 § still counts in its person's last entry, but it does not keep the person's
other files for ever: "other data that has not been culled" is data whose own time has not
come; data kept permanently is kept under another rule.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from akta.cases.derived.events import case_set_sql, effective_events, effective_events_sql
from akta.cases.derived.sql import Dialect
from akta.cases.derived.status import AKTUALISERING_MAX, CLOSING_MAX, closed_condition, closed_on
from akta.cases.models import Case, Event, EventType
from akta.law import services as law

GALLRA, BEVARA, VANTA = "gallra", "bevara", "vanta"
ACTION_LABELS = {GALLRA: "Gallra", BEVARA: "Bevara", VANTA: "Vänta"}
OPPEN, EJ_FORFALLEN = "oppen", "ej_forfallen"
REASON_LABELS = {
    "sol_12_1": "Fem år efter sista anteckningen",
    "sol_12_2": "Undantagen från gallring",
    "forskning_5_15_25": "Bevaras för forskning",
    OPPEN: "Ett ärende om personen är öppet",
    EJ_FORFALLEN: "Inte förfallen",
}


@dataclass(frozen=True)
class CaseFacts:
    """What the classification needs of one case at the end of the day."""

    case_pk: int
    case_id: str
    person_pk: int
    person_id: str
    birth_date: dt.date | None
    case_type: str
    last_entry: dt.date
    open: bool
    placement_dates: tuple = ()  # favourable placing decisions (the exemption rule's codes)


@dataclass(frozen=True)
class Row:
    case_pk: int
    case_id: str
    person_pk: int
    person_id: str
    action: str
    reason: str
    due: dt.date | None
    cull_by: dt.date | None
    last_entry: dt.date  # the person's
    reference_key: str | None  # the citation of the reason (None for oppen)

    def as_contract(self) -> dict:
        """The row of contract-v2 §4, exactly its keys."""
        return {"case_id": self.case_id, "person_id": self.person_id, "action": self.action, "reason": self.reason,
                "due": self.due and self.due.isoformat(), "cull_by": self.cull_by and self.cull_by.isoformat()}


def research_municipality() -> bool:
    return bool(getattr(settings, "CULLING_RESEARCH_MUNICIPALITY", False))


def classify(facts, as_of: dt.date, whole_municipality_kept: bool | None = None) -> list[Row]:
    """One row per case, sorted by case id. The rules in force on ``as_of``."""
    culling, exemption, research = law.culling_rule(as_of), law.exemption_rule(as_of), law.research_rule(as_of)
    if whole_municipality_kept is None:
        whole_municipality_kept = research_municipality()
    by_person = defaultdict(list)
    for f in facts:
        by_person[f.person_pk].append(f)
    rows = []
    dues, cull_bys = {}, {}  # memo: many persons share a last entry
    for person_cases in by_person.values():
        last = max(f.last_entry for f in person_cases)
        any_open = any(f.open for f in person_cases)
        birth = person_cases[0].birth_date
        kept_for_research = whole_municipality_kept or research.keeps(birth)
        due = dues.get(last)
        if due is None:
            due = dues[last] = culling.due(last)
            cull_bys[due] = culling.cull_by(due)
        for f in person_cases:
            exempt = f.case_type in exemption.case_types or (
                birth is not None and any(exemption.is_child_on(birth, d) for d in f.placement_dates))
            if exempt:
                row = (BEVARA, exemption.id, None, exemption.reference_key)
            elif kept_for_research:
                row = (BEVARA, research.id, None, research.reference_key)
            elif any_open:
                row = (VANTA, OPPEN, None, None)
            elif due > as_of:
                row = (VANTA, EJ_FORFALLEN, due, culling.reference_key)
            else:
                row = (GALLRA, culling.id, due, culling.reference_key)
            action, reason, row_due, key = row
            rows.append(Row(f.case_pk, f.case_id, f.person_pk, f.person_id, action, reason, row_due,
                            cull_bys[row_due] if row_due else None, last, key))
    rows.sort(key=lambda r: r.case_id)
    return rows


# --- the facts: Python reference ------------------------------------------------------------

def facts_python(as_of: dt.date, person_pks=None) -> list[CaseFacts]:
    """The reference: each case's effective events (dated ≤ ``as_of``) read as model objects."""
    exemption = law.exemption_rule(as_of)
    cases = Case.objects.select_related("person").order_by("pk")
    if person_pks is not None:
        cases = cases.filter(person_id__in=list(person_pks))
    cases = list(cases)
    events = defaultdict(list)
    for e in Event.objects.filter(case__in=cases):
        events[e.case_id].append(e)
    out = []
    for c in cases:
        evs = effective_events(events[c.pk], as_of=as_of)
        dates = [e.date for e in evs] + ([c.opened] if c.opened <= as_of else [])
        if not dates:
            continue
        placements = tuple(e.date for e in evs if e.type == EventType.BESLUT
                           and exemption.is_placement(e.legal_basis, e.intervention, e.outcome))
        out.append(CaseFacts(c.pk, c.ext_id, c.person_id, c.person.ext_id, c.person.birth_date, c.case_type,
                             max(dates), closed_on(evs) is None, placements))
    return out


# --- the facts: SQL form --------------------------------------------------------------------

def _in(d: Dialect, name: str, values) -> str:
    names = []
    for i, v in enumerate(sorted(values)):
        key = f"{name}{i}"
        d.params[key] = v
        names.append(f"%({key})s")
    return "(" + ", ".join(names) + ")"


def facts_sql(as_of: dt.date, person_pks=None) -> list[CaseFacts]:
    """The same facts over the effective-event relation, for every case or the cases of
    ``person_pks``: one grouped pass over the events (the cases without corrections read their
    original rows, the few with corrections the full relation) and one over the decisions."""
    exemption = law.exemption_rule(as_of)
    persons = ""
    corrected = Event.objects.filter(corrects__isnull=False)
    if person_pks is not None:
        pks = [int(p) for p in person_pks]
        if not pks:
            return []
        persons = "person_id IN (" + ", ".join(map(str, pks)) + ")"
        corrected = corrected.filter(case__person_id__in=pks)
    corrected = sorted(set(corrected.values_list("case_id", flat=True)))
    d = Dialect()
    plain = [c for c in (persons, corrected and "id NOT IN (" + ", ".join(map(str, corrected)) + ")") if c]
    eff = effective_events_sql(d, None, None, until=as_of, fields=(), corrections=False,
                               cases="SELECT id FROM cases_case WHERE " + " AND ".join(plain) if plain else "")
    if corrected:
        eff += " UNION ALL " + effective_events_sql(d, None, None, until=as_of, fields=(),
                                                    cases=case_set_sql(case_pks=corrected))
    sql = (
        f"WITH eff AS ({eff}),\n"
        f"agg AS (SELECT case_id, MAX(date) AS last_date, {CLOSING_MAX} AS closing_max, "
        f"{AKTUALISERING_MAX} AS aktualisering_max FROM eff GROUP BY case_id)\n"
        "SELECT k.id, k.ext_id, p.id, p.ext_id, p.birth_date, k.case_type, k.opened, agg.last_date, "
        f"CASE WHEN {closed_condition(d, 'agg.closing_max', 'agg.aktualisering_max')} THEN 1 ELSE 0 END\n"
        "FROM cases_case k JOIN cases_person p ON p.id = k.person_id LEFT JOIN agg ON agg.case_id = k.id"
        + (f" WHERE k.{persons}" if persons else "")
    )
    d2 = Dialect()
    eff2 = effective_events_sql(d2, None, ("beslut",), until=as_of, fields=("legal_basis", "intervention", "outcome"),
                                cases="SELECT id FROM cases_case WHERE " + persons if persons else "")
    placing = (
        f"SELECT case_id, date FROM ({eff2}) b WHERE outcome IN {_in(d2, 'po', exemption.outcomes)} "
        f"AND legal_basis IN {_in(d2, 'pb', exemption.legal_bases)} "
        f"AND intervention IN {_in(d2, 'pi', exemption.interventions)}"
    )
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":  # the grouped pass over every event: hash in memory
            cur.execute("SET LOCAL jit = off")
            cur.execute("SET LOCAL work_mem = '64MB'")
        cur.execute(placing, d2.params)
        placements = defaultdict(list)
        for case_id, day in cur.fetchall():
            placements[case_id].append(_date(day))
        cur.execute(sql, d.params)
        rows = cur.fetchall()
    out = []
    for pk, ext, person_pk, person_ext, birth, case_type, opened, last_date, is_closed in rows:
        opened = _date(opened)
        last_date = _date(last_date)
        if opened > as_of:
            if last_date is None:
                continue
            last = last_date
        else:
            last = opened if last_date is None or opened > last_date else last_date
        out.append(CaseFacts(pk, ext, person_pk, person_ext, _date(birth), case_type, last,
                             not is_closed, tuple(sorted(placements[pk])) if pk in placements else ()))
    out.sort(key=lambda f: f.case_pk)
    return out


def _date(v):
    if v is None or isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(v)


def culling_status(as_of: dt.date, person_pks=None) -> list[Row]:
    """The rows of ``akta culling --as-of`` (the SQL form of the facts)."""
    return classify(facts_sql(as_of, person_pks), as_of)


def cases_with_entries_after(as_of: dt.date, person_pks) -> set:
    """The persons among ``person_pks`` with an event or an opening dated after ``as_of`` (an entry
    the classification at ``as_of`` did not see)."""
    pks = list(person_pks)
    later = set(Event.objects.filter(case__person_id__in=pks, date__gt=as_of).values_list("case__person_id", flat=True))
    later |= set(Case.objects.filter(person_id__in=pks, opened__gt=as_of).values_list("person_id", flat=True))
    return later


__all__ = ["ACTION_LABELS", "BEVARA", "CaseFacts", "GALLRA", "REASON_LABELS", "Row", "VANTA", "cases_with_entries_after",
           "classify", "culling_status", "facts_python", "facts_sql"]
