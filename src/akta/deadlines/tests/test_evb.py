"""Ej verkställda beslut (16 kap. 6 f § SoL, 28 f § LSS) on hand-written histories.

Expected statuses and day counts were worked out by hand from the definitions in
akta.deadlines.evb: three months per lag (1930:173) 1 § from the decision (or interruption),
reportable from the day after, quarter statuses ny / kvarstar / verkstalld / avslutad.
"""
import datetime as dt
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command

from akta.deadlines import evb
from akta.deadlines.models import StatedTotal
from akta.deadlines.tests.helpers import History, at

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
IVO_ID = re.compile(r"^(\d{8})-T(\d)(\d)(\d)$")


@pytest.fixture
def world(db):
    """Four decisions, written by hand:

    A (woman) SoL 4:1 särskilt boende 2024-11-30, offer declined 2025-01-15, implemented 2025-08-15.
    B (man)   LSS 9 § 10 daglig verksamhet 2024-10-01, implemented 2024-10-15, interrupted
              2025-02-15, resumed 2025-07-20.
    C (man)   SoL 4:1 kontaktperson 2025-01-20, ended without implementation 2025-05-05.
    D (woman) SoL 4:1 kontaktfamilj 2025-01-10, implemented 2025-04-11 (one day late).
    Not reportable: E SoL 4:2, F avslag, G implemented on its last day 2025-04-10.
    """
    h = History()
    pa, pb, pc, pd = (h.person("1948-04-12", "kvinna"), h.person("1979-09-09", "man"),
                      h.person("1990-02-02", "man"), h.person("2013-06-06", "kvinna"))
    ca = h.case(pa, area="vuxna_ovrigt")
    a = h.ev(ca, "beslut", "2024-11-30", legal_basis="SoL 4:1", intervention="sarskilt_boende", outcome="bifall")
    h.ev(ca, "erbjudande", "2025-01-15", beslut=a, accepted=False)
    h.ev(ca, "verkstalld", "2025-08-15", beslut=a)
    cb = h.case(pb, area="vuxna_ovrigt")
    b = h.ev(cb, "beslut", "2024-10-01", legal_basis="LSS 9 § 10", intervention="daglig_verksamhet", outcome="bifall")
    h.ev(cb, "verkstalld", "2024-10-15", beslut=b)
    h.ev(cb, "avbrott", "2025-02-15", beslut=b, reason="pausat på egen begäran")
    h.ev(cb, "aterupptagen", "2025-07-20", beslut=b)
    cc = h.case(pc, area="vuxna_missbruk")
    c = h.ev(cc, "beslut", "2025-01-20", legal_basis="SoL 4:1", intervention="kontaktperson", outcome="bifall")
    h.ev(cc, "insats_avslutad", "2025-05-05", beslut=c, reason="ändrat sig")
    cd = h.case(pd)
    d = h.ev(cd, "beslut", "2025-01-10", legal_basis="SoL 4:1", intervention="kontaktfamilj", outcome="delvis_bifall")
    h.ev(cd, "verkstalld", "2025-04-11", beslut=d)
    e = h.ev(cd, "beslut", "2025-01-10", legal_basis="SoL 4:2", intervention="oppenvard_intern", outcome="bifall")
    f = h.ev(cd, "beslut", "2025-01-10", legal_basis="SoL 4:1", intervention="kontaktperson", outcome="avslag")
    g = h.ev(cc, "beslut", "2025-01-10", legal_basis="SoL 4:1", intervention="stodboende_ifo", outcome="bifall")
    h.ev(cc, "verkstalld", "2025-04-10", beslut=g)
    return {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f, "G": g, "h": h}


def by_beslut(report):
    return {r.beslut_id: r for r in report.rows}


def test_quarter_statuses_across_four_quarters_with_a_stable_ivo_id(world):
    a = world["A"].ext_id
    assert a not in by_beslut(evb.report(2024, 4))  # reportable only from 2025-03-01
    q1, q2, q3 = (by_beslut(evb.report(2025, q))[a] for q in (1, 2, 3))
    assert (q1.status, q1.days_waiting) == ("ny", 121)  # 2024-11-30 -> 2025-03-31
    assert (q2.status, q2.days_waiting) == ("kvarstar", 212)  # -> 2025-06-30
    assert (q3.status, q3.days_waiting) == ("verkstalld", 258)  # -> implemented 2025-08-15
    assert a not in by_beslut(evb.report(2025, 4))
    assert q1.ivo_id == q2.ivo_id == q3.ivo_id
    m = IVO_ID.match(q1.ivo_id)
    assert m and m.group(1) == "19480412" and int(m.group(3)) % 2 == 0  # woman: even sex digit
    assert q1.due == D("2025-02-28") and q1.reportable_from == D("2025-03-01")


def test_a_declined_offer_does_not_stop_the_clock_and_is_listed(world):
    row = by_beslut(evb.report(2025, 1))[world["A"].ext_id]
    assert row.status == "ny"
    assert "2025-01-15" in row.reason and "tackat nej" in row.reason
    assert row.offers == [(D("2025-01-15"), False)]


def test_interruption_not_resumed_within_three_months(world):
    b = world["B"].ext_id
    assert b not in by_beslut(evb.report(2025, 1))  # interrupted 02-15: reportable from 05-16
    q2 = by_beslut(evb.report(2025, 2))[b]
    assert (q2.status, q2.interruption_date, q2.days_waiting) == ("ny", D("2025-02-15"), 135)
    assert q2.sex == "man" and int(IVO_ID.match(q2.ivo_id).group(3)) % 2 == 1
    q3 = by_beslut(evb.report(2025, 3))[b]
    assert (q3.status, q3.days_waiting) == ("verkstalld", 155)  # resumed 2025-07-20


def test_ended_and_late_implemented_decisions_get_their_closing_report(world):
    q2 = by_beslut(evb.report(2025, 2))
    assert (q2[world["C"].ext_id].status, q2[world["C"].ext_id].days_waiting) == ("avslutad", 105)
    assert (q2[world["D"].ext_id].status, q2[world["D"].ext_id].days_waiting) == ("verkstalld", 91)
    for key in "EFG":  # SoL 4:2, avslag, implemented on the last day of the three months
        assert world[key].ext_id not in q2


def test_totals_are_the_sum_of_the_rows(world):
    report = evb.report(2025, 2)
    assert sorted((t["legal_basis"], t["sex"], t["count"]) for t in report.totals) == [
        ("LSS 9 § 10", "man", 1), ("SoL 4:1", "kvinna", 2), ("SoL 4:1", "man", 1)]
    assert sum(t["count"] for t in report.totals) == len(report.rows) == 4


def test_a_corrected_decision_date_moves_the_clock(world):
    h = world["h"]
    a = world["A"]
    h.ev(a.case, "beslut", "2024-12-20", legal_basis="SoL 4:1", intervention="sarskilt_boende", outcome="bifall",
         corrects=a, recorded=at("2025-01-05"))
    row = by_beslut(evb.report(2025, 1))[a.ext_id]
    assert (row.decision_date, row.due, row.days_waiting) == (D("2024-12-20"), D("2025-03-20"), 101)


def test_legal_basis_is_rendered_as_in_force_on_the_decision_date(world):
    h = world["h"]
    p = h.person("1950-01-01", "man")
    c = h.case(p, area="vuxna_ovrigt")
    h.ev(c, "beslut", "2025-07-02", legal_basis="SoL 4:1", intervention="sarskilt_boende", outcome="bifall")
    rows = evb.report(2025, 4).rows
    refs = {r.decision_date: r.legal_reference for r in rows}
    assert refs[D("2025-07-02")] == "motsvarande bestämmelse i SoL (2025:400) (tidigare 4 kap. 1 § SoL (2001:453))"
    assert by_beslut(evb.report(2025, 2))[world["A"].ext_id].legal_reference == "4 kap. 1 § SoL (2001:453)"


def test_evb_command_json_has_exactly_the_spec_shape(world):
    out = io.StringIO()
    call_command("evb", "--quarter", "2025Q2", stdout=out)
    doc = json.loads(out.getvalue())
    assert set(doc) == {"rows", "totals"}
    assert all(set(r) == set(evb.ROW_FIELDS) for r in doc["rows"])
    assert all(set(t) == {"legal_basis", "sex", "count"} for t in doc["totals"])
    a = next(r for r in doc["rows"] if r["beslut_id"] == world["A"].ext_id)
    assert a == {"beslut_id": world["A"].ext_id, "case_id": world["A"].case.ext_id, "ivo_id": a["ivo_id"],
                 "sex": "kvinna", "intervention": "sarskilt_boende", "legal_basis": "SoL 4:1",
                 "decision_date": "2024-11-30", "interruption_date": None, "status": "kvarstar", "days_waiting": 212}
    b = next(r for r in doc["rows"] if r["beslut_id"] == world["B"].ext_id)
    assert b["interruption_date"] == "2025-02-15"
    assert sum(t["count"] for t in doc["totals"]) == len(doc["rows"])


def test_evb_command_csv_and_bad_input(world, tmp_path):
    out = io.StringIO()
    call_command("evb", "--quarter", "2025Q2", "--format", "csv", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == ",".join(evb.ROW_FIELDS) and len(lines) == 5
    with pytest.raises(CommandError, match="kvartal"):
        call_command("evb", "--quarter", "2025Q5")
    with pytest.raises(CommandError, match="--out"):
        call_command("evb", "--quarter", "2025Q2", "--format", "pdf")
    with pytest.raises(CommandError):
        call_command("evb", "--quarter", "2025Q2", "--format", "docx")


def test_evb_xlsx_opened_again(world, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "evb.xlsx"
    call_command("evb", "--quarter", "2025Q2", "--format", "xlsx", "--out", str(path))
    wb = load_workbook(path)
    assert wb.sheetnames[:3] == ["Sammanställning", "Detaljer", "Väntetider"]
    summary = [list(r) for r in wb["Sammanställning"].iter_rows(values_only=True)]
    total = next(r for r in summary if r[0] == "Summa totalt")
    assert total[2:6] == [2, 2, 0, 4]  # men, women, unknown, sum — from the rows
    details = list(wb["Detaljer"].iter_rows(values_only=True))
    assert len(details) == 1 + 4
    a = next(r for r in details if r[4] == "2024-11-30")
    assert a[:3] == ("Kvinna", "Särskilt boende", "4 kap. 1 § SoL (2001:453)") and "tackat nej" in a[3]


def test_evb_pdf_opened_again(world, tmp_path):
    from pypdf import PdfReader

    path = tmp_path / "evb.pdf"
    call_command("evb", "--quarter", "2025Q2", "--format", "pdf", "--out", str(path))
    text = " ".join(p.extract_text() for p in PdfReader(path).pages)
    text = " ".join(text.split())
    assert "Redovisning av ej verkställda beslut kvartal 2 2025" in text
    assert "16 kap. 6 f § SoL (2001:453)" in text and "28 f § LSS (1993:387)" in text
    assert "Summa totalt 2 2 0 4" in text
    assert "Daglig verksamhet" in text and "2025-02-15" in text


def test_reconciliation_shows_the_difference_and_the_decisions_behind_it(world):
    h = world["h"]
    late = h.ev(h.case(h.person("1940-01-01", "kvinna"), area="vuxna_ovrigt"), "beslut", "2025-05-10",
                legal_basis="SoL 4:1", intervention="sarskilt_boende", outcome="bifall")
    StatedTotal.objects.create(quarter="2025Q2", legal_basis="SoL 4:1", sex="kvinna", count=3, source="manuell")
    StatedTotal.objects.create(quarter="2025Q2", legal_basis="LSS 9 § 10", sex="man", count=1, source="manuell")
    StatedTotal.objects.create(quarter="2025Q2", legal_basis="", sex="", count=5, source="summa i protokollet")
    report = evb.report(2025, 2)
    result = evb.reconcile(report, StatedTotal.objects.filter(quarter="2025Q2"))
    cell = next(c for c in result["cells"] if c["basis"] == "SoL 4:1")
    assert (cell["stated"], cell["derived"], cell["difference"]) == (3, 2, 1)
    assert {r.beslut_id for r in cell["rows"]} == {world["A"].ext_id, world["D"].ext_id}
    assert [n["beslut_id"] for n in cell["near"]] == [late.ext_id]  # not yet three months at 30 June
    lss = next(c for c in result["cells"] if c["basis"] == "LSS 9 § 10")
    assert lss["difference"] == 0
    whole = next(c for c in result["cells"] if c["basis"] == "")
    assert (whole["derived"], whole["difference"]) == (4, 1)
    assert result["notes"] == ["Den angivna summan 5 (summa i protokollet) stämmer inte med summan av de angivna "
                               "delarna, 4."]


def test_ivo_id_is_derived_from_the_person_only():
    one = evb.ivo_id("P-123", D("2001-02-03"), "man")
    assert one == evb.ivo_id("P-123", D("2001-02-03"), "man")
    for pid in range(200):
        for sex, parity in (("kvinna", 0), ("man", 1)):
            m = IVO_ID.match(evb.ivo_id(f"P{pid}", D("2001-02-03"), sex))
            assert m.group(1) == "20010203" and int(m.group(3)) % 2 == parity


def test_report_for_some_units_only(world):
    b = world["B"]
    rows = evb.report(2025, 2, unit_ids=[b.case.unit_id]).rows
    assert {r.unit_id for r in rows} == {b.case.unit_id} and b.ext_id in {r.beslut_id for r in rows}
    assert evb.report(2025, 2, unit_ids=[b.case.unit_id], method="python").as_dict() == evb.report(
        2025, 2, unit_ids=[b.case.unit_id]).as_dict()


def test_a_voided_implementation_puts_the_decision_back_in_the_report(world):
    """D was implemented 2025-04-11; that registration is voided on 2025-05-02: as known now,
    D was never implemented: reportable from 2025-04-11 (in Q2, so "ny") and still waiting at
    the end of Q2 (2025-06-30 − 2025-01-10 = 171 days)."""
    h = world["h"]
    d = world["D"]
    impl = d.case.events.get(type="verkstalld", beslut=d)
    h.ev(d.case, "verkstalld", "2025-04-11", beslut=d, corrects=impl, voided=True, recorded=at("2025-05-02"))
    row = by_beslut(evb.report(2025, 2))[d.ext_id]
    assert (row.status, row.days_waiting) == ("ny", 171)
    assert by_beslut(evb.report(2025, 2, method="python"))[d.ext_id].status == "ny"
    assert by_beslut(evb.report(2025, 3))[d.ext_id].status == "kvarstar"
