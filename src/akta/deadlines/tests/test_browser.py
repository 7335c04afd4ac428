"""Browser test of the worklists (bevakningar): Playwright's sync API driving Debian's chromium
against the live server, on the valid exchange, with "today" fixed to 2025-03-31.

A caseworker opens the unit's worklist, sees the overdue investigation of a protected child
masked, filters by rule and exports CSV; a unit manager sees the committee's counts and
reconciles the quarterly EVB report with a total stated elsewhere.
"""
import datetime as dt
import os

import pytest
from django.utils import timezone

from akta.conftest import PASSWORD
from akta.deadlines import worklist

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TODAY = dt.date(2025, 3, 31)

# A small accessibility check: language, one h1, a main landmark, labelled controls, table
# headers with scope, unique ids.
A11Y_JS = r"""() => {
  const problems = [];
  if (document.documentElement.lang !== 'sv') problems.push('lang');
  if (document.querySelectorAll('h1').length !== 1) problems.push('h1 count');
  if (document.querySelectorAll('main').length !== 1) problems.push('main');
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (['hidden', 'submit', 'button'].includes(el.type)) continue;
    if (!((el.labels && el.labels.length) || el.getAttribute('aria-label'))) problems.push('no label: ' + (el.name || el.id));
  }
  for (const th of document.querySelectorAll('th')) if (!th.getAttribute('scope')) problems.push('th scope: ' + th.textContent.trim());
  const seen = new Set();
  for (const el of document.querySelectorAll('[id]')) { if (seen.has(el.id)) problems.push('dup id ' + el.id); seen.add(el.id); }
  return problems;
}"""


@pytest.fixture(scope="module")
def allow_async_unsafe():
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(allow_async_unsafe):
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    worklist.clear_snapshots()
    yield
    worklist.clear_snapshots()


@pytest.fixture
def page_for(browser, live_server):
    contexts = []

    def make(username):
        context = browser.new_context(base_url=live_server.url, locale="sv-SE", accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto("/logga-in/")
        page.get_by_label("Användarnamn").fill(username)
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        page.wait_for_load_state()
        return page

    yield make
    for context in contexts:
        context.close()


def accessible(page):
    assert page.evaluate(A11Y_JS) == [], page.url


def test_caseworker_worklist_filter_and_export(page_for, bou_user, tmp_path):
    page = page_for(bou_user.username)
    page.goto("/bevakningar/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina bevakningar")
    expect(page.get_by_role("region", name="Försenade")).to_contain_text("Inga bevakningar")
    accessible(page)

    page.get_by_role("link", name="Min enhet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bevakningar i min enhet")
    overdue = page.get_by_role("region", name="Försenade")
    expect(overdue.get_by_role("row")).to_have_count(1 + 2)  # header, investigation, implementation
    first = overdue.get_by_role("row").nth(1)
    expect(first).to_contain_text("Utredning om barn avslutad inom fyra månader")
    expect(first).to_contain_text("2024-11-04")
    expect(first).to_contain_text("Skyddad identitet")
    expect(page.locator("#antal-forsenade")).to_have_text("2")
    accessible(page)

    page.get_by_label("Regel").select_option("verkstallighet_3m")
    page.get_by_label("Visa", exact=True).select_option("alla")
    page.get_by_role("button", name="Visa").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("28 f § LSS (1993:387)")
    accessible(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="Exportera som CSV").click()
    path = tmp_path / "bevakningar.csv"
    info.value.save_as(path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Förfaller,Status,Regel") and len(lines) == 2 and "verkstallighet_3m" in lines[1]


def test_manager_committee_counts_and_evb_reconciliation(page_for, chief):
    page = page_for(chief.username)
    page.goto("/bevakningar/namnden/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bevakningar – hela nämnden")
    expect(page.get_by_role("row", name="Utredning om barn avslutad inom fyra månader")).to_contain_text("1")
    accessible(page)

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
    accessible(page)
