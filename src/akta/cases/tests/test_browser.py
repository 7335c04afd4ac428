"""Browser tests: Playwright (sync API) driving Debian's chromium against the live server.

Flows: register an anmälan and take it to a decision; a caseworker of another unit is refused;
a protected person is masked. Every page visited also gets a minimal accessibility check.
"""
import os
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone

from akta.conftest import PASSWORD

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
NEW_CHILD = "20180315-2386"  # valid check digit (personnummer.valid)
P4_PNR = "20120704-2381"

# Minimal, axe-like checks: lang, one h1, a main landmark, every control labelled, every
# aria-describedby target present, unique ids, table headers with scope.
A11Y_JS = r"""() => {
  const problems = [];
  if (document.documentElement.lang !== 'sv') problems.push('html lang is ' + document.documentElement.lang);
  const h1 = document.querySelectorAll('h1').length;
  if (h1 !== 1) problems.push(h1 + ' h1 elements');
  if (document.querySelectorAll('main').length !== 1) problems.push('no single main landmark');
  if (!document.title.trim()) problems.push('empty title');
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (['hidden', 'submit', 'button', 'reset'].includes(el.type)) continue;
    const named = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!named) problems.push('no label: ' + (el.name || el.id || el.outerHTML.slice(0, 60)));
  }
  for (const el of document.querySelectorAll('[aria-describedby]')) {
    for (const id of el.getAttribute('aria-describedby').split(/\s+/)) {
      if (id && !document.getElementById(id)) problems.push('aria-describedby target missing: ' + id);
    }
  }
  const seen = new Set();
  for (const el of document.querySelectorAll('[id]')) {
    if (seen.has(el.id)) problems.push('duplicate id: ' + el.id);
    seen.add(el.id);
  }
  for (const th of document.querySelectorAll('th')) {
    if (!th.getAttribute('scope')) problems.push('th without scope: ' + th.textContent.trim());
  }
  return problems;
}"""


def assert_accessible(page):
    problems = page.evaluate(A11Y_JS)
    assert problems == [], f"{page.url}: {problems}"


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module", autouse=True)
def project_static_files():
    """Serve src/akta/static (CSS, htmx) from the live server even if settings lack it."""
    from django.conf import settings

    dirs = [str(d) for d in getattr(settings, "STATICFILES_DIRS", [])]
    if str(STATIC_DIR) in dirs:
        yield
        return
    with override_settings(STATICFILES_DIRS=[*settings.STATICFILES_DIRS, str(STATIC_DIR)]):
        yield


@pytest.fixture(scope="module")
def allow_async_unsafe():
    """Playwright's sync API runs an event loop in this thread while Django's ORM is used
    synchronously. Set only while this module runs: the variable must not leak into other
    tests (`check --deploy` rejects it, async.E001)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def chromium_browser(allow_async_unsafe):
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make system-deps)")
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium_browser, live_server):
    contexts = []

    def make():
        context = chromium_browser.new_context(base_url=live_server.url, locale="sv-SE")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


def log_in(page, username):
    page.goto("/logga-in/")
    assert_accessible(page)
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ärenden")
    assert_accessible(page)


def register_event(page, link, selects=(), fills=()):
    page.get_by_role("region", name="Registrera händelse").get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Registrera")
    assert_accessible(page)
    for label, value in selects:
        page.get_by_label(label).select_option(value)
    for label, value in fills:
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Spara").click()
    expect(page.locator(".messages")).to_contain_text("Sparat")
    assert_accessible(page)


def test_register_anmalan_and_take_it_to_a_decision(new_page, bou_user, eb_user):
    page = new_page()
    log_in(page, "anna")

    page.get_by_role("link", name="Registrera aktualisering").click()
    assert_accessible(page)
    page.get_by_label("Personnummer eller samordningsnummer").fill(NEW_CHILD)
    page.get_by_label("Namn", exact=True).fill("Alva Testsson")
    page.get_by_label("Område").select_option("barn_och_unga")
    expect(page.get_by_label("Datum då aktualiseringen kom in")).to_have_value(timezone.localdate().isoformat())
    page.get_by_label("Slag").select_option("anmalan")
    page.get_by_label("Anmälare/sökande").fill("Skola")
    page.get_by_role("button", name="Registrera").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Personakt: Alva Testsson, {NEW_CHILD}")
    case_url = page.url
    timeline = page.locator("#tidslinje")
    expect(timeline).to_contain_text("Aktualisering")
    expect(timeline).to_contain_text("Anmälan")

    register_event(page, "Skyddsbedömning")
    expect(timeline).to_contain_text("Skyddsbedömning")

    # A missing required field is named, linked from the summary and nothing is saved.
    page.get_by_role("link", name="Förhandsbedömning", exact=True).click()
    page.get_by_role("button", name="Spara").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Utfall krävs")
    summary.get_by_role("link", name="Utfall krävs").click()
    expect(page.get_by_label("Utfall")).to_be_focused()
    expect(page.get_by_label("Utfall")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.get_by_label("Utfall").select_option("inleda_utredning")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator(".messages")).to_contain_text("Sparat")
    expect(timeline).to_contain_text("Förhandsbedömning")
    expect(timeline).to_contain_text("Inleda utredning")

    register_event(page, "Utredning inledd")
    expect(timeline).to_contain_text("Utredning inledd")
    expect(page.locator("#lage")).to_contain_text("Pågående utredningar")
    expect(page.locator("#lage")).to_contain_text("0 dagar sedan start")

    register_event(page, "Utredning avslutad", selects=[("Utfall", "insats")])
    expect(timeline).to_contain_text("Utredning avslutad")

    register_event(page, "Beslut", selects=[("Lagrum", "SoL 4:1"), ("Insats", "kontaktfamilj"), ("Utfall", "bifall")])
    expect(timeline).to_contain_text("Beslut")
    expect(timeline).to_contain_text("Kontaktfamilj")
    awaiting = page.locator("#lage .state-grid > div", has=page.get_by_role("heading", name="Beslut som väntar på verkställighet"))
    expect(awaiting).to_contain_text("Kontaktfamilj (SoL 4:1)")
    expect(awaiting).to_contain_text("0 dagar sedan beslutet")
    expect(page.locator("#lage .state-grid > div", has=page.get_by_role("heading", name="Pågående utredningar"))).to_contain_text("Inga")

    if os.environ.get("AKTA_SCREENSHOT"):
        page.screenshot(path=os.environ["AKTA_SCREENSHOT"], full_page=True)

    # A caseworker of another unit is refused, exactly as if the case did not exist.
    other = new_page()
    log_in(other, "bertil")
    expect(other.locator("#arenden")).not_to_contain_text("Alva")
    response = other.goto(case_url)
    assert response.status == 404
    expect(other.get_by_role("heading", level=1)).to_have_text("Sidan finns inte")
    expect(other.locator("main")).not_to_contain_text("Alva")
    assert_accessible(other)


def test_protected_person_is_masked_without_the_right(new_page, bou_user, chief):
    page = new_page()
    log_in(page, "anna")
    row = page.locator("#arenden tbody tr", has=page.get_by_role("link", name="C4", exact=True))
    expect(row).to_contain_text("Skyddad identitet")
    expect(page.locator("body")).not_to_contain_text(P4_PNR)

    # A search for the protected person's number finds nothing (htmx updates the table in place).
    page.evaluate("window.__sameDocument = true")
    page.get_by_label("Sök person").fill(P4_PNR)
    expect(page.locator("#arenden")).to_contain_text("0 ärenden")
    assert page.evaluate("window.__sameDocument === true"), "the filter reloaded the page instead of using htmx"
    assert "q=20120704-2381" in page.url  # the filtered view has its own address

    page.goto("/arende/C4/")
    assert "Skyddad identitet" in page.title()
    expect(page.get_by_role("heading", level=1)).to_have_text("Personakt: Skyddad identitet")
    expect(page.locator("body")).not_to_contain_text(P4_PNR)
    assert P4_PNR not in page.title()
    assert_accessible(page)

    chief_page = new_page()
    log_in(chief_page, "cecilia")
    expect(chief_page.locator("#arenden")).to_contain_text(P4_PNR)
    chief_page.goto("/arende/C4/")
    expect(chief_page.get_by_role("heading", level=1)).to_contain_text(P4_PNR)


def test_filters_work_without_reload_and_keyboard_reaches_the_skip_link(new_page, chief):
    page = new_page()
    log_in(page, "cecilia")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Hoppa till innehållet")).to_be_focused()

    page.evaluate("window.__sameDocument = true")
    page.get_by_label("Område").select_option("familjeratt")
    expect(page.locator("#arenden")).to_contain_text("1 ärende")
    expect(page.locator("#arenden tbody")).to_contain_text("C5")
    page.get_by_label("Status").select_option("avslutat")
    expect(page.locator("#arenden")).to_contain_text("Inga ärenden matchar urvalet")
    assert page.evaluate("window.__sameDocument === true")
    expect(page.locator("#resultat-status")).to_have_text("0 ärenden visas")
    assert_accessible(page)

    page.goto("/logg/?fraga=skyddade")
    assert_accessible(page)
    page.get_by_role("button", name="Kontrollera loggen").click()
    expect(page.locator("#kontroll-resultat")).to_contain_text("Loggen är intakt")
