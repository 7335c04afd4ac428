"""Contract v2 §1 (exchange additions) and §2 (`cases_unassigned`): import, export round-trip,
refusals naming FILE:LINE and the field, and who is assigned on a day."""
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from akta.cases.derived.assignment import assignment, waiting_since
from akta.cases.derived.events import effective_events
from akta.cases.models import Case, Event
from akta.exchange.exporter import export_exchange
from akta.exchange.importer import ImportFailed, import_exchange
from akta.exchange.tests.test_exchange import assert_reproduced, read_jsonl, write_exchange
from akta.followup import services as followup

PERSONS = [
    {"id": "P1", "personnummer": "20150315-2009"},  # a girl
    {"id": "P2", "personnummer": "19800101-2015"},  # a man
    {"id": "P3", "personnummer": "19900202-2003"},
]
CASES = [
    # never assigned
    {"id": "C1", "person_id": "P1", "area": "barn_och_unga", "opened": "2025-01-10"},
    # assigned at import, then unassigned on 2025-03-01, then assigned again on 2025-04-01
    {"id": "C2", "person_id": "P2", "area": "vuxna_ovrigt", "opened": "2025-01-05", "caseworker": "anna"},
    # assigned at import (a name Akta has no user for), closed 2025-02-01
    {"id": "C3", "person_id": "P3", "area": "vuxna_ovrigt", "opened": "2025-01-02", "caseworker": "hl-4711"},
]
EVENTS = [
    {"id": "E1", "case_id": "C1", "type": "aktualisering", "date": "2025-01-10", "kind": "anmalan"},
    {"id": "E2", "case_id": "C1", "type": "journalanteckning", "date": "2025-01-11",
     "text": "Samtal med mamma.\nHon oroar sig för skolan.", "author": "anna", "kind": "telefon"},
    {"id": "E3", "case_id": "C2", "type": "aktualisering", "date": "2025-01-05", "kind": "ansokan"},
    {"id": "E4", "case_id": "C2", "type": "tilldelad", "date": "2025-03-01", "caseworker": None},
    {"id": "E5", "case_id": "C2", "type": "tilldelad", "date": "2025-04-01", "caseworker": "bertil"},
    {"id": "E6", "case_id": "C2", "type": "beslut", "date": "2025-04-10", "legal_basis": "SoL 4:1",
     "intervention": "forsorjningsstod", "outcome": "bifall", "decision_level": "delegat",
     "delegation_point": "3.1.2", "decided_by": "socialsekreterare", "reason_code": "EB01"},
    {"id": "E7", "case_id": "C3", "type": "aktualisering", "date": "2025-01-02", "kind": "ansokan"},
    {"id": "E8", "case_id": "C3", "type": "arende_avslutat", "date": "2025-02-01"},
    {"id": "E9", "case_id": "C2", "type": "journalanteckning", "date": "2025-04-02", "text": "Hembesök."},
]


@pytest.fixture
def v2(db, tmp_path, make_user):
    make_user("anna")
    src = write_exchange(tmp_path / "in", PERSONS, CASES, EVENTS)
    try:
        import_exchange(src)
    except ImportFailed as e:
        raise AssertionError(e.errors) from None
    return src


def test_the_additions_round_trip(v2, tmp_path):
    """contract-v2 §1: `caseworker` on a case, `tilldelad` (null unassigns), `journalanteckning`
    and the beslut's decision_level, delegation_point, decided_by and reason_code."""
    export_exchange(tmp_path / "out")
    assert_reproduced(v2, tmp_path / "out")
    events = {e["id"]: e for e in read_jsonl(tmp_path / "out" / "events.jsonl")}
    assert events["E4"] == {"id": "E4", "case_id": "C2", "type": "tilldelad", "date": "2025-03-01", "caseworker": None}
    # the columns are the model's, not the extension bag
    e6 = Event.objects.get(ext_id="E6")
    assert (e6.decision_level, e6.delegation_point, e6.decided_by, e6.reason_code, e6.extra) == (
        "delegat", "3.1.2", "socialsekreterare", "EB01", {})
    assert Event.objects.get(ext_id="E2").text.endswith("skolan.")


def test_a_case_caseworker_is_linked_to_the_akta_user_of_that_name(v2):
    c2, c3 = Case.objects.get(ext_id="C2"), Case.objects.get(ext_id="C3")
    assert c2.caseworker.username == "anna" and c2.caseworker_ref == "anna"
    assert c3.caseworker is None and c3.caseworker_ref == "hl-4711"


@pytest.mark.parametrize("record, message", [
    ({"id": "X1", "case_id": "C1", "type": "beslut", "date": "2025-02-01", "legal_basis": "SoL 4:1",
      "intervention": "kontaktperson", "outcome": "bifall", "decision_level": "kommunstyrelsen"},
     'fältet "decision_level": okänt värde "kommunstyrelsen"'),
    ({"id": "X1", "case_id": "C1", "type": "journalanteckning", "date": "2025-02-01"}, 'fältet "text" krävs'),
    ({"id": "X1", "case_id": "C1", "type": "journalanteckning", "date": "2025-02-01", "text": "x" * 20001},
     'fältet "text" får vara högst 20000 tecken'),
    ({"id": "X1", "case_id": "C1", "type": "tilldelad", "date": "2025-02-01", "caseworker": 17},
     'fältet "caseworker" ska vara en sträng'),
])
def test_bad_additions_are_refused_with_file_line_and_field(db, tmp_path, record, message):
    src = write_exchange(tmp_path / "bad", PERSONS[:1], CASES[:1], [EVENTS[0], record])
    with pytest.raises(ImportFailed) as exc:
        import_exchange(src)
    assert any(e.endswith(f"events.jsonl:2: {message}") for e in exc.value.errors), exc.value.errors
    assert not Case.objects.exists()


def test_a_case_caseworker_that_is_not_a_name_is_refused(db, tmp_path):
    src = write_exchange(tmp_path / "bad", PERSONS[:1], [{**CASES[0], "caseworker": ""}], EVENTS[:1])
    with pytest.raises(ImportFailed) as exc:
        import_exchange(src)
    assert any("cases.jsonl:1: fältet \"caseworker\"" in e for e in exc.value.errors), exc.value.errors


def _assignment(case_id, day):
    case = Case.objects.select_related("caseworker").get(ext_id=case_id)
    evs = effective_events(list(case.events.all()), as_of=day)
    return assignment(case, evs)[0], waiting_since(case, evs)


def test_who_is_assigned_on_a_day(v2):
    """The latest tilldelad by the day decides; before any, the case's own caseworker."""
    d = dt.date
    assert _assignment("C1", d(2025, 6, 1)) == (None, d(2025, 1, 10))
    assert _assignment("C2", d(2025, 2, 28)) == ("anna", None)
    assert _assignment("C2", d(2025, 3, 1)) == (None, d(2025, 3, 1))  # unassigned from that day
    assert _assignment("C2", d(2025, 3, 31)) == (None, d(2025, 3, 1))
    assert _assignment("C2", d(2025, 4, 1)) == ("bertil", None)
    assert _assignment("C3", d(2025, 6, 1)) == ("hl-4711", None)


class _Table(dict):
    def __missing__(self, key):
        return (0, 0)  # an area with no queue has no rows


def _table(as_of, **kw):
    return _Table({(r["area"], r["sex"]): (r["count"], r["max_days_waiting"])
                   for r in followup.compute("cases_unassigned", as_of=as_of, **kw).records()})


def test_cases_unassigned_counts_open_cases_without_a_caseworker(v2):
    """contract-v2 §2: open cases with no caseworker at the end of the day; days waiting from the
    later of the opening and the last unassignment; split by sex, totalt the sum (count) and the
    largest wait (max_days_waiting)."""
    t = _table("2025-03-31")
    assert t[("barn_och_unga", "kvinna")] == (1, 80)  # C1: 2025-01-10 → 2025-03-31
    assert t[("vuxna_ovrigt", "man")] == (1, 30)  # C2: unassigned 2025-03-01 → 2025-03-31
    assert t[("vuxna_ovrigt", "kvinna")] == (0, 0)  # C3 is assigned (and closed)
    assert t[("vuxna_ovrigt", "totalt")] == (1, 30)
    assert t[("ekonomiskt_bistand", "totalt")] == (0, 0)
    t = _table("2025-04-01")
    assert t[("vuxna_ovrigt", "man")] == (0, 0)  # C2 assigned again that day
    assert t[("barn_och_unga", "totalt")] == (1, 81)
    assert _table("2025-01-09")[("barn_och_unga", "kvinna")] == (0, 0)  # not yet opened
    scoped = _table("2025-03-31", area=["vuxna_ovrigt"])
    assert scoped[("vuxna_ovrigt", "man")] == (1, 30) and ("barn_och_unga", "kvinna") not in scoped.keys()


def test_cases_unassigned_a_closed_case_does_not_wait(v2, make_user):
    """A case closed without a caseworker is not in the queue; re-opened, it waits again from
    its opening (no unassignment after it)."""
    from akta.cases.models import Case as C

    case = C.objects.get(ext_id="C1")
    Event.objects.create(ext_id="E20", case=case, type="arende_avslutat", date=dt.date(2025, 2, 1),
                         recorded_at=dt.datetime(2025, 2, 1, 12, tzinfo=dt.timezone.utc))
    assert _table("2025-03-31")[("barn_och_unga", "kvinna")] == (0, 0)


def test_akta_stats_cases_unassigned_prints_the_contract_columns(v2):
    out = io.StringIO()
    call_command("stats", "cases_unassigned", "--as-of", "2025-03-31", "--format", "json", stdout=out)
    doc = json.loads(out.getvalue())
    assert doc["columns"] == ["area", "sex", "count", "max_days_waiting"]
    rows = [dict(zip(doc["columns"], r)) for r in doc["rows"]]
    assert {"area": "vuxna_ovrigt", "sex": "man", "count": 1, "max_days_waiting": 30}.items() <= next(
        r for r in rows if r["area"] == "vuxna_ovrigt" and r["sex"] == "man").items()


def test_a_small_queue_is_masked_with_its_longest_wait(v2):
    """Published (--mask 10): a masked count's max_days_waiting is masked too."""
    table = followup.compute("cases_unassigned", as_of="2025-03-31")
    from akta.followup.disclosure import suppress

    suppress(table)
    i = next(i for i, r in enumerate(table.records()) if r["area"] == "vuxna_ovrigt" and r["sex"] == "man")
    assert (i, "count") in table.masked and (i, "max_days_waiting") in table.masked


def test_a_tilldelad_written_in_akta_links_the_user_and_keeps_the_history(v2, make_user):
    """A tilldelad through the case service (web form, API) assigns the case now (Case.caseworker,
    "Mina ärenden"), while an earlier day still shows the case unassigned; a tilldelad without a
    caseworker unassigns it. The export keeps both in the history."""
    from akta.access.models import Role
    from akta.cases import services

    chef = make_user("cecilia", role=Role.ENHETSCHEF, units=["barn_och_unga"])
    case = Case.objects.get(ext_id="C1")
    services.record_event(chef, case, "tilldelad", {"date": "2025-03-15", "caseworker": "anna"}, case.version)
    case.refresh_from_db()
    assert case.caseworker.username == "anna" and case.caseworker_ref == ""
    assert _assignment("C1", dt.date(2025, 3, 14)) == (None, dt.date(2025, 1, 10))
    assert _assignment("C1", dt.date(2025, 3, 15)) == ("anna", None)
    assert _table("2025-03-14")[("barn_och_unga", "kvinna")] == (1, 63)
    assert _table("2025-03-15")[("barn_och_unga", "kvinna")] == (0, 0)
    services.record_event(chef, case, "tilldelad", {"date": "2025-03-20", "caseworker": ""}, case.version)
    case.refresh_from_db()
    assert case.caseworker is None
    assert _table("2025-03-31")[("barn_och_unga", "kvinna")] == (1, 11)  # waits again from 2025-03-20
