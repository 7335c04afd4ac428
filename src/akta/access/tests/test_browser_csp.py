"""The pages work under the Content-Security-Policy: htmx swaps, style sheets load, and the
browser reports no violation (issue 10, Build 6)."""
import pytest

from akta.browser_testing import assert_accessible

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_and_htmx_work_without_csp_violations(page_as, chief):
    page = page_as("cecilia")
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto("/")
    page.evaluate("window.__sameDocument = true")
    page.get_by_label("Område").select_option("familjeratt")
    expect(page.locator("#arenden")).to_contain_text("1 ärende")  # the htmx swap ran
    assert page.evaluate("window.__sameDocument === true")
    page.goto("/uppfoljning/indikator/cases_opened/?year=2024")
    assert page.evaluate("getComputedStyle(document.querySelector('.params-form label')).display") == "block"  # followup.css
    page.goto("/bevakningar/enhet/")
    assert page.evaluate("getComputedStyle(document.querySelector('.subnav__list')).display") == "flex"
    page.goto("/logg/?fraga=skyddade")
    page.get_by_role("button", name="Kontrollera loggen").click()
    expect(page.locator("#kontroll-resultat")).to_contain_text("Loggen är intakt")
    page.get_by_role("link", name="Byt lösenord").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Byt lösenord")
    assert_accessible(page)
    page.get_by_label("Gammalt lösenord").fill("fel")
    page.get_by_role("button", name="Byt lösenord").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    assert violations == []
