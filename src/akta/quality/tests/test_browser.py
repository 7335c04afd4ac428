"""Browser tests of the quality flows: Playwright (sync API) driving Debian's chromium.

1. A caseworker reports a deviation; the unit manager takes it through every step to closure
   and adds an improvement action.
2. A lex Sarah report is taken to an assessment of påtaglig risk, the IVO notification is
   downloaded and the notification registered.
3. The quality developer draws an egenkontroll sample, opens a sampled file (logged as
   egenkontroll) and answers the checklist.
"""
import os
import re
from pathlib import Path

import pytest
from django.test import override_settings

from akta.access.models import Role
from akta.conftest import PASSWORD

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STATIC_DIR = Path(__file__).resolve().parents[2] / "static"

A11Y_JS = r"""() => {
  const problems = [];
  if (document.documentElement.lang !== 'sv') problems.push('html lang');
  if (document.querySelectorAll('h1').length !== 1) problems.push('not one h1');
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (['hidden', 'submit', 'button', 'reset'].includes(el.type)) continue;
    const named = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!named) problems.push('no label: ' + (el.name || el.id));
  }
  const seen = new Set();
  for (const el of document.querySelectorAll('[id]')) { if (seen.has(el.id)) problems.push('duplicate id: ' + el.id); seen.add(el.id); }
  for (const th of document.querySelectorAll('th')) { if (!th.getAttribute('scope')) problems.push('th without scope: ' + th.textContent.trim()); }
  return problems;
}"""


def assert_accessible(page):
    """Check the page a click led to; a navigation still replacing the document is waited for."""
    from playwright.sync_api import Error as PlaywrightError

    for _ in range(5):
        page.wait_for_load_state("load")
        try:
            problems = page.evaluate(A11Y_JS)
            break
        except PlaywrightError:  # the document was being replaced by the click's navigation
            page.wait_for_timeout(100)
    else:
        raise AssertionError(f"page never settled: {page.url}")
    assert problems == [], page.url


@pytest.fixture(autouse=True)
def project_static_files():
    from django.conf import settings

    if str(STATIC_DIR) in [str(d) for d in getattr(settings, "STATICFILES_DIRS", [])]:
        yield
        return
    with override_settings(STATICFILES_DIRS=[*settings.STATICFILES_DIRS, str(STATIC_DIR)]):
        yield


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

    def make(username):
        context = chromium_browser.new_context(base_url=live_server.url, locale="sv-SE", accept_downloads=True)
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


def step(page, heading, fields):
    form = page.locator("form.panel").filter(has=page.get_by_role("heading", name=heading))
    for label, value in fields.items():
        control = form.get_by_label(re.compile(rf"^{re.escape(label)}( \(obligatoriskt\))?$"))
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    form.get_by_role("button", name=heading).click()
    expect(page.get_by_text("Steget har registrerats.")).to_be_visible()


def test_deviation_from_report_to_closure_with_an_action(new_page, bou_user, chief):
    page = new_page("anna")
    page.goto("/kvalitet/")
    assert_accessible(page)
    page.get_by_role("link", name="Rapportera avvikelse").first.click()
    page.get_by_label("Kategori").select_option(label="Sekretess och informationssäkerhet")
    page.get_by_label("Händelsedatum").fill("2024-03-01")
    page.get_by_label("Rapporterad").fill("2024-03-02")
    page.get_by_label("Beskrivning").fill("Fax med sekretessuppgifter till fel mottagare.")
    page.get_by_label("Ärende-id (om händelsen rör en enskild)").fill("C1")
    assert_accessible(page)
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Avvikelse AV-2024-0001")
    expect(page.get_by_text("Rapporterad", exact=True).first).to_be_visible()

    page = new_page("cecilia")
    page.goto("/kvalitet/avvikelser/")
    page.get_by_role("link", name="AV-2024-0001").click()
    page.wait_for_url(re.compile(r"/kvalitet/avvikelser/\d+/$"))
    assert_accessible(page)
    step(page, "Registrera utredning", {"Utredd": "2024-03-10", "Analys": "Faxrutinen var okänd.",
                                        "Orsak": "Ny medarbetare utan introduktion."})
    step(page, "Besluta åtgärder", {"Åtgärder beslutade": "2024-03-12", "Beslutade åtgärder": "Faxrutinen på APT."})
    page.get_by_role("link", name="Lägg till åtgärd").click()
    page.get_by_label(re.compile(r"^Åtgärd ")).fill("Gå igenom faxrutinen på APT")
    page.get_by_label("Ansvarig").select_option(label="cecilia")
    page.get_by_label("Klar senast").fill("2024-04-30")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Åtgärd AT-2024-0001")
    page.get_by_role("link", name="AV-2024-0001").click()
    step(page, "Återkoppla till rapportören", {"Återkoppling": "2024-03-13",
                                               "Återkoppling till rapportören": "Tack, rutinen är genomgången."})
    step(page, "Avsluta avvikelsen", {"Avslutad": "2024-03-14"})
    expect(page.get_by_role("heading", level=1)).to_contain_text("Avslutad")
    expect(page.get_by_role("link", name="AT-2024-0001 Gå igenom faxrutinen på APT")).to_be_visible()


def test_lex_sarah_to_assessment_and_ivo_notification(new_page, chief):
    page = new_page("cecilia")
    page.goto("/kvalitet/lex-sarah/ny/")
    page.get_by_label("Händelsedatum").fill("2024-02-01")
    page.get_by_label("Rapporterad").fill("2024-02-01")
    page.get_by_label("Enhet").select_option(label="Barn och unga 1") if page.get_by_label("Enhet").locator(
        "option", has_text="Barn och unga 1").count() else page.get_by_label("Enhet").select_option(index=1)
    page.get_by_label("Vad har hänt").fill("Orosanmälan blev liggande utan skyddsbedömning.")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("LS-2024-0001")
    step(page, "Registrera omedelbara åtgärder", {"Avhjälpt": "2024-02-01", "Omedelbara åtgärder": "Skyddsbedömning gjordes."})
    step(page, "Inled utredning", {"Utredning inledd": "2024-02-02"})
    step(page, "Registrera bedömning", {"Bedömd": "2024-02-20", "Utredning": "Samtal och granskning.",
                                        "Bedömning": "pataglig_risk", "Motivering": "Barnet kunde ha skadats."})
    expect(page.get_by_text("2024-03-05 (ej anmäld)")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Anmälan till IVO (Word)").click()
    assert info.value.suggested_filename == "anmalan-ivo-LS-2024-0001.docx"
    step(page, "Registrera anmälan till IVO", {"Anmäld till IVO": "2024-02-27", "IVO:s diarienummer": "IVO 2024-123"})
    expect(page.get_by_role("heading", level=1)).to_contain_text("Anmäld till IVO")
    expect(page.locator("dd", has_text="7 dagar")).to_be_visible()  # assessment → notification


def test_egenkontroll_sample_and_a_sampled_file(new_page, make_user, imported):
    from akta.audit.models import AuditEntry
    from akta.quality import models as m
    from akta.quality import services

    ku = make_user("david", role=Role.KVALITETSUTVECKLARE)
    plan = services.create(m.SelfInspectionPlan, ku, title="Granskning av personakter", method="Stickprov",
                           frequency="halvar", owner=ku, sample_per_group=3)
    page = new_page("david")
    page.goto(f"/kvalitet/egenkontrollplaner/{plan.pk}/")
    page.get_by_label("Kontrollfråga").fill("Utredningsplan finns")
    page.get_by_role("button", name="Lägg till kontrollfråga").click()
    page.get_by_label("Period från").fill("2024-01-01")
    page.get_by_label("Period till").fill("2024-12-31")
    page.get_by_label("Slumpfrö").fill("2024")
    page.get_by_role("button", name="Dra urval").click()
    expect(page.get_by_text("Urvalet är draget (slumpfrö 2024).")).to_be_visible()
    assert_accessible(page)
    expect(page.locator("#slumpfro")).to_have_text("2024")
    page.get_by_role("link", name="C1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Granskning av ärende C1")
    expect(page.get_by_text("Utredning inledd").first).to_be_visible()  # the case timeline
    assert_accessible(page)
    page.get_by_label("Nej").check()
    page.get_by_label("Kommentar").fill("Utredningsplan saknas.")
    page.get_by_role("button", name="Spara granskningen").click()
    expect(page.get_by_text("Granskningen har sparats.")).to_be_visible()
    assert AuditEntry.objects.filter(context="egenkontroll", object_id="C1", username="david").exists()
    page.get_by_role("link", name="Egenkontroll EK-2024-0001").click()
    expect(page.locator("td", has_text="ja 0, nej 1").first).to_be_visible()
