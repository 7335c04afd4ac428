"""Culling of personakter (contract-v2 §4): SoL (2001:453) 12 kap. 1 § (five years after the
last entry in the person's personakter; not while other data on the person is kept; done by the
end of the next calendar year), 12 kap. 2 § (paternity/adoption investigations and a child placed
in HVB, familjehem or another private home are never culled), socialtjänstförordningen
(2001:937) 7 kap. 2 § (births on the 5th, 15th, 25th kept for research), lag (1930:173) 1 §
(29 Feb + 5 years = 28 Feb)."""
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from akta.cases.models import Case, Event, Person
from akta.exchange.importer import import_exchange
from akta.exchange.tests.test_exchange import write_exchange
from akta.records import services
from akta.records.classification import classify, culling_status, facts_python, facts_sql
from akta.records.models import CullingLog, CullingRun

D = dt.date


def person(pid, born, pnr=None):
    if pnr:
        return {"id": pid, "personnummer": pnr}
    return {"id": pid, "personnummer": None, "birth_date": born, "sex": "kvinna"}


def case(cid, pid, area, opened, case_type=None):
    c = {"id": cid, "person_id": pid, "area": area, "opened": opened}
    if case_type:
        c["case_type"] = case_type
    return c


def akt(eid, cid, date):
    return {"id": eid, "case_id": cid, "type": "aktualisering", "date": date, "kind": "ansokan"}


def closed(eid, cid, date):
    return {"id": eid, "case_id": cid, "type": "arende_avslutat", "date": date}


def beslut(eid, cid, date, basis, intervention, outcome="bifall"):
    return {"id": eid, "case_id": cid, "type": "beslut", "date": date, "legal_basis": basis,
            "intervention": intervention, "outcome": outcome}


PERSONS = [
    person("P1", "1980-01-02"),
    person("P2", "1981-03-03"),
    person("P3", "1982-04-04"),
    person("P4", "1983-05-06"),
    person("P5", "1990-01-15"),                     # born on the 15th: research
    person("P6", None, pnr="19900175-2386"),        # samordningsnummer: day 75 - 60 = the 15th
    person("P7", "2008-06-01"),                     # a child placed in a familjehem
    person("P8", "1970-07-07"),                     # an adult in HVB: not exempt
    person("P9", "1985-08-08"),                     # a paternity case and an EB case
]
CASES = [
    case("C1", "P1", "ekonomiskt_bistand", "2019-06-01"),
    case("C2a", "P2", "ekonomiskt_bistand", "2009-01-01"),
    case("C2b", "P2", "ekonomiskt_bistand", "2023-01-01"),
    case("C3", "P3", "vuxna_missbruk", "2012-01-01"),
    case("C4", "P4", "ekonomiskt_bistand", "2015-01-01"),
    case("C5", "P5", "ekonomiskt_bistand", "2010-01-01"),
    case("C6", "P6", "ekonomiskt_bistand", "2010-01-01"),
    case("C7", "P7", "barn_och_unga", "2012-01-01"),
    case("C8", "P8", "vuxna_missbruk", "2012-01-01"),
    case("C9", "P9", "familjeratt", "2012-01-01", case_type="faderskap"),
    case("C9b", "P9", "ekonomiskt_bistand", "2012-01-01"),
]
EVENTS = [
    akt("A1", "C1", "2019-06-01"), closed("Z1", "C1", "2020-01-10"),
    # a journal note after the closing is an entry too: the last one, on 29 February
    {"id": "J1", "case_id": "C1", "type": "journalanteckning", "date": "2020-02-29", "text": "Telefon med hyresvärden."},
    akt("A2a", "C2a", "2009-01-01"), closed("Z2a", "C2a", "2010-01-01"),
    akt("A2b", "C2b", "2023-01-01"), closed("Z2b", "C2b", "2023-05-10"),
    akt("A3", "C3", "2012-01-01"),  # never closed
    akt("A4", "C4", "2015-01-01"), closed("Z4", "C4", "2015-03-01"), akt("A4r", "C4", "2016-01-10"),  # re-opened
    akt("A5", "C5", "2010-01-01"), closed("Z5", "C5", "2010-06-01"),
    akt("A6", "C6", "2010-01-01"), closed("Z6", "C6", "2010-06-01"),
    akt("A7", "C7", "2012-01-01"), beslut("B7", "C7", "2012-03-01", "SoL 4:1", "familjehem"),
    closed("Z7", "C7", "2013-01-01"),
    akt("A8", "C8", "2012-01-01"), beslut("B8", "C8", "2012-03-01", "SoL 4:1", "hvb"), closed("Z8", "C8", "2013-01-01"),
    akt("A9", "C9", "2012-01-01"), closed("Z9", "C9", "2012-09-01"),
    akt("A9b", "C9b", "2012-01-01"), closed("Z9b", "C9b", "2012-06-01"),
]


@pytest.fixture
def files(db, tmp_path):
    import_exchange(write_exchange(tmp_path / "x", PERSONS, CASES, EVENTS))


def run(*args):
    out = io.StringIO()
    call_command("culling", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def status(as_of):
    doc = json.loads(run("--as-of", as_of, "--format", "json"))
    assert doc["as_of"] == as_of
    return {r["case_id"]: r for r in doc["cases"]}


def test_contract_rows_and_every_reason(files):
    rows = status("2025-03-01")
    assert list(rows) == sorted(rows)  # one row per case, by case id
    assert set(rows["C1"]) == {"case_id", "person_id", "action", "reason", "due", "cull_by"}
    got = {c: (r["action"], r["reason"], r["due"], r["cull_by"]) for c, r in rows.items()}
    assert got == {
        # 12 kap. 1 §: five years after the last entry (29 Feb 2020 -> 28 Feb 2025, lag 1930:173 1 §);
        # done by 31 Dec of the next year
        "C1": ("gallra", "sol_12_1", "2025-02-28", "2026-12-31"),
        # the old case waits for the person's recent one (not while other data on the person is kept)
        "C2a": ("vanta", "ej_forfallen", "2028-05-10", "2029-12-31"),
        "C2b": ("vanta", "ej_forfallen", "2028-05-10", "2029-12-31"),
        "C3": ("vanta", "oppen", None, None),
        "C4": ("vanta", "oppen", None, None),  # closed, then re-opened by a later aktualisering
        "C5": ("bevara", "forskning_5_15_25", None, None),  # socialtjänstförordningen 7 kap. 2 §
        "C6": ("bevara", "forskning_5_15_25", None, None),  # samordningsnummer, day 75 = the 15th
        "C7": ("bevara", "sol_12_2", None, None),  # a child placed in a familjehem (12 kap. 2 §)
        "C8": ("gallra", "sol_12_1", "2018-01-01", "2019-12-31"),  # an adult's HVB is not exempt
        "C9": ("bevara", "sol_12_2", None, None),  # paternity investigation (12 kap. 2 §, 1 kap. 9 § FB)
        "C9b": ("gallra", "sol_12_1", "2017-09-01", "2018-12-31"),  # the kept C9 is the last entry
    }
    assert rows["C6"]["person_id"] == "P6"
    assert Person.objects.get(ext_id="P6").birth_date == D(1990, 1, 15)


def test_due_day_edges_and_cull_by_at_year_end(files):
    assert status("2025-02-27")["C1"] == {"case_id": "C1", "person_id": "P1", "action": "vanta",
                                          "reason": "ej_forfallen", "due": "2025-02-28", "cull_by": "2026-12-31"}
    assert status("2025-02-28")["C1"]["action"] == "gallra"  # on the due day the duty has arisen
    assert status("2026-12-01")["C1"]["cull_by"] == "2026-12-31"  # overdue in December of the next year
    # before the re-opening C4 was closed and not yet due
    assert status("2015-12-31")["C4"] == {"case_id": "C4", "person_id": "P4", "action": "vanta",
                                          "reason": "ej_forfallen", "due": "2020-03-01", "cull_by": "2021-12-31"}
    # events after the day are not seen: the journal note of 29 Feb 2020 does not exist on 2020-02-28
    assert status("2020-02-28")["C1"]["due"] == "2025-01-10"


def test_child_placement_decided_the_day_before_the_18th_birthday_only(db, tmp_path):
    persons = [person("Q1", "2000-02-29"), person("Q2", "2000-02-29")]
    cases = [case("K1", "Q1", "barn_och_unga", "2017-01-01"), case("K2", "Q2", "barn_och_unga", "2017-01-01")]
    events = [akt("a1", "K1", "2017-01-01"), beslut("b1", "K1", "2018-02-27", "LVU 3 §", "hvb"), closed("z1", "K1", "2018-06-01"),
              akt("a2", "K2", "2017-01-01"), beslut("b2", "K2", "2018-02-28", "LVU 3 §", "hvb"), closed("z2", "K2", "2018-06-01")]
    import_exchange(write_exchange(tmp_path / "y", persons, cases, events))
    rows = status("2024-01-01")
    assert rows["K1"]["action"] == "bevara"  # 17 on 27 Feb 2018
    assert rows["K2"] == {"case_id": "K2", "person_id": "Q2", "action": "gallra", "reason": "sol_12_1",
                          "due": "2023-06-01", "cull_by": "2024-12-31"}  # 18 on 28 Feb 2018 (lag 1930:173 1 §)


def test_research_municipality_keeps_every_file(files, settings):
    settings.CULLING_RESEARCH_MUNICIPALITY = True
    rows = status("2025-03-01")
    assert {r["action"] for c, r in rows.items() if c not in ("C7", "C9")} == {"bevara"}
    assert rows["C1"]["reason"] == "forskning_5_15_25" and rows["C7"]["reason"] == "sol_12_2"


def test_python_reference_and_sql_form_give_the_same_facts(files):
    # a correction that moves C2b's closing earlier, and a voided correction of C8's decision
    c2b = Event.objects.get(ext_id="Z2b")
    Event.objects.create(ext_id="Z2b-c", case=c2b.case, type="arende_avslutat", date=D(2021, 2, 1), corrects=c2b,
                         recorded_at=c2b.recorded_at + dt.timedelta(days=900))
    b8 = Event.objects.get(ext_id="B8")
    Event.objects.create(ext_id="B8-v", case=b8.case, type="beslut", date=b8.date, corrects=b8, voided=True,
                         legal_basis="SoL 4:1", intervention="hvb", outcome="bifall",
                         recorded_at=b8.recorded_at + dt.timedelta(days=1))
    for day in (D(2015, 12, 31), D(2020, 2, 28), D(2025, 2, 28), D(2026, 12, 1)):
        assert facts_python(day) == facts_sql(day), day
        assert classify(facts_python(day), day) == classify(facts_sql(day), day)
    # the correction moved C2b's closing before its aktualisering of 2023: the case is open again
    assert {r.case_id: r.reason for r in culling_status(D(2025, 3, 1))}["C2b"] == "oppen"


def test_a_future_as_of_is_refused(files):
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    with pytest.raises(CommandError, match="framtiden"):
        run("--as-of", tomorrow)
    with pytest.raises(CommandError, match="framtiden"):
        run("--as-of", tomorrow, "--execute")
    assert Case.objects.count() == len(CASES)


def test_the_text_table_is_swedish_with_the_law(files):
    out = run("--as-of", "2025-07-01")
    assert "gallra 3, bevara 4, vänta 4" in out
    line = next(x for x in out.splitlines() if x.startswith("C1 "))
    assert "Gallra" in line and "2025-02-28" in line and "2026-12-31" in line
    assert "motsvarande bestämmelse i SoL (2025:400) (tidigare 12 kap. 1 § SoL (2001:453))" in line
    assert "12 kap. 1 § SoL (2001:453)" in run("--as-of", "2025-06-30")


def test_execute_culls_exactly_the_gallra_cases_logs_them_and_runs_once(files, tmp_path):
    from akta.audit.services import verify_report
    from akta.cases.models import CaseRemoval
    from akta.deadlines import worklist
    from akta.quality.models import Deviation
    from akta.access.models import Unit

    c8 = Case.objects.get(ext_id="C8")
    dev = Deviation.objects.create(number="AV-2013-0001", category="ovrigt", event_date=D(2012, 5, 1),
                                   reported_on=D(2012, 5, 2), unit=Unit.objects.get(pk=c8.unit_id),
                                   description="Beskrivning", case=c8)
    opened_2012 = _stat_total("cases_opened", "2012")
    stamp = worklist._stamp()

    out = json.loads(run("--as-of", "2025-03-01", "--execute", "--format", "json"))
    assert out == {"as_of": "2025-03-01", "run": out["run"], "culled": 3, "persons_removed": 2, "skipped": 0}

    assert not Case.objects.filter(ext_id__in=["C1", "C8", "C9b"]).exists()
    assert Case.objects.count() == len(CASES) - 3
    assert not Event.objects.filter(ext_id__in=["A1", "Z1", "J1", "A8", "B8", "Z8", "A9b", "Z9b"]).exists()
    assert set(Person.objects.values_list("ext_id", flat=True)) == {"P2", "P3", "P4", "P5", "P6", "P7", "P9"}
    rn = CullingRun.objects.get()
    assert (rn.number, rn.as_of, rn.count, rn.persons_removed, rn.rule) == (out["run"], D(2025, 3, 1), 3, 2, "sol_12_1")
    assert rn.reference == "12 kap. 1 § SoL (2001:453)" and rn.finished_at and "kommandorad" in rn.performed_by_name
    log = {e.case_id: e for e in CullingLog.objects.all()}
    assert set(log) == {"C1", "C8", "C9b"}
    assert (log["C1"].last_entry, log["C1"].due, log["C1"].cull_by) == (D(2020, 2, 29), D(2025, 2, 28), D(2026, 12, 31))
    assert log["C1"].person_pseudonym == services.pseudonym("P1") != "P1"
    assert log["C8"].reason == "sol_12_1" and log["C8"].reference_key == "sol.12.1"
    dev.refresh_from_db()
    assert dev.case_id is None and dev.culled_case_ref == "C8" and dev.case_culled
    assert dev.history().get(action="ärendet gallrat").change == {"gallringsbeslut": [None, rn.number]}
    assert CaseRemoval.objects.count() == 1 and worklist._stamp() != stamp

    # the read/write log still verifies, and holds the run and a write per culled person
    assert verify_report().problems == []
    # gone from a later listing, the export and the statistics
    assert not {"C1", "C8", "C9b"} & set(status("2025-03-01"))
    call_command("export", str(tmp_path / "out"), stdout=io.StringIO())
    exported = (tmp_path / "out" / "cases.jsonl").read_text() + (tmp_path / "out" / "persons.jsonl").read_text()
    assert '"C1"' not in exported and '"P1"' not in exported and '"C2a"' in exported
    assert _stat_total("cases_opened", "2012") == opened_2012 - 2  # C8 and C9b were opened in 2012
    # a second run culls nothing
    again = json.loads(run("--as-of", "2025-03-01", "--execute", "--format", "json"))
    assert again["culled"] == 0 and CullingLog.objects.count() == 3
    assert verify_report().problems == []


def test_a_case_reopened_during_the_run_is_not_culled(files):
    from akta.cases.models import EventType

    def reopen_c8(done, total, culled):
        if done == 1:  # after the first batch, before P8's: a new aktualisering re-opens C8
            c8 = Case.objects.get(ext_id="C8")
            Event.objects.create(ext_id="A8r", case=c8, type=EventType.AKTUALISERING, date=D(2025, 3, 1),
                                 kind="ansokan", recorded_at=dt.datetime(2025, 3, 1, 12, tzinfo=dt.timezone.utc))

    rn = services.execute(D(2025, 3, 1), performed_by_name="test", batch_persons=1, progress=reopen_c8)
    assert (rn.count, rn.skipped) == (2, 1)
    assert Case.objects.filter(ext_id="C8").exists() and not Case.objects.filter(ext_id__in=["C1", "C9b"]).exists()


def test_events_cannot_be_deleted_outside_culling(files):
    with pytest.raises(PermissionError):
        Event.objects.get(ext_id="A1").delete()


def _stat_total(indicator, year):
    doc = json.loads(_call("stats", indicator, "--year", year, "--format", "json"))
    sex, count = doc["columns"].index("sex"), doc["columns"].index("count")
    return sum(r[count] for r in doc["rows"] if r[sex] == "totalt")


def _call(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()
