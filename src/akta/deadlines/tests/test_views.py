"""The worklist, committee, settings and EVB pages (Django test client) on the valid exchange.

C4 (barn_och_unga, P4 with protected identity): investigation E42 opened 2024-07-04 and never
closed (due 2024-11-04), LVU 2 § placement E43 considered 2025-02-28 (next due 2025-08-28),
LSS decision E46 of 2024-10-01 never implemented (due 2025-01-01); the familjehem placement
E43, implemented 2024-09-01, also carries the two-year custody consideration (due 2026-09-01).
"""
import datetime as dt

import pytest
from django.utils import timezone

from akta.audit.models import AuditEntry
from akta.cases.models import Case, Event
from akta.deadlines import worklist
from akta.deadlines.models import LocalDeadlineRule, StatedTotal, WarningSetting
from akta.deadlines.tests.helpers import at

TODAY = dt.date(2025, 3, 31)  # a Monday


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


def test_unit_worklist_sections_sorted_and_masked(login, bou_user):
    c = login(bou_user)
    html = c.get("/bevakningar/enhet/").content.decode()
    assert "Försenade" in html and "Förfaller denna vecka" in html
    assert html.index("2024-11-04") < html.index("2025-01-01")  # sorted by due date
    assert "Utredning om barn avslutad inom fyra månader" in html and "11 kap. 2 § SoL (2001:453)" in html
    assert "Skyddad identitet" in html and "20120704" not in html  # P4 is protected
    assert "Försenad 147 dagar" in html  # 2024-11-04 -> 2025-03-31
    assert "2025-08-28" not in html  # the next övervägande is not due this week nor within 7 days


def test_a_user_with_the_right_sees_the_protected_identity(login, chief):
    html = login(chief).get("/bevakningar/enhet/?status=alla").content.decode()
    assert "20120704-2381" in html and "2025-08-28" in html


def test_only_cases_the_user_may_see(login, eb_user):
    html = login(eb_user).get("/bevakningar/enhet/?status=alla").content.decode()
    assert ">C4<" not in html and "Inga bevakningar" in html


def test_mine_lists_only_the_cases_i_handle(login, bou_user):
    c = login(bou_user)
    assert ">C4<" not in c.get("/bevakningar/mina/?status=alla").content.decode()
    Case.objects.filter(ext_id="C4").update(caseworker=bou_user)
    assert ">C4<" in c.get("/bevakningar/mina/?status=alla").content.decode()


def test_filter_by_rule_and_csv_export_is_logged(login, bou_user):
    c = login(bou_user)
    html = c.get("/bevakningar/enhet/?regel=utredning_4m&status=alla").content.decode()
    assert 'data-rule="utredning_4m"' in html and 'data-rule="verkstallighet_3m"' not in html
    response = c.get("/bevakningar/enhet/?status=alla&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("Förfaller,Status,Regel") and len(lines) == 1 + 4
    assert all("Skyddad identitet" in line for line in lines[1:])
    assert AuditEntry.objects.filter(object_type="bevakningar", username="anna").exists()


def test_new_events_show_at_once(login, bou_user):
    c = login(bou_user)
    assert 'data-rule="utredning_4m"' in c.get("/bevakningar/enhet/").content.decode()
    e42 = Event.objects.get(ext_id="E42")
    Event.objects.create(ext_id="E900", case=e42.case, type="utredning_avslutad", date=dt.date(2025, 3, 20),
                         recorded_at=at(TODAY, 10), utredning=e42, outcome="insats")
    assert 'data-rule="utredning_4m"' not in c.get("/bevakningar/enhet/").content.decode()


def test_committee_page_counts_without_personal_data(login, bou_user, chief):
    assert login(bou_user).get("/bevakningar/namnden/").status_code == 403
    html = login(chief).get("/bevakningar/namnden/").content.decode()
    assert "Per regel" in html and "Utredning om barn avslutad inom fyra månader" in html
    assert ">C4<" not in html and "20120704" not in html


def test_settings_are_changed_by_the_unit_manager_only(login, bou_user, chief):
    assert login(bou_user).post("/bevakningar/installningar/", {"action": "varningar"}).status_code == 403
    c = login(chief)
    assert c.post("/bevakningar/installningar/", {"action": "varningar", "dagar_verkstallighet_3m": "30"}).status_code == 302
    assert WarningSetting.objects.get(rule_id="verkstallighet_3m").days == 30
    response = c.post("/bevakningar/installningar/", {
        "action": "lokal", "lokal-code": "utredning_4m", "lokal-title": "x", "lokal-working_days": "10",
        "lokal-decision_reference": "SN 1", "lokal-area": "ekonomiskt_bistand", "lokal-anchor_type": "aktualisering",
        "lokal-anchor_kind": "ansokan", "lokal-closing_type": "beslut", "lokal-valid_from": "2014-04-01"})
    assert response.status_code == 200 and "används redan av en lagstadgad regel" in response.content.decode()
    response = c.post("/bevakningar/installningar/", {
        "action": "lokal", "lokal-code": "forsorjningsstod_10ad", "lokal-title": "Beslut om försörjningsstöd inom 10 arbetsdagar",
        "lokal-working_days": "10", "lokal-decision_reference": "SN 2014-03-26 § 41", "lokal-area": "ekonomiskt_bistand",
        "lokal-anchor_type": "aktualisering", "lokal-anchor_kind": "ansokan", "lokal-closing_type": "beslut",
        "lokal-valid_from": "2014-04-01"})
    assert response.status_code == 302 and LocalDeadlineRule.objects.filter(code="forsorjningsstod_10ad").exists()


def test_a_warning_setting_moves_a_deadline_into_the_warning_section(login, chief):
    c = login(chief)
    assert "2025-08-28" not in c.get("/bevakningar/enhet/").content.decode()
    WarningSetting.objects.create(rule_id="overvagande_6m", days=160)  # 2025-03-31 + 160 days = 2025-09-07
    html = c.get("/bevakningar/enhet/?status=varning").content.decode()
    assert "2025-08-28" in html and 'data-rule="overvagande_6m"' in html


def test_evb_page_reconciliation_and_downloads(login, bou_user, chief):
    assert login(bou_user).get("/bevakningar/ej-verkstallda-beslut/").status_code == 403
    c = login(chief)
    html = c.get("/bevakningar/ej-verkstallda-beslut/?kvartal=2025Q1").content.decode()
    assert "E46" in html and "Summa totalt" in html  # LSS 9 § 6, decided 2024-10-01, never implemented
    response = c.post("/bevakningar/ej-verkstallda-beslut/?kvartal=2025Q1", {
        "kvartal": "2025Q1", "legal_basis": "LSS 9 § 6", "sex": "kvinna", "count": "2", "source": "manuell rapport"})
    assert response.status_code == 302
    assert StatedTotal.objects.get(quarter="2025Q1").count == 2
    html = c.get("/bevakningar/ej-verkstallda-beslut/?kvartal=2025Q1").content.decode()
    assert 'id="avstamning"' in html and "skillnad 1" in html
    for fmt, ctype in (("pdf", "application/pdf"), ("xlsx", "application/vnd.openxmlformats"),
                       ("csv", "text/csv"), ("json", "application/json")):
        response = c.get(f"/bevakningar/ej-verkstallda-beslut/2025Q1.{fmt}")
        assert response.status_code == 200 and response["Content-Type"].startswith(ctype)
