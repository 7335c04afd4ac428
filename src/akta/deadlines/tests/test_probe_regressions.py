"""The probe's findings in the deadlines pages (issue 10), each as the probe sent it.

Items: 2 (EVB downloads expose protected persons; the IVO file is for the roles that report to
IVO and logs every person in it), 7 (exports logged with every person), 9 (crashes on
malformed quarters and ids).

2025Q1 holds E46 (C4, P4 with protected identity, an LSS decision never implemented).
"""
import csv
import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from akta.access.models import Role
from akta.access.services import PROTECTED_LABEL
from akta.audit.models import AuditEntry
from akta.cases.models import Event, Person
from akta.deadlines import worklist
from akta.deadlines.models import LocalDeadlineRule

TODAY = dt.date(2025, 3, 31)
EVB = "/bevakningar/ej-verkstallda-beslut/"
IVO_ID_RE = re.compile(r"\d{8}-T\d{3}")


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    worklist.clear_snapshots()
    yield
    worklist.clear_snapshots()


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def gun(imported, make_user):
    """The demo's nämndsekreterare: reports to IVO, no right to see protected identities."""
    return make_user("gun", role=Role.NAMNDSEKRETERARE)


@pytest.fixture
def ku(imported, make_user):
    return make_user("david", role=Role.KVALITETSUTVECKLARE)


def page_ivo_cells(html):
    html = html[html.index("<h2>Beslut</h2>"):]
    html = html[:html.index("</table>")]
    rows = re.findall(r"<tr><th scope=\"row\".*?</tr>", html, re.S)
    return [re.sub(r"<[^>]+>", "", re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)[0]).strip() for r in rows]


# --- 2. EVB downloads follow the page's masking -----------------------------------------------


def test_the_ivo_json_masks_a_protected_person_exactly_like_the_page(login, gun):
    c = login(gun)
    page = page_ivo_cells(c.get(f"{EVB}?kvartal=2025Q1").content.decode())
    data = c.get(f"{EVB}2025Q1.json").json()
    assert [r["ivo_id"] for r in data["rows"]] == page
    e46 = next(r for r in data["rows"] if r["beslut_id"] == "E46")
    assert e46["ivo_id"] == PROTECTED_LABEL and "20120704" not in c.get(f"{EVB}2025Q1.json").content.decode()
    assert e46["case_id"] is None  # gun has no case units: no case id, as the page links none


def test_the_ivo_csv_masks_a_protected_person(login, gun):
    body = login(gun).get(f"{EVB}2025Q1.csv").content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert next(r for r in rows if r["beslut_id"] == "E46")["ivo_id"] == PROTECTED_LABEL
    assert "20120704" not in body


def test_with_the_right_the_ivo_file_carries_the_pseudo_id(login, chief):
    data = login(chief).get(f"{EVB}2025Q1.json").json()
    e46 = next(r for r in data["rows"] if r["beslut_id"] == "E46")
    assert IVO_ID_RE.fullmatch(e46["ivo_id"]) and e46["ivo_id"].startswith("20120704") and e46["case_id"] == "C4"


def test_the_ivo_file_is_only_for_the_roles_that_report_to_ivo(login, ku):
    c = login(ku)
    assert c.get(f"{EVB}2025Q1.json").status_code == 403
    assert c.get(f"{EVB}2025Q1.csv").status_code == 403
    assert c.get(f"{EVB}2025Q1.xlsx").status_code == 200  # the committee's report: no identifiers
    html = c.get(f"{EVB}?kvartal=2025Q1").content.decode()
    assert not IVO_ID_RE.search(html) and "2025Q1.json" not in html  # the page hides what the file would give


def test_the_ivo_file_logs_every_person_in_it(login, gun):
    start = AuditEntry.objects.count()
    data = login(gun).get(f"{EVB}2025Q1.json").json()
    logged = AuditEntry.objects.filter(seq__gt=start, object_type="evb", action=AuditEntry.READ)
    p4 = Person.objects.get(ext_id="P4")
    in_file = set(Event.objects.filter(ext_id__in=[r["beslut_id"] for r in data["rows"]])
                  .values_list("case__person_id", flat=True))
    assert p4.pk in in_file and set(logged.values_list("person_id", flat=True)) == in_file
    out = io.StringIO()
    call_command("auditlog", "person", "P4", stdout=out)
    assert "gun" in out.getvalue() and "IVO-fil" in out.getvalue()


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_the_committee_report_downloads_log_every_person_too(login, gun, fmt):
    start = AuditEntry.objects.count()
    assert login(gun).get(f"{EVB}2025Q1.{fmt}").status_code == 200
    p4 = Person.objects.get(ext_id="P4")
    assert AuditEntry.objects.filter(seq__gt=start, object_type="evb", person_id=p4.pk).exists()


# --- 7. Exports with every person in them ------------------------------------------------------


def test_the_worklist_csv_logs_every_person_in_it(login, bou_user):
    start = AuditEntry.objects.count()
    body = login(bou_user).get("/bevakningar/enhet/?status=alla&format=csv").content.decode()
    assert "C4" in body or "C1" in body
    logged = set(AuditEntry.objects.filter(seq__gt=start, object_type="bevakningar")
                 .values_list("person_id", flat=True))
    exported = {Person.objects.get(cases__ext_id=cid).pk for cid in set(re.findall(r",(C\d+),", body))}
    assert exported and logged == exported


# --- 9. Crash defects ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    f"{EVB}?kvartal=9999Q4", f"{EVB}?kvartal=0000Q1", f"{EVB}9999Q4.json", f"{EVB}0001Q1.json",
    f"{EVB}?kvartal=2025Q9", f"{EVB}0000Q1.pdf",
])
def test_a_quarter_out_of_range_is_a_400_naming_the_field(login, chief, url):
    response = login(chief).get(url)
    assert response.status_code == 400, url
    assert "Kvartal:" in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "", "1e3", "99999999999999"])
def test_ending_a_local_rule_with_a_malformed_id_is_a_400(login, chief, value):
    response = login(chief).post("/bevakningar/installningar/", {"action": "avsluta_lokal", "id": value})
    assert response.status_code in (302, 400)
    if value:
        assert response.status_code == 400 and "Lokal regel:" in response.content.decode()
    assert not LocalDeadlineRule.objects.exists()
