"""The follow-up pages: identical numbers for every user, drill-down within access rights,
saved reports, reconciliation upload, and the downloads (CSV, XLSX, JSON, SVG, PNG)."""
import io
import json
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from akta.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def url(name, *args, **q):
    from urllib.parse import urlencode

    return reverse(f"followup:{name}", args=args) + ("?" + urlencode(q) if q else "")


def test_pages_require_login(client, imported):
    r = client.get(url("index"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


def test_two_users_with_different_permissions_get_identical_numbers(client, bou_user, eb_user, chief):
    """Statistics run under a fixed system scope (DESIGN.md): the requesting user's units never
    filter the numbers."""
    outputs = []
    for user in (bou_user, eb_user, chief):
        client.force_login(user)
        per_user = []
        for ind, q in (("cases_opened", {"year": 2024}), ("persons_active", {"year": 2024}),
                       ("aktualiseringar", {"year": 2024}), ("evb_waiting", {"as_of": "2024-12-31"})):
            r = client.get(url("indicator", ind, format="json", **q))
            assert r.status_code == 200
            per_user.append(r.json())
            per_user.append(client.get(url("indicator", ind, format="csv", **q)).content)
        outputs.append(per_user)
    assert outputs[0] == outputs[1] == outputs[2]
    opened = {tuple(r[:3]): r[3] for r in outputs[0][0]["rows"]}
    assert opened[("barn_och_unga", "", "totalt")] == 2  # C1 and C4, whoever asks


def test_indicator_page_shows_table_definition_and_chart(client, bou_user):
    client.force_login(bou_user)
    r = client.get(url("indicator", "cases_opened", year=2024))
    html = r.content.decode()
    assert r.status_code == 200
    assert "Ärenden vars öppningsdatum" in html  # the definition text
    assert "<svg" in html and 'role="img"' in html
    assert "Totalt" in html


def test_bad_parameters_give_a_clear_message(client, bou_user):
    client.force_login(bou_user)
    r = client.get(url("indicator", "utredningar_open", **{"from": "2024-01-01", "to": "2024-02-01"}))
    assert r.status_code == 400 and "gäller en dag" in r.content.decode()
    r = client.get(url("indicator", "cases_opened", year="20x4", format="json"))
    assert r.status_code == 400 and "ogiltigt år" in r.json()["error"]
    assert client.get(url("indicator", "nope")).status_code == 404


def test_downloads_share_one_table(client, bou_user):
    client.force_login(bou_user)
    q = {"year": 2024}
    js = client.get(url("indicator", "cases_opened", format="json", **q)).json()
    csv_text = client.get(url("indicator", "cases_opened", format="csv", **q)).content.decode()
    lines = csv_text.strip().split("\n")
    assert lines[0] == ",".join(js["columns"]) == "area,case_type,sex,count"
    assert len(lines) - 1 == len(js["rows"])
    wb = load_workbook(io.BytesIO(client.get(url("indicator", "cases_opened", format="xlsx", **q)).content))
    ws = wb["cases_opened"]
    assert [c.value for c in ws[1]] == js["columns"]
    assert [[c.value if c.value is not None else "" for c in row] for row in ws.iter_rows(min_row=2)] == js["rows"]
    assert client.get(url("indicator", "cases_opened", format="svg", **q)).content.startswith(b"<svg")
    assert client.get(url("indicator", "cases_opened", format="png", **q)).content[:4] == b"\x89PNG"


def _cell(client, **q):
    return client.get(url("cell", "cases_opened", year=2024, k_area="barn_och_unga", k_case_type="",
                          column="count", **q))


def test_drilldown_shows_visible_cases_masks_protected_and_logs(client, bou_user):
    client.force_login(bou_user)
    before = AuditEntry.objects.count()
    r = _cell(client, k_sex="kvinna")
    html = r.content.decode()
    assert r.status_code == 200
    assert 'id="cell-value">2<' in html
    assert "C1" in html and "C4" in html
    assert "Skyddad identitet" in html  # P4 has protected identity; anna lacks the right
    assert "20120704-2381" not in html
    assert "utanför din behörighet" not in html
    reads = AuditEntry.objects.filter(seq__gt=before).order_by("seq")
    assert reads.count() == 2 and all(e.action == AuditEntry.READ for e in reads)
    assert {e.object_id for e in reads} == {"C1", "C4"}
    assert all("uppföljning: cases_opened" in e.context for e in reads)


def test_drilldown_outside_the_users_units_keeps_the_number(client, eb_user):
    client.force_login(eb_user)
    before = AuditEntry.objects.count()
    html = _cell(client, k_sex="totalt").content.decode()
    assert 'id="cell-value">2<' in html
    assert "2 ärenden utanför din behörighet" in html
    assert not re.search(r"\bC[14]\b", html)  # as words: a CSRF token may hold the same letters
    assert AuditEntry.objects.count() == before  # nothing shown, nothing logged


def test_drilldown_for_a_chief_with_the_right_shows_the_protected_person(client, chief):
    client.force_login(chief)
    html = _cell(client, k_sex="kvinna").content.decode()
    assert "Skyddad identitet" not in html


def test_save_report_and_verify(client, chief):
    client.force_login(chief)
    r = client.post(url("save", "cases_opened"), {"year": "2024", "title": "Öppnade 2024"})
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert "Öppnade 2024" in page
    assert page.count("stämmer") >= 2 and "stämmer inte" not in page


def test_reconcile_upload_lists_differences_and_bad_totals(client, chief):
    client.force_login(chief)
    stated = ("area;case_type;sex;count\n"
              "barn_och_unga;;kvinna;2\n"
              "barn_och_unga;;man;1\n"
              "barn_och_unga;;okänt;0\n"
              "barn_och_unga;;totalt;4\n")
    f = io.BytesIO(stated.encode())
    f.name = "stated.csv"
    r = client.post(url("reconcile", "cases_opened") + "?year=2024", {"year": "2024", "stated": f})
    html = r.content.decode()
    assert r.status_code == 200
    assert 'id="differences"' in html and 'id="total-problems"' in html
    diffs = html.split('id="differences"')[1].split("</table>")[0]
    totals = html.split('id="total-problems"')[1].split("</table>")[0]
    # stated 1, computed 0; stated total 4, computed 2
    assert '(uppgift saknas), Män</th><td>Antal ärenden</td><td class="num">1</td><td class="num">0</td>' in diffs
    assert '(uppgift saknas), Totalt</th><td>Antal ärenden</td><td class="num">4</td><td class="num">2</td>' in diffs
    # rows not stated but computed are listed too
    assert "Ekonomiskt bistånd, forsorjningsstod, Män" in diffs
    # the stated total 4 is not 2 + 1 + 0
    assert '<td class="num">4</td><td class="num">3</td>' in totals


def test_reconcile_rejects_a_file_with_wrong_columns(client, chief):
    client.force_login(chief)
    f = io.BytesIO(b"omrade,antal\nx,1\n")
    f.name = "x.csv"
    r = client.post(url("reconcile", "cases_opened"), {"year": "2024", "stated": f})
    assert r.status_code == 400 and "kolumner saknas" in r.content.decode()


def test_masked_json_has_nulls(client, chief):
    client.force_login(chief)
    js = client.get(url("indicator", "cases_opened", year=2024, mask=10, format="json")).json()
    assert all(r[3] is None or r[3] == 0 for r in js["rows"])  # every count here is below 10
    assert json.dumps(js)


def test_drilldown_of_event_and_person_counts_keeps_the_number(client, make_user):
    """A cell counting events (three aktualiseringar in one case) or persons (one person, two
    cases) drills down to the same number, whatever the user may see."""
    from akta.followup.tests.history import History

    h = History()
    p = h.person("kvinna", born="2015-01-01")
    c1 = h.case(p, opened="2024-01-01", unit="bou1")
    c2 = h.case(p, opened="2024-05-01", unit="bou2")
    for d in ("2024-01-01", "2024-02-01", "2024-03-01"):
        h.akt(c1, d)
    h.akt(c2, "2024-05-01")
    inside = make_user("inne", units=["bou1"])
    outside = make_user("ute", units=["annan"])
    q = {"year": 2024, "k_area": "barn_och_unga", "k_kind": "anmalan", "k_age_band": "0-12", "k_sex": "kvinna", "column": "count"}
    client.force_login(outside)
    html = client.get(url("cell", "aktualiseringar", **q)).content.decode()
    assert 'id="cell-value">4<' in html and "4 händelser i ärenden utanför din behörighet" in html
    client.force_login(inside)
    html = client.get(url("cell", "aktualiseringar", **q)).content.decode()
    assert 'id="cell-value">4<' in html and "1 händelser i ärenden utanför din behörighet" in html
    assert c1.ext_id in html and c2.ext_id not in html
    pq = {"year": 2024, "k_area": "barn_och_unga", "k_sex": "totalt", "column": "count"}
    html = client.get(url("cell", "persons_active", **pq)).content.decode()
    assert 'id="cell-value">1<' in html and "utanför din behörighet" not in html  # one person, visible through c1
    client.force_login(outside)
    html = client.get(url("cell", "persons_active", **pq)).content.decode()
    assert "1 personer (med ärenden) utanför din behörighet" in html
