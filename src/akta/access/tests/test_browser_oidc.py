"""Sign-in through the identity provider in a real browser (Debian's chromium), under Akta's
Content-Security-Policy: button, provider login, back to Akta as the mapped user (issue 10, Build 3)."""
import pytest
import requests

from akta.browser_testing import assert_accessible

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_via_the_municipality_in_the_browser(page_as, bou_user, oidc_settings, oidc_provider):
    requests.put(f"{oidc_provider}/users/5f1c-anna", json={"preferred_username": "anna"}, timeout=5).raise_for_status()
    requests.put(f"{oidc_provider}/users/9a9a-okand", json={"preferred_username": "okand"}, timeout=5).raise_for_status()
    page = page_as()
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)

    page.goto("/logga-in/")
    page.get_by_role("link", name="Logga in via kommunens inloggning").click()
    page.wait_for_url(f"{oidc_provider}/oauth2/authorize*")
    page.locator("input[name=sub]").fill("9a9a-okand")
    page.get_by_role("button", name="Authorize").click()
    expect(page.locator(".messages")).to_contain_text("inte kopplat till någon användare i Akta")
    assert_accessible(page)

    page.goto("/arende/C1/")  # not signed in: to the login page, with next
    assert_accessible(page)
    page.get_by_role("link", name="Logga in via kommunens inloggning").click()
    page.wait_for_url(f"{oidc_provider}/oauth2/authorize*")
    page.locator("input[name=sub]").fill("5f1c-anna")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url("**/arende/C1/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Personakt")  # the case opened
    expect(page.locator("body")).to_contain_text("anna")
    assert violations == []
