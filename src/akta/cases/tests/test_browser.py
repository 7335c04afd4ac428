"""Browser tests: Playwright (sync API) driving Debian's chromium against the live server.

Flows: register an anmälan and take it to a decision; a caseworker of another unit is refused;
a protected person is masked. Every page visited also gets a minimal accessibility check.
"""
import os

import pytest
from django.utils import timezone

from akta.browser_testing import assert_accessible
from akta.conftest import PASSWORD

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_CHILD = "20180315-2386"  # valid check digit (personnummer.valid)
P4_PNR = "20120704-2381"

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


def test_register_anmalan_and_take_it_to_a_decision(page_as, bou_user, eb_user):
    page = page_as()
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
    other = page_as()
    log_in(other, "bertil")
    expect(other.locator("#arenden")).not_to_contain_text("Alva")
    response = other.goto(case_url)
    assert response.status == 404
    expect(other.get_by_role("heading", level=1)).to_have_text("Sidan finns inte")
    expect(other.locator("main")).not_to_contain_text("Alva")
    assert_accessible(other)


def test_protected_person_is_masked_without_the_right(page_as, bou_user, chief):
    page = page_as()
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

    chief_page = page_as()
    log_in(chief_page, "cecilia")
    expect(chief_page.locator("#arenden")).to_contain_text(P4_PNR)
    chief_page.goto("/arende/C4/")
    expect(chief_page.get_by_role("heading", level=1)).to_contain_text(P4_PNR)


def test_filters_work_without_reload_and_keyboard_reaches_the_skip_link(page_as, chief):
    page = page_as()
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
