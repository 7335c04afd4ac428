"""Browser test of the worklists (bevakningar): Playwright's sync API driving Debian's chromium
against the live server, on the valid exchange, with "today" fixed to 2025-03-31.

A caseworker opens the unit's worklist, sees the overdue investigation of a protected child
masked, filters by rule and exports CSV; a unit manager sees the committee's counts and
reconciles the quarterly EVB report with a total stated elsewhere.
"""
import datetime as dt

import pytest
from django.utils import timezone

from akta.browser_testing import assert_accessible
from akta.deadlines import worklist

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = dt.date(2025, 3, 31)

@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    worklist.clear_snapshots()
    yield
    worklist.clear_snapshots()


def test_caseworker_worklist_filter_and_export(page_as, bou_user, tmp_path):
    page = page_as(bou_user.username)
    page.goto("/bevakningar/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina bevakningar")
    expect(page.get_by_role("region", name="Försenade")).to_contain_text("Inga bevakningar")
    assert_accessible(page)

    page.get_by_role("link", name="Min enhet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bevakningar i min enhet")
    overdue = page.get_by_role("region", name="Försenade")
    expect(overdue.get_by_role("row")).to_have_count(1 + 2)  # header, investigation, implementation
    first = overdue.get_by_role("row").nth(1)
    expect(first).to_contain_text("Utredning om barn avslutad inom fyra månader")
    expect(first).to_contain_text("2024-11-04")
    expect(first).to_contain_text("Skyddad identitet")
    expect(page.locator("#antal-forsenade")).to_have_text("2")
    assert_accessible(page)

    page.get_by_label("Regel").select_option("verkstallighet_3m")
    page.get_by_label("Visa", exact=True).select_option("alla")
    page.get_by_role("button", name="Visa").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("28 f § LSS (1993:387)")
    assert_accessible(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="Exportera som CSV").click()
    path = tmp_path / "bevakningar.csv"
    info.value.save_as(path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Förfaller,Status,Regel") and len(lines) == 2 and "verkstallighet_3m" in lines[1]


def test_manager_committee_counts_and_evb_reconciliation(page_as, chief):
    page = page_as(chief.username)
    page.goto("/bevakningar/namnden/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bevakningar – hela nämnden")
    expect(page.get_by_role("row", name="Utredning om barn avslutad inom fyra månader")).to_contain_text("1")
    assert_accessible(page)

    page.get_by_role("link", name="Ej verkställda beslut").click()
    page.get_by_label("Kvartal", exact=True).select_option("2025Q1")
    page.get_by_role("button", name="Visa").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ej verkställda beslut kvartal 1 2025")
    expect(page.locator("#evb-summa tfoot")).to_contain_text("1")
    page.get_by_label("Lagrum", exact=True).select_option("")
    page.get_by_label("Kön", exact=True).select_option("")
    page.get_by_label("Antal").fill("3")
    page.get_by_label("Källa").fill("Manuell rapport kvartal 1")
    page.get_by_role("button", name="Spara angiven summa").click()
    expect(page.locator(".messages")).to_contain_text("sparad")
    expect(page.locator("#avstamning tbody tr")).to_contain_text("2")  # stated 3, derived 1: difference 2
    expect(page.get_by_text("Alla lagrum, kvinnor och män: skillnad 2")).to_be_visible()
    assert_accessible(page)
